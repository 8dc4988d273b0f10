"""Reusing the finished jobs of an earlier code revision: ``serlib reproduce ... --reuse-jobs-from REV``.

A job's key hashes its configuration AND the code revision (see
:func:`serlib.experiments.common.plan_jobs`), so a commit that touches nothing
a run depends on (a notebook, a new table, a docstring) still makes every
finished run of a long reproduction look new. On a shared CPU that can cost
hours: SpeechNet's ten 200-epoch headline runs are 75 core-minutes.

``--reuse-jobs-from REV`` lets a reproduction take a job from the stores of
revision ``REV`` when its configuration (spec, seed, fold) is identical, under
two rules that keep the numbers honest:

- **Checked, not trusted.** Before anything is reused, the cheapest reused job
  of the batch is trained again at the current revision and must give the
  same predictions and metrics as the stored run (same seed, machine and
  thread count give the same metrics, the course's determinism rule). If it
  differs, nothing is reused, the copies are removed from the store and
  :class:`ReuseMismatch` names the job and the difference.
- **Said, not hidden.** Every results row built on reused runs says so in its
  notes (``k of n runs reused from revision REV, checked by re-training one``)
  and ``provenance.json`` records how many jobs came from which revision and
  the check's outcome.

A revision with no job store at all is a bad option: :class:`ReuseError`
names it and lists the revisions that have stores.

A store may also name jobs that must never be reused: ``not_reusable.json``
in its folder, ``{key: reason}``, for runs known not to be reproducible from
their configuration (e.g. the first WakeHuBERT-tiny job of a process before
``convert_wakehubert`` stopped drawing from the global RNG). Such a job is
trained again, and the summary counts it.
"""
from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

#: Run values compared by the re-training check: the predictions themselves and the metrics built from them.
CHECKED_FIELDS = ("y_pred", "WA", "UA", "macro_F1", "epochs_run", "best_epoch")


class ReuseError(ValueError):
    """A ``--reuse-jobs-from`` revision that has no job store to reuse from."""


class ReuseMismatch(RuntimeError):
    """The re-trained job disagreed with the stored run of the earlier revision: nothing was reused."""


#: A store folder's list of jobs never to reuse: ``{key: reason}``.
NOT_REUSABLE = "not_reusable.json"


def _not_reusable(folder: Path) -> dict:
    path = folder / NOT_REUSABLE
    if not path.exists():
        return {}
    try:
        listed = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ReuseError(f"{path}: unreadable ({error}); it must be a JSON object {{job key: reason}}") from None
    if not isinstance(listed, dict):
        raise ReuseError(f"{path}: must be a JSON object {{job key: reason}}, got {type(listed).__name__}")
    return {str(k): str(v) for k, v in listed.items()}


def _revision_of(folder: Path) -> str:
    """The revision in a store folder's name (``<time>-<revision>-<pid>-<random>``, see harness._open_store)."""
    parts = folder.name.split("-")
    return parts[1] if len(parts) >= 4 else ""


