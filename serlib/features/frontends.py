"""Front ends: every input of the five papers as a named front end, one registry.

A front end turns audio files into the array a model receives, with a declared
per-item shape and dtype. It is computed once per corpus and cached on disk
(:mod:`serlib.features.cache`); the experiment runner names it in
``RunSpec.front_end`` and never reaches into a feature module by hand.

===========================  ==================  =================================================
name                         item shape          what it is
===========================  ==================  =================================================
``course``                   (1, 64, 201)        course default log-Mel (25/10 ms, 64 Mels, 2 s)
``fla_ser``                  (1, 64, 198)        fla_ser Eqs. 1-8 with endpoint detection (Eqs. 4-6)
``cnn_transformer``          (1, 128, 563)       cnn_transformer III.B log-Mel (48 kHz, 3 s from 0.5 s)
``cnn_transformer_standin_16k`` (1, 128, 565)  the same adapted to the 16 kHz stand-in (window/hop durations kept)
``cnn_transformer_standin_48k`` (1, 128, 563)  the same with the stand-in resampled up to 48 kHz
``cnn_transformer_standin_cpu`` (1, 32, 60)    REDUCED input of the cnn_transformer CPU run (32 Mels, hop 32 ms)
``dual_stream_caf``          (1, 224, 224)       dual_stream_caf 4.1 log-Mel image, resized
``fusion107_frames``         (1, 107, 126)       speechnet Sec. 4.2 frame-level fusion sequence (2 s)
``fusion107_stats``          (428,)              mean/std/min/max of the fusion sequence
``wavelet_rgb``              (3, 128, 128)       wavelet_cnn_lstm Sec. 3.1 scalogram as an RGB image
``logmel_rgb``/``stft_rgb``  (3, 128, 128)       the same image from a log-Mel / STFT (its comparison inputs)
``waveform_8s``              (1, 128000)         wavelet_cnn_lstm Sec. 3.4 RMS-normalised 8-s waveform
``waveform_8s_mask``         (128000,) bool      its valid-sample mask
``waveform_3s``              (48000,)            raw 16 kHz waveform for speech encoders (dual_stream_caf)
``waveform_3s_mask``         (48000,) bool       its valid-sample mask
===========================  ==================  =================================================

Shapes are for the default configurations (``FrontEnd.item_shape`` computes
them). A **tuple front end** (``FRONT_ENDS["a+b"]`` made by
:func:`tuple_front_end`) yields one array per component, and models receive a
tuple of tensors.

One direction for augmentation: a front end also exposes ``load_signal``
(the audio exactly as it reads a file) and ``from_signals`` (the same
computation on signals in memory), so augmented training copies go
audio -> augment -> front end -> cache like the originals.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

#: How the runner's train-fitted standardiser treats a front end's arrays.
STANDARDISE_RULES = ("per_band", "per_feature", "none")


@dataclass(frozen=True)
class FrontEnd:
    """A named input: files -> ``(N, *item_shape)`` arrays (or a tuple of them for tuple front ends).

    Attributes:
        name: registry key, used in ``RunSpec.front_end`` and in cache folder names.
        description: one line for tables and notebooks.
        item_shape: shape of one item for the default configuration.
        dtype: numpy dtype of the arrays.
        sample_rate: the rate the audio is loaded at.
        standardise: ``per_band`` (statistics per row of ``(C, F, T)`` items, pooled over items and frames),
            ``per_feature`` (per column of ``(D,)`` items) or ``none`` (images in [0, 1], normalised waveforms).
        extract: ``(paths, progress) -> array``; cached.
        load_signal: ``path -> signal`` as the front end reads it (for augmentation).
        from_signals: ``signals -> array``, the same computation on signals in memory.
        config: every parameter that determines the output (part of cache and job keys).
        source: paper and section the parameters come from.
        components: names of the parts of a tuple front end (empty otherwise).
    """

    name: str
    description: str
    item_shape: tuple
    sample_rate: int
    standardise: str
    extract: Callable[[Sequence[str], bool], np.ndarray]
    load_signal: Callable[[str], np.ndarray]
    from_signals: Callable[[Sequence[np.ndarray]], np.ndarray]
    config: dict = field(default_factory=dict)
    source: str = ""
    dtype: str = "float32"
    components: tuple = ()

    def __post_init__(self):
        if self.standardise not in STANDARDISE_RULES:
            raise ValueError(f"front end {self.name!r}: standardise must be one of {STANDARDISE_RULES}, "
                             f"got {self.standardise!r}")

    def check(self, array: np.ndarray, what: str = "output") -> np.ndarray:
        """Raise if ``array`` is not ``(N, *item_shape)`` of this front end's dtype, or not finite."""
        array = np.asarray(array)
        if array.shape[1:] != tuple(self.item_shape):
            raise ValueError(f"front end {self.name!r}: {what} has item shape {array.shape[1:]}, "
                             f"declared {tuple(self.item_shape)}")
        if array.dtype != np.dtype(self.dtype):
            raise ValueError(f"front end {self.name!r}: {what} has dtype {array.dtype}, declared {self.dtype}")
        if array.dtype != bool and not np.isfinite(array).all():
            raise ValueError(f"front end {self.name!r}: {what} contains NaN or infinite values")
        return array


