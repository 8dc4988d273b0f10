"""The experiment runner every paper's reproduction uses.

A :class:`RunSpec` names a corpus, an evaluation protocol, a front end, a model
and a training configuration. :func:`run_spec` turns it into folds x seeds
training runs through the one trainer and returns per-run metrics and their
aggregate, ready for :mod:`serlib.results`.

Features are computed once per corpus and front end (cached on disk by
:mod:`serlib.features.cache`), then standardised per fold with statistics of
the TRAINING subset only (or per speaker, fla_ser Eq. 9), so nothing of the
test fold leaks into training.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import settings
from ..data import Record, load_corpus
from ..data.splits import PROTOCOLS, make_splits

STANDIN_LABELS = {
    "ravdess": "ravdess-standin (first 2.4 s, 1434 files)",
    "emodb": "emodb-standin (first 2 s, 535 files)",
    "synthetic": "synthetic (serlib generator)",
}


@dataclass
class RunSpec:
    corpus: str
    protocol: str
    model: str = "small_cnn"
    model_config: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)  # TrainConfig fields
    front_end: str = "course"  # a key of serlib.features.logmel.LOGMEL_CONFIGS
    backend: str = "librosa"  # log-Mel backend: librosa | torch
    normalization: str = "train_standardizer"  # train_standardizer | per_speaker | none
    seeds: tuple = (0,)
    max_folds: int | None = None  # quick mode: only the first k folds
    root: str | None = None
    labels: tuple | None = None  # restrict to / order these unified labels
    subset_per_speaker: int | None = None  # quick mode: at most this many utterances per speaker
    augment: str | None = None  # a named policy of serlib.augment (training subset only)
    device: str = "auto"

    def config_hash(self) -> str:
        payload = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha1(payload.encode()).hexdigest()[:12]


@dataclass
class RunOutcome:
    spec: RunSpec
    label_names: list
    runs: list[dict]
    summary: dict
    corpus_label: str
    device: str


def corpus_root(corpus: str, root=None) -> Path:
    from ..data.info import default_root

    return Path(root) if root else default_root(corpus)


def corpus_label(corpus: str, root=None) -> str:
    """How a corpus is named in results files: stand-ins are labelled as such."""
    if corpus in ("ravdess", "emodb"):
        standin = settings.standin_root(corpus)
        if root is None or (standin is not None and Path(root).resolve() == standin.resolve()):
            return STANDIN_LABELS[corpus]
        return f"{corpus} ({root})"
    return STANDIN_LABELS.get(corpus, corpus)


def select_records(records: Sequence[Record], labels=None, subset_per_speaker=None, seed: int = 0) -> list[Record]:
    """Keep the given labels and, for quick runs, a seeded class-balanced subset per speaker."""
    records = [r for r in records if labels is None or r.label in labels]
    if subset_per_speaker:
        rng = np.random.default_rng(seed)
        kept = []
        for spk in sorted({r.speaker for r in records}):
            mine = [r for r in records if r.speaker == spk]
            order = rng.permutation(len(mine))
            by_label: dict[str, list] = {}
            for i in order:
                by_label.setdefault(mine[i].label, []).append(mine[i])
            picked, rounds = [], 0
            while len(picked) < min(subset_per_speaker, len(mine)):
                for lab in sorted(by_label):
                    if rounds < len(by_label[lab]) and len(picked) < subset_per_speaker:
                        picked.append(by_label[lab][rounds])
                rounds += 1
            kept.extend(picked)
        records = sorted(kept, key=lambda r: (r.speaker, r.utterance_id))
    return list(records)


def front_end_features(records: Sequence[Record], front_end: str = "course", backend: str = "librosa",
                       progress: bool = False, device=None) -> np.ndarray:
    """Log-Mel images (N, 1, n_mels, frames) for the records, from the feature cache."""
    from ..features.logmel import LOGMEL_CONFIGS, extract_logmel

    if front_end not in LOGMEL_CONFIGS:
        raise KeyError(f"unknown front end {front_end!r}; known: {', '.join(LOGMEL_CONFIGS)}")
    feats = extract_logmel([r.path for r in records], LOGMEL_CONFIGS[front_end], backend=backend,
                           use_cache=True, progress=progress, device=device)
    feats = np.asarray(feats, dtype=np.float32)
    return feats[:, None] if feats.ndim == 3 else feats


def normalise(x: np.ndarray, records: Sequence[Record], train_idx: np.ndarray, how: str) -> np.ndarray:
    """Standardise features per frequency band.

    ``train_standardizer``: mean/std per band from the training subset only.
    ``per_speaker``: each speaker with its own statistics (fla_ser Eq. 9); it needs
    no labels, so test speakers are normalised with their own statistics.
    """
    if how == "none":
        return x
    if how == "per_speaker":
        from ..features.preprocessing import session_normalize

        speakers = np.array([r.speaker for r in records])
        flat = x.reshape(x.shape[0], -1, x.shape[-1])  # statistics per (channel, band)
        return np.asarray(session_normalize(flat, speakers), dtype=np.float32).reshape(x.shape)
    if how != "train_standardizer":
        raise ValueError(f"unknown normalisation {how!r}")
    from ..features.logmel import apply_standardizer, fit_standardizer

    flat = x.reshape(x.shape[0], -1, x.shape[-1])  # bands of every channel
    mean, std = fit_standardizer(flat[train_idx])
    return np.asarray(apply_standardizer(flat, mean, std), dtype=np.float32).reshape(x.shape)


def with_augmented_copies(records: Sequence[Record], train_idx: np.ndarray, x_all: np.ndarray, y: np.ndarray,
                          spec: RunSpec, seed: int):
    """Append augmented copies of the TRAINING items (a named policy of :mod:`serlib.augment`).

    Returns the extended features, the extended training indices, labels and
    records (copies carry their source record, so per-speaker normalisation
    groups them with their speaker). Validation and test items are never
    augmented, and babble noise comes from other training speakers only. The
    copies' features are cached per (policy, seed, training-speaker set).
    """
    from ..augment import POLICIES, augment_training_set
    from ..features.cache import FeatureCache
    from ..features.logmel import LOGMEL_CONFIGS, load_for_config, logmel_librosa

    config = LOGMEL_CONFIGS[spec.front_end]
    policy = POLICIES[spec.augment]
    train_speakers = sorted({records[i].speaker for i in train_idx})
    cache = FeatureCache(f"aug-{spec.front_end}", {"policy": spec.augment, "seed": seed, "train": train_speakers,
                                                   "front_end": asdict(config)})
    copies = {int(i): cache.get(records[i].path) for i in train_idx}
    if any(v is None for v in copies.values()):
        signals = [load_for_config(records[i].path, config) if i in copies else None for i in range(len(records))]
        augmented = augment_training_set(signals, records, np.asarray(train_idx), spec.augment, seed=seed,
                                         sr=config.sample_rate)
        per_source: dict[int, list] = {}
        for signal, source, transform in zip(augmented.signals, augmented.source_index, augmented.transform):
            if transform != "original":
                per_source.setdefault(int(source), []).append(logmel_librosa(signal, config))
        for source, feats in per_source.items():
            copies[source] = np.asarray(feats, dtype=np.float32)
            cache.put(records[source].path, copies[source])
    extra_x, extra_src = [], []
    for i in train_idx:
        block = copies[int(i)]
        extra_x.append(block.reshape((block.shape[0],) + x_all.shape[1:]))
        extra_src += [int(i)] * block.shape[0]
    extra_x = np.concatenate(extra_x) if extra_x else np.zeros((0,) + x_all.shape[1:], np.float32)
    assert len(extra_src) == (policy.factor - 1) * len(train_idx)
    x = np.concatenate([x_all, extra_x]).astype(np.float32)
    new_idx = np.concatenate([np.asarray(train_idx), len(records) + np.arange(len(extra_src))])
    return x, new_idx, np.concatenate([y, y[extra_src]]), list(records) + [records[i] for i in extra_src]


def run_spec(spec: RunSpec, progress: bool = False, keep_models: bool = False, *, checkpoint_dir=None,
             resume: bool = False) -> RunOutcome:
    """Train and evaluate ``spec`` over its folds and seeds.

    With ``checkpoint_dir`` every (fold, seed) run checkpoints after each epoch to
    ``<checkpoint_dir>/<fold>-seed<seed>.pt``; ``resume`` continues each from its
    checkpoint (finished runs return their result without training again).
    """
    from ..evaluate import aggregate_metrics, evaluate_predictions
    from ..models import build_model
    from ..train import TrainConfig, Trainer, predict_logits

    if spec.protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {spec.protocol!r}")
    if spec.max_folds is not None and spec.max_folds < 1:
        raise ValueError(f"max_folds must be at least 1 (None runs every fold), got {spec.max_folds}")
    if len(set(spec.seeds)) != len(spec.seeds):
        raise ValueError(f"seeds {list(spec.seeds)} repeat a seed: identical runs would be counted as "
                         "independent ones (n and the confidence interval would be wrong)")
    root = corpus_root(spec.corpus, spec.root)
    records = select_records(load_corpus(spec.corpus, root), spec.labels, spec.subset_per_speaker)
    label_names = [lab for lab in (spec.labels or sorted({r.label for r in records}))]
    label_index = {lab: i for i, lab in enumerate(label_names)}
    y = np.array([label_index[r.label] for r in records])
    x_all = front_end_features(records, spec.front_end, spec.backend, progress=progress)

    def metric_fn(y_true, y_pred):
        m = evaluate_predictions(y_true, y_pred, labels=list(range(len(label_names))))
        return {k: m[k] for k in ("WA", "UA", "macro_F1")}

    runs, device = [], "cpu"
    for seed in spec.seeds:
        splits = make_splits(records, spec.protocol, seed=seed)
        if spec.max_folds:
            splits = splits[: spec.max_folds]
        for split in splits:
            if spec.augment:
                x, train_idx, y_fold, fold_records = with_augmented_copies(records, split.train, x_all, y, spec, seed)
            else:
                x, train_idx, y_fold, fold_records = x_all, split.train, y, records
            x = normalise(x, fold_records, train_idx, spec.normalization)
            train_x, train_y = x[train_idx], y_fold[train_idx]
            config = TrainConfig(**{"seed": seed, "device": spec.device, "progress": progress, **spec.train})
            if len(split.val) == 0:
                config = replace(config, epoch_policy="last", monitor="train_loss", patience=None)
            import torch

            torch.manual_seed(seed)
            # Models take one input channel by default; only multi-channel inputs (RGB scalograms) say so.
            extra = {"in_channels": x.shape[1]} if x.shape[1] != 1 else {}
            model = build_model(spec.model, n_classes=len(label_names), **extra, **spec.model_config)
            checkpoint = Path(checkpoint_dir) / f"{split.name}-seed{seed}.pt" if checkpoint_dir else None
            trainer = Trainer(config, metric_fn=metric_fn, checkpoint_path=checkpoint)
            val = (x[split.val], y[split.val]) if len(split.val) else None
            result = trainer.fit(model, (train_x, train_y), val, resume=resume)
            logits = predict_logits(result.model, x[split.test], device=config.device)
            y_pred = logits.argmax(1)
            metrics = evaluate_predictions(y[split.test], y_pred, labels=list(range(len(label_names))))
            device = result.device
            run = {"fold": split.name, "seed": seed, "WA": metrics["WA"], "UA": metrics["UA"],
                   "macro_F1": metrics["macro_F1"], "confusion": np.asarray(metrics["confusion"]).tolist(),
                   "per_class": metrics["per_class"], "best_epoch": result.best_epoch,
                   "reported_epoch": result.reported_epoch, "epoch_policy": result.epoch_policy,
                   "epochs_run": len(result.history), "history": result.history, "seconds": result.seconds,
                   "samples_per_second": result.samples_per_second, "test_idx": split.test.tolist(),
                   "y_true": y[split.test].tolist(), "y_pred": y_pred.tolist(),
                   "test_speakers": list(split.test_speakers),
                   "test_item_speakers": [records[i].speaker for i in split.test],
                   "y_val": y[split.val].tolist()}
            if keep_models:
                run["model"] = result.model
            runs.append(run)
    summary = aggregate_metrics(runs)
    return RunOutcome(spec, label_names, runs, summary, corpus_label(spec.corpus, spec.root), device)


def provenance_for(outcome: RunOutcome, mode: str, notes: str = ""):
    from ..results import Provenance

    spec = outcome.spec
    policies = sorted({r["epoch_policy"] for r in outcome.runs})
    folds = len({r["fold"] for r in outcome.runs})
    return Provenance(corpus=outcome.corpus_label, protocol=spec.protocol,
                      speaker_independent=PROTOCOLS[spec.protocol].speaker_independent, mode=mode,
                      device=outcome.device, folds=folds, seeds=" ".join(str(s) for s in spec.seeds),
                      epoch_policy="/".join(policies), config_hash=spec.config_hash(), notes=notes)
