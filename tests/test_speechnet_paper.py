"""Tests of the speechnet paper facts and of the audit of its arithmetic (no training)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serlib.evaluate.reproducibility import perfect_correct_learning_reproducibility, perfect_learning_reproducibility
from serlib.experiments import speechnet_paper as paper


def test_tables_have_the_printed_shape():
    assert set(paper.PAPER_TABLE3) == set(paper.DATASETS) == set(paper.PAPER_TABLE5)
    for dataset in paper.DATASETS:
        for metric in paper.METRICS:
            runs, mean, std = paper.PAPER_TABLE3[dataset][metric]
            assert len(runs) == 10 and 0 < std < 5 and min(runs) <= mean <= max(runs)
    assert all(set(values) == set(paper.DATASETS) for values in paper.PAPER_TABLE4.values())
    assert len(paper.PAPER_TABLE2) == 8 and "CPAC" in paper.LITERATURE_ONLY and paper.PEER_MODELS["CPAC"] is None
    # Table 2's full-model row is Table 3's EmoDB means.
    assert paper.PAPER_TABLE2["SpeechNet"] == tuple(paper.PAPER_TABLE3["EmoDB"][m][1] for m in paper.METRICS)


def test_inventory_covers_every_table_figure_equation_and_the_complexity_claim():
    elements = {entry["element"] for entry in paper.INVENTORY}
    assert {f"Table {i}" for i in range(1, 6)} | {f"Fig. {i}" for i in range(1, 7)} <= elements
    assert {"Eqs. 1-6", "Eqs. 7-14", "Eq. 15", "Eqs. 16-25", "Complexity (Sec. 6)"} <= elements
    assert all({"what", "needs", "reproducible", "where_in_serlib"} <= set(entry) for entry in paper.INVENTORY)


# ---- test-set sizes ---------------------------------------------------------------------------------------------

def test_implied_test_size_on_hand_made_fractions():
    assert paper.implied_test_size([50.0, 25.0, 75.0]) == 4
    assert paper.implied_test_size([33.33, 66.67]) == 3
    assert paper.fits_test_size([86.92, 85.98], 107) and not paper.fits_test_size([86.92], 54)
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        paper.implied_test_size([101.0])
    with pytest.raises(ValueError, match="n must be"):
        paper.fits_test_size([50.0], 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 400), st.lists(st.integers(0, 400), min_size=3, max_size=8))
def test_implied_test_size_never_exceeds_the_true_size(n, counts):
    printed = [round(100 * (k % (n + 1)) / n, 2) for k in counts]
    implied = paper.implied_test_size(printed)
    assert implied is not None and implied <= n and paper.fits_test_size(printed, n)


def test_emodb_runs_imply_107_test_utterances_not_a_90_10_split():
    values = [v for m in ("Accuracy", "Recall") for v in paper.PAPER_TABLE3["EmoDB"][m][0]]
    assert paper.implied_test_size(values) == 107 == paper.table3_test_size("EmoDB")
    assert paper.split_test_sizes(535, 0.10) == (53, 54) and paper.split_test_sizes(535, 0.20) == (107,)
    assert not any(paper.fits_test_size(values, n) for n in (53, 54))
    # EmoDB run 1, from the printed numbers: 93/107 correct, 92 true positives over 105 predicted positives.
    assert round(100 * 93 / 107, 2) == paper.PAPER_TABLE3["EmoDB"]["Accuracy"][0][0]
    assert round(paper.implied_predicted_positives(87.62, 85.98, 107)) == 105


# ---- Table 3 summaries and F1 -------------------------------------------------------------------------------------

def test_table3_std_is_the_population_std():
    check = paper.table3_summary_check("EmoDB", "Accuracy")
    runs = np.array(paper.PAPER_TABLE3["EmoDB"]["Accuracy"][0])
    assert check["mean"] == pytest.approx(runs.mean()) and check["std_population"] == pytest.approx(runs.std())
    assert check["mean_matches"] and check["population_std_matches"] and not check["sample_std_matches"]


def test_harmonic_f1_on_the_printed_emodb_run_and_the_table2_outlier():
    assert paper.harmonic_mean_f1(87.62, 85.98) == pytest.approx(86.79, abs=0.005)
    assert paper.f1_matches_harmonic(87.62, 85.98, 86.79)
    _, p, r, f1 = paper.PAPER_TABLE2["SpeechNet w/o pre-attention"]
    assert not paper.f1_matches_harmonic(p, r, f1) and paper.harmonic_mean_f1(p, r) == pytest.approx(83.57, abs=0.01)
    assert paper.harmonic_mean_f1(0.0, 0.0) == 0.0


# ---- Tables 3 and 4 -----------------------------------------------------------------------------------------------

def test_same_runs_bounds_hold_for_real_runs():
    # Ten runs of predictions; PLR/PCLR computed by serlib's Eqs. 3 and 6 must respect both bounds.
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 50)
    predictions = np.where(rng.random((10, 50)) < 0.8, truth, rng.integers(0, 4, (10, 50)))
    accuracies = 100 * (predictions == truth).mean(axis=1)
    plr = 100 * perfect_learning_reproducibility(predictions)
    pclr = 100 * perfect_correct_learning_reproducibility(predictions, truth)
    assert paper.same_runs_bounds(accuracies, round(plr, 2), round(pclr, 2))["can_be_same_runs"]
    assert not paper.same_runs_bounds([90.0, 80.0], 85.0, 82.0)["pclr_bound_holds"]
    assert not paper.same_runs_bounds([90.0, 95.0], 95.0, 85.0)["wrong_bound_holds"]


def test_savee_casia_bodemodb_tables3_and_4_cannot_be_the_same_runs():
    verdicts = {v.claim.split(":")[0]: v.verdict for v in paper.same_runs_verdicts()}
    assert verdicts == {"EmoDB": "holds", "SAVEE": "does not hold", "CASIA": "does not hold",
                        "BodEmoDB": "does not hold", "IEMOCAP": "holds", "ESD": "holds"}


def test_cpac_emodb_values_come_from_a_54_utterance_test_set():
    plr, pclr = paper.PAPER_TABLE4["CPAC"]["EmoDB"]
    assert paper.implied_test_size([plr, pclr]) == 54 and not paper.fits_test_size([plr, pclr], 107)


# ---- the whole audit ----------------------------------------------------------------------------------------------

def test_audit_claims_are_structured_and_cover_every_group():
    claims = paper.audit_claims({"parameters": 616_721, "flops": 24_974_080})
    assert len(claims) >= 40
    for claim in claims:
        assert set(claim) - {"evidence"} == {"claim", "where", "paper_evidence", "computed", "verdict"}
        assert claim["verdict"] in paper.VERDICTS and claim["claim"] and claim["computed"]
    by_claim = {c["claim"]: c["verdict"] for c in claims}
    assert by_claim["EmoDB: the test set is a random 10 % of the corpus"] == "does not hold"
    assert by_claim["Table 3's F1-score is the harmonic mean of its precision and recall (per run)"] == "holds"
    assert by_claim["Consistently high PLR (>90 %) and PCLR (>80 %)"] == "does not hold"
    assert by_claim["~9.5 M FLOPs per forward pass with ~8.3 M parameters"] == "does not hold"
    assert by_claim["3.6 ms per utterance on an RTX 3080 Ti laptop GPU"] == "cannot be tested here"
    assert sum(c["verdict"] == "holds" for c in claims) >= 10


def test_every_table3_dataset_points_to_a_20_percent_test_set():
    for dataset in paper.DATASETS:
        utterances = paper.PAPER_TABLE1[dataset]["utterances"]
        assert paper.table3_test_size(dataset) in paper.split_test_sizes(utterances, 0.20)


def test_claim_verdict_rejects_an_unknown_verdict():
    with pytest.raises(ValueError, match="verdict must be"):
        paper.Verdict("c", "w", "e", "x", "maybe")


def test_conclusion_gain_of_2_to_5_percent_is_computed_from_table5():
    verdict = next(v for v in paper.table5_verdicts() if "2-5 %" in v.claim)
    assert verdict.verdict == "does not hold" and "'ESD': ('IFN', 0.52)" in verdict.computed
    assert math.isclose(96.83 - 96.31, 0.52, abs_tol=1e-9)


def test_class_test_size_probability_is_hypergeometric_and_fig5_rules_out_a_10_percent_split():
    # CASIA: 200 of 1200 utterances per class; a 10 % test set has 120 of them, 20 per class on average.
    assert paper.class_test_size_probability("CASIA", 0, 0.10) == pytest.approx(1.0)
    assert paper.class_test_size_probability("CASIA", 20, 0.10) == pytest.approx(0.5, abs=0.1)
    assert paper.class_test_size_probability("CASIA", 39, 0.10) < 1e-4
    with pytest.raises(ValueError, match="equal class sizes"):
        paper.class_test_size_probability("EmoDB", 10, 0.10)
    assert [v.verdict for v in paper.fig5_verdicts()] == ["does not hold", "does not hold"]
