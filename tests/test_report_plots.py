"""The notebook figures (serlib.report.plots), the explorers (serlib.report.widgets) and the measured
wavelet resolution they show."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from serlib.features import wavelet
from serlib.report import plots, style

SR = 16000


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _tone(seconds=0.5, hz=220.0, start=0.1, stop=0.4):
    t = np.arange(int(seconds * SR)) / SR
    x = np.random.default_rng(0).normal(0, 1e-3, t.size)
    inside = (t >= start) & (t < stop)
    x[inside] += 0.5 * np.sin(2 * np.pi * hz * t[inside])
    return x


def _images(fig):
    return [image for ax in fig.axes for image in ax.get_images()] + \
        [c for ax in fig.axes for c in ax.collections if hasattr(c, "get_array") and c.get_array() is not None
         and c.colorbar is not None]


def _every_image_has_a_labelled_colorbar(fig):
    images = [image for ax in fig.axes for image in ax.get_images()]
    assert images
    for image in images:
        if image.get_array().ndim == 3:  # an RGB picture carries its own colours
            continue
        assert image.colorbar is not None and image.colorbar.ax.get_ylabel()


def _labelled(ax):
    return bool(ax.get_xlabel() or ax.get_xticklabels()) and bool(ax.get_ylabel())


def test_waveform_panels_label_time_and_amplitude():
    fig = plots.waveform_panels({"a": (_tone(), SR), "b": (_tone(hz=440), SR)})
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert fig.axes[0].get_xlabel() == "time (s)" and fig.axes[0].get_ylabel() == "amplitude (full scale)"
    with pytest.raises(ValueError, match="at least one"):
        plots.waveform_panels({})


def _leakage_rows():
    rows = []
    for corpus in ("synthetic (serlib generator)", "emodb-standin (first 2 s, 535 files)"):
        for protocol, si, folds in (("random_kfold", False, 5), ("loso", True, 10)):
            rows.append({"metric": "UA", "ours": 0.5 if si else 0.6, "ours_std": 0.05, "corpus": corpus,
                         "protocol": protocol, "speaker_independent": si, "folds": folds, "seeds": "0"})
    return pd.DataFrame(rows)


def test_leakage_figure_one_panel_per_corpus_bars_with_folds_and_seeds():
    fig = plots.leakage_figure(_leakage_rows())
    panels = [ax for ax in fig.axes if ax.patches]
    assert [ax.get_title() for ax in panels] == ["synthetic", "emodb-standin"]
    for ax in panels:
        assert len(ax.patches) == 2 and not [line for line in ax.get_lines() if line.get_linestyle() == "-"]
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks == ["random_kfold\n5 folds x 1 seed", "loso\n10 folds x 1 seed"]
    assert panels[0].get_ylabel() == "UA (%)"
    assert [p.get_height() for p in panels[0].patches] == pytest.approx([60.0, 50.0])
    with pytest.raises(ValueError, match="no 'WA' rows"):
        plots.leakage_figure(_leakage_rows(), metric="WA")


def test_leakage_figure_of_the_committed_results():
    from serlib.results import read_results

    fig = plots.leakage_figure(read_results("course", "leakage"))
    assert len([ax for ax in fig.axes if ax.patches]) == len(set(read_results("course", "leakage")["corpus"]))


def test_endpoint_figure_shades_speech_and_has_a_colour_bar():
    fig = plots.endpoint_figure(_tone(), SR)
    _every_image_has_a_labelled_colorbar(fig)
    assert "1 speech segment" in fig.axes[0].get_title()
    assert fig.axes[1].get_ylabel() == "E(n) (dB)"


def test_session_normalisation_figure_shows_the_leftover_on_a_log_axis():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(6, 4, 10)) + np.repeat([0.0, 3.0], 3)[:, None, None]
    groups = np.array(["a"] * 3 + ["b"] * 3)
    from serlib.features.preprocessing import session_normalize

    fig = plots.session_normalisation_figure(features, session_normalize(features, groups), groups, tolerance=1e-4)
    right = fig.axes[1]
    assert right.get_yscale() == "log"
    points = right.get_lines()[0].get_ydata()
    assert np.all(points < 1e-4)  # what the right panel shows is rounding, below the tolerance line
    assert any(line.get_ydata()[0] == 1e-4 for line in right.get_lines()[1:])


def test_standardise_rows_and_the_cepstra_figure():
    values = np.vstack([np.linspace(-400, -300, 50), np.sin(np.arange(50)), np.full(50, 2.0)])
    shown = plots.standardise_rows(values)
    assert np.allclose(shown[:2].mean(axis=1), 0) and np.allclose(shown[:2].std(axis=1), 1)
    assert np.all(shown[2] == 0)
    fig = plots.cepstra_figure({"MFCC": values, "delta": np.diff(values, prepend=0)}, np.arange(50) * 0.016)
    _every_image_has_a_labelled_colorbar(fig)
    image = fig.axes[0].get_images()[0]
    low, high = image.get_clim()
    assert low == -high  # symmetric around each coefficient's own mean
    assert "standardised" in fig.axes[0].get_title()


def test_per_emotion_distributions_one_panel_per_column():
    table = pd.DataFrame({"emotion": ["sad", "angry"] * 5, "F0": np.arange(10.0), "ZCR": np.ones(10)})
    fig = plots.per_emotion_distributions(table, ["F0", "ZCR"], {"F0": "Hz", "ZCR": None}, order=["sad", "angry"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_ylabel() for ax in visible] == ["F0 (Hz)", "ZCR"]
    assert [t.get_text() for t in visible[0].get_xticklabels()] == ["sad", "angry"]


def test_time_frequency_views_three_images_with_colour_bars():
    config = wavelet.WaveletConfig(n_scales=16)
    fig, scalogram = plots.time_frequency_views(_tone().astype(np.float32), SR, config, title="tone")
    _every_image_has_a_labelled_colorbar(fig)
    assert scalogram.shape[0] == 16
    assert [ax.get_ylabel() for ax in fig.axes[:5:2]][0] == "frequency (Hz)"


def test_measured_resolution_is_constant_q_and_matches_the_stft_window():
    stft = wavelet.stft_resolution(512, SR)
    # a Hann window of N samples has sigma_t = N / sqrt(12 * ...) ; check against a direct computation
    n = np.arange(512)
    w2 = np.hanning(512) ** 2
    direct = np.sqrt(np.sum((n - np.sum(n * w2) / w2.sum()) ** 2 * w2) / w2.sum()) / SR * 1000
    assert stft["time_sigma_ms"] == pytest.approx(direct, rel=1e-9)
    assert stft["bandwidth_hz"] == pytest.approx(1.44 * SR / 512, rel=0.02)  # Hann: 1.44 bins at half power
    measured = wavelet.cwt_resolution(wavelet.WaveletConfig(wavelet="cmor1.5-1.0", n_scales=8), tone_s=0.125,
                                      trim=500, probe_hz=np.geomspace(40, 7900, 120))
    inner = slice(1, -2)
    periods = measured["time_sigma_ms"][inner] / 1000 * measured["rows_hz"][inner]
    assert np.ptp(periods) / periods.mean() < 0.02
    fig = plots.resolution_figure(measured["rows_hz"], measured["time_sigma_ms"], measured["bandwidth_hz"],
                                  stft["time_sigma_ms"], stft["bandwidth_hz"], "cmor1.5-1.0")
    assert fig.axes[0].get_xscale() == "log" and fig.axes[1].get_ylabel() == "half-power bandwidth (Hz)"


def test_width_helpers_reject_bad_profiles():
    assert wavelet.half_power_width(np.array([0, 1, 2, 1, 0.0]), np.arange(5.0)) == 2.0
    with pytest.raises(ValueError, match="non-negative"):
        wavelet.rms_width(np.array([-1.0, 1.0]), np.arange(2.0))


def test_clicks_and_tones_and_rgb_figures():
    fig = plots.clicks_and_tones_figure(np.arange(5.0), {"CWT": np.zeros(5)},
                                        {"CWT": (np.arange(5.0), np.zeros(5)), "STFT bins": (np.arange(3.0), np.ones(3))})
    stft_line = [line for line in fig.axes[1].get_lines() if line.get_label() == "STFT bins"][0]
    assert stft_line.get_linestyle() in ("None", "none")  # bins are points
    image = np.random.default_rng(0).uniform(size=(3, 8, 8)).astype(np.float32)
    fig = plots.rgb_channels_figure(image)
    _every_image_has_a_labelled_colorbar(fig)


def test_endpoint_explorer_redraws_on_a_slider_change():
    pytest.importorskip("ipywidgets")
    from serlib.report import widgets

    explorer = widgets.endpoint_explorer(_tone(), SR)
    assert set(explorer.sliders) == {"mu", "frame_ms", "shift_ms", "high_db", "low_db"}
    explorer.widget()
    explorer.sliders["high_db"].value = -10.0
    assert explorer.drawn[-1]["high_db"] == -10.0 and len(explorer.drawn) == 1
    player_row = widgets.audio_players({"a": (_tone(), SR)})
    assert len(player_row.children) == 1


def test_clip_summary_reads_the_named_fusion_columns():
    from serlib.features.fusion import clip_summary, fusion_column_names

    names = fusion_column_names()
    frames = np.zeros((4, len(names)))
    frames[:, names.index("pitch")] = [0.0, 100.0, 200.0, 0.0]
    frames[:, names.index("rms_energy")] = 0.1
    frames[:, names.index("spectral_centroid")] = [1000.0, 2000.0, 3000.0, 4000.0]
    summary = clip_summary(frames)
    assert summary["mean F0 (voiced)"] == 150.0 and summary["F0 std (voiced)"] == 50.0
    assert summary["RMS energy"] == pytest.approx(-20.0, abs=1e-6)
    assert summary["spectral centroid"] == 2500.0
    assert np.isnan(clip_summary(np.zeros((3, len(names))))["mean F0 (voiced)"])
    with pytest.raises(ValueError, match="fusion features"):
        clip_summary(np.zeros((3, 5)))


def test_colour_bar_can_take_room_from_several_axes_to_keep_them_aligned():
    fig, axes = plt.subplots(2, 1, sharex=True, layout="constrained")
    style.show_image(axes[1], np.ones((2, 2)), x="time", x_unit="s", y="band", y_unit=None, value="level",
                     value_unit="dB", colorbar_axes=axes)
    fig.canvas.draw()
    assert axes[0].get_position().width == pytest.approx(axes[1].get_position().width)
