"""Every table and figure of the five papers (``shared/papers/README.md``, checked against each paper's text).

Each paper module must account for every element here: a ``TableSpec`` that
reproduces it, or an ``UNAVAILABLE`` entry that says why not (a corpus that
cannot be obtained, a diagram with no numbers, a literature table).
:func:`serlib.experiments.harness.coverage` checks one paper; the tests check
every paper whose module is built.
"""
from __future__ import annotations


def _numbered(kind: str, count: int) -> tuple[str, ...]:
    return tuple(f"{kind}{i}" for i in range(1, count + 1))


PAPER_ELEMENTS: dict[str, tuple[str, ...]] = {
    # Tables 1-7, Figures 1-10 (Figs. 1-6 are diagrams of the architecture)
    "fla_ser": _numbered("table", 7) + _numbered("fig", 10),
    # Tables 1-5, Figs. 1-6, and the complexity claim of Section 5 (parameters, FLOPs, latency)
    "speechnet": _numbered("table", 5) + _numbered("fig", 6) + ("complexity",),
    # Tables I-II, Figs. 1-7
    "cnn_transformer": _numbered("table", 2) + _numbered("fig", 7),
    # Tables 1-6, Figures 1-15
    "wavelet_cnn_lstm": _numbered("table", 6) + _numbered("fig", 15),
    # Tables 1-6, Figures 1-2
    "dual_stream_caf": _numbered("table", 6) + _numbered("fig", 2),
}
