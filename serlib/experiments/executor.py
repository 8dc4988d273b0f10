"""One executor for every table's independent runs: in-process, a local process pool, or Ray.

A table is (configuration x fold x seed) runs that share nothing but their
inputs, so each is a :class:`Job`: a stable key, a label for people, the name of
a function (``"package.module:function"``) and its JSON input. :func:`execute`
runs jobs on one of three back ends and returns one :class:`JobOutcome` per job,
in the order of the jobs:

``inprocess``  one after the other in this process (the default; CI, notebooks).
``pool``       ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start
               method (safe with torch and CUDA): ``n_jobs`` workers on CPU
               cores, or ``n_jobs`` workers sharing one GPU (each simply uses
               ``cuda``; many small runs keep the GPU busier than one).
``ray``        Ray tasks, on a local Ray started here (``ray.init(num_cpus=...)``)
               or on a running cluster (``ray_address``); an optional extra,
               ``pip install serlib[ray]``.

Same results whichever runs them: every job runs with the same number of
torch/BLAS threads (``threads_per_job``, default ``max(1, os.cpu_count() //
n_jobs)`` for every executor, the in-process one included), and a job's value
is passed through JSON in every back end, so a float or a list comes back the
same whether it was computed here, in a worker or read from the store.

Failures and resume: a job that raises becomes an outcome with ``ok=False``
and the error text; the others go on. With a :class:`JobStore`, each finished
job is saved as soon as it finishes (atomically), and a later call with the
same store runs only the jobs not in it, so an interrupted table resumes from
its finished jobs. :func:`raise_for_failures` turns failures into one
:class:`JobsFailed` error listing each failed job's label.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import re
import sys
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

EXECUTORS = ("inprocess", "pool", "ray")
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass(frozen=True)
class Job:
    key: str  # stable unique id (e.g. sha1 of the job's full configuration); the store's file name
    label: str  # human readable, e.g. "fla_ser table3 / emodb / loso / FLA-SER / fold 03 / seed 1"
    fn: str  # "package.module:function", imported in the worker and called as fn(payload) -> dict
    payload: dict  # JSON-serialisable input of fn


@dataclass
class JobOutcome:
    key: str
    label: str
    ok: bool
    value: dict | None  # fn's JSON-serialisable result when ok
    error: str | None  # "ExcType: message" + traceback text when not ok
    seconds: float
    worker: str  # "inprocess" | "pool:<pid>" | "ray:<node>"
    from_store: bool = False
    #: serlib.provenance.machine_provenance() taken inside the worker after its threads were set
    #: (cpu, threads, torch, blas...), so results rows can say where each number was computed.
    provenance: dict = field(default_factory=dict)


class JobsFailed(RuntimeError):
    """Some jobs failed; the message lists each one's label and the first line of its error."""

    def __init__(self, failures: Sequence[JobOutcome]):
        self.failures = list(failures)
        lines = [f"{len(self.failures)} job(s) failed (the others' results are kept; re-run to resume):"]
        lines += [f"  - {o.label}: {(o.error or '').splitlines()[0] if o.error else 'unknown error'}"
                  for o in self.failures]
        super().__init__("\n".join(lines))