FRONT_ENDS: dict[str, FrontEnd] = {}


def register_front_end(front_end: FrontEnd) -> FrontEnd:
    if front_end.name in FRONT_ENDS:
        raise ValueError(f"front end {front_end.name!r} registered twice")
    FRONT_ENDS[front_end.name] = front_end
    return front_end


def get_front_end(name: str) -> FrontEnd:
    """A registered front end, or a tuple front end named ``"a+b"`` built on demand."""
    if name in FRONT_ENDS:
        return FRONT_ENDS[name]
    if "+" in name:
        return tuple_front_end(*name.split("+"))
    raise KeyError(f"unknown front end {name!r}; known: {', '.join(sorted(FRONT_ENDS))} "
                   "(or 'a+b' for a tuple of two)")


def front_end_names() -> list[str]:
    return sorted(FRONT_ENDS)


def compute_front_end(name: str, paths: Sequence, progress: bool = False):
    """The front end's arrays for ``paths``: one array, or a tuple for tuple front ends. Checked."""
    front_end = get_front_end(name)
    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError(f"front end {name!r}: no audio files given")
    value = front_end.extract(paths, progress)
    if front_end.components:
        return tuple(get_front_end(part).check(v, f"component {part}") for part, v in zip(front_end.components, value))
    return front_end.check(value)


def front_end_from_signals(name: str, signals: Sequence[np.ndarray]):
    """The same computation on signals in memory (augmented copies)."""
    front_end = get_front_end(name)
    value = front_end.from_signals(list(signals))
    if front_end.components:
        return tuple(get_front_end(part).check(v, f"component {part}") for part, v in zip(front_end.components, value))
    return front_end.check(value)


# ----------------------------------------------------------------------------- log-Mel front ends
def _logmel_front_end(config_name: str, config=None) -> FrontEnd:
    from .logmel import LOGMEL_CONFIGS, extract_logmel, load_for_config, logmel_librosa

    config = config if config is not None else LOGMEL_CONFIGS[config_name]

    def extract(paths, progress):
        return np.asarray(extract_logmel(paths, config, backend="librosa", use_cache=True, progress=progress),
                          dtype=np.float32)[:, None]

    def from_signals(signals):
        return np.asarray([logmel_librosa(s, config) for s in signals], dtype=np.float32)[:, None]

    if config.duration_s is None and config.resize is None:
        raise ValueError(f"log-Mel config {config_name!r} has no fixed output shape")
    return FrontEnd(config_name, f"log-Mel '{config_name}' ({config.n_mels} Mels)",
                    (1, *config.output_shape()), config.sample_rate, "per_band", extract,
                    lambda path: load_for_config(path, config), from_signals, config.as_dict(), config.source)


