"""SpeechNet's 107-dimensional frame-level fusion features (paper ``speechnet``, Section 4.2, Eqs. 16-25).

The paper's words: "We used a set of 107-dimensional comprehensive fusion
features ... MFCC, zero-crossing rate, chroma, spectral contrast, spectral
centroid, spectral roll-off, and pitch, which are calculated for each frame"
(Section 4.2), Eqs. 16-25 add deltas, bandwidth and tonnetz, Section 3 says
"With MFCCs, pitch and ZCR, the module creates a 107-dimensional feature
representation", and the closing paragraph speaks of "spectral, temporal,
harmonic, and energy-related properties". The parts are never counted. Our
choice, which sums to exactly 107 (:data:`FUSION_COMPOSITION`):

=====================  ====  ==========  ===============================================
part                   dims  equation    why this size
=====================  ====  ==========  ===============================================
MFCC                   25    Eq. 16      25 coefficients: the only MFCC count that, with
                                         its two delta orders, lands on 107 exactly
delta MFCC             25    Eq. 17      the paper lists both delta orders
delta-delta MFCC       25    Eq. 18
zero-crossing rate     1     Eq. 19
chroma                 12    Eq. 20      "twelve different pitch classes"
spectral contrast      7     Eq. 21      librosa: 6 octave bands + 1 residual row
spectral centroid      1     Eq. 22
spectral roll-off      1     Eq. 23      85 % of the spectral magnitude
spectral bandwidth     1     Eq. 24
tonnetz                6     Eq. 25      3 circles (fifths, minor, major thirds) x 2
pitch (F0)             1     Sec. 4.2    no equation in the paper
delta pitch            1     Eq. 17      Eq. 17 applied to the F0 contour
RMS energy             1     Sec. 4.2    the "energy-related properties"
=====================  ====  ==========  ===============================================

Every size is a :class:`FusionConfig` field; :func:`fusion_dimension` and
:func:`fusion_composition` report what a configuration produces, and
:func:`check_fusion_dimension` raises with the table when it is not the
expected size.

Framing: every part uses the same frames (``n_fft`` = 1024 samples, 64 ms,
hop 256 = 16 ms at 16 kHz, centred), so the parts stack frame by frame.
Standardisation ("scales the features to have a mean of zero and a standard
deviation of one") is :class:`FrameStandardiser`, fitted on TRAINING frames
only so that no test statistic leaks into the features.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

PAPER_DIMENSION = 107
PITCH_METHODS = ("yin", "autocorrelation")
TONNETZ_CHROMA = ("cqt", "stft")
OCTAVE_COST = 0.01
STATISTICS = ("mean", "std", "min", "max", "median", "skew", "kurtosis")


@dataclass(frozen=True)
class FusionConfig:
    """Every parameter of the fusion features (the cache key covers all of them)."""

    sample_rate: int = 16000
    n_fft: int = 1024
    hop_length: int = 256
    n_mfcc: int = 25
    n_mels: int = 40
    mfcc_delta_orders: int = 2  # 0: MFCC only, 1: + Eq. 17, 2: + Eq. 18
    chroma_bins: int = 12
    contrast_bands: int = 6  # librosa returns bands + 1 rows
    contrast_fmin: float = 100.0
    rolloff_percent: float = 0.85
    tonnetz_chroma: str = "cqt"
    pitch_method: str = "yin"
    pitch_fmin: float = 50.0
    pitch_fmax: float = 600.0
    pitch_silence_db: float = 40.0  # frames this far below the loudest get F0 = 0
    pitch_delta: bool = True
    include_rms: bool = True

    def __post_init__(self):
        positive = {"sample_rate": self.sample_rate, "n_fft": self.n_fft, "hop_length": self.hop_length,
                    "n_mfcc": self.n_mfcc, "n_mels": self.n_mels, "chroma_bins": self.chroma_bins,
                    "contrast_bands": self.contrast_bands}
        for name, value in positive.items():
            if int(value) != value or value <= 0:
                raise ValueError(f"FusionConfig.{name} must be a positive integer, got {value!r}")
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"FusionConfig.n_mfcc ({self.n_mfcc}) cannot exceed n_mels ({self.n_mels})")
        if self.mfcc_delta_orders not in (0, 1, 2):
            raise ValueError(f"FusionConfig.mfcc_delta_orders must be 0, 1 or 2, got {self.mfcc_delta_orders!r}")
        if not 0.0 < self.rolloff_percent < 1.0:
            raise ValueError(f"FusionConfig.rolloff_percent must lie in (0, 1), got {self.rolloff_percent!r}")
        if self.pitch_method not in PITCH_METHODS:
            raise ValueError(f"FusionConfig.pitch_method must be one of {PITCH_METHODS}, got {self.pitch_method!r}")
        if self.tonnetz_chroma not in TONNETZ_CHROMA:
            raise ValueError(f"FusionConfig.tonnetz_chroma must be one of {TONNETZ_CHROMA}, "
                             f"got {self.tonnetz_chroma!r}")
        if not 0 < self.pitch_fmin < self.pitch_fmax < self.sample_rate / 2:
            raise ValueError(f"FusionConfig needs 0 < pitch_fmin < pitch_fmax < sample_rate/2, got "
                             f"{self.pitch_fmin}, {self.pitch_fmax}, sample_rate {self.sample_rate}")
        longest_period = self.sample_rate / self.pitch_fmin
        if longest_period >= self.n_fft / 2:
            raise ValueError(f"FusionConfig.pitch_fmin={self.pitch_fmin} Hz has a period of {longest_period:.0f} "
                             f"samples, which does not fit twice in n_fft={self.n_fft}; raise pitch_fmin or n_fft")

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def dimension(self) -> int:
        return fusion_dimension(self)


def fusion_composition(config: FusionConfig | None = None) -> tuple[tuple[str, int, str], ...]:
    """The parts of the vector a configuration produces: ``(part, dims, source)`` in column order."""
    config = config or FusionConfig()
    parts = [("mfcc", config.n_mfcc, "speechnet Eq. 16")]
    if config.mfcc_delta_orders >= 1:
        parts.append(("delta_mfcc", config.n_mfcc, "speechnet Eq. 17"))
    if config.mfcc_delta_orders >= 2:
        parts.append(("delta2_mfcc", config.n_mfcc, "speechnet Eq. 18"))
    parts += [
        ("zero_crossing_rate", 1, "speechnet Eq. 19"),
        ("chroma", config.chroma_bins, "speechnet Eq. 20"),
        ("spectral_contrast", config.contrast_bands + 1, "speechnet Eq. 21"),
        ("spectral_centroid", 1, "speechnet Eq. 22"),
        ("spectral_rolloff", 1, "speechnet Eq. 23"),
        ("spectral_bandwidth", 1, "speechnet Eq. 24"),
        ("tonnetz", 6, "speechnet Eq. 25"),
        ("pitch", 1, "speechnet Section 4.2"),
    ]
    if config.pitch_delta:
        parts.append(("delta_pitch", 1, "speechnet Eq. 17 on F0"))
    if config.include_rms:
        parts.append(("rms_energy", 1, "speechnet Section 4.2 (energy)"))
    return tuple(parts)


def fusion_dimension(config: FusionConfig | None = None) -> int:
    """Number of columns :func:`fusion_features` returns for ``config``."""
    return sum(dims for _, dims, _ in fusion_composition(config))


def fusion_column_names(config: FusionConfig | None = None) -> list[str]:
    """One name per column, e.g. ``mfcc_00``, ``chroma_11``, ``pitch``."""
    names = []
    for part, dims, _ in fusion_composition(config):
        names += [part] if dims == 1 else [f"{part}_{i:02d}" for i in range(dims)]
    return names


def composition_table(config: FusionConfig | None = None) -> str:
    """The composition as a printable table (part, dims, source, running total)."""
    lines = [f"{'part':<20}{'dims':>5}  {'source':<32}{'total':>6}"]
    total = 0
    for part, dims, source in fusion_composition(config):
        total += dims
        lines.append(f"{part:<20}{dims:>5}  {source:<32}{total:>6}")
    return "\n".join(lines)


def check_fusion_dimension(config: FusionConfig | None = None, expected: int = PAPER_DIMENSION) -> int:
    """Return the dimension of ``config``; raise ValueError with the composition table if it is not ``expected``."""
    dimension = fusion_dimension(config)
    if dimension != expected:
        raise ValueError(f"fusion features have {dimension} dimensions, expected {expected}:\n"
                         f"{composition_table(config)}")
    return dimension


#: The default composition (paper's 107 dimensions): ``(part, dims, source)``.
FUSION_COMPOSITION = fusion_composition(FusionConfig())


# --------------------------------------------------------------------------- spectra
def _check_signal(signal, name: str = "signal") -> np.ndarray:
    signal = np.asarray(signal)
    if signal.ndim != 1:
        raise ValueError(f"{name} must be a 1-D mono signal, got shape {signal.shape}")
    if signal.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(signal)):
        raise ValueError(f"{name} contains NaN or inf samples")
    return signal.astype(np.float32, copy=False)


def magnitude_spectrogram(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """|STFT| (Hann window, centred frames) shared by Eqs. 20-24, shape (1 + n_fft/2, frames)."""
    import librosa

    signal = _check_signal(signal)
    return np.abs(librosa.stft(signal, n_fft=config.n_fft, hop_length=config.hop_length, center=True))


def fft_frequencies(config: FusionConfig) -> np.ndarray:
    return np.linspace(0.0, config.sample_rate / 2, 1 + config.n_fft // 2)


# --------------------------------------------------------------------------- Eqs. 16-18
def mfcc_cepstrum(log_mel: np.ndarray, n_mfcc: int) -> np.ndarray:
    """speechnet Eq. 16: MFCC(n) = sum_{k=1}^{K} log S(k) cos(n (k - 0.5) pi / K), n = 0..n_mfcc-1.

    The literal, unnormalised sum over the K mel bands of a (K, frames) log-mel
    matrix. librosa (which the features use, as the paper did) computes the
    same cosine sum with orthonormal scaling (sqrt(1/K) for n = 0, sqrt(2/K)
    otherwise) on a decibel log-mel; :func:`mfcc` therefore equals this
    function up to those constant per-row factors, which standardisation
    removes anyway.
    """
    log_mel = np.asarray(log_mel, dtype=np.float64)
    if log_mel.ndim != 2:
        raise ValueError(f"log_mel must be (mel bands, frames), got shape {log_mel.shape}")
    n_bands = log_mel.shape[0]
    if not 0 < n_mfcc <= n_bands:
        raise ValueError(f"n_mfcc must be in 1..{n_bands} (the number of mel bands), got {n_mfcc}")
    n = np.arange(n_mfcc)[:, None]
    k = np.arange(1, n_bands + 1)[None, :]
    basis = np.cos(n * (k - 0.5) * np.pi / n_bands)
    return basis @ log_mel


def mfcc(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 16: MFCCs of the signal with librosa, shape (n_mfcc, frames).

    log power mel spectrum (``n_mels`` bands, in dB) -> DCT-II (orthonormal);
    see :func:`mfcc_cepstrum` for the paper's literal sum.
    """
    import librosa

    signal = _check_signal(signal)
    return librosa.feature.mfcc(y=signal, sr=config.sample_rate, n_mfcc=config.n_mfcc, n_fft=config.n_fft,
                                hop_length=config.hop_length, n_mels=config.n_mels)


