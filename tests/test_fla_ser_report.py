"""fla_ser figures and discussion tables from results frames: the figure rules and reference values."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from serlib.experiments import fla_ser as fla  # noqa: E402
from serlib.experiments.harness import TableContext  # noqa: E402
from serlib.models.fla_ser import FLA_SER_ABLATION, PAPER_TABLE6  # noqa: E402
from serlib.report import fla_ser_discussion as discuss  # noqa: E402
from serlib.report import fla_ser_figures as figures  # noqa: E402

BASE = {"paper": "fla_ser", "n": 9, "folds": 3, "seeds": "0 1 2", "mode": "full", "device": "cpu",
        "revision": "abc", "date": "2026-12-01", "paper_value": float("nan"), "ours_std": 0.01}


def _frame(rows):
    return pd.DataFrame([{**BASE, **r} for r in rows])


def _table3(corpus="emodb-standin (first 2 s, 535 files)"):
    return _frame([{"table": "table3", "row": row, "metric": "WA", "ours": 0.4 + 0.01 * i, "corpus": corpus,
                    "protocol": protocol} for protocol in ("si_80_10_10", "loso")
                   for i, row in enumerate(FLA_SER_ABLATION)])


@pytest.fixture()
def ctx(tmp_path):
    return TableContext("fla_ser", "x", "full", "cpu", {}, tmp_path / "results", tmp_path / "figures")


def test_table3_figure_keeps_the_paper_in_its_own_panel(ctx, monkeypatch):
    drawn = {}
    import matplotlib.figure

    original = matplotlib.figure.Figure.savefig

    def keep(self, *args, **kwargs):
        drawn["fig"] = self
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    [path] = figures.figure_table3(_table3(), ctx)
    assert path.exists() and matplotlib.image.imread(path).shape[0] > 100
    titles = [ax.get_title() for ax in drawn["fig"].axes]
    assert len(titles) == 3 and "RAVDESS" in titles[-1] and "emodb-standin" not in titles[-1]
    assert all("emodb-standin" in t and "3 folds x 3 seeds" in t for t in titles[:2])


def test_fig9_draws_points_not_lines(ctx, monkeypatch):
    rows = [{"table": "fig9", "row": f"{label} | speaker {s}", "metric": "WA", "ours": 0.5, "corpus": "emodb-standin",
             "protocol": "loso", "folds": 2, "seeds": "0"} for label in fla.COMPARISON_MODELS.values()
            for s in ("03", "08")]
    drawn = {}
    monkeypatch.setattr(figures, "_save", lambda fig, ctx, name: drawn.setdefault("fig", fig) and [name])
    figures.figure_fig9(_frame(rows), ctx)
    ax = drawn["fig"].axes[0]
    assert all(line.get_linestyle() == "None" for line in ax.lines)
    assert "loso" in ax.get_title() and "2 folds x 1 seed" in ax.get_title()


def test_literature_gap_and_complexity_tables():
    table7 = _frame([{"table": "table7", "row": row, "metric": "WA", "paper_value": wa / 100, "ours": float("nan"),
                      "corpus": "RAVDESS (as reported)", "protocol": "as reported"}
                     for row, (wa, _) in fla.PAPER_TABLE7.items()])
    gap = discuss.literature_gap(table7).set_index("method")
    assert gap.loc["FLA-SER (paper)", "claim minus this (points)"] == 0
    assert gap.loc["Vesper (2024)", "claim minus this (points)"] == pytest.approx(1.5)
    with pytest.raises(KeyError, match="no quoted WA row"):
        discuss.literature_gap(table7, claim="nobody")
    complexity = _frame([{"table": "table6_complexity", "row": "FLA-SER", "metric": m, "ours": v, "corpus": "n/a",
                          "protocol": "n/a"} for m, v in (("params_M", 7.8), ("GFLOPs", 7.7),
                                                          ("ms_per_sample_batch1_cpu", 500.0))])
    table = discuss.complexity_vs_paper(complexity, PAPER_TABLE6, {"fla_ser": "FLA-SER"})
    assert table.iloc[0]["params M (paper)"] == PAPER_TABLE6["fla_ser"]["params_M"]
    assert table.iloc[0]["GFLOPs (ours)"] == 7.7


def test_partial_results_are_drawn_and_tabulated(ctx):
    # a re-run in progress: RAVDESS rows for two of the four ablation steps only
    partial = pd.concat([_table3(), _table3("ravdess-standin (first 2.4 s, 1434 files)").iloc[:2]])
    assert figures.figure_table3(partial, ctx)[0].exists()
