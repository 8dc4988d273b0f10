"""Paper-versus-ours tables, rendered from results files (never from typed-in numbers)."""
from __future__ import annotations

import math

PERCENT_METRICS = {"WA", "UA", "macro_F1", "accuracy", "precision", "recall", "F1"}
# speechnet: Keras-style thresholded and macro scores, and the reproducibility shares of Eqs. 1-6
PERCENT_METRICS.update({"keras_precision", "keras_recall", "keras_F1", "macro_precision",
                        "GLR", "FLR", "PLR", "CLR", "FCLR", "PCLR"})


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


#: The note a run row carries when its model collapsed (e.g. predicts one class); rendered visibly.
COLLAPSED_FLAG = "COLLAPSED"
#: Verdicts of :func:`serlib.evaluate.paired.compare_runs` that the rendered cell spells out.
INSIDE_THE_NOISE, TOO_FEW_PAIRS = "inside the noise", "too few pairs"


def _present(value) -> bool:
    return value not in (None, "") and not (isinstance(value, float) and math.isnan(value))


def _fmt_difference(row) -> str:
    """A paired comparison row (metric ``Δ...``): ``+1.2 [-0.8, +3.1]``, ``(inside the noise)`` when so."""
    if not _present(row.get("ours")):
        return "–"
    points = "(points)" in str(row["metric"])
    fmt = (lambda v: f"{float(v):+.1f}") if points else (lambda v: f"{float(v):+.3g}")
    text = fmt(row["ours"])
    if _present(row.get("ci_low")) and _present(row.get("ci_high")):
        text += f" [{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"
    notes = str(row.get("notes") or "")
    if "verdict: " in notes:  # the verdict of the comparison's own method (bootstrap interval or Wilcoxon p)
        verdict = notes.split("verdict: ", 1)[1].split(";", 1)[0].strip()
        inside = verdict == INSIDE_THE_NOISE
    else:  # no stated verdict: the interval decides
        verdict = INSIDE_THE_NOISE
        inside = _present(row.get("ci_low")) and float(row["ci_low"]) <= 0.0 <= float(row["ci_high"])
    if inside or verdict == TOO_FEW_PAIRS:
        text += f" ({verdict})"
    return text


def format_ours(row) -> str:
    """The rendered "ours" cell of a results row: mean ± std, a comparison with its interval, flags shown."""
    metric = str(row["metric"])
    text = _fmt_difference(row) if metric.startswith("Δ") else _fmt(row["ours"], metric, row.get("ours_std"))
    if COLLAPSED_FLAG in str(row.get("notes") or ""):
        text += " ⚠ collapsed"
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
            entry[f"{metric} ours"] = format_ours(r) if r is not None else "–"
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
    if frame["metric"].astype(str).str.startswith("Δ").any():
        head += ["Δ rows: mean paired difference A − B over matched (fold, seed) runs [bootstrap interval]; "
                 "\"inside the noise\" when the comparison cannot tell A from B.", ""]
    if notes:
        head += [notes, ""]
    return "\n".join(head) + to_markdown(table) + "\n"
