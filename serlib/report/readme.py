"""The README's results section, generated from the results files (never typed by hand).

``python -m serlib.report.readme`` rewrites the part of ``README.md`` between
the ``results:start`` and ``results:end`` markers; a test fails when it is stale.
"""
from __future__ import annotations

import math

from .. import settings
from ..safeio import atomic_write_text
from ..results import read_results
from .tables import to_markdown

README = settings.REPO_ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

#: (paper, table, title, metrics shown)
SECTIONS = [
    ("course", "synthetic_baseline", "Synthetic corpus: a simple speaker-independent classifier", ("WA", "UA")),
    ("course", "svm_baseline", "Classical baseline: 107-d fusion statistics + SVM, speaker-independent", ("WA", "UA")),
    ("course", "leakage", "Speaker leakage: the same small CNN, speaker-dependent vs speaker-independent", ("WA", "UA")),
    ("fla_ser", "table3", "fla_ser Table 3: ablation (paper: RAVDESS)", ("WA",)),
    ("fla_ser", "table6", "fla_ser Table 6: accuracy and complexity", ("WA", "params_M", "GFLOPs", "ms_per_sample")),
    ("fla_ser", "table5_snr", "fla_ser Table 5 (SNR rows): noise robustness", ("WA",)),
]


def _pct(value) -> str:
    if value in ("", None) or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.1f}"


def _num(value) -> str:
    if value in ("", None) or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.3g}"


def section_table(frame, metrics) -> str:
    import pandas as pd

    frame = frame[frame["metric"].isin(metrics) & frame["ours"].notna()]
    rows = []
    for _, r in frame.iterrows():
        percent = r["metric"] in ("WA", "UA", "macro_F1")
        fmt = _pct if percent else _num
        ours = fmt(r["ours"]) + (f" ± {fmt(r['ours_std'])}" if str(r.get("ours_std", "")) not in ("", "nan") else "")
        rows.append({"row": r["row"], "metric": r["metric"] + (" (%)" if percent else ""),
                     "paper": fmt(r["paper_value"]), "ours": ours, "corpus": r["corpus"], "protocol": r["protocol"],
                     "mode / device": f"{r['mode']} / {r['device']}", "rev": r["revision"]})
    return to_markdown(pd.DataFrame(rows)) if rows else "(no measured rows yet)"


def render_results_section() -> str:
    parts = [START, "",
             "Generated from `results/` by `python -m serlib.report.readme` (ours = mean ± std over folds x seeds; "
             "the stand-ins are the first 2-2.4 s of each clip, so they are not comparable one-to-one with "
             "published numbers).", ""]
    for paper, table, title, metrics in SECTIONS:
        path = settings.results_dir() / paper / f"{table}.csv"
        if not path.exists():
            continue
        parts += [f"**{title}** (`results/{paper}/{table}.csv`)", "", section_table(read_results(path), metrics), ""]
    parts.append(END)
    return "\n".join(parts)


def updated_readme(text: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"{README}: the markers {START} and {END} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + render_results_section() + tail


def main() -> int:
    atomic_write_text(README, updated_readme(README.read_text()))
    print(f"updated {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
