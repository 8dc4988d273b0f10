"""wavelet_cnn_lstm figures (Table 4, the design claims, Figs. 5-14) drawn from its results frames, course style.

The reproduction (:data:`serlib.experiments.wavelet_cnn_lstm.TABLES`) calls
these after writing a table and notebook 09 calls them on the committed
results. Each takes ``(frame, ctx)``; ``ctx.figure_path(name)`` says where the
PNG goes. The rules of :mod:`serlib.report.style` apply: selection rules,
classes and arms are categories (points or bars), epochs are a series (lines);
the paper's numbers (its corpora) get their own panel, never a place beside
ours (the stand-ins).
"""
from __future__ import annotations

import numpy as np

from .figures import in_course_style as _styled, save_table_figure as _save
from .style import (OKABE_ITO, categorical_plot, confusion_panel, label_axes, protocol_caption,
                    provenance, short_corpus_name)

RULE_LABELS = {"best_on_test": "best on test\n(paper)", "best_on_validation": "best on val.\n(course)",
               "last": "last\nepoch"}


def _caption(part) -> str:
    facts = provenance(part)
    return protocol_caption(short_corpus_name(facts["corpus"]), facts["protocol"], facts["folds"], facts["seeds"])


def _split_row(row: str) -> list[str]:
    return [p.strip() for p in str(row).split(" | ")]


@_styled
def figure_table4(frame, ctx):
    """Table 4: WA under each selection rule, one panel per (corpus, protocol); the paper's means apart."""
    import matplotlib.pyplot as plt

    wa = frame[(frame["metric"] == "WA") & frame["ours"].notna()].copy()
    wa = wa[wa["ours"].astype(str) != ""]
    groups = list(dict.fromkeys(zip(wa["corpus"], wa["protocol"])))
    paper = frame[(frame["metric"] == "WA") & frame["paper_value"].notna()
                  & (frame["paper_value"].astype(str) != "")]
    paper_columns = list(dict.fromkeys(_split_row(r)[0] for r in paper["row"]))
    n = len(groups) + 1
    fig, axes = plt.subplots(1, n, figsize=(3.1 * n, 3.5), sharey=True, squeeze=False)
    for ax, (corpus, protocol) in zip(axes[0], groups):
        part = wa[(wa["corpus"] == corpus) & (wa["protocol"] == protocol)]
        rules = [_split_row(r)[1] for r in part["row"]]
        categorical_plot(ax, [RULE_LABELS.get(r, r) for r in rules], 100 * part["ours"].astype(float).to_numpy(),
                         100 * part["ours_std"].astype(float).fillna(0).to_numpy(), kind="bars", value="WA",
                         value_unit="%", colors=[OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(rules))])
        ax.set_title("ours: " + _caption(part).replace(" · ", "\n", 1), fontsize=8)
    last = axes[0][-1]
    values = [100 * float(paper[paper["row"].str.startswith(c + " |")]["paper_value"].iloc[0]) for c in paper_columns]
    categorical_plot(last, paper_columns, values, kind="bars", value="WA", value_unit="%", colors="0.65", rotation=30)
    last.set_title("the paper, as printed\n(Table 4 fold means, its corpora)", fontsize=8)
    for ax in axes[0]:
        ax.set_ylim(0, 100)
    fig.suptitle("wavelet_cnn_lstm Table 4: accuracy under three epoch-selection rules (mean ± std over runs)")
    fig.tight_layout()
    return _save(fig, ctx, "table4_selection_rules")


@_styled
def figure_claims(frame, ctx):
    """Design claims: each arm minus the baseline (paired ΔWA, 95 % bootstrap interval), one panel per rule."""
    import matplotlib.pyplot as plt

    deltas = frame[frame["metric"] == "ΔWA (points)"]
    rules = [r for r in ("best_on_validation", "best_on_test") if r in set(deltas["epoch_policy"].astype(str))]
    if deltas.empty or not rules:
        return []
    fig, axes = plt.subplots(1, len(rules), figsize=(5.2 * len(rules), 3.6), sharey=True, squeeze=False)
    for ax, rule in zip(axes[0], rules):
        part = deltas[deltas["epoch_policy"].astype(str) == rule]
        means = part["ours"].astype(float).to_numpy()
        low = means - part["ci_low"].astype(float).fillna(part["ours"].astype(float)).to_numpy()
        high = part["ci_high"].astype(float).fillna(part["ours"].astype(float)).to_numpy() - means
        positions = np.arange(len(part))
        ax.errorbar(positions, means, yerr=[low, high], fmt="o", linestyle="none", capsize=2, color=OKABE_ITO[0])
        ax.axhline(0, color="0.5", lw=0.8, ls="--")
        # arms may differ in seeds (an expensive arm run with fewer): each tick says how many pairs it rests on
        ticks = [f"{r.split(' − ')[0]} ({int(n)} pairs)" + (" COLLAPSED" if "COLLAPSED" in str(note) else "")
                 for r, n, note in zip(part["row"], part["n"], part["notes"])]
        ax.set_xticks(positions, ticks, rotation=35, ha="right")
        label_axes(ax, x="arm (minus the baseline)", x_unit=None, y="paired ΔWA", y_unit="points")
        base = part["row"].iloc[0].split(" − ")[1]
        same_runs = part["seeds"].astype(str).nunique() == 1
        caption = _caption(part) if same_runs else protocol_caption(
            short_corpus_name(part["corpus"].iloc[0]), part["protocol"].iloc[0]) + " · pairs per arm in the ticks"
        ax.set_title(f"{RULE_LABELS[rule].replace(chr(10), ' ')}; baseline: {base}\n{caption}", fontsize=8)
    table = str(frame["table"].iloc[0])
    fig.suptitle(f"wavelet_cnn_lstm {table}: paired differences with 95 % bootstrap intervals")
    fig.tight_layout()
    return _save(fig, ctx, table)


