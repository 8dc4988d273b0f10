"""Evaluation: WA, UA, macro-F1, per-class tables, confusions, spread over runs, and reproducibility.

* :mod:`.metrics`: metrics of one test fold (:func:`evaluate_predictions`).
* :mod:`.aggregate`: mean, std and Student-t interval over folds x seeds.
* :mod:`.paired`: paired comparisons of two configurations over matched (fold, seed) runs
  (bootstrap interval or Wilcoxon), and the spread between seeds vs between folds.
* :mod:`.reproducibility`: speechnet Eqs. 1-6 (GLR ... PCLR) over repeated runs.
"""
from .aggregate import aggregate_confusions, aggregate_metrics, runs_frame, summarize
from .metrics import (
    METRIC_NAMES,
    confusion,
    evaluate_predictions,
    harmonic_f1,
    macro_f1,
    per_class_report,
    thresholded_precision_recall,
    unweighted_accuracy,
    weighted_accuracy,
)
from .paired import compare_runs, comparison_rows, match_runs, paired_bootstrap_ci, paired_differences, \
    spread_components, wilcoxon_signed_rank
from .reproducibility import (
    REPRODUCIBILITY_METRICS,
    consistency_counts,
    correct_counts,
    correct_learning_reproducibility,
    fractional_correct_learning_reproducibility,
    fractional_learning_reproducibility,
    general_learning_reproducibility,
    perfect_correct_learning_reproducibility,
    perfect_learning_reproducibility,
    reproducibility_metrics,
)

__all__ = [
    "METRIC_NAMES", "REPRODUCIBILITY_METRICS",
    "weighted_accuracy", "unweighted_accuracy", "macro_f1", "harmonic_f1", "thresholded_precision_recall",
    "per_class_report", "confusion", "evaluate_predictions",
    "summarize", "aggregate_metrics", "aggregate_confusions", "runs_frame",
    "match_runs", "paired_differences", "paired_bootstrap_ci", "wilcoxon_signed_rank", "compare_runs",
    "spread_components", "comparison_rows",
    "consistency_counts", "correct_counts",
    "general_learning_reproducibility", "fractional_learning_reproducibility", "perfect_learning_reproducibility",
    "correct_learning_reproducibility", "fractional_correct_learning_reproducibility",
    "perfect_correct_learning_reproducibility", "reproducibility_metrics",
]
