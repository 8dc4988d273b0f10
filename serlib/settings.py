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


#: The committed output folders. Quick-mode runs never write below them (:func:`check_output`).
COMMITTED_OUTPUTS = {"results": REPO_ROOT / "results", "figures": REPO_ROOT / "figures"}
#: Where quick-mode outputs go when no ``$SERLIB_RESULTS``/``$SERLIB_FIGURES`` says otherwise.
QUICK_OUTPUT_BASE = REPO_ROOT / "build" / "quick"
#: Set only by ``serlib course --inplace`` (``make notebooks-refresh``): the notebooks' own
#: illustration figures (not results) may then be refreshed in ``figures/``.
REFRESH_NOTEBOOK_FIGURES = "SERLIB_REFRESH_NOTEBOOK_FIGURES"


class QuickModeOutputError(ValueError):
    """A quick-mode run tried to write into the committed ``results/`` or ``figures/``."""


def _overridden(kind: str) -> Path | None:
    variable = {"results": "SERLIB_RESULTS", "figures": "SERLIB_FIGURES"}[kind]
    value = os.environ.get(variable)
    return Path(value) if value else None


def output_dir(kind: str, mode_value: str | None = None) -> Path:
    """THE rule for where a run writes its ``kind`` (``"results"`` or ``"figures"``) outputs.

    Full mode: ``$SERLIB_RESULTS``/``$SERLIB_FIGURES`` when set, else the committed
    ``results/``/``figures/``. Quick mode: the same variable when it points outside
    the committed folders, else ``build/quick/<kind>``. Every writer of results,
    Markdown and figures takes its folder from here (or checks a folder it was given
    with :func:`check_output`), so quick runs never touch committed numbers.
    """
    if kind not in COMMITTED_OUTPUTS:
        raise ValueError(f"output kind must be one of {sorted(COMMITTED_OUTPUTS)}, got {kind!r}")
    chosen = mode(mode_value)
    override = _overridden(kind)
    if chosen == "full":
        return override or COMMITTED_OUTPUTS[kind]
    if override is not None and not _inside_committed(override):
        return override
    if kind == "figures" and os.environ.get(REFRESH_NOTEBOOK_FIGURES) == "1":
        return COMMITTED_OUTPUTS["figures"]
    return QUICK_OUTPUT_BASE / kind


def _inside_committed(path: Path, kinds=tuple(COMMITTED_OUTPUTS)) -> bool:
    target = Path(path).resolve()
    return any(target == COMMITTED_OUTPUTS[k].resolve() or target.is_relative_to(COMMITTED_OUTPUTS[k].resolve())
               for k in kinds)


def check_output(path, mode_value: str | None = None) -> Path:
    """Raise :class:`QuickModeOutputError` when a quick-mode run would write ``path`` inside
    the committed ``results/`` or ``figures/``; return ``path`` otherwise.

    The one exception is ``serlib course --inplace`` (``make notebooks-refresh``),
    which refreshes the notebooks' illustration figures in ``figures/`` on purpose
    (never results).
    """
    if mode(mode_value) == "quick" and _inside_committed(path):
        if os.environ.get(REFRESH_NOTEBOOK_FIGURES) == "1" and _inside_committed(path, ("figures",)):
            return Path(path)
        raise QuickModeOutputError(
            f"{path}: quick-mode runs never write into the committed results/ or figures/; "
            f"write to {QUICK_OUTPUT_BASE} (the default) or pass --mode full")
    return Path(path)


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
