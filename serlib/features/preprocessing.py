"""FLA-SER preprocessing (paper ``fla_ser``, Section 2.1, Eqs. 1-9), by hand in NumPy.

Each numbered equation is one function whose docstring begins with
"fla_ser Eq. N". The implementations are deliberately plain NumPy so that a
student can read the equation in the code; ``tests/test_preprocessing.py``
checks every one against an independent reference (librosa, SciPy).

The chain of Fig. 1 of the paper, composed in :func:`fla_ser_logmel`::

    signal -> pre-emphasis (Eq. 1) -> framing (Eq. 3) -> Hamming window (Eq. 2)
           -> [endpoint detection: energy (Eq. 4), ZCR (Eq. 5), double threshold (Eq. 6)]
           -> FFT power spectrum -> Mel filter bank (Eqs. 7-8) -> log
           -> per-session normalisation (Eq. 9, over a whole corpus)

Conventions: frames are rows, ``frames[n]`` is frame ``n`` (shape
``(n_frames, frame_length)``); spectra are ``(n_frames, n_fft // 2 + 1)``;
the log-Mel output of the chain is ``(n_mels, n_frames)`` like librosa's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Pre-emphasis coefficient of fla_ser Eq. 1.
FLA_SER_MU = 0.9375
#: Frame length a_1 and frame shift a_2 of fla_ser Eq. 3, in milliseconds.
FLA_SER_FRAME_MS = 30.0
FLA_SER_SHIFT_MS = 10.0
#: Smoothing term delta of fla_ser Eq. 9.
FLA_SER_DELTA = 1e-8
#: Floor of the power before the logarithm (-100 dB), as librosa's ``amin``.
LOG_FLOOR = 1e-10


def _as_signal(signal, name: str = "signal") -> np.ndarray:
    array = np.asarray(signal)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of samples, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf samples")
    return array


def _as_frames(frames, name: str = "frames") -> np.ndarray:
    array = np.asarray(frames, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_frames, frame_length), got shape {array.shape}")
    return array


# --------------------------------------------------------------------------- Eq. 1
def preemphasis(signal, mu: float = FLA_SER_MU) -> np.ndarray:
    """fla_ser Eq. 1: pre-emphasis filter H(z) = 1 - mu z^-1, i.e. y[n] = x[n] - mu x[n-1].

    The sample before the first one is taken as zero (a filter at rest), so
    ``y[0] = x[0]``. librosa's ``preemphasis(y, coef=mu)`` uses the same sign
    convention (``b = [1, -coef]``) but by default starts from the state
    ``zi = 2 x[0] - x[1]``; with ``zi=0`` the two agree sample for sample.

    Args:
        signal: 1-D array of samples.
        mu: the coefficient; the paper uses 0.9375. Must satisfy 0 <= mu < 1
            (mu >= 1 would make the inverse filter unstable).
    """
    x = _as_signal(signal)
    if not 0.0 <= mu < 1.0:
        raise ValueError(f"mu (pre-emphasis coefficient) must be in [0, 1), got {mu}")
    emphasised = np.empty_like(x)
    emphasised[0] = x[0]
    emphasised[1:] = x[1:] - mu * x[:-1]
    return emphasised


# --------------------------------------------------------------------------- Eq. 2
def hamming_window(length: int, periodic: bool = False) -> np.ndarray:
    """fla_ser Eq. 2: Hamming window w(n) = 0.54 - 0.46 cos(2 pi n / (N - 1)), n = 0..N-1.

    The paper's formula (denominator N - 1) is the SYMMETRIC window, SciPy's
    ``get_window('hamming', N, fftbins=False)``; it is the default here because
    it is what the equation says. ``periodic=True`` gives the DFT-even window
    (denominator N, ``fftbins=True``) that librosa and torch use by default in
    their STFTs; it is offered so a student can compare the two.
    """
    if int(length) != length or length < 1:
        raise ValueError(f"window length must be a positive integer, got {length!r}")
    length = int(length)
    if length == 1:
        return np.ones(1)
    denominator = length if periodic else length - 1
    n = np.arange(length)
    return 0.54 - 0.46 * np.cos(2.0 * np.pi * n / denominator)


# --------------------------------------------------------------------------- Eq. 3
def frame_parameters(sr: int, frame_ms: float = FLA_SER_FRAME_MS, shift_ms: float = FLA_SER_SHIFT_MS) -> tuple[int, int]:
    """fla_ser Eq. 3: frame length a_1 = 30 ms and frame shift a_2 = 10 ms, in samples.

    Returns ``(frame_length, hop_length)`` = ``(round(sr a_1), round(sr a_2))``;
    at 16 kHz that is (480, 160).
    """
    if sr <= 0:
        raise ValueError(f"sr (sample rate) must be positive, got {sr}")
    if frame_ms <= 0 or shift_ms <= 0:
        raise ValueError(f"frame_ms and shift_ms must be positive, got {frame_ms} and {shift_ms}")
    frame_length = int(round(sr * frame_ms / 1000.0))
    hop_length = int(round(sr * shift_ms / 1000.0))
    if frame_length < 2 or hop_length < 1:
        raise ValueError(f"{frame_ms} ms / {shift_ms} ms at {sr} Hz gives frame {frame_length}, hop {hop_length} samples: too short")
    return frame_length, hop_length


def frame_signal(signal, frame_length: int, hop_length: int) -> np.ndarray:
    """fla_ser Eq. 3: overlapping frames, frame n = x[n a_2 : n a_2 + a_1].

    Returns an array ``(n_frames, frame_length)`` with
    ``n_frames = 1 + (len(x) - frame_length) // hop_length``; an incomplete
    last frame is dropped (no padding), as ``librosa.util.frame`` does. The
    rows are copies, so windowing them in place is safe.
    """
    x = _as_signal(signal)
    if frame_length < 1 or hop_length < 1:
        raise ValueError(f"frame_length and hop_length must be positive, got {frame_length} and {hop_length}")
    if x.size < frame_length:
        raise ValueError(f"signal has {x.size} samples, fewer than one frame of {frame_length}")
    n_frames = 1 + (x.size - frame_length) // hop_length
    starts = hop_length * np.arange(n_frames)[:, None]
    return x[starts + np.arange(frame_length)[None, :]]


# --------------------------------------------------------------------------- Eq. 4
def short_time_energy(frames, window=None) -> np.ndarray:
    """fla_ser Eq. 4: short-time energy E(n) = sum_i |x(i) w(i)|^2 of every frame.

    ``frames`` are raw (unwindowed) frames ``(n_frames, N)``; ``window`` is
    w(i), by default the Eq. 2 Hamming window of length N. Pass
    ``np.ones(N)`` for the energy of frames that are already windowed.
    """
    frames = _as_frames(frames)
    window = hamming_window(frames.shape[1]) if window is None else np.asarray(window, dtype=float)
    if window.shape != (frames.shape[1],):
        raise ValueError(f"window has shape {window.shape}, frames have length {frames.shape[1]}")
    return np.sum(np.abs(frames * window) ** 2, axis=1)


# --------------------------------------------------------------------------- Eq. 5
def zero_crossing_rate(frames, amplitude_threshold: float = 0.0) -> np.ndarray:
    """fla_ser Eq. 5: Z(n) = 1/2 sum_{i=1}^{N-1} |sgn(x(i)) - sgn(x(i-1))| per frame.

    Returns the COUNT of zero crossings in each frame, as the equation does
    (librosa's ``zero_crossing_rate`` returns the count divided by N: divide
    by ``frames.shape[1]`` to compare). ``sgn`` is the three-valued sign
    (-1, 0, +1), so a pass through an exact zero counts 1/2 + 1/2 = 1.

    ``amplitude_threshold``: samples with ``|x| <= threshold`` count as 0
    before ``sgn``. The paper does not have it; it is the usual guard of the
    double-threshold method that stops low-level background noise, which
    crosses zero at almost every sample, from looking like unvoiced speech.
    With the default 0 the function is exactly Eq. 5.
    """
    frames = _as_frames(frames)
    if amplitude_threshold < 0:
        raise ValueError(f"amplitude_threshold must be >= 0, got {amplitude_threshold}")
    signs = np.sign(frames)
    if amplitude_threshold > 0:
        signs[np.abs(frames) <= amplitude_threshold] = 0.0
    return 0.5 * np.sum(np.abs(np.diff(signs, axis=1)), axis=1)


# --------------------------------------------------------------------------- Eq. 6
def double_threshold_decision(energy, zcr, energy_high: float, energy_low: float, zcr_threshold: float,
                              initial_state: int = 0, speech_rule: str = "energy") -> np.ndarray:
    """fla_ser Eq. 6: frame decision S_n with hysteresis (state memory S_{n-1}).

    The paper writes::

        S_n = 1        if (E_n > T_H) and (Z_n > T_H)
              0        if (E_n < T_L) and (Z_n < T_L)
              S_{n-1}  otherwise

    Two choices, because the equation cannot be used as printed:

    * Energy and ZCR have different units, so one T_H cannot serve both.
      Each feature gets its own threshold: ``energy_high``/``energy_low`` for
      E_n, ``zcr_threshold`` for Z_n (same units as the arrays passed in).
    * Requiring a HIGH zero-crossing rate for speech rejects voiced speech,
      whose ZCR is low (vowels are periodic). The classical double-threshold
      method the paper cites ([15]; Rabiner and Sambur) uses energy to find
      speech and ZCR only to keep weak unvoiced sounds. So the default rule
      (``speech_rule="energy"``) is: S_n = 1 if E_n > T_H^E; S_n = 0 if
      E_n < T_L^E and Z_n < T_Z; else S_{n-1}. ``speech_rule="energy_and_zcr"``
      is the paper's literal conjunction (E_n > T_H^E and Z_n > T_Z), kept so
      the notebook can show what it misses.

    Returns an int array of 0/1 per frame.
    """
    energy = np.asarray(energy, dtype=float)
    zcr = np.asarray(zcr, dtype=float)
    if energy.shape != zcr.shape or energy.ndim != 1:
        raise ValueError(f"energy and zcr must be 1-D arrays of the same length, got {energy.shape} and {zcr.shape}")
    if energy_low > energy_high:
        raise ValueError(f"energy_low ({energy_low}) must not exceed energy_high ({energy_high})")
    if speech_rule not in ("energy", "energy_and_zcr"):
        raise ValueError(f"speech_rule must be 'energy' or 'energy_and_zcr', got {speech_rule!r}")
    if initial_state not in (0, 1):
        raise ValueError(f"initial_state must be 0 or 1, got {initial_state!r}")
    speech = energy > energy_high
    if speech_rule == "energy_and_zcr":
        speech &= zcr > zcr_threshold
    silence = (energy < energy_low) & (zcr < zcr_threshold)
    states = np.empty(energy.size, dtype=int)
    previous = initial_state
    for n in range(energy.size):
        previous = 1 if speech[n] else 0 if silence[n] else previous
        states[n] = previous
    return states


SILENCE, MAYBE_SPEECH, SPEECH = 0, 1, 2


@dataclass(frozen=True)
class SpeechSegment:
    """One detected speech segment: frames [first_frame, last_frame] and its span in samples/seconds."""

    first_frame: int
    last_frame: int
    start_sample: int
    end_sample: int  # exclusive
    sr: int

    @property
    def start_s(self) -> float:
        return self.start_sample / self.sr

    @property
    def end_s(self) -> float:
        return self.end_sample / self.sr

    @property
    def duration_s(self) -> float:
        return (self.end_sample - self.start_sample) / self.sr


@dataclass
class EndpointDetection:
    """Result of :func:`detect_endpoints`: segments plus everything needed to plot the decision."""

    segments: list
    frame_states: np.ndarray  # per frame: 0 silence, 1 maybe-speech, 2 speech (state machine's view)
    speech_mask: np.ndarray  # per frame: True inside a kept segment
    energy: np.ndarray
    zcr: np.ndarray  # crossings per sample (Eq. 5 count / frame length)
    energy_high: float
    energy_low: float
    zcr_threshold: float
    frame_length: int
    hop_length: int
    sr: int
    parameters: dict = field(default_factory=dict)

    @property
    def frame_times(self) -> np.ndarray:
        """Centre of every frame, in seconds."""
        return (np.arange(self.energy.size) * self.hop_length + self.frame_length / 2) / self.sr

    def speech_samples(self, n_samples: int) -> np.ndarray:
        """Boolean mask over the signal's samples, True inside detected speech."""
        mask = np.zeros(n_samples, dtype=bool)
        for segment in self.segments:
            mask[segment.start_sample:min(segment.end_sample, n_samples)] = True
        return mask


