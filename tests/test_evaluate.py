"""Tests of serlib.evaluate: fold metrics, aggregation over runs, speechnet reproducibility (Eqs. 1-6)."""
from __future__ import annotations

import math
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

from serlib import evaluate
from serlib.evaluate import (
    aggregate_confusions,
    aggregate_metrics,
    confusion,
    consistency_counts,
    correct_counts,
    correct_learning_reproducibility,
    evaluate_predictions,
    fractional_correct_learning_reproducibility,
    fractional_learning_reproducibility,
    general_learning_reproducibility,
    harmonic_f1,
    macro_f1,
    per_class_report,
    perfect_correct_learning_reproducibility,
    perfect_learning_reproducibility,
    reproducibility_metrics,
    runs_frame,
    summarize,
    thresholded_precision_recall,
    unweighted_accuracy,
    weighted_accuracy,
)
from serlib.settings import standin_root

# Derandomized so that the same examples run every time (the project's determinism rule).
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def label_pairs(draw, max_classes=5, max_size=40):
    size = draw(st.integers(1, max_size))
    classes = draw(st.integers(1, max_classes))
    y_true = draw(st.lists(st.integers(0, classes - 1), min_size=size, max_size=size))
    y_pred = draw(st.lists(st.integers(0, classes - 1), min_size=size, max_size=size))
    return np.array(y_true), np.array(y_pred)


@st.composite
def repeated_runs(draw, max_runs=6, max_utterances=15, max_classes=4):
    runs = draw(st.integers(2, max_runs))
    utterances = draw(st.integers(1, max_utterances))
    classes = draw(st.integers(1, max_classes))
    cell = st.integers(0, classes - 1)
    predictions = np.array(draw(st.lists(st.lists(cell, min_size=utterances, max_size=utterances),
                                         min_size=runs, max_size=runs)))
    y_true = np.array(draw(st.lists(cell, min_size=utterances, max_size=utterances)))
    return predictions, y_true


# ---------------------------------------------------------------- metrics

# y_true = 0 0 0 1 1 2, y_pred = 0 0 1 1 2 2
# correct: positions 0, 1, 3, 5 -> WA = 4/6
# recall: class 0 2/3, class 1 1/2, class 2 1/1 -> UA = (2/3 + 1/2 + 1) / 3 = 13/18
# precision: class 0 2/2, class 1 1/2, class 2 1/2
# F1: class 0 2*1*(2/3)/(5/3) = 0.8, class 1 0.5, class 2 2*0.5*1/1.5 = 2/3 -> macro (0.8 + 0.5 + 2/3) / 3
HAND_TRUE = [0, 0, 0, 1, 1, 2]
HAND_PRED = [0, 0, 1, 1, 2, 2]


def test_hand_computed_wa_ua_f1():
    assert weighted_accuracy(HAND_TRUE, HAND_PRED) == pytest.approx(4 / 6)
    assert unweighted_accuracy(HAND_TRUE, HAND_PRED) == pytest.approx(13 / 18)
    assert macro_f1(HAND_TRUE, HAND_PRED) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_hand_computed_per_class_and_confusion():
    report = per_class_report(HAND_TRUE, HAND_PRED, labels=[0, 1, 2])
    assert report["precision"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    assert report["recall"].tolist() == pytest.approx([2 / 3, 0.5, 1.0])
    assert report["F1"].tolist() == pytest.approx([0.8, 0.5, 2 / 3])
    assert report["support"].tolist() == [3, 2, 1]
    np.testing.assert_array_equal(confusion(HAND_TRUE, HAND_PRED), [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_allclose(confusion(HAND_TRUE, HAND_PRED, normalize="true"),
                               [[2 / 3, 1 / 3, 0], [0, 0.5, 0.5], [0, 0, 1]])


@PROPERTY
@given(label_pairs())
def test_metrics_match_sklearn(pair):
    y_true, y_pred = pair
    labels = np.unique(np.concatenate([y_true, y_pred]))
    with warnings.catch_warnings():
        # scikit-learn warns on one-class inputs and on predicted-only classes; the references stand.
        warnings.simplefilter("ignore")
        expected_ua = balanced_accuracy_score(y_true, y_pred)
        expected_confusion = confusion_matrix(y_true, y_pred, labels=labels)
        precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                                         zero_division=0)
    assert weighted_accuracy(y_true, y_pred) == pytest.approx(accuracy_score(y_true, y_pred))
    assert unweighted_accuracy(y_true, y_pred) == pytest.approx(expected_ua)
    assert macro_f1(y_true, y_pred) == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0))
    report = per_class_report(y_true, y_pred)
    np.testing.assert_allclose(report[["precision", "recall", "F1"]].to_numpy(), np.c_[precision, recall, f1])
    np.testing.assert_array_equal(report["support"], support)
    np.testing.assert_array_equal(confusion(y_true, y_pred), expected_confusion)


