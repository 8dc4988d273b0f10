"""Guards against results that are not results: collapsed predictions and chance-level "models".

A run whose test predictions collapse onto one class, or whose UA sits at
chance, never learned the task: early stopping may have fired on a
chance-level plateau, the learning rate may be wrong, the architecture may not
train without normalisation. Such a run must not be presented as a trained
comparison model (the first FLA-SER reproduction did exactly that with its
pure FCN: UA exactly 1/7 with std 0). :func:`collapse_diagnosis` flags one run;
:func:`collapse_summary` flags a set of runs, and the experiments write its
note into every results row of the set, where the rendered tables show it.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

#: A run is collapsed when one class takes more than this share of its test predictions ...
MAX_CLASS_SHARE = 0.90
#: ... or when its UA is within this many points (fraction) of chance (1 / number of classes).
CHANCE_MARGIN = 0.02
#: The marker written into results notes; serlib.report renders it visibly.
COLLAPSED_MARK = "COLLAPSED"


def collapse_diagnosis(y_pred, n_classes: int, ua: float, *, max_share: float = MAX_CLASS_SHARE,
                       chance_margin: float = CHANCE_MARGIN) -> dict:
    """Whether one run's test predictions collapsed, and why.

    Returns ``{"collapsed": bool, "top_class": int, "top_share": float,
    "ua_above_chance": float, "reasons": [...]}``.
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    y_pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if y_pred.size == 0:
        raise ValueError("y_pred is empty: no test predictions to check")
    counts = np.bincount(y_pred, minlength=n_classes)
    top = int(counts.argmax())
    share = float(counts[top] / counts.sum())
    above = float(ua) - 1.0 / n_classes
    reasons = []
    if share > max_share:
        reasons.append(f"class {top} takes {100 * share:.0f}% of the test predictions (> {100 * max_share:.0f}%)")
    if above <= chance_margin:
        reasons.append(f"UA {100 * ua:.1f}% is within {100 * chance_margin:.0f} points of chance "
                       f"({100 / n_classes:.1f}%)")
    return {"collapsed": bool(reasons), "top_class": top, "top_share": share, "ua_above_chance": above,
            "reasons": reasons}


def collapse_summary(runs: Iterable[Mapping]) -> dict:
    """Aggregate the ``collapse`` entries of runs: how many collapsed, and the note for results rows.

    A set of runs is flagged when ANY run collapsed; the note says how many,
    so that a mean over partly collapsed runs is never read as a trained model.
    """
    runs = list(runs)
    flags = [bool(r.get("collapse", {}).get("collapsed")) for r in runs]
    n = sum(flags)
    note = ""
    if n:
        first = next(r["collapse"]["reasons"] for r in runs if r.get("collapse", {}).get("collapsed"))
        note = (f"{COLLAPSED_MARK}: {n} of {len(runs)} runs never learned the task ({'; '.join(first)}); "
                "not a trained comparison model")
    return {"collapsed_runs": n, "runs": len(runs), "flagged": n > 0, "note": note}
