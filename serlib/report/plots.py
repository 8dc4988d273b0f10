"""The figures of the course notebooks, drawn in the one course style (:mod:`serlib.report.style`).

Each function draws one figure of a notebook from data the notebook computed
(or read from ``results/``) and returns the matplotlib figure, so that the
notebook cell stays a few lines long and the figure is tested here. None of
them saves: the notebook passes the figure to
:func:`serlib.report.figures.save_figure`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .style import (DIVERGING_CMAP, OKABE_ITO, categorical_plot, label_axes, provenance, robust_limits,
                    show_image, short_corpus_name)

#: Colours of the two kinds of protocol, everywhere in the course.
PROTOCOL_COLOURS = {False: OKABE_ITO[3], True: OKABE_ITO[2]}  # speaker-dependent: vermillion; -independent: green


def _subplots(*args, **kwargs):
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)


# --------------------------------------------------------------------------- notebook 01
def waveform_panels(clips: Mapping[str, tuple[np.ndarray, int]], title: str | None = None):
    """One panel per labelled clip: amplitude (full scale = 1) against time (s), shared amplitude axis."""
    if not clips:
        raise ValueError("waveform_panels needs at least one (signal, sample rate) clip")
    fig, axes = _subplots(1, len(clips), figsize=(3 * len(clips), 2.3), sharey=True, squeeze=False)
    for ax, (label, (signal, sr)) in zip(axes[0], clips.items()):
        ax.plot(np.arange(len(signal)) / sr, signal, lw=0.4)
        label_axes(ax, x="time", x_unit="s", title=label)
    label_axes(axes[0][0], y="amplitude", y_unit="full scale")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def leakage_figure(frame, metric: str = "UA"):
    """Speaker-dependent vs speaker-independent ``metric`` of the leakage results, one panel per corpus.

    Bars (never lines: protocols are categories) with the spread over folds x
    seeds as error bars; each bar's tick names its protocol and how many folds
    x seeds it aggregates, each panel its corpus, so two corpora are never
    read as one comparison.
    """
    part = frame[frame["metric"] == metric]
    if part.empty:
        raise ValueError(f"leakage_figure: no {metric!r} rows in the results frame")
    corpora = list(dict.fromkeys(part["corpus"]))
    fig, axes = _subplots(1, len(corpora), figsize=(3.2 * len(corpora), 3.0), sharey=True, squeeze=False)
    for ax, corpus in zip(axes[0], corpora):
        rows = part[part["corpus"] == corpus].sort_values("speaker_independent")
        ticks, colours = [], []
        for _, row in rows.iterrows():
            facts = provenance(rows[rows["protocol"] == row["protocol"]])
            ticks.append(f"{row['protocol']}\n{facts['folds']} folds x {facts['seeds']} seed"
                         + ("s" if facts["seeds"] != 1 else ""))
            colours.append(PROTOCOL_COLOURS[str(row["speaker_independent"]) == "True"])
        categorical_plot(ax, ticks, 100 * rows["ours"].astype(float).to_numpy(),
                         100 * rows["ours_std"].astype(float).to_numpy(), kind="bars", value=metric,
                         value_unit="%", corpora=[corpus] * len(rows), colors=colours)
        ax.set_title(short_corpus_name(corpus))
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color=PROTOCOL_COLOURS[False], label="speaker-dependent split"),
                        Patch(color=PROTOCOL_COLOURS[True], label="speaker-independent split")],
               loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.08))
    fig.suptitle(f"the same small CNN, {metric} (mean ± std over folds x seeds)")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- notebook 02
def endpoint_figure(signal: np.ndarray, sr: int, mu: float | None = None, frame_ms: float = 30.0,
                    shift_ms: float = 10.0, high_db: float = -20.0, low_db: float = -35.0):
    """fla_ser Eq. 6 at work: waveform with the detected speech, energy against the two thresholds and the
    detector's state, and the log-Mel spectrogram (Eqs. 1-8) with the same framing."""
    from ..features import preprocessing as pre

    mu = pre.FLA_SER_MU if mu is None else mu
    found = pre.detect_endpoints(signal, sr, frame_ms=frame_ms, shift_ms=shift_ms, energy_high_db=high_db,
                                 energy_low_db=min(low_db, high_db))
    spectrogram = pre.fla_ser_logmel(signal, sr, mu=mu, frame_ms=frame_ms, shift_ms=shift_ms)
    fig, (ax1, ax2, ax3) = _subplots(3, 1, figsize=(9, 6.4), sharex=True, layout="constrained")
    ax1.plot(np.arange(signal.size) / sr, signal, lw=0.5, color="0.4")
    for segment in found.segments:
        ax1.axvspan(segment.start_s, segment.end_s, color=OKABE_ITO[2], alpha=0.25)
    label_axes(ax1, y="x(t)", y_unit="full scale",
               title=f"{len(found.segments)} speech segment(s) (shaded), frames {frame_ms:g} ms every {shift_ms:g} ms")
    energy_db = 10 * np.log10(found.energy + 1e-12)
    ax2.plot(found.frame_times, energy_db, label="E(n)")
    for value, name, colour in ((found.energy_high, "T_H", "k"), (found.energy_low, "T_L", "0.5")):
        ax2.axhline(10 * np.log10(value), ls="--", color=colour, label=name)
    state_axis = ax2.twinx()
    state_axis.step(found.frame_times, found.frame_states, where="mid", color=OKABE_ITO[3], lw=0.8)
    state_axis.set_ylabel("detector state")
    state_axis.spines["right"].set_visible(True)
    label_axes(ax2, y="E(n)", y_unit="dB")
    ax2.legend(loc="upper left", fontsize=7, ncol=3)
    times = (np.arange(spectrogram.shape[1]) * shift_ms + frame_ms / 2) / 1000
    step = times[1] - times[0] if times.size > 1 else shift_ms / 1000
    show_image(ax3, spectrogram, extent=[times[0] - step / 2, times[-1] + step / 2, -0.5, spectrogram.shape[0] - 0.5],
               x="time", x_unit="s", y="Mel band", y_unit=None, value="log-Mel", value_unit="dB",
               title=f"log-Mel (Eqs. 1-8), mu = {mu:.3f}", colorbar_axes=[ax1, ax2, ax3])
    return fig


