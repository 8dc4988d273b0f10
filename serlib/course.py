"""``make course``: execute every notebook headless in quick mode, export HTML, print a summary.

Executed notebooks go to ``<build>/notebooks``, their pages (the offline course
site of :mod:`serlib.report.site`, built from this run's outputs) to ``<build>/html``
and figures to ``<build>/figures`` (``$SERLIB_FIGURES``), so a course run never
overwrites the committed notebooks, results or figures. ``--inplace`` (``make
notebooks-refresh``) instead updates the stored outputs of the committed
notebooks, with figures going to the committed ``figures/``.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from . import settings

NOTEBOOK_DIR = settings.REPO_ROOT / "notebooks"


def notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course's notebooks in course order (their number prefix)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def notebook_title(path: Path, numbered: bool = True) -> str:
    """The first Markdown heading of a notebook (``numbered=False`` drops the ``"05 · "`` prefix)."""
    import json

    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                if not numbered:
                    number, sep, rest = title.partition(" · ")
                    title = rest if sep and number.isdigit() else title
                return title
    raise ValueError(f"{path}: no Markdown heading to take the notebook's title from")


def solution_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The executed solutions of the exercises (``notebooks/solutions/``): run and refreshed like the notebooks,
    because their stored outputs may show results too."""
    return sorted(p for p in (folder / "solutions").glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(path: Path, out_path: Path, timeout: int = 1200) -> tuple[bool, float, str]:
    """Run a notebook top to bottom (cwd = notebooks/) and save it with outputs."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    # record_timing=False: no per-cell timestamps in the stored notebook, so a refresh only changes what changed.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    error = ""
    try:
        client.execute()
        ok = True
    except CellExecutionError as exc:
        ok = False
        error = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else "cell error"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_path)
    return ok, time.perf_counter() - started, error


def run_course(build: Path, inplace: bool = False, only: list[str] | None = None) -> int:
    build = Path(build).resolve()
    os.environ["SERLIB_MODE"] = "quick"
    if not inplace:
        os.environ["SERLIB_FIGURES"] = str(build / "figures")
    else:
        # committed outputs and figures: synthetic corpus only, never stand-in audio or pictures of it
        os.environ["SERLIB_NO_STANDIN"] = "1"
        # the one quick-mode writer allowed into figures/: the notebooks' own illustrations
        os.environ[settings.REFRESH_NOTEBOOK_FIGURES] = "1"
    if only:  # an old notebook name (before the course was renumbered) still selects its notebook
        from .report.course_map import current_name

        only = [current_name(key) for key in only]
    rows = []
    total = time.perf_counter()
    for nb in notebooks() + solution_notebooks():
        if only and not any(key in nb.stem for key in only):
            continue
        print(f"running {nb.name} ...", flush=True)
        target = nb if inplace else build / nb.relative_to(NOTEBOOK_DIR.parent)
        ok, seconds, error = execute_notebook(nb, target)
        rows.append((nb.name, ok, seconds, build / "html" / f"{nb.stem}.html", error, nb))
        print(f"  {'ok ' if ok else 'FAILED'} {seconds:6.1f} s  {target}", flush=True)
    from .report.site import build_site

    # offline pages (MathJax bundled, figures as files) of this run's outputs, with the course's navigation
    build_site(build / "html", notebooks_dir=NOTEBOOK_DIR if inplace else build / "notebooks", require_executed=False)
    print(summary(rows, build, time.perf_counter() - total))
    ok = all(ok for _, ok, *_ in rows)
    if inplace:
        # the refreshed outputs must now agree with the results files (stamps) and name no machine path
        from .report.stale import check_notebooks

        problems = check_notebooks([row[-1] for row in rows])
        for problem in problems:
            print("  stored-output check:", problem)
        ok = ok and not problems
    return 0 if ok else 1


def summary(rows, build: Path, seconds: float) -> str:
    from .results import read_results, results_path

    lines = ["", "=" * 72, f"SER course, quick mode: {sum(ok for _, ok, *_ in rows)}/{len(rows)} notebooks ran "
             f"in {seconds / 60:.1f} min", "=" * 72]
    for name, ok, secs, html, error, *_ in rows:
        lines.append(f"  {'ok    ' if ok else 'FAILED'} {name:<42} {secs:6.1f} s" + (f"  <- {error}" if error else ""))
    lines += ["", f"Open the executed course:  {build / 'html'}/index.html (works offline)",
              f"or interactively:          .venv/bin/jupyter lab notebooks/",
              f"Figures of this run:       {build / 'figures'}"]
    headline = []
    for paper, table, label in (("course", "synthetic_baseline", "Synthetic corpus, simple SI classifier"),
                                ("course", "leakage", "Speaker leakage (small CNN)"),
                                ("course", "svm_baseline", "SVM baseline (107-d fusion statistics)")):
        path = results_path(paper, table, "full")
        if not path.exists():
            continue
        frame = read_results(path)
        frame = frame[frame["metric"].isin(["WA", "UA"])]
        for _, r in frame.iterrows():
            headline.append(f"  {label}: {r['row']} on {r['corpus']} [{r['protocol']}] "
                            f"{r['metric']} = {100 * float(r['ours']):.1f} %  ({r['mode']}, {r['device']}, rev {r['revision']})")
    if headline:
        lines += ["", "Committed results (read from results/):"] + headline[:12]
    return "\n".join(lines)
