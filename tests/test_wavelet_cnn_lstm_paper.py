"""The wavelet_cnn_lstm paper facts and the claim audit computed from its printed numbers."""
from __future__ import annotations

import pytest

from serlib.experiments import wavelet_cnn_lstm_paper as paper
from serlib.experiments.audit import VERDICTS, Verdict, verdict_table
from serlib.models.wavelet_cnn_lstm import PAPER_TABLE3


def by_claim(verdicts):
    return {v.claim: v for v in verdicts}


def test_printed_numbers_and_model_agree():
    assert paper.PAPER_TABLE3["conv_layers"] == PAPER_TABLE3["conv_layers"] == 9
    assert paper.PAPER_TABLE3["lstm_nodes"] == PAPER_TABLE3["lstm_nodes"] == 100
    assert paper.PAPER_TABLE2 == {"epochs": 50, "base_learning_rate": 0.1, "optimizer": "Adam", "batch_size": 16}
    assert tuple(paper.PAPER_TABLE4) == paper.TABLE4_COLUMNS
    assert all(len(folds) == 3 for folds in paper.PAPER_TABLE4.values())
    assert len(paper.PAPER_TABLE6_ROWS) == 26


def test_table4_means():
    means = paper.table4_means()
    assert means["EmoDB SD"] == pytest.approx((94.21 + 96.89 + 89.51) / 3)
    assert means["RAVDESS SD"] == pytest.approx(80.60)
    assert means["RAVDESS SI"] == pytest.approx(78.7467, abs=1e-4)


def test_headline_audit():
    verdicts = by_claim(paper.audit_headlines())
    assert verdicts["EmoDB SD: 93.53 % (the model's accuracy)"].verdict == "holds"
    ravdess = verdicts["RAVDESS SD: 95.00 % (the model's accuracy)"]
    assert ravdess.verdict == "does not hold" and "fold 3 (the best fold)" in ravdess.computed
    assert "closest: fold 3, 91.10" in verdicts["RAVDESS SI: 92.10 % (the model's accuracy)"].computed
    assert verdicts["EmoDB SI: average 89.46 %"].verdict == "does not hold"
    assert "equals fold 3" in verdicts["IEMOCAP SI: average 89 %"].computed


def test_table5_classes_against_the_real_label_sets():
    sets = paper.corpus_label_sets()
    assert len(sets["EmoDB"]) == 7 and len(sets["RAVDESS"]) == 8
    verdicts = {v.claim.split(" of ")[-1]: v for v in paper.audit_table5_classes()}
    assert all(v.verdict == "does not hold" for v in verdicts.values())
    assert "['calm', 'surprised']" in verdicts["EmoDB"].computed and "['boredom', 'neutral']" in verdicts["EmoDB"].computed
    assert "missing: ['neutral']" in verdicts["RAVDESS"].computed


def test_table5_internal_consistency_and_table6():
    f1, recall = paper.audit_table5_consistency()
    assert f1.verdict == "holds" and recall.verdict == "does not hold"
    duplicated, issa, human = paper.audit_table6()
    assert duplicated.verdict == issa.verdict == human.verdict == "does not hold"
    assert "85.2" in duplicated.computed and "71.61" in issa.computed


def test_text_and_protocol_audits():
    texts = by_claim(paper.audit_text_numbers())
    assert texts["EmoDB speaker-dependent: the centre fold is the most accurate"].verdict == "holds"
    assert texts["both datasets have a random baseline of 14.29 % (seven classes)"].verdict == "does not hold"
    protocol = by_claim(paper.audit_protocol())
    assert protocol["two held-out speakers are about 20 % of EmoDB"].verdict == "holds"
    assert protocol["two held-out speakers are about 20 % of RAVDESS"].verdict == "does not hold"


def test_audit_all_and_inventory():
    verdicts = paper.audit_all()
    assert all(isinstance(v, Verdict) and v.verdict in VERDICTS for v in verdicts)
    assert {v.verdict for v in verdicts} == set(VERDICTS)
    assert len(verdict_table(verdicts)) == len(verdicts)
    elements = {row["element"] for row in paper.INVENTORY}
    assert {f"Fig. {i}" for i in range(1, 16)} | {f"Table {i}" for i in range(1, 7)} == elements
    assert {row["status"] for row in paper.INVENTORY} <= {"reproducible", "partly reproducible", "unavailable"}