# ----------------------------------------------------------------------------- speechnet fusion front ends
FUSION_SECONDS = 2.0


def _fusion_signal(path: str, seconds: float = FUSION_SECONDS) -> np.ndarray:
    from ..audio import fix_length, load_audio
    from .fusion import FusionConfig

    rate = FusionConfig().sample_rate
    signal, _ = load_audio(path, sr=rate)
    return fix_length(signal, int(round(seconds * rate)))


def _fusion_frames(signals) -> np.ndarray:
    from .fusion import FusionConfig, fusion_features

    config = FusionConfig()
    return np.stack([fusion_features(s, config.sample_rate, config).T for s in signals]).astype(np.float32)[:, None]


def _fusion_frames_extract(paths, progress) -> np.ndarray:
    from .cache import cached_map
    from .fusion import FusionConfig

    config = dict(FusionConfig().as_dict(), seconds=FUSION_SECONDS)
    frames = cached_map(paths, "fusion107-frames", config,
                        lambda p: _fusion_frames([_fusion_signal(p)])[0, 0], progress=progress,
                        desc="fusion features")
    return np.stack(frames).astype(np.float32)[:, None]


def _fusion_stats(frames: np.ndarray) -> np.ndarray:
    from .fusion import utterance_statistics

    return np.stack([utterance_statistics(item[0].T) for item in frames]).astype(np.float32)


def _fusion_front_ends() -> list[FrontEnd]:
    from .fusion import FusionConfig, fusion_dimension

    config = FusionConfig()
    samples = int(round(FUSION_SECONDS * config.sample_rate))
    n_frames = _fusion_frames([np.zeros(samples, np.float32) + 1e-3 * np.sin(np.arange(samples))]).shape[-1]
    dims = fusion_dimension(config)
    source = ("speechnet Section 4.2 / Eqs. 16-25: the 107-d frame-level fusion vector; clips fixed to "
              f"{FUSION_SECONDS:g} s (zero padded or cut) so that sequences stack")
    frames = FrontEnd("fusion107_frames", f"{dims}-d frame-level fusion sequence ({FUSION_SECONDS:g} s)",
                      (1, dims, n_frames), config.sample_rate, "per_band", _fusion_frames_extract,
                      _fusion_signal, _fusion_frames, dict(config.as_dict(), seconds=FUSION_SECONDS), source)
    stats = FrontEnd("fusion107_stats", f"mean/std/min/max of the {dims}-d fusion sequence",
                     (4 * dims,), config.sample_rate, "per_feature",
                     lambda paths, progress: _fusion_stats(_fusion_frames_extract(paths, progress)),
                     _fusion_signal, lambda signals: _fusion_stats(_fusion_frames(signals)),
                     dict(config.as_dict(), seconds=FUSION_SECONDS, statistics="mean,std,min,max"), source)
    return [frames, stats]


# ----------------------------------------------------------------------------- wavelet image front end
WAVELET_SECONDS = 2.0


def _plain_signal(path: str, rate: int, seconds: float | None) -> np.ndarray:
    from ..audio import fix_length, load_audio

    signal, _ = load_audio(path, sr=rate)
    return signal if seconds is None else fix_length(signal, int(round(seconds * rate)))