def detect_endpoints(signal, sr: int, frame_ms: float = FLA_SER_FRAME_MS, shift_ms: float = FLA_SER_SHIFT_MS,
                     energy_high_db: float = -20.0, energy_low_db: float = -35.0, zcr_threshold: float = 0.25,
                     zcr_amplitude_ratio: float = 0.02, min_speech_ms: float = 100.0,
                     max_silence_ms: float = 80.0, noise_percentile: float = 10.0,
                     noise_margin_db: float = 6.0) -> EndpointDetection:
    """fla_ser Eq. 6 (with state memory): double-threshold endpoint detection as a state machine.

    Eq. 6 only says that a frame keeps the previous decision between the two
    thresholds. The paper's source method ([15], the classical double
    threshold) runs it as a three-state machine, implemented here:

    * SILENCE -> SPEECH when E > T_H (energy high); SILENCE -> MAYBE-SPEECH when
      E > T_L or Z > T_Z. The segment begins at the first MAYBE frame, so the
      low threshold (and the ZCR, for unvoiced onsets such as /s/) extends the
      boundary outwards from where the energy first became loud.
    * MAYBE-SPEECH -> SPEECH when E > T_H; back to SILENCE (onset forgotten)
      when E < T_L and Z < T_Z.
    * SPEECH stays while E > T_L or Z > T_Z. A run of quiet frames longer
      than ``max_silence_ms`` ends the segment at the last non-quiet frame;
      a segment shorter than ``min_speech_ms`` is discarded as a click.

    Thresholds are relative, so one setting works for any recording level:
    T_H and T_L are ``energy_high_db``/``energy_low_db`` decibels below the
    loudest frame's energy (Eq. 4); T_Z is ``zcr_threshold`` crossings per
    sample (Eq. 5 count / N), where samples below ``zcr_amplitude_ratio``
    times the peak amplitude count as zero (see :func:`zero_crossing_rate`).
    A quiet utterance over a steady noise floor would put those relative
    thresholds inside the noise, so both are raised above a noise estimate,
    the ``noise_percentile``-th percentile of the frame energies: T_L is at
    least ``noise_margin_db`` above it (T_H at least T_L), and the ZCR's
    amplitude threshold at least 3 noise standard deviations (Gaussian noise
    then crosses it at fewer than 0.3 % of samples).

    Boundaries in samples: frame n is centred at n a_2 + a_1/2; a segment of
    frames [f, l] spans from the centre of f minus a_2/2 to the centre of l
    plus a_2/2, clipped to the signal. The paper gives no thresholds or
    minimum lengths; the defaults were chosen on tone bursts in noise and the
    RAVDESS stand-in (see notebook 02).
    """
    x = _as_signal(signal)
    if energy_low_db > energy_high_db:
        raise ValueError(f"energy_low_db ({energy_low_db}) must not exceed energy_high_db ({energy_high_db})")
    if min_speech_ms < 0 or max_silence_ms < 0:
        raise ValueError(f"min_speech_ms and max_silence_ms must be >= 0, got {min_speech_ms} and {max_silence_ms}")
    frame_length, hop_length = frame_parameters(sr, frame_ms, shift_ms)
    frames = frame_signal(x, frame_length, hop_length)
    energy = short_time_energy(frames)
    peak_energy = float(energy.max())
    if peak_energy <= 0:
        raise ValueError("signal is all zeros: no energy to detect speech in")
    window = hamming_window(frame_length)
    noise_energy = float(np.percentile(energy, noise_percentile))
    noise_rms = np.sqrt(noise_energy / np.sum(window ** 2))
    energy_low = max(peak_energy * 10.0 ** (energy_low_db / 10.0), noise_energy * 10.0 ** (noise_margin_db / 10.0))
    energy_high = max(peak_energy * 10.0 ** (energy_high_db / 10.0), energy_low)
    amplitude_threshold = max(zcr_amplitude_ratio * float(np.max(np.abs(x))), 3.0 * noise_rms)
    zcr = zero_crossing_rate(frames, amplitude_threshold) / frame_length

    min_speech_frames = int(np.ceil(min_speech_ms / shift_ms))
    max_silence_frames = int(round(max_silence_ms / shift_ms))
    loud = energy > energy_high
    active = (energy > energy_low) | (zcr > zcr_threshold)

    states = np.zeros(energy.size, dtype=int)
    segments_frames: list[tuple[int, int]] = []
    state, onset, last_active = SILENCE, 0, 0
    for n in range(energy.size):
        if state in (SILENCE, MAYBE_SPEECH):
            if loud[n]:
                onset = n if state == SILENCE else onset
                state, last_active = SPEECH, n
            elif active[n]:
                onset = n if state == SILENCE else onset
                state = MAYBE_SPEECH
            else:
                state = SILENCE
        else:  # SPEECH
            if active[n]:
                last_active = n
            elif n - last_active > max_silence_frames:
                segments_frames.append((onset, last_active))
                state = SILENCE
        states[n] = state
    if state == SPEECH:
        segments_frames.append((onset, last_active))

    segments_frames = [(f, l) for f, l in segments_frames if l - f + 1 >= min_speech_frames]
    speech_mask = np.zeros(energy.size, dtype=bool)
    segments = []
    for first, last in segments_frames:
        speech_mask[first:last + 1] = True
        start = max(0, int(round(first * hop_length + frame_length / 2 - hop_length / 2)))
        end = min(x.size, int(round(last * hop_length + frame_length / 2 + hop_length / 2)))
        segments.append(SpeechSegment(first, last, start, end, sr))
    parameters = dict(frame_ms=frame_ms, shift_ms=shift_ms, energy_high_db=energy_high_db,
                      energy_low_db=energy_low_db, zcr_threshold=zcr_threshold,
                      zcr_amplitude_ratio=zcr_amplitude_ratio, min_speech_ms=min_speech_ms,
                      max_silence_ms=max_silence_ms, noise_percentile=noise_percentile,
                      noise_margin_db=noise_margin_db)
    return EndpointDetection(segments, states, speech_mask, energy, zcr, energy_high, energy_low, zcr_threshold,
                             frame_length, hop_length, int(sr), parameters)


