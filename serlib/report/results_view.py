"""Showing numbers from results files in a notebook, with a stamp that names their source.

Every notebook cell that shows a number read from ``results/`` (or from
``benchmarks/results/``) goes through :func:`show` (or prints :func:`stamp`
itself). Besides the table, it prints one *stamp line* per source file::

    source: results/course/leakage.csv (revision 651a02f, c20b35d; sha256 0123456789ab)

naming the file relative to the repository (never a machine path), the git
revisions its rows record, and a content hash of the file. The stored outputs
of the committed notebooks therefore say which version of each results file
they show; :mod:`serlib.report.stale` (and ``tests/test_stale_outputs.py``)
compares every stored stamp with the current file and fails when a results
file changed after the notebook was executed: ``make notebooks-refresh`` then
regenerates the outputs. The cells that show results are also marked
``# NBVAL_CHECK_OUTPUT``, so nbval re-runs them and compares table and stamp
exactly (the sanitize file only masks machine paths, timings and addresses).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import settings
from ..results import read_results, results_path

#: The stamp line, as printed and as parsed back from stored outputs.
STAMP_PATTERN = re.compile(r"source: (?P<path>[^\s()]+) \(revision (?P<revision>[^;()]+); "
                           r"sha256 (?P<sha>[0-9a-f]{12})\)")
#: The stamp of a listing (which results files exist), for cells that list them.
LISTING_PATTERN = re.compile(r"listing: (?P<pattern>[^\s()]+) \((?P<count>\d+) files; sha256 (?P<sha>[0-9a-f]{12})\)")
HASH_CHARS = 12
NO_REVISION = "none recorded"
SOURCE_ATTR = "results_sources"


def relative_path(path, root: Path | None = None) -> str:
    """``path`` relative to the repository root (or ``root``), in POSIX form.

    A file under ``$SERLIB_RESULTS`` outside the repository is named
    ``results/<...>``, as it would be inside it; anything else raises, because a
    stored output must never carry a path of the machine that ran it.
    """
    path = Path(path).resolve()
    root = Path(root).resolve() if root is not None else settings.REPO_ROOT
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return "results/" + path.relative_to(settings.results_dir().resolve()).as_posix()
    except ValueError:
        raise ValueError(f"{path} is neither inside the repository ({root}) nor the results folder; "
                         f"a stamp names files relative to the repository") from None


def content_hash(path) -> str:
    """The first :data:`HASH_CHARS` hex digits of the file's SHA-256."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_CHARS]


def file_revisions(path) -> str:
    """The git revisions a results file records: its ``revision`` column (CSV) or key (JSON), sorted."""
    path = Path(path)
    if path.suffix == ".csv":
        from ..results import is_results_table

        if is_results_table(path):
            values = read_results(path)["revision"].astype(str)
        else:  # a side file (claims, skipped tables) has no revision column: its hash still stamps it
            import pandas as pd

            frame = pd.read_csv(path, keep_default_na=False)
            values = frame["revision"].astype(str) if "revision" in frame.columns else ["n/a"]
    elif path.suffix == ".json":
        data = json.loads(path.read_text())
        found = data.get("revision", data.get("git_revision")) if isinstance(data, dict) else None
        values = [] if found is None else [str(found)]
    else:
        raise ValueError(f"{path}: a results file is a .csv or .json, not {path.suffix!r}")
    revisions = sorted({v for v in values if v})
    return ", ".join(revisions) if revisions else NO_REVISION


