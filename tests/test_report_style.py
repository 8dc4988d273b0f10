"""The course figure style: units on every axis, colour bars, provenance, no lines across categories."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from serlib.report import style
from serlib.report.style import FigureStyleError


@pytest.fixture
def ax():
    fig, axis = plt.subplots()
    yield axis
    plt.close(fig)


def test_axis_label_with_and_without_unit():
    assert style.axis_label("time", "s") == "time (s)"
    assert style.axis_label("zero-crossing rate", None) == "zero-crossing rate"
    with pytest.raises(FigureStyleError, match="unit=None"):
        style.axis_label("time", "")
    with pytest.raises(FigureStyleError, match="name of the quantity"):
        style.axis_label("", "s")


def test_label_axes_requires_declared_units(ax):
    style.label_axes(ax, x="time", x_unit="s", y="F0", y_unit="Hz", title="pitch")
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("time (s)", "F0 (Hz)", "pitch")
    with pytest.raises(FigureStyleError, match="y_unit"):
        style.label_axes(ax, y="amplitude")


def test_colorbar_is_labelled_with_unit(ax):
    image = ax.imshow(np.arange(12.0).reshape(3, 4))
    bar = style.colorbar(image, ax, "log power", "dB")
    assert bar.ax.get_ylabel() == "log power (dB)"
    with pytest.raises(FigureStyleError, match="unit="):
        style.colorbar(image, ax, "log power")


def test_show_image_symmetric_range_and_colour_bar(ax):
    values = np.array([[-3.0, 1.0], [0.5, 2.0]])
    image, bar = style.show_image(ax, values, x="time", x_unit="s", y="coefficient", y_unit=None,
                                  value="standardised MFCC", value_unit=None, symmetric=True)
    assert image.get_clim() == (-3.0, 3.0)
    assert image.get_cmap().name == style.DIVERGING_CMAP
    assert bar.ax.get_ylabel() == "standardised MFCC"
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "coefficient"


def test_robust_limits_ignore_outliers():
    values = np.r_[np.linspace(0, 1, 1000), 1e6]
    low, high = style.robust_limits(values)
    assert 0 <= low < 0.02 and 0.98 < high < 1.0 + 1e-9
    assert style.robust_limits([[np.nan, 2.0]]) == (2.0, 3.0)  # a constant image still gets a range
    with pytest.raises(FigureStyleError, match="no finite"):
        style.robust_limits([np.nan])


@hsettings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_robust_limits_symmetric_is_centred_and_covers_the_percentiles(values):
    low, high = style.robust_limits(values, symmetric=True)
    assert low == -high and high > 0
    assert high >= max(abs(np.percentile(values, 1)), abs(np.percentile(values, 99))) - 1e-9


def test_protocol_caption_and_title(ax):
    assert style.protocol_caption("synthetic", "loso", 8, [0, 1, 2]) == "synthetic · loso · 8 folds x 3 seeds"
    assert style.protocol_caption("emodb-standin", "loso", 1, 1) == "emodb-standin · loso · 1 fold x 1 seed"
    text = style.title_with_protocol(ax, "UA per protocol", corpus="synthetic", protocol="speaker_kfold",
                                     folds=5, seeds=1)
    assert ax.get_title() == text == "UA per protocol\nsynthetic · speaker_kfold · 5 folds x 1 seed"
    with pytest.raises(FigureStyleError, match="corpus and protocol"):
        style.protocol_caption("", "loso")
    with pytest.raises(FigureStyleError, match="both folds and seeds"):
        style.protocol_caption("synthetic", "loso", folds=5)


def test_provenance_from_results_rows():
    frame = pd.DataFrame({"corpus": ["synthetic"] * 2, "protocol": ["loso"] * 2, "folds": [8, 8],
                          "seeds": ["0,1", "0,1"]})
    assert style.provenance(frame) == {"corpus": "synthetic", "protocol": "loso", "folds": 8, "seeds": 2}
    mixed = frame.assign(corpus=["synthetic", "emodb-standin"])
    with pytest.raises(FigureStyleError, match="mix 2 values of 'corpus'"):
        style.provenance(mixed)


def test_provenance_of_a_committed_results_file():
    from serlib.results import read_results

    frame = read_results("course", "leakage")
    part = frame[(frame["corpus"] == frame["corpus"].iloc[0]) & (frame["protocol"] == frame["protocol"].iloc[0])]
    found = style.provenance(part)
    assert found["folds"] == int(part["folds"].iloc[0]) and found["seeds"] >= 1


def test_corpora_side_by_side_must_be_labelled():
    style.require_labelled_corpora({"paper": "RAVDESS", "ours": "RAVDESS"})  # one corpus: fine
    style.require_labelled_corpora({"paper (RAVDESS)": "RAVDESS",
                                    "ours (emodb-standin)": "emodb-standin (first 2 s, 535 files)"})
    with pytest.raises(FigureStyleError, match=r"\['paper', 'ours'\] must name their corpus"):
        style.require_labelled_corpora({"paper": "RAVDESS", "ours": "emodb-standin (first 2 s)"})


def test_corpus_labels_appends_only_when_corpora_differ():
    assert style.corpus_labels(["a", "b"], ["synthetic", "synthetic"]) == ["a", "b"]
    labelled = style.corpus_labels(["loso", "random_kfold"], ["emodb-standin (first 2 s)", "synthetic"])
    assert labelled == ["loso\n[emodb-standin]", "random_kfold\n[synthetic]"]
    style.require_labelled_corpora(dict(zip(labelled, ["emodb-standin (first 2 s)", "synthetic"])))


def test_categorical_plot_draws_points_or_bars_never_lines(ax):
    positions = style.categorical_plot(ax, ["sad", "neutral", "angry"], [1.0, 2.0, 3.0], [0.1, 0.2, 0.3],
                                       value="F0", value_unit="Hz", category="emotion")
    assert list(positions) == [0, 1, 2]
    assert all(line.get_linestyle() in ("None", "none", "") for line in ax.get_lines())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sad", "neutral", "angry"]
    assert ax.get_ylabel() == "F0 (Hz)"
    with pytest.raises(FigureStyleError, match="never lines"):
        style.categorical_plot(ax, ["a"], [1.0], kind="lines", value="UA", value_unit="%")


def test_categorical_bars_refuse_unlabelled_corpora(ax):
    style.categorical_plot(ax, ["loso", "random"], [50.0, 60.0], kind="bars", value="UA", value_unit="%",
                           corpora=["synthetic", "synthetic"])
    assert len(ax.patches) == 2
    with pytest.raises(FigureStyleError, match="must name their corpus"):
        style.categorical_plot(ax, ["loso", "random"], [50.0, 60.0], kind="bars", value="UA", value_unit="%",
                               corpora=["synthetic", "emodb-standin (first 2 s)"])


def test_course_style_context_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with style.course_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == style.OKABE_ITO[0]
    assert matplotlib.rcParams["axes.spines.top"] == before["axes.spines.top"]


def test_provenance_counts_folds_per_seed_from_the_runs():
    """One split per seed (si_80_10_10) recorded as 5 fold names over 5 seeds is 1 fold x 5 seeds."""
    import pandas as pd

    from serlib.report.style import provenance

    frame = pd.DataFrame([{"corpus": "c", "protocol": "si_80_10_10", "folds": 5, "seeds": "0 1 2 3 4", "n": 5}])
    assert provenance(frame)["folds"] == 1 and provenance(frame)["seeds"] == 5
    frame = pd.DataFrame([{"corpus": "c", "protocol": "loso", "folds": 10, "seeds": "0", "n": 10}])
    assert provenance(frame)["folds"] == 10
