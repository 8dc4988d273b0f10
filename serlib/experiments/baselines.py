"""The classical speaker-independent baseline: utterance statistics of the 107-d fusion features + SVM.

What every deep model of the course has to beat: SpeechNet's 107-d frame-level
fusion features (:mod:`serlib.features.fusion`), summarised per utterance by
their mean, std, min and max (428 numbers), standardised with a scaler fitted
on the TRAINING fold only, classified by an RBF support-vector machine
(``sklearn.svm.SVC``). The SVM's C is chosen per fold on the VALIDATION
speakers (carved from the training speakers by :func:`serlib.data.splits.make_splits`),
then the model is refitted on train + validation and scored once on the test
speakers.

Protocols (speaker-independent, DESIGN.md): RAVDESS with the EmoBox actor
folds, EmoDB and the synthetic corpus leave-one-speaker-out. Results go to
``results/course/svm_baseline.csv`` (quick mode: ``svm_baseline.quick.csv``)::

    python -m serlib.experiments.baselines --corpus emodb ravdess synthetic --mode full
"""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from .. import settings
from ..data import load_corpus
from ..data.splits import PROTOCOLS, Split, make_splits
from ..features.fusion import FusionConfig, extract_fusion, fusion_dimension, utterance_statistics
from .common import corpus_label, corpus_root, select_records

PAPER = "course"
TABLE = "svm_baseline"
ROW = "SVM (RBF) on 107-d fusion statistics"
DEFAULT_PROTOCOLS = {"ravdess": "emobox_folds", "emodb": "loso", "synthetic": "loso"}
C_GRID = (0.1, 1.0, 10.0, 100.0)


@dataclass
class BaselineConfig:
    """Everything a baseline run depends on (its hash is the results' ``config_hash``)."""

    corpus: str
    protocol: str
    statistics: tuple = ("mean", "std", "min", "max")
    c_grid: tuple = C_GRID
    gamma: str = "scale"
    class_weight: str | None = "balanced"  # UA is the headline metric: do not favour the big classes
    seeds: tuple = (0,)
    subset_per_speaker: int | None = None  # quick mode: at most this many utterances per speaker
    max_folds: int | None = None  # quick mode: only the first folds
    fusion: dict = field(default_factory=lambda: FusionConfig().as_dict())

    def config_hash(self) -> str:
        payload = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha1(payload.encode()).hexdigest()[:12]


def quick_config(corpus: str) -> BaselineConfig:
    """Quick mode: 12 utterances per speaker, the first 3 folds, one seed (a minute on a laptop CPU)."""
    return BaselineConfig(corpus, DEFAULT_PROTOCOLS.get(corpus, "loso"), subset_per_speaker=12, max_folds=3)


def full_config(corpus: str) -> BaselineConfig:
    """Full mode: every utterance, every fold, three seeds (they change the validation speakers)."""
    return BaselineConfig(corpus, DEFAULT_PROTOCOLS.get(corpus, "loso"), seeds=(0, 1, 2))