@PROPERTY
@given(label_pairs())
def test_metric_identities(pair):
    y_true, y_pred = pair
    result = evaluate_predictions(y_true, y_pred)
    matrix = result["confusion"]
    assert matrix.sum() == y_true.size
    assert np.trace(matrix) / matrix.sum() == pytest.approx(result["WA"])
    # UA is the mean diagonal of the row-normalised confusion over the classes present in y_true.
    present = matrix.sum(axis=1) > 0
    normalised = confusion(y_true, y_pred, normalize="true")
    assert np.diag(normalised)[present].mean() == pytest.approx(result["UA"])
    for name in ("WA", "UA", "macro_F1"):
        assert 0.0 <= result[name] <= 1.0


def test_ua_differs_from_wa_on_imbalanced_data_and_ignores_predicted_only_classes():
    # 8 of class 0, 2 of class 1; always predicting 0: WA = 8/10, UA = (1 + 0) / 2
    y_true = [0] * 8 + [1] * 2
    assert weighted_accuracy(y_true, [0] * 10) == pytest.approx(0.8)
    assert unweighted_accuracy(y_true, [0] * 10) == pytest.approx(0.5)
    # class 2 only predicted: UA averages over classes 0 and 1: (7/8 + 1) / 2
    assert unweighted_accuracy(y_true, [0] * 7 + [2] + [1] * 2) == pytest.approx((7 / 8 + 1) / 2)


def test_string_labels_and_index_labels_agree():
    names = np.array(["angry", "happy", "neutral"])
    by_name = evaluate_predictions(names[HAND_TRUE], names[HAND_PRED], labels=names)
    by_index = evaluate_predictions(HAND_TRUE, HAND_PRED, labels=names)
    for key in ("WA", "UA", "macro_F1"):
        assert by_name[key] == by_index[key]
    np.testing.assert_array_equal(by_name["confusion"], by_index["confusion"])
    assert by_index["labels"] == names.tolist()
    assert by_index["per_class"].index.tolist() == names.tolist()


def test_labels_fix_order_and_keep_absent_classes():
    result = evaluate_predictions(["b", "a"], ["b", "b"], labels=["c", "b", "a"])
    np.testing.assert_array_equal(result["confusion"], [[0, 0, 0], [0, 1, 0], [0, 1, 0]])
    assert result["per_class"].loc["c", "support"] == 0
    # WA, UA, F1 do not depend on labels=: a and b only
    assert result["UA"] == pytest.approx(0.5)
    assert result["macro_F1"] == pytest.approx(macro_f1(["b", "a"], ["b", "b"]))


@pytest.mark.parametrize("y_true, y_pred, labels, message", [
    ([0, 1], [0], None, "differ in length"),
    ([], [], None, "empty"),
    ([[0, 1]], [[0, 1]], None, "one-dimensional"),
    ([0, 1], ["a", "b"], None, "indices"),
    ([0.2, 1.0], [0, 1], None, "non-integer"),
    (["a", "b"], ["a", "z"], ["a", "b"], "not in labels"),
    ([0, 3], [0, 1], ["x", "y", "z"], "outside 0..2"),
    ([0, 1], [0, 1], [0, 0, 1], "twice"),
])
def test_bad_labels_raise_clear_errors(y_true, y_pred, labels, message):
    with pytest.raises(ValueError, match=message):
        evaluate_predictions(y_true, y_pred, labels=labels)


