"""Interim machine provenance (see the engine work)."""
from __future__ import annotations


def machine_provenance(device=None) -> dict:
    import platform

    import torch

    from .models.complexity import machine_info

    info = dict(machine_info(device or "cpu"))
    info.update({"torch": torch.__version__, "threads": torch.get_num_threads(), "python": platform.python_version()})
    return info
