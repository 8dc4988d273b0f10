"""The raw-waveform reading of wavelet_cnn_lstm (Sections 3.2.1, 3.4, 4.4): RMS-normalised 8-s vectors.

The paper: "the input raw audio signal at a sampling rate of 16 kHz as a
vector of 128000 bits" (Sec. 3.2.1); "we normalize the signal values using the
root-mean-square energy" and "pad or offset the input vector to ensure that all
inputs are of the same length, which is 8 seconds of audio. A random amount is
added to the ends of audio vectors with lengths less than 128000, and a random
amount is subtracted from the ends of audio vectors with lengths greater than
128000" (Sec. 3.4); "learn features directly from the raw speech signal"
(Sec. 4.4).

Order: RMS normalisation on the clip's own samples, THEN padding or cropping
(so the zeros do not change the RMS). Training draws the pad split or the crop
offset from a seeded generator; evaluation uses a deterministic rule
(``eval_alignment``: "left" = speech first, zeros after; "centre" = equal
zeros on both sides). Every function has the ``(signal, sr, config) -> array``
form the front-end registry calls, and a mask of valid (non-padded) samples
comes with the vector so a model or a notebook can tell speech from padding.

The stand-ins are 2.0 s (EmoDB) and 2.389 s (RAVDESS): in an 8-s vector they
fill 25 % and 30 %; the other 75 % and 70 % are zeros (:func:`padding_share`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

ALIGNMENTS = ("left", "centre", "random")


@dataclass(frozen=True)
class WaveformConfig:
    """Parameters of the raw-waveform front end (wavelet_cnn_lstm Sec. 3.4).

    ``sample_rate=16000`` and ``duration_s=8.0`` (128 000 samples) as printed;
    ``rms_target=1.0``: the paper names RMS normalisation but no target level,
    unit RMS is the plain reading. ``train_alignment="random"`` (the paper's
    "random amount"), ``eval_alignment="left"`` (not stated; the clip starts at
    sample 0 as in the file, zeros after it).
    """

    sample_rate: int = 16000
    duration_s: float = 8.0
    rms_target: float = 1.0
    train_alignment: str = "random"
    eval_alignment: str = "left"

    def __post_init__(self):
        if self.sample_rate <= 0 or self.duration_s <= 0 or self.rms_target <= 0:
            raise ValueError(f"WaveformConfig: sample_rate, duration_s and rms_target must be positive, got "
                             f"{self.sample_rate}, {self.duration_s}, {self.rms_target}")
        for name in ("train_alignment", "eval_alignment"):
            if getattr(self, name) not in ALIGNMENTS:
                raise ValueError(f"WaveformConfig.{name} must be one of {ALIGNMENTS}, got {getattr(self, name)!r}")

    @property
    def num_samples(self) -> int:
        return int(round(self.duration_s * self.sample_rate))

    def as_dict(self) -> dict:
        return asdict(self)


PAPER_WAVEFORM = WaveformConfig()


def rms(signal: np.ndarray) -> float:
    """Root-mean-square of the samples: ``sqrt(mean(x_i^2))`` (the paper's Eqs. 1-4 computed on the signal)."""
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"rms: signal must be a non-empty 1-D array, got shape {signal.shape}")
    return float(np.sqrt(np.mean(signal ** 2)))


def rms_normalise(signal: np.ndarray, target: float = 1.0) -> np.ndarray:
    """wavelet_cnn_lstm Section 3.4: scale the signal to RMS ``target`` ("each audio file has a unique volume level").

    The paper's printed Eqs. 1-4 are the RMSE of a prediction (Error = Actual -
    Predicted); what it describes is the RMS energy of the samples, "X2i ...
    i-th sample energy ... n the signal's length", which is what we use:
    ``x * target / sqrt(mean(x^2))``. An all-zero signal raises ValueError.
    """
    value = rms(signal)
    if value == 0:
        raise ValueError("rms_normalise: the signal is all zeros, its RMS level cannot be normalised")
    return (np.asarray(signal, dtype=np.float64) * (target / value)).astype(np.float32)