def _wavelet_front_end() -> FrontEnd:
    from .cache import cached_map
    from .wavelet_image import WAVELET_RGB_CONFIG, wavelet_rgb_input

    config = WAVELET_RGB_CONFIG
    key = dict(config.as_dict(), seconds=WAVELET_SECONDS)

    def images(signals):
        return np.stack([wavelet_rgb_input(s, config.sample_rate, config) for s in signals]).astype(np.float32)

    def load(path):
        return _plain_signal(path, config.sample_rate, WAVELET_SECONDS)

    def extract(paths, progress):
        out = cached_map(paths, "wavelet-rgb", key, lambda p: images([load(p)])[0], progress=progress,
                         desc="wavelet images")
        return np.stack(out).astype(np.float32)

    return FrontEnd("wavelet_rgb", "wavelet-scaled spectrogram as an RGB image", (3, *config.image_size),
                    config.sample_rate, "none", extract, load, images, key,
                    "wavelet_cnn_lstm Section 3.1: CWT power, log, rendered as an RGB image "
                    f"(serlib.features.wavelet_image.WAVELET_RGB_CONFIG); clips fixed to {WAVELET_SECONDS:g} s")


def _comparison_image_front_ends() -> list[FrontEnd]:
    """The log-Mel and STFT images the wavelet image is compared with (wavelet_cnn_lstm Section 4.4's claim),
    rendered like it (serlib.features.wavelet_image.COMPARISON_IMAGE_CONFIG)."""
    from .cache import cached_map
    from .wavelet_image import COMPARISON_IMAGE_CONFIG, time_frequency_image

    config = COMPARISON_IMAGE_CONFIG
    out = []
    for transform, title in (("logmel", "log-Mel"), ("stft", "STFT")):
        key = dict(config, transform=transform, seconds=WAVELET_SECONDS)

        def images(signals, transform=transform):
            return np.stack([time_frequency_image(s, config["sample_rate"], transform, config, None)
                             for s in signals]).astype(np.float32)

        def load(path):
            return _plain_signal(path, config["sample_rate"], WAVELET_SECONDS)

        def extract(paths, progress, transform=transform, key=key, images=images):
            values = cached_map(paths, f"{transform}-rgb", key, lambda p: images([load(p)])[0], progress=progress,
                                desc=f"{transform} images")
            return np.stack(values).astype(np.float32)

        out.append(FrontEnd(f"{transform}_rgb", f"{title} spectrogram as an RGB image (like wavelet_rgb)",
                            (3, *config["image_size"]), config["sample_rate"], "none", extract, load, images, key,
                            "wavelet_cnn_lstm Section 4.4 (the wavelet image's claimed advantage): the same clip, "
                            f"band, range, size and colours as wavelet_rgb, a {title} transform instead of the CWT"))
    return out


