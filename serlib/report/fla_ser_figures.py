"""fla_ser figures (Table 3, Figs. 7, 9, 10) drawn from its results frames, in the course style.

The reproduction (:data:`serlib.experiments.fla_ser.TABLES`) calls these after
writing a table, and notebook 06 calls them on the committed results. Each
takes ``(frame, ctx)``: ``ctx.figure_path(name)`` says where the PNG goes.

The rules of :mod:`serlib.report.style` apply: per-speaker accuracies are points
(speakers are categories, not a series); the paper's RAVDESS bars get their own
panel, never a place beside bars of another corpus; every panel names corpus,
protocol and folds x seeds.
"""
from __future__ import annotations

import numpy as np

from ..models.fla_ser import FLA_SER_ABLATION
from .figures import in_course_style as _styled, save_table_figure as _save
from .style import categorical_plot, label_axes, protocol_caption, provenance, short_corpus_name


def _paper_constants():
    # The paper's numbers live with the reproduction specs (one place); imported when drawing,
    # because serlib.experiments.fla_ser imports this module for its TABLES.
    from ..experiments import fla_ser

    return fla_ser


def _two_line_caption(corpus, protocol, folds=None, seeds=None) -> str:
    return protocol_caption(short_corpus_name(corpus), protocol, folds, seeds).replace(" · ", "\n", 1)


def _groups(frame):
    return list(dict.fromkeys(zip(frame["corpus"], frame["protocol"])))


def _model_rows(frame, label: str):
    return frame[frame["row"].str.startswith(label + " |")]


