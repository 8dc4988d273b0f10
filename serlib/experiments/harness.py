"""``serlib reproduce PAPER [TABLE ...]``: the one-command reproduction harness.

Each paper module ``serlib.experiments.<slug>`` exposes

* ``TABLES``: a dict of :class:`TableSpec`, one per reproduced table or figure, and
* ``UNAVAILABLE``: ``{element: reason}`` for every table or figure of the paper
  that is not reproduced (a corpus that cannot be obtained, a diagram with no
  numbers, a literature table), so that nothing is skipped silently
  (:data:`serlib.experiments.inventory.PAPER_ELEMENTS` lists what each paper contains;
  a test checks the two together).

The harness first collects the :class:`~serlib.experiments.common.RunSpec` of
every requested table (``TableSpec.specs``) and runs all their (seed, fold)
jobs as ONE batch through the executor (in-process, a process pool with
``--jobs N``, or Ray), so independent runs of all tables share the machine;
identical runs shared by several tables train once. Finished jobs are kept in a
job store: ``--resume`` continues an interrupted reproduction from them. Then
each table builds its rows from those outcomes and the harness writes
``results/<slug>/<table>.csv`` (with provenance), the paper-versus-ours
Markdown next to it, the figures under ``figures/<slug>/`` and
``results/<slug>/provenance.json`` (wall times, samples/s, machine, GPU use).

``--budget-min M`` orders the tables by priority, estimates each from measured
throughput (:mod:`serlib.experiments.budget`), runs what fits and writes what it
skipped (``results/<slug>/skipped.csv``).

A table whose results already exist for the same configuration hash AND code
revision is skipped unless ``--force``. Quick mode writes to ``build/quick/``,
so CI and course runs never touch the committed full-mode results.
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
from ..results import ResultsError, git_revision, incomplete_runs, now, read_results, results_path, write_results
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
    outcomes: dict = field(default_factory=dict)  # RunSpec.config_hash() -> RunOutcome (prefetched by the harness)
    run_options: dict = field(default_factory=dict)  # executor options for specs run on demand
    corpora: tuple = ()  # restrict the paper's profile to these corpora (empty: all of them)
    protocols: tuple = ()  # restrict to these protocol kinds, "paper" and/or "course" (empty: both)

    def figure_path(self, name: str) -> Path:
        path = self.figures_root / self.paper / f"{name}{'' if self.mode == 'full' else '.quick'}.png"
        settings.check_output(path, self.mode)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def outcome(self, spec):
        """The outcome of ``spec``: prefetched by the harness, else run now (and remembered)."""
        from .common import run_specs

        key = spec.config_hash()
        if key not in self.outcomes:
            self.outcomes[key] = run_specs([spec], **self.run_options)[0]
        return self.outcomes[key]


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
    specs: Callable[[TableContext], list] | None = None  # the RunSpecs the table trains (prefetched as one batch)
    priority: int = 50  # lower runs first under a budget
    element: str = ""  # the paper's table/figure it reproduces ("table5" for "table5_snr"); default: the table id

    @property
    def paper_element(self) -> str:
        return self.element or self.table.split("_")[0]


def table_config_hash(spec: TableSpec, mode: str, roots: dict, device: str, corpora=(), protocols=()) -> str:
    payload = json.dumps({"paper": spec.paper, "table": spec.table, "mode": mode, "config": spec.config(mode),
                          "corpora": sorted(corpora), "protocols": sorted(protocols),
                          "roots": {k: str(v) for k, v in sorted(roots.items()) if k in spec.corpora},
                          "device": device}, sort_keys=True, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def load_paper(paper: str):
    try:
        return importlib.import_module(f"serlib.experiments.{paper}")
    except ModuleNotFoundError as exc:
        from .. import PAPERS

        if exc.name != f"serlib.experiments.{paper}":
            raise
        raise KeyError(f"no reproduction module for paper {paper!r}; papers: {', '.join(PAPERS)}") from None


def load_tables(paper: str) -> dict[str, TableSpec]:
    return load_paper(paper).TABLES


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


def job_store_root(paper: str, mode: str) -> Path:
    return settings.cache_dir() / "jobs" / paper / mode


def _open_store(paper: str, mode: str, resume: bool):
    """A fresh store per invocation; ``resume`` reopens the latest one of this paper and mode."""
    from .executor import JobStore

    base = job_store_root(paper, mode)
    latest = base / "latest.txt"
    if resume and latest.exists():
        folder = base / latest.read_text().strip()
        if folder.is_dir():
            print(f"resuming from the finished jobs in {folder}", flush=True)
            return JobStore(folder), folder
    import os
    import uuid

    # unique per invocation (two runs in the same second must not share a store)
    folder_name = (time.strftime("%Y%m%dT%H%M%S") + f"-{git_revision().replace('+', '_')}-{os.getpid()}-"
                   + uuid.uuid4().hex[:6])
    folder = base / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    latest.write_text(folder_name)
    return JobStore(folder), folder


def reproduce(paper: str, tables=None, *, roots: dict | None = None, mode: str = "quick", device: str = "auto",
              force: bool = False, results_root=None, figures_root=None, progress: bool = True,
              executor: str = "inprocess", n_jobs: int = 1, ray_address: str | None = None,
              threads_per_job: int | None = None, budget_min: float | None = None, resume: bool = False,
              corpora: tuple = (), protocols: tuple = (), reuse_from: tuple = ()) -> int:
    from ..provenance import machine_provenance
    from ..report.tables import render_table_markdown
    from .budget import plan_within_budget, write_skipped
    from .common import run_specs

    mode = settings.mode(mode)
    specs = load_tables(paper)
    wanted = list(tables) if tables else sorted(specs, key=lambda t: (specs[t].priority, list(specs).index(t)))
    unknown = [t for t in wanted if t not in specs]
    if unknown:
        raise KeyError(f"{paper} has no table(s) {unknown}; available: {', '.join(specs)}")
    results_root = Path(results_root) if results_root else settings.output_dir("results", mode)
    figures_root = Path(figures_root) if figures_root else settings.output_dir("figures", mode)
    settings.check_output(results_root, mode)
    settings.check_output(figures_root, mode)
    roots = roots or {}
    revision = git_revision()
    # checked before anything runs: a revision without a store is a bad option, not a silent no-op
    reuse = None
    if reuse_from:
        from .reuse import JobReuse

        reuse = JobReuse(job_store_root(paper, mode), tuple(reuse_from))
    run_options = {"executor": executor, "n_jobs": n_jobs, "ray_address": ray_address,
                   "threads_per_job": threads_per_job, "progress": progress}

    # 1. which tables need running
    contexts, todo = {}, []
    for name in wanted:
        spec = specs[name]
        config_hash = table_config_hash(spec, mode, roots, device, corpora, protocols)
        path = results_path(paper, name, mode, results_root)
        if not force and already_done(path, config_hash, revision):
            print(f"{name}: skipped, results exist for config {config_hash} at {revision} (use --force to re-run)",
                  flush=True)
            continue
        contexts[name] = TableContext(paper, name, mode, device, roots, results_root, figures_root, progress,
                                      run_options=run_options, corpora=tuple(corpora), protocols=tuple(protocols))
        todo.append(name)

    # 2. the runs every table needs, estimated; a budget keeps what fits in priority order
    table_specs = {name: (specs[name].specs(contexts[name]) if specs[name].specs else []) for name in todo}
    plan = plan_within_budget(paper, mode, device, [(name, specs[name], table_specs[name]) for name in todo],
                              budget_s=None if budget_min is None else 60.0 * budget_min)
    print(f"reproduce {paper}: {len(plan.selected)} table(s) {plan.selected}, mode {mode}, device {device}, "
          f"executor {executor} x{n_jobs}, revision {revision}; estimated {plan.selected_s / 60:.1f} min", flush=True)
    if plan.skipped:
        write_skipped(paper, mode, results_root, plan)
        print(f"  over the budget, not run (written to skipped.csv): {[s['table'] for s in plan.skipped]}")

    # 3. every run of the selected tables as one batch of independent jobs
    started_all = time.perf_counter()
    store, store_folder = _open_store(paper, mode, resume)
    batch = {s.config_hash(): s for name in plan.selected for s in table_specs[name]}
    outcomes = {}
    monitor_stats = {}
    if batch:
        from ..provenance import GpuMonitor

        print(f"  {len(batch)} distinct run configuration(s); job store {store_folder}", flush=True)
        with GpuMonitor() as monitor:
            results = run_specs(list(batch.values()), store=store, reuse=reuse, **run_options)
        monitor_stats = dict(monitor.summary, source=monitor.source)
        outcomes = dict(zip(batch, results))
    batch_seconds = time.perf_counter() - started_all

    # 4. rows, files and figures per table
    table_times = {}
    for i, name in enumerate(plan.selected, 1):
        spec, ctx = specs[name], contexts[name]
        ctx.outcomes.update(outcomes)
        print(f"[{i}/{len(plan.selected)}] {name}: {spec.title}", flush=True)
        started = time.perf_counter()
        rows = spec.run(ctx)
        if not rows:
            print(f"    {name}: no rows under --corpora {list(corpora) or 'all'} / --protocols "
                  f"{list(protocols) or 'all'}; nothing written", flush=True)
            continue
        config_hash = table_config_hash(spec, mode, roots, device, corpora, protocols)
        for row in rows:
            row["config_hash"] = config_hash
            row.setdefault("mode", mode)
        # cells of other corpora/protocols (an earlier --corpora run) stay; the cells written here are replaced
        path = write_results(rows, paper, name, mode=mode, root=results_root, replace_rows=True)
        frame = read_results(path)
        markdown = render_table_markdown(frame, f"{paper} {name}: {spec.title}", spec.notes)
        atomic_write_text(settings.check_output(path.with_suffix(".md"), mode), markdown)
        figures = spec.figure(frame, ctx) if spec.figure else []
        table_times[name] = time.perf_counter() - started
        print(f"    done in {table_times[name]:.0f} s -> {path}" + "".join(f"\n    figure {f}" for f in figures or []))
        print(markdown, flush=True)

    total = time.perf_counter() - started_all
    if plan.selected:
        _write_provenance(paper, mode, results_root, plan, outcomes, batch_seconds, table_times, total,
                          {**run_options, "corpora": list(corpora), "protocols": list(protocols), "resume": resume,
                           "job_reuse": reuse.summary() if reuse else None},
                          device, monitor_stats, machine_provenance(device if device != "auto" else None))
    print(f"reproduce {paper}: finished in {total / 60:.1f} min")
    return 0


def _write_provenance(paper, mode, results_root, plan, outcomes, batch_seconds, table_times, total, run_options,
                      device, monitor_stats, machine) -> None:
    """``results/<paper>/provenance[.quick].json``: what ran where, how long, how fast.

    The top-level keys describe the latest invocation; ``invocations`` keeps every invocation's record (the
    latest last, at most :data:`MAX_INVOCATIONS`), because a full reproduction is often run block by block
    (``--corpora`` / ``--protocols`` / ``--resume``) and each block's wall time and machine belong to the record.
    """
    import numpy as np

    from .budget import record_throughput

    runs = [r for o in outcomes.values() for r in o.runs]
    record_throughput(paper, mode, device, outcomes)
    info = {"paper": paper, "mode": mode, "revision": git_revision(), "device": device,
            "executor": run_options["executor"], "n_jobs": run_options["n_jobs"],
            "tables": plan.selected, "skipped": [s["table"] for s in plan.skipped],
            "jobs_from_store": int(sum(o.jobs_from_store for o in outcomes.values())),
            "estimated_s": plan.selected_s, "wall_s": total, "training_batch_wall_s": batch_seconds,
            "table_wall_s": table_times, "jobs": len(runs),
            "job_seconds_sum": float(sum(r.get("seconds", 0.0) for r in runs)),
            "samples_per_second_mean": float(np.mean([r["samples_per_second"] for r in runs])) if runs else None,
            "gpu": monitor_stats, "machine": machine}
    info.update({"corpora": run_options.get("corpora", []), "protocols": run_options.get("protocols", []),
                 "resume": bool(run_options.get("resume", False)), "date": now()})
    if run_options.get("job_reuse"):
        info["job_reuse"] = run_options["job_reuse"]
    suffix = "" if mode == "full" else f".{mode}"
    path = Path(results_root) / paper / f"provenance{suffix}.json"
    info["invocations"] = (_previous_invocations(path, paper) + [{k: v for k, v in info.items()}])[-MAX_INVOCATIONS:]
    atomic_write_text(path, json.dumps(info, indent=1, default=str))


#: How many invocation records ``provenance.json`` keeps.
MAX_INVOCATIONS = 100


def _previous_invocations(path: Path, paper: str) -> list[dict]:
    """The invocation records of an existing ``provenance.json`` of ``paper`` (a file written before records were
    kept counts as one record); an unreadable or foreign file is reported and replaced, never merged."""
    if not path.exists():
        return []
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        print(f"warning: {path}: unreadable ({error}); starting a new invocation record")
        return []
    if not isinstance(old, dict) or old.get("paper") != paper:
        print(f"warning: {path}: not a provenance record of {paper}; starting a new invocation record")
        return []
    if isinstance(old.get("invocations"), list):
        return [r for r in old["invocations"] if isinstance(r, dict)]
    return [{k: v for k, v in old.items() if k != "invocations"}]


def coverage(paper: str) -> dict:
    """Every table and figure of ``paper``: ``{element: ("reproduced", [tables]) | ("unavailable", reason)}``.

    Raises ``ValueError`` naming the elements that have neither a spec nor an unavailable reason.
    """
    from .inventory import PAPER_ELEMENTS

    module = load_paper(paper)
    reproduced: dict[str, list[str]] = {}
    for name, spec in module.TABLES.items():
        reproduced.setdefault(spec.paper_element, []).append(name)
    unavailable = getattr(module, "UNAVAILABLE", {})
    out, missing = {}, []
    for element in PAPER_ELEMENTS[paper]:
        if element in reproduced and unavailable.get(element, "").strip():
            out[element] = ("stand-in", reproduced[element], unavailable[element])
        elif element in reproduced:
            out[element] = ("reproduced", reproduced[element])
        elif unavailable.get(element, "").strip():
            out[element] = ("unavailable", unavailable[element])
        else:
            missing.append(element)
    stray = sorted((set(reproduced) | set(unavailable)) - set(PAPER_ELEMENTS[paper]))
    if missing or stray:
        raise ValueError(f"{paper}: elements with neither a spec nor an unavailable reason: {missing}; "
                         f"declared elements the paper does not have: {stray}")
    return out
