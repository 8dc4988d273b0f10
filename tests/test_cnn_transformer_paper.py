"""The cnn_transformer paper facts and the claim audit computed from its printed numbers."""
from __future__ import annotations

import pytest
from scipy.stats import binomtest

from serlib.experiments import cnn_transformer_paper as paper
from serlib.experiments.audit import (VERDICTS, Verdict, achievable_counts, clopper_pearson_interval, verdict_table,
                                      wilson_interval)


def test_printed_numbers():
    assert paper.PAPER_TABLE1["learning_rate"] == 0.001 and paper.PAPER_TABLE1["batch_size"] == 16
    assert paper.PAPER_GRID_VALUES is None
    assert set(paper.TABLE2_TO_UNIFIED.values()) == set(paper.ravdess_class_counts())
    assert paper.PAPER_FIG4["Bhattacharya et al. [23]"] == 77.60


def test_ravdess_design_counts():
    counts = paper.ravdess_class_counts()
    assert sum(counts.values()) == 1440 and counts["neutral"] == 96 and counts["disgust"] == 192
    assert paper.per_emotion_split_counts(rounding="round") == {k: (10 if k == "neutral" else 19) for k in counts}
    assert sum(paper.per_emotion_split_counts(rounding="ceil").values()) == 150


def test_headline_does_not_match_table2():
    totals = paper.table2_totals()
    assert (totals["correct"], totals["total"]) == (120, 147)
    verdict = paper.audit_headline_accuracy()
    assert verdict.verdict == "does not hold"
    assert "81.63 %" in verdict.computed and "[150]" in verdict.computed
    assert paper.audit_table2_arithmetic().verdict == "holds"


def test_class_count_audits():
    split, sentence = paper.audit_class_counts()
    assert split.verdict == "does not hold" and "'disgust': (18, 19)" in split.computed
    assert sentence.verdict == "does not hold" and "neutral (96" in sentence.computed


@pytest.mark.parametrize("k,n", [(120, 147), (115, 144), (0, 10), (10, 10), (3, 7)])
def test_intervals_match_scipy(k, n):
    reference = binomtest(k, n)
    wilson, exact = reference.proportion_ci(method="wilson"), reference.proportion_ci(method="exact")
    assert wilson_interval(k, n) == pytest.approx((wilson.low, wilson.high), abs=1e-10)
    assert clopper_pearson_interval(k, n) == pytest.approx((exact.low, exact.high), abs=1e-10)
    with pytest.raises(ValueError, match="whole numbers"):
        wilson_interval(n + 1, n)


def test_literature_comparison_against_the_interval():
    verdicts = {v.claim.split("(")[0].strip(): v.verdict for v in paper.audit_literature_comparison()}
    assert verdicts["significantly outperforming Bhattacharya et al. [23]"] == "does not hold"
    assert verdicts["significantly outperforming Jin et al. [24]"] == "holds"
    low, high = paper.headline_interval()["wilson"]
    assert low < 0.776 < high


def test_audit_all_is_structured():
    verdicts = paper.audit_all()
    assert all(isinstance(v, Verdict) and v.verdict in VERDICTS for v in verdicts)
    assert {v.verdict for v in verdicts} == set(VERDICTS)
    table = verdict_table(verdicts)
    # verdicts judged on our runs name their results file: the table then has an evidence column too
    assert list(table.columns) == ["claim", "where", "paper_evidence", "computed", "verdict", "evidence"]
    assert table["evidence"].fillna("").str.contains("results/cnn_transformer/").any()
    assert len(table) == len(verdicts)
    with pytest.raises(ValueError, match="verdict must be one of"):
        Verdict("c", "w", "e", "x", "maybe")


def test_achievable_counts_and_inventory():
    assert achievable_counts(80.0, 147) == [] and achievable_counts(80.0, 150) == [120]
    elements = {row["element"] for row in paper.INVENTORY}
    assert {"Table I", "Table II", "Fig. 4", "Fig. 5", "Fig. 6", "Fig. 7"} <= elements
    assert all(row["status"] and row["how"] for row in paper.INVENTORY)
