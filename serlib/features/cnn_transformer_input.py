"""The cnn_transformer input pipeline (Section III-B) and how the 16 kHz, 2.4-s stand-in changes it.

Paper (cnn_transformer III-B), in order:

1. signal normalisation: librosa at 48 kHz, "A 3-second segment ... (starting
   from a 0.5-second offset)", zero padded to ``L = 3 x 48,000``
   (:func:`crop_and_pad`);
2. dataset splitting: per emotion 80/10/10 (``stratified_80_10_10`` in
   :mod:`serlib.data.splits`);
3. augmentation of the TRAINING subset only, before feature extraction: two
   white-Gaussian-noise copies at an SNR drawn from U(15, 30) dB (policy
   ``"cnn_transformer_awgn"`` of :mod:`serlib.augment`); the noise is added to
   the cropped and padded signal, so the padded tail gets noise too;
4. log-Mel: FFT 1024, frame 512, hop 256, 128 Mel filters, log power
   (:data:`serlib.features.logmel.LOGMEL_CONFIGS` ``["cnn_transformer"]``);
5. "StandardScaler, fitted on the training set" (:func:`fit_scaler`; the
   axis is not stated, so it is a switch).

The stand-in clips are 16 kHz and only their first 2.389 s. Two adaptations
are offered (:data:`STANDIN_CONFIGS`), and :func:`standin_differences` lists
every parameter that differs from the paper and what it does to the input,
computed from the configs (a notebook prints it):

* ``cnn_transformer_standin_16k`` (default): analyse at 16 kHz, keep the
  paper's FFT point count (1024) and its window and hop DURATIONS (512 and 256
  samples at 48 kHz = 10.67 ms and 5.33 ms -> 171 and 85 samples at 16 kHz),
  128 Mel bands over 0-8 kHz. Frames for 3 s: 565 (paper 563).
* ``cnn_transformer_standin_48k``: resample the stand-in up to 48 kHz and keep
  every paper parameter; the Mel bands above 8 kHz then see only the
  resampler's residue (they carry no speech).

Both keep the paper's 0.5-s offset and 3-s length by default, so 1.111 s of
every 3-s stand-in input (37 %) is zero padding; ``window="available"``
(:func:`standin_config`) keeps only the 1.889 s that exist instead.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .logmel import LOGMEL_CONFIGS, LogMelConfig, fit_standardizer, get_config, logmel_librosa

PAPER_CONFIG = LOGMEL_CONFIGS["cnn_transformer"]
#: The stand-in corpus: 16 kHz FLAC, every clip its first 2.389 s (shared/data/README.md).
STANDIN_SAMPLE_RATE = 16000
STANDIN_CLIP_SECONDS = 2.389
SCALER_READINGS = ("band", "frame", "cell", "global")


def crop_and_pad(signal: np.ndarray, sr: int, offset_s: float = PAPER_CONFIG.offset_s,
                 duration_s: float = PAPER_CONFIG.duration_s) -> np.ndarray:
    """cnn_transformer Section III-B 1: ``duration_s`` seconds from ``offset_s``, zero padded at the end.

    "A 3-second segment from the middle of each recording (starting from a
    0.5-second offset) was extracted ... all audio signals were padded to a
    fixed length L=3x48,000, with zeros added, where necessary." Returns exactly
    ``round(duration_s * sr)`` float32 samples: ``signal[o : o + L]`` with
    ``o = round(offset_s * sr)``, zeros after the signal's end (all zeros when
    the clip is shorter than the offset).
    """
    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim != 1:
        raise ValueError(f"crop_and_pad: signal must be 1-D, got shape {signal.shape}")
    if sr <= 0 or offset_s < 0 or duration_s <= 0:
        raise ValueError(f"crop_and_pad: need sr > 0, offset_s >= 0 and duration_s > 0, got sr={sr}, "
                         f"offset_s={offset_s}, duration_s={duration_s}")
    from ..audio import fix_length

    start, length = int(round(offset_s * sr)), int(round(duration_s * sr))
    return fix_length(signal[start:], length).astype(np.float32, copy=False)


def padding_share(clip_seconds: float, offset_s: float = PAPER_CONFIG.offset_s,
                  duration_s: float = PAPER_CONFIG.duration_s) -> float:
    """Share of a :func:`crop_and_pad` output that is zero padding, for a clip of ``clip_seconds``."""
    if clip_seconds < 0 or duration_s <= 0:
        raise ValueError(f"padding_share: clip_seconds must be >= 0 and duration_s > 0, got {clip_seconds}, "
                         f"{duration_s}")
    kept = min(max(clip_seconds - offset_s, 0.0), duration_s)
    return 1.0 - kept / duration_s


def _standin(name: str, sample_rate: int, win: int, hop: int, offset_s: float, duration_s: float,
             source: str) -> LogMelConfig:
    return PAPER_CONFIG.replace(name=name, sample_rate=sample_rate, win_length=win, hop_length=hop,
                                offset_s=offset_s, duration_s=duration_s, source=source)


def standin_config(rate: str = "16k", window: str = "paper", clip_seconds: float = STANDIN_CLIP_SECONDS) -> LogMelConfig:
    """The stand-in front end: ``rate`` "16k" or "48k", ``window`` "paper" (3 s from 0.5 s, zero padded)
    or "available" (from 0.5 s to the clip's end, no padding)."""
    if rate not in ("16k", "48k"):
        raise ValueError(f"standin_config: rate must be '16k' or '48k', got {rate!r}")
    if window not in ("paper", "available"):
        raise ValueError(f"standin_config: window must be 'paper' or 'available', got {window!r}")
    offset = PAPER_CONFIG.offset_s
    duration = PAPER_CONFIG.duration_s if window == "paper" else round(clip_seconds - offset, 6)
    if duration <= 0:
        raise ValueError(f"standin_config: a {clip_seconds}-s clip has nothing after the {offset}-s offset")
    suffix = "" if window == "paper" else "_available"
    if rate == "48k":
        return _standin(f"cnn_transformer_standin_48k{suffix}", 48000, PAPER_CONFIG.win_length,
                        PAPER_CONFIG.hop_length, offset, duration,
                        "cnn_transformer III-B parameters unchanged; the 16 kHz stand-in is resampled up to 48 kHz "
                        "(soxr HQ), so Mel bands above 8 kHz carry no speech")
    scale = STANDIN_SAMPLE_RATE / PAPER_CONFIG.sample_rate
    return _standin(f"cnn_transformer_standin_16k{suffix}", STANDIN_SAMPLE_RATE,
                    int(round(PAPER_CONFIG.win_length * scale)), int(round(PAPER_CONFIG.hop_length * scale)),
                    offset, duration,
                    "cnn_transformer III-B adapted to the 16 kHz stand-in: FFT 1024 points kept, window and hop "
                    "kept in duration (10.67 ms -> 171 samples, 5.33 ms -> 85), 128 Mel bands over 0-8 kHz")


#: The stand-in front ends (paper window: 3 s from 0.5 s, zero padded).
STANDIN_CONFIGS: dict[str, LogMelConfig] = {c.name: c for c in (standin_config("16k"), standin_config("48k"))}

#: The reduced CPU input of the course's CPU reproduction (no GPU lent): 32 Mel bands, hop 32 ms, only the
#: 1.889 s of speech after the 0.5-s offset. See :func:`cpu_config`.
CPU_N_MELS, CPU_HOP, CPU_WIN = 32, 512, 1024


def cpu_config(clip_seconds: float = STANDIN_CLIP_SECONDS) -> LogMelConfig:
    """The REDUCED stand-in input of the CPU profile: 32 x 60 instead of the paper's 128 x 563.

    Paper (III-B): 128 Mel bands, FFT 1024, frame 512 and hop 256 at 48 kHz (10.67 / 5.33 ms), 3 s from
    0.5 s. We do: 16 kHz, FFT 1024 kept, frame 1024 (64 ms) and hop 512 (32 ms, 6x the paper's hop
    duration), 32 Mel bands over 0-8 kHz, and only the 1.889 s that exist after the 0.5-s offset (no zero
    padding). Why: at the paper's size one training epoch of the CNN branch costs about 260 s of one CPU
    core (measured); this input is about 1.4 ms per clip, so the ablation, the three protocols and five
    seeds fit the course's CPU budget. Coarser time and frequency resolution, so the numbers are not the
    paper's setting: every results row of the CPU profile says so.
    """
    base = standin_config("16k", "available", clip_seconds)
    return base.replace(name="cnn_transformer_standin_cpu", win_length=CPU_WIN, hop_length=CPU_HOP,
                        n_mels=CPU_N_MELS,
                        source="cnn_transformer III-B REDUCED for a CPU run: 16 kHz, FFT 1024, frame 1024 (64 ms), "
                               "hop 512 (32 ms), 32 Mel bands over 0-8 kHz, 1.889 s after the 0.5-s offset")


#: Every cnn_transformer stand-in input registered as a front end (:mod:`serlib.features.frontends`).
FRONT_END_CONFIGS: dict[str, LogMelConfig] = {**STANDIN_CONFIGS, "cnn_transformer_standin_cpu": cpu_config()}


def mel_band_edges(config) -> np.ndarray:
    """Lower edge, centre and upper edge (Hz) of every Mel filter of ``config``, ``(n_mels, 3)``."""
    import librosa

    config = get_config(config)
    points = librosa.mel_frequencies(config.n_mels + 2, fmin=config.fmin,
                                     fmax=config.fmax or config.sample_rate / 2, htk=config.mel_scale == "htk")
    return np.stack([points[:-2], points[1:-1], points[2:]], axis=1)


def bands_above(config, frequency_hz: float) -> int:
    """Number of Mel filters of ``config`` whose LOWER edge is at or above ``frequency_hz`` (wholly above it)."""
    return int(np.sum(mel_band_edges(config)[:, 0] >= frequency_hz))


def cnn_transformer_input(signal: np.ndarray, sr: int, config=PAPER_CONFIG) -> np.ndarray:
    """cnn_transformer Section III-B 1 and 4 for one clip: resample to the config's rate, crop and pad, log-Mel.

    Returns the unscaled log-Mel ``(n_mels, frames)`` (dB); standardisation
    (:func:`fit_scaler`) needs the training subset and comes later. Resampling
    uses :func:`serlib.audio.resample` (soxr HQ, the course's one resampler).
    """
    from ..audio import resample

    config = get_config(config)
    if config.duration_s is None:
        raise ValueError(f"cnn_transformer_input: config {config.name!r} has no fixed duration")
    signal = resample(np.asarray(signal, dtype=np.float32), sr, config.sample_rate)
    return logmel_librosa(crop_and_pad(signal, config.sample_rate, config.offset_s, config.duration_s), config)


def fit_scaler(train, reading: str = "band") -> tuple[np.ndarray, np.ndarray]:
    """cnn_transformer Section IV-A: "standardized using StandardScaler, fitted on the training set", ``(N, n_mels, frames)``.

    StandardScaler works on a 2-D matrix, and the paper does not say how the
    3-D tensor was flattened, so ``reading`` chooses (each equals scikit-learn's
    StandardScaler on the corresponding matrix: population std, zero spread -> 1):

    * "band": one mean/std per Mel band over clips and frames
      (``X.transpose(0, 2, 1).reshape(-1, n_mels)``); the course default.
    * "frame": one per frame index over clips and bands (``X.reshape(-1, frames)``,
      the common ``scaler.fit(X.reshape(-1, X.shape[-1]))``).
    * "cell": one per (band, frame) over clips (``X.reshape(N, -1)``).
    * "global": one mean and std for everything.

    Returns ``(mean, std)`` shaped to broadcast against ``(N, n_mels, frames)``.
    """
    train = np.asarray(train, dtype=np.float64)
    if train.ndim != 3 or train.shape[0] == 0:
        raise ValueError(f"fit_scaler: train must be a non-empty (N, n_mels, frames) array, got {train.shape}")
    if reading == "band":
        mean, std = fit_standardizer(train)
        return mean.reshape(1, -1, 1), std.reshape(1, -1, 1)
    axes = {"frame": (0, 1), "cell": (0,), "global": (0, 1, 2)}
    if reading not in axes:
        raise ValueError(f"fit_scaler: reading must be one of {SCALER_READINGS}, got {reading!r}")
    mean = train.mean(axis=axes[reading], keepdims=True)
    std = train.std(axis=axes[reading], keepdims=True)
    std[std == 0] = 1.0
    return mean, std


def apply_scaler(features, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``(features - mean) / std`` for ``(N, n_mels, frames)`` features and a :func:`fit_scaler` result."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 3:
        raise ValueError(f"apply_scaler: features must be (N, n_mels, frames), got {features.shape}")
    try:
        return ((features - mean) / std).astype(np.float32)
    except ValueError:
        raise ValueError(f"apply_scaler: features {features.shape} do not match the scaler {mean.shape}") from None


def standin_differences(config=None, clip_seconds: float = STANDIN_CLIP_SECONDS,
                        source_rate: int = STANDIN_SAMPLE_RATE) -> list[dict]:
    """Every parameter in which the stand-in input differs from the paper's, with its effect, as rows.

    Each row: ``parameter``, ``paper``, ``stand_in``, ``effect``. Computed
    from :data:`PAPER_CONFIG` and ``config`` (default: the 16 kHz stand-in
    config), the clip length and the source rate; nothing is typed in.
    """
    config = get_config(config or STANDIN_CONFIGS["cnn_transformer_standin_16k"])
    paper = PAPER_CONFIG
    rows = []
    nyquist_source = source_rate / 2

    def ms(samples, rate):
        return f"{samples} samples = {1000 * samples / rate:.2f} ms"

    rows.append({"parameter": "source audio", "paper": f"RAVDESS release, {paper.sample_rate} Hz, 3-5 s",
                 "stand_in": f"{source_rate} Hz, first {clip_seconds} s of each clip",
                 "effect": f"no energy above {nyquist_source:g} Hz; every clip cut at {clip_seconds} s "
                           "(most sentences mid-word)"})
    if config.sample_rate != paper.sample_rate:
        rows.append({"parameter": "analysis sample rate", "paper": f"{paper.sample_rate} Hz",
                     "stand_in": f"{config.sample_rate} Hz",
                     "effect": f"Mel bank spans 0-{config.sample_rate / 2:g} Hz instead of 0-{paper.sample_rate / 2:g} Hz: "
                               f"the {config.n_mels} bands are narrower and all carry speech"})
    elif source_rate < paper.sample_rate:
        above = bands_above(config, nyquist_source)
        rows.append({"parameter": "analysis sample rate", "paper": f"{paper.sample_rate} Hz (native)",
                     "stand_in": f"{config.sample_rate} Hz after resampling up from {source_rate} Hz",
                     "effect": f"{above} of {config.n_mels} Mel bands lie wholly above {nyquist_source:g} Hz and "
                               "carry no speech (only resampler residue near the log floor)"})
    for field, label in (("n_fft", "FFT points"), ("win_length", "window"), ("hop_length", "hop")):
        ours, theirs = getattr(config, field), getattr(paper, field)
        if ours != theirs or config.sample_rate != paper.sample_rate:
            same_duration = abs(ours / config.sample_rate - theirs / paper.sample_rate) < 0.5 / config.sample_rate + 1e-12
            effect = ("same duration, so the same time resolution" if same_duration else
                      f"{'longer' if ours / config.sample_rate > theirs / paper.sample_rate else 'shorter'} in time")
            if field == "n_fft":
                effect = (f"bin spacing {config.sample_rate / ours:.1f} Hz (paper {paper.sample_rate / theirs:.1f} Hz); "
                          f"the window of {config.win_length} samples sets the true resolution, zero padding "
                          "to the FFT size only interpolates")
            rows.append({"parameter": label, "paper": ms(theirs, paper.sample_rate),
                         "stand_in": ms(ours, config.sample_rate), "effect": effect})
    paper_edges, our_edges = mel_band_edges(paper), mel_band_edges(config)
    if paper_edges.shape != our_edges.shape or not np.allclose(paper_edges, our_edges):
        rows.append({"parameter": "Mel band edges",
                     "paper": f"{paper.n_mels} bands, centres {paper_edges[0, 1]:.0f}-{paper_edges[-1, 1]:.0f} Hz, "
                              f"{bands_above(paper, 8000.0)} bands wholly above 8 kHz",
                     "stand_in": f"{config.n_mels} bands, centres {our_edges[0, 1]:.0f}-{our_edges[-1, 1]:.0f} Hz, "
                                 f"{bands_above(config, 8000.0)} bands wholly above 8 kHz",
                     "effect": "band k covers a different frequency range than in the paper; band-wise statistics "
                               "and learned filters are not comparable one to one"})
    frames_paper, frames_ours = paper.num_frames(), config.num_frames()
    if frames_ours != frames_paper:
        rows.append({"parameter": "frames per clip", "paper": str(frames_paper), "stand_in": str(frames_ours),
                     "effect": "the flattened CNN vector and the Transformer sequence change length accordingly"})
    share = padding_share(clip_seconds, config.offset_s, config.duration_s)
    paper_short = padding_share(paper.offset_s + paper.duration_s, paper.offset_s, paper.duration_s)
    rows.append({"parameter": "signal kept",
                 "paper": f"{paper.duration_s:g} s from {paper.offset_s:g} s, zero padded "
                          f"({100 * paper_short:.0f} % padding for a clip of 3.5 s or more)",
                 "stand_in": f"{config.duration_s:g} s from {config.offset_s:g} s of a {clip_seconds}-s clip",
                 "effect": f"{100 * share:.1f} % of every input is zero padding "
                           f"({max(clip_seconds - config.offset_s, 0):.3f} s of speech); "
                           "with AWGN the padded tail holds noise only"})
    return rows


def preprocess_signals(signals: Sequence[np.ndarray], sr: int, config=PAPER_CONFIG) -> np.ndarray:
    """Step 1 for many clips: resample and :func:`crop_and_pad` each, ``(N, samples)`` float32.

    The training subset of this array is what ``serlib.augment.augment_training_set(...,
    policy="cnn_transformer_awgn")`` expands before log-Mel extraction (paper order).
    """
    from ..audio import resample

    config = get_config(config)
    return np.stack([crop_and_pad(resample(np.asarray(s, dtype=np.float32), sr, config.sample_rate),
                                  config.sample_rate, config.offset_s, config.duration_s) for s in signals])
