"""Stale stored outputs: checks of the committed notebooks against the results files.

Three checks, each returning a list of :class:`Problem` (empty = fine):

* :func:`stale_stamps`: every stamp line (:mod:`serlib.report.results_view`)
  in a stored output names a results file whose current content hash and
  revisions are those stamped; otherwise the notebook shows numbers the file
  no longer holds. A listing stamp (which files match a pattern) must match
  the files there now, so a listing goes stale when a file is added.
* :func:`unchecked_results_cells`: a cell that shows results carries a stamp
  and the ``# NBVAL_CHECK_OUTPUT`` mark (so nbval compares it exactly); a cell
  that reads a results file directly and prints something without a stamp is
  reported.
* :func:`machine_paths`: no stored output (and no Markdown cell) carries an
  absolute path of the machine that ran it, or a path of the course's private
  workspace that a student does not have.

``python -m serlib.report.stale`` runs them on the committed notebooks and
names the fix (``make notebooks-refresh``); ``tests/test_stale_outputs.py``
runs them in ``make test``.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from .results_view import LISTING_PATTERN, STAMP_PATTERN, content_hash, file_revisions, listing_stamp

CHECK_OUTPUT_MARK = "NBVAL_CHECK_OUTPUT"
CHECK_OUTPUT_TAG = "nbval-check-output"
#: Calls that read a results file directly (rather than through results_view).
DIRECT_READS = re.compile(r"\b(read_results|results_path|results_dir)\s*\(|benchmarks/results|[\"']results[/\"']")
#: Absolute paths of a machine: home, temporary and workspace folders (not URLs: those follow ':' or '/').
MACHINE_PATH = re.compile(r"(?<![\w:/.\-])(?:/(?:work|home|tmp|root|Users|private|mnt|scratch|var/folders)/"
                          r"|[A-Za-z]:\\Users\\)")
#: Folders of the course authors' workspace that are not part of the repository.
WORKSPACE_PATH = re.compile(r"(?<![\w.])(?:\.\./)?shared/(?:papers|data)\b|course workspace")
REFRESH_HINT = "re-execute it with `make notebooks-refresh` (or `serlib course --inplace --only NAME`)"


@dataclass(frozen=True)
class Problem:
    notebook: str
    cell: int
    message: str

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell}: {self.message}"


def committed_notebooks(folder: Path | None = None) -> list[Path]:
    """The course notebooks and their solution notebooks."""
    folder = Path(folder) if folder is not None else settings.REPO_ROOT / "notebooks"
    return sorted(folder.glob("[0-9][0-9]_*.ipynb")) + sorted((folder / "solutions").glob("*.ipynb"))


def _cells(notebook: Path) -> list[dict]:
    return json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def output_text(cell: dict) -> str:
    """All text a code cell's stored outputs show (streams, text MIME types, errors); images are skipped."""
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append(_text(output["text"]))
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/") or mime in ("application/json",):
                parts.append(_text(value) if not isinstance(value, dict) else json.dumps(value))
        if output.get("output_type") == "error":
            parts += [output.get("evalue", ""), *output.get("traceback", [])]
    return "\n".join(parts)


def is_output_checked(cell: dict) -> bool:
    source = _text(cell.get("source", ""))
    return CHECK_OUTPUT_MARK in source or CHECK_OUTPUT_TAG in cell.get("metadata", {}).get("tags", [])


def _name(notebook: Path, root: Path) -> str:
    try:
        return Path(notebook).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(notebook).name


def stale_stamps(notebook: Path, root: Path | None = None) -> list[Problem]:
    """Stamps whose results file is gone, or whose hash or revisions differ from the file's now."""
    root = Path(root) if root is not None else settings.REPO_ROOT
    name, problems = _name(notebook, root), []
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] != "code":
            continue
        for found in STAMP_PATTERN.finditer(output_text(cell)):
            path = root / found["path"]
            if not path.exists():
                problems.append(Problem(name, index, f"shows {found['path']}, which no longer exists; "
                                                     f"{REFRESH_HINT}"))
                continue
            now_sha, now_rev = content_hash(path), file_revisions(path)
            if now_sha != found["sha"] or now_rev != found["revision"]:
                problems.append(Problem(
                    name, index, f"stale output: it shows {found['path']} at revision {found['revision']} "
                                 f"(sha256 {found['sha']}), the file is now at revision {now_rev} "
                                 f"(sha256 {now_sha}); {REFRESH_HINT}"))
        for found in LISTING_PATTERN.finditer(output_text(cell)):
            now = listing_stamp(found["pattern"], root)
            if now != found.group(0):
                problems.append(Problem(name, index, f"stale listing: it shows `{found.group(0)}`, the files are now "
                                                     f"`{now}` (a results file was added or removed); {REFRESH_HINT}"))
    return problems


def unchecked_results_cells(notebook: Path, root: Path | None = None) -> list[Problem]:
    """Cells showing results without a stamp, or with a stamp but without the nbval check mark."""
    root = Path(root) if root is not None else settings.REPO_ROOT
    name, problems = _name(notebook, root), []
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] != "code":
            continue
        text = output_text(cell)
        stamped = bool(STAMP_PATTERN.search(text) or LISTING_PATTERN.search(text))
        if stamped and not is_output_checked(cell):
            problems.append(Problem(name, index, f"shows results but nbval does not compare its output: add "
                                                 f"`# {CHECK_OUTPUT_MARK}` as its first line"))
        if not stamped and text.strip() and DIRECT_READS.search(_text(cell["source"])):
            problems.append(Problem(name, index, "reads a results file and shows output without a stamp: show it "
                                                 "with serlib.report.results_view.show (or print stamp(path))"))
    return problems


def machine_paths(notebook: Path, root: Path | None = None) -> list[Problem]:
    """Absolute machine paths in stored outputs, and private-workspace paths in outputs or Markdown."""
    root = Path(root) if root is not None else settings.REPO_ROOT
    name, problems = _name(notebook, root), []
    repo = str(settings.REPO_ROOT.resolve())
    for index, cell in enumerate(_cells(notebook)):
        text = output_text(cell) if cell["cell_type"] == "code" else _text(cell["source"])
        hits = [m.group(0) for m in MACHINE_PATH.finditer(text)]
        if repo in text:
            hits.append(repo)
        hits += [m.group(0) for m in WORKSPACE_PATH.finditer(text)]
        if hits:
            where = "stored output" if cell["cell_type"] == "code" else "Markdown"
            problems.append(Problem(name, index, f"{where} names machine or workspace paths {sorted(set(hits))}; "
                                                 f"print paths relative to the repository"))
    return problems


def check_notebooks(notebooks=None, root: Path | None = None) -> list[Problem]:
    problems = []
    for notebook in (notebooks if notebooks is not None else committed_notebooks()):
        problems += stale_stamps(notebook, root) + unchecked_results_cells(notebook, root) + machine_paths(notebook,
                                                                                                             root)
    return problems


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    notebooks = [Path(n) for n in names] if names else None
    problems = check_notebooks(notebooks)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the stored outputs" if problems else "stored outputs are current")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
