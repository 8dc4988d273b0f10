"""The course's one figure style, and the helpers that make a figure say what it shows.

Every figure of the notebooks and reports goes through these rules:

- axes say what is plotted **and in which unit** (:func:`label_axes`; a
  dimensionless quantity is declared with ``unit=None``, never by omission);
- every image has a colour bar with its quantity and unit (:func:`show_image`,
  :func:`colorbar`);
- a figure of measured numbers names the corpus, the protocol and how many
  folds x seeds it aggregates (:func:`title_with_protocol`,
  :func:`provenance`);
- categories (emotions, protocols, models) are drawn as points or bars, never
  joined by lines, which would suggest an order or an interpolation that does
  not exist (:func:`categorical_plot`);
- numbers measured on different corpora (the paper's RAVDESS against our
  EmoDB stand-in, say) are not put side by side unless every series names its
  corpus (:func:`require_labelled_corpora`).

:func:`course_style` (a context manager) or :func:`use_course_style` apply
the rcParams; the helpers work with or without them.
"""
from __future__ import annotations

import contextlib
import math
from typing import Mapping, Sequence

#: rcParams of the course style: readable at notebook width, no chart junk, a
#: colour-blind-safe cycle (Okabe & Ito 2008), perceptually uniform images.
COURSE_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "figure.figsize": (7.0, 3.2),
    "figure.constrained_layout.use": False,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "image.cmap": "viridis",
    "image.origin": "lower",
    "image.aspect": "auto",
    "lines.linewidth": 1.2,
    "axes.prop_cycle": None,  # filled in below (needs matplotlib's cycler)
}

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

#: A diverging colormap for signed quantities centred on zero (deltas, standardised values).
DIVERGING_CMAP = "RdBu_r"

_MISSING = object()


class FigureStyleError(ValueError):
    """A figure would break one of the course's figure rules (missing unit, unlabelled corpora...)."""


def _rc() -> dict:
    from cycler import cycler

    rc = dict(COURSE_RC)
    rc["axes.prop_cycle"] = cycler(color=list(OKABE_ITO))
    return rc


def use_course_style() -> None:
    """Apply the course rcParams for the rest of the session (the notebooks' setup does this)."""
    import matplotlib as mpl

    mpl.rcParams.update(_rc())


@contextlib.contextmanager
def course_style():
    """The course rcParams inside a ``with`` block only."""
    import matplotlib as mpl

    with mpl.rc_context(_rc()):
        yield


# --------------------------------------------------------------------------- labels and units
def axis_label(quantity: str, unit) -> str:
    """``"time (s)"``; ``unit=None`` declares a dimensionless quantity (``"zero-crossing rate"``)."""
    if not quantity or not str(quantity).strip():
        raise FigureStyleError("an axis label needs the name of the quantity, got an empty string")
    if unit is None:
        return str(quantity)
    if not str(unit).strip():
        raise FigureStyleError(f"axis {quantity!r}: unit is an empty string; pass unit=None for a "
                               f"dimensionless quantity")
    return f"{quantity} ({unit})"


def label_axes(ax, x: str | None = None, y: str | None = None, *, x_unit=_MISSING, y_unit=_MISSING,
               title: str | None = None):
    """Label the axes of ``ax`` with quantity and unit; a label without a declared unit is refused.

    >>> label_axes(ax, x="time", x_unit="s", y="F0", y_unit="Hz")        # doctest: +SKIP
    >>> label_axes(ax, y="zero-crossing rate", y_unit=None)              # dimensionless, said so
    """
    for name, quantity, unit in (("x", x, x_unit), ("y", y, y_unit)):
        if quantity is None:
            continue
        if unit is _MISSING:
            raise FigureStyleError(f"label_axes: the {name} axis {quantity!r} needs {name}_unit= (its unit, "
                                   f"or None for a dimensionless quantity)")
        (ax.set_xlabel if name == "x" else ax.set_ylabel)(axis_label(quantity, unit))
    if title is not None:
        ax.set_title(title)
    return ax


def colorbar(image, ax, label: str, unit=_MISSING, room_from=None, **kwargs):
    """A colour bar for ``image`` beside ``ax``, labelled with the quantity and its unit.

    ``room_from`` (a list of axes, default ``[ax]``) are the axes the bar takes its space from."""
    if unit is _MISSING:
        raise FigureStyleError(f"colorbar {label!r}: pass unit= (or unit=None for a dimensionless quantity)")
    bar = ax.figure.colorbar(image, ax=ax if room_from is None else list(room_from), **kwargs)
    bar.set_label(axis_label(label, unit))
    return bar