def svm_pipeline(c: float, gamma: str = "scale", class_weight=None):
    """StandardScaler (fitted on what the pipeline is fitted on: training data only) + RBF SVC."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=c, kernel="rbf", gamma=gamma, class_weight=class_weight))


def utterance_matrix(paths: Sequence[str], fusion_config: FusionConfig, statistics: Sequence[str],
                     progress: bool = False) -> np.ndarray:
    """One row of fusion statistics per utterance, (utterances, len(statistics) * 107)."""
    frames = extract_fusion(paths, fusion_config, use_cache=True, progress=progress)
    return np.stack([utterance_statistics(f, statistics) for f in frames])


def evaluate_fold(features: np.ndarray, labels: np.ndarray, split: Split, label_names: Sequence[str],
                  config: BaselineConfig) -> dict:
    """Choose C on the validation speakers, refit on train + validation, score the test speakers."""
    from ..evaluate import evaluate_predictions, unweighted_accuracy

    if len(split.val) == 0:
        raise ValueError(f"split {split.name} of {split.protocol} has no validation speakers to choose C on")
    val_scores = {}
    for c in config.c_grid:
        model = svm_pipeline(c, config.gamma, config.class_weight).fit(features[split.train], labels[split.train])
        val_scores[c] = unweighted_accuracy(labels[split.val], model.predict(features[split.val]))
    best_c = max(config.c_grid, key=lambda c: (val_scores[c], -c))  # ties: the smaller, smoother C
    fit_idx = np.concatenate([split.train, split.val])
    model = svm_pipeline(best_c, config.gamma, config.class_weight).fit(features[fit_idx], labels[fit_idx])
    predictions = model.predict(features[split.test])
    metrics = evaluate_predictions(labels[split.test], predictions, label_names)
    return {"fold": split.name, "seed": split.seed, "C": best_c, "val_UA": val_scores[best_c],
            "WA": metrics["WA"], "UA": metrics["UA"], "macro_F1": metrics["macro_F1"],
            "confusion": metrics["confusion"], "n_test": len(split.test)}


def run_svm_baseline(config: BaselineConfig, root=None, progress: bool = False) -> dict:
    """Run the baseline over folds x seeds. Returns ``{"runs", "summary", "labels", "corpus_label", "n_records"}``."""
    from ..data import synthetic  # noqa: F401  (registers the synthetic corpus)
    from ..evaluate import aggregate_metrics

    if config.protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {config.protocol!r}; known: {', '.join(PROTOCOLS)}")
    if not PROTOCOLS[config.protocol].speaker_independent:
        raise ValueError(f"the SVM baseline is speaker-independent; {config.protocol!r} is not")
    fusion_config = FusionConfig(**config.fusion)
    records = select_records(load_corpus(config.corpus, corpus_root(config.corpus, root)),
                             subset_per_speaker=config.subset_per_speaker, seed=0)
    label_names = sorted({r.label for r in records})
    labels = np.array([r.label for r in records])
    features = utterance_matrix([r.path for r in records], fusion_config, config.statistics, progress)
    runs = []
    for seed in config.seeds:
        splits = make_splits(records, config.protocol, seed=seed)
        for split in splits[:config.max_folds]:
            runs.append(evaluate_fold(features, labels, split, label_names, config))
    return {"runs": runs, "summary": aggregate_metrics(runs), "labels": label_names,
            "corpus_label": corpus_label(config.corpus, root), "n_records": len(records),
            "feature_dimension": features.shape[1], "frame_dimension": fusion_dimension(fusion_config)}


def results_rows(outcome: dict, config: BaselineConfig, mode: str) -> list[dict]:
    """Results rows (WA, UA, macro_F1) with full provenance."""
    from ..results import Provenance, rows_from_summary

    folds = len({r["fold"] for r in outcome["runs"]})
    chosen = sorted({r["C"] for r in outcome["runs"]})
    notes = (f"{outcome['n_records']} utterances, {len(outcome['labels'])} classes; "
             f"{outcome['feature_dimension']} features = {'/'.join(config.statistics)} of the "
             f"{outcome['frame_dimension']}-d frames; C from {list(config.c_grid)} by validation UA "
             f"(chosen: {chosen}), refit on train+val")
    if config.subset_per_speaker or config.max_folds:
        notes += f"; reduced run: {config.subset_per_speaker} utterances/speaker, first {config.max_folds} folds"
    provenance = Provenance(corpus=outcome["corpus_label"], protocol=config.protocol,
                            speaker_independent=True, mode=mode, device="cpu", folds=folds,
                            seeds=" ".join(str(s) for s in config.seeds), epoch_policy="best_on_validation",
                            config_hash=config.config_hash(), notes=notes)
    return rows_from_summary(outcome["summary"], paper=PAPER, table=TABLE, row=ROW, provenance=provenance)


def run_and_write(corpora: Sequence[str], mode: str | None = None, progress: bool = False, root=None) -> list[dict]:
    """Run the baseline on each corpus and write ``results/course/svm_baseline[.quick].csv``; returns the rows."""
    from ..results import write_results

    mode = settings.mode(mode)
    all_rows = []
    for corpus in corpora:
        config = full_config(corpus) if mode == "full" else quick_config(corpus)
        outcome = run_svm_baseline(config, root=root, progress=progress)
        rows = results_rows(outcome, config, mode)
        write_results(rows, PAPER, TABLE, mode=mode)
        all_rows += rows
    return all_rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", default=["synthetic"], choices=sorted(DEFAULT_PROTOCOLS))
    parser.add_argument("--mode", choices=settings.MODES, default=None)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    for row in run_and_write(args.corpus, args.mode, args.progress):
        if row["metric"] in ("WA", "UA", "macro_F1"):
            print(f"{row['corpus']:<42} {row['protocol']:<13} {row['metric']:<9} "
                  f"{100 * row['ours']:5.1f} +- {100 * row['ours_std']:4.1f} %  (n={row['n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
