"""speechnet Section 3.1, Eqs. 1-6: reproducibility of predictions over R runs.

The model is trained and tested R times "under identical conditions, using the
same training and test datasets"; each run predicts a label for each of the N
test utterances. ``predictions`` is therefore an (R, N) array (runs x
utterances, the same utterance order in every run), of class indices or names.

What the paper leaves open, and the readings taken here
-------------------------------------------------------
1. ``C_i`` is used but never defined. The prose says GLR "calculates what
   percentage of samples receive consistent predictions in at least half of
   the test rounds". Reading: ``C_i`` is the number of runs that agree with
   the most frequent prediction for utterance ``i`` (the size of its modal
   class), see :func:`consistency_counts`. So ``1 <= C_i <= R``.
2. Eq. 2 (FLR) and Eq. 5 (FCLR) bound ``C_i <= R``, which every ``C_i``
   satisfies, so as printed FLR equals GLR and FCLR equals CLR. The prose
   says otherwise: FCLR is "consistent and correct results in more than half
   but not all the test runs" and FLR identifies "general stability with
   occasional variability". Reading: the upper bound is strict,
   ``R/2 <= C_i < R``, so that GLR = FLR + PLR and CLR = FCLR + PCLR split the
   "at least half" utterances into the not-perfect and the perfect ones. The
   printed formulas stay available with ``as_printed=True``. The lower bound
   stays ``C_i >= R/2`` as printed (the prose says "more than half" for FLR
   but "at least half" for GLR, and the formulas agree with each other).
3. Eqs. 4-6 multiply by ``I(L^_{i,r} = L_i)``, whose run index ``r`` is free.
   Reading: ``L^_i`` is the consistent (modal) prediction of utterance ``i``,
   and the utterance counts when that prediction is the true label ``L_i``
   ("results that are both consistent and accurate (matching true labels)").
   When two labels tie for the mode (possible when ``C_i = R/2``), the
   utterance counts as correct if the true label is one of them. Under the
   ``C_i >= R/2`` condition this is the same as "at least half of the runs
   predict the true label", so no tie-breaking rule changes the result. Other
   readings were rejected: "correct in every run" would make CLR equal PCLR,
   and "correct in one particular run r" depends on which run is taken.

All six metrics are fractions in [0, 1]; the paper's Table 4 prints them in
percent (EmoDB SpeechNet PLR 91.59 % = 98 of 107 test utterances; 107 is 20 %
of EmoDB, although Section 5 states a 90/10 split). The discussion of Table 4
expands PLR and PCLR as "Prediction-Level Reliability" and "Prediction
Confidence-Level Reliability"; the names and definitions used here are those
of Section 3.1, which the table's own caption also uses.
"""
from __future__ import annotations

import numpy as np

REPRODUCIBILITY_METRICS = ("GLR", "FLR", "PLR", "CLR", "FCLR", "PCLR")


def _prediction_matrix(predictions) -> np.ndarray:
    """Validate ``predictions`` as an (R runs, N utterances) label array with R >= 2."""
    try:
        matrix = np.asarray(predictions)
    except ValueError as error:
        raise ValueError(f"predictions must be an (R runs, N utterances) array with the same N in every run: "
                         f"{error}") from None
    if matrix.ndim != 2:
        raise ValueError(f"predictions must be an (R runs, N utterances) array, got shape {matrix.shape}")
    runs, utterances = matrix.shape
    if runs < 2:
        raise ValueError(f"predictions holds {runs} run(s); reproducibility needs at least 2 runs "
                         f"(with one run every metric is trivially perfect)")
    if utterances == 0:
        raise ValueError("predictions holds no utterance")
    if matrix.dtype.kind == "f":
        if not np.all(np.isfinite(matrix)) or not np.all(matrix == np.round(matrix)):
            raise ValueError("predictions must hold class indices or names, not probabilities or NaN "
                             "(take the argmax of each run first)")
        matrix = matrix.astype(np.int64)
    if matrix.dtype.kind == "O":
        if not all(isinstance(v, str) for v in matrix.ravel().tolist()):
            raise ValueError("predictions mix label types; use either class indices or names throughout")
        matrix = matrix.astype(str)
    if matrix.dtype.kind not in "iuUSb":
        raise ValueError(f"predictions must hold class indices or names, got dtype {matrix.dtype}")
    return matrix


