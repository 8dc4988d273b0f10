"""The course's own experiments (paper slug ``course``).

``leakage``: the same small CNN under a speaker-DEPENDENT split (random
stratified k-fold: every speaker is in train and test) and under a
speaker-INDEPENDENT one (whole speakers held out). The gap is what speaker
leakage adds to a reported accuracy. Notebook 01 reads the results file.
"""
from __future__ import annotations

from dataclasses import replace

from .. import settings
from ..results import rows_from_summary, write_results
from .common import RunSpec, provenance_for, run_spec

LEAKAGE_PROTOCOLS = {
    # corpus -> (speaker-dependent protocol, speaker-independent protocol)
    "ravdess": ("random_kfold", "emobox_folds"),
    "emodb": ("random_kfold", "loso"),
    "synthetic": ("random_kfold", "speaker_kfold"),
}


def leakage_specs(corpus: str, mode: str, root=None) -> list[RunSpec]:
    dependent, independent = LEAKAGE_PROTOCOLS[corpus]
    if mode == "quick":
        base = RunSpec(corpus=corpus, protocol=dependent, model="small_cnn", model_config={"width": 8},
                       train={"epochs": 6, "batch_size": 32, "lr": 2e-3, "patience": 3}, seeds=(0,), max_folds=2,
                       subset_per_speaker=32 if corpus == "synthetic" else 24)
    else:
        base = RunSpec(corpus=corpus, protocol=dependent, model="small_cnn", model_config={"width": 8},
                       train={"epochs": 15, "batch_size": 32, "lr": 2e-3, "patience": 4}, seeds=(0,))
    base = replace(base, root=str(root) if root else None)
    return [base, replace(base, protocol=independent)]


def run_leakage(corpus: str = "synthetic", mode: str | None = None, progress: bool = False,
                results_root=None, root=None) -> list[dict]:
    """Run the leakage contrast on ``corpus`` and write ``results/course/leakage.csv``."""
    mode = settings.mode(mode)
    rows = []
    for spec in leakage_specs(corpus, mode, root):
        outcome = run_spec(spec, progress=progress)
        note = ("quick mode: 2 folds, 6 epochs, 32 clips per speaker" if mode == "quick" else "")
        rows += rows_from_summary(outcome.summary, paper="course", table="leakage",
                                  row=f"small_cnn / {spec.protocol}",
                                  provenance=provenance_for(outcome, mode, note))
    write_results(rows, "course", "leakage", mode=mode, root=results_root)
    return rows
