"""Paired comparisons over matched (fold, seed) runs, spread components, comparison rows and their rendering."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from serlib.evaluate.paired import (WILCOXON_MIN_PAIRS, bootstrap_p_value, compare_runs, comparison_rows,
                                    match_runs, paired_bootstrap_ci, paired_differences, spread_components,
                                    wilcoxon_signed_rank)
from serlib.report.tables import format_ours, paper_vs_ours
from serlib.results import Provenance, read_results, write_results


def grid_runs(values, folds=4, seeds=3, metric="WA"):
    values = list(values)
    return [{"fold": f"f{f}", "seed": s, metric: values[f * seeds + s]} for f in range(folds) for s in range(seeds)]


def two_configurations(shift=0.01, noise=0.02, seed=3):
    rng = np.random.default_rng(seed)
    b = rng.normal(0.5, 0.05, 12)
    a = b + rng.normal(shift, noise, 12)
    return grid_runs(a), grid_runs(b), a - b


def test_bootstrap_interval_equals_scipy_percentile_bootstrap_on_paired_data():
    runs_a, runs_b, _ = two_configurations()
    d = paired_differences(runs_a, runs_b, "WA")
    a = np.array([r["WA"] for r in sorted(runs_a, key=lambda r: (r["fold"], r["seed"]))])
    b = np.array([r["WA"] for r in sorted(runs_b, key=lambda r: (r["fold"], r["seed"]))])
    reference = stats.bootstrap((a, b), lambda x, y, axis=-1: np.mean(x - y, axis=axis), paired=True,
                                method="percentile", n_resamples=3000, confidence_level=0.9,
                                rng=np.random.default_rng(11)).confidence_interval
    low, high = paired_bootstrap_ci(d, confidence=0.9, n_resamples=3000, seed=11)
    assert low == pytest.approx(reference.low, abs=1e-12) and high == pytest.approx(reference.high, abs=1e-12)


def test_bootstrap_p_value_by_hand_on_two_pairs():
    # Differences (1, 3): resample means are 1, 2 or 3, never <= 0, so the two-sided p is 0.
    assert bootstrap_p_value([1.0, 3.0], n_resamples=500) == 0.0
    # Differences (-1, 1): P(mean* <= 0) = 3/4 in the limit; the smaller tail P(mean* >= 0) is also 3/4 -> p = 1.
    assert bootstrap_p_value([-1.0, 1.0], n_resamples=2000) == 1.0


def test_wilcoxon_matches_scipy_and_defines_edge_cases():
    d = np.array([0.02, -0.01, 0.03, 0.05, 0.04, -0.02, 0.06, 0.01])
    result = wilcoxon_signed_rank(d)
    reference = stats.wilcoxon(d)
    assert result["p_value"] == pytest.approx(reference.pvalue) and result["statistic"] == reference.statistic
    assert result["rank_sum_positive"] + result["rank_sum_negative"] == len(d) * (len(d) + 1) / 2
    zeros = wilcoxon_signed_rank(np.zeros(8))
    assert zeros["p_value"] == 1.0 and zeros["note"] == "all differences are zero"
    few = wilcoxon_signed_rank([0.01, 0.02, 0.03, 0.0, 0.0, 0.04, 0.05])  # 5 nonzero
    assert math.isnan(few["p_value"]) and few["note"].startswith("too few pairs")
    # Why the threshold: with 5 pairs even all-positive differences cannot reach p < 0.05 (exact p = 2/32).
    assert stats.wilcoxon(np.arange(1.0, WILCOXON_MIN_PAIRS)).pvalue > 0.05


def test_compare_runs_verdicts():
    runs_a, runs_b, _ = two_configurations(shift=0.05, noise=0.005)
    clear = compare_runs("big", runs_a, "small", runs_b, "WA")
    assert clear["verdict"] == "big > small" and clear["ci_low"] > 0 and clear["n_pairs"] == 12
    assert compare_runs("big", runs_a, "small", runs_b, "WA", method="wilcoxon")["verdict"] == "big > small"
    assert compare_runs("small", runs_b, "big", runs_a, "WA")["verdict"] == "big > small"
    noisy_a, noisy_b, _ = two_configurations(shift=0.0, noise=0.05)
    assert compare_runs("A", noisy_a, "B", noisy_b, "WA")["verdict"] == "inside the noise"
    few = compare_runs("A", runs_a[:4], "B", runs_b[:4], "WA", method="wilcoxon")
    assert few["verdict"] == "too few pairs" and not math.isnan(few["ci_low"])
    with pytest.raises(ValueError, match="method"):
        compare_runs("A", runs_a, "B", runs_b, "WA", method="t-test")


def test_unmatched_runs_are_named():
    runs_a, runs_b, _ = two_configurations()
    with pytest.raises(ValueError, match=r"only in A \[\{'fold': 'f3', 'seed': 2\}\]"):
        match_runs(runs_a, runs_b[:-1])
    with pytest.raises(ValueError, match="repeats"):
        match_runs(runs_a + runs_a[:1], runs_b)
    with pytest.raises(KeyError, match="no metric 'UA'"):
        paired_differences(runs_a, runs_b, "UA")


def test_spread_components_by_hand():
    # 2 folds x 2 seeds: fold means 0.5 and 0.7 (std 0.1414), seed means 0.55 and 0.65 (std 0.0707).
    runs = [{"fold": "a", "seed": 0, "WA": 0.45}, {"fold": "a", "seed": 1, "WA": 0.55},
            {"fold": "b", "seed": 0, "WA": 0.65}, {"fold": "b", "seed": 1, "WA": 0.75}]
    spread = spread_components(runs, "WA")
    assert spread["between_folds"] == {"std": pytest.approx(np.std([0.5, 0.7], ddof=1)), "n": 2}
    assert spread["between_seeds"] == {"std": pytest.approx(np.std([0.55, 0.65], ddof=1)), "n": 2}
    assert spread["pooled"]["n"] == 4 and spread["mean"] == pytest.approx(0.6)
    assert math.isnan(spread_components(runs[::2], "WA")["between_seeds"]["std"])  # one seed: no seed spread
    with pytest.raises(ValueError, match="incomplete"):
        spread_components(runs[:3], "WA")


differences = st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=2, max_size=15)


@settings(max_examples=40, deadline=None)
@given(differences)
def test_swapping_a_and_b_negates_the_difference_and_mirrors_the_interval(values):
    runs_a = [{"fold": i, "seed": 0, "WA": 0.5 + v} for i, v in enumerate(values)]
    runs_b = [{"fold": i, "seed": 0, "WA": 0.5} for i in range(len(values))]
    ab = compare_runs("A", runs_a, "B", runs_b, "WA", n_resamples=400)
    ba = compare_runs("B", runs_b, "A", runs_a, "WA", n_resamples=400)
    assert ba["mean_difference"] == pytest.approx(-ab["mean_difference"], abs=1e-12)
    assert ba["ci_low"] == pytest.approx(-ab["ci_high"], abs=1e-9)
    assert ba["ci_high"] == pytest.approx(-ab["ci_low"], abs=1e-9)
    assert ba["p_value"] == pytest.approx(ab["p_value"])
    assert (ab["verdict"] == "inside the noise") == (ba["verdict"] == "inside the noise")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=12), st.sampled_from(["bootstrap", "wilcoxon"]))
def test_identical_runs_differ_by_zero_inside_the_noise(values, method):
    runs = [{"fold": i, "seed": 1, "WA": v} for i, v in enumerate(values)]
    result = compare_runs("A", runs, "B", [dict(r) for r in runs], "WA", method=method, n_resamples=200)
    assert result["mean_difference"] == 0.0
    assert result["verdict"] == "inside the noise"


def test_comparison_rows_are_results_rows_and_render_inside_the_noise(tmp_path):
    runs_a, runs_b, _ = two_configurations(shift=0.05, noise=0.005)
    noisy_a, noisy_b, _ = two_configurations(shift=0.0, noise=0.05)
    comparisons = [compare_runs("FLA-SER", runs_a, "Bi-LSTM", runs_b, "WA"),
                   compare_runs("+FCN", noisy_a, "Bi-LSTM", noisy_b, "WA")]
    provenance = Provenance(corpus="synthetic", protocol="speaker_kfold", speaker_independent=True, mode="quick",
                            device="cpu", folds=4, seeds="0 1 2")
    rows = comparison_rows(comparisons, paper="fla_ser", table="table3_paired", provenance=provenance)
    assert rows[0]["row"] == "FLA-SER − Bi-LSTM" and rows[0]["metric"] == "ΔWA (points)"
    assert rows[0]["ours"] == pytest.approx(100 * comparisons[0]["mean_difference"]) and rows[0]["n"] == 12
    frame = read_results(write_results(rows, "fla_ser", "table3_paired", mode="quick", root=tmp_path))
    cells = [format_ours(r) for _, r in frame.iterrows()]
    assert "inside the noise" not in cells[0] and cells[0].startswith("+")
    assert cells[1].endswith("(inside the noise)") and "[" in cells[1]
    assert "verdict: FLA-SER > Bi-LSTM" in frame.iloc[0]["notes"]
    assert "(inside the noise)" in paper_vs_ours(frame)["ΔWA (points) ours"].iloc[1]


def test_collapsed_runs_are_flagged_visibly():
    row = {"metric": "WA", "ours": 0.249, "ours_std": None, "notes": "reduced run; COLLAPSED: predicts one class"}
    assert format_ours(row) == "24.9 ⚠ collapsed"
    assert format_ours({**row, "notes": ""}) == "24.9"
