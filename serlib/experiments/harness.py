"""``serlib reproduce PAPER [TABLE ...]``: the one-command reproduction harness.

Each paper module ``serlib.experiments.<slug>`` exposes ``TABLES``, a dict of
:class:`TableSpec`. The harness runs the requested tables, writes
``results/<slug>/<table>.csv`` (with provenance), renders the paper-versus-ours
Markdown next to it and the figures under ``figures/<slug>/``. A table whose
results already exist for the same configuration hash AND the same code
revision is skipped unless ``--force``.

Quick mode writes to ``build/quick/`` by default, so CI and course runs never
touch the committed full-mode results.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import settings
from ..results import ResultsError, git_revision, incomplete_runs, read_results, results_path, write_results
from ..safeio import atomic_write_text


@dataclass
class TableContext:
    paper: str
    table: str
    mode: str
    device: str
    roots: dict
    results_root: Path
    figures_root: Path
    progress: bool = True

    def figure_path(self, name: str) -> Path:
        path = self.figures_root / self.paper / f"{name}{'' if self.mode == 'full' else '.quick'}.png"
        settings.check_output(path, self.mode)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class TableSpec:
    paper: str
    table: str
    title: str
    run: Callable[[TableContext], list[dict]]
    config: Callable[[str], dict]  # mode -> the configuration that determines the results
    estimate_s: Callable[[str], float] = lambda mode: 60.0
    figure: Callable | None = None  # (frame, ctx) -> list of figure paths
    notes: str = ""
    corpora: tuple = field(default=())


def table_config_hash(spec: TableSpec, mode: str, roots: dict, device: str) -> str:
    payload = json.dumps({"paper": spec.paper, "table": spec.table, "mode": mode, "config": spec.config(mode),
                          "roots": {k: str(v) for k, v in sorted(roots.items()) if k in spec.corpora},
                          "device": device}, sort_keys=True, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def load_tables(paper: str) -> dict[str, TableSpec]:
    try:
        module = importlib.import_module(f"serlib.experiments.{paper}")
    except ModuleNotFoundError as exc:
        from .. import PAPERS

        raise KeyError(f"no reproduction module for paper {paper!r} ({exc}); papers: {', '.join(PAPERS)}") from None
    return module.TABLES


def already_done(path: Path, config_hash: str, revision: str) -> bool:
    """True when ``path`` holds the complete results of this configuration at this revision.

    A file that cannot be read, or that holds fewer rows of this run than the run
    recorded in its ``expected_rows`` column (a file cut short by a crash or a
    copy), is not done: a warning says why and the table runs again.
    """
    import warnings

    if not path.exists():
        return False
    try:
        frame = read_results(path)
    except ResultsError as exc:
        warnings.warn(f"{exc}; running the table again", stacklevel=2)
        return False
    done = frame[(frame["config_hash"].astype(str) == config_hash) & (frame["revision"].astype(str) == revision)]
    if len(done) == 0:
        return False
    short = incomplete_runs(done)
    if short:
        found, wanted = next(iter(short.values()))
        warnings.warn(f"{path}: holds {found} of the {wanted} rows of config {config_hash} at {revision} "
                      "(cut short); running the table again", stacklevel=2)
        return False
    return True


def reproduce(paper: str, tables=None, *, roots: dict | None = None, mode: str = "quick", device: str = "auto",
              force: bool = False, results_root=None, figures_root=None, progress: bool = True,
              resume: bool = False) -> int:
    """Run ``paper``'s tables. ``resume`` (``serlib reproduce --resume``) is accepted here for
    the per-job result store of the experiment engine, which continues unfinished jobs."""
    from ..report.tables import render_table_markdown

    mode = settings.mode(mode)
    specs = load_tables(paper)
    wanted = list(tables) if tables else list(specs)
    unknown = [t for t in wanted if t not in specs]
    if unknown:
        raise KeyError(f"{paper} has no table(s) {unknown}; available: {', '.join(specs)}")
    results_root = Path(results_root) if results_root else settings.output_dir("results", mode)
    figures_root = Path(figures_root) if figures_root else settings.output_dir("figures", mode)
    settings.check_output(results_root, mode)
    settings.check_output(figures_root, mode)
    roots = roots or {}
    revision = git_revision()
    total_estimate = sum(specs[t].estimate_s(mode) for t in wanted)
    print(f"reproduce {paper}: {len(wanted)} table(s) {wanted}, mode {mode}, device {device}, revision {revision}; "
          f"estimated {total_estimate / 60:.1f} min", flush=True)
    started_all = time.perf_counter()
    for i, name in enumerate(wanted, 1):
        spec = specs[name]
        config_hash = table_config_hash(spec, mode, roots, device)
        path = results_path(paper, name, mode, results_root)
        if not force and already_done(path, config_hash, revision):
            print(f"[{i}/{len(wanted)}] {name}: skipped, results exist for config {config_hash} at {revision} "
                  f"(use --force to re-run)", flush=True)
            continue
        print(f"[{i}/{len(wanted)}] {name}: {spec.title} (est. {spec.estimate_s(mode) / 60:.1f} min)", flush=True)
        ctx = TableContext(paper, name, mode, device, roots, results_root, figures_root, progress)
        started = time.perf_counter()
        rows = spec.run(ctx)
        for row in rows:
            row["config_hash"] = config_hash
            row.setdefault("mode", mode)
        write_results(rows, paper, name, mode=mode, root=results_root, replace_rows=False)
        frame = read_results(path)
        markdown = render_table_markdown(frame, f"{paper} {name}: {spec.title}", spec.notes)
        atomic_write_text(settings.check_output(path.with_suffix(".md"), mode), markdown)
        figures = spec.figure(frame, ctx) if spec.figure else []
        elapsed = time.perf_counter() - started
        print(f"    done in {elapsed / 60:.1f} min -> {path}" + "".join(f"\n    figure {f}" for f in figures or []))
        print(markdown, flush=True)
    print(f"reproduce {paper}: finished in {(time.perf_counter() - started_all) / 60:.1f} min")
    return 0
