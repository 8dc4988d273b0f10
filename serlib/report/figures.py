"""Saving figures: one place decides where figures go and how they are written."""
from __future__ import annotations

from pathlib import Path

from .. import settings
from ..safeio import atomic_savefig


def save_figure(fig, name: str, dpi: int = 110, mode: str | None = None) -> Path:
    """Save ``fig`` as ``<figures folder>/<name>.png``, atomically.

    The folder is :func:`serlib.settings.output_dir` for ``mode`` (default
    ``$SERLIB_MODE``): in quick mode ``build/quick/figures`` (or ``$SERLIB_FIGURES``,
    as the tests set it), never the committed ``figures/``, except when ``make
    notebooks-refresh`` refreshes the notebooks' illustrations on purpose.
    """
    path = settings.check_output(settings.output_dir("figures", mode) / f"{name}.png", mode)
    return atomic_savefig(fig, path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