def stamp(path, root: Path | None = None) -> str:
    """The stamp line of one results file (see the module docstring)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such results file to stamp")
    return f"source: {relative_path(path, root)} (revision {file_revisions(path)}; sha256 {content_hash(path)})"


def listing(pattern: str = "results/*/*.csv", root: Path | None = None) -> list[Path]:
    """The results tables matching ``pattern`` (relative to the repository), sorted.

    Claim audits and budget lists (:data:`serlib.results.SIDE_FILES`) are not results tables and are left out.
    """
    from ..results import is_results_table

    root = Path(root) if root is not None else settings.REPO_ROOT
    return sorted(p for p in root.glob(pattern) if is_results_table(p))


def listing_stamp(pattern: str = "results/*/*.csv", root: Path | None = None) -> str:
    """A stamp of WHICH files match ``pattern``: their count and a hash of their relative names, so that a
    stored listing goes stale when a results file is added or removed (each file's content has its own stamp)."""
    root = Path(root) if root is not None else settings.REPO_ROOT
    names = [p.relative_to(root).as_posix() for p in listing(pattern, root)]
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:HASH_CHARS]
    return f"listing: {pattern} ({len(names)} files; sha256 {digest})"


def parse_stamps(text: str) -> list[dict]:
    """Every stamp in ``text`` as ``{"path", "revision", "sha"}``."""
    return [match.groupdict() for match in STAMP_PATTERN.finditer(text)]


def _resolve(source, table: str | None = None, mode: str = "full") -> Path:
    if table is not None:
        return results_path(str(source), table, mode)
    path = Path(source)
    if not path.is_absolute() and not path.exists():
        path = settings.REPO_ROOT / path
    return path


def load(source, table: str | None = None, mode: str = "full"):
    """Read a results table (``load("course", "leakage")`` or a path) and remember where it came from.

    The source is kept in ``frame.attrs``, which pandas carries through
    filtering, so :func:`show` can stamp a filtered view of it.
    """
    path = _resolve(source, table, mode)
    frame = read_results(path)
    frame.attrs[SOURCE_ATTR] = [str(path)]
    return frame


def sources_of(frame) -> list[str]:
    return list(getattr(frame, "attrs", {}).get(SOURCE_ATTR, []))


def format_rows(frame, columns=None, metrics=None):
    """A results frame as a display table: accuracy-type metrics in %, ours as mean ± std."""
    import pandas as pd

    from .tables import _fmt

    if metrics is not None:
        frame = frame[frame["metric"].isin(list(metrics))]
    columns = list(columns or ["row", "metric", "paper_value", "ours", "n", "corpus", "protocol"])
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        if column == "ours":
            out[column] = [_fmt(r["ours"], r["metric"], r.get("ours_std")) for _, r in frame.iterrows()]
        elif column == "paper_value":
            out["paper"] = [_fmt(r["paper_value"], r["metric"]) for _, r in frame.iterrows()]
        else:
            out[column] = frame[column].astype(str).to_numpy() if column in frame else "–"
    return out.reset_index(drop=True)


def show(data, table: str | None = None, *, columns=None, metrics=None, where=None, title: str | None = None,
         sources=None, pivot: bool = False, width: int = 200) -> None:
    """Print a table of results and the stamp line of every file it came from.

    Args:
        data: a path, ``"paper"`` with ``table``, a frame from :func:`load`, or
            any DataFrame together with ``sources`` (the files it was computed from).
        columns, metrics: the columns shown and the metrics kept (results frames only).
        where: a callable ``frame -> boolean mask`` selecting rows (e.g. one corpus).
        pivot: show :func:`serlib.report.tables.paper_vs_ours` (one row per table row,
            corpus and protocol; paper and ours side by side) instead of one row per metric.
    """
    import pandas as pd

    from .tables import paper_vs_ours

    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = load(data, table)
    paths = [str(s) for s in (sources if sources is not None else sources_of(frame))]
    if not paths:
        raise ValueError("show() needs the results file(s) the table came from: pass a path, a frame from "
                         "serlib.report.results_view.load, or sources=[...]")
    if where is not None:
        frame = frame[where(frame)]
    if "metric" in frame.columns and "ours" in frame.columns:
        view = paper_vs_ours(frame, metrics) if pivot else format_rows(frame, columns, metrics)
    else:
        view = frame if columns is None else frame[list(columns)]
    if title:
        print(title)
    if len(view):
        with pd.option_context("display.width", width, "display.max_columns", None, "display.max_colwidth", 60):
            print(view.to_string(index=False))
    else:
        print("(no rows)")
    for path in dict.fromkeys(paths):
        print(stamp(path))
