"""Interim GPU utilisation sampler (see the engine work): a context manager with ``summary()``."""
from __future__ import annotations


class GpuMonitor:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def summary(self) -> dict:
        try:
            import torch

            if torch.cuda.is_available():
                return {"gpu": torch.cuda.get_device_name(0), "utilisation_mean": None,
                        "peak_memory_bytes": int(torch.cuda.max_memory_allocated())}
        except ImportError:
            pass
        return {"gpu": None}