def session_normalisation_figure(features: np.ndarray, normalised: np.ndarray, groups: Sequence,
                                 tolerance: float = 1e-4):
    """fla_ser Eq. 9: per-speaker mean log-Mel per band before, and the size of what is left after.

    After Eq. 9 every speaker's band means are zero up to float rounding; drawn
    on a linear axis that rounding (1e-8 and below) would look like a signal.
    The right panel therefore shows the largest |band mean| per speaker on a
    log axis against the ``tolerance`` the check asserts.
    """
    groups = np.asarray(groups)
    speakers = list(dict.fromkeys(groups.tolist()))
    fig, (ax1, ax2) = _subplots(1, 2, figsize=(10, 3.2), gridspec_kw={"width_ratios": [2, 1]})
    for speaker in speakers:
        ax1.plot(features[groups == speaker].mean(axis=(0, 2)), lw=1, label=f"speaker {speaker}")
    label_axes(ax1, x="Mel band", x_unit=None, y="mean log-Mel", y_unit="dB", title="before Eq. 9: per-speaker band means")
    ax1.legend(fontsize=7)
    leftover = [float(np.abs(normalised[groups == s].mean(axis=(0, 2))).max()) for s in speakers]
    categorical_plot(ax2, [str(s) for s in speakers], np.maximum(leftover, np.finfo(np.float64).tiny),
                     value="largest |band mean| after Eq. 9", value_unit=None, category="speaker")
    ax2.set_yscale("log")
    ax2.axhline(tolerance, color="k", ls="--", lw=0.8, label=f"tolerance {tolerance:g}")
    ax2.legend(fontsize=7)
    ax2.set_title("after Eq. 9: what is left is rounding")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- notebook 03
