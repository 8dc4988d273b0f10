"""Helpers for the course notebooks: the setup cell's environment report and seeding.

Kept outside the pipeline on purpose: it only reports and configures, it
computes nothing a result depends on.
"""
from __future__ import annotations

import os
import platform
import random
import sys

from . import settings

COURSE_REPO_URL = os.environ.get("SERLIB_REPO_URL", "https://github.com/ser-course/ser-course")


def in_colab() -> bool:
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def in_binder() -> bool:
    return "BINDER_SERVICE_HOST" in os.environ or "BINDER_REQUEST" in os.environ


def seed_everything(seed: int = 0) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def setup(seed: int = 0, verbose: bool = True) -> dict:
    """Seed everything and report mode, device and data roots. Returns the report as a dict."""
    seed_everything(seed)
    info = {"python": platform.python_version(), "mode": settings.mode(), "platform": (
        "colab" if in_colab() else "binder" if in_binder() else "local")}
    try:
        import torch

        info["torch"] = torch.__version__
        info["device"] = f"cuda ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "cpu"
    except ImportError:
        info["torch"], info["device"] = "missing", "cpu"
    for corpus in ("ravdess", "emodb"):
        root = settings.standin_root(corpus)
        info[f"{corpus}_standin"] = str(root) if root else "absent"
    if verbose:
        print("serlib environment: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    return info
