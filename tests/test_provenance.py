"""Machine provenance in every results row, and the GPU monitor's CPU path."""
import os
import platform

import numpy as np
import torch

from serlib.models.complexity import machine_info
from serlib.provenance import PROVENANCE_COLUMNS, GpuMonitor, cpu_name, machine_provenance, provenance_columns
from serlib.results import COLUMNS, Provenance, read_results, rows_from_summary, write_results


def test_machine_provenance_names_cpu_threads_and_libraries():
    info = machine_provenance("cpu")
    assert info["cpu"] == cpu_name() == machine_info("cpu")["cpu"]  # one CPU-name function, reused
    assert info["logical_cores"] == os.cpu_count()
    assert info["threads"] == torch.get_num_threads()
    assert info["torch"] == torch.__version__ and info["numpy"] == np.__version__
    assert info["python"] == platform.python_version()
    assert info["blas"].startswith("torch: ") and "; numpy: " in info["blas"]
    assert "threadpoolctl" in info["blas_source"] or "numpy.show_config" in info["blas_source"]
    assert info["gpu"] is None  # device="cpu" never names a GPU


def test_thread_count_is_the_callers():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert machine_provenance("cpu")["threads"] == 1
    finally:
        torch.set_num_threads(before)


def test_results_rows_carry_provenance_columns_at_the_end(tmp_path):
    # the provenance columns sit at the end, before only the results-integrity column added after them
    assert COLUMNS[-len(PROVENANCE_COLUMNS) - 1:-1] == list(PROVENANCE_COLUMNS) and COLUMNS[-1] == "expected_rows"
    prov = Provenance(corpus="synthetic", protocol="loso", speaker_independent=True, mode="quick", device="cpu")
    rows = rows_from_summary({"WA": {"mean": 0.5}}, paper="p", table="t", row="filled", provenance=prov)
    rows += rows_from_summary({"WA": {"mean": 0.6}}, paper="p", table="t", row="set", provenance=prov)
    rows[1].update(cpu="a worker's CPU", threads=3, torch="x", blas="y")
    frame = read_results(write_results(rows, "p", "t", mode="quick", root=tmp_path)).set_index("row")
    here = provenance_columns()
    assert frame.loc["filled", "cpu"] == here["cpu"] and int(frame.loc["filled", "threads"]) == here["threads"]
    assert frame.loc["filled", "torch"] == torch.__version__ and frame.loc["filled", "blas"] == here["blas"]
    assert frame.loc["set", "cpu"] == "a worker's CPU" and int(frame.loc["set", "threads"]) == 3


def test_gpu_monitor_without_cuda_reports_none(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the CPU path, also on a GPU machine
    with GpuMonitor(interval=0.05) as gpu:
        sum(range(10000))
    summary = gpu.summary
    assert summary["gpu_util_mean"] is None and summary["gpu_util_max"] is None
    assert summary["gpu_memory_used_max_mib"] is None and summary["gpu_memory_allocated_peak_mib"] is None
    assert summary["gpu_samples"] == 0 and summary["gpu_source"] == "no CUDA" and summary["seconds"] >= 0