def standardise_rows(values: np.ndarray) -> np.ndarray:
    """Each row (coefficient) to zero mean and unit standard deviation over time; constant rows become 0.

    For display: MFCC 0 (the log energy) is tens of times larger than the
    other coefficients and would take the whole colour range.
    """
    values = np.asarray(values, dtype=np.float64)
    spread = values.std(axis=1, keepdims=True)
    return np.divide(values - values.mean(axis=1, keepdims=True), spread, out=np.zeros_like(values),
                     where=spread > 0)


def cepstra_figure(panels: Mapping[str, np.ndarray], times: np.ndarray, title: str | None = None):
    """Coefficient-by-time images (MFCCs and their deltas), each row standardised over time for display.

    The colour of a cell is how far that coefficient is from its own mean, in
    its own standard deviations (the title says so), on a symmetric diverging
    scale with a colour bar, so no coefficient saturates the others.
    """
    fig, axes = _subplots(len(panels), 1, figsize=(7.5, 1.9 * len(panels)), sharex=True, squeeze=False)
    for ax, (name, values) in zip(axes[:, 0], panels.items()):
        shown = standardise_rows(values)
        low, high = robust_limits(shown, (1.0, 99.0), symmetric=True)
        show_image(ax, shown, extent=[times[0], times[-1], -0.5, values.shape[0] - 0.5], x="time", x_unit="s",
                   y="coefficient", y_unit=None, value="per-coefficient z", value_unit=None,
                   cmap=DIVERGING_CMAP, vmin=low, vmax=high, title=f"{name}, each row standardised over time")
    for ax in axes[:-1, 0]:
        ax.set_xlabel("")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def per_emotion_distributions(table, columns: Sequence[str], units: Mapping[str, str | None], order=None,
                              title: str | None = None):
    """Violin + box plots of per-clip values, one panel per column, emotions as categories on the x axis."""
    order = list(order) if order is not None else sorted(set(table["emotion"]))
    n_cols = 3
    n_rows = -(-len(columns) // n_cols)
    fig, axes = _subplots(n_rows, n_cols, figsize=(10, 2.8 * n_rows), squeeze=False)
    for ax, column in zip(axes.ravel(), columns):
        groups = [table.loc[table["emotion"] == e, column].dropna().to_numpy() for e in order]
        keep = [i for i, g in enumerate(groups) if len(g)]
        ax.violinplot([groups[i] for i in keep], positions=[i + 1 for i in keep], showmedians=True)
        ax.boxplot([groups[i] for i in keep], positions=[i + 1 for i in keep], widths=0.15, showfliers=False)
        ax.set_xticks(range(1, len(order) + 1), order, rotation=45, fontsize=7)
        label_axes(ax, y=column, y_unit=units[column])
    for ax in axes.ravel()[len(columns):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- notebook 04
def time_frequency_views(signal: np.ndarray, sr: int, config=None, n_fft: int = 512, hop: int = 160,
                         n_mels: int = 64, title: str | None = None):
    """STFT, log-Mel and the wavelet scalogram of one signal side by side, each with its colour bar.

    Returns ``(figure, scalogram)``; the scalogram is wavelet_cnn_lstm Section
    3.1's (``serlib.features.wavelet.wavelet_scalogram``).
    """
    import librosa

    from ..features import wavelet

    config = config or wavelet.WaveletConfig(sample_rate=sr)
    stft_db = librosa.amplitude_to_db(np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop)), ref=np.max,
                                      top_db=80)
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=signal, sr=sr, n_fft=n_fft, hop_length=hop,
                                                                n_mels=n_mels), ref=np.max, top_db=80)
    scalogram = wavelet.wavelet_scalogram(signal, sr, config)
    duration = len(signal) / sr
    fig, axes = _subplots(1, 3, figsize=(12, 3.3))
    show_image(axes[0], stft_db, extent=[0, duration, 0, sr / 2], x="time", x_unit="s", y="frequency", y_unit="Hz",
               value="magnitude re max", value_unit="dB", cmap="magma",
               title=f"STFT ({1000 * n_fft / sr:.0f} ms Hann)")
    show_image(axes[1], mel_db, extent=[0, duration, -0.5, n_mels - 0.5], x="time", x_unit="s", y="Mel band",
               y_unit=None, value="power re max", value_unit="dB", cmap="magma", title=f"log-Mel ({n_mels} bands)")
    show_image(axes[2], scalogram, extent=[0, duration, -0.5, config.n_scales - 0.5], x="time", x_unit="s",
               y="frequency (log-spaced rows)", y_unit="Hz", value="log power", value_unit="dB", cmap="magma",
               title=f"wavelet scalogram ({config.wavelet}, Sec. 3.1)")
    ticks = np.arange(0, config.n_scales, max(1, config.n_scales // 5))
    axes[2].set_yticks(ticks, [f"{f:.0f}" for f in wavelet.scale_frequencies(config)[ticks]])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig, scalogram


def resolution_figure(rows_hz, time_sigma_ms, bandwidth_hz, stft_time_sigma_ms: float, stft_bandwidth_hz: float,
                      wavelet_name: str, stft_label: str = "STFT, 32 ms Hann"):
    """Measured time spread and half-power bandwidth of each CWT row against the STFT's constant ones.

    Rows are ordered frequencies, so lines between them are meaningful here.
    """
    fig, axes = _subplots(1, 2, figsize=(9, 3.2))
    for ax, values, stft, quantity, unit in ((axes[0], time_sigma_ms, stft_time_sigma_ms, "time spread sigma", "ms"),
                                             (axes[1], bandwidth_hz, stft_bandwidth_hz, "half-power bandwidth", "Hz")):
        ax.loglog(rows_hz, values, "o-", ms=3, label=f"CWT ({wavelet_name}), measured")
        ax.axhline(stft, color=OKABE_ITO[1], label=stft_label)
        label_axes(ax, x="centre frequency", x_unit="Hz", y=quantity, y_unit=unit)
        ax.legend(fontsize=7)
    axes[0].set_title("time resolution")
    axes[1].set_title("frequency resolution")
    fig.tight_layout()
    return fig


def clicks_and_tones_figure(click_ms, click_curves: Mapping[str, np.ndarray], tone_curves: Mapping[str, tuple]):
    """Two clicks (level re peak against time) and two tones (level against frequency), CWT against STFT.

    ``click_curves``: label -> dB values over ``click_ms``; ``tone_curves``:
    label -> (frequencies Hz, dB values). STFT bins are drawn as points: they
    are samples, not a curve.
    """
    fig, (ax1, ax2) = _subplots(1, 2, figsize=(9.5, 3.2))
    for label, values in click_curves.items():
        ax1.plot(click_ms, values, label=label)
    label_axes(ax1, x="time", x_unit="ms", y="level re peak", y_unit="dB", title="two clicks, 3 ms apart")
    ax1.set_ylim(-60, 3)
    for label, (frequencies, values) in tone_curves.items():
        ax2.plot(frequencies, values, "o" if "STFT" in label else "-", ms=4, label=label)
    label_axes(ax2, x="frequency", x_unit="Hz", y="level re peak", y_unit="dB", title="110 Hz + 140 Hz tones")
    for ax in (ax1, ax2):
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def rgb_channels_figure(image: np.ndarray):
    """wavelet_cnn_lstm's RGB scalogram image and its three channels (each with a colour bar, range [0, 1])."""
    fig, axes = _subplots(1, 4, figsize=(12, 2.8))
    axes[0].imshow(np.moveaxis(image, 0, -1), origin="lower", aspect="auto")
    axes[0].set_title(f"RGB image {image.shape[1]} x {image.shape[2]}")
    label_axes(axes[0], x="time (resized)", x_unit="pixel", y="scale (resized)", y_unit="pixel")
    for ax, channel, name in zip(axes[1:], image, ("red", "green", "blue")):
        show_image(ax, channel, x="time (resized)", x_unit="pixel", y="scale (resized)", y_unit="pixel",
                   value=f"{name} intensity", value_unit=None, cmap="gray", vmin=0, vmax=1, title=f"{name} channel")
    fig.tight_layout()
    return fig
