"""The README's generated parts: badges, supported Pythons, notebooks, references and results.

``python -m serlib.report.readme`` rewrites each part of ``README.md`` between
its ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers (see
:data:`GENERATED`); a test fails when any of them is stale. The parts come from
one source each: the badges and links from ``[project.urls] Repository``, the
Python sentence from ``requires-python``, the notebook table from the notebooks
themselves (course order, first heading), the references from
:mod:`serlib.citations`, the results from ``results/``.
"""
from __future__ import annotations

import math

from .. import settings
from ..safeio import atomic_write_text
from ..results import read_results
from .tables import COLLAPSED_FLAG, format_ours, to_markdown

README = settings.REPO_ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
COURSE_MAP = "notebooks/00_course_map.ipynb"

#: (paper, table, title, metrics shown)
SECTIONS = [
    ("course", "synthetic_baseline", "Synthetic corpus: a simple speaker-independent classifier", ("WA", "UA")),
    ("course", "svm_baseline", "Classical baseline: 107-d fusion statistics + SVM, speaker-independent", ("WA", "UA")),
    ("course", "leakage", "Speaker leakage: the same small CNN, speaker-dependent vs speaker-independent", ("WA", "UA")),
    ("fla_ser", "table3", "fla_ser Table 3: ablation (paper: RAVDESS)", ("WA",)),
    ("fla_ser", "table3_paired", "fla_ser Table 3 steps as paired differences over (fold, seed), 95% bootstrap "
     "interval (paper: the difference of its means)", ("ΔWA (points)",)),
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
        if str(r["metric"]).startswith("Δ"):  # a paired comparison: difference, interval, verdict
            ours = format_ours(r)
        if COLLAPSED_FLAG in str(r.get("notes", "")):
            ours += " ⚠ collapsed"
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


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def render_badges() -> str:
    """Binder (JupyterLab on the course map) and Colab badges, from the repository address."""
    from .links import BINDER_BADGE_IMAGE, COLAB_BADGE_IMAGE, binder_url, colab_url

    return (f"[![Binder]({BINDER_BADGE_IMAGE})]({binder_url(COURSE_MAP)}) "
            f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(COURSE_MAP)})")


def render_python() -> str:
    from ..envcheck import python_support_text

    return python_support_text()


def notebook_papers() -> dict[str, list[str]]:
    """notebook stem -> the papers whose implemented elements its code cells use (from the equation index)."""
    from .. import PAPERS
    from .index import collect_entries, notebook_usage

    usage = notebook_usage()
    papers: dict[str, set] = {}
    for entry in collect_entries():
        for stem in usage.get(entry.symbol.rsplit(".", 1)[1], []):
            papers.setdefault(stem, set()).add(entry.paper)
    return {stem: sorted(found, key=list(PAPERS).index) for stem, found in papers.items()}


def render_notebooks() -> str:
    """The notebook table: every notebook of ``notebooks/`` in course order, titled by its first heading."""
    from ..course import NOTEBOOK_DIR, notebook_title, notebooks
    from .links import binder_url, colab_url

    papers = notebook_papers()
    lines = ["| notebook | what it teaches | papers whose equations it runs | open |", "|---|---|---|---|"]
    for path in notebooks():
        relative = f"{NOTEBOOK_DIR.name}/{path.name}"
        used = ", ".join(f"`{p}`" for p in papers.get(path.stem, [])) or "–"
        lines.append(f"| [{path.stem}]({relative}) | {notebook_title(path, numbered=False).replace('|', '/')} | "
                     f"{used} | [Colab]({colab_url(relative)}) · [Binder]({binder_url(relative)}) |")
    return "\n".join(lines)


def render_references() -> str:
    """The five papers, the corpora and the pre-trained encoder, from :mod:`serlib.citations`."""
    from ..citations import PAPERS as PAPER_REFERENCES, RESOURCES, format_reference

    lines = ["**The papers** (slug: reference)", ""]
    lines += [f"- `{key}`: {format_reference(key)}" for key in PAPER_REFERENCES]
    lines += ["", "**Corpora and the pre-trained encoder** (with their licences)", ""]
    lines += [f"- `{key}`: {format_reference(key)}" for key in RESOURCES]
    return "\n".join(lines)


#: marker name -> generator of the text between the markers. Inline parts (in a sentence) have no blank lines.
GENERATED = {
    "badges": (render_badges, True),
    "python": (render_python, True),
    "notebooks": (render_notebooks, False),
    "references": (render_references, False),
}


def updated_readme(text: str) -> str:
    for name, (render, inline) in GENERATED.items():
        start, end = _markers(name)
        if start not in text or end not in text:
            raise ValueError(f"{README}: the markers {start} and {end} are missing")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        body = render() if inline else f"\n\n{render()}\n\n"
        text = head + start + body + end + tail
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
