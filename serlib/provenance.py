"""Provenance of numbers: what machine, thread count and libraries produced a result.

Importable by every layer (it depends on nothing else in serlib, and imports
numpy and torch only when asked), so that the trainer, the experiments, the
results writer and the benchmarks describe a machine the same way.

Why it matters: the same seed, machine and thread count give identical metrics
(tests/test_determinism.py checks it), but a different CPU, thread count or
BLAS library may reorder floating-point sums and so change the last bits of a
weight, and after a few epochs an argmax. Bit-identity across machines is not
promised; that is why every results row says where it ran and why spreads over
seeds and folds are reported (docs/REPRODUCIBILITY.md).

:class:`GpuMonitor` samples GPU utilisation and memory in a background thread
while a block of code runs (all fields ``None`` without CUDA).
"""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import threading
import time

#: The results columns filled from :func:`machine_provenance` (see :mod:`serlib.results`).
PROVENANCE_COLUMNS = ("cpu", "threads", "torch", "blas")


def cpu_name() -> str:
    """The CPU model (``/proc/cpuinfo``'s model name on Linux, else what :mod:`platform` knows)."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_blas() -> tuple[str, str]:
    """numpy's BLAS as ``(description, source)``: threadpoolctl when installed, else ``numpy.show_config``."""
    import numpy as np  # loaded first, so that threadpoolctl sees its BLAS

    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        libs = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
        # Prefer the BLAS numpy ships with (numpy.libs/ next to the package) over others loaded in the process.
        libs.sort(key=lambda lib: "numpy" not in str(lib.get("filepath", "")))
        if libs:
            lib = libs[0]
            return f"{lib.get('internal_api')} {lib.get('version') or '?'}", "threadpoolctl"
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}", "numpy.show_config"
    except Exception:  # older numpy: no dict mode; the BLAS stays unnamed rather than guessed
        return "unknown", "none"


def _torch_blas() -> str:
    """torch's BLAS from ``torch.__config__.show()`` (``BLAS_INFO=mkl`` and the MKL version when it says one)."""
    import torch

    text = torch.__config__.show()
    name = re.search(r"BLAS_INFO=([^,\s]+)", text)
    version = re.search(r"Math Kernel Library Version ([^\s-]+)", text)
    if name is None:
        return "unknown"
    return name.group(1) + (f" {version.group(1)}" if version and name.group(1) == "mkl" else "")


def blas_description() -> dict:
    """``{"blas": "torch: mkl 2024.2; numpy: openblas 0.3.30", "blas_source": "..."}``: both libraries and how each was found."""
    numpy_blas, source = _numpy_blas()
    return {"blas": f"torch: {_torch_blas()}; numpy: {numpy_blas}",
            "blas_source": f"torch: torch.__config__.show(); numpy: {source}"}


def machine_provenance(device=None) -> dict:
    """CPU model, logical cores, torch threads, versions of torch, numpy and Python, BLAS, and the GPU name.

    ``device``: ``None`` names the GPU when CUDA is available; ``"cpu"`` never
    does; ``"cuda"``/``"cuda:1"`` names that GPU. The thread counts are those of
    the calling process at the time of the call (a pool worker reports its own).
    """
    import numpy as np
    import torch

    info = {"cpu": cpu_name(), "logical_cores": os.cpu_count(), "threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version(), "platform": platform.platform(),
            **blas_description(), "gpu": None, "cuda": None}
    chosen = torch.device(device) if device is not None else None
    wants_gpu = chosen.type == "cuda" if chosen is not None else torch.cuda.is_available()
    if wants_gpu and torch.cuda.is_available():
        index = chosen.index if chosen is not None and chosen.index is not None else 0
        info["gpu"] = torch.cuda.get_device_name(index)
        info["cuda"] = torch.version.cuda
    return info


def provenance_columns(info: dict | None = None) -> dict:
    """The results-row columns :data:`PROVENANCE_COLUMNS` from a :func:`machine_provenance` dict (or this process)."""
    info = info if info is not None else machine_provenance()
    return {column: info[column] for column in PROVENANCE_COLUMNS}


def _query_nvidia_smi(index: int) -> tuple[float, float] | None:
    """``(utilisation %, memory used MiB)`` of GPU ``index`` from ``nvidia-smi``; ``None`` when it cannot say."""
    try:
        out = subprocess.run(["nvidia-smi", f"--id={index}", "--query-gpu=utilization.gpu,memory.used",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=5)
        util, memory = (float(v) for v in out.stdout.strip().splitlines()[0].split(","))
        return util, memory
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


class GpuMonitor:
    """Sample GPU utilisation and memory while a block runs: ``with GpuMonitor() as gpu: ...; gpu.summary``.

    With CUDA, a background thread polls every ``interval`` seconds:
    ``nvidia-smi`` when it is on the PATH (whole-GPU utilisation and memory used,
    so other processes sharing the GPU count too), else ``torch.cuda.utilization``
    (needs pynvml). Peak memory allocated by THIS process comes from
    ``torch.cuda.max_memory_allocated``. Without CUDA every field is ``None`` and
    ``source`` says why. A first sample is taken at entry and a last one at exit,
    so even a short block has at least two.
    """

    def __init__(self, interval: float = 0.5, device_index: int = 0):
        if interval <= 0:
            raise ValueError(f"GpuMonitor: interval must be positive, got {interval}")
        self.interval = interval
        self.device_index = device_index
        self.samples: list[tuple[float, float | None]] = []
        self.summary: dict = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._query = None
        self._cuda = False
        self.source = "no CUDA"

    def _choose_query(self):
        import torch

        self._cuda = torch.cuda.is_available()
        if not self._cuda:
            return None
        if shutil.which("nvidia-smi") and _query_nvidia_smi(self.device_index) is not None:
            self.source = "nvidia-smi"
            return lambda: _query_nvidia_smi(self.device_index)
        try:
            torch.cuda.utilization(self.device_index)
        except Exception:  # pynvml missing or the driver refuses: utilisation unknown, not zero
            self.source = "CUDA without nvidia-smi or pynvml: utilisation unavailable"
            return None
        self.source = "torch.cuda.utilization"
        return lambda: (float(torch.cuda.utilization(self.device_index)), None)

    def _sample(self):
        value = self._query() if self._query is not None else None
        if value is not None:
            self.samples.append(value)

    def _poll(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> "GpuMonitor":
        self._query = self._choose_query()
        self._started = time.perf_counter()
        if self._cuda:
            import torch

            torch.cuda.reset_peak_memory_stats(self.device_index)
        if self._query is not None:
            self._sample()
            self._thread = threading.Thread(target=self._poll, name="serlib-gpu-monitor", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._sample()
        self.summary = self._summarise()

    def _summarise(self) -> dict:
        out = {"gpu_util_mean": None, "gpu_util_max": None, "gpu_memory_used_max_mib": None,
               "gpu_memory_allocated_peak_mib": None, "gpu_samples": len(self.samples), "gpu_source": self.source,
               "seconds": time.perf_counter() - self._started}
        if self.samples:
            utils = [u for u, _ in self.samples]
            used = [m for _, m in self.samples if m is not None]
            out.update(gpu_util_mean=sum(utils) / len(utils), gpu_util_max=max(utils),
                       gpu_memory_used_max_mib=max(used) if used else None)
        if self._cuda:
            import torch

            out["gpu_memory_allocated_peak_mib"] = torch.cuda.max_memory_allocated(self.device_index) / 2**20
        return out
