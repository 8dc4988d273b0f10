"""Epoch selection measured: per-epoch curves through the trainer's checkpoint, and the three policies."""
import numpy as np
import pandas as pd
import pytest
import torch

from serlib.data.splits import make_splits
from serlib.experiments import epoch_selection as es
from serlib.models import build_model
from serlib.train import TrainConfig, Trainer


def _curves():
    # two runs; run (0, fold1): validation peaks at epoch 2, test at epoch 3, last is 4
    rows = []
    for epoch, val, test in [(1, .2, .1), (2, .6, .3), (3, .5, .7), (4, .4, .2)]:
        rows.append({"seed": 0, "fold": "fold1", "epoch": epoch, "val_UA": val, "test_UA": test})
    for epoch, val, test in [(1, .3, .4), (2, .3, .4), (3, .1, .1)]:  # ties: the earliest epoch wins
        rows.append({"seed": 1, "fold": "fold1", "epoch": epoch, "val_UA": val, "test_UA": test})
    return pd.DataFrame(rows)


def test_select_epochs_reference_values():
    selected = es.select_epochs(_curves())
    first, second = selected.iloc[0], selected.iloc[1]
    assert (first["epoch (best_on_validation)"], first["epoch (last)"], first["epoch (best_on_test)"]) == (2, 4, 3)
    assert first["test UA (best_on_validation)"] == pytest.approx(.3)
    assert first["inflation"] == pytest.approx(.4)
    assert (second["epoch (best_on_validation)"], second["epoch (best_on_test)"]) == (1, 1)
    assert second["inflation"] == 0


def test_best_on_test_never_below_the_other_policies():
    selected = es.select_epochs(_curves())
    for policy in ("best_on_validation", "last"):
        assert (selected["test UA (best_on_test)"] >= selected[f"test UA ({policy})"]).all()
    summary = es.policy_summary(selected)
    assert summary.loc["inflation", "mean"] == pytest.approx(selected["inflation"].mean())
    assert summary.loc["inflation", "std"] == pytest.approx(np.std(selected["inflation"], ddof=1))
    assert summary.loc["inflation", "n"] == 2


@pytest.fixture(scope="module")
def lesson_data(tiny_synthetic):
    root, _ = tiny_synthetic
    return es.load_lesson_data("synthetic", root=root)


def test_epoch_by_epoch_equals_one_uninterrupted_run(lesson_data, tmp_path):
    split = make_splits(lesson_data.records, "speaker_kfold", seed=0, k=3)[0]
    arrays = es.fold_arrays(lesson_data, split)
    config = TrainConfig(epochs=3, batch_size=16, lr=3e-3, patience=None, progress=False, monitor="val_UA")
    metrics = es.metric_fn(len(lesson_data.label_names))
    torch.manual_seed(0)
    plain = Trainer(config, metric_fn=metrics).fit(build_model("small_cnn", 8, width=4), arrays["train"],
                                                    arrays["val"])
    torch.manual_seed(0)
    rows = es.epoch_by_epoch(build_model("small_cnn", 8, width=4), config, arrays, tmp_path / "c.pt", metrics)
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert [r["train_loss"] for r in rows] == [h["train_loss"] for h in plain.history]
    assert [r["val_UA"] for r in rows] == [h["val_UA"] for h in plain.history]
    assert all(0 <= r["test_UA"] <= 1 and "val_pred" not in r for r in rows)


def test_epoch_curves_has_one_row_per_seed_fold_epoch(lesson_data, tmp_path):
    config = {**es.LESSON["quick"], "k": 3, "max_folds": 1, "seeds": (0, 1), "model_config": {"width": 4},
              "train": {"epochs": 2, "batch_size": 16, "lr": 3e-3, "monitor": "val_UA"}}
    curves = es.epoch_curves(lesson_data, config, tmp_path)
    assert len(curves) == 2 * 1 * 2
    assert set(curves["seed"]) == {0, 1} and set(curves["fold"]) == {"fold1"}
    assert {"val_UA", "test_UA", "test_WA", "test_macro_F1", "val_loss"} <= set(curves.columns)


def test_lesson_config_follows_the_mode(monkeypatch):
    monkeypatch.setenv("SERLIB_MODE", "full")
    assert es.lesson_config() is es.LESSON["full"]
    assert es.lesson_config("quick")["train"]["epochs"] < es.LESSON["full"]["train"]["epochs"]


def test_reported_runs_take_the_chosen_epoch():
    curves = _curves().assign(test_WA=lambda f: f["test_UA"] / 2, test_macro_F1=lambda f: f["test_UA"] / 3)
    runs = es.reported_runs(curves, es.select_epochs(curves))
    assert runs[["seed", "epoch"]].values.tolist() == [[0, 2], [1, 1]]
    assert runs["UA"].tolist() == pytest.approx([.3, .4]) and runs["WA"].tolist() == pytest.approx([.15, .2])
    last = es.reported_runs(curves, es.select_epochs(curves), "last")
    assert last["epoch"].tolist() == [4, 3]
    with pytest.raises(ValueError, match="policy must be one of"):
        es.reported_runs(curves, es.select_epochs(curves), "best_on_train")
