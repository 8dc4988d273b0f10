"""cnn_transformer figures (ablation, Table II, Figs. 4-7, protocols, Table I grid) from its results frames.

The reproduction (:data:`serlib.experiments.cnn_transformer.TABLES`) calls these
after writing a table, and notebook 08 calls them on the committed results.
Each takes ``(frame, ctx)``; ``ctx.figure_path(name)`` says where the PNG goes.
Course style (:mod:`serlib.report.style`): categories are bars or points, never
lines; every panel names its corpus, protocol and folds x seeds; the paper's
numbers (one run on RAVDESS) are drawn in grey beside ours only where they
measure the same thing.
"""
from __future__ import annotations

import numpy as np

from .figures import in_course_style, save_table_figure
from .style import OKABE_ITO, categorical_plot, label_axes, protocol_caption, provenance, \
    short_corpus_name, show_image

PAPER_GREY = "0.65"


# one saver and one style decorator for every paper's table figures (serlib.report.figures)
_save, _styled = save_table_figure, in_course_style


def _caption(frame) -> str:
    facts = provenance(frame)
    return protocol_caption(short_corpus_name(facts["corpus"]), facts["protocol"], facts["folds"], facts["seeds"])


def _groups(frame):
    return list(dict.fromkeys(zip(frame["corpus"], frame["protocol"])))


def _collapsed(frame) -> bool:
    return "notes" in frame and frame["notes"].astype(str).str.contains("COLLAPSED").any()


def ours_and_paper_bars(ax, categories, ours, ours_err, paper=None, *, value: str, value_unit, rotation=25):
    """Ours (blue, mean ± std) and, where given, the paper's value (grey) beside each category."""
    width = 0.38 if paper is not None else 0.7
    offset = -width / 2 if paper is not None else 0.0
    categorical_plot(ax, categories, ours, ours_err, kind="bars", value=value, value_unit=value_unit,
                     colors=OKABE_ITO[0], label="ours (mean ± std)", offset=offset, width=width, rotation=rotation)
    if paper is not None:
        categorical_plot(ax, categories, paper, None, kind="bars", value=value, value_unit=value_unit,
                         colors=PAPER_GREY, label="paper (one run)", offset=width / 2, width=width, rotation=rotation)
    ax.legend(fontsize=7)


@_styled
def figure_ablation(frame, ctx):
    """The ablation: WA and UA of the four variants and of the augmented full model, one panel per metric."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), sharey=True)
    for ax, metric in zip(axes, ("WA", "UA")):
        part = frame[frame["metric"] == metric]
        rows = list(dict.fromkeys(part["row"]))
        paper = part["paper_value"].astype(float).to_numpy()
        ours_and_paper_bars(ax, rows, 100 * part["ours"].astype(float).to_numpy(),
                            100 * part["ours_std"].astype(float).fillna(0).to_numpy(),
                            100 * paper if np.isfinite(paper).any() else None, value=metric, value_unit="%")
        ax.set_title(f"{metric}: " + _caption(part).replace(" · ", "\n", 1))
        ax.set_ylim(0, 100)
    fig.suptitle("cnn_transformer ablation (the paper ran none): each variant trained the same way"
                 + (" [COLLAPSED runs flagged in the CSV]" if _collapsed(frame) else ""))
    fig.tight_layout()
    return _save(fig, ctx, "ablation")


@_styled
def figure_table2(frame, ctx):
    """Table II: per-class test accuracy, ours (mean ± std over seeds) beside the paper's one run."""
    import matplotlib.pyplot as plt

    part = frame[frame["metric"] == "accuracy"]
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    paper = part["paper_value"].astype(float).to_numpy()
    ours_and_paper_bars(ax, list(part["row"]), 100 * part["ours"].astype(float).to_numpy(),
                        100 * part["ours_std"].astype(float).fillna(0).to_numpy(),
                        100 * paper if np.isfinite(paper).any() else None, value="test accuracy", value_unit="%")
    ax.set_ylim(0, 105)
    ax.set_title("cnn_transformer Table II: " + _caption(part))
    fig.tight_layout()
    return _save(fig, ctx, "table2_per_class")