@dataclass
class JobReuse:
    """Where to look for reusable jobs and what was taken; one per ``serlib reproduce`` invocation.

    ``store_root`` is the folder of one paper and mode's job stores
    (:func:`serlib.experiments.harness.job_store_root`); ``revisions`` the
    earlier revisions whose jobs may be reused (the short hash, as in a
    results file's ``revision`` column).
    """

    store_root: Path
    revisions: tuple
    verify: bool = True
    #: current job key -> {"revision", "store", "key"} of every job taken from an earlier revision
    reused: dict = field(default_factory=dict)
    checks: list = field(default_factory=list)

    def __post_init__(self):
        self.store_root = Path(self.store_root)
        self.revisions = tuple(str(r).strip() for r in self.revisions if str(r).strip())
        folders = sorted(p for p in self.store_root.glob("*") if p.is_dir()) if self.store_root.is_dir() else []
        known = sorted({_revision_of(f) for f in folders} - {""})
        missing = [r for r in self.revisions if r not in known]
        if missing:
            raise ReuseError(f"--reuse-jobs-from {' '.join(missing)}: no job store of that revision under "
                             f"{self.store_root} (revisions with stores: {', '.join(known) or 'none'})")
        # newest store first, so a job re-run at the same revision is taken from its latest run
        self._index, self.excluded = {}, {}
        for folder in reversed(folders):
            revision = _revision_of(folder)
            if revision in self.revisions:
                refused = _not_reusable(folder)
                for path in folder.glob("*.json"):
                    if path.name == NOT_REUSABLE:
                        continue
                    if path.stem in refused:
                        self.excluded.setdefault((revision, path.stem), refused[path.stem])
                        continue
                    self._index.setdefault((revision, path.stem), folder)

    def find(self, job) -> tuple[dict, dict] | None:
        """(stored entry, origin) of ``job`` at one of the revisions, or ``None``."""
        from .common import job_key
        from .executor import JobStore

        keyed = {k: v for k, v in job.payload.items() if k not in ("checkpoint_dir", "resume", "key")}
        for revision in self.revisions:
            old_key = job_key({**keyed, "revision": revision})
            folder = self._index.get((revision, old_key))
            if folder is None:
                continue
            entry = JobStore(folder).load_entry(old_key)
            if entry is not None:
                return entry, {"revision": revision, "store": str(folder), "key": old_key}
        return None

    def take(self, jobs: Sequence, store, *, executor: str = "inprocess", threads_per_job: int | None = None) -> int:
        """Copy into ``store`` every job of ``jobs`` absent from it and present at an earlier revision; then
        check the cheapest copy by re-training it. Returns how many jobs were taken."""
        taken = []
        for job in jobs:
            if store.has(job.key):
                continue
            found = self.find(job)
            if found is None:
                continue
            entry, origin = found
            meta = {k: v for k, v in entry.items() if k not in ("key", "value")}
            # the run itself carries the revision that TRAINED it (a run reused twice keeps its first origin), so
            # every row built from it can say so (common.provenance_for)
            origin["trained_at"] = entry["value"].get("reused_from_revision") or origin["revision"]
            value = {**entry["value"], "reused_from_revision": origin["trained_at"]}
            store.save(job.key, value, **{**meta, "reused_from": origin})
            taken.append((job, entry, origin))
        if not taken:
            return 0
        if self.verify:
            try:
                self._check(taken, executor, threads_per_job)
            except Exception:
                for job, _, _ in taken:
                    store.path(job.key).unlink(missing_ok=True)
                raise
        for job, _, origin in taken:
            self.reused[job.key] = origin
        return len(taken)

    def _check(self, taken: list, executor: str, threads_per_job: int | None) -> None:
        """Re-train the reused job with the smallest recorded time and compare it with the stored run."""
        from .executor import execute, raise_for_failures

        job, entry, origin = min(taken, key=lambda t: float(t[1].get("seconds") or t[1]["value"].get("seconds", 0)))
        fresh_job = copy.deepcopy(job)
        print(f"  reuse check: re-training {job.label} (stored at revision {origin['revision']}) to compare",
              flush=True)
        outcome = execute([fresh_job], executor=executor, n_jobs=1, store=None, threads_per_job=threads_per_job)
        raise_for_failures(outcome)
        fresh, stored = outcome[0].value, entry["value"]
        differences = [f"{name}: stored {_short(stored.get(name))} vs re-trained {_short(fresh.get(name))}"
                       for name in CHECKED_FIELDS if stored.get(name) != fresh.get(name)]
        record = {"job": job.label, "from_revision": origin["revision"], "stored_key": origin["key"],
                  "threads_stored": stored.get("threads"), "threads_now": fresh.get("threads"),
                  "seconds": outcome[0].seconds, "identical": not differences, "differences": differences}
        self.checks.append(record)
        if differences:
            raise ReuseMismatch(f"job {job.label!r} re-trained at this revision differs from its stored run of "
                                f"revision {origin['revision']} ({origin['store']}): " + "; ".join(differences)
                                + ". The code changed what this run computes: nothing was reused; run without "
                                  "--reuse-jobs-from")
        print(f"  reuse check: identical ({', '.join(CHECKED_FIELDS)}); {len(taken)} job(s) reused", flush=True)

    def summary(self) -> dict:
        """What ``provenance.json`` records of this invocation's reuse."""
        return {"from_revisions": list(self.revisions), "jobs_reused": len(self.reused),
                "by_revision": dict(Counter(o["revision"] for o in self.reused.values())),
                "trained_at": dict(Counter(o["trained_at"] for o in self.reused.values())), "checks": self.checks,
                "listed_not_reusable": len(self.excluded),
                "not_reusable_reasons": sorted(set(self.excluded.values()))}


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
