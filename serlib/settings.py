"""Course-wide settings: where data lives, quick versus full mode, where results go.

One switch for quick (synthetic corpus or small subsets, few epochs, CPU,
minutes) versus full (real corpora, paper settings, GPU): the ``SERLIB_MODE``
environment variable, or the ``mode`` argument of every runner.
"""
from __future__ import annotations

import os
from pathlib import Path

MODES = ("quick", "full")

REPO_ROOT = Path(__file__).resolve().parent.parent


def mode(value: str | None = None) -> str:
    """Return the run mode: the explicit value, else ``$SERLIB_MODE``, else ``quick``."""
    chosen = (value or os.environ.get("SERLIB_MODE") or "quick").lower()
    if chosen not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {chosen!r}")
    return chosen


def cache_dir() -> Path:
    """Folder for downloads, generated corpora and feature caches (``$SERLIB_CACHE``)."""
    path = Path(os.environ.get("SERLIB_CACHE", REPO_ROOT / ".cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Folder of committed results files (``$SERLIB_RESULTS`` overrides, e.g. in tests)."""
    return Path(os.environ.get("SERLIB_RESULTS", REPO_ROOT / "results"))


def figures_dir() -> Path:
    """Folder of committed figures (``$SERLIB_FIGURES`` overrides, e.g. in tests)."""
    return Path(os.environ.get("SERLIB_FIGURES", REPO_ROOT / "figures"))


def standin_root(corpus: str) -> Path | None:
    """Location of a stand-in corpus (``../shared/data``) if present, else None.

    ``$SERLIB_STANDIN`` points at the folder holding ``ravdess-2.4s`` and
    ``emodb-2s``; by default the ``shared/data`` folder beside the checkout, or a
    ``.standin`` copy inside it (the one carried to the GPU machine).
    ``SERLIB_NO_STANDIN=1`` hides them (used when refreshing committed notebook outputs).
    """
    names = {"ravdess": "ravdess-2.4s", "emodb": "emodb-2s"}
    # Stored notebook outputs and committed figures must not carry stand-in audio or
    # pictures of it: `make notebooks-refresh` hides the stand-ins with this switch.
    if os.environ.get("SERLIB_NO_STANDIN") or corpus not in names:
        return None
    candidates = []
    if os.environ.get("SERLIB_STANDIN"):
        candidates.append(Path(os.environ["SERLIB_STANDIN"]))
    candidates += [REPO_ROOT / ".standin", REPO_ROOT.parent / "shared" / "data", REPO_ROOT / "shared" / "data"]
    for base in candidates:
        path = base / names[corpus]
        if path.is_dir():
            return path
    return None


def display_path(path) -> str:
    """A path as printed in notebook outputs and logs, carrying no machine's layout: relative to the
    repository when inside it, ``$SERLIB_CACHE/...`` inside the cache folder, ``~/...`` under the home
    folder, else as given."""
    path = Path(path)
    for base, label in ((REPO_ROOT, ""), (cache_dir(), "$SERLIB_CACHE/"), (Path.home(), "~/")):
        for candidate, anchor in ((path, Path(base)), (path.resolve(), Path(base).resolve())):
            try:
                relative = candidate.relative_to(anchor).as_posix()
            except ValueError:
                continue
            return label + relative if label else relative
    return path.as_posix()