@_styled
def figure_fig4(frame, ctx):
    """Fig. 4: the literature values as quoted (grey), the paper's own, and ours with its spread."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    quoted = frame[frame["ours"].isna()]
    ours = frame[frame["ours"].notna()]
    labels = list(quoted["row"]) + list(ours["row"])
    values = list(100 * quoted["paper_value"].astype(float)) + list(100 * ours["ours"].astype(float))
    errors = [0.0] * len(quoted) + list(100 * ours["ours_std"].astype(float).fillna(0))
    colors = [PAPER_GREY] * len(quoted) + [OKABE_ITO[0]] * len(ours)
    categorical_plot(ax, labels, values, errors, kind="bars", value="accuracy", value_unit="%", colors=colors,
                     rotation=30)
    ax.set_ylim(0, 100)
    caption = _caption(ours) if len(ours) else "ours: not run"
    ax.set_title("cnn_transformer Fig. 4: grey = quoted by the paper (other protocols), blue = ours\n" + caption)
    fig.tight_layout()
    return _save(fig, ctx, "fig4_literature")


@_styled
def figure_confusion(frame, ctx):
    """Fig. 5: the confusion matrix (row-normalised, %), one panel per corpus and protocol."""
    import matplotlib.pyplot as plt

    groups = _groups(frame)
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups), 4.4), squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        here = frame[(frame["corpus"] == corpus) & (frame["protocol"] == protocol)]
        pairs = [r.split(" -> ") for r in here["row"]]
        names = list(dict.fromkeys(t for t, _ in pairs))
        counts = here["ours"].astype(float).to_numpy().reshape(len(names), len(names))
        share = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        show_image(ax, share, x="predicted class", x_unit=None, y="true class", y_unit=None,
                   value="share of the true class", value_unit="%", vmin=0, vmax=100, cmap="Blues")
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        for i in range(len(names)):
            for j in range(len(names)):
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=6,
                        color="white" if share[i, j] > 60 else "black")
        ax.set_title("cnn_transformer Fig. 5 (counts over seeds):\n" + _caption(here))
    fig.tight_layout()
    return _save(fig, ctx, "fig5_confusion")


@_styled
def figure_counts(frame, ctx):
    """Figs. 6 and 7: correct and incorrect test predictions per group (intensity or gender), means over seeds."""
    import matplotlib.pyplot as plt

    table = str(frame["table"].iloc[0])
    gap = frame[frame["metric"] == "Δaccuracy (points)"]
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    correct = frame[frame["metric"] == "correct"]
    incorrect = frame[frame["metric"] == "incorrect"]
    groups = list(correct["row"])
    categorical_plot(ax, groups, correct["ours"].astype(float).to_numpy(),
                     correct["ours_std"].astype(float).fillna(0).to_numpy(), kind="bars", value="test utterances",
                     value_unit="count per run", colors=OKABE_ITO[2], label="correct", offset=-0.2, width=0.4)
    categorical_plot(ax, groups, incorrect.set_index("row").reindex(groups)["ours"].astype(float).to_numpy(),
                     incorrect.set_index("row").reindex(groups)["ours_std"].astype(float).fillna(0).to_numpy(),
                     kind="bars", value="test utterances", value_unit="count per run", colors=OKABE_ITO[3],
                     label="incorrect", offset=0.2, width=0.4)
    accuracy = frame[frame["metric"] == "accuracy"].set_index("row").reindex(groups)["ours"].astype(float)
    for x, value in enumerate(accuracy):
        ax.annotate(f"{100 * value:.1f} %", (x, 0), xytext=(0, 2), textcoords="offset points", ha="center",
                    fontsize=7)
    ax.legend(fontsize=7)
    what = "intensity" if table == "fig6" else "gender"
    gap_text = "".join(f"\n{r['row']}: {float(r['ours']):+.1f} points (95 % CI {float(r['ci_low']):+.1f} to "
                       f"{float(r['ci_high']):+.1f})" for _, r in gap.iterrows() if str(r["ci_low"]) != "nan")
    ax.set_title(f"cnn_transformer {table.replace('fig', 'Fig. ')} by {what}:\n" + _caption(correct) + gap_text)
    fig.tight_layout()
    return _save(fig, ctx, f"{table}_by_{what}")


@_styled
def figure_protocols(frame, ctx):
    """The same model under each protocol: WA and UA bars; speaker-dependent ones marked."""
    import matplotlib.pyplot as plt

    from .plots import PROTOCOL_COLOURS

    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), sharey=True)
    for ax, metric in zip(axes, ("WA", "UA")):
        part = frame[frame["metric"] == metric]
        independent = part["speaker_independent"].astype(str).str.lower().isin(("true", "1"))
        colors = [PROTOCOL_COLOURS[bool(v)] for v in independent]
        categorical_plot(ax, list(part["row"]), 100 * part["ours"].astype(float).to_numpy(),
                         100 * part["ours_std"].astype(float).fillna(0).to_numpy(), kind="bars", value=metric,
                         value_unit="%", colors=colors, rotation=25)
        ax.set_ylim(0, 100)
        corpus = short_corpus_name(part["corpus"].iloc[0]) if len(part) else ""
        ax.set_title(f"{metric} on {corpus}\nvermillion: speaker-dependent, green: speaker-independent")
    fig.suptitle("cnn_transformer: one model, four protocols (mean ± std over folds x seeds)")
    fig.tight_layout()
    return _save(fig, ctx, "protocols")


@_styled
def figure_grid(frame, ctx):
    """Table I: the grid's best validation loss and test WA per point (the choice uses validation only)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8))
    for ax, metric, unit, scale in ((axes[0], "val_loss", "nats", 1.0), (axes[1], "test_WA", "%", 100.0)):
        part = frame[frame["metric"] == metric]
        chosen = part["row"].str.contains("chosen")
        colors = [OKABE_ITO[1] if c else OKABE_ITO[0] for c in chosen]
        categorical_plot(ax, list(part["row"].str.replace(" (chosen on validation)", " *", regex=False)),
                         scale * part["ours"].astype(float).to_numpy(), None, kind="bars",
                         value="lowest validation loss" if metric == "val_loss" else "test WA", value_unit=unit,
                         colors=colors, rotation=35)
        ax.set_title(("selection criterion" if metric == "val_loss" else "test WA (never used to choose)")
                     + ": " + _caption(part).replace(" · ", "\n", 1))
    fig.suptitle("cnn_transformer Table I grid; * = chosen on validation loss")
    fig.tight_layout()
    return _save(fig, ctx, "table1_grid")