def robust_limits(values, percentiles: tuple[float, float] = (1.0, 99.0), symmetric: bool = False
                  ) -> tuple[float, float]:
    """Colour limits from percentiles of the finite values, so a few extreme cells do not wash out the rest.

    ``symmetric=True`` centres the range on zero (for signed quantities and a
    diverging colormap).
    """
    import numpy as np

    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise FigureStyleError("robust_limits: no finite values to scale the colours by")
    low, high = np.percentile(finite, percentiles)
    if symmetric:
        bound = max(abs(low), abs(high)) or 1.0
        return -float(bound), float(bound)
    if high <= low:
        high = low + 1.0
    return float(low), float(high)


def show_image(ax, values, *, extent=None, x: str, x_unit, y: str, y_unit, value: str, value_unit,
               cmap: str | None = None, vmin: float | None = None, vmax: float | None = None,
               symmetric: bool = False, robust: bool = False, title: str | None = None, colorbar_axes=None,
               **kwargs):
    """``imshow`` with the course's rules: labelled axes with units and a labelled colour bar.

    ``symmetric`` centres the colour range on zero with the diverging colormap;
    ``robust`` takes the range from the 1st-99th percentiles; ``colorbar_axes``
    (a list of axes) makes the colour bar take its room from all of them, so
    panels sharing the time axis stay aligned. Returns ``(image, colorbar)``.
    """
    if robust or (symmetric and vmin is None and vmax is None):
        low, high = robust_limits(values, symmetric=symmetric) if robust else robust_limits(
            values, (0.0, 100.0), symmetric=True)
        vmin = low if vmin is None else vmin
        vmax = high if vmax is None else vmax
    image = ax.imshow(values, extent=extent, aspect="auto", origin="lower", vmin=vmin, vmax=vmax,
                      cmap=cmap or (DIVERGING_CMAP if symmetric else None), interpolation="nearest", **kwargs)
    label_axes(ax, x=x, x_unit=x_unit, y=y, y_unit=y_unit, title=title)
    return image, colorbar(image, ax, value, value_unit, room_from=colorbar_axes)


# --------------------------------------------------------------------------- provenance
def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def protocol_caption(corpus: str, protocol: str, folds: int | None = None, seeds: int | Sequence | None = None
                     ) -> str:
    """``"emodb-standin (first 2 s) · loso · 10 folds x 3 seeds"``: what a measured number was measured on."""
    if not corpus or not protocol:
        raise FigureStyleError(f"a figure of measured numbers needs its corpus and protocol, got "
                               f"corpus={corpus!r}, protocol={protocol!r}")
    parts = [str(corpus), str(protocol)]
    if folds is not None or seeds is not None:
        if folds is None or seeds is None:
            raise FigureStyleError(f"give both folds and seeds (got folds={folds!r}, seeds={seeds!r})")
        n_seeds = seeds if isinstance(seeds, int) else len(list(seeds))
        parts.append(f"{_plural(int(folds), 'fold')} x {_plural(int(n_seeds), 'seed')}")
    return " · ".join(parts)


def title_with_protocol(ax, title: str, *, corpus: str, protocol: str, folds: int | None = None,
                        seeds: int | Sequence | None = None):
    """Title ``ax`` with ``title`` and, on a second line, corpus, protocol and folds x seeds."""
    text = f"{title}\n{protocol_caption(corpus, protocol, folds, seeds)}"
    ax.set_title(text)
    return text


def _seed_count(value) -> int:
    text = str(value).strip()
    if text in ("", "nan", "None"):
        raise FigureStyleError("results rows have no seeds recorded")
    return len([s for s in text.replace(";", ",").replace(" ", ",").split(",") if s])


def provenance(frame) -> dict:
    """``{corpus, protocol, folds, seeds}`` of the results rows in ``frame`` (one corpus and protocol).

    ``seeds`` is the number of seeds (the results file lists which). Rows of
    several corpora or protocols are refused: plot them in separate panels or
    label them (:func:`require_labelled_corpora`).
    """
    values = {}
    for column in ("corpus", "protocol", "folds", "seeds"):
        if column not in frame.columns:
            raise FigureStyleError(f"results frame has no {column!r} column (columns: {list(frame.columns)})")
        distinct = sorted({str(v) for v in frame[column]})
        if len(distinct) != 1:
            raise FigureStyleError(f"results rows mix {len(distinct)} values of {column!r} ({', '.join(distinct)}); "
                                   f"one figure panel shows one corpus and protocol")
        values[column] = distinct[0]
    folds = float(values["folds"])
    if math.isnan(folds):
        raise FigureStyleError("results rows have no folds recorded")
    seeds = _seed_count(values["seeds"])
    # Rows written before folds meant "folds per seed" counted the distinct fold names over all seeds (a
    # protocol that draws one split per seed, si_80_10_10, then showed "5 folds x 5 seeds" for 5 runs):
    # the runs behind a row (n) tell the folds per seed.
    if "n" in frame.columns:
        runs = [float(v) for v in frame["n"] if str(v) not in ("", "nan")]
        if runs and folds * seeds > max(runs) and max(runs) % seeds == 0:
            folds = max(runs) // seeds
    return {"corpus": values["corpus"], "protocol": values["protocol"], "folds": int(folds), "seeds": seeds}


