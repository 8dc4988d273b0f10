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


def save_table_figure(fig, ctx, name: str) -> list[Path]:
    """A reproduced table's figure at ``ctx.figure_path(name)`` (``figures/<paper>/<name>[.quick].png``), closed."""
    import matplotlib.pyplot as plt

    path = ctx.figure_path(name)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return [path]


def in_course_style(draw):
    """Decorator of a ``(frame, ctx)`` figure function: it draws in the course style whoever calls it
    (the reproduction runs outside any notebook setup)."""
    import functools

    from .style import course_style

    @functools.wraps(draw)
    def wrapper(frame, ctx):
        with course_style():
            return draw(frame, ctx)

    return wrapper
