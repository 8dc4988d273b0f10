"""The trainer end to end on the synthetic corpus: learning, determinism, early stopping, exact resume."""
import numpy as np
import pytest
import torch

from serlib.data.splits import make_splits
from serlib.evaluate import evaluate_predictions
from serlib.experiments.common import front_end_features, normalise
from serlib.models import build_model
from serlib.train import TrainConfig, Trainer, predict_logits, select_device


@pytest.fixture(scope="module")
def fold(tiny_synthetic):
    _, records = tiny_synthetic
    labels = sorted({r.label for r in records})
    y = np.array([labels.index(r.label) for r in records])
    split = make_splits(records, "speaker_kfold", seed=0, k=4)[0]
    x = normalise(front_end_features(records, "course"), records, split.train, "train_standardizer")
    return x, y, split, labels


def metric_fn(y_true, y_pred):
    m = evaluate_predictions(y_true, y_pred, labels=list(range(8)))
    return {k: m[k] for k in ("WA", "UA")}


def fit(fold, tmp_path=None, **overrides):
    x, y, split, labels = fold
    config = TrainConfig(**{"epochs": 6, "batch_size": 16, "lr": 3e-3, "patience": None, "progress": False,
                            "monitor": "val_UA", **overrides})
    torch.manual_seed(config.seed)
    model = build_model("small_cnn", n_classes=len(labels), width=4)
    trainer = Trainer(config, metric_fn=metric_fn, checkpoint_path=(tmp_path / "ckpt.pt") if tmp_path else None)
    return trainer, model, (x[split.train], y[split.train]), (x[split.val], y[split.val])


def test_trains_on_the_synthetic_corpus_and_records_history(fold):
    trainer, model, train, val = fit(fold)
    result = trainer.fit(model, train, val)
    losses = [h["train_loss"] for h in result.history]
    assert len(result.history) == 6 and losses[-1] < losses[0]
    assert {"val_loss", "val_WA", "val_UA", "val_pred"} <= set(result.history[0])
    assert result.epoch_policy == "best_on_validation"
    assert result.reported_epoch == result.best_epoch
    assert result.history[result.best_epoch - 1]["val_UA"] == max(h["val_UA"] for h in result.history)
    assert result.device.startswith("cpu")
    logits = predict_logits(result.model, fold[0][fold[2].test])
    assert logits.shape == (len(fold[2].test), 8)


def test_same_seed_same_metrics_on_cpu(fold):
    runs = []
    for _ in range(2):
        trainer, model, train, val = fit(fold, epochs=3)
        runs.append([h["val_loss"] for h in trainer.fit(model, train, val).history])
    assert runs[0] == runs[1]


def test_resume_from_a_mid_run_checkpoint_matches_an_uninterrupted_run(fold, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    trainer, model, train, val = fit(fold, tmp_path / "a", scheduler="cosine")
    full = trainer.fit(model, train, val)
    trainer, model, train, val = fit(fold, tmp_path / "b", scheduler="cosine")
    trainer.fit(model, train, val, stop_after_epoch=3)
    torch.manual_seed(999)  # a different fresh model: the checkpoint must override everything
    trainer, model, train, val = fit(fold, tmp_path / "b", scheduler="cosine")
    resumed = trainer.fit(model, train, val, resume=True)
    assert [h["val_loss"] for h in resumed.history] == [h["val_loss"] for h in full.history]
    assert resumed.best_epoch == full.best_epoch
    for a, b in zip(full.model.state_dict().values(), resumed.model.state_dict().values()):
        assert torch.equal(a, b)


def test_early_stopping_and_last_epoch_policy(fold):
    trainer, model, train, val = fit(fold, lr=0.0, patience=2, monitor="val_loss", epoch_policy="last", epochs=20)
    result = trainer.fit(model, train, val)
    # lr 0 leaves the weights (BatchNorm statistics still move): no epoch beats the best for long
    assert result.stopped_early and len(result.history) == result.best_epoch + 2 < 20
    assert result.reported_epoch == len(result.history) and result.epoch_policy == "last"


def test_clear_errors(fold):
    x, y, split, _ = fold
    with pytest.raises(ValueError, match="epoch_policy"):
        TrainConfig(epoch_policy="best_on_test")
    trainer, model, train, _ = fit(fold)
    with pytest.raises(ValueError, match="no validation data"):
        trainer.fit(model, train, None)
    bad = train[0].copy()
    bad[0, 0, 0, 0] = np.inf
    with pytest.raises(FloatingPointError, match="non-finite training loss"):
        trainer.fit(model, (bad, train[1]), (x[split.val], y[split.val]))
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            select_device("cuda")
    assert select_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_min_epochs_holds_early_stopping_back(fold):
    """Patience 1 with a strict monitor would stop at once on a plateau; min_epochs keeps training going."""
    trainer, model, train, val = fit(fold, epochs=5, patience=1, min_epochs=5, monitor="val_loss", lr=0.0)
    result = trainer.fit(model, train, val)  # lr 0: a perfect plateau, nothing ever improves
    assert len(result.history) == 5
    trainer, model, train, val = fit(fold, epochs=5, patience=1, min_epochs=0, monitor="val_loss", lr=0.0)
    assert len(trainer.fit(model, train, val).history) == 2


def test_min_epochs_out_of_range_is_refused():
    with pytest.raises(ValueError, match="min_epochs"):
        TrainConfig(epochs=3, min_epochs=4)
