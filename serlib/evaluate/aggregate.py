"""Mean and spread of metrics over folds and seeds.

A reported number is a mean over runs (folds x seeds) with its spread: the
sample standard deviation (``ddof=1``) and a Student-t confidence interval of
the mean. The summaries have the shape :func:`serlib.results.rows_from_summary`
turns into results rows: ``{metric: {"mean", "std", "ci_low", "ci_high", "n"}}``.

Pooling folds and seeds into one sample mixes two sources of spread (which
speakers are tested, and the training randomness); :func:`runs_frame` keeps
fold and seed as columns so that either can be looked at on its own.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import METRIC_NAMES


def summarize(values: Iterable[float], confidence: float = 0.95) -> dict:
    """Mean, sample std (``ddof=1``; 0 for one value), Student-t confidence interval of the mean, and n.

    The interval is ``mean +- t_{(1+confidence)/2, n-1} * std / sqrt(n)``. With
    a single value no interval exists (zero degrees of freedom): ``ci_low`` and
    ``ci_high`` are NaN, which the results writer stores as an empty cell.
    """
    array = np.asarray(list(values), dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"values must be a non-empty sequence of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"values hold NaN or infinite entries: {array.tolist()}")
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    n = int(array.size)
    mean = float(array.mean())
    if n == 1:
        return {"mean": mean, "std": 0.0, "ci_low": math.nan, "ci_high": math.nan, "n": 1}
    std = float(array.std(ddof=1))
    half_width = float(stats.t.ppf((1.0 + confidence) / 2.0, n - 1)) * std / math.sqrt(n)
    return {"mean": mean, "std": std, "ci_low": mean - half_width, "ci_high": mean + half_width, "n": n}


def _metric_rows(runs) -> list[Mapping]:
    if isinstance(runs, pd.DataFrame):
        return runs.to_dict("records")
    rows = list(runs)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"run {i} is a {type(row).__name__}, expected a dict of metrics")
    return rows


def aggregate_metrics(runs, metrics: Sequence[str] = METRIC_NAMES, confidence: float = 0.95) -> dict:
    """``{metric: summarize([run[metric] for run in runs])}`` over a list of metric dicts or a :func:`runs_frame`.

    Every run must hold every requested metric: a missing one raises an error
    naming the run, instead of silently averaging over fewer runs.
    """
    rows = _metric_rows(runs)
    if not rows:
        raise ValueError("runs is empty: nothing to aggregate")
    if isinstance(metrics, str):
        metrics = (metrics,)
    summary = {}
    for metric in metrics:
        values = []
        for i, row in enumerate(rows):
            if metric not in row:
                raise KeyError(f"run {i} has no metric {metric!r}; it has {sorted(row)}")
            values.append(row[metric])
        summary[metric] = summarize(values, confidence)
    return summary


def aggregate_confusions(confusions, normalize: str | None = None) -> np.ndarray:
    """Sum of confusion matrices of several folds/seeds (counts), optionally row-normalised at the end.

    Items may be count matrices or :func:`~serlib.evaluate.metrics.evaluate_predictions`
    results; for the latter their ``labels`` must agree, since adding matrices
    whose rows mean different classes is meaningless. Normalising after
    summing (``normalize="true"``) weights each fold by its size, unlike an
    average of per-fold normalised matrices.
    """
    items = list(confusions)
    if not items:
        raise ValueError("confusions is empty: nothing to aggregate")
    if normalize not in (None, "true"):
        raise ValueError(f"normalize must be None or 'true', got {normalize!r}")
    matrices, label_sets = [], []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            if "confusion" not in item:
                raise KeyError(f"item {i} is a dict without a 'confusion' entry")
            if "labels" in item:
                label_sets.append((i, list(item["labels"])))
            item = item["confusion"]
        matrix = np.asarray(item)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"confusion {i} must be a square matrix, got shape {matrix.shape}")
        if np.any(matrix < 0) or not np.all(matrix == np.round(matrix)):
            raise ValueError(f"confusion {i} must hold non-negative counts (aggregate counts, "
                             f"then normalise)")
        if matrices and matrix.shape != matrices[0].shape:
            raise ValueError(f"confusion {i} has shape {matrix.shape}, confusion 0 has {matrices[0].shape}")
        matrices.append(matrix.astype(np.int64))
    for i, labels in label_sets[1:]:
        if labels != label_sets[0][1]:
            raise ValueError(f"item {i} has labels {labels}, item {label_sets[0][0]} has {label_sets[0][1]}; "
                             f"pass the same labels= to evaluate_predictions for every fold")
    total = np.sum(matrices, axis=0)
    if normalize == "true":
        row_sums = total.sum(axis=1, keepdims=True)
        return np.divide(total, row_sums, out=np.zeros(total.shape, dtype=float), where=row_sums > 0)
    return total


def runs_frame(runs: Iterable[Mapping], keys: Sequence[str] = ("fold", "seed"),
               metrics: Sequence[str] = METRIC_NAMES) -> pd.DataFrame:
    """A tidy table of runs: one row per (fold, seed), the ``keys`` columns first, then the metrics.

    Each run is a dict holding the ``keys`` and the metrics (an
    :func:`~serlib.evaluate.metrics.evaluate_predictions` result with
    ``fold``/``seed`` added works; its per-class table and confusion are left
    out). A repeated (fold, seed) raises an error, because it would count a run
    twice in the mean.
    """
    rows = []
    for i, run in enumerate(runs):
        if not isinstance(run, Mapping):
            raise TypeError(f"run {i} is a {type(run).__name__}, expected a dict")
        missing = [k for k in (*keys, *metrics) if k not in run]
        if missing:
            raise KeyError(f"run {i} lacks {missing}; it has {sorted(run)}")
        rows.append({**{k: run[k] for k in keys}, **{m: float(run[m]) for m in metrics}})
    if not rows:
        raise ValueError("runs is empty: no run to tabulate")
    frame = pd.DataFrame(rows, columns=[*keys, *metrics])
    duplicated = frame.duplicated(subset=list(keys), keep=False)
    if duplicated.any():
        raise ValueError(f"runs repeat {list(keys)}: {frame.loc[duplicated, list(keys)].to_dict('records')}")
    return frame.sort_values(list(keys), kind="stable").reset_index(drop=True)
