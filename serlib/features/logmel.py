"""The papers' log-Mel front ends as named configurations, with a librosa and a batched torch path.

One frozen :class:`LogMelConfig` per front end, collected in
:data:`LOGMEL_CONFIGS`:

* ``course``: the course default for small models (16 kHz, 25/10 ms, 64 Mels, 2 s).
* ``cnn_transformer`` (paper 002): 48 kHz, 3 s from 0.5 s, FFT 1024, window
  512, hop 256, 128 Mels, dB, then a per-band StandardScaler fitted on train.
* ``dual_stream_caf`` (paper 004): 16 kHz, Hann, FFT 2048, hop 512, resized
  to a 224 x 224 image.
* ``fla_ser`` (paper 000): the hand-made chain of
  :mod:`serlib.features.preprocessing` (pre-emphasis, 30/10 ms symmetric
  Hamming, HTK Mel bank with peak-1 filters, log).

Two backends compute the same thing: :func:`logmel_librosa` (NumPy, one clip
at a time; the reference) and :func:`logmel_torch` (torchaudio's
``MelSpectrogram`` on a batch, on CPU or GPU, with librosa's filter bank). :func:`extract_logmel` loads
files, runs either backend and caches per file in
:mod:`serlib.features.cache` under a key covering config and backend.

Conventions shared by both backends (so they agree to float precision):

* Power spectrogram (|X|^2), Mel filters as the config says, then
  ``10 log10(max(S, amin))`` with ``amin = 1e-10``, reference 1.0 and no
  top-dB clipping: absolute levels, independent of the other clips in a
  batch. (torchaudio's ``AmplitudeToDB(top_db=...)`` clips against the
  maximum of the whole batch when given a 3-D batch, so the dB step is done
  by hand.)
* ``center=True`` pads ``n_fft // 2`` zeros at both ends (``pad_mode``
  "constant", librosa's default since 0.10; torch's default would reflect).
* ``center=False`` frames like fla_ser Eq. 3: frame n is the window of
  ``win_length`` samples starting at ``n * hop``. STFTs centre a shorter
  window inside ``n_fft``, so both backends first pad ``(n_fft - win) // 2``
  zeros at both ends of the signal.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..audio import fix_length, load_audio
from .cache import FeatureCache
from .preprocessing import FLA_SER_MU, LOG_FLOOR, frame_parameters

BACKENDS = ("librosa", "torch")
#: Bumped when the extraction code changes in a way that changes its output (part of the cache key).
EXTRACTOR_VERSION = 1


@dataclass(frozen=True)
class LogMelConfig:
    """All parameters of a log-Mel front end; the cache key is built from them.

    Attributes:
        name: the configuration's name (a key of :data:`LOGMEL_CONFIGS` for the built-in ones).
        sample_rate: audio is resampled to this rate on loading.
        n_fft, win_length, hop_length: STFT sizes in samples.
        n_mels, fmin, fmax: Mel bank (fmax None = sample_rate / 2).
        window: "hann" or "hamming"; ``window_periodic`` picks the DFT-even
            (periodic) or symmetric form.
        mel_scale, mel_norm: "slaney"/"htk" scale and "slaney"/None filter area
            normalisation (librosa's ``htk`` and ``norm``).
        center, pad_mode: STFT framing (see the module docstring).
        preemphasis: pre-emphasis coefficient mu (fla_ser Eq. 1), 0 = none.
        offset_s, duration_s: seconds skipped and kept when loading; duration
            None keeps the whole file (then ``resize`` must be set to stack clips).
        resize: (height, width) bilinear resize of the log-Mel image, or None.
        source: where the numbers come from (paper and section).
    """

    name: str
    sample_rate: int
    n_fft: int
    win_length: int
    hop_length: int
    n_mels: int
    fmin: float = 0.0
    fmax: float | None = None
    window: str = "hann"
    window_periodic: bool = True
    mel_scale: str = "slaney"
    mel_norm: str | None = "slaney"
    center: bool = True
    pad_mode: str = "constant"
    preemphasis: float = 0.0
    amin: float = LOG_FLOOR
    offset_s: float = 0.0
    duration_s: float | None = 2.0
    resize: tuple | None = None
    # fla_ser Eqs. 4-6: trim the clip to the span from the first to the last detected speech segment
    # (double-threshold endpoint detection on the loaded signal) before padding to ``duration_s``.
    endpoint_detection: bool = False
    source: str = ""

    def __post_init__(self):
        problems = []
        if self.sample_rate <= 0:
            problems.append(f"sample_rate must be positive, got {self.sample_rate}")
        if not 0 < self.win_length <= self.n_fft:
            problems.append(f"win_length must be in (0, n_fft={self.n_fft}], got {self.win_length}")
        if self.hop_length <= 0:
            problems.append(f"hop_length must be positive, got {self.hop_length}")
        if self.n_mels <= 0:
            problems.append(f"n_mels must be positive, got {self.n_mels}")
        if self.window not in ("hann", "hamming"):
            problems.append(f"window must be 'hann' or 'hamming', got {self.window!r}")
        if self.mel_scale not in ("slaney", "htk"):
            problems.append(f"mel_scale must be 'slaney' or 'htk', got {self.mel_scale!r}")
        if self.mel_norm not in ("slaney", None):
            problems.append(f"mel_norm must be 'slaney' or None, got {self.mel_norm!r}")
        if self.pad_mode not in ("constant", "reflect"):
            problems.append(f"pad_mode must be 'constant' or 'reflect', got {self.pad_mode!r}")
        if not 0.0 <= self.preemphasis < 1.0:
            problems.append(f"preemphasis must be in [0, 1), got {self.preemphasis}")
        if self.fmax is not None and not self.fmin < self.fmax <= self.sample_rate / 2:
            problems.append(f"fmax must be in (fmin, sample_rate/2], got {self.fmax}")
        if self.offset_s < 0:
            problems.append(f"offset_s must be >= 0, got {self.offset_s}")
        if self.duration_s is not None and self.duration_s <= 0:
            problems.append(f"duration_s must be positive or None, got {self.duration_s}")
        if self.resize is not None and (len(self.resize) != 2 or min(self.resize) <= 0):
            problems.append(f"resize must be (height, width) with positive sizes, got {self.resize}")
        if problems:
            raise ValueError(f"LogMelConfig {self.name!r}: " + "; ".join(problems))

    @property
    def num_samples(self) -> int | None:
        """Samples per clip after :func:`load_for_config` (None when the duration is free)."""
        return None if self.duration_s is None else int(round(self.duration_s * self.sample_rate))

    def num_frames(self, num_samples: int | None = None) -> int:
        """STFT frames for a clip of ``num_samples`` (default: the config's fixed length)."""
        num_samples = self.num_samples if num_samples is None else int(num_samples)
        if num_samples is None:
            raise ValueError(f"config {self.name!r} has no fixed duration: pass num_samples")
        if self.center:
            return 1 + num_samples // self.hop_length
        if num_samples < self.win_length:
            raise ValueError(f"{num_samples} samples is shorter than one window of {self.win_length}")
        return 1 + (num_samples - self.win_length) // self.hop_length

    def output_shape(self, num_samples: int | None = None) -> tuple[int, int]:
        """(n_mels, frames) of one clip, or the resize target when the config resizes."""
        if self.resize is not None:
            return tuple(int(v) for v in self.resize)
        return self.n_mels, self.num_frames(num_samples)

    def replace(self, **changes) -> "LogMelConfig":
        """A copy with some fields changed (a new config, so a new cache key)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _fla_ser_config() -> LogMelConfig:
    win, hop = frame_parameters(16000)
    return LogMelConfig(
        name="fla_ser", sample_rate=16000, n_fft=int(2 ** np.ceil(np.log2(win))), win_length=win, hop_length=hop,
        n_mels=64, window="hamming", window_periodic=False, mel_scale="htk", mel_norm=None, center=False,
        preemphasis=FLA_SER_MU, duration_s=2.0, endpoint_detection=True,
        source="fla_ser Section 2.1, Eqs. 1-8 in the paper's order (Fig. 1): endpoint detection (Eqs. 4-6, "
               "double threshold on short-time energy and zero-crossing rate) trims each clip to its speech span, "
               "then mu 0.9375, 30/10 ms Hamming (Eq. 2 is the symmetric window), Mel scale of Eq. 7 (HTK), "
               "peak-1 triangular filters (Eq. 8). Not stated, chosen: 16 kHz, K = 512 (next power of two above "
               "480 samples), 64 filters, trimmed clips zero padded (or cut) to 2 s so that they stack.")


#: The named front ends of the course and the papers.
LOGMEL_CONFIGS: dict[str, LogMelConfig] = {
    "course": LogMelConfig(
        name="course", sample_rate=16000, n_fft=512, win_length=400, hop_length=160, n_mels=64, duration_s=2.0,
        source="course default for small models: 25 ms Hann window, 10 ms hop, 64 Slaney Mels, 2 s "
               "(the EmoDB stand-in's length)."),
    "cnn_transformer": LogMelConfig(
        name="cnn_transformer", sample_rate=48000, n_fft=1024, win_length=512, hop_length=256, n_mels=128,
        offset_s=0.5, duration_s=3.0,
        source="cnn_transformer III.B: librosa at 48 kHz, 3 s from a 0.5 s offset, zero padded to 3 x 48000, "
               "1024-point FFT, frame 512, hop 256, 128 Mel filters, log power; window and Mel scale unstated, "
               "librosa's defaults taken (periodic Hann, Slaney scale and norm)."),
    "dual_stream_caf": LogMelConfig(
        name="dual_stream_caf", sample_rate=16000, n_fft=2048, win_length=2048, hop_length=512, n_mels=128,
        duration_s=None, resize=(224, 224),
        source="dual_stream_caf Section 4.1: 16 kHz utterances, Hanning window, DFT length 2048, hop 512 "
               "(printed '512 ms', read as samples), image 224 x 224. Number of Mels unstated: librosa's default "
               "128, then bilinear resize (torch.nn.functional.interpolate, align_corners=False) to 224 x 224."),
    "fla_ser": _fla_ser_config(),
}


def get_config(config) -> LogMelConfig:
    """A :class:`LogMelConfig` from itself or from its name in :data:`LOGMEL_CONFIGS`."""
    if isinstance(config, LogMelConfig):
        return config
    if isinstance(config, str) and config in LOGMEL_CONFIGS:
        return LOGMEL_CONFIGS[config]
    raise ValueError(f"config must be a LogMelConfig or one of {sorted(LOGMEL_CONFIGS)}, got {config!r}")


def window_array(config: LogMelConfig) -> np.ndarray:
    """The analysis window of ``config`` (length ``win_length``) as SciPy builds it."""
    from scipy.signal import get_window

    return get_window(config.window, config.win_length, fftbins=config.window_periodic)


def _frame_padding(config: LogMelConfig) -> int:
    return 0 if config.center else (config.n_fft - config.win_length) // 2


def mel_filters(config) -> np.ndarray:
    """The Mel filter bank of ``config``, ``(n_mels, n_fft // 2 + 1)`` float64, from librosa."""
    import librosa

    config = get_config(config)
    return librosa.filters.mel(sr=config.sample_rate, n_fft=config.n_fft, n_mels=config.n_mels, fmin=config.fmin,
                               fmax=config.fmax, htk=config.mel_scale == "htk", norm=config.mel_norm,
                               dtype=np.float64)


# --------------------------------------------------------------------------- librosa backend
def logmel_librosa(signal, config) -> np.ndarray:
    """Log-Mel spectrogram of one clip with librosa: ``(n_mels, frames)`` (or the resize shape).

    Computed in float64 for a float64 signal, else in float32 (as loaded).
    """
    import librosa

    config = get_config(config)
    y = np.asarray(signal)
    y = y.astype(np.float64 if y.dtype == np.float64 else np.float32, copy=False)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"signal must be a non-empty 1-D array, got shape {y.shape}")
    if config.preemphasis:
        y = librosa.effects.preemphasis(y, coef=config.preemphasis, zi=[0.0])
    pad = _frame_padding(config)
    if pad:
        y = np.pad(y, pad)
    if not config.center and y.size < config.n_fft:
        raise ValueError(f"signal of {signal.shape[-1]} samples is shorter than one window ({config.win_length})")
    mel = librosa.feature.melspectrogram(
        y=y, sr=config.sample_rate, n_fft=config.n_fft, hop_length=config.hop_length,
        win_length=config.win_length, window=window_array(config), center=config.center,
        pad_mode=config.pad_mode, power=2.0, n_mels=config.n_mels, fmin=config.fmin, fmax=config.fmax,
        htk=config.mel_scale == "htk", norm=config.mel_norm)
    db = librosa.power_to_db(mel, ref=1.0, amin=config.amin, top_db=None)
    if config.resize is not None:
        import torch

        db = resize_spectrogram(torch.from_numpy(np.ascontiguousarray(db))[None], config.resize)[0].numpy()
    return db.astype(y.dtype, copy=False)


# --------------------------------------------------------------------------- torch backend
_TORCH_TRANSFORMS: dict = {}


def _mel_transform(config: LogMelConfig, device, dtype):
    import torch
    import torchaudio

    key = (config, str(device), dtype)
    if key not in _TORCH_TRANSFORMS:
        window_fn = torch.hann_window if config.window == "hann" else torch.hamming_window
        transform = torchaudio.transforms.MelSpectrogram(
            sample_rate=config.sample_rate, n_fft=config.n_fft, win_length=config.win_length,
            hop_length=config.hop_length, f_min=config.fmin, f_max=config.fmax, n_mels=config.n_mels,
            window_fn=window_fn, wkwargs={"periodic": config.window_periodic}, power=2.0, center=config.center,
            pad_mode=config.pad_mode, norm=config.mel_norm, mel_scale=config.mel_scale)
        # torchaudio builds its filters in float32 (about 2.5e-6 of the peak away from librosa's,
        # up to 1e-3 dB in quiet bands); using librosa's float64 bank leaves the STFT as the
        # only difference between the two backends.
        transform.mel_scale.fb = torch.from_numpy(mel_filters(config).T.copy())
        # Likewise its window is made in float32; its rounding error leaks loud bins into quiet ones.
        transform.spectrogram.window = torch.from_numpy(window_array(config))
        _TORCH_TRANSFORMS[key] = transform.to(device=device, dtype=dtype)
    return _TORCH_TRANSFORMS[key]


def logmel_torch(batch, config, device=None, dtype=None):
    """Log-Mel spectrograms of a batch with torchaudio: ``(B, n_mels, frames)`` tensor on ``device``.

    ``batch`` is a ``(B, samples)`` array or tensor of equal-length clips (a
    1-D signal is treated as a batch of one). ``device`` defaults to the
    batch's device if it is a tensor, else CUDA when available, else CPU;
    ``dtype`` defaults to the batch's own float type (float32 for any other
    type). In float64 it reproduces :func:`logmel_librosa` on a float64
    signal to below 1e-5 dB; in float32 the two differ by FFT rounding only
    (under 1e-3 dB except in bands 80 dB or more below the frame's peak).
    """
    import torch

    config = get_config(config)
    if isinstance(batch, torch.Tensor):
        tensor = batch
        device = tensor.device if device is None else torch.device(device)
    else:
        tensor = torch.from_numpy(np.ascontiguousarray(batch))
        device = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = dtype or (tensor.dtype if tensor.dtype in (torch.float32, torch.float64) else torch.float32)
    if tensor.ndim == 1:
        tensor = tensor[None]
    if tensor.ndim != 2 or tensor.shape[0] == 0 or tensor.shape[1] == 0:
        raise ValueError(f"batch must be (B, samples) with B, samples > 0, got shape {tuple(tensor.shape)}")
    x = tensor.to(device=device, dtype=dtype)
    if config.preemphasis:
        x = torch.cat([x[:, :1], x[:, 1:] - config.preemphasis * x[:, :-1]], dim=1)
    pad = _frame_padding(config)
    if pad:
        x = torch.nn.functional.pad(x, (pad, pad))
    if not config.center and x.shape[1] < config.n_fft:
        raise ValueError(f"clips of {tensor.shape[1]} samples are shorter than one window ({config.win_length})")
    mel = _mel_transform(config, device, dtype)(x)
    db = 10.0 * torch.log10(torch.clamp(mel, min=config.amin))
    if config.resize is not None:
        db = resize_spectrogram(db, config.resize)
    return db


def resize_spectrogram(spectrograms, size):
    """Bilinear resize of ``(B, n_mels, frames)`` spectrograms to ``(B, height, width)``.

    dual_stream_caf Section 4.1 only says the log-Mel image is 224 x 224; the
    course resizes with ``torch.nn.functional.interpolate(mode="bilinear",
    align_corners=False)`` (no antialiasing), the usual image resize, for
    both backends so they agree.
    """
    import torch

    if spectrograms.ndim != 3:
        raise ValueError(f"spectrograms must be (B, n_mels, frames), got shape {tuple(spectrograms.shape)}")
    height, width = (int(v) for v in size)
    resized = torch.nn.functional.interpolate(spectrograms[:, None], size=(height, width), mode="bilinear",
                                              align_corners=False)
    return resized[:, 0]


# --------------------------------------------------------------------------- loading and extraction
def load_for_config(path, config) -> np.ndarray:
    """Load a file as ``config`` wants it: its sample rate, from ``offset_s``, exactly ``duration_s`` long.

    Shorter clips are zero-padded at the end (cnn_transformer: "padded to a
    fixed length L = 3 x 48,000, with zeros"); a free duration keeps the
    whole file from the offset.
    """
    config = get_config(config)
    # With endpoint detection the speech span may lie anywhere in the file: read it whole, trim, then fix length.
    duration = None if config.endpoint_detection else config.duration_s
    signal, _ = load_audio(path, sr=config.sample_rate, offset=config.offset_s, duration=duration)
    if config.endpoint_detection:
        signal = trim_to_speech(signal, config.sample_rate)
    if config.num_samples is not None:
        signal = fix_length(signal, config.num_samples)
    return signal


def trim_to_speech(signal: np.ndarray, sr: int) -> np.ndarray:
    """fla_ser Eqs. 4-6 as a front-end step: keep the span from the first to the last detected speech segment.

    The double-threshold detector (:func:`serlib.features.preprocessing.detect_endpoints`,
    its default thresholds) runs on the signal as loaded; pauses INSIDE the span are
    kept, so the utterance's rhythm survives. A clip in which nothing is detected is
    returned unchanged (the detector's thresholds are relative, so this happens only
    for near-constant signals).
    """
    from .preprocessing import detect_endpoints

    detection = detect_endpoints(signal, sr)
    if not detection.segments:
        return signal
    start = detection.segments[0].start_sample
    end = min(detection.segments[-1].end_sample, len(signal))
    return signal[start:end]


def logmel_cache(config, backend: str, root=None) -> FeatureCache:
    """The :class:`FeatureCache` of one (config, backend) pair; its key covers every config field."""
    config = get_config(config)
    _check_backend(backend)
    key = dict(config.as_dict(), backend=backend, extractor_version=EXTRACTOR_VERSION)
    return FeatureCache(f"logmel-{config.name}-{backend}", key, root)


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")


def extract_logmel(paths: Sequence, config, backend: str = "librosa", batch_size: int = 64, device=None,
                   use_cache: bool = True, progress: bool = False, cache_root=None, return_stats: bool = False):
    """Log-Mel features of many files: ``(N, n_mels, frames)`` float32 (or ``(N, *resize)``).

    Args:
        paths: audio files (WAV/FLAC).
        config: a :class:`LogMelConfig` or the name of one in :data:`LOGMEL_CONFIGS`.
        backend: "librosa" (one clip at a time, NumPy) or "torch" (torchaudio, batched).
        batch_size: clips per torch batch.
        device: torch device for the "torch" backend (default CUDA when available).
        use_cache: read and fill the on-disk cache (key: config + backend).
        progress: show a tqdm bar.
        cache_root: cache folder (default ``settings.cache_dir() / "features"``).
        return_stats: also return ``{"hits": ..., "computed": ...}``.
    """
    config = get_config(config)
    _check_backend(backend)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError("paths is empty: nothing to extract")
    if config.duration_s is None and config.resize is None:
        raise ValueError(f"config {config.name!r} has free duration and no resize: the clips cannot be stacked")
    cache = logmel_cache(config, backend, cache_root) if use_cache else None
    features: list = [cache.get(p) if cache is not None else None for p in paths]
    missing = [i for i, value in enumerate(features) if value is None]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(missing), desc=f"log-Mel {config.name} ({backend})", leave=False)
    for start in range(0, len(missing), batch_size if backend == "torch" else 1):
        chunk = missing[start:start + (batch_size if backend == "torch" else 1)]
        signals = [load_for_config(paths[i], config) for i in chunk]
        if backend == "librosa":
            computed = [logmel_librosa(signals[0], config)]
        else:
            computed = _torch_in_equal_length_groups(signals, config, device)
        for i, value in zip(chunk, computed):
            features[i] = value
            if cache is not None:
                cache.put(paths[i], value)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    stacked = np.stack(features).astype(np.float32, copy=False)
    if return_stats:
        return stacked, {"hits": len(paths) - len(missing), "computed": len(missing)}
    return stacked


def _torch_in_equal_length_groups(signals: list, config: LogMelConfig, device) -> list:
    """Run :func:`logmel_torch` on clips of equal length together (free-duration configs mix lengths)."""
    outputs: list = [None] * len(signals)
    by_length: dict[int, list[int]] = {}
    for index, signal in enumerate(signals):
        by_length.setdefault(signal.shape[-1], []).append(index)
    for indices in by_length.values():
        batch = np.stack([signals[i] for i in indices])
        result = logmel_torch(batch, config, device=device).cpu().numpy().astype(np.float32)
        for i, value in zip(indices, result):
            outputs[i] = value
    return outputs


# --------------------------------------------------------------------------- standardisation
def fit_standardizer(train) -> tuple[np.ndarray, np.ndarray]:
    """Per-band mean and standard deviation of training features ``(N, n_mels, frames)``.

    cnn_transformer III.D: "Inputs to the model were standardized using
    StandardScaler, fitted on the training set". The paper does not say over
    which axis; per Mel band (pooled over clips and frames) is the reading
    that keeps the spectrogram's time axis free. Same as scikit-learn's
    ``StandardScaler`` on the ``(N * frames, n_mels)`` matrix: population std,
    and a band with zero spread gets std 1 (left unscaled).
    """
    train = np.asarray(train, dtype=np.float64)
    if train.ndim != 3 or train.shape[0] == 0:
        raise ValueError(f"train must be a non-empty (N, n_mels, frames) array, got shape {train.shape}")
    pooled = np.moveaxis(train, 1, -1).reshape(-1, train.shape[1])
    mean = pooled.mean(axis=0)
    std = pooled.std(axis=0)
    std[std == 0] = 1.0
    return mean, std


def apply_standardizer(features, mean, std) -> np.ndarray:
    """``(features - mean) / std`` per band, for ``(N, n_mels, frames)`` or ``(n_mels, frames)`` features."""
    features = np.asarray(features)
    mean = np.asarray(mean)
    std = np.asarray(std)
    band_axis = features.ndim - 2
    if features.ndim not in (2, 3) or features.shape[band_axis] != mean.shape[0] or mean.shape != std.shape:
        raise ValueError(f"features {features.shape} do not match standardizer of {mean.shape[0]} bands")
    shape = (-1, 1)
    return ((features - mean.reshape(shape)) / std.reshape(shape)).astype(np.float32)
