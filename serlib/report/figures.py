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


def save_table_figure(fig, ctx, name: str, dpi: int = 110) -> list[Path]:
    """Save a reproduction table's figure where its ``TableContext`` says (``ctx.figure_path``), close it,
    and return ``[path]`` (what a ``TableSpec.figure`` returns)."""
    import matplotlib.pyplot as plt

    path = atomic_savefig(fig, ctx.figure_path(name), dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return [path]


def in_course_style(draw):
    """Decorate a ``(frame, ctx)`` figure function so it draws in the course style whoever calls it."""
    import functools

    from .style import course_style

    @functools.wraps(draw)
    def wrapper(frame, ctx):
        with course_style():
            return draw(frame, ctx)

    return wrapper
