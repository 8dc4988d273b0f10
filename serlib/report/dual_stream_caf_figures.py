"""dual_stream_caf figures (Tables 1 and 5: fusions per block; the two protocols) drawn from results frames.

The reproduction (:data:`serlib.experiments.dual_stream_caf.TABLES`) calls
these after writing a table and the notebook calls them on the committed
results. Each takes ``(frame, ctx)``; ``ctx.figure_path(name)`` says where the
PNG goes. Course style (:mod:`serlib.report.style`): fusions are categories
(points with error bars, never lines), one panel per (corpus, protocol), and
the paper's values (HuBERT-base rows, a different encoder) are drawn as open
grey markers labelled as the paper's.
"""
from __future__ import annotations

from .figures import in_course_style, save_table_figure
from .style import categorical_plot, protocol_caption, provenance, short_corpus_name

FUSION_ORDER = ("SUM", "CON", "FiLM", "CAF", "cross-attention (ours)")


def _groups(frame):
    return list(dict.fromkeys(zip(frame["corpus"], frame["protocol"])))


def _caption(part) -> str:
    facts = provenance(part)
    return protocol_caption(short_corpus_name(facts["corpus"]), facts["protocol"], facts["folds"],
                            facts["seeds"]).replace(" · ", "\n", 1)


def fusion_panel(ax, part, metric: str = "WA") -> None:
    """One block's five fusions (ours: points ± std; the paper's HuBERT row: open grey markers)."""
    import numpy as np

    rows = part[(part["metric"] == metric) & part["row"].str.contains(" | ", regex=False)]
    by_fusion = {r.split(" | ")[1]: r for r in rows["row"]}
    fusions = [f for f in FUSION_ORDER if f in by_fusion]
    values = rows.set_index("row").reindex([by_fusion[f] for f in fusions])
    positions = categorical_plot(ax, fusions, 100 * values["ours"].astype(float).to_numpy(),
                                 100 * values["ours_std"].astype(float).fillna(0).to_numpy(), kind="points",
                                 value=metric, value_unit="%", label="ours", rotation=20)
    printed = values["paper_value"].astype(float).to_numpy()
    if np.isfinite(printed).any():
        ax.plot(positions, 100 * printed, linestyle="none", marker="D", mfc="none", color="0.5",
                label="paper (HuBERT-base, fine-tuned)")
    singles = part[(part["metric"] == metric) & ~part["row"].str.contains(" | ", regex=False)]
    for i, (_, single) in enumerate(singles.iterrows()):
        ax.axhline(100 * float(single["ours"]), color=f"C{i + 2}", linewidth=0.8, linestyle=":",
                   label=f"{single['row']} alone")


@in_course_style
def figure_fusions(frame, ctx):
    """Tables 1 / 5, frozen x DPCNN block: WA of the five fusions per (corpus, protocol), single streams as lines."""
    import matplotlib.pyplot as plt

    groups = _groups(frame[frame["metric"] == "WA"])
    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 3.8), sharey=True, squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        part = frame[(frame["corpus"] == corpus) & (frame["protocol"] == protocol)]
        fusion_panel(ax, part)
        ax.set_title(_caption(part[part["metric"] == "WA"]))
        ax.set_ylim(0, 100)
    handles, labels = axes[0][0].get_legend_handles_labels()  # below the panels: never over a marker
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=7)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    fig.suptitle(f"{ctx.paper} {ctx.table}: fusions of the same two streams (WA, mean ± std over folds x seeds)")
    fig.tight_layout()
    return save_table_figure(fig, ctx, f"{ctx.table}_fusions")


@in_course_style
def figure_protocols(frame, ctx):
    """The course protocol beside the authors' random 80/20 (last epoch and best epoch on test), per row."""
    import matplotlib.pyplot as plt
    import numpy as np

    wa = frame[(frame["metric"] == "WA") & ~frame["row"].str.contains(" − ", regex=False)]
    kinds = (("best epoch on validation", "course protocol, best on validation"),
             ("last epoch", "random 80/20, last epoch"),
             ("best epoch on test (as the authors report)", "random 80/20, best epoch on test"))
    labels = list(dict.fromkeys(r.rsplit(" | ", 1)[0] for r in wa["row"]))
    corpora = sorted(set(wa["corpus"]))
    fig, axes = plt.subplots(1, len(corpora), figsize=(max(6.0, 0.75 * len(labels)) * len(corpora), 4.2),
                             squeeze=False)
    for ax, corpus in zip(axes[0], corpora):
        here = wa[wa["corpus"] == corpus]
        for i, (suffix, legend) in enumerate(kinds):
            values = [here.loc[here["row"] == f"{label} | {suffix}", "ours"] for label in labels]
            means = np.array([100 * float(v.iloc[0]) if len(v) else np.nan for v in values])
            categorical_plot(ax, labels, means, kind="points", value="WA", value_unit="%", label=legend,
                             offset=(i - 1) * 0.22, rotation=35, colors=f"C{i}")
        runs = []
        for protocol in sorted(set(here["protocol"])):
            facts = provenance(here[here["protocol"] == protocol].drop_duplicates("row").head(1))
            runs.append(protocol_caption(short_corpus_name(corpus), protocol, facts["folds"], facts["seeds"]))
        ax.set_title("\n".join(runs))
        ax.set_ylim(0, 100)
        ax.legend(fontsize=7)
        ax.tick_params(axis="x", labelsize=6.5)
    fig.suptitle(f"{ctx.paper} {ctx.table}: the same models under two protocols (WA, mean over runs)")
    fig.tight_layout()
    return save_table_figure(fig, ctx, f"{ctx.table}_protocols")
