"""The closing comparison of the five papers, read from every paper's results files and claim audit.

Nothing here is typed in: each function reads ``results/<paper>/*.csv`` (the
tables the reproductions wrote, with the paper's own number beside ours in
``paper_value``) and ``results/<paper>/claims.csv`` (the audit verdicts). A
paper whose reproduction has not written a file yet appears with zero counts
and "not run yet", so the comparison never hides a missing paper.

* :func:`audit_verdicts`: per paper, how many audited claims hold, do not hold,
  or cannot be tested here.
* :func:`claims_that_fail`: the claims whose verdict is "does not hold".
* :func:`paper_vs_ours_cells`: every cell (table, row, metric) with both the
  paper's number and ours, and the gap between them in percentage points.
* :func:`gap_summary`: the gaps per paper, split by whether the protocol keeps
  the test speakers out of training (``speaker_independent``).
* :func:`headlines`: per paper, its highest printed number beside ours for the same cell.
* :func:`paired_verdicts` / :func:`paired_verdict_counts`: every paired comparison the reproductions wrote
  and how many of them are resolved rather than inside the noise.
* :func:`run_provenance`: how each paper's numbers were made (mode, device,
  revisions, reduced profile or not, tables skipped by the budget).
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import settings
from ..results import SIDE_FILES, is_results_table, read_results
from .course_map import PAPER_ORDER

#: Metrics on a 0-1 scale whose paper-versus-ours gap is read in percentage points.
ACCURACY_METRICS = ("WA", "UA", "macro_F1", "accuracy", "F1")
VERDICT_COLUMNS = ("holds", "does not hold", "cannot be tested here")
NOT_RUN = "not run yet"


def _paper_dir(paper: str, root: Path | None) -> Path:
    return Path(root if root is not None else settings.results_dir()) / paper


def _check_paper(paper: str) -> None:
    if paper not in PAPER_ORDER:
        raise KeyError(f"{paper!r} is not a course paper; papers: {', '.join(PAPER_ORDER)}")


def results_tables(paper: str, root: Path | None = None) -> list[Path]:
    """The full-mode results tables of ``paper`` (side files such as claims.csv excluded), sorted by name."""
    _check_paper(paper)
    folder = _paper_dir(paper, root)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.csv")
                  if p.name not in SIDE_FILES and not p.name.endswith(".quick.csv") and is_results_table(p))


def audit_verdicts(root: Path | None = None, papers=PAPER_ORDER):
    """One row per paper: the number of audited claims per verdict, their total, and the audit file's state."""
    import pandas as pd

    rows = []
    for paper in papers:
        _check_paper(paper)
        path = _paper_dir(paper, root) / "claims.csv"
        row = {"paper": paper, **{v: 0 for v in VERDICT_COLUMNS}, "claims": 0, "audit": NOT_RUN}
        if path.is_file():
            frame = pd.read_csv(path, keep_default_na=False)
            if "verdict" not in frame.columns:
                raise ValueError(f"{path}: a claims file needs a 'verdict' column, found {list(frame.columns)}")
            unknown = sorted(set(frame["verdict"]) - set(VERDICT_COLUMNS))
            if unknown:
                raise ValueError(f"{path}: unknown verdicts {unknown}; expected one of {VERDICT_COLUMNS}")
            counts = frame["verdict"].value_counts()
            row.update({v: int(counts.get(v, 0)) for v in VERDICT_COLUMNS})
            row["claims"] = int(len(frame))
            row["audit"] = f"results/{paper}/claims.csv"
        rows.append(row)
    return pd.DataFrame(rows, columns=["paper", *VERDICT_COLUMNS, "claims", "audit"])


def claims_that_fail(root: Path | None = None, papers=PAPER_ORDER):
    """Every audited claim with the verdict "does not hold": paper, claim, where, what we found."""
    import pandas as pd

    frames = []
    for paper in papers:
        _check_paper(paper)
        path = _paper_dir(paper, root) / "claims.csv"
        if path.is_file():
            frame = pd.read_csv(path, keep_default_na=False)
            frame = frame[frame["verdict"] == "does not hold"]
            ours = "ours" if "ours" in frame.columns else "computed"
            frames.append(pd.DataFrame({"paper": paper, "claim": frame["claim"], "where": frame["where"],
                                        "ours": frame[ours] if ours in frame.columns else ""}))
    if not frames:
        return pd.DataFrame(columns=["paper", "claim", "where", "ours"])
    return pd.concat(frames, ignore_index=True)


