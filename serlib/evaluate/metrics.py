"""Classification metrics of speech emotion recognition: WA, UA, macro-F1, per-class, confusion.

Naming in the field
-------------------
The SER literature inherited its metric names from the IEMOCAP benchmarks:

* **WA, weighted accuracy**: the plain accuracy over all test utterances,
  ``sum_i n_i / sum_i N_i``. It is "weighted" because each class counts in
  proportion to its number of utterances.
* **UA, unweighted accuracy** (also UAR, unweighted average recall, or
  balanced accuracy): the mean of the per-class recalls,
  ``(1/k) sum_i n_i / N_i``, so that every class counts the same.

``dual_stream_caf`` (Section 4.3) uses exactly these definitions. Beware: some
papers invert them and call the class-balanced accuracy "weighted" (each class
re-weighted by the inverse of its frequency). Before comparing a number with a
paper, read how the paper defines it; in this course WA is always accuracy and
UA always balanced accuracy. On a balanced corpus the two coincide, which is why
``cnn_transformer`` reports accuracy only on RAVDESS.

Labels may be integer class indices or strings. When ``labels`` are strings
and the predictions are integers, the integers are read as indices into
``labels`` (what a model's ``argmax`` returns).
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    recall_score,
)

METRIC_NAMES = ("WA", "UA", "macro_F1")
NORMALIZE_OPTIONS = (None, "true", "pred", "all")


def _as_label_vector(values, argument: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{argument} must be one-dimensional (one label per utterance), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{argument} is empty: no utterance to evaluate")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{argument} holds NaN or infinite values; labels must be class indices or names")
        if not np.all(array == np.round(array)):
            raise ValueError(f"{argument} holds non-integer numbers; pass class indices or names, "
                             f"not probabilities (take the argmax first)")
        array = array.astype(np.int64)
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if array.dtype.kind not in "iuUSO":
        raise ValueError(f"{argument} must hold integer class indices or string labels, got dtype {array.dtype}")
    if array.dtype.kind == "O":
        kinds = {type(v) for v in array.tolist()}
        if not (kinds <= {str} or all(issubclass(k, (int, np.integer)) for k in kinds)):
            raise ValueError(f"{argument} mixes label types {sorted(k.__name__ for k in kinds)}; "
                             f"use either class indices or label names")
        array = array.astype(str) if kinds <= {str} else array.astype(np.int64)
    return array


def _is_text(array: np.ndarray) -> bool:
    return array.dtype.kind in "US"


def _aligned_labels(y_true, y_pred, labels: Sequence | None = None):
    """Validate ``y_true``/``y_pred`` and bring them and ``labels`` into one label space.

    Returns ``(y_true, y_pred, labels)`` as numpy arrays. Without ``labels`` the
    label set is the sorted union of the labels seen. With ``labels`` every seen
    label must be listed (scikit-learn would silently drop unlisted ones from a
    confusion matrix), and integer predictions with string ``labels`` are read
    as indices into ``labels``.
    """
    y_true = _as_label_vector(y_true, "y_true")
    y_pred = _as_label_vector(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} versus {y_pred.size} utterances")
    if _is_text(y_true) != _is_text(y_pred):
        raise ValueError(f"y_true holds {'names' if _is_text(y_true) else 'indices'} but y_pred holds "
                         f"{'names' if _is_text(y_pred) else 'indices'}; convert one side first")
    if labels is None:
        return y_true, y_pred, np.unique(np.concatenate([y_true, y_pred]))
    labels = _as_label_vector(labels, "labels")
    if np.unique(labels).size != labels.size:
        raise ValueError(f"labels lists a class twice: {labels.tolist()}")
    if _is_text(labels) and not _is_text(y_true):
        for name, values in (("y_true", y_true), ("y_pred", y_pred)):
            if values.min() < 0 or values.max() >= labels.size:
                raise ValueError(f"{name} holds class indices outside 0..{labels.size - 1}, "
                                 f"the range of the {labels.size} labels given")
        return labels[y_true], labels[y_pred], labels
    if _is_text(labels) != _is_text(y_true):
        raise ValueError("labels are class indices but y_true/y_pred hold names; pass the names as labels")
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        unknown = np.setdiff1d(values, labels)
        if unknown.size:
            raise ValueError(f"{name} holds labels {unknown.tolist()} that are not in labels {labels.tolist()}")
    return y_true, y_pred, labels


def weighted_accuracy(y_true, y_pred) -> float:
    """WA: the fraction of utterances classified correctly (plain accuracy).

    Called "weighted" in SER because each class weighs as much as it has
    utterances. Some papers use "WA" for balanced accuracy instead; see the
    module docstring and :func:`unweighted_accuracy`.
    """
    y_true, y_pred, _ = _aligned_labels(y_true, y_pred)
    return float(accuracy_score(y_true, y_pred))


def unweighted_accuracy(y_true, y_pred) -> float:
    """UA (UAR, balanced accuracy): the mean recall over the classes present in ``y_true``.

    Classes that only appear in ``y_pred`` have no recall and are left out of
    the mean, as in :func:`sklearn.metrics.balanced_accuracy_score`, which this
    equals; computed through :func:`sklearn.metrics.recall_score` on the
    classes of ``y_true`` so that such predictions do not raise a warning.
    """
    y_true, y_pred, _ = _aligned_labels(y_true, y_pred)
    return float(recall_score(y_true, y_pred, labels=np.unique(y_true), average="macro", zero_division=0.0))


def macro_f1(y_true, y_pred) -> float:
    """Macro-F1: the unweighted mean of the per-class F1 over classes seen in ``y_true`` or ``y_pred``.

    A class that is never predicted has precision 0 by convention
    (``zero_division=0``), so its F1 is 0; a class that is predicted but absent
    from ``y_true`` also scores 0. This is scikit-learn's ``average="macro"``.
    It is not the harmonic mean of macro precision and macro recall
    (:func:`harmonic_f1`), which some papers report as "F1".
    """
    y_true, y_pred, labels = _aligned_labels(y_true, y_pred)
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0.0))


def harmonic_f1(precision: float, recall: float) -> float:
    """dual_stream_caf Section 4.3 (unnumbered): ``F1S = 2PR / (P + R)``, from precision and recall.

    The paper does not say whether ``P`` and ``R`` are per class or averaged
    ("the harmonic mean of precision (P) and recall (R)"). ``speechnet`` Table 3
    reports F1 values equal to this harmonic mean of its precision and recall
    columns (EmoDB run 1: 2 * 87.62 * 85.98 / (87.62 + 85.98) = 86.79), so that
    paper's "F1-score" is this quantity, not :func:`macro_f1`. Returns 0 when
    both are 0.
    """
    for name, value in (("precision", precision), ("recall", recall)):
        if not (0.0 <= value <= 1.0):
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    if precision + recall == 0:
        return 0.0
    return float(2.0 * precision * recall / (precision + recall))


def thresholded_precision_recall(y_true, probabilities, labels: Sequence | None = None,
                                 threshold: float = 0.5) -> dict:
    """Precision and recall over one-hot targets with a probability threshold (Keras ``Precision``/``Recall``).

    Every (utterance, class) cell is a binary decision ``p > threshold``;
    precision = true positives / positive cells, recall = true positives /
    utterances. The argmax is not used, so recall can fall below accuracy.

    Why it is here: ``speechnet`` Table 3 reports a recall below accuracy
    (EmoDB run 1: accuracy 86.92 %, recall 85.98 %). With 107 test utterances
    (20 % of EmoDB's 535: every value of that table is a multiple of 1/107,
    although the paper states a 90/10 split) those are 93/107 and 92/107, and its precision 87.62 % is
    92/105: 92 utterances have a true-class probability above 0.5 and 105
    cells pass the threshold. This is what Keras's default ``Precision()`` and
    ``Recall()`` compute, so to compare with that table use this function (and
    :func:`harmonic_f1` of its two values for the F1 column).

    ``probabilities`` has shape (utterances, classes); ``y_true`` holds class
    indices, or names with ``labels`` giving the column order.
    """
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim != 2:
        raise ValueError(f"probabilities must have shape (utterances, classes), got {probs.shape}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probabilities hold NaN or infinite values")
    if not (0.0 <= threshold < 1.0):
        raise ValueError(f"threshold must lie in [0, 1), got {threshold}")
    y_true = _as_label_vector(y_true, "y_true")
    if y_true.size != probs.shape[0]:
        raise ValueError(f"y_true has {y_true.size} utterances but probabilities has {probs.shape[0]} rows")
    if _is_text(y_true):
        if labels is None:
            raise ValueError("y_true holds names: pass labels, the class of each probability column")
        labels = list(labels)
        if len(labels) != probs.shape[1]:
            raise ValueError(f"labels names {len(labels)} classes but probabilities has {probs.shape[1]} columns")
        unknown = sorted(set(y_true.tolist()) - set(labels))
        if unknown:
            raise ValueError(f"y_true holds labels {unknown} that are not in labels {labels}")
        index = {name: i for i, name in enumerate(labels)}
        y_true = np.array([index[v] for v in y_true.tolist()])
    elif y_true.min() < 0 or y_true.max() >= probs.shape[1]:
        raise ValueError(f"y_true holds class indices outside 0..{probs.shape[1] - 1}")
    positive = probs > threshold
    true_positive = int(positive[np.arange(y_true.size), y_true].sum())
    predicted_positive = int(positive.sum())
    precision = true_positive / predicted_positive if predicted_positive else 0.0
    recall = true_positive / y_true.size
    return {"precision": float(precision), "recall": float(recall), "F1": harmonic_f1(precision, recall),
            "true_positives": true_positive, "predicted_positives": predicted_positive}


def per_class_report(y_true, y_pred, labels: Sequence | None = None) -> pd.DataFrame:
    """Precision, recall, F1 and support of each class, one row per label in ``labels`` order.

    A class never predicted gets precision 0 (``zero_division=0``); a class
    absent from ``y_true`` gets recall 0 and support 0.
    """
    y_true, y_pred, labels = _aligned_labels(y_true, y_pred, labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0.0)
    frame = pd.DataFrame({"precision": precision, "recall": recall, "F1": f1, "support": support.astype(int)},
                         index=pd.Index(labels.tolist(), name="label"))
    return frame


def confusion(y_true, y_pred, labels: Sequence | None = None, normalize: str | None = None) -> np.ndarray:
    """Confusion matrix, rows = true class, columns = predicted class, in ``labels`` order.

    ``normalize=None`` gives counts; ``"true"`` divides each row by its class
    size (the diagonal is then the per-class recall; a class with no utterance
    gives a row of zeros); ``"pred"`` and ``"all"`` as in scikit-learn.
    """
    if normalize not in NORMALIZE_OPTIONS:
        raise ValueError(f"normalize must be one of {NORMALIZE_OPTIONS}, got {normalize!r}")
    y_true, y_pred, labels = _aligned_labels(y_true, y_pred, labels)
    with warnings.catch_warnings():
        # scikit-learn warns about a one-class fold even when labels= is given; the labels are
        # explicit here, so the matrix already has the right shape.
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        return confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)


def evaluate_predictions(y_true, y_pred, labels: Sequence | None = None) -> dict:
    """All metrics of one test fold.

    Returns ``{"WA", "UA", "macro_F1"}`` as floats, ``"per_class"`` (a
    DataFrame from :func:`per_class_report`), ``"confusion"`` (counts, rows =
    true class) and ``"labels"`` (the class order of both). WA, UA and
    macro-F1 do not depend on ``labels``; it only fixes the order and may name
    classes absent from this fold, so that confusions of several folds add up.
    """
    y_true, y_pred, labels = _aligned_labels(y_true, y_pred, labels)
    return {
        "WA": weighted_accuracy(y_true, y_pred),
        "UA": unweighted_accuracy(y_true, y_pred),
        "macro_F1": macro_f1(y_true, y_pred),
        "per_class": per_class_report(y_true, y_pred, labels),
        "confusion": confusion(y_true, y_pred, labels),
        "labels": labels.tolist(),
    }