# --------------------------------------------------------------------------- FFT
def power_spectrum(frames, n_fft: int | None = None) -> np.ndarray:
    """fla_ser (between Eqs. 6 and 7): |X(k)|^2 of every frame, k = 0..n_fft/2.

    "the split-frame signal is fast Fourier transformed to obtain the
    spectrum": a K-point FFT of each (already windowed) frame, zero-padded at
    the end when K exceeds the frame length. Only the non-negative
    frequencies are returned (the spectrum of a real frame is symmetric), so
    the shape is ``(n_frames, n_fft // 2 + 1)``. No 1/K scaling: Eq. 8 sums
    |X(k)|^2 as it is.
    """
    frames = _as_frames(frames)
    n_fft = frames.shape[1] if n_fft is None else int(n_fft)
    if n_fft < frames.shape[1]:
        raise ValueError(f"n_fft ({n_fft}) must be at least the frame length ({frames.shape[1]})")
    return np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2


# --------------------------------------------------------------------------- Eq. 7
def hz_to_mel(frequency_hz):
    """fla_ser Eq. 7: Mel(f) = 2595 log10(1 + f / 700) (the HTK Mel scale)."""
    frequency_hz = np.asarray(frequency_hz, dtype=float)
    if np.any(frequency_hz < 0):
        raise ValueError("frequency_hz must be >= 0")
    return 2595.0 * np.log10(1.0 + frequency_hz / 700.0)