# --------------------------------------------------------------------------- notebook 08, quick mode
def cross_attention_figure(images, alpha, titles, times):
    """Per clip: its log-Mel input and the Eq. 8 cross-attention weights over the Transformer frames."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(images), figsize=(3.4 * len(images), 4.2), sharex="col", squeeze=False)
    for c, (image, a, title) in enumerate(zip(images, alpha, titles)):
        t_end = times[-1]
        axes[0, c].imshow(image, aspect="auto", origin="lower", cmap="magma", interpolation="nearest",
                          extent=[0, t_end, 0, image.shape[0]])
        axes[0, c].set_title(title, fontsize=8)
        token_times = np.linspace(0, t_end, len(a) + 1)
        axes[1, c].bar(token_times[:-1], a, width=np.diff(token_times), align="edge", color=OKABE_ITO[0],
                       edgecolor="white", lw=0.3)
        axes[1, c].axhline(1 / len(a), color="0.5", ls="--", lw=0.8)
        label_axes(axes[1, c], x="time", x_unit="s")
    label_axes(axes[0, 0], y="Mel band", y_unit="index")
    label_axes(axes[1, 0], y="cross-attention weight (Eq. 8)", y_unit=None)
    fig.tight_layout()
    return fig


def training_curves_figure(run: dict, caption: str):
    """Training and validation loss and validation WA per epoch of one run; dotted: the restored epoch."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    epochs = [h["epoch"] for h in run["history"]]
    for key in ("train_loss", "val_loss"):
        axes[0].plot(epochs, [h[key] for h in run["history"]], marker="o", ms=3, label=key.replace("_", " "))
    axes[1].plot(epochs, [100 * h["val_WA"] for h in run["history"]], marker="o", ms=3)
    for ax in axes:
        ax.axvline(run["reported_epoch"], color="0.4", ls=":", lw=1)
    label_axes(axes[0], x="epoch", x_unit=None, y="loss", y_unit="nats")
    label_axes(axes[1], x="epoch", x_unit=None, y="validation WA", y_unit="%")
    axes[0].legend(fontsize=7)
    fig.suptitle(caption + "; dotted: the restored epoch (lowest validation loss)")
    fig.tight_layout()
    return fig


def logmel_pair_figure(chain: dict):
    """The clean log-Mel of one clip beside its AWGN copy (``preprocessing_chain`` output)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
    for ax, key, title in zip(axes, ("logmel", "logmel_noisy"), ("clean", "one AWGN copy")):
        ax.imshow(chain[key], aspect="auto", origin="lower", cmap="magma", interpolation="nearest")
        label_axes(ax, x="frame", x_unit="index", title=title)
    label_axes(axes[0], y="Mel band", y_unit="index")
    fig.tight_layout()
    return fig
