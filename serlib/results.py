"""Results files: one CSV per paper table, one row per (table row, metric), with provenance.

Every number the course shows (notebooks, README, reports) is read from one of
these files, written by the code that measured it. Schema (:data:`COLUMNS`):

=============  ==================================================================
paper          paper slug (``fla_ser``...) or ``course`` for the course's own tables
table          table or figure id (``table3``, ``fig9``, ``leakage``...)
row            the row of that table (a model, an ablation step, an SNR...)
metric         ``WA``, ``UA``, ``macro_F1``, ``ms_per_sample``, ``params_M``...
paper_value    the paper's own number for this cell (empty when it has none)
ours           our number (mean over folds and seeds)
ours_std       spread (standard deviation over folds x seeds)
ci_low/high    95 % confidence interval of the mean
n              number of values aggregated (folds x seeds)
corpus         corpus and what was used (``emodb-standin (first 2 s)``, ``synthetic``)
protocol       evaluation protocol name; speaker_independent says which kind it is
speaker_independent  True/False
folds, seeds   how many folds and which seeds
mode           ``quick`` or ``full`` (quick results never overwrite full ones)
device         where it ran (``cpu``, ``cuda:NVIDIA H100``...)
epoch_policy   ``best_on_validation`` or ``last``
revision       git revision of the code (``+dirty`` when uncommitted changes existed)
date           ISO date and time of the run
config_hash    hash of the full run configuration (used to skip finished runs)
notes          free text: reduced runs, stand-in caveats, unavailable corpora
cpu            CPU model the numbers were computed on (serlib.provenance)
threads        torch threads per run (a pool worker's own count, when the row sets it)
torch          torch version
blas           torch's and numpy's BLAS libraries
expected_rows  how many rows the run that wrote this row produced for its config_hash:
               fewer rows with that config_hash and revision means the file was cut
               short (:func:`incomplete_runs`), and ``reproduce`` runs the table again
=============  ==================================================================

cpu, threads, torch and blas are filled by :func:`write_results` from
:func:`serlib.provenance.machine_provenance` of the writing process when a row
does not set them; rows computed elsewhere (pool or Ray workers) should set them
from the worker's own provenance.

Files are written through :func:`serlib.safeio.atomic_write`: a reader sees the
old file or the complete new one, never a half-written one. Quick-mode files go
where :func:`serlib.settings.output_dir` says, never into the committed ``results/``.
"""
from __future__ import annotations

import datetime as _dt
import functools
import math
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import settings
from .safeio import atomic_to_csv

COLUMNS = [
    "paper", "table", "row", "metric", "paper_value", "ours", "ours_std", "ci_low", "ci_high", "n",
    "corpus", "protocol", "speaker_independent", "folds", "seeds", "mode", "device", "epoch_policy",
    "revision", "date", "config_hash", "notes",
    # New columns go at the end, so older files (which lack them) still read.
    "cpu", "threads", "torch", "blas", "expected_rows",
]
REQUIRED = ["paper", "table", "row", "metric", "corpus", "protocol", "mode", "device", "revision", "date"]


#: What the ``+dirty`` mark of a revision looks at.
CODE_PATHS = ("serlib", "benchmarks", ":(exclude)benchmarks/results", "data", "pyproject.toml", "requirements")


#: CSV files under results/ that are not results tables: claim audits and the tables a budget skipped.
SIDE_FILES = ("claims.csv", "skipped.csv", "skipped.quick.csv")


def is_results_table(path) -> bool:
    """True for a results table (``results/<paper>/<table>.csv``), False for the side files of :data:`SIDE_FILES`."""
    return Path(path).suffix == ".csv" and Path(path).name not in SIDE_FILES


class ResultsError(ValueError):
    pass


