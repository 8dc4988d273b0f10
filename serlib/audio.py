"""Audio loading, resampling and validation: the first step of the pipeline.

Every corpus file enters the course through :func:`load_audio`. It reads WAV or
FLAC with ``soundfile`` (torchaudio 2.9+ has no I/O backends of its own), mixes
down to mono, resamples with ONE documented resampler and validates the
result. A bad file raises :class:`AudioError` whose message names the file and
the problem, never a traceback from deep inside a library.

The resampler is ``soxr`` at "HQ" quality (the one librosa uses by default):
a band-limited polyphase filter, so resampling 48 kHz RAVDESS to 16 kHz does
not alias. :func:`resample` is the only place that changes a sample rate.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUPPORTED_SUFFIXES = (".wav", ".flac")
RESAMPLER = "soxr_hq"
SILENCE_PEAK = 1e-5  # below -100 dBFS peak, a clip carries no usable speech


class AudioError(ValueError):
    """A file that cannot be used as speech audio; the message names file and problem."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class AudioInfo:
    path: str
    sample_rate: int
    channels: int
    frames: int
    format: str

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"audio path must be a str or os.PathLike, got {type(path).__name__}: {path!r}")
    path = Path(path)
    if not path.exists():
        raise AudioError(path, "file does not exist")
    if path.is_dir():
        raise AudioError(path, "is a directory, not an audio file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise AudioError(path, f"unsupported extension {path.suffix!r}; expected one of {SUPPORTED_SUFFIXES}")
    if path.stat().st_size == 0:
        raise AudioError(path, "file is empty (0 bytes)")
    return path


def audio_info(path) -> AudioInfo:
    """Header information (rate, channels, frames) without decoding the samples."""
    import soundfile as sf

    path = _check_path(path)
    try:
        info = sf.info(str(path))
    except Exception as exc:  # soundfile raises LibsndfileError/RuntimeError with C-level text
        raise AudioError(path, f"unreadable or corrupt audio header ({exc})") from None
    return AudioInfo(str(path), int(info.samplerate), int(info.channels), int(info.frames), info.format)


def resample(signal: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample a 1-D signal with soxr HQ (the course's single resampler)."""
    if orig_sr <= 0 or target_sr <= 0:
        raise ValueError(f"sample rates must be positive, got {orig_sr} -> {target_sr}")
    signal = np.asarray(signal, dtype=np.float32)
    if orig_sr == target_sr:
        return signal
    import soxr

    return soxr.resample(signal, orig_sr, target_sr, quality="HQ").astype(np.float32)


def validate_signal(signal: np.ndarray, path="<array>", allow_silence: bool = False) -> np.ndarray:
    """Raise :class:`AudioError` for empty, non-finite or silent signals."""
    if signal.size == 0:
        raise AudioError(path, "contains no samples")
    if not np.all(np.isfinite(signal)):
        bad = int(np.count_nonzero(~np.isfinite(signal)))
        raise AudioError(path, f"contains {bad} NaN/inf samples")
    if not allow_silence and float(np.max(np.abs(signal))) < SILENCE_PEAK:
        raise AudioError(path, f"is silent (peak amplitude below {SILENCE_PEAK:g})")
    return signal


def load_audio(path, sr: int | None = 16000, mono: bool = True, offset: float = 0.0,
               duration: float | None = None, allow_silence: bool = False) -> tuple[np.ndarray, int]:
    """Load a WAV/FLAC file as float32 in [-1, 1].

    Args:
        path: file path (str or PathLike).
        sr: target sample rate; ``None`` keeps the file's own rate.
        mono: average the channels (mix-down) when True; else return (channels, samples).
        offset, duration: seconds to skip and to keep (paper 002 reads 3 s from 0.5 s).
        allow_silence: accept an all-silent clip (padding tests) instead of raising.

    Returns:
        (signal, sample_rate)
    """
    import soundfile as sf

    info = audio_info(path)
    start = int(round(offset * info.sample_rate))
    stop = None if duration is None else start + int(round(duration * info.sample_rate))
    try:
        data, file_sr = sf.read(info.path, start=start, stop=stop, dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioError(info.path, f"cannot decode samples, the file is truncated or corrupt ({exc})") from None
    if data.shape[0] == 0 and info.frames > 0 and start >= info.frames:
        raise AudioError(info.path, f"offset {offset} s is past the end ({info.duration:.3f} s)")
    signal = data.mean(axis=1) if mono else data.T
    validate_signal(signal, info.path, allow_silence=allow_silence)
    if sr is not None and sr != file_sr:
        if mono:
            signal = resample(signal, file_sr, sr)
        else:
            signal = np.stack([resample(ch, file_sr, sr) for ch in signal])
        file_sr = sr
    return np.ascontiguousarray(signal, dtype=np.float32), int(file_sr)


def save_audio(path, signal: np.ndarray, sr: int, subtype: str = "PCM_16") -> Path:
    """Write a mono or (channels, samples) signal as WAV/FLAC, creating parent folders."""
    import soundfile as sf

    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise AudioError(path, f"unsupported extension {path.suffix!r}; expected one of {SUPPORTED_SUFFIXES}")
    signal = np.asarray(signal, dtype=np.float32)
    validate_signal(signal, path, allow_silence=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), signal.T if signal.ndim == 2 else signal, sr, subtype=subtype)
    return path


def fix_length(signal: np.ndarray, length: int) -> np.ndarray:
    """Zero-pad at the end or cut to exactly ``length`` samples."""
    if signal.shape[-1] >= length:
        return signal[..., :length]
    pad = [(0, 0)] * (signal.ndim - 1) + [(0, length - signal.shape[-1])]
    return np.pad(signal, pad)
