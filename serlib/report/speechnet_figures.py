"""speechnet figures (Table 2, Table 4, Figs. 2-6, the complexity claim) drawn from its results frames.

The reproduction (:data:`serlib.experiments.speechnet.TABLES`) calls these after
writing a table, and notebook 07 calls them on the committed results. Each takes
``(frame, ctx)``: ``ctx.figure_path(name)`` says where the PNG goes.

Course style (:mod:`serlib.report.style`): categories (ablation rows, models,
emotions) are bars or points, never lines; the paper's numbers get their own
panel (they come from another corpus and protocol); every panel of measured
numbers names corpus, protocol and folds x seeds.
"""
from __future__ import annotations

import numpy as np

from .figures import in_course_style, save_table_figure
from .style import OKABE_ITO, categorical_plot, confusion_panel, label_axes, protocol_caption, provenance, \
    short_corpus_name


# one saver and one style decorator for every paper's table figures (serlib.report.figures)
_save, _styled = save_table_figure, in_course_style


def _caption(part) -> str:
    facts = provenance(part)
    return protocol_caption(short_corpus_name(facts["corpus"]), facts["protocol"], facts["folds"], facts["seeds"])


def _measured(frame):
    return frame[frame["ours"].notna()]


def _groups(frame):
    return list(dict.fromkeys(zip(frame["corpus"], frame["protocol"])))


def _group(frame, corpus, protocol):
    return frame[(frame["corpus"] == corpus) & (frame["protocol"] == protocol)]


def _values(part, rows, metric, scale=100.0):
    chosen = part[part["metric"] == metric].drop_duplicates("row", keep="last").set_index("row").reindex(rows)
    return (scale * chosen["ours"].astype(float).to_numpy(),
            scale * chosen["ours_std"].astype(float).fillna(0).to_numpy(),
            scale * chosen["paper_value"].astype(float).to_numpy())


@_styled
def figure_table2(frame, ctx):
    """Table 2: accuracy and Keras-style F1 of every ablation row, ours (mean +- std over seeds) and the paper's."""
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    rows = list(dict.fromkeys(measured["row"]))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), squeeze=False)
    ax, paper_ax = axes[0]
    for corpus, protocol in _groups(measured)[:1]:
        part = _group(measured, corpus, protocol)
        for i, (metric, color) in enumerate((("accuracy", OKABE_ITO[0]), ("keras_F1", OKABE_ITO[1]))):
            ours, std, _ = _values(part, rows, metric)
            categorical_plot(ax, rows, ours, std, kind="bars", value="score", value_unit="%", colors=color,
                             label=metric, offset=(i - 0.5) * 0.38, width=0.38, rotation=35)
        ax.set_title("ours: " + _caption(part))
        ax.legend(fontsize=7)
        printed = [r for r in rows if part[(part["row"] == r)]["paper_value"].notna().any()]
        for i, (metric, color) in enumerate((("accuracy", "0.45"), ("keras_F1", "0.75"))):
            _, _, paper = _values(part, printed, metric)
            categorical_plot(paper_ax, printed, paper, None, kind="bars", value="score", value_unit="%",
                             colors=color, label=f"paper {metric}", offset=(i - 0.5) * 0.38, width=0.38,
                             rotation=35)
    paper_ax.set_title("the paper's Table 2 (EmoDB, full clips, one run per row)")
    paper_ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, ctx, "table2_ablation")


