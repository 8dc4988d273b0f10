"""Paper-versus-ours tables, rendered from results files (never from typed-in numbers)."""
from __future__ import annotations

import math

PERCENT_METRICS = {"WA", "UA", "macro_F1", "accuracy", "precision", "recall", "F1"}


def _fmt(value, metric: str, std=None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "–"
    value = float(value)
    if metric in PERCENT_METRICS or metric.startswith(("WA", "UA", "acc", "precision")):
        text = f"{100 * value:.1f}"
        if std not in (None, "") and not (isinstance(std, float) and math.isnan(std)):
            text += f" ± {100 * float(std):.1f}"
        return text
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    if std not in (None, "") and not (isinstance(std, float) and math.isnan(std)):
        text += f" ± {float(std):.2g}"
    return text


def paper_vs_ours(frame, metrics=None):
    """One row per (table row, corpus, protocol), columns ``<metric> paper`` and ``<metric> ours``."""
    import pandas as pd

    metrics = metrics or list(dict.fromkeys(frame["metric"]))
    out = []
    keys = ["row", "corpus", "protocol"]
    for key, group in frame.groupby(keys, sort=False):
        entry = dict(zip(keys, key))
        by_metric = {r["metric"]: r for _, r in group.iterrows()}
        for metric in metrics:
            r = by_metric.get(metric)
            entry[f"{metric} paper"] = _fmt(r["paper_value"], metric) if r is not None else "–"
            entry[f"{metric} ours"] = _fmt(r["ours"], metric, r.get("ours_std")) if r is not None else "–"
        first = group.iloc[0]
        entry["mode"] = first["mode"]
        entry["device"] = first["device"]
        out.append(entry)
    return pd.DataFrame(out)


def to_markdown(table) -> str:
    """A DataFrame as a GitHub Markdown table (no extra dependency)."""
    columns = [str(c) for c in table.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(str(row[c]).replace("|", "/") for c in table.columns) + " |")
    return "\n".join(lines)


def render_table_markdown(frame, title: str, notes: str = "") -> str:
    """Title, provenance line and the paper-vs-ours table of a results frame."""
    first = frame.iloc[0]
    table = paper_vs_ours(frame)
    revisions = ", ".join(sorted(set(frame["revision"].astype(str))))
    dates = sorted(set(frame["date"].astype(str)))
    head = [f"### {title}", "",
            f"Mode: {first['mode']}; device: {first['device']}; revision: {revisions}; run: {dates[-1] if dates else ''}.",
            "Percentages for accuracy-type metrics; ours = mean ± std over folds x seeds. "
            "Generated from the results CSV by serlib.report.tables.", ""]
    if notes:
        head += [notes, ""]
    return "\n".join(head) + to_markdown(table) + "\n"
