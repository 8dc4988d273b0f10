"""The experiment runner every paper's reproduction uses.

A :class:`RunSpec` names a corpus, an evaluation protocol, a front end
(:mod:`serlib.features.frontends`), a model and a training configuration.
:func:`plan_jobs` turns it into one independent JOB per (seed, fold);
:func:`run_fold_job` runs one of them (in this process, a pool worker or a Ray
worker: :mod:`serlib.experiments.executor`); :func:`run_spec` plans, executes
and aggregates, ready for :mod:`serlib.results`.

Features are computed once per corpus and front end (cached on disk), then
standardised per fold with statistics of the TRAINING subset only (or per
speaker, fla_ser Eq. 9), so nothing of the test fold leaks into training.
Augmented training copies follow the same one-way path as the originals:
audio -> augment -> front end -> cache.

Every run is checked by the collapse guard (:mod:`serlib.evaluate.guards`): a
run whose test predictions collapse is flagged in its record, and the
experiments carry the flag into the results rows.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
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

#: Test-time conditions a trained model can be evaluated under (``RunSpec.test_variants``):
#: ("white", snr_db) / ("babble", snr_db): noise added to the test audio only (fla_ser Table 5);
#: ("segment", k, n): only the k-th of n equal time segments kept, the rest set to the training mean.
VARIANT_KINDS = ("white", "babble", "segment")
#: How a run's reported epoch is chosen (``RunSpec.epoch_selection``).
EPOCH_SELECTIONS = ("validation", "test")
#: RunSpec fields whose default is omitted from ``as_dict`` (and so from every configuration hash).
HASH_NEUTRAL_DEFAULTS = {"epoch_selection": "validation", "score_test_each_epoch": False}


@dataclass
class RunSpec:
    corpus: str
    protocol: str
    model: str = "small_cnn"
    model_config: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)  # TrainConfig fields
    front_end: str = "course"  # a name of serlib.features.frontends (tuples: "a+b")
    backend: str = "librosa"  # log-Mel backend for front_end_features(): librosa | torch
    normalization: str = "train_standardizer"  # train_standardizer | per_speaker | none
    seeds: tuple = (0,)
    max_folds: int | None = None  # quick mode: only the first k folds
    root: str | None = None
    labels: tuple | None = None  # restrict to / order these unified labels
    subset_per_speaker: int | None = None  # quick mode: at most this many utterances per speaker
    augment: str | None = None  # a named policy of serlib.augment (training subset only)
    ambient_noise: str | None = None  # ESC-50 root for the ambient-noise copies of an augmentation policy
    device: str = "auto"
    test_variants: tuple = ()  # extra test conditions, see VARIANT_KINDS
    inner_folds: int | None = None  # k-fold CV over train+val speakers (fla_ser); the test uses the k models
    # Score the TEST fold after every epoch, for measurement only (history keys watch_*): the reported
    # model is still chosen by the trainer's rule. wavelet_cnn_lstm reads from it what picking the best
    # epoch on the test speakers (the paper's rule) would report. Left out of as_dict() when False, so
    # the hashes of every spec written before the field existed do not change.
    score_test_each_epoch: bool = False
    # "validation" (default): the trainer's epoch choice sees the validation subset only. "test": the TEST subset
    # is scored after every epoch and the best epoch reported - a published protocol reproduced so that its
    # inflation can be measured (dual_stream_caf's public code); every such run records epoch_policy best_on_test.
    epoch_selection: str = "validation"

    def __post_init__(self):
        self.seeds = tuple(int(s) for s in self.seeds)
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"RunSpec.seeds repeats a seed: {self.seeds}; repeated runs are not independent")
        if not self.seeds:
            raise ValueError("RunSpec.seeds is empty")
        if self.max_folds is not None and self.max_folds < 1:
            raise ValueError(f"RunSpec.max_folds must be >= 1 or None, got {self.max_folds}")
        if self.inner_folds is not None and self.inner_folds < 2:
            raise ValueError(f"RunSpec.inner_folds must be >= 2 or None, got {self.inner_folds}")
        if self.inner_folds and self.score_test_each_epoch:
            raise ValueError("RunSpec.score_test_each_epoch with inner_folds is not supported: the test is "
                             "scored per epoch on single models")
        self.test_variants = tuple(tuple(v) for v in self.test_variants)
        for variant in self.test_variants:
            if not variant or variant[0] not in VARIANT_KINDS:
                raise ValueError(f"unknown test variant {variant!r}; kinds: {VARIANT_KINDS}")
        if self.labels is not None:
            self.labels = tuple(self.labels)
        if self.epoch_selection not in EPOCH_SELECTIONS:
            raise ValueError(f"RunSpec.epoch_selection must be one of {EPOCH_SELECTIONS}, got {self.epoch_selection!r}")
        if self.epoch_selection == "test" and self.inner_folds:
            raise ValueError("RunSpec.epoch_selection='test' cannot be combined with inner_folds")

    def as_dict(self) -> dict:
        values = asdict(self)
        # fields added after results were committed are left out at their default, so old hashes stay valid
        for name, default in HASH_NEUTRAL_DEFAULTS.items():
            if values.get(name) == default:
                values.pop(name)
        return json.loads(json.dumps(values, sort_keys=True, default=str))

    @classmethod
    def from_dict(cls, values: dict) -> "RunSpec":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise KeyError(f"RunSpec has no field(s) {unknown}")
        return cls(**values)

    def config_hash(self) -> str:
        payload = json.dumps(self.as_dict(), sort_keys=True, default=str)
        return hashlib.sha1(payload.encode()).hexdigest()[:12]


#: RunSpec fields added after results were first written: absent from as_dict() (and the config hash)
#: while they hold their default, so older specs keep their hashes and job keys.


@dataclass
class RunOutcome:
    spec: RunSpec
    label_names: list
    runs: list[dict]
    summary: dict
    corpus_label: str
    device: str
    collapse: dict = field(default_factory=dict)
    jobs_from_store: int = 0  # jobs of this outcome read back from a job store instead of trained


def variant_name(variant: Sequence) -> str:
    if variant[0] == "segment":
        return f"segment {variant[1]}/{variant[2]}"
    return f"{variant[0]} noise {float(variant[1]):g} dB"


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
                       progress: bool = False, device=None):
    """The front end's arrays for the records (``(N, *item_shape)``, a tuple for tuple front ends), cached.

    ``backend="torch"`` computes a log-Mel front end with the batched torch path instead.
    """
    from ..features.frontends import compute_front_end, get_front_end

    paths = [r.path for r in records]
    if backend == "torch":
        from ..features.logmel import LOGMEL_CONFIGS, extract_logmel

        if front_end not in LOGMEL_CONFIGS:
            raise ValueError(f"backend 'torch' applies to log-Mel front ends only ({', '.join(LOGMEL_CONFIGS)}), "
                             f"not {front_end!r}")
        feats = extract_logmel(paths, LOGMEL_CONFIGS[front_end], backend="torch", use_cache=True,
                               progress=progress, device=device)
        return get_front_end(front_end).check(np.asarray(feats, dtype=np.float32)[:, None])
    return compute_front_end(front_end, paths, progress=progress)


# ----------------------------------------------------------------------------- normalisation
def _standardise(x: np.ndarray, train_idx: np.ndarray, rule: str) -> np.ndarray:
    if rule == "none":
        return x
    if rule == "per_feature":
        if x.ndim != 2:
            raise ValueError(f"per_feature standardisation needs (N, D) arrays, got {x.shape}")
        mean = x[train_idx].mean(axis=0)
        std = x[train_idx].std(axis=0)
        std[std == 0] = 1.0
        return ((x - mean) / std).astype(np.float32)
    from ..features.logmel import apply_standardizer, fit_standardizer

    flat = x.reshape(x.shape[0], -1, x.shape[-1])  # rows (channel x band) of every item
    mean, std = fit_standardizer(flat[train_idx])
    return np.asarray(apply_standardizer(flat, mean, std), dtype=np.float32).reshape(x.shape)


def normalise(x, records: Sequence[Record], train_idx: np.ndarray, how: str, front_end: str | None = None):
    """Standardise features with statistics of the training subset (or per speaker).

    ``train_standardizer``: the front end's rule (``per_band``: mean/std per row
    of ``(C, F, T)`` items pooled over training items and frames;
    ``per_feature``: per column of ``(N, D)``; ``none``) fitted on the
    training subset only. ``per_speaker``: each speaker with its own
    statistics (fla_ser Eq. 9); it needs no labels, so test speakers are
    normalised with their own statistics. Tuple inputs are normalised part by part.
    """
    from ..features.frontends import get_front_end

    if isinstance(x, tuple):
        parts = get_front_end(front_end).components if front_end else (None,) * len(x)
        return tuple(normalise(part, records, train_idx, how, name) for part, name in zip(x, parts))
    if how == "none":
        return x
    if how == "per_speaker":
        from ..features.preprocessing import session_normalize

        speakers = np.array([r.speaker for r in records])
        flat = x.reshape(x.shape[0], -1, x.shape[-1])  # statistics per (channel, band)
        return np.asarray(session_normalize(flat, speakers), dtype=np.float32).reshape(x.shape)
    if how != "train_standardizer":
        raise ValueError(f"unknown normalisation {how!r}; use train_standardizer, per_speaker or none")
    rule = get_front_end(front_end).standardise if front_end else ("per_feature" if x.ndim == 2 else "per_band")
    return _standardise(x, np.asarray(train_idx), rule)


# ----------------------------------------------------------------------------- augmentation
def _index(x, idx):
    return tuple(part[idx] for part in x) if isinstance(x, tuple) else x[idx]


def _concat(a, b):
    if isinstance(a, tuple):
        return tuple(np.concatenate([p, q]).astype(np.float32) for p, q in zip(a, b))
    return np.concatenate([a, b]).astype(np.float32)


def _length(x) -> int:
    return len(x[0]) if isinstance(x, tuple) else len(x)


def augmented_copies(records: Sequence[Record], train_idx: np.ndarray, spec: RunSpec, seed: int):
    """Features of the augmented copies of the TRAINING items, and the index of each copy's source item.

    One direction: the front end loads each training clip (``load_signal``),
    the policy of :mod:`serlib.augment` makes its copies (babble only from
    other TRAINING speakers, or ESC-50 ambient noise when ``spec.ambient_noise``
    names its root), and the same front end turns them into features
    (``from_signals``), cached per (policy, noise source, seed, training speakers).
    Validation and test items are never augmented.
    """
    from ..augment import POLICIES, augment_training_set, esc50_noise_pool, load_esc50
    from ..features.cache import FeatureCache
    from ..features.frontends import front_end_from_signals, get_front_end

    front_end = get_front_end(spec.front_end)
    policy = POLICIES[spec.augment]
    train_idx = np.asarray(train_idx)
    train_speakers = sorted({records[i].speaker for i in train_idx})
    cache = FeatureCache(f"aug-{front_end.name}", {"policy": spec.augment, "seed": seed, "train": train_speakers,
                                                    "ambient": spec.ambient_noise or "babble",
                                                    "front_end": front_end.config})
    copies = {int(i): cache.get(records[i].path) for i in train_idx}
    if any(v is None for v in copies.values()):
        ambient = None
        if spec.ambient_noise:
            ambient = [c.signal for c in esc50_noise_pool(load_esc50(spec.ambient_noise), sr=front_end.sample_rate)]
        signals = [front_end.load_signal(records[i].path) if i in copies else None for i in range(len(records))]
        augmented = augment_training_set(signals, records, train_idx, spec.augment, seed=seed,
                                         sr=front_end.sample_rate, ambient_pool=ambient)
        per_source: dict[int, list] = {}
        for signal, source, transform in zip(augmented.signals, augmented.source_index, augmented.transform):
            if transform != "original":
                per_source.setdefault(int(source), []).append(signal)
        for source, sigs in per_source.items():
            value = front_end_from_signals(front_end.name, sigs)
            if isinstance(value, tuple):
                raise ValueError(f"augmentation of tuple front end {front_end.name!r} is not supported; "
                                 "augment a single front end")
            copies[source] = value
            cache.put(records[source].path, value)
    sources = [int(i) for i in train_idx for _ in range(policy.factor - 1)]
    blocks = [copies[int(i)] for i in train_idx]
    features = np.concatenate(blocks).astype(np.float32) if blocks else None
    if features is None or len(features) != len(sources):
        raise AssertionError(f"augmentation {spec.augment}: expected {len(sources)} copies, "
                             f"got {0 if features is None else len(features)}")
    return features, np.asarray(sources, dtype=np.int64)


# ----------------------------------------------------------------------------- test-time variants
def variant_features(records: Sequence[Record], test_idx: np.ndarray, train_idx: np.ndarray, variant: Sequence,
                     seed: int, front_end: str):
    """Test features under a noise variant (fla_ser Table 5): noise on the test audio only, same front end."""
    from ..audio import load_audio
    from ..augment import add_noise_at_snr, add_white_noise, babble_noise, choose_babble_talkers
    from ..features.frontends import front_end_from_signals, get_front_end

    fe = get_front_end(front_end)
    kind, snr_db = variant[0], float(variant[1])
    pool = [records[i] for i in train_idx]
    noisy = []
    for i in test_idx:
        rng = np.random.default_rng([seed, int(i), int(round(snr_db)), VARIANT_KINDS.index(kind)])
        clean = fe.load_signal(records[i].path)
        if kind == "white":
            noisy.append(add_white_noise(clean, snr_db, rng))
        else:
            others = len({r.speaker for r in pool} - {records[i].speaker})
            talkers = choose_babble_talkers(records[i].speaker, pool, min(4, others), rng)
            voices = [load_audio(pool[t].path, sr=fe.sample_rate)[0] for t in talkers]
            noisy.append(add_noise_at_snr(clean, babble_noise(voices, len(clean), rng), snr_db, rng))
    return front_end_from_signals(front_end, noisy)


def _segment_mask(x: np.ndarray, k: int, n: int) -> np.ndarray:
    """Keep time segment k (1-based) of n along the last axis; elsewhere the standardised mean (0)."""
    if not 1 <= k <= n:
        raise ValueError(f"segment {k} of {n} does not exist")
    out = np.zeros_like(x)
    edges = np.linspace(0, x.shape[-1], n + 1).round().astype(int)
    out[..., edges[k - 1]:edges[k]] = x[..., edges[k - 1]:edges[k]]
    return out


# ----------------------------------------------------------------------------- jobs
JOB_FUNCTION = "serlib.experiments.common:run_fold_job"


@functools.lru_cache(maxsize=8)
def _corpus(corpus: str, root: str | None, labels: tuple | None, subset: int | None):
    records = select_records(load_corpus(corpus, corpus_root(corpus, root)), labels, subset)
    label_names = list(labels or sorted({r.label for r in records}))
    index = {lab: i for i, lab in enumerate(label_names)}
    return records, label_names, np.array([index[r.label] for r in records])


@functools.lru_cache(maxsize=8)
def _features(corpus: str, root: str | None, labels: tuple | None, subset: int | None, front_end: str,
              backend: str):
    records, _, _ = _corpus(corpus, root, labels, subset)
    return front_end_features(records, front_end, backend)


def fold_splits(spec: RunSpec, records: Sequence[Record], seed: int):
    splits = make_splits(records, spec.protocol, seed=seed)
    return splits[: spec.max_folds] if spec.max_folds else splits


def job_key(keyed: dict) -> str:
    """The store key of a fold job: its spec, seed, fold and code revision hashed (not where it checkpoints)."""
    from .executor import job_key as full_key

    return full_key(keyed)[:16]


def plan_jobs(spec: RunSpec, *, label: str = "", checkpoint_dir: str | None = None, resume: bool = False) -> list:
    """One :class:`~serlib.experiments.executor.Job` per (seed, fold) of ``spec``.

    The job key hashes the spec, the seed, the fold and the code revision, so a
    store of finished jobs is reused only for the same configuration and code.
    """
    from ..results import git_revision
    from .executor import Job

    if spec.protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {spec.protocol!r}; known: {', '.join(PROTOCOLS)}")
    records, _, _ = _corpus(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker)
    jobs = []
    for seed in spec.seeds:
        for index, split in enumerate(fold_splits(spec, records, seed)):
            payload = {"spec": spec.as_dict(), "seed": seed, "fold_index": index, "fold": split.name,
                       "revision": git_revision(), "checkpoint_dir": checkpoint_dir, "resume": resume}
            key = job_key({k: v for k, v in payload.items() if k not in ("checkpoint_dir", "resume")})
            name = label or f"{spec.model} / {spec.corpus} / {spec.protocol}"
            jobs.append(Job(key=key, label=f"{name} / {split.name} / seed {seed}", fn=JOB_FUNCTION, payload=payload))
    return jobs


def _train_one(spec: RunSpec, model_name: str, n_classes: int, train_xy, val_xy, seed: int, metric_fn,
               checkpoint: Path | None, resume: bool, watch_xy=None):
    import torch

    from ..models import build_model
    from ..train import TrainConfig, Trainer

    config = TrainConfig(**{"seed": seed, "device": spec.device, "progress": False, **spec.train})
    if val_xy is None:
        config = replace(config, epoch_policy="last", monitor="train_loss", patience=None)
    torch.manual_seed(seed)
    x = train_xy[0]
    channels = x[0].shape[1] if isinstance(x, tuple) else (x.shape[1] if x.ndim > 2 else 1)
    # Models take one input channel by default; only multi-channel inputs (RGB images) say so.
    extra = {"in_channels": channels} if channels != 1 and not isinstance(x, tuple) else {}
    model = build_model(model_name, n_classes=n_classes, **extra, **spec.model_config)
    trainer = Trainer(config, metric_fn=metric_fn, checkpoint_path=checkpoint)
    return trainer.fit(model, train_xy, val_xy, resume=resume, watch=watch_xy)


def _inner_groups(records, speakers: list[str], k: int, seed: int) -> list[list[str]]:
    from ..data.splits import _gender_interleaved

    order = _gender_interleaved(sorted(speakers), records, np.random.default_rng([seed, 7919]), start=seed)
    if len(order) < k:
        raise ValueError(f"inner {k}-fold cross-validation needs at least {k} train+validation speakers, "
                         f"got {len(order)}")
    return [sorted(order[i::k]) for i in range(k)]


def run_fold_job(payload: dict) -> dict:
    """Train and evaluate one (seed, fold) of a RunSpec; returns a JSON-serialisable run record."""
    import torch

    from ..evaluate import evaluate_predictions
    from ..evaluate.guards import collapse_diagnosis
    from ..train import predict_logits

    spec = RunSpec.from_dict(payload["spec"])
    seed, fold_index = int(payload["seed"]), int(payload["fold_index"])
    records, label_names, y = _corpus(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker)
    n_classes = len(label_names)
    x_all = _features(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker, spec.front_end, spec.backend)
    split = fold_splits(spec, records, seed)[fold_index]
    if split.name != payload["fold"]:
        raise ValueError(f"fold {fold_index} of {spec.protocol} seed {seed} is {split.name}, the job expected "
                         f"{payload['fold']}: the corpus or the protocol changed since the job was planned")
    checkpoint_dir = Path(payload["checkpoint_dir"]) if payload.get("checkpoint_dir") else None

    def metric_fn(y_true, y_pred):
        m = evaluate_predictions(y_true, y_pred, labels=list(range(n_classes)))
        return {k: m[k] for k in ("WA", "UA", "macro_F1")}

    # training pool: original features (+ augmented copies), normalised with training statistics
    train_idx = np.asarray(split.train)
    x, fold_records, y_fold = x_all, list(records), y
    if spec.augment:
        extra_x, sources = augmented_copies(records, train_idx, spec, seed)
        x = _concat(x_all, extra_x)
        fold_records = list(records) + [records[i] for i in sources]
        y_fold = np.concatenate([y, y[sources]])
        train_idx = np.concatenate([train_idx, len(records) + np.arange(len(sources))])

    def fit(train_rows, val_rows, tag: str):
        xn = normalise(x, fold_records, train_rows, spec.normalization, spec.front_end)
        val = (_index(xn, val_rows), y_fold[val_rows]) if len(val_rows) else None
        ckpt = checkpoint_dir / f"{payload.get('key', 'job')}-{tag}.pt" if checkpoint_dir else None
        watch = (_index(xn, split.test), y[split.test]) if spec.score_test_each_epoch else None
        result = _train_one(spec, spec.model, n_classes, (_index(xn, train_rows), y_fold[train_rows]), val, seed,
                            metric_fn, ckpt, bool(payload.get("resume")), watch)
        return result, xn

    if spec.inner_folds:
        # fla_ser 3.1: "five-fold cross-validation is performed on the training and validation sets": k models,
        # each trained on k-1 speaker groups of train+val and early-stopped on the k-th; the test prediction is
        # their ensemble (mean of softmax), so WA/UA and the predictions of a run agree.
        pool_rows = np.concatenate([np.asarray(split.train), np.asarray(split.val)])
        pool_speakers = sorted({records[i].speaker for i in pool_rows})
        groups = _inner_groups(records, pool_speakers, spec.inner_folds, seed)
        extra_rows = train_idx[len(split.train):]
        probabilities, results, inner_wa = [], [], []
        for j, group in enumerate(groups):
            val_rows = np.array([i for i in pool_rows if records[i].speaker in set(group)], dtype=np.int64)
            tr = np.array([i for i in pool_rows if records[i].speaker not in set(group)], dtype=np.int64)
            tr = np.concatenate([tr, [i for i in extra_rows if fold_records[i].speaker not in set(group)]]).astype(np.int64)
            result, xn = fit(tr, val_rows, f"inner{j}")
            logits = predict_logits(result.model, _index(xn, split.test), device=spec.device)
            probabilities.append(torch.softmax(torch.as_tensor(logits), 1).numpy())
            inner_wa.append(float((logits.argmax(1) == y[split.test]).mean()))
            results.append(result)
        test_scores = np.mean(probabilities, axis=0)
        y_pred = test_scores.argmax(1)
        result = results[0]
        history = results[0].history
    else:
        # epoch_selection "test": the test subset takes the validation subset's place (scored every epoch, best
        # epoch kept), as the protocol being reproduced did; the split must then have no validation subset of its own
        if spec.epoch_selection == "test" and len(split.val):
            raise ValueError(f"epoch_selection='test' needs a protocol without a validation subset; "
                             f"{spec.protocol} has one")
        selection_rows = np.asarray(split.test if spec.epoch_selection == "test" else split.val)
        result, xn = fit(train_idx, selection_rows, "model")
        logits = predict_logits(result.model, _index(xn, split.test), device=spec.device)
        y_pred = logits.argmax(1)
        test_scores = logits
        history = result.history
        results, inner_wa = [result], []

    metrics = evaluate_predictions(y[split.test], y_pred, labels=list(range(n_classes)))
    run = {"fold": split.name, "seed": seed, "WA": metrics["WA"], "UA": metrics["UA"],
           "macro_F1": metrics["macro_F1"], "confusion": np.asarray(metrics["confusion"]).tolist(),
           "per_class": metrics["per_class"].to_dict("records"), "best_epoch": result.best_epoch,
           "reported_epoch": result.reported_epoch,
           "epoch_policy": "best_on_test" if spec.epoch_selection == "test" else result.epoch_policy,
           "epochs_run": len(history), "history": history, "seconds": float(sum(r.seconds for r in results)),
           "samples_per_second": float(np.mean([r.samples_per_second for r in results])),
           "device": result.device, "test_idx": np.asarray(split.test).tolist(),
           "y_true": y[split.test].tolist(), "y_pred": np.asarray(y_pred).tolist(),
           # the model's raw test outputs (logits, or speechnet's capsule lengths): thresholded metrics need them
           "test_scores": np.asarray(test_scores, dtype=np.float32).round(6).tolist(),
           "test_speakers": list(split.test_speakers),
           "test_item_speakers": [records[i].speaker for i in split.test],
           "y_val": y[split.test if spec.epoch_selection == "test" else split.val].tolist(),
           "n_train": int(len(train_idx)), "threads": torch.get_num_threads(),
           "collapse": collapse_diagnosis(y_pred, n_classes, metrics["UA"])}
    if inner_wa:
        run["inner_models_WA"] = inner_wa
    if spec.test_variants:
        if spec.inner_folds:
            raise ValueError("test_variants with inner_folds is not supported: evaluate variants on single models")
        run["variants"] = {}
        for variant in spec.test_variants:
            if isinstance(x, tuple):
                raise ValueError("test_variants need a single-array front end")
            if variant[0] == "segment":
                xv = _segment_mask(xn[split.test], int(variant[1]), int(variant[2]))
            else:
                # the noisy test items replace the clean ones before normalisation, so per-speaker statistics
                # (fla_ser Eq. 9) of a test speaker come from its noisy audio, as they would at deployment
                noisy_all = x.copy()
                noisy_all[split.test] = variant_features(records, split.test, split.train, variant, seed,
                                                         spec.front_end)
                xv = normalise(noisy_all, fold_records, train_idx, spec.normalization, spec.front_end)[split.test]
            pred = predict_logits(result.model, xv, device=spec.device).argmax(1)
            m = evaluate_predictions(y[split.test], pred, labels=list(range(n_classes)))
            run["variants"][variant_name(variant)] = {"WA": m["WA"], "UA": m["UA"], "macro_F1": m["macro_F1"],
                                                      "y_pred": pred.tolist(),
                                                      "collapse": collapse_diagnosis(pred, n_classes, m["UA"])}
    clean = json.loads(json.dumps(run, default=_json_default))
    if payload.get("keep_model"):  # in-process only (notebooks): the trained model itself, never stored
        clean["model"] = result.model
    return clean


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def epoch_values(runs: Sequence[dict], metrics: Sequence[str], *, common: bool = False,
                 metric_major: bool = False):
    """``(epoch index, metric, values over runs)`` of the runs' per-epoch histories: the data of every
    training-curve table.

    ``common``: only the epochs every run has, and a metric only when every run recorded it (a mean over the
    same runs at each epoch); otherwise every epoch any run reached, over the runs that recorded the metric (runs
    that stopped early drop out). ``metric_major`` orders by metric, then epoch.
    """
    lengths = [len(run["history"]) for run in runs]
    epochs = range(min(lengths) if common else max(lengths))
    pairs = ([(e, m) for m in metrics for e in epochs] if metric_major else [(e, m) for e in epochs for m in metrics])
    for e, metric in pairs:
        have = [run for run in runs if e < len(run["history"]) and metric in run["history"][e]]
        if not have or (common and len(have) < len(runs)):
            continue
        yield e, metric, [run["history"][e][metric] for run in have]


def mean_std_n(values) -> dict:
    """The ``ours`` / ``ours_std`` (sample std, 0 for one value) / ``n`` cells of a results row."""
    return {"ours": float(np.mean(values)), "ours_std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
            "n": len(values)}


def outcome_from_runs(spec: RunSpec, runs: list[dict]) -> RunOutcome:
    from ..evaluate import aggregate_metrics
    from ..evaluate.guards import collapse_summary

    _, label_names, _ = _corpus(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker)
    device = runs[0].get("device", "cpu") if runs else "cpu"
    return RunOutcome(spec, label_names, runs, aggregate_metrics(runs), corpus_label(spec.corpus, spec.root),
                      device, collapse_summary(runs))


def run_specs(specs: Sequence[RunSpec], *, executor: str = "inprocess", n_jobs: int = 1, store=None,
              labels: Sequence[str] | None = None, progress: bool = False, threads_per_job: int | None = None,
              ray_address: str | None = None, checkpoint_dir=None, resume: bool = False,
              reuse=None) -> list[RunOutcome]:
    """Run several specs' jobs as ONE batch (parallel across specs, folds and seeds); an outcome per spec.

    Identical jobs (the same spec in two tables) run once. A failing job does
    not stop the others; finished jobs are in ``store`` and a re-run with the
    same store resumes from them; then :class:`~serlib.experiments.executor.JobsFailed` is raised.
    ``reuse`` (a :class:`~serlib.experiments.reuse.JobReuse`, needs ``store``) first copies the identical
    jobs of earlier revisions into ``store``, after re-training one of them to check it.
    """
    from .executor import execute, raise_for_failures

    planned = [plan_jobs(spec, label=(labels[i] if labels else ""),
                         checkpoint_dir=str(checkpoint_dir) if checkpoint_dir else None, resume=resume)
               for i, spec in enumerate(specs)]
    unique: dict[str, object] = {}
    for jobs in planned:
        for job in jobs:
            job.payload["key"] = job.key
            unique.setdefault(job.key, job)
    if reuse is not None:
        if store is None:
            raise ValueError("run_specs: reuse needs a job store to copy the reused jobs into")
        reuse.take(list(unique.values()), store, executor=executor, threads_per_job=threads_per_job)
    outcomes = execute(list(unique.values()), executor=executor, n_jobs=n_jobs, store=store,
                       threads_per_job=threads_per_job, ray_address=ray_address, progress=progress)
    raise_for_failures(outcomes)
    by_key = {o.key: o.value for o in outcomes}
    stored = {o.key for o in outcomes if o.from_store}
    results = []
    for spec, jobs in zip(specs, planned):
        outcome = outcome_from_runs(spec, [by_key[job.key] for job in jobs])
        outcome.jobs_from_store = sum(job.key in stored for job in jobs)
        results.append(outcome)
    return results


def run_spec(spec: RunSpec, progress: bool = False, keep_models: bool = False, **options) -> RunOutcome:
    """Train and evaluate ``spec`` over its folds and seeds (options as :func:`run_specs`).

    ``keep_models=True`` (notebooks) runs the jobs in this process, without a
    store, and keeps each run's trained model under ``run["model"]``.
    """
    if keep_models:
        if options.get("executor", "inprocess") != "inprocess" or options.get("store") is not None:
            raise ValueError("keep_models=True runs in-process without a job store")
        runs = []
        for job in plan_jobs(spec):
            job.payload["keep_model"] = True
            runs.append(run_fold_job(job.payload))
        return outcome_from_runs(spec, runs)
    return run_specs([spec], progress=progress, **options)[0]


def provenance_for(outcome: RunOutcome, mode: str, notes: str = ""):
    """Provenance of the rows of one outcome; a collapsed outcome's note is always carried."""
    from ..results import Provenance

    spec = outcome.spec
    policies = sorted({r["epoch_policy"] for r in outcome.runs})
    # folds per seed (a protocol drawing one split per seed has one fold, whatever the split is called)
    folds = max(1, len(outcome.runs) // max(1, len(spec.seeds)))
    collapse_note = outcome.collapse.get("note", "") if outcome.collapse else ""
    # a run copied from an earlier revision's store carries that revision (serlib.experiments.reuse)
    reused = Counter(r["reused_from_revision"] for r in outcome.runs if r.get("reused_from_revision"))
    reuse_note = "; ".join(f"{k} of {len(outcome.runs)} runs reused from revision {rev} (identical configuration, "
                           f"checked by re-training one; see provenance.json)" for rev, k in sorted(reused.items()))
    notes = "; ".join(n for n in (collapse_note, notes, reuse_note) if n)
    threads = sorted({r["threads"] for r in outcome.runs if "threads" in r})
    return Provenance(corpus=outcome.corpus_label, protocol=spec.protocol,
                      speaker_independent=PROTOCOLS[spec.protocol].speaker_independent, mode=mode,
                      device=outcome.device, folds=folds, seeds=" ".join(str(s) for s in spec.seeds),
                      epoch_policy="/".join(policies), config_hash=spec.config_hash(), notes=notes,
                      threads="/".join(str(t) for t in threads))