def mel_to_hz(mel):
    """fla_ser Eq. 7 inverted: f = 700 (10^(Mel / 2595) - 1)."""
    mel = np.asarray(mel, dtype=float)
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


# --------------------------------------------------------------------------- Eq. 8
def mel_filter_bank(sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None,
                    area_normalise: bool = False) -> np.ndarray:
    """fla_ser Eq. 8: the filters H_m(k), m = 0..M-1, over FFT bins k = 0..K/2.

    Triangular filters whose corner frequencies are ``n_mels + 2`` points
    equally spaced on the Eq. 7 Mel scale between ``fmin`` and ``fmax``
    (default sr/2). Filter m rises linearly from corner m to a peak of 1 at
    corner m+1 and falls to 0 at corner m+2, evaluated at the bin frequencies
    k sr / K. The paper does not say how the filters are scaled; the default
    is peak 1 (HTK; ``librosa.filters.mel(htk=True, norm=None)``).
    ``area_normalise=True`` divides each filter by its bandwidth
    (2 / (f_{m+2} - f_m), librosa's ``norm='slaney'``) so wide high-frequency
    filters do not collect more energy than narrow ones.

    Returns ``(n_mels, n_fft // 2 + 1)``.
    """
    if sr <= 0 or n_fft < 2 or n_mels < 1:
        raise ValueError(f"need sr > 0, n_fft >= 2, n_mels >= 1; got sr={sr}, n_fft={n_fft}, n_mels={n_mels}")
    fmax = sr / 2.0 if fmax is None else float(fmax)
    if not 0.0 <= fmin < fmax <= sr / 2.0:
        raise ValueError(f"need 0 <= fmin < fmax <= sr/2 = {sr / 2}; got fmin={fmin}, fmax={fmax}")
    bin_frequencies = np.arange(n_fft // 2 + 1) * sr / n_fft
    corners = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(corners)
    offsets = corners[:, None] - bin_frequencies[None, :]
    rising = -offsets[:-2] / widths[:-1, None]
    falling = offsets[2:] / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    if area_normalise:
        filters *= (2.0 / (corners[2:] - corners[:-2]))[:, None]
    return filters


def mel_spectrum(power, filter_bank) -> np.ndarray:
    """fla_ser Eq. 8: S(m) = sum_k |X(k)|^2 H_m(k) for every frame.

    ``power`` is ``(n_frames, n_fft // 2 + 1)`` from :func:`power_spectrum`,
    ``filter_bank`` is ``(n_mels, n_fft // 2 + 1)`` from
    :func:`mel_filter_bank`. The sum runs over the non-negative frequencies
    only (the paper's k = 0..K-1 over the full FFT would count every band
    twice, a constant factor that the log and Eq. 9 remove anyway).
    Returns ``(n_frames, n_mels)``.
    """
    power = _as_frames(power, "power")
    filter_bank = np.asarray(filter_bank, dtype=float)
    if filter_bank.ndim != 2 or filter_bank.shape[1] != power.shape[1]:
        raise ValueError(f"filter_bank shape {filter_bank.shape} does not match power spectra of {power.shape[1]} bins")
    return power @ filter_bank.T


def log_mel(mel_power, floor: float = LOG_FLOOR) -> np.ndarray:
    """fla_ser (after Eq. 8): log-Mel in decibels, 10 log10(max(S, floor)).

    The paper feeds "Mel spectra" to its network without naming the
    logarithm; decibels (base 10, x10) with a floor of 1e-10 (-100 dB) are
    librosa's ``power_to_db(S, ref=1.0, amin=1e-10, top_db=None)``, so the
    course uses one convention everywhere.
    """
    if floor <= 0:
        raise ValueError(f"floor must be positive, got {floor}")
    return 10.0 * np.log10(np.maximum(np.asarray(mel_power, dtype=float), floor))


# --------------------------------------------------------------------------- Eq. 9
def fit_session_stats(features, groups) -> dict:
    """fla_ser Eq. 9 (statistics): mu_s and sigma_s of every session/speaker s.

    ``features`` is ``(n_items, n_features)`` or ``(n_items, n_features,
    n_frames)`` (e.g. log-Mel ``(N, n_mels, T)``); ``groups`` gives each
    item's session or speaker id. Statistics are per feature (per Mel band),
    pooled over all items and frames of the group. Returns
    ``{group: (mean, std)}`` with arrays of shape ``(n_features,)``.

    The paper calls sigma_s "the variance" but divides by sigma_s; dividing
    by a variance would not give unit scale, so sigma_s is the standard
    deviation (population, ddof=0).
    """
    features, groups = _check_grouped(features, groups)
    stats = {}
    for group in _ordered_unique(groups):
        member = features[groups == group]
        pooled = np.moveaxis(member, 1, -1).reshape(-1, member.shape[1])
        stats[group] = (pooled.mean(axis=0), pooled.std(axis=0))
    return stats


def apply_session_stats(features, groups, stats: dict, delta: float = FLA_SER_DELTA) -> np.ndarray:
    """fla_ser Eq. 9: x_norm = (x - mu_s) / (sigma_s + delta), delta = 1e-8.

    (The paper prints "· δ = 10^-8"; the dot is a typesetting slip for a
    comma.) Every item is normalised with the statistics of its own group;
    a group missing from ``stats`` raises a KeyError naming it.
    """
    features, groups = _check_grouped(features, groups)
    normalised = np.empty_like(features, dtype=float)
    shape = (1, features.shape[1]) + (1,) * (features.ndim - 2)
    for group in _ordered_unique(groups):
        if group not in stats:
            raise KeyError(f"no session statistics for group {group!r}; known groups: {sorted(map(str, stats))}")
        mean, std = stats[group]
        rows = groups == group
        normalised[rows] = (features[rows] - np.reshape(mean, shape)) / (np.reshape(std, shape) + delta)
    return normalised


def session_normalize(features, groups, delta: float = FLA_SER_DELTA) -> np.ndarray:
    """fla_ser Eq. 9: per-session (per-speaker) normalisation, each group with its OWN statistics.

    Why this is legitimate for speaker-independent testing: the statistics of
    a session are computed from that session's features only, never from its
    labels, so a test speaker is normalised with its own (unlabelled) audio,
    as a deployed system would do after hearing a few utterances of a new
    speaker. Nothing from the test speakers reaches the training speakers'
    statistics and no statistic is learned from training data at all. The
    paper: "independent normalization is performed by session to eliminate
    acoustic differences between different speakers and recording
    environments". When a test speaker's audio cannot be pooled (one
    utterance at a time), use :func:`fit_session_stats` on what is available
    and :func:`apply_session_stats`.
    """
    return apply_session_stats(features, groups, fit_session_stats(features, groups), delta)


def _check_grouped(features, groups) -> tuple[np.ndarray, np.ndarray]:
    features = np.asarray(features, dtype=float)
    groups = np.asarray(groups)
    if features.ndim < 2:
        raise ValueError(f"features must be (n_items, n_features[, n_frames]), got shape {features.shape}")
    if groups.shape != (features.shape[0],):
        raise ValueError(f"groups must have one id per item ({features.shape[0]}), got shape {groups.shape}")
    return features, groups


def _ordered_unique(values: np.ndarray) -> list:
    seen = {}
    for value in values.tolist():
        seen.setdefault(value, None)
    return list(seen)


# --------------------------------------------------------------------------- the chain
def fla_ser_logmel(signal, sr: int, mu: float = FLA_SER_MU, frame_ms: float = FLA_SER_FRAME_MS,
                   shift_ms: float = FLA_SER_SHIFT_MS, n_fft: int | None = None, n_mels: int = 64,
                   fmin: float = 0.0, fmax: float | None = None, remove_silence: bool = False,
                   floor: float = LOG_FLOOR, **endpoint_options) -> np.ndarray:
    """fla_ser Eqs. 1-8 composed (Fig. 1): pre-emphasis, 30/10 ms Hamming frames, FFT, Mel bank, log.

    Returns the log-Mel spectrogram ``(n_mels, n_frames)`` in dB. Eq. 9 works
    across utterances of a session, so it is not part of a one-signal chain:
    apply :func:`session_normalize` to the stacked outputs.

    Choices where the paper is silent: ``n_fft`` (K) defaults to the next
    power of two at or above the frame length (512 at 16 kHz); 64 Mel filters
    with peak 1 on the Eq. 7 scale from 0 Hz to sr/2. ``remove_silence``
    keeps only the frames inside segments found by :func:`detect_endpoints`
    (run on the un-emphasised signal, with ``endpoint_options``); it is off
    by default because the course's models need equal-length inputs and the
    stand-in clips are short.
    """
    x = _as_signal(signal)
    frame_length, hop_length = frame_parameters(sr, frame_ms, shift_ms)
    n_fft = int(2 ** np.ceil(np.log2(frame_length))) if n_fft is None else int(n_fft)
    frames = frame_signal(preemphasis(x, mu), frame_length, hop_length)
    if remove_silence:
        detection = detect_endpoints(x, sr, frame_ms=frame_ms, shift_ms=shift_ms, **endpoint_options)
        if not detection.speech_mask.any():
            raise ValueError("remove_silence=True but the endpoint detector found no speech in the signal")
        frames = frames[detection.speech_mask]
    power = power_spectrum(frames * hamming_window(frame_length), n_fft)
    bank = mel_filter_bank(sr, n_fft, n_mels, fmin, fmax)
    return log_mel(mel_spectrum(power, bank), floor).T
