"""serlib.experiments.fla_ser_paper: the FLA-SER claim audit's arithmetic, with reference values."""
import csv
import math

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from serlib.experiments import fla_ser_paper as paper
from serlib.experiments.audit import VERDICTS, Verdict, verdict_table, wilson_interval, write_claims
from serlib.experiments.cnn_transformer_paper import ravdess_class_counts


# ----------------------------------------------------------------------------- mean of five runs
def test_mean_of_five_runs_by_hand():
    # Five runs on a test set of 2 items: the mean accuracy is K / 10, i.e. a multiple of 10 %.
    assert paper.mean_of_runs_counts(50.0, n=2) == [5]
    assert not paper.mean_of_runs_reachable(55.0, n=2)
    # Table 3's 95.3 on five runs of 120 items: K / 600 with K = 572 gives 95.333 (prints 95.3) and nothing else.
    assert paper.mean_of_runs_counts(95.3, n=120) == [572]
    # ... but 90.1 cannot: K = 540 gives 90.000 and K = 541 gives 90.167.
    assert paper.mean_of_runs_counts(90.1, n=120) == []
    # Both rounding rules count: 12.5 % printed with 0 decimals stands for [12, 13]... of 8 items, 1/8 = 12.5 exactly.
    assert paper.mean_of_runs_counts(12.0, n=8, runs=1, decimals=0) == [1]
    assert paper.mean_of_runs_counts(13.0, n=8, runs=1, decimals=0) == [1]


def test_the_notebooks_worked_example():
    two, three = paper.mean_of_five_example("+DMP")
    assert (two["n"], two["K below"], two["K above"], two["K printing as 90.1"]) == (120, 540, 541, "none")
    assert two["mean at K below"] == 90.0 and two["mean at K above"] == pytest.approx(90.167)
    assert three["K printing as 90.1"] == [811] and three["Table 3 rows unreachable"] == "+FCN"
    with pytest.raises(KeyError, match="no row"):
        paper.mean_of_five_example("+Transformer")


@hsettings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), counts=st.lists(st.integers(0, 300), min_size=5, max_size=5))
def test_every_actual_mean_of_five_is_reachable(n, counts):
    counts = [min(k, n) for k in counts]
    printed = round(100 * sum(counts) / (5 * n), 1)
    assert paper.mean_of_runs_reachable(printed, n, runs=5, decimals=1)


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="n and runs"):
        paper.mean_of_runs_counts(50.0, n=0)
    with pytest.raises(ValueError, match="decimals"):
        paper.printed_bounds(1.0, -1)
    with pytest.raises(ValueError, match="class sizes"):
        paper.uar_numerators([3, 0])


# ----------------------------------------------------------------------------- UAR grid
def test_uar_grid_by_hand():
    # Classes of 1 and 2 items: UAR = (k1 / 1 + k2 / 2) / 2 takes the values 0, 1/4, 1/2, 3/4, 1.
    denominator, attainable = paper.uar_numerators([1, 2])
    assert denominator == 4 and attainable == {0, 1, 2, 3, 4}
    assert paper.uar_mean_reachable(75.0, [1, 2], runs=1, decimals=0)
    assert not paper.uar_mean_reachable(60.0, [1, 2], runs=1, decimals=0)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 6)), min_size=2, max_size=4))
def test_every_actual_uar_is_reachable(classes):
    sizes = [size for size, _ in classes]
    correct = [min(k, size) for size, k in classes]
    uar = 100 * np.mean([k / size for k, size in zip(correct, sizes)])
    assert paper.uar_mean_reachable(round(float(uar), 1), sizes, runs=1, decimals=1)


# ----------------------------------------------------------------------------- RAVDESS and the split
def test_ravdess_records_follow_the_corpus_design():
    records = paper.ravdess_speech_records()
    assert len(records) == 1440 and len({r.speaker for r in records}) == 24
    counts = {label: sum(r.label == label for r in records) for label in ravdess_class_counts()}
    assert counts == ravdess_class_counts() and counts["neutral"] == 96 and counts["angry"] == 192
    assert paper.ravdess_test_sizes() == {"2 test actors": 120, "3 test actors": 180,
                                          "10 % of the files (speaker-dependent)": 144}


def test_our_reading_of_the_split_is_speaker_independent():
    sizes = paper.our_paper_split_sizes(seeds=(0, 1))
    for row in sizes:
        assert row["train_actors"] + row["val_actors"] + row["test_actors"] == 24
        assert row["test_files"] == 60 * row["test_actors"]


def test_whole_actor_splits():
    assert paper.whole_actor_splits(10, keep=1) == [(8, 1, 1)]
    assert all(sum(split) == 24 and min(split) >= 1 for split in paper.whole_actor_splits())
    with pytest.raises(ValueError, match="at least 3"):
        paper.whole_actor_splits(2)