class JobStore:
    """Finished jobs' values, one JSON file per job key under ``root``.

    Writes are atomic (a temporary file, then ``os.replace``), so an interrupted
    run never leaves a half-written entry; an entry that cannot be read or parsed
    anyway (a disk fault, a hand edit) counts as absent, with a warning, and its
    job runs again.
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY_PATTERN.match(key):
            raise ValueError(f"job key {key!r} is not a safe file name (letters, digits, '.', '_', '-'; "
                             f"at most 200 characters, not starting with '.' or '-')")
        return self.root / f"{key}.json"

    def _entry(self, key: str) -> dict | None:
        path = self.path(key)
        if not path.exists():
            return None
        try:
            entry = json.loads(path.read_text())
            if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("value"), dict):
                raise ValueError("not a job-store entry of this key")
            return entry
        except (OSError, ValueError) as error:
            warnings.warn(f"{path}: unreadable job-store entry ({type(error).__name__}: {error}); "
                          f"its job will run again", RuntimeWarning, stacklevel=3)
            return None

    def has(self, key: str) -> bool:
        return self._entry(key) is not None

    def load(self, key: str) -> dict:
        entry = self._entry(key)
        if entry is None:
            raise KeyError(f"job {key!r} is not in the store {self.root}")
        return entry["value"]

    def load_entry(self, key: str) -> dict | None:
        """The whole entry (value, label, seconds, worker, provenance), or ``None`` when absent or unreadable."""
        return self._entry(key)

    def save(self, key: str, value: dict, **meta) -> None:
        """Store ``value`` (and optional ``meta``: label, seconds, worker, provenance) for ``key``, atomically."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"key": key, "value": value, **meta}, sort_keys=True, allow_nan=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.json")) if self.root.exists() else []


