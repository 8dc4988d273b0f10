"""Which epoch is reported? Best-on-validation, last epoch and best-on-TEST, measured (notebook 05).

A training run produces one model per epoch; a paper reports one number. The
honest choices are the epoch with the best *validation* score (validation
speakers come from the training speakers) or simply the last epoch. Picking the
epoch with the best *test* score uses the test labels to choose the model and
inflates the result (DESIGN.md: a well-known SER result was inflated by about
5 points this way). This module measures that inflation instead of asserting it.

The trainer deliberately never looks at the test fold. To score every epoch on
the test fold (for measurement only) :func:`epoch_by_epoch` steps the one
trainer an epoch at a time through its checkpoint (``stop_after_epoch`` and
``resume``, exact on CPU), evaluating the model after each epoch;
:func:`select_epochs` then picks, per run, the epoch each policy would report.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import settings
from ..data import Record, load_corpus
from ..data.splits import Split, make_splits
from .common import corpus_label, corpus_root, front_end_features, normalise, select_records

#: The lesson's settings per mode: quick (the stored notebook and CI, CPU) and full (all folds, more seeds and epochs).
LESSON = {
    "quick": {"corpus": "synthetic", "protocol": "speaker_kfold", "k": 4, "max_folds": 2, "seeds": (0, 1, 2),
              "subset_per_speaker": 16, "model": "small_cnn", "model_config": {"width": 8},
              "train": {"epochs": 12, "batch_size": 16, "lr": 5e-3, "monitor": "val_UA"}},
    "full": {"corpus": "synthetic", "protocol": "speaker_kfold", "k": 4, "max_folds": None, "seeds": (0, 1, 2, 3, 4),
             "subset_per_speaker": None, "model": "small_cnn", "model_config": {"width": 8},
             "train": {"epochs": 30, "batch_size": 16, "lr": 5e-3, "monitor": "val_UA"}},
}
POLICIES = ("best_on_validation", "last", "best_on_test")


def lesson_config(mode: str | None = None) -> dict:
    return LESSON[settings.mode(mode)]


@dataclass
class LessonData:
    records: list[Record]
    x: np.ndarray  # (N, 1, n_mels, frames) log-Mel, not yet standardised
    y: np.ndarray  # class indices into label_names
    label_names: list[str]
    corpus_label: str


def load_lesson_data(corpus: str = "synthetic", subset_per_speaker: int | None = None, front_end: str = "course",
                     root=None) -> LessonData:
    """Records, log-Mel features (from the cache) and labels of a corpus."""
    records = select_records(load_corpus(corpus, corpus_root(corpus, root)), None, subset_per_speaker)
    label_names = sorted({r.label for r in records})
    y = np.array([label_names.index(r.label) for r in records])
    return LessonData(records, front_end_features(records, front_end), y, label_names, corpus_label(corpus, root))


def fold_arrays(data: LessonData, split: Split) -> dict[str, tuple]:
    """``{"train" | "val" | "test": (x, y)}`` standardised with statistics of the training subset only."""
    x = normalise(data.x, data.records, split.train, "train_standardizer")
    return {name: (x[idx], data.y[idx]) for name, idx in (("train", split.train), ("val", split.val),
                                                          ("test", split.test))}


def metric_fn(n_classes: int):
    """WA, UA and macro-F1 of one set of predictions (what the trainer records per epoch as ``val_*``)."""
    from ..evaluate import evaluate_predictions

    def metrics(y_true, y_pred) -> dict:
        m = evaluate_predictions(y_true, y_pred, labels=list(range(n_classes)))
        return {k: m[k] for k in ("WA", "UA", "macro_F1")}

    return metrics


def epoch_by_epoch(model, config, arrays: dict, checkpoint: Path, metrics) -> list[dict]:
    """Train ``model`` one epoch per :meth:`Trainer.fit` call (resuming from ``checkpoint``) and score
    every epoch on validation (the trainer's record) and on test (measurement only, never used by it)."""
    from ..train import Trainer, predict_logits

    config = replace(config, epoch_policy="last", patience=None)  # every epoch's own model, no stop
    trainer = Trainer(config, metric_fn=metrics, checkpoint_path=checkpoint)
    rows = []
    for epoch in range(1, config.epochs + 1):
        result = trainer.fit(model, arrays["train"], arrays["val"], resume=True, stop_after_epoch=epoch)
        record = result.history[-1]
        test_pred = predict_logits(result.model, arrays["test"][0], device=config.device).argmax(1)
        test = metrics(arrays["test"][1], test_pred)
        rows.append({"epoch": record["epoch"], "train_loss": record["train_loss"], "val_loss": record["val_loss"],
                     **{k: v for k, v in record.items() if k.startswith("val_") and k != "val_pred"},
                     **{f"test_{k}": v for k, v in test.items()}})
    return rows


def epoch_curves(data: LessonData, config: dict, workdir: Path, progress: bool = False):
    """Per-epoch validation and test metrics of every (seed, fold) run of ``config`` (see :data:`LESSON`)."""
    import pandas as pd
    import torch

    from ..models import build_model
    from ..train import TrainConfig

    rows = []
    for seed in config["seeds"]:
        splits = make_splits(data.records, config["protocol"], seed=seed, k=config["k"])
        for split in splits[: config["max_folds"]]:
            torch.manual_seed(seed)
            model = build_model(config["model"], n_classes=len(data.label_names), **config["model_config"])
            train = TrainConfig(**{**config["train"], "seed": seed, "device": "cpu", "progress": progress})
            checkpoint = Path(workdir) / f"seed{seed}_{split.name}.pt"
            checkpoint.unlink(missing_ok=True)
            for row in epoch_by_epoch(model, train, fold_arrays(data, split), checkpoint,
                                      metric_fn(len(data.label_names))):
                rows.append({"seed": seed, "fold": split.name, **row})
    return pd.DataFrame(rows)


def select_epochs(curves, metric: str = "UA"):
    """Per run: the epoch each policy reports and its test ``metric``; ``inflation`` = best-on-test minus
    best-on-validation (ties go to the earliest epoch, as the trainer's strict improvement rule does)."""
    import pandas as pd

    out = []
    for (seed, fold), run in curves.groupby(["seed", "fold"], sort=True):
        run = run.sort_values("epoch")
        chosen = {"best_on_validation": run.loc[run[f"val_{metric}"].idxmax()],
                  "last": run.iloc[-1], "best_on_test": run.loc[run[f"test_{metric}"].idxmax()]}
        entry = {"seed": seed, "fold": fold}
        for policy in POLICIES:
            entry[f"epoch ({policy})"] = int(chosen[policy]["epoch"])
            entry[f"test {metric} ({policy})"] = float(chosen[policy][f"test_{metric}"])
        entry["inflation"] = entry[f"test {metric} (best_on_test)"] - entry[f"test {metric} (best_on_validation)"]
        out.append(entry)
    return pd.DataFrame(out)


def policy_summary(selected, metric: str = "UA", policies: Sequence[str] = POLICIES):
    """Mean, std (over folds x seeds) and n of the test ``metric`` each policy reports, and of the inflation."""
    import pandas as pd

    from ..evaluate import summarize

    columns = [f"test {metric} ({p})" for p in policies] + ["inflation"]
    return pd.DataFrame({c: summarize(selected[c]) for c in columns}).T[["mean", "std", "n"]]


def reported_runs(curves, selected, policy: str = "best_on_validation"):
    """One row per (seed, fold) with the test WA, UA and macro-F1 of the epoch ``policy`` chose
    (columns named as :func:`serlib.evaluate.runs_frame` expects)."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    column = [c for c in selected.columns if c.startswith("epoch (") and policy in c][0]
    chosen = selected[["seed", "fold", column]].rename(columns={column: "epoch"})
    runs = curves.merge(chosen, on=["seed", "fold", "epoch"], how="inner")
    return runs.rename(columns={"test_WA": "WA", "test_UA": "UA", "test_macro_F1": "macro_F1"})[
        ["seed", "fold", "epoch", "WA", "UA", "macro_F1"]].sort_values(["fold", "seed"]).reset_index(drop=True)
