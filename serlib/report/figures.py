"""Saving figures: one place decides where figures go and how they are written."""
from __future__ import annotations

from pathlib import Path

from .. import settings


def save_figure(fig, name: str, dpi: int = 110) -> Path:
    """Save ``fig`` as ``<figures dir>/<name>.png`` (``$SERLIB_FIGURES`` redirects it, as the
    tests do, so that test runs never touch the committed figures)."""
    path = settings.figures_dir() / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return path