def paper_vs_ours_cells(root: Path | None = None, papers=PAPER_ORDER, metrics=ACCURACY_METRICS):
    """Every full-mode results cell with both the paper's number and ours, on a 0-1 metric of ``metrics``.

    ``gap_points`` is ``100 * (ours - paper_value)``: negative when we measured less than the paper printed.
    ``collapsed`` marks rows whose notes flag a collapsed model (its number is no comparison), ``reduced`` rows
    from a reduced (smaller or shorter) profile than the paper's.
    """
    import pandas as pd

    keep = ["paper", "table", "row", "metric", "corpus", "protocol", "speaker_independent", "paper_value", "ours",
            "n", "device", "revision"]
    frames = []
    for paper in papers:
        for path in results_tables(paper, root):
            frame = read_results(path)
            frame = frame[frame["metric"].isin(metrics)].copy()
            frame["paper_value"] = pd.to_numeric(frame["paper_value"], errors="coerce")
            frame["ours"] = pd.to_numeric(frame["ours"], errors="coerce")
            frame = frame.dropna(subset=["paper_value", "ours"])
            if frame.empty:
                continue
            notes = frame["notes"].fillna("").astype(str)
            frame = frame[keep].assign(collapsed=notes.str.contains("COLLAPSED"),
                                       reduced=notes.str.contains("REDUCED", case=False),
                                       source=f"results/{paper}/{path.name}")
            frames.append(frame)
    columns = keep + ["collapsed", "reduced", "source", "gap_points"]
    if not frames:
        return pd.DataFrame(columns=columns)
    cells = pd.concat(frames, ignore_index=True)
    cells["speaker_independent"] = cells["speaker_independent"].astype(str).str.lower().eq("true")
    cells["gap_points"] = 100.0 * (cells["ours"] - cells["paper_value"])
    return cells[columns]


def gap_summary(cells):
    """Per paper and protocol kind: cells compared, median / smallest / largest gap (points), cells where we
    reach the paper's number, and how many rows were collapsed models (left out of the gap statistics)."""
    import pandas as pd

    rows = []
    for (paper, independent), group in cells.groupby(["paper", "speaker_independent"], sort=False):
        trained = group[~group["collapsed"]]
        gaps = trained["gap_points"]
        rows.append({"paper": paper,
                     "protocol kind": "speaker-independent" if independent else "speaker-dependent",
                     "cells": int(len(trained)), "median gap (points)": float(gaps.median()) if len(gaps) else None,
                     "largest shortfall (points)": float(gaps.min()) if len(gaps) else None,
                     "best gap (points)": float(gaps.max()) if len(gaps) else None,
                     "cells at or above the paper": int((gaps >= 0).sum()),
                     "collapsed rows left out": int(group["collapsed"].sum()),
                     "reduced profile": bool(group["reduced"].any())})
    order = {p: i for i, p in enumerate(PAPER_ORDER)}
    frame = pd.DataFrame(rows, columns=["paper", "protocol kind", "cells", "median gap (points)",
                                        "largest shortfall (points)", "best gap (points)",
                                        "cells at or above the paper", "collapsed rows left out",
                                        "reduced profile"])
    return frame.sort_values(["paper", "protocol kind"], key=lambda s: s.map(order) if s.name == "paper" else s,
                             ignore_index=True)


def headlines(cells):
    """Per paper and protocol kind, the paper's headline: its HIGHEST printed overall accuracy (WA; another
    accuracy-type metric only where a paper prints no WA) among the compared cells, the number a paper leads with,
    with ours for the same cell. Per-class cells are not headlines; collapsed models are left out."""
    import pandas as pd

    rows = []
    trained = cells[~cells["collapsed"]]
    for (paper, independent), group in trained.groupby(["paper", "speaker_independent"], sort=False):
        if (group["metric"] == "WA").any():
            group = group[group["metric"] == "WA"]
        best = group.sort_values(["paper_value", "table", "row", "metric"], ascending=[False, True, True, True]).iloc[0]
        rows.append({"paper": paper, "protocol kind": "speaker-independent" if independent else "speaker-dependent",
                     "table": best["table"], "row": best["row"], "metric": best["metric"],
                     "corpus": best["corpus"], "protocol": best["protocol"],
                     "paper (%)": round(100 * float(best["paper_value"]), 2),
                     "ours (%)": round(100 * float(best["ours"]), 2),
                     "gap (points)": round(float(best["gap_points"]), 2)})
    columns = ["paper", "protocol kind", "table", "row", "metric", "corpus", "protocol", "paper (%)", "ours (%)",
               "gap (points)"]
    return pd.DataFrame(rows, columns=columns)


_VERDICT_NOTE = re.compile(r"verdict: (?P<verdict>[^;]+)")


def paired_verdicts(root: Path | None = None, papers=PAPER_ORDER):
    """Every paired comparison the reproductions wrote (metrics starting with ``Δ``, verdict in the notes, see
    :mod:`serlib.evaluate.paired`), counted per paper: how many differences are resolved ("A > B" / "B > A")
    and how many are inside the noise."""
    import pandas as pd

    rows = []
    for paper in papers:
        for path in results_tables(paper, root):
            frame = read_results(path)
            frame = frame[frame["metric"].astype(str).str.startswith("Δ")]
            for _, row in frame.iterrows():
                found = _VERDICT_NOTE.search(str(row.get("notes", "")))
                rows.append({"paper": paper, "table": row["table"], "comparison": row["row"],
                             "metric": row["metric"], "corpus": row["corpus"], "protocol": row["protocol"],
                             "verdict": found["verdict"].strip() if found else "no verdict recorded",
                             "source": f"results/{paper}/{path.name}"})
    return pd.DataFrame(rows, columns=["paper", "table", "comparison", "metric", "corpus", "protocol", "verdict",
                                       "source"])