def default_threads(n_jobs: int) -> int:
    """torch/BLAS threads per job when not given: the machine's logical cores shared by ``n_jobs`` jobs."""
    return max(1, (os.cpu_count() or 1) // max(1, n_jobs))


def resolve_function(name: str):
    """Import ``"package.module:function"`` and return the function (a clear error when it does not exist)."""
    if not isinstance(name, str) or name.count(":") != 1:
        raise ValueError(f"job function {name!r} must be 'package.module:function'")
    module_name, attribute = name.split(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"job function {name!r} cannot be imported: {error}") from error
    if not callable(function):
        raise ValueError(f"job function {name!r} is not callable")
    return function


def set_process_threads(threads: int) -> None:
    """Set this process' thread counts for torch, OpenMP/MKL/OpenBLAS (environment) and numpy's BLAS.

    Called once at the start of a pool or Ray worker, before any work. The
    environment variables reach libraries loaded later (and processes started
    from the worker); ``torch.set_num_interop_threads`` can be set once only,
    before any parallel work, so a refusal is ignored.
    """
    for name in _THREAD_ENV:
        os.environ[name] = str(threads)
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:  # already set, or parallel work already started in this process
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")
    except ImportError:
        pass


@contextmanager
def threads_for_this_block(threads: int):
    """The in-process equivalent of :func:`set_process_threads`, restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    try:
        if threadpool_limits is None:
            yield
        else:
            with threadpool_limits(limits=threads, user_api="blas"):
                yield
    finally:
        torch.set_num_threads(before)


def _json_roundtrip(value, fn: str) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"job function {fn} returned a {type(value).__name__}, expected a dict")
    try:
        return json.loads(json.dumps(value, allow_nan=True))
    except (TypeError, ValueError) as error:
        raise TypeError(f"job function {fn} returned a value that is not JSON-serialisable: {error}") from error


def run_job(job: Job, worker: str) -> dict:
    """Run one job here and now; never raises for the job's own errors (they become ``ok=False``)."""
    from ..provenance import machine_provenance

    started = time.perf_counter()
    try:
        function = resolve_function(job.fn)
        started = time.perf_counter()  # a job's seconds exclude importing its module (a worker's start-up cost)
        value = _json_roundtrip(function(job.payload), job.fn)
        ok, error = True, None
    except Exception as exc:  # one failing job must not stop the others; KeyboardInterrupt still does
        value, ok = None, False
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    return {"key": job.key, "label": job.label, "ok": ok, "value": value, "error": error,
            "seconds": time.perf_counter() - started, "worker": worker, "provenance": machine_provenance()}


def _pool_initializer(threads: int) -> None:
    set_process_threads(threads)


def _pool_run(job: Job) -> dict:
    return run_job(job, f"pool:{os.getpid()}")


def _ray_run(job: Job, threads: int) -> dict:
    import ray

    set_process_threads(threads)
    node = ray.get_runtime_context().get_node_id()[:12]
    return run_job(job, f"ray:{node}")


def _check_jobs(jobs: Sequence[Job]) -> None:
    seen = {}
    for i, job in enumerate(jobs):
        if not isinstance(job, Job):
            raise TypeError(f"job {i} is a {type(job).__name__}, expected serlib.experiments.executor.Job")
        if job.key in seen:
            raise ValueError(f"jobs {seen[job.key]} and {i} share the key {job.key!r} ({job.label!r}); "
                             f"keys must be unique")
        seen[job.key] = i
        try:
            json.dumps(job.payload)
        except (TypeError, ValueError) as error:
            raise ValueError(f"job {job.label!r}: payload is not JSON-serialisable ({error})") from error
        if not isinstance(job.fn, str) or job.fn.count(":") != 1:  # imported in the worker; only the form here
            raise ValueError(f"job {job.label!r}: fn {job.fn!r} must be 'package.module:function'")


class _Recorder:
    """Collects outcomes, saves each to the store as it finishes and prints one progress line."""

    def __init__(self, jobs, store, progress):
        self.jobs, self.store, self.progress = jobs, store, progress
        self.outcomes: dict[int, JobOutcome] = {}
        self.total = len(jobs)

    def _line(self, outcome: JobOutcome) -> None:
        if self.progress:
            state = "stored" if outcome.from_store else ("ok" if outcome.ok else "FAILED")
            first = f" — {outcome.error.splitlines()[0]}" if not outcome.ok and outcome.error else ""
            print(f"[{len(self.outcomes)}/{self.total}] {outcome.label}: {state} in {outcome.seconds:.1f} s "
                  f"({outcome.worker}){first}", file=sys.stderr, flush=True)

    def finished(self, index: int, result: dict) -> None:
        outcome = JobOutcome(**result)
        if outcome.ok and self.store is not None:
            self.store.save(outcome.key, outcome.value, label=outcome.label, seconds=outcome.seconds,
                            worker=outcome.worker, provenance=outcome.provenance)
        self.outcomes[index] = outcome
        self._line(outcome)

    def from_store(self, index: int, entry: dict) -> None:
        job = self.jobs[index]
        outcome = JobOutcome(key=job.key, label=job.label, ok=True, value=entry["value"], error=None,
                             seconds=float(entry.get("seconds", 0.0)), worker=str(entry.get("worker", "store")),
                             from_store=True, provenance=dict(entry.get("provenance") or {}))
        self.outcomes[index] = outcome
        self._line(outcome)

    def lost(self, index: int, worker: str, error: BaseException, died: bool = True) -> None:
        """A job whose result never came back: its worker died (crash, out of memory) or the transport failed."""
        job = self.jobs[index]
        what = "the worker running or holding this job died" if died else "its result could not be received"
        self.finished(index, {"key": job.key, "label": job.label, "ok": False, "value": None,
                              "error": f"{type(error).__name__}: {what} ({error}); re-run to resume\n"
                                       + "".join(traceback.format_exception(error)),
                              "seconds": 0.0, "worker": worker, "provenance": {}})


def _run_inprocess(jobs, pending, recorder, threads):
    with threads_for_this_block(threads):
        for i in pending:
            recorder.finished(i, run_job(jobs[i], "inprocess"))


def _run_pool(jobs, pending, recorder, threads, n_jobs):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(pending)), mp_context=context,
                               initializer=_pool_initializer, initargs=(threads,))
    try:
        futures = {pool.submit(_pool_run, jobs[i]): i for i in pending}
        for future in as_completed(futures):
            try:
                recorder.finished(futures[future], future.result())
            except BrokenProcessPool as error:
                recorder.lost(futures[future], "pool", error)
            except Exception as error:  # e.g. a result that cannot be unpickled: this job only
                recorder.lost(futures[future], "pool", error, died=False)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Ray's local start waits a fixed 30 s for its raylet to register; a heavily loaded machine can miss that.
