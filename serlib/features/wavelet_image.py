"""The image reading of wavelet_cnn_lstm (title, Section 3.1): the wavelet-scaled spectrogram as an RGB image.

The paper names "any wavelet function such as Morlet wavelet, Haar wavelet",
and no scales, frame rate or image size. :data:`WAVELET_RGB_CONFIG` is the
course's choice for this model, with the reasons in its docstring; the
transform itself is :mod:`serlib.features.wavelet`. :func:`wavelet_rgb_input`
has the ``(signal, sr, config) -> array`` form the front-end registry calls.
"""
from __future__ import annotations

import numpy as np

from .wavelet import WaveletConfig, scalogram_rgb, wavelet_scalogram

#: The wavelet-scaled spectrogram behind the ``wavelet_rgb`` front end:
#:
#: - ``wavelet="cmor1.5-1.0"``: the complex Morlet, so |c(a, b)|^2 is the envelope's power without the
#:   real Morlet's oscillation at twice the scale frequency (the paper names Morlet first);
#: - 128 scales log-spaced over 60-6000 Hz: 60 Hz is below the lowest male F0 of the corpora, 6 kHz keeps
#:   the smallest scale above 2 samples at 16 kHz; 128 rows = the image height, so rows are not interpolated;
#: - ``hop_length=160`` (10 ms blocks of mean power), ``top_db=80``, the paper's 1/a normalisation;
#: - ``image_size=(128, 128)``: 2.0-2.4 s of 10-ms columns (200-240) compressed to 128, i.e. the whole clip
#:   as one picture, as the paper "plots" it; the model pools it five times to 4 x 4;
#: - ``colormap="viridis"`` (perceptually uniform).
WAVELET_RGB_CONFIG = WaveletConfig(wavelet="cmor1.5-1.0", n_scales=128, fmin=60.0, fmax=6000.0, hop_length=160,
                                   image_size=(128, 128), colormap="viridis")


def wavelet_rgb_input(signal: np.ndarray, sr: int, config: WaveletConfig = WAVELET_RGB_CONFIG,
                      duration_s: float | None = None) -> np.ndarray:
    """wavelet_cnn_lstm Section 3.1: the ``(3, height, width)`` RGB wavelet-scaled spectrogram of one clip.

    The clip is resampled to ``config.sample_rate`` (soxr HQ); ``duration_s``
    (None = the whole clip) first zero-pads or cuts it to a fixed length so that
    image columns mean the same time span for clips of different lengths.
    """
    from ..audio import fix_length, resample

    signal = resample(np.asarray(signal, dtype=np.float32), sr, config.sample_rate)
    if duration_s is not None:
        if duration_s <= 0:
            raise ValueError(f"wavelet_rgb_input: duration_s must be positive or None, got {duration_s}")
        signal = fix_length(signal, int(round(duration_s * config.sample_rate)))
    return scalogram_rgb(wavelet_scalogram(signal, config.sample_rate, config), config)


# --------------------------------------------------------------------------- the inputs it is compared with
#: The log-Mel and STFT images that the paper's central claim ("the wavelet-scaled spectrogram improves the
#: model's performance", Section 4.4; never shown) is tested against. Everything but the time-frequency
#: transform is the wavelet image's: the same 2-s clip, 10-ms hop, band 60-6000 Hz, 80 dB range, per-image
#: min-max scaling, bilinear resize to 128 x 128 and viridis colours (:func:`scalogram_rgb`), so a paired
#: difference between the three measures the transform alone. STFT sizes are the course log-Mel's
#: (25-ms Hann window, 512-point FFT); 128 Mel bands (Slaney) match the 128 wavelet scales; the linear
#: STFT keeps its 190 bins inside the band, resized to 128 rows like everything else.
COMPARISON_IMAGE_CONFIG = {"sample_rate": 16000, "n_fft": 512, "win_length": 400, "hop_length": 160,
                           "n_mels": 128, "fmin": WAVELET_RGB_CONFIG.fmin, "fmax": WAVELET_RGB_CONFIG.fmax,
                           "top_db": WAVELET_RGB_CONFIG.top_db, "image_size": list(WAVELET_RGB_CONFIG.image_size),
                           "colormap": WAVELET_RGB_CONFIG.colormap}
COMPARISON_TRANSFORMS = ("stft", "logmel")


def _power_spectrogram(signal: np.ndarray, config: dict) -> np.ndarray:
    import librosa

    spectrum = librosa.stft(np.asarray(signal, dtype=np.float32), n_fft=config["n_fft"],
                            hop_length=config["hop_length"], win_length=config["win_length"], window="hann",
                            center=True, pad_mode="constant")
    return np.abs(spectrum) ** 2


def time_frequency_image(signal: np.ndarray, sr: int, transform: str, config: dict = COMPARISON_IMAGE_CONFIG,
                         duration_s: float | None = 2.0) -> np.ndarray:
    """The ``(3, height, width)`` RGB image of ``transform`` ("stft" or "logmel") of one clip, rendered exactly
    as :func:`wavelet_rgb_input` renders the scalogram (see :data:`COMPARISON_IMAGE_CONFIG`)."""
    import librosa

    from ..audio import fix_length, resample
    from .wavelet import WaveletConfig, log_power

    if transform not in COMPARISON_TRANSFORMS:
        raise ValueError(f"time_frequency_image: transform must be one of {COMPARISON_TRANSFORMS}, got {transform!r}")
    signal = resample(np.asarray(signal, dtype=np.float32), sr, config["sample_rate"])
    if duration_s is not None:
        signal = fix_length(signal, int(round(duration_s * config["sample_rate"])))
    power = _power_spectrogram(signal, config)
    if transform == "stft":
        frequencies = librosa.fft_frequencies(sr=config["sample_rate"], n_fft=config["n_fft"])
        power = power[(frequencies >= config["fmin"]) & (frequencies <= config["fmax"])]
    else:
        bank = librosa.filters.mel(sr=config["sample_rate"], n_fft=config["n_fft"], n_mels=config["n_mels"],
                                   fmin=config["fmin"], fmax=config["fmax"])
        power = bank @ power
    image_config = WaveletConfig(image_size=tuple(config["image_size"]), colormap=config["colormap"])
    return scalogram_rgb(log_power(power, config["top_db"]), image_config)
