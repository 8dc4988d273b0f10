"""Device budgets: estimate each table from measured throughput, run what fits, write what was skipped.

A GPU is lent to a task only by chance and for minutes, so ``serlib reproduce
PAPER --budget-min M`` orders the requested tables by ``TableSpec.priority``,
estimates each one, keeps the tables whose cumulative estimate fits and writes
the others to ``results/<paper>/skipped.csv`` with their estimates.

Estimates come from MEASURED throughput: after every reproduction the harness
records, per run configuration, the mean seconds of one (seed, fold) job and
the seconds per (epoch x training item) of its model family
(``benchmarks/results/throughput.json``, committed, one entry per device kind).
A configuration never measured on this device kind falls back to its
family's rate, then to the table's own ``estimate_s``; the plan says which.
Runs shared by several tables are counted once, for the first table that needs them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import settings

THROUGHPUT_FILE = settings.REPO_ROOT / "benchmarks" / "results" / "throughput.json"


def device_kind(device: str) -> str:
    if device.startswith("cuda"):
        return "cuda"
    if device == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return "cpu"


def _family(spec) -> str:
    return f"{spec.model}|{json.dumps(spec.model_config, sort_keys=True)}|{spec.front_end}|{spec.corpus}"


def load_throughput(path: Path = THROUGHPUT_FILE) -> dict:
    if not Path(path).exists():
        return {}
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        print(f"warning: throughput file {path} unreadable ({exc}); estimates fall back to the tables' own")
        return {}


def record_throughput(paper: str, mode: str, device: str, outcomes: dict, path: Path = THROUGHPUT_FILE) -> None:
    """Add the measured job seconds of ``outcomes`` (full mode only) to the throughput file."""
    if mode != "full" or not outcomes:
        return
    data = load_throughput(path)
    kind = data.setdefault(device_kind(device), {"specs": {}, "families": {}})
    for config_hash, outcome in outcomes.items():
        runs = [r for r in outcome.runs if r.get("seconds")]
        if not runs:
            continue
        kind["specs"][config_hash] = {"job_s": sum(r["seconds"] for r in runs) / len(runs), "paper": paper}
        per_item_epoch = [r["seconds"] / max(1, r["epochs_run"] * r.get("n_train", 1)) for r in runs]
        kind["families"][_family(outcome.spec)] = {
            "s_per_item_epoch": sum(per_item_epoch) / len(per_item_epoch),
            "n_train": sum(r.get("n_train", 0) for r in runs) / len(runs)}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(path).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _jobs_of(spec) -> int:
    from .common import _corpus, fold_splits

    records, _, _ = _corpus(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker)
    return sum(len(fold_splits(spec, records, seed)) for seed in spec.seeds)


def estimate_spec_s(spec, kind: str, throughput: dict) -> tuple[float | None, str]:
    """Seconds for all jobs of ``spec`` on this device kind, and how the number was obtained."""
    measured = throughput.get(kind, {})
    jobs = _jobs_of(spec)
    factor = spec.inner_folds or 1
    if spec.config_hash() in measured.get("specs", {}):
        return jobs * measured["specs"][spec.config_hash()]["job_s"], "measured"
    family = measured.get("families", {}).get(_family(spec))
    if family:
        epochs = int(spec.train.get("epochs", 30))
        return jobs * factor * family["s_per_item_epoch"] * epochs * family["n_train"], "family rate"
    return None, "no measurement"


@dataclass
class Plan:
    selected: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # dicts: table, estimate_s, reason
    selected_s: float = 0.0
    estimates: dict = field(default_factory=dict)  # table -> (seconds, how)


def plan_within_budget(paper: str, mode: str, device: str, items, budget_s: float | None) -> Plan:
    """``items``: (table name, TableSpec, [RunSpec]) in priority order. Keep what fits ``budget_s``."""
    throughput = load_throughput()
    kind = device_kind(device)
    plan, counted = Plan(), set()
    for name, table, specs in items:
        seconds, hows = 0.0, set()
        unmeasured = False
        for spec in specs:
            key = spec.config_hash()
            if key in counted:
                continue
            value, how = estimate_spec_s(spec, kind, throughput)
            hows.add(how)
            if value is None:
                unmeasured = True
            else:
                seconds += value
        if unmeasured or not specs:
            seconds = max(seconds, float(table.estimate_s(mode)))
            hows.add("table estimate")
        plan.estimates[name] = (seconds, ", ".join(sorted(hows)))
        if budget_s is not None and plan.selected_s + seconds > budget_s:
            plan.skipped.append({"table": name, "estimate_s": round(seconds, 1), "how": plan.estimates[name][1],
                                 "reason": f"over the budget of {budget_s / 60:.1f} min on {kind} "
                                           f"(already planned {plan.selected_s / 60:.1f} min)"})
            continue
        plan.selected.append(name)
        plan.selected_s += seconds
        counted |= {s.config_hash() for s in specs}
    return plan


def write_skipped(paper: str, mode: str, results_root, plan: Plan) -> Path:
    import csv

    from ..results import git_revision, now

    suffix = "" if mode == "full" else f".{mode}"
    path = Path(results_root) / paper / f"skipped{suffix}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["table", "estimate_s", "how", "reason", "revision", "date"])
        writer.writeheader()
        writer.writerows({**row, "revision": git_revision(), "date": now()} for row in plan.skipped)
    os.replace(tmp, path)
    return path