RAY_START_ATTEMPTS = 3


def _start_ray(ray, address: str | None, num_cpus: int) -> None:
    """``ray.init`` on a cluster (``address``) or a local Ray of ``num_cpus`` CPUs, retried when start-up times out."""
    options = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        options["address"] = address
    else:
        options["num_cpus"] = num_cpus
    for attempt in range(1, RAY_START_ATTEMPTS + 1):
        try:
            ray.init(**options)
            return
        except Exception as error:  # Ray raises a bare Exception for this time-out
            if "timed out during startup" not in str(error) or attempt == RAY_START_ATTEMPTS:
                raise
            warnings.warn(f"Ray start-up timed out (attempt {attempt} of {RAY_START_ATTEMPTS}; the machine is "
                          f"busy); trying again", RuntimeWarning, stacklevel=2)
            ray.shutdown()


def _run_ray(jobs, pending, recorder, threads, n_jobs, ray_address):
    try:
        import ray
    except ImportError as error:
        raise ImportError("executor 'ray' needs Ray: pip install 'serlib[ray]'") from error
    started_here = not ray.is_initialized()
    if started_here:
        _start_ray(ray, ray_address, num_cpus=n_jobs * threads)
    try:
        gpus = float(ray.cluster_resources().get("GPU", 0.0))
        # Without a GPU request Ray hides every GPU from a task; with one, n_jobs tasks share each GPU.
        gpu_share = min(1.0, gpus / n_jobs) if gpus else 0
        task = ray.remote(num_cpus=threads, num_gpus=gpu_share, max_retries=0)(_ray_run)
        refs = {task.remote(jobs[i], threads): i for i in pending}
        waiting = list(refs)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                try:
                    recorder.finished(refs[ref], ray.get(ref))
                except ray.exceptions.RayError as error:
                    recorder.lost(refs[ref], "ray", error)
    finally:
        if started_here:
            ray.shutdown()