@_styled
def figure_curves(frame, ctx):
    """Figs. 5 and 10: losses and accuracies per epoch (mean over runs)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.2))
    epochs = sorted({int(r.split()[1]) for r in frame["row"]})
    for ax, metrics, unit, scale in ((axes[0], ("train_loss", "val_loss", "test_loss"), "nats", 1.0),
                                     (axes[1], ("val_WA", "test_WA"), "%", 100.0)):
        for metric in metrics:
            part = frame[frame["metric"] == metric].copy()
            part["epoch"] = [int(r.split()[1]) for r in part["row"]]
            part = part.sort_values("epoch")
            ax.plot(part["epoch"], scale * part["ours"].astype(float), marker="o", ms=3, label=metric)
        label_axes(ax, x="epoch", x_unit=None, y="loss" if unit == "nats" else "accuracy (WA)", y_unit=unit)
        ax.set_xticks(epochs)
        ax.legend(fontsize=7)
    table = str(frame["table"].iloc[0])
    fig.suptitle(f"wavelet_cnn_lstm {table.replace('fig', 'Fig. ')} reproduced: {_caption(frame)}\n"
                 "val = validation carved from training; test = the test fold, scored for measurement")
    fig.tight_layout()
    return _save(fig, ctx, f"{table}_curves")


@_styled
def figure_confusion(frame, ctx):
    """Figs. 6, 8, 11, 13: row-normalised confusion under the paper's and the course's selection rule."""
    import matplotlib.pyplot as plt

    rules = list(dict.fromkeys(_split_row(r)[0] for r in frame["row"]))
    fig, axes = plt.subplots(1, len(rules), figsize=(4.4 * len(rules), 3.8), squeeze=False)
    for ax, rule in zip(axes[0], rules):
        part = frame[frame["row"].str.startswith(rule + " |")]
        confusion_panel(ax, [tuple(_split_row(r)[1].split(" -> ")) for r in part["row"]], part["ours"].astype(float))
        ax.set_title(f"{RULE_LABELS.get(rule, rule).replace(chr(10), ' ')}\n{_caption(part)}", fontsize=8)
    table = str(frame["table"].iloc[0])
    fig.suptitle(f"wavelet_cnn_lstm {table.replace('fig', 'Fig. ')} reproduced (counts summed over runs)")
    fig.tight_layout()
    return _save(fig, ctx, f"{table}_confusion")


@_styled
def figure_literature(frame, ctx):
    """Figs. 7, 9, 12, 14: the printed literature values (the paper's corpora) and ours, in separate panels."""
    import matplotlib.pyplot as plt

    printed = frame[frame["ours"].isna() | (frame["ours"].astype(str) == "")]
    ours = frame[frame["ours"].notna() & (frame["ours"].astype(str) != "")]
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4), sharey=True,
                             gridspec_kw={"width_ratios": [max(len(printed), 1), max(len(ours), 1) + 1]})
    categorical_plot(axes[0], [_split_row(r)[1].replace(" (printed", "\n(printed") for r in printed["row"]],
                     100 * printed["paper_value"].astype(float).to_numpy(), kind="bars", value="WA",
                     value_unit="%", colors="0.65", rotation=40)
    column = _split_row(frame["row"].iloc[0])[0]
    axes[0].set_title(f"{column}: Table 6 as printed (each method's own corpus version and protocol)", fontsize=8)
    if len(ours):
        categorical_plot(axes[1], [_split_row(r)[1] for r in ours["row"]], 100 * ours["ours"].astype(float).to_numpy(),
                         100 * ours["ours_std"].astype(float).fillna(0).to_numpy(), kind="bars", value="WA",
                         value_unit="%", colors=OKABE_ITO[0], rotation=20)
        axes[1].set_title("ours: " + _caption(ours).replace(" · ", "\n", 1), fontsize=8)
    else:
        axes[1].set_title("ours: not measured in this run", fontsize=8)
    axes[0].set_ylim(0, 100)
    table = str(frame["table"].iloc[0])
    fig.suptitle(f"wavelet_cnn_lstm {table.replace('fig', 'Fig. ')}: previous work against the proposed model")
    fig.tight_layout()
    return _save(fig, ctx, f"{table}_literature")
