"""The course's order, generated from the notebooks folder (never typed): the map of notebook 00 and the README.

Notebooks ``00``-``05`` are the foundations; from ``06`` on there is one notebook
per paper, in the order of :data:`PAPER_ORDER`, and room for a closing notebook
after them. :data:`RENAMED` keeps old notebook names working where a tool takes
a name (the course runner's ``--only``, the site's redirects).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .. import PAPERS, settings

FOUNDATIONS = range(0, 6)
#: One notebook per paper, from 06 on, in this order.
PAPER_ORDER = ("fla_ser", "speechnet", "cnn_transformer", "wavelet_cnn_lstm", "dual_stream_caf")
FIRST_PAPER_NUMBER = 6
#: Old notebook stems -> current ones (renumbering of the course).
RENAMED = {"05_fla_ser": "06_fla_ser"}
_TITLE = re.compile(r"^#\s*(?P<number>\d\d)\s*·\s*(?P<title>.+)$")


def notebook_title(path: Path) -> str:
    """The title of a notebook: its first Markdown heading without the ``NN ·`` number."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            first = "".join(cell["source"]).strip().splitlines()[0]
            found = _TITLE.match(first)
            if not found:
                raise ValueError(f"{Path(path).name}: the first Markdown line must be '# NN · title', got {first!r}")
            return found["title"].strip()
    raise ValueError(f"{Path(path).name}: no Markdown title cell")


def planned_notebook(slug: str) -> str:
    """The stem the notebook of paper ``slug`` has (or will have) in the course order."""
    if slug not in PAPER_ORDER:
        raise KeyError(f"{slug!r} is not a course paper; papers: {', '.join(PAPER_ORDER)}")
    return f"{FIRST_PAPER_NUMBER + PAPER_ORDER.index(slug):02d}_{slug}"


def course_order(folder: Path | None = None):
    """One row per notebook of the course arc: number, part, notebook stem, title, paper; papers whose notebook
    is not written yet appear as planned; the closing notebook's slot comes last."""
    import pandas as pd

    folder = Path(folder) if folder is not None else settings.REPO_ROOT / "notebooks"
    present = {p.stem: p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    rows = [{"number": stem[:2], "part": "foundations", "notebook": stem, "title": notebook_title(path), "paper": "–"}
            for stem, path in present.items() if int(stem[:2]) in FOUNDATIONS]
    for slug in PAPER_ORDER:
        stem = planned_notebook(slug)
        rows.append({"number": stem[:2], "part": "papers", "notebook": stem if stem in present else "(not written yet)",
                     "title": notebook_title(present[stem]) if stem in present else PAPERS[slug], "paper": slug})
    closing = f"{FIRST_PAPER_NUMBER + len(PAPER_ORDER):02d}"
    closing_stem = next((s for s in present if s.startswith(closing)), None)
    rows.append({"number": closing, "part": "closing", "notebook": closing_stem or "(not written yet)",
                 "title": notebook_title(present[closing_stem]) if closing_stem else "closing notebook",
                 "paper": "all"})
    known = {r["notebook"] for r in rows}
    stray = sorted(set(present) - known)
    if stray:
        raise ValueError(f"notebooks outside the course arc: {stray}; number them into foundations (00-05), "
                         f"the paper order {PAPER_ORDER} or the closing slot")
    return pd.DataFrame(rows)


def current_name(stem: str) -> str:
    """An old notebook stem's current name (itself when it was never renamed)."""
    return RENAMED.get(stem, stem)