def test_confusion_rejects_unknown_normalize():
    with pytest.raises(ValueError, match="normalize"):
        confusion([0, 1], [0, 1], normalize="rows")


@PROPERTY
@given(st.integers(0, 2 ** 32 - 1))
def test_harmonic_f1_is_binary_f1(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=30)
    y_pred = rng.integers(0, 2, size=30)
    precision = precision_score(y_true, y_pred, zero_division=0)
    recall = recall_score(y_true, y_pred, zero_division=0)
    assert harmonic_f1(precision, recall) == pytest.approx(f1_score(y_true, y_pred, zero_division=0))


def test_harmonic_f1_edges():
    assert harmonic_f1(0.0, 0.0) == 0.0
    assert harmonic_f1(1.0, 1.0) == 1.0
    with pytest.raises(ValueError, match="precision"):
        harmonic_f1(1.5, 0.5)


def test_thresholded_precision_recall_hand_case():
    # row 0: true 0, p=0.7 > 0.5 -> true positive
    # row 1: true 1, only class 0 passes (0.6) -> a false positive, the utterance is missed
    # row 2: true 0, argmax right (0.4) but nothing passes 0.5 -> missed
    # TP = 1, positive cells = 2 -> precision 1/2; recall 1/3, below accuracy 2/3
    probs = [[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.4, 0.35, 0.25]]
    result = thresholded_precision_recall([0, 1, 0], probs)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(1 / 3)
    assert result["F1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert weighted_accuracy([0, 1, 0], np.argmax(probs, axis=1)) == pytest.approx(2 / 3)
    by_name = thresholded_precision_recall(["a", "b", "a"], probs, labels=["a", "b", "c"])
    assert by_name == result


@PROPERTY
@given(st.integers(0, 2 ** 32 - 1), st.integers(2, 6), st.integers(1, 25))
def test_thresholded_precision_recall_matches_sklearn_on_one_hot_cells(seed, classes, size):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(classes, 0.5), size=size)
    y_true = rng.integers(0, classes, size=size)
    one_hot = np.eye(classes, dtype=int)[y_true]
    positive = (probs > 0.5).astype(int)
    result = thresholded_precision_recall(y_true, probs)
    assert result["precision"] == pytest.approx(precision_score(one_hot.ravel(), positive.ravel(), zero_division=0))
    assert result["recall"] == pytest.approx(recall_score(one_hot.ravel(), positive.ravel()))


def test_thresholded_precision_recall_errors():
    with pytest.raises(ValueError, match="shape"):
        thresholded_precision_recall([0], [0.5, 0.5])
    with pytest.raises(ValueError, match="labels"):
        thresholded_precision_recall(["a"], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="outside"):
        thresholded_precision_recall([2], [[0.5, 0.5]])


@pytest.mark.standin
def test_majority_predictor_on_emodb_standin_separates_wa_from_ua():
    root = standin_root("emodb")
    if root is None:
        pytest.skip("EmoDB stand-in corpus not found")
    from serlib.data.records import load_corpus

    labels = [record.label for record in load_corpus("emodb", root)]
    counts = Counter(labels)
    majority, majority_count = counts.most_common(1)[0]
    result = evaluate_predictions(labels, [majority] * len(labels))
    assert result["WA"] == pytest.approx(majority_count / len(labels))
    assert result["UA"] == pytest.approx(1 / len(counts))
    assert result["WA"] > result["UA"]  # EmoDB is imbalanced
    assert result["per_class"]["support"].sum() == len(labels)


# ---------------------------------------------------------------- aggregate

def test_summarize_hand_case():
    # values 1, 2, 3: mean 2, std sqrt(((1)^2 + 0 + (1)^2) / 2) = 1, n = 3
    # 95 % t-interval: 2 +- t_{0.975, 2} * 1 / sqrt(3), t_{0.975, 2} = 4.302652729...
    summary = summarize([1, 2, 3])
    assert summary["mean"] == 2.0 and summary["std"] == 1.0 and summary["n"] == 3
    half = stats.t.ppf(0.975, 2) / math.sqrt(3)
    assert summary["ci_low"] == pytest.approx(2 - half)
    assert summary["ci_high"] == pytest.approx(2 + half)