# --------------------------------------------------------------------------- corpora side by side
def short_corpus_name(corpus: str) -> str:
    """The corpus name without its details: ``"emodb-standin (first 2 s, 535 files)"`` -> ``"emodb-standin"``."""
    return str(corpus).split(" (")[0].strip()


def require_labelled_corpora(series: Mapping[str, str]) -> None:
    """Refuse series from different corpora side by side unless each label names its corpus.

    ``series`` maps a series' label (legend entry, tick label) to the corpus its
    numbers come from. One corpus: nothing to check. Several: every label must
    contain its corpus' short name (``"paper (RAVDESS)"`` next to
    ``"ours (emodb-standin)"``), so nobody reads two corpora as one comparison.
    """
    corpora = {short_corpus_name(c).lower() for c in series.values()}
    if len(corpora) <= 1:
        return
    unlabelled = [label for label, corpus in series.items()
                  if short_corpus_name(corpus).lower() not in str(label).lower()]
    if unlabelled:
        raise FigureStyleError(f"series from different corpora ({', '.join(sorted(corpora))}) side by side: "
                               f"label(s) {unlabelled} must name their corpus")


def corpus_labels(labels: Sequence[str], corpora: Sequence[str]) -> list[str]:
    """``labels`` with the short corpus name appended where the corpora differ (and it is not already there)."""
    if len(labels) != len(corpora):
        raise FigureStyleError(f"{len(labels)} labels but {len(corpora)} corpora")
    if len({short_corpus_name(c).lower() for c in corpora}) <= 1:
        return list(labels)
    return [label if short_corpus_name(c).lower() in str(label).lower() else f"{label}\n[{short_corpus_name(c)}]"
            for label, c in zip(labels, corpora)]


# --------------------------------------------------------------------------- categorical data
def categorical_plot(ax, categories: Sequence[str], values, errors=None, *, kind: str = "points",
                     value: str, value_unit, category: str | None = None, corpora: Sequence[str] | None = None,
                     colors=None, label: str | None = None, offset: float = 0.0, width: float = 0.7,
                     rotation: float = 0):
    """Values per category as points (with error bars) or bars: never a line across categories.

    ``corpora`` (one per category) engages :func:`require_labelled_corpora`:
    when the categories come from different corpora, the tick labels must
    name them (:func:`corpus_labels` appends them). ``offset`` shifts a
    second series beside the first. Returns the x positions.
    """
    import numpy as np

    if kind not in ("points", "bars"):
        raise FigureStyleError(f"categorical_plot kind must be 'points' or 'bars' (never lines), got {kind!r}")
    categories = [str(c) for c in categories]
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(categories),):
        raise FigureStyleError(f"categorical_plot: {len(categories)} categories but values of shape {values.shape}")
    if errors is not None:
        errors = np.asarray(errors, dtype=np.float64)
        if errors.shape != values.shape:
            raise FigureStyleError(f"categorical_plot: errors of shape {errors.shape} for {values.shape} values")
        errors = np.nan_to_num(errors)
    if corpora is not None:
        require_labelled_corpora(dict(zip(categories, corpora)))
    positions = np.arange(len(categories)) + offset
    if kind == "bars":
        ax.bar(positions, values, width=width, yerr=errors, color=colors, label=label, capsize=2)
    else:
        ax.errorbar(positions, values, yerr=errors, fmt="o", linestyle="none", color=colors if isinstance(
            colors, str) else None, label=label, capsize=2)
    ax.set_xticks(np.arange(len(categories)), categories, rotation=rotation,
                  ha="right" if rotation else "center")
    label_axes(ax, x=category, x_unit=None, y=value, y_unit=value_unit)
    return positions


def confusion_panel(ax, pairs, counts, *, noun: str = "class", percent: bool = False, fontsize: int = 6):
    """One row-normalised confusion panel (rows = true class) from ``(true, predicted)`` label pairs and their
    counts, in the order the labels first appear: each cell's share of its true class, written in the cell as a
    percentage or a fraction, with axis labels and a colour bar."""
    import numpy as np

    labels = list(dict.fromkeys(true for true, _ in pairs))
    matrix = np.zeros((len(labels), len(labels)))
    for (true, predicted), count in zip(pairs, counts):
        matrix[labels.index(true), labels.index(predicted)] = count
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    for (i, j), value in np.ndenumerate(share):
        ax.text(j, i, f"{100 * value:.0f}" if percent else f"{value:.2f}", ha="center", va="center",
                fontsize=fontsize, color="white" if value > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    label_axes(ax, x=f"predicted {noun}", x_unit=None, y=f"true {noun}", y_unit=None)
    colorbar(image, ax, "share of the true class", None)
    return image
