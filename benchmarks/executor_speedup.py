"""Executor speed-up: the same independent training jobs in-process vs in a process pool.

Runs ``--jobs`` small but real training jobs
(:func:`serlib.experiments.executor.train_tiny_classifier`: a seeded MLP trained
with the course's Trainer on a seeded synthetic set) three ways:

* in-process, 1 thread per job (the serial baseline);
* in-process, ``--cores`` threads per job (one job at a time uses every core);
* in-process, ``--cores`` threads, with ``OMP_WAIT_POLICY=PASSIVE`` (waiting
  OpenMP threads sleep instead of spinning);
* a process pool of ``--cores`` workers, 1 thread each (jobs side by side).

and records wall times, the sum of per-job times, the load average before and
after each way, and whether the values agree with the serial baseline (the
pool with the same thread count must agree exactly; a different thread count
may change the last bits). Writes ``benchmarks/results/executor_speedup.json``.

On a shared machine the load average says how much of the CPUs the benchmark
actually had; read the speed-ups with it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serlib.experiments.executor import Job, execute, job_key
from serlib.provenance import machine_provenance
from serlib.results import git_revision, now

RESULTS = Path(__file__).resolve().parent / "results" / "executor_speedup.json"
FN = "serlib.experiments.executor:train_tiny_classifier"


def make_jobs(n: int, args) -> list[Job]:
    jobs = []
    for seed in range(n):
        payload = {"seed": seed, "n_samples": args.n_samples, "n_features": args.n_features, "hidden": args.hidden,
                   "epochs": args.epochs, "n_classes": 6}
        jobs.append(Job(job_key(payload), f"benchmark tiny MLP / seed {seed}", FN, payload))
    return jobs


def timed_execute(jobs, **options) -> dict:
    load_before = os.getloadavg()
    started = time.perf_counter()
    outcomes = execute(jobs, progress=False, **options)
    wall = time.perf_counter() - started
    failed = [o.label for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError(f"benchmark jobs failed: {failed}: {outcomes[0].error}")
    return {"options": options, "wall_s": wall, "sum_job_s": sum(o.seconds for o in outcomes),
            "load_average_before": list(load_before), "load_average_after": list(os.getloadavg()),
            "values": [o.value for o in outcomes]}


def ways(cores: int) -> dict:
    """name -> (execute options, extra environment of the process that runs it)."""
    return {
        "inprocess_1_thread": ({"executor": "inprocess", "threads_per_job": 1}, {}),
        f"inprocess_{cores}_threads": ({"executor": "inprocess", "threads_per_job": cores}, {}),
        # OpenMP threads that wait for each other by spinning lose whole time slices when other programs
        # hold the cores; the passive policy makes them sleep instead. Read before torch starts OpenMP.
        f"inprocess_{cores}_threads_omp_passive": ({"executor": "inprocess", "threads_per_job": cores},
                                                   {"OMP_WAIT_POLICY": "PASSIVE"}),
        f"pool_{cores}_workers_1_thread": ({"executor": "pool", "n_jobs": cores, "threads_per_job": 1}, {}),
    }


def run_one_way(args) -> int:
    """Child process: warm up (imports), then time one way and write its record as JSON."""
    options, _ = ways(args.cores)[args.way]
    execute(make_jobs(1, args), threads_per_job=1, progress=False)  # warm-up: imports, not timed
    record = timed_execute(make_jobs(args.jobs, args), **options)
    record["environment"] = {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    Path(args.way_output).write_text(json.dumps(record))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--cores", type=int, default=2, help="pool workers, and threads of the threaded runs")
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--n-features", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--way", help=argparse.SUPPRESS)  # internal: run one way in this (child) process
    parser.add_argument("--way-output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:
        return run_one_way(args)

    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (_, extra_env) in ways(args.cores).items():
            # Each way in a fresh process: the same cold start, and environment read before torch loads.
            out = Path(tmp) / f"{name}.json"
            env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
            command = [sys.executable, __file__, "--way", name, "--way-output", str(out), "--jobs", str(args.jobs),
                       "--cores", str(args.cores), "--n-samples", str(args.n_samples), "--n-features",
                       str(args.n_features), "--hidden", str(args.hidden), "--epochs", str(args.epochs)]
            subprocess.run(command, env={**env, **extra_env}, check=True)
            runs[name] = json.loads(out.read_text())
            print(f"{name}: {runs[name]['wall_s']:.1f} s", flush=True)
    baseline = runs["inprocess_1_thread"]
    for name, run in runs.items():
        run["speedup_vs_inprocess_1_thread"] = baseline["wall_s"] / run["wall_s"]
        run["values_identical_to_inprocess_1_thread"] = run["values"] == baseline["values"]
    jobs = make_jobs(args.jobs, args)
    report = {"benchmark": "executor speed-up", "revision": git_revision(), "date": now(), "jobs": args.jobs, "job_function": FN,
              "job_payload_example": jobs[0].payload, "machine": machine_provenance("cpu"),
              "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
              "note": "each way runs in a fresh process after an untimed warm-up job; the pool's wall time "
                      "includes starting its worker processes (spawn, importing torch); on a shared machine "
                      "compare with the load averages",
              "runs": {name: {k: v for k, v in run.items() if k != "values"} for name, run in runs.items()},
              "test_WA_per_job": [v["WA"] for v in baseline["values"]]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"{'way':40s} {'wall s':>8s} {'sum job s':>10s} {'speed-up':>9s} {'identical':>9s} load before/after")
    for name, run in report["runs"].items():
        print(f"{name:40s} {run['wall_s']:8.1f} {run['sum_job_s']:10.1f} {run['speedup_vs_inprocess_1_thread']:9.2f} "
              f"{str(run['values_identical_to_inprocess_1_thread']):>9s} "
              f"{run['load_average_before'][0]:.1f}/{run['load_average_after'][0]:.1f}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
