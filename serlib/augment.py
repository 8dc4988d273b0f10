"""Training-set augmentation: noise at an exact SNR, babble, ESC-50 ambient noise, pitch shift.

Two papers augment, and both only the TRAINING partition:

- ``cnn_transformer`` (Section III-B 3): "each training utterance is further
  expanded by synthesizing two noise-contaminated replicas ... white Gaussian
  perturbations, where the Signal-to-Noise Ratio (SNR) is uniformly sampled
  from a range of 15 to 30 dB ... The validation and test partitions are kept
  intact" -> policy ``"cnn_transformer_awgn"`` (x3: clean + two noisy).
- ``fla_ser`` (Section 3.1, setup): "noise injection (using ambient noise from
  the ESC-50 dataset at SNR levels between 10dB and 20dB) and pitch shifting
  (± 2 semitones) ... increases the training data volume by a factor of
  four" -> policy ``"fla_ser_x4"``: clean + one ambient-noise copy + one
  copy shifted +2 and one -2 semitones (the only reading of "± 2" and "x4"
  that gives exactly four). The ambient noise is an ESC-50 clip when the
  caller passes an ESC-50 pool (:func:`load_esc50`), else babble built from
  utterances of OTHER training speakers (ESC-50 is not available here; the
  paper's Table 5 mentions "background chatter" as its second noise type).

Everything is seeded: item i of the training set uses the generator
``numpy.random.default_rng([seed, i])``, so an item's augmentation does not
depend on the others or on their order.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .audio import load_audio
from .data.records import Record

ESC50_COLUMNS = ("filename", "fold", "target", "category", "esc10", "src_file", "take")


# --------------------------------------------------------------------------- noise at an exact SNR
def signal_power(signal: np.ndarray) -> float:
    """Mean square of the samples."""
    signal = np.asarray(signal, dtype=np.float64)
    return float(np.mean(signal ** 2))


def measured_snr_db(clean: np.ndarray, noisy: np.ndarray) -> float:
    """SNR of ``noisy`` relative to ``clean``: 10 log10(P(clean) / P(noisy - clean)) in dB."""
    clean = np.asarray(clean, dtype=np.float64)
    noisy = np.asarray(noisy, dtype=np.float64)
    if clean.shape != noisy.shape:
        raise ValueError(f"clean and noisy must have the same shape, got {clean.shape} and {noisy.shape}")
    noise_power = signal_power(noisy - clean)
    if noise_power == 0:
        return float("inf")
    return 10.0 * np.log10(signal_power(clean) / noise_power)


def fit_noise_length(noise: np.ndarray, length: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """A ``length``-sample stretch of ``noise``: a random crop when longer (from the start without
    ``rng``), a circular repetition from a random start when shorter."""
    noise = np.asarray(noise, dtype=np.float64)
    if noise.ndim != 1 or noise.size == 0:
        raise ValueError(f"noise must be a non-empty 1-D array, got shape {noise.shape}")
    start = int(rng.integers(0, noise.size)) if rng is not None else 0
    if noise.size >= length:
        start = start % (noise.size - length + 1)
        return noise[start:start + length]
    repeats = int(np.ceil((start + length) / noise.size))
    return np.tile(noise, repeats)[start:start + length]


def add_noise_at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float,
                     rng: np.random.Generator | None = None) -> np.ndarray:
    """Add ``noise`` scaled so that P(signal) / P(added noise) is exactly ``snr_db`` dB.

    The SNR is global over the clip (the papers' "normalised ... then a noise
    scaling factor is computed to achieve the target SNR", cnn_transformer
    Section III-B 3). ``noise`` is cropped or repeated to the signal's length
    (:func:`fit_noise_length`, random start when ``rng`` is given). The result
    is float32 and NOT clipped to [-1, 1], so the SNR stays exact.
    """
    signal = np.asarray(signal)
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"signal must be a non-empty 1-D array, got shape {signal.shape}")
    if not np.isfinite(snr_db):
        raise ValueError(f"snr_db must be a finite number of dB, got {snr_db!r}")
    clean = signal.astype(np.float64)
    p_signal = signal_power(clean)
    if p_signal == 0:
        raise ValueError("signal is all zeros: an SNR relative to it is undefined")
    segment = fit_noise_length(noise, clean.size, rng)
    p_noise = signal_power(segment)
    if p_noise == 0:
        raise ValueError("noise segment is all zeros: it cannot be scaled to any SNR")
    gain = np.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0)))
    return (clean + gain * segment).astype(np.float32)


def white_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """White Gaussian noise N(0, 1), ``length`` samples."""
    return rng.standard_normal(int(length))


def add_white_noise(signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """cnn_transformer Section III-B 3: additive white Gaussian noise at ``snr_db`` dB."""
    return add_noise_at_snr(signal, white_noise(len(signal), rng), snr_db)


# --------------------------------------------------------------------------- babble
def choose_babble_talkers(target_speaker: str, pool: Sequence[Record], n_talkers: int,
                          rng: np.random.Generator) -> list[int]:
    """Indices into ``pool`` of ``n_talkers`` utterances by distinct speakers, none of them ``target_speaker``.

    Raises ValueError when the pool has fewer than ``n_talkers`` other speakers.
    """
    if n_talkers < 1:
        raise ValueError(f"n_talkers must be at least 1, got {n_talkers}")
    by_speaker: dict[str, list[int]] = {}
    for index, record in enumerate(pool):
        if record.speaker != target_speaker:
            by_speaker.setdefault(record.speaker, []).append(index)
    speakers = sorted(by_speaker)
    if len(speakers) < n_talkers:
        raise ValueError(f"babble needs {n_talkers} speakers other than {target_speaker!r}, "
                         f"the pool has {len(speakers)}: {speakers}")
    chosen = rng.choice(len(speakers), size=n_talkers, replace=False)
    return [int(rng.choice(by_speaker[speakers[c]])) for c in chosen]


def babble_noise(utterances: Sequence[np.ndarray], length: int, rng: np.random.Generator) -> np.ndarray:
    """Babble: the sum of several utterances, each scaled to unit RMS and cut/repeated to ``length``
    samples from a random start (so the talkers do not start together)."""
    if len(utterances) == 0:
        raise ValueError("babble needs at least one utterance")
    total = np.zeros(int(length))
    for utterance in utterances:
        segment = fit_noise_length(utterance, length, rng)
        power = signal_power(segment)
        if power > 0:
            total += segment / np.sqrt(power)
    return total


# --------------------------------------------------------------------------- ESC-50
@dataclass(frozen=True)
class Esc50Clip:
    """One ESC-50 clip (5 s, 44.1 kHz in the release)."""

    path: str
    fold: int
    target: int
    category: str
    esc10: bool


def load_esc50(root) -> list[Esc50Clip]:
    """Parse an ESC-50 release (github.com/karolpiczak/ESC-50): ``meta/esc50.csv`` and ``audio/*.wav``.

    Raises FileNotFoundError / ValueError naming the file when the layout,
    a column or a listed audio file is missing.
    """
    root = Path(root)
    meta = root / "meta" / "esc50.csv"
    if not meta.is_file():
        raise FileNotFoundError(f"{meta}: ESC-50 metadata not found (expected <root>/meta/esc50.csv "
                                f"and <root>/audio/*.wav as in the official release)")
    with open(meta, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ESC50_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{meta}: not an ESC-50 metadata file, columns {missing} missing")
        clips = []
        for line, row in enumerate(reader, start=2):
            path = root / "audio" / row["filename"]
            if not path.is_file():
                raise FileNotFoundError(f"{meta} line {line}: listed audio file {path} does not exist")
            try:
                fold, target = int(row["fold"]), int(row["target"])
            except ValueError:
                raise ValueError(f"{meta} line {line}: fold/target must be integers, got "
                                 f"{row['fold']!r}, {row['target']!r}") from None
            esc10 = row["esc10"].strip().lower() in ("true", "1")
            clips.append(Esc50Clip(str(path), fold, target, row["category"], esc10))
    if not clips:
        raise ValueError(f"{meta}: lists no clips")
    return clips


def esc50_noise_pool(clips: Sequence[Esc50Clip], sr: int = 16000, categories: Sequence[str] | None = None,
                     folds: Sequence[int] | None = None) -> list[np.ndarray]:
    """Load ESC-50 clips (optionally only some categories / folds) as noise signals at ``sr``.

    Silent clips (ESC-50 pads short events with digital silence) are skipped.
    """
    chosen = [c for c in clips if (categories is None or c.category in categories)
              and (folds is None or c.fold in folds)]
    if not chosen:
        raise ValueError(f"no ESC-50 clip matches categories={categories}, folds={folds}")
    pool = []
    for clip in chosen:
        signal, _ = load_audio(clip.path, sr=sr, allow_silence=True)
        if signal_power(signal) > 0:
            pool.append(signal)
    return pool


# --------------------------------------------------------------------------- pitch
def pitch_shift(signal: np.ndarray, sr: int, semitones: float) -> np.ndarray:
    """fla_ser Section 3.1 (setup): shift the pitch by ``semitones`` keeping the duration
    (``librosa.effects.pitch_shift``: phase-vocoder time stretch + soxr resampling)."""
    import librosa

    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"signal must be a non-empty 1-D array, got shape {signal.shape}")
    if not np.isfinite(semitones):
        raise ValueError(f"semitones must be finite, got {semitones!r}")
    return librosa.effects.pitch_shift(signal, sr=sr, n_steps=float(semitones)).astype(np.float32)


# --------------------------------------------------------------------------- policies
@dataclass
class AugmentationContext:
    """What a policy may use for training item ``index``: the training pool only."""

    index: int  # index into the full record list
    record: Record
    signal: np.ndarray
    sr: int
    train_indices: np.ndarray
    records: Sequence[Record]
    signals: Sequence[np.ndarray]
    ambient_pool: Sequence[np.ndarray] | None
    n_babble_talkers: int


@dataclass(frozen=True)
class Augmented:
    """One produced copy: the signal, what was done, and which other utterances went into its noise."""

    signal: np.ndarray
    transform: str
    noise_sources: tuple = ()  # indices into the record list (babble talkers)


def _awgn_copies(ctx: AugmentationContext, rng: np.random.Generator) -> list[Augmented]:
    out = []
    for _ in range(2):
        snr = float(rng.uniform(15.0, 30.0))
        out.append(Augmented(add_white_noise(ctx.signal, snr, rng), f"awgn {snr:.2f} dB"))
    return out


def _ambient_copy(ctx: AugmentationContext, rng: np.random.Generator, low: float, high: float) -> Augmented:
    snr = float(rng.uniform(low, high))
    if ctx.ambient_pool:
        noise = ctx.ambient_pool[int(rng.integers(len(ctx.ambient_pool)))]
        return Augmented(add_noise_at_snr(ctx.signal, noise, snr, rng), f"ambient {snr:.2f} dB")
    pool = [ctx.records[i] for i in ctx.train_indices]
    others = len({r.speaker for r in pool} - {ctx.record.speaker})
    if others == 0:
        raise ValueError(f"babble for {ctx.record.path}: the training set has no speaker other than "
                         f"{ctx.record.speaker!r}; pass an ambient_pool (ESC-50) instead")
    # Small folds (few training speakers) get babble of as many other speakers as there are.
    chosen = choose_babble_talkers(ctx.record.speaker, pool, min(ctx.n_babble_talkers, others), rng)
    sources = tuple(int(ctx.train_indices[c]) for c in chosen)
    babble = babble_noise([ctx.signals[i] for i in sources], len(ctx.signal), rng)
    speakers = ",".join(ctx.records[i].speaker for i in sources)
    return Augmented(add_noise_at_snr(ctx.signal, babble, snr), f"babble {snr:.2f} dB ({speakers})", sources)


def _fla_ser_copies(ctx: AugmentationContext, rng: np.random.Generator) -> list[Augmented]:
    return [_ambient_copy(ctx, rng, 10.0, 20.0),
            Augmented(pitch_shift(ctx.signal, ctx.sr, 2.0), "pitch +2 st"),
            Augmented(pitch_shift(ctx.signal, ctx.sr, -2.0), "pitch -2 st")]


@dataclass(frozen=True)
class AugmentationPolicy:
    name: str
    description: str
    make_copies: Callable[[AugmentationContext, np.random.Generator], list[Augmented]]
    factor: int  # training-set size multiplier, the clean original included


POLICIES: dict[str, AugmentationPolicy] = {
    "cnn_transformer_awgn": AugmentationPolicy(
        "cnn_transformer_awgn", "clean + 2 copies with white Gaussian noise, SNR ~ U(15, 30) dB "
        "(cnn_transformer Section III-B 3)", _awgn_copies, 3),
    "fla_ser_x4": AugmentationPolicy(
        "fla_ser_x4", "clean + ambient noise (ESC-50 if given, else babble of 4 other training speakers) "
        "at SNR ~ U(10, 20) dB + pitch +2 and -2 semitones (fla_ser Section 3.1)", _fla_ser_copies, 4),
}


@dataclass
class AugmentedSet:
    """The expanded TRAINING set: originals first, then their copies, item by item."""

    signals: list[np.ndarray]
    source_index: np.ndarray  # index into the original records of each signal
    transform: list[str]  # "original" or the copy's description
    noise_sources: list[tuple] = field(default_factory=list)  # babble talkers per signal (indices)

    def labels(self, records: Sequence[Record]) -> list[str]:
        return [records[i].label for i in self.source_index]

    def __len__(self) -> int:
        return len(self.signals)


def _train_indices(split, n_records: int) -> np.ndarray:
    indices = np.asarray(getattr(split, "train", split), dtype=np.int64)
    if indices.ndim != 1 or indices.size == 0:
        raise ValueError("split must have a non-empty 1-D .train index array (or be one)")
    if indices.min() < 0 or indices.max() >= n_records:
        raise ValueError(f"training indices must lie in 0..{n_records - 1}, got {indices.min()}..{indices.max()}")
    if len(np.unique(indices)) != len(indices):
        raise ValueError("training indices contain duplicates")
    return indices


def augment_training_set(signals: Sequence[np.ndarray | None], records: Sequence[Record], split, policy: str,
                         seed: int = 0, sr: int = 16000, ambient_pool: Sequence[np.ndarray] | None = None,
                         n_babble_talkers: int = 4) -> AugmentedSet:
    """Expand ONLY the training items of ``split`` with a named policy (:data:`POLICIES`).

    Args:
        signals: one signal per record; only ``split.train`` positions are ever
            read (validation and test entries may be None).
        records: the corpus records, aligned with ``signals``.
        split: an object with a ``.train`` index array (serlib.data.splits.Split)
            or the index array itself.
        policy: "cnn_transformer_awgn" or "fla_ser_x4".
        seed: item i uses ``default_rng([seed, i])``.
        ambient_pool: ESC-50 noise signals for "fla_ser_x4"; None: babble of
            ``n_babble_talkers`` other TRAINING speakers (fewer when the fold has
            fewer; validation/test audio never enters the noise).

    Returns:
        :class:`AugmentedSet` of ``factor * len(split.train)`` signals.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown augmentation policy {policy!r}; known: {sorted(POLICIES)}")
    if len(signals) != len(records):
        raise ValueError(f"signals ({len(signals)}) and records ({len(records)}) must be aligned")
    spec = POLICIES[policy]
    train = _train_indices(split, len(records))
    out_signals, sources, transforms, noise_sources = [], [], [], []
    for index in train:
        signal = signals[index]
        if signal is None:
            raise ValueError(f"training item {index} ({records[index].path}) has no signal")
        ctx = AugmentationContext(int(index), records[index], np.asarray(signal, dtype=np.float32), sr, train,
                                  records, signals, ambient_pool, n_babble_talkers)
        rng = np.random.default_rng([seed, int(index)])
        out_signals.append(ctx.signal)
        sources.append(index)
        transforms.append("original")
        noise_sources.append(())
        for copy in spec.make_copies(ctx, rng):
            out_signals.append(copy.signal)
            sources.append(index)
            transforms.append(copy.transform)
            noise_sources.append(copy.noise_sources)
    return AugmentedSet(out_signals, np.asarray(sources, dtype=np.int64), transforms, noise_sources)