def _true_vector(y_true, utterances: int) -> np.ndarray:
    labels = np.asarray(y_true)
    if labels.ndim != 1 or labels.size != utterances:
        raise ValueError(f"y_true must hold one label per utterance ({utterances}), got shape {labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise ValueError("y_true must hold class indices or names, not fractional numbers or NaN")
        labels = labels.astype(np.int64)
    return labels


def _label_counts(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-utterance counts of each label over runs: (classes, counts with shape (N, classes))."""
    classes, codes = np.unique(matrix, return_inverse=True)
    codes = codes.reshape(matrix.shape)
    counts = np.zeros((matrix.shape[1], classes.size), dtype=np.int64)
    utterance_index = np.broadcast_to(np.arange(matrix.shape[1]), matrix.shape)
    np.add.at(counts, (utterance_index.ravel(), codes.ravel()), 1)
    return classes, counts


def consistency_counts(predictions) -> np.ndarray:
    """speechnet Eqs. 1-6, ``C_i``: how many of the R runs give utterance ``i`` its most frequent prediction.

    The paper uses ``C_i`` without defining it; the reading (module docstring,
    point 1) follows its words "samples [that] receive consistent predictions in
    at least half of the test rounds". Returns an int array of length N with
    ``ceil(R / number of labels) <= C_i <= R``.
    """
    matrix = _prediction_matrix(predictions)
    _, counts = _label_counts(matrix)
    return counts.max(axis=1)


def correct_counts(predictions, y_true) -> np.ndarray:
    """How many of the R runs predict the true label of each utterance (used by Eqs. 4-6).

    For ``C_i >= R/2``, "the modal prediction is the true label" is the same
    condition as ``correct_counts >= R/2`` (module docstring, point 3).
    """
    matrix = _prediction_matrix(predictions)
    labels = _true_vector(y_true, matrix.shape[1])
    if (matrix.dtype.kind in "US") != (labels.dtype.kind in "US"):
        raise ValueError("predictions and y_true must both hold class indices or both hold names")
    return (matrix == labels[None, :]).sum(axis=0)


def _modal_prediction_is_true(predictions, y_true) -> np.ndarray:
    """``I(L^_i = L_i)``: the true label is (one of) the most frequent prediction(s) of utterance ``i``."""
    return correct_counts(predictions, y_true) == consistency_counts(predictions)


def _at_least_half(counts: np.ndarray, runs: int) -> np.ndarray:
    # 2 C >= R instead of C >= R / 2: exact for odd R without floating point.
    return 2 * counts >= runs


def general_learning_reproducibility(predictions) -> float:
    """speechnet Eq. 1: GLR = (1/N) sum_i I(C_i >= R/2).

    The fraction of utterances whose most frequent prediction is given by at
    least half of the R runs.
    """
    matrix = _prediction_matrix(predictions)
    return float(np.mean(_at_least_half(consistency_counts(matrix), matrix.shape[0])))


def fractional_learning_reproducibility(predictions, *, as_printed: bool = False) -> float:
    """speechnet Eq. 2: FLR = (1/N) sum_i I(R/2 <= C_i < R), the consistent but not perfectly consistent share.

    The paper prints ``R/2 <= C_i <= R``; since ``C_i <= R`` always holds, that
    formula equals GLR (Eq. 1). The prose ("general stability with occasional
    variability") and FCLR's "more than half but not all the test runs" call
    for a strict upper bound, used by default, so GLR = FLR + PLR.
    ``as_printed=True`` applies the printed ``<= R``.
    """
    matrix = _prediction_matrix(predictions)
    runs = matrix.shape[0]
    counts = consistency_counts(matrix)
    upper = counts <= runs if as_printed else counts < runs
    return float(np.mean(_at_least_half(counts, runs) & upper))


def perfect_learning_reproducibility(predictions) -> float:
    """speechnet Eq. 3: PLR = (1/N) sum_i I(C_i = R), the share of utterances predicted identically by every run."""
    matrix = _prediction_matrix(predictions)
    return float(np.mean(consistency_counts(matrix) == matrix.shape[0]))


def correct_learning_reproducibility(predictions, y_true) -> float:
    """speechnet Eq. 4: CLR = (1/N) sum_i I(C_i >= R/2) * I(L^_i = L_i).

    The utterances consistent in at least half of the runs whose consistent
    prediction is the true label. The paper writes ``I(L^_{i,r} = L_i)`` with
    an unbound run index ``r``; read as the modal prediction ``L^_i`` (module
    docstring, point 3). Equals the share of utterances that at least half of
    the runs classify correctly.
    """
    matrix = _prediction_matrix(predictions)
    consistent = _at_least_half(consistency_counts(matrix), matrix.shape[0])
    return float(np.mean(consistent & _modal_prediction_is_true(matrix, y_true)))


def fractional_correct_learning_reproducibility(predictions, y_true, *, as_printed: bool = False) -> float:
    """speechnet Eq. 5: FCLR = (1/N) sum_i I(R/2 <= C_i < R) * I(L^_i = L_i).

    The paper's words: "consistent and correct results in more than half but
    not all the test runs"; its formula prints ``C_i <= R``, which makes FCLR
    equal CLR (Eq. 4). Strict upper bound by default, so CLR = FCLR + PCLR;
    ``as_printed=True`` applies the printed ``<= R``. ``L^_i`` as in Eq. 4.
    """
    matrix = _prediction_matrix(predictions)
    runs = matrix.shape[0]
    counts = consistency_counts(matrix)
    upper = counts <= runs if as_printed else counts < runs
    return float(np.mean(_at_least_half(counts, runs) & upper & _modal_prediction_is_true(matrix, y_true)))


def perfect_correct_learning_reproducibility(predictions, y_true) -> float:
    """speechnet Eq. 6: PCLR = (1/N) sum_i I(C_i = R) * I(L^_i = L_i), the share every run classifies correctly."""
    matrix = _prediction_matrix(predictions)
    perfect = consistency_counts(matrix) == matrix.shape[0]
    return float(np.mean(perfect & _modal_prediction_is_true(matrix, y_true)))


def reproducibility_metrics(predictions, y_true=None, *, as_printed: bool = False) -> dict:
    """All of speechnet Eqs. 1-6 in one dict: GLR, FLR, PLR, and with ``y_true`` also CLR, FCLR, PCLR.

    Fractions in [0, 1] (the paper's Table 4 shows percent). ``as_printed``
    selects the printed (non-strict) upper bound of Eqs. 2 and 5.
    """
    matrix = _prediction_matrix(predictions)
    out = {
        "GLR": general_learning_reproducibility(matrix),
        "FLR": fractional_learning_reproducibility(matrix, as_printed=as_printed),
        "PLR": perfect_learning_reproducibility(matrix),
    }
    if y_true is not None:
        out.update({
            "CLR": correct_learning_reproducibility(matrix, y_true),
            "FCLR": fractional_correct_learning_reproducibility(matrix, y_true, as_printed=as_printed),
            "PCLR": perfect_correct_learning_reproducibility(matrix, y_true),
        })
    return out
