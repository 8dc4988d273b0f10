"""Collapse guard: one class over 90 % of the predictions, or UA within 2 points of chance."""
import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from serlib.evaluate import unweighted_accuracy
from serlib.evaluate.guards import COLLAPSED_MARK, collapse_diagnosis, collapse_summary


def test_majority_class_predictor_is_collapsed():
    y_true = np.repeat(np.arange(7), 10)
    y_pred = np.zeros_like(y_true)
    d = collapse_diagnosis(y_pred, 7, unweighted_accuracy(y_true, y_pred))
    assert d["collapsed"] and d["top_class"] == 0 and d["top_share"] == 1.0
    assert len(d["reasons"]) == 2


def test_a_model_that_learned_is_not_flagged():
    y_true = np.repeat(np.arange(4), 25)
    y_pred = y_true.copy()
    y_pred[::5] = (y_pred[::5] + 1) % 4  # 80 % correct, predictions spread
    d = collapse_diagnosis(y_pred, 4, unweighted_accuracy(y_true, y_pred))
    assert not d["collapsed"] and d["reasons"] == []


def test_chance_level_spread_predictions_are_flagged():
    rng = np.random.default_rng(0)
    y_true = np.repeat(np.arange(4), 200)
    y_pred = rng.permutation(y_true)  # spread over classes but uninformative
    ua = unweighted_accuracy(y_true, y_pred)
    assert abs(ua - 0.25) < 0.02
    assert collapse_diagnosis(y_pred, 4, ua)["collapsed"]


@hsettings(max_examples=50, deadline=None)
@given(n_classes=st.integers(2, 8), n=st.integers(10, 200), seed=st.integers(0, 1000))
def test_single_class_predictions_are_always_collapsed(n_classes, n, seed):
    label = seed % n_classes
    assert collapse_diagnosis(np.full(n, label), n_classes, ua=1.0 / n_classes)["collapsed"]


def test_summary_note_counts_collapsed_runs():
    good = {"collapse": {"collapsed": False, "reasons": []}}
    bad = {"collapse": {"collapsed": True, "reasons": ["class 0 takes 100% of the test predictions (> 90%)"]}}
    summary = collapse_summary([good, bad, bad])
    assert summary["flagged"] and summary["collapsed_runs"] == 2
    assert summary["note"].startswith(COLLAPSED_MARK) and "2 of 3 runs" in summary["note"]
    assert collapse_summary([good])["note"] == ""


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n_classes"):
        collapse_diagnosis([0], 1, 0.5)
    with pytest.raises(ValueError, match="empty"):
        collapse_diagnosis([], 3, 0.5)