@_styled
def figure_table4(frame, ctx):
    """Table 4, SpeechNet: our six reproducibility metrics over the runs, and the paper's PLR and PCLR."""
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    metrics = ("GLR", "FLR", "PLR", "CLR", "FCLR", "PCLR")
    groups = _groups(measured)
    fig, axes = plt.subplots(1, len(groups) + 1, figsize=(4.2 * (len(groups) + 1), 3.4), squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        part = _group(measured, corpus, protocol)
        values = [100 * float(part[part["metric"] == m]["ours"].iloc[0]) for m in metrics]
        categorical_plot(ax, metrics, values, kind="bars", value="share of test utterances", value_unit="%",
                         colors=OKABE_ITO[0])
        ax.set_title("ours, SpeechNet: " + _caption(part), fontsize=8)
    paper_ax = axes[0][-1]
    printed = frame[(frame["row"] == "SpeechNet | EmoDB") | ((frame["row"] == "SpeechNet") &
                                                             frame["paper_value"].notna())]
    paper = {m: 100 * float(printed[printed["metric"] == m]["paper_value"].iloc[0]) for m in ("PLR", "PCLR")
             if (printed["metric"] == m).any()}
    categorical_plot(paper_ax, list(paper), list(paper.values()), kind="bars", value="share of test utterances",
                     value_unit="%", colors="0.6")
    paper_ax.set_title("the paper's SpeechNet, EmoDB (Table 4)", fontsize=8)
    fig.tight_layout()
    return _save(fig, ctx, "table4_reproducibility")


@_styled
def figure_fig2(frame, ctx):
    """Fig. 2: each emotion's recall over the runs, as a violin with a box inside."""
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    emotions = list(dict.fromkeys(r.split(" | ")[0] for r in measured["row"]))
    data = [100 * measured[measured["row"].str.startswith(e + " |")]["ours"].astype(float).to_numpy()
            for e in emotions]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.violinplot(data, positions=range(len(emotions)), showextrema=False)
    ax.boxplot(data, positions=range(len(emotions)), widths=0.18)
    ax.set_xticks(range(len(emotions)), emotions, rotation=25, ha="right")
    label_axes(ax, x="emotion", x_unit=None, y="recall per run", y_unit="%")
    ax.set_title("SpeechNet, per-emotion recall of each run\n" + _caption(measured), fontsize=8)
    fig.tight_layout()
    return _save(fig, ctx, "fig2_per_emotion")


def _curves(frame, metric):
    part = frame[frame["metric"] == metric]
    # runs that stop early leave later epochs to fewer runs: keep the epochs at least half of the runs reached
    counts = part["n"].astype(float)
    part = part[counts >= counts.max() / 2]
    epochs = part["row"].str.extract(r"epoch (\d+)$")[0].astype(int)
    order = np.argsort(epochs.to_numpy())
    return epochs.to_numpy()[order], part["ours"].astype(float).to_numpy()[order], \
        part["ours_std"].astype(float).fillna(0).to_numpy()[order]


def _curve_figure(frame, ctx, metrics, name: str, y_label: str, unit, scale: float = 1.0, log: bool = False):
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    groups = _groups(measured)
    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 3.2), squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        part = _group(measured, corpus, protocol)
        for i, metric in enumerate(m for m in metrics if (part["metric"] == m).any()):
            epochs, mean, std = _curves(part, metric)
            ax.plot(epochs, scale * mean, color=OKABE_ITO[i], label=metric)
            ax.fill_between(epochs, scale * (mean - std), scale * (mean + std), color=OKABE_ITO[i], alpha=0.2)
        if log:  # a margin loss falls by orders of magnitude once the training utterances are fitted
            ax.set_yscale("log")
        label_axes(ax, x="epoch", x_unit=None, y=y_label, y_unit=unit)
        ax.set_title(_caption(part) + "\nmean ± std over the runs; epochs reached by at least half of them",
                     fontsize=8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, ctx, name)


@_styled
def figure_fig3(frame, ctx):
    """Fig. 3: loss per epoch (mean +- std over runs)."""
    return _curve_figure(frame, ctx, ("train_loss", "val_loss"), "fig3_loss", "loss (Eq. 15, log scale)", None,
                         log=True)


@_styled
def figure_fig4(frame, ctx):
    """Fig. 4: validation accuracy, UA and macro-F1 per epoch (mean +- std over runs)."""
    return _curve_figure(frame, ctx, ("val_WA", "val_UA", "val_macro_F1"), "fig4_validation_metrics", "score",
                         "%", 100.0)


@_styled
def figure_fig5(frame, ctx):
    """Fig. 5: one row-normalised confusion matrix per (corpus, protocol), counts summed over runs."""
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    groups = _groups(measured)
    fig, axes = plt.subplots(1, len(groups), figsize=(4.4 * len(groups), 3.9), squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        part = _group(measured, corpus, protocol)
        confusion_panel(ax, [tuple(r.split(" -> ")) for r in part["row"]], part["ours"].astype(float),
                        noun="emotion", percent=True, fontsize=7)
        ax.set_title(_caption(part), fontsize=8)
    fig.tight_layout()
    return _save(fig, ctx, "fig5_confusion")


@_styled
def figure_fig6(frame, ctx):
    """Fig. 6: accuracy and Keras-style F1 of SpeechNet and every peer (mean +- std over seeds)."""
    import matplotlib.pyplot as plt

    measured = _measured(frame)
    rows = list(dict.fromkeys(measured["row"]))
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    peers = measured[measured["row"] != "SpeechNet"]
    for i, (metric, color) in enumerate((("accuracy", OKABE_ITO[0]), ("macro_F1", OKABE_ITO[1]))):
        ours, std, _ = _values(measured, rows, metric)
        categorical_plot(ax, rows, ours, std, kind="bars", value="score", value_unit="%", colors=color,
                         label=metric, offset=(i - 0.5) * 0.38, width=0.38, rotation=30)
    facts = provenance(peers) if len(peers) else provenance(measured)
    ax.set_title("SpeechNet and its peers (peers: " + protocol_caption(short_corpus_name(facts["corpus"]),
                 facts["protocol"], facts["folds"], facts["seeds"]) + "; SpeechNet: its own runs)", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, ctx, "fig6_peers")


@_styled
def figure_complexity(frame, ctx):
    """The complexity claim: parameters, FLOPs and latency, ours beside the paper's, one panel per quantity."""
    import matplotlib.pyplot as plt

    metrics = [m for m in ("parameters_M", "MFLOPs", "ms_per_utterance") if (frame["metric"] == m).any()]
    units = {"parameters_M": "millions", "MFLOPs": "millions of FLOPs", "ms_per_utterance": "ms"}
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.0 * len(metrics), 3.0), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        row = frame[frame["metric"] == metric].iloc[-1]
        categorical_plot(ax, ["ours", "paper"], [float(row["ours"]), float(row["paper_value"])], kind="bars",
                         value=metric.replace("_", " "), value_unit=units[metric], colors=OKABE_ITO[0])
        ax.set_title(f"ours on {str(row['device']).split(' (')[0]}\npaper on an RTX 3080 Ti laptop", fontsize=7)
    fig.tight_layout()
    return _save(fig, ctx, "complexity")