def delta(features: np.ndarray) -> np.ndarray:
    """speechnet Eq. 17: delta(t) = x(t+1) - x(t-1) along the last (time) axis.

    The paper's plain central difference, not librosa's 9-frame Savitzky-Golay
    (``librosa.feature.delta`` with ``width=3, mode="nearest"`` gives exactly
    half of this). The first and last frames repeat their neighbour
    (edge padding), so the output has as many frames as the input.
    """
    features = np.asarray(features, dtype=np.float64)
    if features.shape[-1] < 1:
        raise ValueError("delta needs at least one frame")
    padded = np.pad(features, [(0, 0)] * (features.ndim - 1) + [(1, 1)], mode="edge")
    return padded[..., 2:] - padded[..., :-2]


def delta_delta(features: np.ndarray) -> np.ndarray:
    """speechnet Eq. 18: delta2(t) = delta(t+1) - delta(t-1), i.e. Eq. 17 applied twice."""
    return delta(delta(features))


# --------------------------------------------------------------------------- Eq. 19
def frame_signal(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """Centred frames of ``n_fft`` samples every ``hop_length`` (zero padding), shape (frames, n_fft).

    The same framing as librosa's centred STFT, so frame t of every part is
    the same stretch of audio.
    """
    signal = _check_signal(signal)
    half = config.n_fft // 2
    padded = np.pad(signal, (half, half))
    n_frames = 1 + len(signal) // config.hop_length
    starts = np.arange(n_frames) * config.hop_length
    return np.lib.stride_tricks.sliding_window_view(padded, config.n_fft)[starts]


def zero_crossing_rate(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 19: ZCR = (1/N) sum_{n=1}^{N-1} 1[x(n) x(n-1) < 0] per frame, shape (1, frames).

    Literal: strict sign changes only (a sample that is exactly zero is not a
    crossing), N = ``n_fft`` samples per centred frame. For signals without
    exact zeros this equals ``librosa.feature.zero_crossing_rate``.
    """
    frames = frame_signal(signal, config)
    crossings = (frames[:, 1:] * frames[:, :-1]) < 0
    return (crossings.sum(axis=1) / config.n_fft)[None, :]


# --------------------------------------------------------------------------- Eqs. 20-24
def chroma(magnitude: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 20: Chroma(i) = sum_{k in K(i)} STFT(k), 12 pitch classes (C = 0), shape (12, frames).

    librosa's ``chroma_stft`` on the power spectrogram: each FFT bin k is
    assigned to pitch class i with a Gaussian weight (a soft K(i)) instead of
    the paper's hard set, and each frame is scaled to a maximum of 1, so that
    chroma describes the pitch-class distribution independently of loudness.
    """
    import librosa

    return librosa.feature.chroma_stft(S=np.asarray(magnitude) ** 2, sr=config.sample_rate, n_fft=config.n_fft,
                                       hop_length=config.hop_length, n_chroma=config.chroma_bins)


def spectral_contrast(magnitude: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 21: SC(j) = max_{f in B_j} S(f) - min_{f in B_j} S(f) per octave band, shape (bands+1, frames).

    librosa's ``spectral_contrast`` (Jiang et al. 2002, the paper's reference
    measure): the "max" and "min" of band B_j are the means of its top and
    bottom 2 % of bins, taken in dB, which is robust to a single spurious
    bin; the paper's literal max - min is the limit of a vanishing quantile.
    Octave bands start at ``contrast_fmin`` (100 Hz, so 6 bands fit below 8 kHz).
    """
    import librosa

    return librosa.feature.spectral_contrast(S=magnitude, sr=config.sample_rate, n_fft=config.n_fft,
                                             hop_length=config.hop_length, n_bands=config.contrast_bands,
                                             fmin=config.contrast_fmin)


def spectral_centroid(magnitude: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 22: SCT = sum_f f S(f) / sum_f S(f) on the magnitude spectrum, in Hz, shape (1, frames).

    A silent frame (sum S = 0) has centroid 0.
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    freqs = fft_frequencies(config)[:, None]
    total = magnitude.sum(axis=0, keepdims=True)
    return np.divide((freqs * magnitude).sum(axis=0, keepdims=True), total,
                     out=np.zeros_like(total), where=total > 0)


def spectral_rolloff(magnitude: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 23: the frequency below which ``rolloff_percent`` (85 %) of the magnitude lies, in Hz.

    The paper writes "max f such that sum_{i<=f} S(i) <= 0.85 sum S": the last
    bin still BELOW the threshold. We take librosa's convention, the first bin
    whose cumulative sum REACHES the threshold, one bin higher (15.6 Hz at
    16 kHz / 1024), so that the value agrees with the library the paper used.
    A silent frame gives 0 Hz.
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    cumulative = np.cumsum(magnitude, axis=0)
    threshold = config.rolloff_percent * cumulative[-1:]
    first = np.argmax(cumulative >= threshold, axis=0)
    return fft_frequencies(config)[first][None, :]


def spectral_bandwidth(magnitude: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Eq. 24: SBW = sqrt(sum_f (f - SCT)^2 S(f) / sum_f S(f)), in Hz, shape (1, frames)."""
    magnitude = np.asarray(magnitude, dtype=np.float64)
    freqs = fft_frequencies(config)[:, None]
    centroid = spectral_centroid(magnitude, config)
    total = magnitude.sum(axis=0, keepdims=True)
    spread = np.divide(((freqs - centroid) ** 2 * magnitude).sum(axis=0, keepdims=True), total,
                       out=np.zeros_like(total), where=total > 0)
    return np.sqrt(spread)


# --------------------------------------------------------------------------- Eq. 25
def tonnetz_matrix(n_chroma: int = 12) -> np.ndarray:
    """The 6 x 12 tonal-centroid matrix M of speechnet Eq. 25 (Harte, Sandler & Gasser 2006).

    Rows: (sin, cos) of the circle of fifths (angle 7 pi/6 per semitone,
    radius 1), of minor thirds (3 pi/2, radius 1) and of major thirds
    (2 pi/3, radius 0.5), i.e. the pitch classes placed on three circles.
    """
    semitone = np.linspace(0, 12, n_chroma, endpoint=False)
    angles = np.array([7 / 6, 3 / 2, 2 / 3]) * np.pi
    radii = np.array([1.0, 1.0, 0.5])
    rows = []
    for angle, radius in zip(angles, radii):
        rows.append(radius * np.sin(angle * semitone))
        rows.append(radius * np.cos(angle * semitone))
    return np.array(rows)


def tonnetz(signal: np.ndarray, config: FusionConfig, chroma_stft_values: np.ndarray | None = None) -> np.ndarray:
    """speechnet Eq. 25: Tonnetz(t) = HPCP(t) x M, shape (6, frames).

    HPCP(t) is the pitch-class profile normalised to sum 1 per frame; M is
    :func:`tonnetz_matrix`. With ``tonnetz_chroma="cqt"`` (default, as in
    ``librosa.feature.tonnetz``) the profile comes from a constant-Q chroma,
    whose log-spaced bins resolve the low pitch classes that a 1024-point STFT
    smears; ``"stft"`` reuses Eq. 20's chroma (faster).
    """
    import librosa

    if config.tonnetz_chroma == "cqt":
        with warnings.catch_warnings():
            # On sub-second clips the CQT's lowest octaves (decimated 64x) are shorter than their
            # filters; librosa warns per octave. Those octaves sit below speech F0 and barely
            # move the pitch-class profile, so the warning is noise here.
            warnings.filterwarnings("ignore", message="n_fft=.* is too large for input signal")
            profile = librosa.feature.chroma_cqt(y=_check_signal(signal), sr=config.sample_rate,
                                                 hop_length=config.hop_length, n_chroma=config.chroma_bins)
    else:
        profile = chroma_stft_values if chroma_stft_values is not None else chroma(
            magnitude_spectrogram(signal, config), config)
    total = profile.sum(axis=0, keepdims=True)
    profile = np.divide(profile, total, out=np.zeros_like(profile), where=total > 0)
    return tonnetz_matrix(config.chroma_bins) @ profile


# --------------------------------------------------------------------------- pitch and energy
def rms_energy(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Section 4.2 (energy): root-mean-square amplitude of each centred frame, shape (1, frames)."""
    frames = frame_signal(signal, config).astype(np.float64)
    return np.sqrt(np.mean(frames ** 2, axis=1))[None, :]


def autocorrelation_pitch(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """F0 per frame from the normalised autocorrelation (numpy only), in Hz, shape (frames,).

    The fallback tracker, selectable as ``pitch_method="autocorrelation"``,
    for environments where librosa's numba-compiled ``yin`` crashes (seen
    with numpy 2.4.6 + numba 0.68.1). Per frame (Hann-windowed): the
    autocorrelation r(lag) via FFT, divided by the autocorrelation of the
    window itself (Boersma 1993) so that long lags are not penalised, the
    highest local peak in the lag range [sr/fmax, sr/fmin] after Praat's
    octave cost (0.01 per octave, favouring the shortest of equal peaks),
    refined by parabolic interpolation.
    """
    frames = frame_signal(signal, config).astype(np.float64)
    frames = frames - frames.mean(axis=1, keepdims=True)
    window = np.hanning(config.n_fft + 2)[1:-1]
    size = 2 * config.n_fft
    spectrum = np.fft.rfft(frames * window, n=size, axis=1)
    acf = np.fft.irfft(np.abs(spectrum) ** 2, n=size, axis=1)[:, :config.n_fft]
    window_acf = np.fft.irfft(np.abs(np.fft.rfft(window, n=size)) ** 2, n=size)[:config.n_fft]
    acf = acf / window_acf
    acf = acf / np.maximum(acf[:, :1], 1e-20)
    lag_min = int(np.floor(config.sample_rate / config.pitch_fmax))
    lag_max = int(np.ceil(config.sample_rate / config.pitch_fmin))
    lags = np.arange(lag_min, lag_max + 1)
    search = acf[:, lag_min - 1:lag_max + 2]  # one lag of margin on each side for the peak test
    inner = search[:, 1:-1]
    is_peak = (inner >= search[:, :-2]) & (inner > search[:, 2:])
    # Praat's octave cost: a tiny preference for shorter lags, so that the equal peaks at 2T, 3T of a
    # window-corrected autocorrelation never beat the true period T.
    score = np.where(is_peak, inner - OCTAVE_COST * np.log2(lags / lag_min), -np.inf)
    best = np.argmax(score, axis=1)
    no_peak = ~np.isfinite(score[np.arange(len(best)), best])
    best = np.where(no_peak, np.argmax(inner, axis=1), best)
    rows = np.arange(len(best))
    left, centre, right = search[rows, best], search[rows, best + 1], search[rows, best + 2]
    curvature = left - 2 * centre + right
    shift = np.divide(0.5 * (left - right), curvature, out=np.zeros_like(centre), where=curvature < 0)
    lag = lags[best] + np.clip(shift, -0.5, 0.5)
    return config.sample_rate / lag


def yin_pitch(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """F0 per frame with ``librosa.yin`` (de Cheveigne & Kawahara 2002), in Hz, shape (frames,)."""
    import librosa

    return librosa.yin(_check_signal(signal), fmin=config.pitch_fmin, fmax=config.pitch_fmax,
                       sr=config.sample_rate, frame_length=config.n_fft, hop_length=config.hop_length,
                       center=True)


PITCH_TRACKERS = {"yin": yin_pitch, "autocorrelation": autocorrelation_pitch}


def pitch(signal: np.ndarray, config: FusionConfig) -> np.ndarray:
    """speechnet Section 4.2 (pitch; the paper gives no equation): F0 contour in Hz, shape (1, frames).

    The tracker is ``config.pitch_method`` ("yin" or the numpy "autocorrelation"
    fallback). Trackers return a period for every frame, also for silence,
    where it is noise; frames whose RMS lies more than ``pitch_silence_db``
    below the loudest frame are set to F0 = 0 ("no pitch"), the convention of
    openSMILE's F0 features.
    """
    signal = _check_signal(signal)
    f0 = PITCH_TRACKERS[config.pitch_method](signal, config)
    energy = rms_energy(signal, config)[0]
    loud = energy.max()
    if loud <= 0:
        return np.zeros((1, len(f0)))
    level_db = 20 * np.log10(np.maximum(energy, 1e-12) / loud)
    return np.where(level_db < -config.pitch_silence_db, 0.0, f0)[None, :]


# --------------------------------------------------------------------------- the vector
def fusion_features(signal: np.ndarray, sr: int, config: FusionConfig | None = None) -> np.ndarray:
    """speechnet Section 4.2: the frame-level fusion vector, shape (frames, ``fusion_dimension(config)``).

    Columns in :func:`fusion_composition` order (107 with the default
    configuration); values are NOT standardised here, see
    :class:`FrameStandardiser`.
    """
    config = config or FusionConfig()
    if sr != config.sample_rate:
        raise ValueError(f"signal sample rate {sr} Hz differs from FusionConfig.sample_rate "
                         f"{config.sample_rate} Hz; resample with serlib.audio.resample first")
    signal = _check_signal(signal)
    if len(signal) < config.n_fft:
        signal = np.pad(signal, (0, config.n_fft - len(signal)))
    magnitude = magnitude_spectrogram(signal, config)
    cepstra = mfcc(signal, config)
    chroma_values = chroma(magnitude, config)
    f0 = pitch(signal, config)
    parts = {
        "mfcc": cepstra,
        "delta_mfcc": delta(cepstra),
        "delta2_mfcc": delta_delta(cepstra),
        "zero_crossing_rate": zero_crossing_rate(signal, config),
        "chroma": chroma_values,
        "spectral_contrast": spectral_contrast(magnitude, config),
        "spectral_centroid": spectral_centroid(magnitude, config),
        "spectral_rolloff": spectral_rolloff(magnitude, config),
        "spectral_bandwidth": spectral_bandwidth(magnitude, config),
        "tonnetz": tonnetz(signal, config, chroma_values),
        "pitch": f0,
        "delta_pitch": delta(f0),
        "rms_energy": rms_energy(signal, config),
    }
    n_frames = min(parts[name].shape[1] for name, _, _ in fusion_composition(config))
    columns = [parts[name][:, :n_frames] for name, _, _ in fusion_composition(config)]
    return np.concatenate(columns, axis=0).T.astype(np.float32)


@dataclass
class FrameStandardiser:
    """speechnet Section 4.2 standardisation: zero mean, unit variance per column.

    Fitted on the frames of the TRAINING utterances only and then applied to
    every split (the paper does not say on what it fitted; fitting on all data
    would leak test statistics). Columns that are constant in training
    (std 0) are centred and left unscaled.
    """

    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    columns: int | None = field(default=None)

    def fit(self, frame_matrices: Sequence[np.ndarray]) -> "FrameStandardiser":
        if len(frame_matrices) == 0:
            raise ValueError("FrameStandardiser.fit needs at least one (frames, dims) matrix")
        stacked = np.concatenate([np.atleast_2d(m) for m in frame_matrices], axis=0).astype(np.float64)
        self.mean = stacked.mean(axis=0)
        std = stacked.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        self.columns = stacked.shape[1]
        return self

    def transform(self, frames: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("FrameStandardiser.transform called before fit")
        frames = np.asarray(frames)
        if frames.shape[-1] != self.columns:
            raise ValueError(f"FrameStandardiser was fitted on {self.columns} columns, got {frames.shape[-1]}")
        return ((frames - self.mean) / self.std).astype(np.float32)


# --------------------------------------------------------------------------- utterance level
def utterance_statistics(frame_features: np.ndarray, statistics: Sequence[str] = ("mean", "std", "min", "max")
                         ) -> np.ndarray:
    """Functionals over time of a (frames, dims) matrix: one vector of ``len(statistics) * dims``.

    Laid out statistic by statistic (all means, then all stds, ...). For the
    classical baselines (SVM) that need one fixed-length vector per
    utterance. Available statistics: mean, std, min, max, median, skew, kurtosis.
    """
    frame_features = np.asarray(frame_features, dtype=np.float64)
    if frame_features.ndim != 2 or frame_features.shape[0] == 0:
        raise ValueError(f"frame_features must be a non-empty (frames, dims) matrix, got shape {frame_features.shape}")
    unknown = [s for s in statistics if s not in STATISTICS]
    if unknown or not statistics:
        raise ValueError(f"unknown statistics {unknown}; choose from {STATISTICS}")
    from scipy import stats

    functions = {
        "mean": lambda x: x.mean(axis=0), "std": lambda x: x.std(axis=0), "min": lambda x: x.min(axis=0),
        "max": lambda x: x.max(axis=0), "median": lambda x: np.median(x, axis=0),
        "skew": lambda x: np.nan_to_num(stats.skew(x, axis=0)),
        "kurtosis": lambda x: np.nan_to_num(stats.kurtosis(x, axis=0)),
    }
    return np.concatenate([functions[name](frame_features) for name in statistics]).astype(np.float32)


def extract_fusion(paths: Sequence, config: FusionConfig | None = None, use_cache: bool = True,
                   progress: bool = False, root=None) -> list[np.ndarray]:
    """Fusion features of every audio file, (frames, dims) each, read from / written to the feature cache."""
    from ..audio import load_audio
    from .cache import cached_map

    config = config or FusionConfig()

    def compute(path: str) -> np.ndarray:
        signal, sr = load_audio(path, sr=config.sample_rate)
        return fusion_features(signal, sr, config)

    return cached_map(list(paths), "speechnet_fusion", config.as_dict(), compute, use_cache=use_cache,
                      progress=progress, desc="fusion features", root=root)


def clip_summary(frames: np.ndarray, config: FusionConfig | None = None) -> dict:
    """A few per-clip descriptors read from a clip's fusion frames (``fusion_features`` output), for plots.

    Means over time; pitch statistics over voiced frames only (F0 > 0; NaN
    when fewer than one, resp. two, voiced frames), RMS energy in dBFS.
    """
    frames = np.asarray(frames, dtype=np.float64)
    names = fusion_column_names(config)
    if frames.ndim != 2 or frames.shape[1] != len(names):
        raise ValueError(f"clip_summary expects (frames, {len(names)}) fusion features, got shape {frames.shape}")
    column = {name: frames[:, names.index(name)] for name in
              ("pitch", "rms_energy", "spectral_centroid", "zero_crossing_rate", "mfcc_01")}
    voiced = column["pitch"][column["pitch"] > 0]
    return {"mean F0 (voiced)": voiced.mean() if voiced.size else np.nan,
            "RMS energy": 20 * np.log10(column["rms_energy"].mean() + 1e-9),
            "spectral centroid": column["spectral_centroid"].mean(),
            "zero-crossing rate": column["zero_crossing_rate"].mean(),
            "MFCC 1": column["mfcc_01"].mean(),
            "F0 std (voiced)": voiced.std() if voiced.size > 1 else np.nan}
