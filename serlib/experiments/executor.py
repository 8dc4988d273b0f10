"""Independent jobs behind one executor interface (in-process back end; see the module of the engine work).

Interim in-process implementation of the interface the pool and Ray back ends share:
:class:`Job`, :class:`JobOutcome`, :class:`JobStore`, :func:`execute`, :func:`raise_for_failures`.
"""
from __future__ import annotations

import importlib
import json
import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


@dataclass(frozen=True)
class Job:
    key: str
    label: str
    fn: str
    payload: dict


@dataclass
class JobOutcome:
    key: str
    label: str
    ok: bool
    value: dict | None
    error: str | None
    seconds: float
    worker: str
    from_store: bool = False


class JobsFailed(RuntimeError):
    pass


class JobStore:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def has(self, key: str) -> bool:
        try:
            self.load(key)
            return True
        except (OSError, ValueError):
            return False

    def load(self, key: str) -> dict:
        return json.loads(self._path(key).read_text())

    def save(self, key: str, value: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._path(key).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        os.replace(tmp, self._path(key))


def _call(job: Job) -> dict:
    module, name = job.fn.split(":")
    return getattr(importlib.import_module(module), name)(job.payload)


def execute(jobs: Sequence[Job], *, executor: str = "inprocess", n_jobs: int = 1, store: JobStore | None = None,
            threads_per_job: int | None = None, ray_address: str | None = None,
            progress: bool = True) -> list[JobOutcome]:
    if executor != "inprocess":
        raise ValueError(f"executor {executor!r} is not available in this build")
    out = []
    for job in jobs:
        if store is not None and store.has(job.key):
            out.append(JobOutcome(job.key, job.label, True, store.load(job.key), None, 0.0, "inprocess", True))
            continue
        started = time.perf_counter()
        try:
            value = _call(job)
            ok, error = True, None
        except Exception as exc:  # one failing job never stops the others
            value, ok, error = None, False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        seconds = time.perf_counter() - started
        if ok and store is not None:
            store.save(job.key, value)
        if progress:
            print(f"  {'ok' if ok else 'FAILED'} {job.label} ({seconds:.1f} s)", flush=True)
        out.append(JobOutcome(job.key, job.label, ok, value, error, seconds, "inprocess"))
    return out


def raise_for_failures(outcomes: Sequence[JobOutcome]) -> None:
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise JobsFailed(f"{len(failed)} of {len(outcomes)} job(s) failed:\n" + "\n".join(
            f"  {o.label}: {(o.error or '').splitlines()[0]}" for o in failed))
