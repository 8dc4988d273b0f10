"""Statistics for claims: "A beats B" only from a paired comparison over matched (fold, seed) runs.

Two configurations trained on the same folds with the same seeds are compared
pair by pair: the difference ``A - B`` on each matched (fold, seed) removes what
both share (which speakers are tested, how hard the fold is), so the noise left
is only what differs between the two. A claim comes with

* the mean paired difference and a percentile-bootstrap confidence interval of
  it (:func:`paired_bootstrap_ci`), or
* a Wilcoxon signed-rank test of the differences (:func:`wilcoxon_signed_rank`),

and a verdict: ``"A > B"``, ``"B > A"``, or ``"inside the noise"`` when the
interval contains 0 (bootstrap) or the test does not reject at ``1 - confidence``
(Wilcoxon). :func:`comparison_rows` writes comparisons as results rows, and
:mod:`serlib.report.tables` marks those inside the noise.

:func:`spread_components` separates the two sources of spread that a pooled
std over folds x seeds mixes: between seeds (training randomness) and between
folds (which speakers are tested).
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

#: Fewer nonzero pairs than this and the signed-rank test is not run: with n pairs the smallest
#: two-sided exact p-value is 2 / 2**n, which is 0.0625 for n = 5, so p < 0.05 is impossible.
WILCOXON_MIN_PAIRS = 6
METHODS = ("bootstrap", "wilcoxon")
INSIDE_THE_NOISE = "inside the noise"
TOO_FEW_PAIRS = "too few pairs"


def _key(run: Mapping, keys: Sequence[str], side: str, index: int) -> tuple:
    if not isinstance(run, Mapping):
        raise TypeError(f"run {index} of {side} is a {type(run).__name__}, expected a dict")
    missing = [k for k in keys if k not in run]
    if missing:
        raise KeyError(f"run {index} of {side} lacks {missing}; it has {sorted(run)}")
    return tuple(run[k] for k in keys)


def _index(runs: Sequence[Mapping], keys: Sequence[str], side: str) -> dict:
    out = {}
    for i, run in enumerate(runs):
        key = _key(run, keys, side, i)
        if key in out:
            raise ValueError(f"{side} repeats {dict(zip(keys, key))}: a run counted twice is no pair")
        out[key] = run
    return out


def match_runs(runs_a: Sequence[Mapping], runs_b: Sequence[Mapping],
               keys: Sequence[str] = ("fold", "seed")) -> list[tuple[Mapping, Mapping]]:
    """Pairs ``(run_a, run_b)`` with equal ``keys``, sorted by key; every run must have a partner.

    An unmatched run raises a ValueError naming its keys: dropping it silently
    would compare A and B on different folds or seeds.
    """
    keys = tuple(keys)
    index_a, index_b = _index(runs_a, keys, "A"), _index(runs_b, keys, "B")
    only_a = sorted(set(index_a) - set(index_b), key=repr)
    only_b = sorted(set(index_b) - set(index_a), key=repr)
    if only_a or only_b:
        describe = lambda ks: [dict(zip(keys, k)) for k in ks]  # noqa: E731
        raise ValueError(f"runs do not match on {list(keys)}: only in A {describe(only_a)}, "
                         f"only in B {describe(only_b)}")
    if not index_a:
        raise ValueError("no runs to compare")
    return [(index_a[k], index_b[k]) for k in sorted(index_a, key=repr)]


def paired_differences(runs_a: Sequence[Mapping], runs_b: Sequence[Mapping], metric: str,
                       keys: Sequence[str] = ("fold", "seed")) -> np.ndarray:
    """``run_a[metric] - run_b[metric]`` over matched runs (in the order of :func:`match_runs`)."""
    diffs = []
    for a, b in match_runs(runs_a, runs_b, keys):
        for side, run in (("A", a), ("B", b)):
            if metric not in run:
                raise KeyError(f"run {dict((k, run[k]) for k in keys)} of {side} has no metric {metric!r}")
        diffs.append(float(a[metric]) - float(b[metric]))
    diffs = np.asarray(diffs, dtype=float)
    if not np.all(np.isfinite(diffs)):
        raise ValueError(f"{metric}: paired differences hold NaN or infinite values: {diffs.tolist()}")
    return diffs


def _check_differences(differences) -> np.ndarray:
    d = np.asarray(differences, dtype=float)
    if d.ndim != 1 or d.size == 0:
        raise ValueError(f"differences must be a non-empty 1-D sequence, got shape {d.shape}")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"differences hold NaN or infinite values: {d.tolist()}")
    return d


def bootstrap_means(differences, n_resamples: int = 10000, seed: int = 0) -> np.ndarray:
    """Means of ``n_resamples`` resamples (with replacement, same size) of the paired differences.

    Resampling whole pairs keeps each pair's A and B together: the paired
    bootstrap of the mean difference is the one-sample bootstrap of the
    differences. Indices are drawn as ``default_rng(seed).integers(0, n, (n_resamples, n))``,
    the same draw as ``scipy.stats.bootstrap`` with that generator.
    """
    d = _check_differences(differences)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    index = np.random.default_rng(seed).integers(0, d.size, (n_resamples, d.size))
    return d[index].mean(axis=1)


def paired_bootstrap_ci(differences, confidence: float = 0.95, n_resamples: int = 10000,
                        seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval of the mean paired difference.

    The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of
    :func:`bootstrap_means` (linear interpolation). With few pairs the
    percentile interval is too narrow (a resample can take only a handful of
    distinct values), which is one more reason to run several seeds.
    """
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    d = _check_differences(differences)
    if d.size < 2:
        raise ValueError(f"{TOO_FEW_PAIRS}: a bootstrap interval needs at least 2 pairs, got {d.size}")
    means = bootstrap_means(d, n_resamples, seed)
    alpha = 1.0 - confidence
    low, high = np.percentile(means, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(low), float(high)


def bootstrap_p_value(differences, n_resamples: int = 10000, seed: int = 0) -> float:
    """Two-sided bootstrap p-value of "mean difference = 0": twice the smaller tail of the bootstrap means at 0.

    ``min(1, 2 * min(P(mean* <= 0), P(mean* >= 0)))``, the p-value consistent
    with the percentile interval: 0 lies outside the ``1 - alpha`` interval
    exactly when this p-value is below ``alpha`` (up to ties at 0).
    """
    means = bootstrap_means(differences, n_resamples, seed)
    return float(min(1.0, 2.0 * min(np.mean(means <= 0.0), np.mean(means >= 0.0))))


def wilcoxon_signed_rank(differences) -> dict:
    """Wilcoxon signed-rank test of the paired differences (``scipy.stats.wilcoxon``, two-sided).

    Zero differences are dropped (scipy's default ``zero_method="wilcox"``).
    Defined edge cases instead of scipy's warnings or errors:

    * every difference zero: ``p_value = 1.0``, ``note = "all differences are zero"``;
    * fewer than :data:`WILCOXON_MIN_PAIRS` nonzero differences: ``p_value = NaN``,
      ``note = "too few pairs ..."`` (p < 0.05 is then out of reach).

    Returns ``{"statistic", "p_value", "n", "n_nonzero", "rank_sum_positive",
    "rank_sum_negative", "note"}``; the rank sums say which way the differences lean.
    """
    from scipy import stats

    d = _check_differences(differences)
    nonzero = int(np.count_nonzero(d))
    ranks = stats.rankdata(np.abs(d[d != 0]))
    out = {"statistic": math.nan, "p_value": math.nan, "n": int(d.size), "n_nonzero": nonzero,
           "rank_sum_positive": float(ranks[d[d != 0] > 0].sum()), "rank_sum_negative": float(ranks[d[d != 0] < 0].sum()),
           "note": ""}
    if nonzero == 0:
        return {**out, "statistic": 0.0, "p_value": 1.0, "note": "all differences are zero"}
    if nonzero < WILCOXON_MIN_PAIRS:
        return {**out, "note": f"{TOO_FEW_PAIRS}: {nonzero} nonzero differences, the signed-rank test needs "
                               f"at least {WILCOXON_MIN_PAIRS}"}
    result = stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    return {**out, "statistic": float(result.statistic), "p_value": float(result.pvalue)}


def compare_runs(name_a: str, runs_a: Sequence[Mapping], name_b: str, runs_b: Sequence[Mapping], metric: str,
                 method: str = "bootstrap", confidence: float = 0.95, n_resamples: int = 10000, seed: int = 0,
                 keys: Sequence[str] = ("fold", "seed")) -> dict:
    """A paired comparison of configuration A with B on ``metric`` over matched (fold, seed) runs.

    Always reports the mean (and median, std) of the paired differences ``A - B``
    and their percentile-bootstrap interval. ``method`` decides the p-value and
    the verdict:

    ``bootstrap``  verdict from the interval: ``"inside the noise"`` when it
                   contains 0; p-value from :func:`bootstrap_p_value`.
    ``wilcoxon``   verdict from :func:`wilcoxon_signed_rank`: ``"inside the
                   noise"`` when ``p >= 1 - confidence``, ``"too few pairs"``
                   when the test cannot be run.

    Otherwise the verdict is ``"<A> > <B>"`` or ``"<B> > <A>"`` (larger metric
    value; the names as given): by the sign of the mean difference (bootstrap),
    or by the larger signed-rank sum (Wilcoxon, whose test is about ranks).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if name_a == name_b:
        raise ValueError(f"the two configurations need different names, both are {name_a!r}")
    d = paired_differences(runs_a, runs_b, metric, keys)
    out = {"a": name_a, "b": name_b, "metric": metric, "method": method, "n_pairs": int(d.size),
           "mean_difference": float(d.mean()), "median_difference": float(np.median(d)),
           "std_difference": float(d.std(ddof=1)) if d.size > 1 else math.nan,
           "ci_low": math.nan, "ci_high": math.nan, "confidence": confidence, "n_resamples": n_resamples,
           "p_value": math.nan, "note": ""}
    if d.size >= 2:
        out["ci_low"], out["ci_high"] = paired_bootstrap_ci(d, confidence, n_resamples, seed)
    ahead = f"{name_a} > {name_b}" if out["mean_difference"] > 0 else f"{name_b} > {name_a}"
    if method == "bootstrap":
        if d.size < 2:
            out.update(verdict=TOO_FEW_PAIRS, note=f"{TOO_FEW_PAIRS}: {d.size} pair, no interval")
        else:
            out["p_value"] = bootstrap_p_value(d, n_resamples, seed)
            inside = out["ci_low"] <= 0.0 <= out["ci_high"]
            out["verdict"] = INSIDE_THE_NOISE if inside else ahead
    else:
        test = wilcoxon_signed_rank(d)
        out.update(p_value=test["p_value"], statistic=test["statistic"], note=test["note"])
        if test["note"].startswith(TOO_FEW_PAIRS):
            out["verdict"] = TOO_FEW_PAIRS
        elif test["p_value"] >= 1.0 - confidence or test["rank_sum_positive"] == test["rank_sum_negative"]:
            out["verdict"] = INSIDE_THE_NOISE
        else:
            a_ahead = test["rank_sum_positive"] > test["rank_sum_negative"]
            out["verdict"] = f"{name_a} > {name_b}" if a_ahead else f"{name_b} > {name_a}"
    return out


def spread_components(runs: Sequence[Mapping], metric: str, fold_key: str = "fold", seed_key: str = "seed") -> dict:
    """Spread between seeds and between folds of ``metric`` over a complete folds x seeds grid.

    ``between_seeds``: sample std (``ddof=1``) of the per-seed means over folds
    (how much training randomness moves the reported mean); ``between_folds``:
    sample std of the per-fold means over seeds (how much the tested speakers
    do). Each with its ``n`` (seeds, folds); a std over one value is NaN. The
    grid must be complete: a missing (fold, seed) would make the per-seed means
    average different folds.
    """
    cells = {}
    for i, run in enumerate(runs):
        key = _key(run, (fold_key, seed_key), "runs", i)
        if key in cells:
            raise ValueError(f"runs repeat {fold_key}={key[0]!r}, {seed_key}={key[1]!r}")
        if metric not in run:
            raise KeyError(f"run {i} has no metric {metric!r}")
        cells[key] = float(run[metric])
    if not cells:
        raise ValueError("runs is empty: no spread to compute")
    folds = sorted({k[0] for k in cells}, key=repr)
    seeds = sorted({k[1] for k in cells}, key=repr)
    missing = [(f, s) for f in folds for s in seeds if (f, s) not in cells]
    if missing:
        raise ValueError(f"the folds x seeds grid is incomplete; missing ({fold_key}, {seed_key}): {missing}")
    grid = np.array([[cells[(f, s)] for s in seeds] for f in folds])  # (folds, seeds)

    def std(values):
        return float(np.std(values, ddof=1)) if len(values) > 1 else math.nan

    return {"metric": metric, "mean": float(grid.mean()),
            "between_seeds": {"std": std(grid.mean(axis=0)), "n": len(seeds)},
            "between_folds": {"std": std(grid.mean(axis=1)), "n": len(folds)},
            "pooled": {"std": std(grid.ravel()), "n": int(grid.size)}}


#: Metrics stored as fractions in runs and compared in percentage points (the accuracy-type ones).
POINT_METRICS = ("WA", "UA", "macro_F1", "accuracy", "keras_precision", "keras_recall", "keras_F1",
                 "macro_precision", "macro_recall")


def comparison_metric_name(metric: str) -> str:
    """The results-row metric of a difference: ``ΔWA (points)`` for fractions, ``Δ<metric>`` otherwise."""
    return f"Δ{metric} (points)" if metric in POINT_METRICS else f"Δ{metric}"


def comparison_notes(comparison: Mapping) -> str:
    """``paired bootstrap (10000 resamples, 95 %); p = 0.41; verdict: inside the noise`` (and any note)."""
    method = (f"paired bootstrap ({comparison['n_resamples']} resamples, {100 * comparison['confidence']:g} % CI)"
              if comparison["method"] == "bootstrap" else
              f"Wilcoxon signed-rank (two-sided; CI: paired bootstrap, {100 * comparison['confidence']:g} %)")
    p = comparison["p_value"]
    parts = [method, f"p = {p:.3g}" if not math.isnan(p) else "p = n/a", f"verdict: {comparison['verdict']}"]
    if comparison.get("note"):
        parts.append(comparison["note"])
    return "; ".join(parts)


def comparison_rows(comparisons: Sequence[Mapping], *, paper: str, table: str, provenance) -> list[dict]:
    """Results rows (the schema of :mod:`serlib.results`) of :func:`compare_runs` results.

    One row per comparison: ``row = "A − B"``, ``metric = "ΔWA (points)"``,
    ``ours`` = mean paired difference (in percentage points for :data:`POINT_METRICS`),
    ``ours_std`` = std of the differences, ``ci_low``/``ci_high`` = the bootstrap
    interval, ``n`` = number of pairs, ``notes`` = method, p-value and verdict.
    ``provenance`` is a :class:`serlib.results.Provenance` of the runs compared.
    """
    prov = provenance.filled()
    rows = []
    for c in comparisons:
        scale = 100.0 if c["metric"] in POINT_METRICS else 1.0
        notes = "; ".join(part for part in (comparison_notes(c), prov.get("notes", "")) if part)
        rows.append({**prov, "paper": paper, "table": table, "row": f"{c['a']} − {c['b']}",
                     "metric": comparison_metric_name(c["metric"]), "paper_value": None,
                     "ours": scale * c["mean_difference"], "ours_std": scale * c["std_difference"],
                     "ci_low": scale * c["ci_low"], "ci_high": scale * c["ci_high"], "n": c["n_pairs"],
                     "notes": notes})
    return rows