@PROPERTY
@given(st.lists(st.floats(0, 1), min_size=2, max_size=30), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_summarize_matches_scipy_t_interval(values, confidence):
    summary = summarize(values, confidence)
    array = np.asarray(values)
    assert summary["mean"] == pytest.approx(array.mean())
    assert summary["std"] == pytest.approx(array.std(ddof=1))
    if summary["std"] > 0:
        low, high = stats.t.interval(confidence, len(values) - 1, loc=array.mean(), scale=stats.sem(array))
        assert summary["ci_low"] == pytest.approx(low, abs=1e-12)
        assert summary["ci_high"] == pytest.approx(high, abs=1e-12)
    else:
        assert summary["ci_low"] == pytest.approx(summary["mean"])
        assert summary["ci_high"] == pytest.approx(summary["mean"])
    assert summary["ci_low"] <= summary["mean"] + 1e-12 <= summary["ci_high"] + 2e-12


def test_summarize_single_value_and_errors():
    single = summarize([0.7])
    assert single["std"] == 0.0 and single["n"] == 1 and single["mean"] == 0.7
    assert math.isnan(single["ci_low"]) and math.isnan(single["ci_high"])
    with pytest.raises(ValueError, match="non-empty"):
        summarize([])
    with pytest.raises(ValueError, match="NaN"):
        summarize([0.5, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        summarize([0.5, 0.6], confidence=95)


def test_aggregate_metrics_over_fold_results():
    folds = [evaluate_predictions(HAND_TRUE, HAND_PRED), evaluate_predictions(HAND_TRUE, HAND_TRUE)]
    summary = aggregate_metrics(folds)
    assert set(summary) == {"WA", "UA", "macro_F1"}
    assert summary["WA"]["mean"] == pytest.approx((4 / 6 + 1) / 2)
    assert summary["UA"]["std"] == pytest.approx(np.std([13 / 18, 1.0], ddof=1))
    assert summary["macro_F1"]["n"] == 2
    with pytest.raises(KeyError, match="run 1 has no metric 'UA'"):
        aggregate_metrics([{"WA": 1.0, "UA": 1.0}, {"WA": 0.5}], metrics=("WA", "UA"))


def test_aggregated_summary_becomes_results_rows():
    from serlib.results import Provenance, rows_from_summary

    summary = aggregate_metrics([{"WA": 0.5, "UA": 0.4, "macro_F1": 0.3}, {"WA": 0.7, "UA": 0.6, "macro_F1": 0.5}])
    provenance = Provenance(corpus="synthetic", protocol="loso", speaker_independent=True, mode="quick",
                            device="cpu", revision="test", date="2024-01-01")
    rows = rows_from_summary(summary, paper="course", table="demo", row="x", provenance=provenance)
    assert [r["metric"] for r in rows] == ["WA", "UA", "macro_F1"]
    assert rows[0]["ours"] == pytest.approx(0.6)


def test_aggregate_confusions_sums_and_checks_labels():
    first = evaluate_predictions(["a", "b"], ["a", "a"], labels=["a", "b"])
    second = evaluate_predictions(["b", "b"], ["b", "a"], labels=["a", "b"])
    total = aggregate_confusions([first, second])
    np.testing.assert_array_equal(total, [[1, 0], [2, 1]])
    np.testing.assert_allclose(aggregate_confusions([first, second], normalize="true"), [[1, 0], [2 / 3, 1 / 3]])
    np.testing.assert_array_equal(aggregate_confusions([first["confusion"], second["confusion"]]), total)
    other = evaluate_predictions(["b", "a"], ["b", "b"], labels=["b", "a"])
    with pytest.raises(ValueError, match="labels"):
        aggregate_confusions([first, other])
    with pytest.raises(ValueError, match="shape"):
        aggregate_confusions([np.eye(2), np.eye(3)])
    with pytest.raises(ValueError, match="counts"):
        aggregate_confusions([np.full((2, 2), 0.5)])


def test_runs_frame_is_tidy_and_rejects_repeated_runs():
    runs = [{"fold": f, "seed": s, **evaluate_predictions(HAND_TRUE, HAND_PRED)} for s in (1, 0) for f in (0, 1)]
    frame = runs_frame(runs)
    assert list(frame.columns) == ["fold", "seed", "WA", "UA", "macro_F1"]
    assert frame[["fold", "seed"]].values.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert aggregate_metrics(frame)["WA"]["n"] == 4
    with pytest.raises(ValueError, match="repeat"):
        runs_frame(runs + runs[:1])
    with pytest.raises(KeyError, match="lacks"):
        runs_frame([{"fold": 0, "WA": 1.0}])


# ---------------------------------------------------------------- speechnet Eqs. 1-6

# R = 4 runs (rows), N = 5 utterances (columns), y_true = 0 1 2 0 1
# utterance 0: 0 0 0 0 -> C = 4, mode 0 = true        (perfect, correct)
# utterance 1: 1 1 1 2 -> C = 3, mode 1 = true        (fractional, correct)
# utterance 2: 2 1 2 2 -> C = 3, mode 2 = true        (fractional, correct)
# utterance 3: 1 1 0 0 -> C = 2 (tie 1/0), true 0 is a mode (fractional, correct)
# utterance 4: 0 2 1 0 -> C = 2, mode 0 != true 1     (fractional, wrong)
# R/2 = 2: GLR = 5/5, FLR = 4/5 (printed <= R: 5/5), PLR = 1/5,
#          CLR = 4/5, FCLR = 3/5 (printed: 4/5), PCLR = 1/5
EVEN_RUNS = [[0, 1, 2, 1, 0],
             [0, 1, 1, 1, 2],
             [0, 1, 2, 0, 1],
             [0, 2, 2, 0, 0]]
EVEN_TRUE = [0, 1, 2, 0, 1]

# R = 3 runs (odd, R/2 = 1.5), N = 4, y_true = a b c a
# utterance 0: a a a -> C = 3, correct     utterance 1: b c b -> C = 2 >= 1.5, mode b = true
# utterance 2: c a b -> C = 1 < 1.5        utterance 3: b c a -> C = 1 < 1.5
# GLR = 2/4, FLR = 1/4, PLR = 1/4, CLR = 2/4, FCLR = 1/4, PCLR = 1/4
ODD_RUNS = [["a", "b", "c", "b"],
            ["a", "c", "a", "c"],
            ["a", "b", "b", "a"]]
ODD_TRUE = ["a", "b", "c", "a"]


def test_consistency_and_correct_counts_hand_case():
    np.testing.assert_array_equal(consistency_counts(EVEN_RUNS), [4, 3, 3, 2, 2])
    np.testing.assert_array_equal(correct_counts(EVEN_RUNS, EVEN_TRUE), [4, 3, 3, 2, 1])
    np.testing.assert_array_equal(consistency_counts(ODD_RUNS), [3, 2, 1, 1])


def test_reproducibility_even_runs_hand_case():
    assert general_learning_reproducibility(EVEN_RUNS) == pytest.approx(5 / 5)
    assert fractional_learning_reproducibility(EVEN_RUNS) == pytest.approx(4 / 5)
    assert fractional_learning_reproducibility(EVEN_RUNS, as_printed=True) == pytest.approx(5 / 5)
    assert perfect_learning_reproducibility(EVEN_RUNS) == pytest.approx(1 / 5)
    assert correct_learning_reproducibility(EVEN_RUNS, EVEN_TRUE) == pytest.approx(4 / 5)
    assert fractional_correct_learning_reproducibility(EVEN_RUNS, EVEN_TRUE) == pytest.approx(3 / 5)
    assert fractional_correct_learning_reproducibility(EVEN_RUNS, EVEN_TRUE, as_printed=True) == pytest.approx(4 / 5)
    assert perfect_correct_learning_reproducibility(EVEN_RUNS, EVEN_TRUE) == pytest.approx(1 / 5)


def test_reproducibility_odd_runs_hand_case():
    assert reproducibility_metrics(ODD_RUNS, ODD_TRUE) == pytest.approx(
        {"GLR": 2 / 4, "FLR": 1 / 4, "PLR": 1 / 4, "CLR": 2 / 4, "FCLR": 1 / 4, "PCLR": 1 / 4})
    assert set(reproducibility_metrics(ODD_RUNS)) == {"GLR", "FLR", "PLR"}


@PROPERTY
@given(repeated_runs())
def test_reproducibility_ranges_and_decompositions(case):
    predictions, y_true = case
    runs = predictions.shape[0]
    m = reproducibility_metrics(predictions, y_true)
    for name, value in m.items():
        assert 0.0 <= value <= 1.0, name
    assert m["GLR"] == pytest.approx(m["FLR"] + m["PLR"])
    assert m["CLR"] == pytest.approx(m["FCLR"] + m["PCLR"])
    assert m["PCLR"] <= m["PLR"] <= m["GLR"]
    assert m["CLR"] <= m["GLR"] and m["FCLR"] <= m["FLR"]
    printed = reproducibility_metrics(predictions, y_true, as_printed=True)
    assert printed["FLR"] == m["GLR"] and printed["FCLR"] == m["CLR"]
    # The modal reading of I(L^_i = L_i) equals "at least half / all runs are correct".
    correct = correct_counts(predictions, y_true)
    assert m["CLR"] == pytest.approx(np.mean(2 * correct >= runs))
    assert m["PCLR"] == pytest.approx(np.mean(correct == runs))
    # Every run classifies the PCLR utterances correctly.
    assert m["PCLR"] <= min(accuracy_score(y_true, run) for run in predictions) + 1e-12
    classes = np.unique(predictions).size
    counts = consistency_counts(predictions)
    assert np.all((counts >= math.ceil(runs / classes)) & (counts <= runs))


@PROPERTY
@given(repeated_runs(), st.randoms(use_true_random=False))
def test_reproducibility_invariant_to_run_order_utterance_order_and_label_names(case, rng):
    predictions, y_true = case
    reference = reproducibility_metrics(predictions, y_true)
    run_order = list(range(predictions.shape[0]))
    rng.shuffle(run_order)
    assert reproducibility_metrics(predictions[run_order], y_true) == reference
    utterance_order = list(range(predictions.shape[1]))
    rng.shuffle(utterance_order)
    assert reproducibility_metrics(predictions[:, utterance_order], y_true[utterance_order]) == pytest.approx(reference)
    names = np.array(["neutral", "happy", "sad", "angry"])
    assert reproducibility_metrics(names[predictions], names[y_true]) == reference


@PROPERTY
@given(st.lists(st.integers(0, 3), min_size=1, max_size=20), st.integers(2, 8), st.data())
def test_identical_runs_are_perfectly_reproducible(run, repeats, data):
    y_true = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(run), max_size=len(run))))
    predictions = np.tile(run, (repeats, 1))
    m = reproducibility_metrics(predictions, y_true)
    accuracy = accuracy_score(y_true, run)
    assert m["GLR"] == 1.0 and m["PLR"] == 1.0 and m["FLR"] == 0.0
    assert m["CLR"] == pytest.approx(accuracy) and m["PCLR"] == pytest.approx(accuracy) and m["FCLR"] == 0.0


def test_reproducibility_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least 2 runs"):
        general_learning_reproducibility([[0, 1, 2]])
    with pytest.raises(ValueError, match="R runs, N utterances"):
        general_learning_reproducibility([0, 1, 2])
    with pytest.raises(ValueError, match="same N in every run|R runs, N utterances"):
        general_learning_reproducibility([[0, 1], [0]])
    with pytest.raises(ValueError, match="probabilities"):
        general_learning_reproducibility([[0.3, 0.7], [0.6, 0.4]])
    with pytest.raises(ValueError, match="one label per utterance"):
        correct_learning_reproducibility(EVEN_RUNS, [0, 1])
    with pytest.raises(ValueError, match="both hold"):
        correct_learning_reproducibility(EVEN_RUNS, ["a"] * 5)


def test_public_api_is_exported():
    for name in evaluate.__all__:
        assert hasattr(evaluate, name), name
    assert evaluate.REPRODUCIBILITY_METRICS == tuple(reproducibility_metrics(EVEN_RUNS, EVEN_TRUE))
    assert isinstance(per_class_report(HAND_TRUE, HAND_PRED), pd.DataFrame)