@functools.lru_cache(maxsize=None)
def git_revision(short: bool = True) -> str:
    """The checkout's revision, ``+dirty`` when it has uncommitted changes; ``unknown`` outside git.

    Read once per process: a long run records the revision of the code it started
    with, even if commits land while it runs.
    """
    try:
        args = ["git", "rev-parse", "--short", "HEAD"] if short else ["git", "rev-parse", "HEAD"]
        rev = subprocess.run(args, cwd=settings.REPO_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    value = rev.stdout.strip()
    try:
        # Only changes to code and inputs make a number irreproducible from the revision;
        # edited results, notebooks or figures do not.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS],
                               cwd=settings.REPO_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        dirty = ""
    return value + ("+dirty" if dirty else "")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def results_path(paper: str, table: str, mode: str = "full", root: Path | None = None) -> Path:
    """``results/<paper>/<table>.csv`` for full mode; quick mode writes ``<table>.quick.csv``
    under :func:`serlib.settings.output_dir` (``build/quick/results``), so that quick runs
    never overwrite full-mode numbers."""
    base = Path(root) if root is not None else settings.output_dir("results", mode)
    suffix = ".csv" if mode == "full" else f".{mode}.csv"
    return base / paper / f"{table}{suffix}"


@dataclass
class Provenance:
    corpus: str
    protocol: str
    speaker_independent: bool
    mode: str
    device: str
    folds: int | str = ""
    seeds: str = ""
    epoch_policy: str = ""
    config_hash: str = ""
    notes: str = ""
    revision: str = ""
    date: str = ""
    threads: int | str = ""  # torch threads of the runs (a pool worker's own count); empty: the writer's

    def filled(self) -> dict:
        out = dict(self.__dict__)
        out["revision"] = out["revision"] or git_revision()
        out["date"] = out["date"] or now()
        return out


def _clean(value):
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def _with_machine_provenance(rows: list[dict]) -> list[dict]:
    """Rows with the :data:`~serlib.provenance.PROVENANCE_COLUMNS` this process fills where a row leaves them empty."""
    from .provenance import PROVENANCE_COLUMNS, provenance_columns

    if all(row.get(c) not in (None, "") for row in rows for c in PROVENANCE_COLUMNS):
        return rows
    here = provenance_columns()
    return [{**row, **{c: here[c] for c in PROVENANCE_COLUMNS if row.get(c) in (None, "")}} for row in rows]


def write_results(rows: list[dict], paper: str, table: str, mode: str = "full", root: Path | None = None,
                  replace_rows: bool = True) -> Path:
    """Write (or update) a results table.

    Each row must hold the :data:`REQUIRED` columns. With ``replace_rows`` the
    file keeps rows of other (row, metric, corpus, protocol) cells and replaces
    only the cells being written, so a table can be filled run by run.
    """
    import pandas as pd

    for i, row in enumerate(rows):
        missing = [c for c in REQUIRED if row.get(c) in (None, "")]
        if missing:
            raise ResultsError(f"results row {i} for {paper}/{table} lacks {missing}: {row}")
        if row.get("ours") in (None, "") and not row.get("notes"):
            raise ResultsError(f"results row {i} for {paper}/{table} has no value and no note saying why: {row}")
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise ResultsError(f"results row {i} for {paper}/{table} has unknown columns {sorted(unknown)}")
    rows = _with_machine_provenance(rows)
    path = settings.check_output(results_path(paper, table, mode, root), mode)
    # Rows written together for one configuration are one run: each records the run's size.
    per_config = Counter(str(_clean(row.get("config_hash"))) for row in rows)
    new = pd.DataFrame([{**{c: _clean(r.get(c)) for c in COLUMNS},
                         "expected_rows": r.get("expected_rows") or per_config[str(_clean(r.get("config_hash")))]}
                        for r in rows], columns=COLUMNS)
    if replace_rows and path.exists():
        old = read_results(path)
        key = ["row", "metric", "corpus", "protocol"]
        merged = old.merge(new[key].drop_duplicates(), on=key, how="left", indicator=True)
        old = old[(merged["_merge"] == "left_only").to_numpy()]
        new = pd.concat([old, new], ignore_index=True)
    atomic_to_csv(new, path, index=False)
    return path


def incomplete_runs(frame) -> dict:
    """``{(config_hash, revision): (rows found, rows expected)}`` for every run of a results
    frame with fewer rows than its ``expected_rows`` says: the file was cut short.

    Files written before the column existed have no ``expected_rows`` and cannot be
    checked this way (they are reported complete)."""
    if "expected_rows" not in frame.columns or frame.empty:
        return {}
    short = {}
    for key, group in frame.groupby([frame["config_hash"].astype(str), frame["revision"].astype(str)]):
        expected = group["expected_rows"].dropna()
        if expected.empty:
            continue
        wanted = int(float(expected.max()))
        if len(group) < wanted:
            short[key] = (len(group), wanted)
    return short


def read_results(path_or_paper, table: str | None = None, mode: str = "full", root: Path | None = None):
    """Read a results table as a DataFrame; ``read_results("fla_ser", "table3")`` or a path."""
    import pandas as pd

    path = Path(path_or_paper) if table is None else results_path(path_or_paper, table, mode, root)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no results file; run the reproduction that writes it "
                                f"(see `serlib reproduce --help`)")
    import pandas.errors

    try:
        return _read_results_frame(pd, path)
    except (pandas.errors.ParserError, pandas.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, ResultsError):
            raise
        raise ResultsError(f"{path}: unreadable results file ({type(exc).__name__}: "
                           f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'empty'}); "
                           f"re-run the table that writes it") from None


def _read_results_frame(pd, path: Path):
    text_columns = ["paper", "table", "row", "metric", "corpus", "protocol", "seeds", "folds", "mode", "device",
                    "epoch_policy", "revision", "date", "config_hash", "notes", "cpu", "torch", "blas"]
    # keep_default_na=False: a protocol of "n/a" is text, not a missing value; only empty cells are NaN.
    frame = pd.read_csv(path, dtype={c: str for c in text_columns}, keep_default_na=False, na_values=[""])
    for column in text_columns:
        if column in frame.columns:
            frame[column] = frame[column].fillna("")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ResultsError(f"{path}: not a serlib results file, columns {missing} missing")
    return frame


def rows_from_summary(summary: dict, *, paper: str, table: str, row: str, provenance: Provenance,
                      paper_values: dict | None = None) -> list[dict]:
    """Turn ``{metric: {"mean", "std", "ci_low", "ci_high", "n"}}`` into results rows."""
    paper_values = paper_values or {}
    prov = provenance.filled()
    out = []
    for metric, stats in summary.items():
        out.append({"paper": paper, "table": table, "row": row, "metric": metric,
                    "paper_value": paper_values.get(metric), "ours": stats["mean"],
                    "ours_std": stats.get("std"), "ci_low": stats.get("ci_low"),
                    "ci_high": stats.get("ci_high"), "n": stats.get("n"), **prov})
    return out