# ----------------------------------------------------------------------------- binomial helpers
def test_wilson_matches_scipy():
    from scipy.stats import binomtest

    for k, n in ((172, 180), (114, 120), (0, 12), (12, 12)):
        reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_binomial_standard_error_reference():
    assert paper.binomial_standard_error(50.0, 100) == pytest.approx(5.0)
    assert paper.binomial_standard_error(95.3, 180) == pytest.approx(100 * math.sqrt(0.953 * 0.047 / 180))


def test_probability_std_at_most_matches_simulation():
    rng = np.random.default_rng(0)
    draws = rng.normal(0.0, 2.0, size=(40000, 5))
    simulated = float(np.mean(draws.std(axis=1, ddof=1) <= 1.0))
    assert paper.probability_std_at_most(1.0, 2.0, runs=5) == pytest.approx(simulated, abs=0.01)


def test_implied_recalls_recover_the_recalls():
    sizes = ravdess_class_counts()
    recalls = {label: (76.0 if label == "neutral" else 90.0 + i) for i, label in enumerate(sizes)}
    wa = sum(sizes[c] * recalls[c] for c in sizes) / sum(sizes.values())
    uar = sum(recalls.values()) / len(recalls)
    implied = paper.implied_recalls(wa, uar, sizes)
    others = [recalls[c] for c in sizes if c != "neutral"]
    assert implied["small_recall"] == pytest.approx(76.0)
    assert implied["others_mean_recall"] == pytest.approx(np.mean(others))
    assert implied["feasible"] and implied["max_gap"] == pytest.approx(700 / 120)
    assert not paper.implied_recalls(99.0, 90.0, sizes)["feasible"]  # gap beyond 5.83 points


# ----------------------------------------------------------------------------- exact counts of Table 2's FCN
def test_fcn_counts_match_torch():
    from serlib.models.complexity import count_flops, parameter_count
    from serlib.models.fla_ser import FCNBackbone

    backbone = FCNBackbone().eval()
    assert paper.fcn_parameter_count() == parameter_count(backbone) == 500_736
    assert 2 * paper.fcn_multiply_adds(13, 37) == count_flops(backbone, (1, 13, 37))["flops"]


# ----------------------------------------------------------------------------- the audit
def test_audit_claims_are_complete_verdicts():
    verdicts = paper.audit_claims()
    assert len(verdicts) >= 40 and all(isinstance(v, Verdict) for v in verdicts)
    assert all(v.verdict in VERDICTS and v.claim and v.where and v.computed for v in verdicts)
    assert len({v.claim for v in verdicts}) == len(verdicts)
    by_claim = {v.claim: v for v in verdicts}
    # definitive arithmetic verdicts on the paper's own numbers
    assert by_claim["Splicing the 256-d LSTM features with the 256-d FCN features gives a 480-d vector"].verdict \
        == "does not hold"
    assert by_claim["Table 3's 'Improvement' row is the difference of consecutive means"].verdict == "holds"
    assert by_claim["The pure FCN has 3.5 M parameters"].verdict == "does not hold"
    reach = by_claim["Table 3's WA means are means of five runs on 10 % speaker-independent RAVDESS test sets"]
    assert reach.verdict == "does not hold" and "+DMP" in reach.computed
    # a claim resting on results files names them, and stays untested on the reduced profile
    for v in verdicts:
        if v.evidence:
            assert "results/fla_ser/" in v.evidence
        if "REDUCED" in v.computed:
            assert v.verdict == "cannot be tested here"


def test_audit_without_results_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path))
    verdicts = paper.audit_claims()
    measured = [v for v in verdicts if v.evidence]
    assert measured and all(v.verdict == "cannot be tested here" for v in measured if "REDUCED" in v.computed)
    assert any("not written yet" in v.computed for v in measured)


def test_evidence_column_and_older_verdicts(tmp_path):
    old = Verdict("c", "w", "p", "x", "holds")
    assert set(old.as_dict()) == {"claim", "where", "paper_evidence", "computed", "verdict"}
    assert list(verdict_table([old]).columns) == ["claim", "where", "paper_evidence", "computed", "verdict"]
    path = write_claims("fla_ser", tmp_path)
    rows = {row["claim"]: row for row in csv.DictReader(open(path))}
    assert rows["The pure FCN has 3.5 M parameters"]["evidence"].startswith("results/fla_ser/table6.csv")
    assert rows["Splicing the 256-d LSTM features with the 256-d FCN features gives a 480-d vector"]["evidence"] \
        == "the paper's printed numbers (serlib.experiments.fla_ser_paper)"
