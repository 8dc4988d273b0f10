"""Notebook 05's figures: labelled axes with units, provenance in titles, points (not lines) for runs."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from serlib.experiments import epoch_selection as es  # noqa: E402
from serlib.report import training_figures as tf  # noqa: E402


@pytest.fixture()
def curves():
    rng = np.random.default_rng(0)
    rows = [{"seed": s, "fold": f, "epoch": e, "val_UA": rng.random(), "test_UA": rng.random(),
             "test_WA": rng.random(), "test_macro_F1": rng.random()}
            for s in (0, 1) for f in ("fold1", "fold2") for e in range(1, 5)]
    return pd.DataFrame(rows)


def test_confusion_figure_labels_and_recall_panel():
    fig = tf.confusion_figure([[5, 1], [2, 2]], ["angry", "sad"], "worked example")
    counts, recall = fig.axes[0], fig.axes[1]
    assert counts.get_xlabel() == "predicted class" and counts.get_ylabel() == "true class"
    assert [t.get_text() for t in recall.texts] == ["0.83", "0.17", "0.50", "0.50"]
    with pytest.raises(ValueError, match="2x2 matrix"):
        tf.confusion_figure(np.zeros((3, 3)), ["a", "b"], "x")
    plt.close(fig)


def test_history_figure_marks_best_and_stop():
    history = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [2, 1.5, 1.2], "val_loss": [2, 1.8, 1.9],
                            "val_UA": [.2, .4, .3]})
    fig = tf.history_figure(history, best_epoch=2, caption="synthetic · speaker_kfold", stopped_at=3, patience=1)
    assert fig.axes[2].get_ylabel() == "validation UA (%)"
    assert len(fig.axes[0].lines) == 3  # the curve, the kept epoch and the stop
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 2 and "epoch 2" in legend[0] and "patience 1" in legend[1]
    plt.close(fig)


def test_selection_and_inflation_figures_name_protocol_and_counts(curves):
    selected = es.select_epochs(curves)
    fig = tf.selection_figure(curves, selected, "UA", "synthetic (serlib generator)", "speaker_kfold")
    assert "2 folds x 2 seeds" in fig._suptitle.get_text() and "speaker_kfold" in fig._suptitle.get_text()
    plt.close(fig)
    fig = tf.inflation_figure(selected, "UA", "synthetic (serlib generator)", "speaker_kfold")
    ax = fig.axes[0]
    assert "2 folds x 2 seeds" in ax.get_title()
    assert all(line.get_linestyle() == "None" for line in ax.lines)  # runs are categories: never joined
    plt.close(fig)


def test_spread_figure_points_per_fold_and_seed(curves):
    runs = es.reported_runs(curves, es.select_epochs(curves))
    fig = tf.spread_figure(runs, "UA", "synthetic (serlib generator)", "speaker_kfold")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fold1", "fold2"]
    assert ax.get_ylabel() == "UA (%)" and "2 folds x 2 seeds" in ax.get_title()
    plt.close(fig)
