"""Figures of notebook 05 (training and evaluation), in the course style.

Each function draws one figure from numbers the notebook computed and returns
it; the notebook saves it with :func:`serlib.report.figures.save_figure`.
Epochs are an ordered series, so per-epoch curves are lines; runs, folds and
classes are categories, so they are points or cells, never joined by lines.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .plots import _subplots
from .style import OKABE_ITO, categorical_plot, colorbar, label_axes, protocol_caption


def confusion_figure(matrix, labels: Sequence[str], title: str):
    """Counts and row-normalised confusion (rows = true class; the diagonal of the second is each recall)."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape != (len(labels), len(labels)):
        raise ValueError(f"confusion_figure: a {len(labels)}x{len(labels)} matrix is needed, got {matrix.shape}")
    rows = matrix.sum(axis=1, keepdims=True)
    recall = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    fig, axes = _subplots(1, 2, figsize=(7.4, 3.0))
    for ax, values, name, fmt in ((axes[0], matrix, "utterances", "{:.0f}"),
                                  (axes[1], recall, "share of the true class", "{:.2f}")):
        image = ax.imshow(values, cmap="Blues", vmin=0, interpolation="nearest")
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=8,
                    color="white" if value > 0.6 * values.max() else "black")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        label_axes(ax, x="predicted class", x_unit=None, y="true class", y_unit=None)
        colorbar(image, ax, name, None)
    axes[0].set_title("counts")
    axes[1].set_title("row-normalised (diagonal = recall)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def history_figure(history, best_epoch: int, caption: str, stopped_at: int | None = None,
                   patience: int | None = None):
    """Training loss, validation loss and validation UA per epoch of a run without early stopping; the kept
    epoch marked, and where the same run with ``patience`` would have stopped (``stopped_at``)."""
    fig, axes = _subplots(1, 3, figsize=(10, 2.9))
    epochs = history["epoch"]
    for ax, column, name, unit, scale in ((axes[0], "train_loss", "training loss", "nats", 1),
                                          (axes[1], "val_loss", "validation loss", "nats", 1),
                                          (axes[2], "val_UA", "validation UA", "%", 100)):
        ax.plot(epochs, scale * history[column], marker="o", ms=3)
        ax.axvline(best_epoch, color=OKABE_ITO[2], ls=":", label=f"best on validation (epoch {best_epoch})")
        if stopped_at is not None:
            ax.axvline(stopped_at, color=OKABE_ITO[3], ls="--",
                       label=f"the same run with patience {patience} stops here (epoch {stopped_at})")
        label_axes(ax, x="epoch", x_unit=None, y=name, y_unit=unit)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=7, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(caption)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def selection_figure(curves, selected, metric: str, corpus: str, protocol: str):
    """One panel per (seed, fold) run: validation and test ``metric`` per epoch, and the epoch each policy picks."""
    runs = list(selected[["seed", "fold"]].itertuples(index=False, name=None))
    columns = min(3, len(runs))
    fig, axes = _subplots(int(np.ceil(len(runs) / columns)), columns, figsize=(3.4 * columns, 2.5 * np.ceil(
        len(runs) / columns)), sharex=True, sharey=True, squeeze=False)
    for ax, (seed, fold), (_, choice) in zip(axes.flat, runs, selected.iterrows()):
        run = curves[(curves["seed"] == seed) & (curves["fold"] == fold)].sort_values("epoch")
        ax.plot(run["epoch"], 100 * run[f"val_{metric}"], marker="o", ms=2.5, label="validation")
        ax.plot(run["epoch"], 100 * run[f"test_{metric}"], marker="o", ms=2.5, label="test")
        for policy, colour, shape in (("best_on_validation", OKABE_ITO[2], "s"), ("best_on_test", OKABE_ITO[3], "*")):
            epoch = choice[f"epoch ({policy})"]
            ax.plot([epoch], [100 * choice[f"test {metric} ({policy})"]], shape, ms=9, color=colour,
                    label=f"test at epoch chosen {policy.replace('_', ' ')}")
        label_axes(ax, x="epoch", x_unit=None, y=metric, y_unit="%", title=f"seed {seed}, {fold}")
    for ax in list(axes.flat)[len(runs):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, bbox_to_anchor=(0.5, -0.02))
    folds, seeds = selected["fold"].nunique(), selected["seed"].nunique()
    fig.suptitle(f"which epoch is reported? {protocol_caption(corpus, protocol, folds, seeds)}")
    fig.tight_layout(rect=(0, 0.06, 1, 1))  # room for the legend below the panels, where it hides no point
    return fig


def inflation_figure(selected, metric: str, corpus: str, protocol: str):
    """Test ``metric`` of every run under the three policies, as points (runs are categories, not a series)."""
    from .style import title_with_protocol

    policies = ("last", "best_on_validation", "best_on_test")
    fig, ax = _subplots(figsize=(5.6, 3.0))
    runs = [f"s{seed}/{fold}" for seed, fold in selected[["seed", "fold"]].itertuples(index=False, name=None)]
    for i, policy in enumerate(policies):
        categorical_plot(ax, runs, 100 * selected[f"test {metric} ({policy})"].to_numpy(), kind="points",
                         value=f"test {metric}", value_unit="%", category="run (seed/fold)",
                         label=policy.replace("_", " "), offset=(i - 1) * 0.18)
    ax.legend(title="epoch chosen", fontsize=7)
    title_with_protocol(ax, f"test {metric} by epoch-selection policy", corpus=corpus, protocol=protocol,
                        folds=selected["fold"].nunique(), seeds=selected["seed"].nunique())
    fig.tight_layout()
    return fig


def spread_figure(runs, metric: str, corpus: str, protocol: str):
    """The reported ``metric`` of every run: one column per fold, one colour per seed (points, no lines)."""
    from .style import title_with_protocol

    fig, ax = _subplots(figsize=(4.8, 3.0))
    folds = sorted(runs["fold"].unique())
    seeds = sorted(runs["seed"].unique())
    for i, seed in enumerate(seeds):
        mine = runs[runs["seed"] == seed].set_index("fold").reindex(folds)
        categorical_plot(ax, folds, 100 * mine[metric].to_numpy(), kind="points", value=metric, value_unit="%",
                         category="test fold", label=f"seed {seed}", offset=(i - (len(seeds) - 1) / 2) * 0.12)
    ax.axhline(100 * runs[metric].mean(), color="0.4", ls="--", lw=1, label="mean over folds x seeds")
    ax.legend(fontsize=7)
    title_with_protocol(ax, f"{metric} of every run (best-on-validation epoch)", corpus=corpus, protocol=protocol,
                        folds=len(folds), seeds=len(seeds))
    fig.tight_layout()
    return fig