def paired_verdict_counts(comparisons):
    """:func:`paired_verdicts` counted per paper: comparisons, resolved, inside the noise."""
    import pandas as pd

    from ..evaluate.paired import INSIDE_THE_NOISE

    rows = []
    for paper, group in comparisons.groupby("paper", sort=False):
        noise = int((group["verdict"] == INSIDE_THE_NOISE).sum())
        unknown = int((group["verdict"] == "no verdict recorded").sum())
        rows.append({"paper": paper, "paired comparisons": int(len(group)),
                     "resolved (A > B or B > A)": int(len(group)) - noise - unknown,
                     "inside the noise": noise, "no verdict recorded": unknown})
    return pd.DataFrame(rows, columns=["paper", "paired comparisons", "resolved (A > B or B > A)",
                                       "inside the noise", "no verdict recorded"])


def sources(root: Path | None = None, papers=PAPER_ORDER, claims: bool = False) -> list[Path]:
    """The files the closing tables read: every paper's results tables, or (``claims=True``) its claims.csv."""
    if claims:
        return [p for p in (_paper_dir(paper, root) / "claims.csv" for paper in papers) if p.is_file()]
    return [path for paper in papers for path in results_tables(paper, root)]


def run_provenance(root: Path | None = None, papers=PAPER_ORDER):
    """Per paper: results files, the modes, devices and revisions their rows record, whether any row says it
    came from a reduced profile, and the tables the budget skipped (``skipped.csv``)."""
    import pandas as pd

    rows = []
    for paper in papers:
        tables = results_tables(paper, root)
        row = {"paper": paper, "results files": len(tables), "modes": NOT_RUN, "devices": "", "revisions": "",
               "reduced profile": False, "skipped tables": ""}
        if tables:
            frame = pd.concat([read_results(p) for p in tables], ignore_index=True)
            row.update({"modes": ", ".join(sorted(set(frame["mode"].astype(str)))),
                        "devices": ", ".join(sorted(set(frame["device"].astype(str)))),
                        "revisions": ", ".join(sorted(set(frame["revision"].astype(str)))),
                        "reduced profile": bool(frame["notes"].fillna("").astype(str)
                                                .str.contains("REDUCED", case=False).any())})
        skipped = _paper_dir(paper, root) / "skipped.csv"
        if skipped.is_file():
            listed = pd.read_csv(skipped, keep_default_na=False)
            row["skipped tables"] = ", ".join(listed["table"].astype(str)) if "table" in listed.columns else ""
        rows.append(row)
    return pd.DataFrame(rows)


def gap_figure(cells, path=None):
    """Strip chart of every compared cell's gap (ours - paper, points) per paper, coloured by protocol kind;
    collapsed models drawn hollow. Saved to ``path`` (PNG) when given; returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    from . import style

    papers = [p for p in PAPER_ORDER if p in set(cells["paper"])]
    colours = {True: style.OKABE_ITO[0], False: style.OKABE_ITO[1]}
    rng = np.random.default_rng(0)  # the jitter only spreads overlapping points; fixed, so the figure is too
    with style.course_style():
        fig, ax = plt.subplots(figsize=(7.0, 0.9 + 0.5 * max(len(papers), 1)))
        for y, paper in enumerate(papers):
            group = cells[cells["paper"] == paper]
            for independent, sub in group.groupby("speaker_independent"):
                jitter = y + rng.uniform(-0.18, 0.18, len(sub))
                collapsed = sub["collapsed"].to_numpy(dtype=bool)
                kind = "speaker-independent" if independent else "speaker-dependent"
                for hollow in (False, True):
                    part = collapsed if hollow else ~collapsed
                    if part.any():
                        ax.scatter(sub["gap_points"].to_numpy()[part], jitter[part], s=14,
                                   facecolors="none" if hollow else colours[bool(independent)],
                                   edgecolors=colours[bool(independent)], linewidths=0.8,
                                   label=kind + (" (collapsed model)" if hollow else ""))
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(range(len(papers)), papers)
        ax.set_ylim(len(papers) - 0.5, -0.5)
        style.label_axes(ax, x="ours − paper's number", x_unit="percentage points", y="paper", y_unit=None)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        if unique:
            ax.legend(unique.values(), unique.keys(), loc="best", frameon=False)
        ax.set_title("Every cell with a printed number: our stand-in result minus the paper's")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    return fig