def execute(jobs: Sequence[Job], *, executor: str = "inprocess", n_jobs: int = 1, store: JobStore | None = None,
            threads_per_job: int | None = None, ray_address: str | None = None,
            progress: bool = True) -> list[JobOutcome]:
    """Run jobs; outcomes in the order of `jobs`. Jobs whose key is in `store` are not run again (resume; from_store=True).

    Each finished job is saved to the store as soon as it finishes. One failing job never stops the others.
    executor: "inprocess" | "pool" | "ray". threads_per_job: torch/BLAS threads each job runs with (default:
    max(1, os.cpu_count() // n_jobs)); the in-process executor uses the same rule so that results are identical.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, got {n_jobs!r}")
    if threads_per_job is not None and (not isinstance(threads_per_job, int) or threads_per_job < 1):
        raise ValueError(f"threads_per_job must be a positive integer, got {threads_per_job!r}")
    jobs = list(jobs)
    _check_jobs(jobs)
    threads = threads_per_job or default_threads(n_jobs)
    recorder = _Recorder(jobs, store, progress)
    pending = []
    for i, job in enumerate(jobs):
        entry = store.load_entry(job.key) if store is not None else None
        if entry is not None:
            recorder.from_store(i, entry)
        else:
            pending.append(i)
    if pending:
        if executor == "inprocess":
            _run_inprocess(jobs, pending, recorder, threads)
        elif executor == "pool":
            _run_pool(jobs, pending, recorder, threads, n_jobs)
        else:
            _run_ray(jobs, pending, recorder, threads, n_jobs, ray_address)
    return [recorder.outcomes[i] for i in range(len(jobs))]


def raise_for_failures(outcomes: Sequence[JobOutcome]) -> None:
    """Raise :class:`JobsFailed` naming every failed job; do nothing when all succeeded."""
    failures = [o for o in outcomes if not o.ok]
    if failures:
        raise JobsFailed(failures)


def job_key(config: dict) -> str:
    """A stable job key: sha1 of the configuration's canonical JSON (sorted keys)."""
    import hashlib

    return hashlib.sha1(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# A small real job, for tests, demos and the executor benchmark.

def synthetic_blobs(seed: int, n_samples: int, n_features: int, n_classes: int, separation: float = 0.5):
    """A seeded classification set: ``n_classes`` Gaussian clusters in ``n_features`` dimensions.

    Centres are drawn with spread ``separation`` around the origin and items with unit
    spread around their centre; 0.5 overlaps the classes enough that a tiny MLP stays well short
    of perfect accuracy, so equal predictions of two runs are not trivially equal.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, separation, size=(n_classes, n_features))
    y = rng.integers(0, n_classes, size=n_samples)
    x = centres[y] + rng.normal(0.0, 1.0, size=(n_samples, n_features))
    return x.astype(np.float32), y.astype(np.int64)


def train_tiny_classifier(payload: dict) -> dict:
    """Train a seeded MLP on a seeded synthetic set with :class:`serlib.train.Trainer`; return test metrics.

    ``payload``: ``seed`` (model, data and batch order), ``n_samples`` (300),
    ``n_features`` (16), ``n_classes`` (4), ``hidden`` (32), ``epochs`` (5),
    ``batch_size`` (32), ``lr`` (0.01), ``data_seed`` (the data's own seed;
    default ``seed``). 60 % train, 20 % validation, 20 % test. Returns WA, UA,
    macro-F1, the best epoch, the last training loss and the test predictions
    (so that "identical results" can be checked to the last prediction).
    """
    import numpy as np
    import torch
    from torch import nn

    from ..evaluate import evaluate_predictions
    from ..train import TrainConfig, Trainer, predict_logits

    known = {"seed", "n_samples", "n_features", "n_classes", "hidden", "epochs", "batch_size", "lr", "data_seed"}
    unknown = set(payload) - known
    if unknown:
        raise KeyError(f"train_tiny_classifier: unknown payload keys {sorted(unknown)}; known: {sorted(known)}")
    seed = int(payload.get("seed", 0))
    n_classes = int(payload.get("n_classes", 4))
    n_samples = int(payload.get("n_samples", 300))
    if n_classes < 2:
        raise ValueError(f"train_tiny_classifier: n_classes must be at least 2, got {n_classes}")
    if n_samples < 5 * n_classes:
        raise ValueError(f"train_tiny_classifier: n_samples={n_samples} is too few for {n_classes} classes")
    n_features = int(payload.get("n_features", 16))
    x, y = synthetic_blobs(int(payload.get("data_seed", seed)), n_samples, n_features, n_classes)
    n_train, n_val = int(0.6 * n_samples), int(0.2 * n_samples)
    train, val, test = slice(0, n_train), slice(n_train, n_train + n_val), slice(n_train + n_val, None)
    torch.manual_seed(seed)
    hidden = int(payload.get("hidden", 32))
    model = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))
    config = TrainConfig(epochs=int(payload.get("epochs", 5)), batch_size=int(payload.get("batch_size", 32)),
                         lr=float(payload.get("lr", 0.01)), seed=seed, device="cpu", progress=False, patience=None)
    labels = list(range(n_classes))
    result = Trainer(config).fit(model, (x[train], y[train]), (x[val], y[val]))
    y_pred = predict_logits(result.model, x[test], device="cpu").argmax(1)
    metrics = evaluate_predictions(y[test], y_pred, labels=labels)
    return {"seed": seed, "WA": float(metrics["WA"]), "UA": float(metrics["UA"]),
            "macro_F1": float(metrics["macro_F1"]), "best_epoch": int(result.best_epoch),
            "train_loss": float(result.history[-1]["train_loss"]), "y_pred": np.asarray(y_pred).tolist()}
