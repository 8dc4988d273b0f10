"""The numbers behind notebook 06's discussion of FLA-SER, as tables computed from results and the paper.

The notebook's prose names no number; it points at these tables, which are
recomputed from ``results/fla_ser/`` and the paper's values (as stored in
:mod:`serlib.experiments.fla_ser` and :mod:`serlib.models.fla_ser`) whenever it runs.
"""
from __future__ import annotations

from typing import Mapping


def literature_gap(table7, claim: str = "FLA-SER (paper)"):
    """The WA the paper quotes for each method of its Table 7, and how far its own claim lies above each."""
    import pandas as pd

    quoted = table7[(table7["metric"] == "WA") & table7["ours"].isna()].set_index("row")["paper_value"].astype(float)
    if claim not in quoted:
        raise KeyError(f"Table 7 has no quoted WA row {claim!r}; rows: {sorted(quoted.index)}")
    frame = pd.DataFrame({"WA quoted (%)": (100 * quoted).round(1),
                          "errors (%)": (100 * (1 - quoted)).round(1),
                          "claim minus this (points)": (100 * (quoted[claim] - quoted)).round(1)})
    return frame.rename_axis("method").reset_index()


def complexity_vs_paper(complexity, paper_table6: Mapping[str, Mapping], models: Mapping[str, str]):
    """Per model: parameters and GFLOPs ours (paper size, this CPU) and the paper's, latency ours (CPU, batch 1)
    and the paper's (its GPU)."""
    import pandas as pd

    def ours(row, metric):
        part = complexity[(complexity["row"] == row) & (complexity["metric"] == metric)]
        return float(part["ours"].iloc[0]) if len(part) else float("nan")

    rows = []
    for key, row in models.items():
        paper = paper_table6[key]
        rows.append({"model": row, "params M (ours)": round(ours(row, "params_M"), 2),
                     "params M (paper)": paper["params_M"], "GFLOPs (ours)": round(ours(row, "GFLOPs"), 2),
                     "GFLOPs (paper)": paper["GFLOPs"],
                     "ms/sample ours (CPU, batch 1)": round(ours(row, "ms_per_sample_batch1_cpu"), 1),
                     "ms/sample paper (its GPU)": paper["ms_per_sample"]})
    return pd.DataFrame(rows)
