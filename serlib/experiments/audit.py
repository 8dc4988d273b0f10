"""Claim audits: structured verdicts on a paper's statements, computed from its printed numbers only.

A :class:`Verdict` names the claim, where the paper makes it, the paper's own
evidence, what we computed from the printed numbers, and one of
:data:`VERDICTS`. The per-paper modules (``*_paper.py``) build them; notebooks
and reports print them as a table (:func:`verdict_table`).

Also here: the binomial confidence intervals used to ask what one run on a
test set of ``n`` utterances can show.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

VERDICTS = ("holds", "does not hold", "cannot be tested here")


@dataclass(frozen=True)
class Verdict:
    """One audited claim."""

    claim: str
    where: str
    paper_evidence: str
    computed: str
    verdict: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"Verdict for {self.claim!r}: verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def as_dict(self) -> dict:
        return asdict(self)


def verdict_table(verdicts) -> "object":
    """The verdicts as a pandas DataFrame (one row each, columns in :class:`Verdict` order)."""
    import pandas as pd

    return pd.DataFrame([v.as_dict() for v in verdicts], columns=list(Verdict.__dataclass_fields__))


def _check_counts(successes: int, n: int) -> None:
    if n < 1 or not 0 <= successes <= n or int(successes) != successes or int(n) != n:
        raise ValueError(f"need whole numbers 0 <= successes <= n and n >= 1, got successes={successes}, n={n}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927), as fractions in [0, 1].

    ``(p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with ``z`` the
    normal quantile of ``(1 + confidence) / 2``.
    """
    from scipy.stats import norm

    _check_counts(successes, n)
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) binomial interval, from the beta quantiles, as fractions."""
    from scipy.stats import beta

    _check_counts(successes, n)
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, n - successes + 1))
    high = 1.0 if successes == n else float(beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    return low, high


def achievable_counts(accuracy_percent: float, n: int, decimals: int = 2) -> list[int]:
    """Numbers of correct predictions out of ``n`` that print as ``accuracy_percent`` at ``decimals`` places."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return [k for k in range(n + 1) if round(100 * k / n, decimals) == round(accuracy_percent, decimals)]


# --------------------------------------------------------------------------- claims.csv
#: Each paper's audit of its own printed arithmetic: ``module:function`` returning Verdicts (or their dicts).
PAPER_AUDITS = {
    "speechnet": "serlib.experiments.speechnet_paper:audit_claims",
    "cnn_transformer": "serlib.experiments.cnn_transformer_paper:audit_all",
    "wavelet_cnn_lstm": "serlib.experiments.wavelet_cnn_lstm_paper:audit_all",
    "dual_stream_caf": "serlib.experiments.dual_stream_caf_paper:audit_claims",
}
CLAIMS_COLUMNS = ("claim", "where", "paper_evidence", "ours", "verdict", "evidence", "revision")


def paper_verdicts(paper: str) -> list[dict]:
    """The verdicts of ``paper``'s arithmetic audit as dicts (claim, where, paper_evidence, computed, verdict)."""
    import importlib

    if paper not in PAPER_AUDITS:
        raise KeyError(f"no claim audit for {paper!r}; audited: {', '.join(PAPER_AUDITS)}")
    module, function = PAPER_AUDITS[paper].split(":")
    verdicts = getattr(importlib.import_module(module), function)()
    rows = [v.as_dict() if hasattr(v, "as_dict") else dict(v) for v in verdicts]
    for row in rows:
        if row.get("verdict") not in VERDICTS:
            raise ValueError(f"{paper}: verdict {row.get('verdict')!r} of {row.get('claim')!r} is not one of {VERDICTS}")
    return rows


def write_claims(paper: str, results_root=None) -> "object":
    """``results/<paper>/claims.csv``: every audited claim with its verdict and what it rests on.

    ``ours`` is what we computed; ``evidence`` names where it comes from: the
    paper's own printed numbers (``serlib.experiments.<paper>_paper``) for the
    arithmetic audit. Claims that need our runs say "cannot be tested here"
    until those runs exist.
    """
    import csv
    import os
    from pathlib import Path

    from .. import settings

    from ..results import git_revision

    rows = paper_verdicts(paper)
    revision = git_revision()
    path = Path(results_root or settings.results_dir()) / paper / "claims.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CLAIMS_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"claim": row["claim"], "where": row["where"], "paper_evidence": row["paper_evidence"],
                             "ours": row["computed"], "verdict": row["verdict"],
                             "evidence": row.get("evidence") or
                             f"the paper's printed numbers (serlib.experiments.{paper}_paper)",
                             "revision": revision})
    os.replace(tmp, path)
    return path


if __name__ == "__main__":  # python -m serlib.experiments.audit: (re)write every paper's claims.csv
    for slug in PAPER_AUDITS:
        written = write_claims(slug)
        print(f"{slug}: {len(paper_verdicts(slug))} claims -> {written}")