# ----------------------------------------------------------------------------- raw waveform front ends
def _waveform_front_ends() -> list[FrontEnd]:
    """wavelet_cnn_lstm Sec. 3.4: RMS-normalised 8-s waveforms (and their padding masks); a 3-s raw waveform.

    A cached front end is deterministic: every clip is left-aligned in the 8-s
    vector (the evaluation rule of serlib.features.waveform). The stand-ins are
    2-2.4 s long, so no clip is ever cropped; the paper's random placement in
    training would only move the padding.
    """
    from .cache import cached_map
    from .waveform import PAPER_WAVEFORM, waveform_with_mask

    config = PAPER_WAVEFORM
    key = dict(vars(config)) if not hasattr(config, "as_dict") else config.as_dict()

    def load(path):
        return _plain_signal(path, config.sample_rate, None)

    def waves(signals):
        return np.stack([waveform_with_mask(s, config.sample_rate, config)[0] for s in signals]).astype(np.float32)

    def masks(signals):
        return np.stack([waveform_with_mask(s, config.sample_rate, config)[1] for s in signals]).astype(bool)

    def extract_waves(paths, progress):
        out = cached_map(paths, "waveform-8s", key, lambda p: waves([load(p)])[0], progress=progress,
                         desc="waveforms")
        return np.stack(out).astype(np.float32)

    def extract_masks(paths, progress):
        out = cached_map(paths, "waveform-8s-mask", key, lambda p: masks([load(p)])[0], progress=progress,
                         desc="waveform masks")
        return np.stack(out).astype(bool)

    source = ("wavelet_cnn_lstm Sections 3.2.1, 3.4, 4.4: 16 kHz, RMS-normalised, padded or cut to 8 s "
              "(serlib.features.waveform.PAPER_WAVEFORM); left-aligned")
    raw_seconds = 3.0

    def raw(signals):
        from ..audio import fix_length

        return np.stack([fix_length(np.asarray(s, np.float32), int(raw_seconds * 16000)) for s in signals])

    def raw_mask(signals):
        n = int(raw_seconds * 16000)
        return np.stack([np.arange(n) < min(len(s), n) for s in signals]).astype(bool)

    return [
        FrontEnd("waveform_8s", "RMS-normalised waveform, 8 s at 16 kHz", (1, config.num_samples),
                 config.sample_rate, "none", extract_waves, load, waves, key, source),
        FrontEnd("waveform_8s_mask", "valid-sample mask of waveform_8s", (config.num_samples,), config.sample_rate,
                 "none", extract_masks, load, masks, key, source, dtype="bool"),
        FrontEnd("waveform_3s", "raw 16 kHz waveform, zero padded or cut to 3 s (speech encoders)",
                 (int(raw_seconds * 16000),), 16000, "none",
                 lambda paths, progress: raw([_plain_signal(p, 16000, raw_seconds) for p in paths]),
                 lambda path: _plain_signal(path, 16000, raw_seconds), raw, {"seconds": raw_seconds, "rate": 16000},
                 "dual_stream_caf Section 4.1: encoder B takes the 16 kHz waveform; 3 s hold every stand-in clip"),
        FrontEnd("waveform_3s_mask", "valid-sample mask of waveform_3s (True on the clip, False on padding)",
                 (int(raw_seconds * 16000),), 16000, "none",
                 lambda paths, progress: raw_mask([_plain_signal(p, 16000, None) for p in paths]),
                 lambda path: _plain_signal(path, 16000, None), raw_mask, {"seconds": raw_seconds, "rate": 16000},
                 "dual_stream_caf: encoder B pools only the real frames of a zero-padded waveform_3s", dtype="bool"),
    ]


# ----------------------------------------------------------------------------- tuples
def tuple_front_end(*names: str) -> FrontEnd:
    """Several front ends of the same files, for multi-input models (they receive a tuple of tensors)."""
    if len(names) < 2:
        raise ValueError("a tuple front end needs at least two components")
    parts = [get_front_end(n) for n in names]
    rates = {p.sample_rate for p in parts}

    def extract(paths, progress):
        return tuple(p.extract(paths, progress) for p in parts)

    def load_signal(path):
        if len(rates) > 1:
            raise ValueError(f"tuple front end {'+'.join(names)}: components load audio at different rates "
                             f"{sorted(rates)}; augment each component separately")
        return parts[0].load_signal(path)

    def from_signals(signals):
        return tuple(p.from_signals(signals) for p in parts)

    return FrontEnd("+".join(names), " + ".join(p.description for p in parts), tuple(p.item_shape for p in parts),
                    parts[0].sample_rate, "per_band", extract, load_signal, from_signals,
                    {p.name: p.config for p in parts}, "; ".join(p.source for p in parts), components=tuple(names))


def _register_builtin() -> None:
    from .logmel import LOGMEL_CONFIGS

    for name in LOGMEL_CONFIGS:
        register_front_end(_logmel_front_end(name))
    from .cnn_transformer_input import FRONT_END_CONFIGS  # the paper's input adapted to the 16 kHz stand-ins

    for name, config in FRONT_END_CONFIGS.items():
        register_front_end(_logmel_front_end(name, config))
    for front_end in _fusion_front_ends():
        register_front_end(front_end)
    register_front_end(_wavelet_front_end())
    for front_end in _comparison_image_front_ends():
        register_front_end(front_end)
    for front_end in _waveform_front_ends():
        register_front_end(front_end)


_register_builtin()