@_styled
def figure_table3(frame, ctx):
    """Table 3 ablation: one panel per (corpus, protocol) of ours, and the paper's RAVDESS values in their own panel."""
    import matplotlib.pyplot as plt

    fla = _paper_constants()
    wa = frame[frame["metric"] == "WA"]
    groups, rows = _groups(wa), list(FLA_SER_ABLATION)
    fig, axes = plt.subplots(1, len(groups) + 1, figsize=(3.6 * (len(groups) + 1), 3.6), sharey=True, squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        present = wa[(wa["corpus"] == corpus) & (wa["protocol"] == protocol)]
        facts = provenance(present)
        part = present.set_index("row").reindex(rows)  # a step not run yet is an empty slot, not an error
        categorical_plot(ax, rows, 100 * part["ours"].astype(float).to_numpy(),
                         100 * part["ours_std"].astype(float).fillna(0).to_numpy(), kind="bars", value="WA",
                         value_unit="%", rotation=25)
        ax.set_title("ours: " + _two_line_caption(corpus, protocol, facts["folds"], facts["seeds"]))
    paper = axes[0][-1]
    categorical_plot(paper, rows, [fla.PAPER_TABLE3[r][0] for r in rows], [fla.PAPER_TABLE3[r][1] for r in rows],
                     kind="bars", value="WA", value_unit="%", colors="0.65", rotation=25)
    paper.set_title(f"the paper, as printed: RAVDESS\n{fla.PAPER_PROTOCOL} (its runs, mean ± std)")
    for ax in axes[0]:
        ax.set_ylim(0, 100)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    fig.suptitle("fla_ser Table 3, ablation (WA, mean ± std): different corpora in different panels")
    fig.tight_layout()
    return _save(fig, ctx, "table3_ablation")


@_styled
def figure_fig7(frame, ctx):
    """Fig. 7: validation precision per epoch for anger and happy, four models; one row of panels per corpus."""
    import matplotlib.pyplot as plt

    fla = _paper_constants()
    groups = _groups(frame)
    fig, axes = plt.subplots(len(groups), len(fla.FIG7_EMOTIONS), figsize=(4.2 * len(fla.FIG7_EMOTIONS),
                             3.0 * len(groups)), sharey=True, squeeze=False)
    for axes_row, (corpus, protocol) in zip(axes, groups):
        here = frame[(frame["corpus"] == corpus) & (frame["protocol"] == protocol)]
        facts = provenance(here)
        for ax, emotion in zip(axes_row, fla.FIG7_EMOTIONS):
            part = here[here["metric"] == f"precision_{emotion}"]
            for label in fla.COMPARISON_MODELS.values():
                mine = _model_rows(part, label)
                epochs = [int(r.split("epoch ")[1]) for r in mine["row"]]
                collapsed = mine["notes"].astype(str).str.contains("COLLAPSED").any() if "notes" in mine else False
                ax.plot(epochs, 100 * mine["ours"].astype(float), marker="o", ms=2.5,
                        label=label + (" (COLLAPSED: not trained)" if collapsed else ""))
            label_axes(ax, x="epoch", x_unit=None, y=f"validation precision, {emotion}", y_unit="%")
            ax.set_title(f"{emotion}: " + _two_line_caption(corpus, protocol, facts["folds"], facts["seeds"]))
    axes[0][0].legend(fontsize=7)
    fig.suptitle("fla_ser Fig. 7 reproduced: precision per epoch (mean over folds x seeds)")
    fig.tight_layout()
    return _save(fig, ctx, "fig7_precision_per_epoch")


@_styled
def figure_fig9(frame, ctx):
    """Fig. 9: accuracy on each held-out speaker, four models, as points side by side (speakers are categories)."""
    import matplotlib.pyplot as plt

    fla = _paper_constants()
    groups = _groups(frame)
    fig, axes = plt.subplots(len(groups), 1, figsize=(7.5, 3.2 * len(groups)), squeeze=False)
    models = list(fla.COMPARISON_MODELS.values())
    for ax, (corpus, protocol) in zip(axes[:, 0], groups):
        here = frame[(frame["corpus"] == corpus) & (frame["protocol"] == protocol)]
        speakers = list(dict.fromkeys(r.split("speaker ")[1] for r in here["row"]))
        for i, label in enumerate(models):
            mine = _model_rows(here, label)
            by_speaker = dict(zip((r.split("speaker ")[1] for r in mine["row"]), mine["ours"].astype(float)))
            # a model whose runs collapsed is shown as such, never as a trained comparison model
            collapsed = mine["notes"].astype(str).str.contains("COLLAPSED").any() if "notes" in mine else False
            categorical_plot(ax, speakers, [100 * by_speaker.get(s, np.nan) for s in speakers], kind="points",
                             value="WA on the held-out speaker", value_unit="%", category="held-out speaker",
                             label=label + (" (COLLAPSED: not trained)" if collapsed else ""),
                             offset=(i - (len(models) - 1) / 2) * 0.15)
        facts = provenance(here)
        ax.set_title(f"fla_ser Fig. 9 reproduced: "
                     f"{protocol_caption(short_corpus_name(corpus), protocol, facts['folds'], facts['seeds'])}")
    axes[0][0].legend(fontsize=7, ncol=len(models))
    fig.tight_layout()
    return _save(fig, ctx, "fig9_per_speaker")


@_styled
def figure_fig10(frame, ctx):
    """Fig. 10: recognition time against the number of samples (a numeric axis: lines are right here)."""
    import matplotlib.pyplot as plt

    fla = _paper_constants()
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for label in fla.COMPARISON_MODELS.values():
        mine = _model_rows(frame, label)
        counts = [int(r.split("| ")[1].split()[0]) for r in mine["row"]]
        ax.plot(counts, mine["ours"].astype(float), marker="o", ms=3, label=label)
    label_axes(ax, x="number of samples", x_unit=None, y="recognition time", y_unit="s")
    devices = ", ".join(sorted(set(frame["device"].astype(str))))
    ax.set_title(f"fla_ser Fig. 10 reproduced: {short_corpus_name(frame['corpus'].iloc[0])}, on {devices}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, ctx, "fig10_time_vs_samples")


# --------------------------------------------------------------------------- notebook 06, quick mode
def training_curves_figure(outcomes: dict, caption: str):
    """Training loss, validation loss and validation UA per epoch of each quick variant; dotted: epoch kept."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.1))
    for variant, outcome in outcomes.items():
        run = outcome.runs[0]
        epochs = [h["epoch"] for h in run["history"]]
        for ax, key, scale in zip(axes, ("train_loss", "val_loss", "val_UA"), (1, 1, 100)):
            line, = ax.plot(epochs, [scale * h[key] for h in run["history"]], marker="o", ms=3, label=variant)
        axes[2].axvline(run["reported_epoch"], color=line.get_color(), ls=":", lw=1)
    n_classes = len(next(iter(outcomes.values())).label_names)
    axes[2].axhline(100 / n_classes, color="0.6", ls="--", lw=1, label="chance")
    for ax, name, unit in zip(axes, ("training loss", "validation loss", "validation UA"), ("nats", "nats", "%")):
        label_axes(ax, x="epoch", x_unit=None, y=name, y_unit=unit)
    axes[2].legend(fontsize=7)
    fig.suptitle(caption + "; dotted: epoch kept (best on validation)")
    fig.tight_layout()
    return fig


def attention_figure(images, alpha, gates, masks, titles, times, frame_energy_db, reference_label: str):
    """Per clip: the log-Mel image, the frame energy (Eq. 4) and the two frame-level attention maps, with the
    reference speech frames shaded."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, len(images), figsize=(3.4 * len(images), 5.6), sharex="col", squeeze=False)
    for c, (image, a, g, m, title, energy) in enumerate(zip(images, alpha, gates, masks, titles, frame_energy_db)):
        t = times[: image.shape[-1]]
        axes[0, c].imshow(image, aspect="auto", origin="lower", cmap="magma", interpolation="nearest",
                          extent=[t[0], t[-1], 0, image.shape[0]])
        axes[0, c].set_title(title, fontsize=8)
        axes[1, c].plot(t, energy[: len(t)], lw=0.8, color="k")
        axes[2, c].plot(t, a / a.max(), lw=0.9, label="temporal attention / its max")
        axes[2, c].plot(t, g, lw=0.9, label="DMP gate")
        for ax in axes[1:, c]:
            ax.fill_between(t, 0, 1, where=m, transform=ax.get_xaxis_transform(), color="tab:green", alpha=0.15,
                            lw=0, label=reference_label)
        label_axes(axes[2, c], x="time", x_unit="s")
    label_axes(axes[0, 0], y="Mel band", y_unit="index")
    label_axes(axes[1, 0], y="frame energy (Eq. 4)", y_unit="dB")
    label_axes(axes[2, 0], y="weight", y_unit=None)
    axes[2, 0].legend(fontsize=6, loc="lower left")
    fig.tight_layout()
    return fig