def fix_length_with_mask(signal: np.ndarray, length: int, alignment: str = "left",
                         rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """wavelet_cnn_lstm Section 3.4: pad with zeros or crop to exactly ``length`` samples; return (vector, valid mask).

    ``alignment``: "left" (pad after / keep the first ``length`` samples),
    "centre" (pad equally on both sides, the extra zero at the end / keep the
    middle, the extra sample cut at the end), "random" (the paper's training
    rule: the zeros are split at a random point, or a random stretch of
    ``length`` samples is kept; needs ``rng``). The mask is True on the
    samples that come from the signal.
    """
    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"fix_length_with_mask: signal must be a non-empty 1-D array, got shape {signal.shape}")
    if length < 1:
        raise ValueError(f"fix_length_with_mask: length must be >= 1, got {length}")
    if alignment not in ALIGNMENTS:
        raise ValueError(f"fix_length_with_mask: alignment must be one of {ALIGNMENTS}, got {alignment!r}")
    if alignment == "random" and rng is None:
        raise ValueError("fix_length_with_mask: alignment='random' needs a numpy Generator (rng)")
    difference = length - signal.size
    if alignment == "left":
        shift = 0
    elif alignment == "centre":
        shift = abs(difference) // 2
    else:
        shift = int(rng.integers(0, abs(difference) + 1))
    vector = np.zeros(length, dtype=np.float32)
    mask = np.zeros(length, dtype=bool)
    if difference >= 0:
        vector[shift:shift + signal.size] = signal
        mask[shift:shift + signal.size] = True
    else:
        vector[:] = signal[shift:shift + length]
        mask[:] = True
    return vector, mask


def waveform_with_mask(signal: np.ndarray, sr: int, config: WaveformConfig = PAPER_WAVEFORM,
                       rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """wavelet_cnn_lstm Section 3.4: resample to 16 kHz, RMS-normalise, pad or crop to 8 s; ``((1, 128000), mask)``.

    With ``rng`` the training alignment applies (random by default), without
    it the deterministic evaluation alignment. Resampling uses
    :func:`serlib.audio.resample` (soxr HQ).
    """
    from ..audio import resample

    alignment = config.train_alignment if rng is not None else config.eval_alignment
    normalised = rms_normalise(resample(np.asarray(signal, dtype=np.float32), sr, config.sample_rate),
                               config.rms_target)
    vector, mask = fix_length_with_mask(normalised, config.num_samples, alignment, rng)
    return vector[None], mask


def waveform_input(signal: np.ndarray, sr: int, config: WaveformConfig = PAPER_WAVEFORM,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """wavelet_cnn_lstm Section 3.4: the ``(1, 128000)`` model input of one clip (:func:`waveform_with_mask` without the mask)."""
    return waveform_with_mask(signal, sr, config, rng)[0]


def padding_share(clip_seconds: float, config: WaveformConfig = PAPER_WAVEFORM) -> float:
    """Share of the fixed-length vector that is zero padding for a clip of ``clip_seconds`` (0 when cropped)."""
    if clip_seconds < 0:
        raise ValueError(f"padding_share: clip_seconds must be >= 0, got {clip_seconds}")
    return max(0.0, 1.0 - clip_seconds / config.duration_s)


#: The stand-in corpora (shared/data/README.md) and the official releases' clip lengths.
CLIP_SECONDS = {"emodb-standin": 2.0, "ravdess-standin": 2.389}
RELEASE_SECONDS = {"emodb": (1.2, 9.0), "ravdess": (3.0, 5.0)}


def standin_differences(config: WaveformConfig = PAPER_WAVEFORM, pooled_steps: int | None = None) -> list[dict]:
    """What the 8-s vector means for each stand-in, as rows (``corpus``, ``clip_s``, ``padding_share``, ``effect``).

    ``pooled_steps``: the model's sequence length for one 8-s vector (e.g.
    ``WaveletCNNLSTM(..., dims=1).pooled_size(128000)``), to say how many LSTM
    steps see only padding under the deterministic left alignment.
    """
    rows = []
    for corpus, seconds in CLIP_SECONDS.items():
        share = padding_share(seconds, config)
        effect = (f"{100 * share:.1f} % of the {config.duration_s:g}-s vector is zeros; in training the clip sits at "
                  f"a random offset, in evaluation at the {config.eval_alignment}")
        if pooled_steps:
            padded = int(pooled_steps * share)
            effect += (f"; about {padded} of {pooled_steps} LSTM steps follow the speech and see only padding "
                       "(forward(x, lengths=...) or summary='mean' are the switches)")
        rows.append({"corpus": corpus, "clip_s": seconds, "padding_share": share, "effect": effect})
    for corpus, (low, high) in RELEASE_SECONDS.items():
        rows.append({"corpus": f"{corpus} (official release)", "clip_s": f"{low:g}-{high:g}",
                     "padding_share": f"{100 * padding_share(high, config):.0f}-{100 * padding_share(low, config):.0f} %",
                     "effect": ("every clip padded" if high <= config.duration_s else
                                f"clips longer than {config.duration_s:g} s are cropped at a random (training) or "
                                f"{config.eval_alignment} (evaluation) position")})
    return rows
