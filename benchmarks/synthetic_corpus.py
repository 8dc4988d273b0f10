"""Benchmark of the embedded synthetic corpus: generation time and a simple baseline.

1. Generates the default corpus (:class:`serlib.data.synthetic.SyntheticConfig`)
   into a fresh temporary folder on ONE CPU core (BLAS/OpenMP threads set to 1
   before numpy loads, the process pinned to one core where the OS allows it)
   and times it.
2. Measures how learnable it is: standardised utterance statistics of MFCC,
   energy and pitch, logistic regression, leave-one-speaker-out. The corpus is
   tuned so that this lands between 45 and 75 % for 8 classes (chance 12.5 %).
3. Writes ``benchmarks/results/synthetic_corpus.json`` and the baseline table
   ``results/course/synthetic_baseline.csv`` (mode full: the real measurement
   for this corpus).

``--tiny`` runs the same steps on :meth:`SyntheticConfig.tiny` in seconds and
writes quick-mode results (``synthetic_baseline.quick.csv``), for tests.

Usage: ``python benchmarks/synthetic_corpus.py [--tiny] [--json PATH] [--results-root DIR]``
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from serlib import settings  # noqa: E402
from serlib.data.records import load_corpus  # noqa: E402
from serlib.data.synthetic import EMOTIONS, SyntheticConfig, generate_corpus, parse_segments  # noqa: E402
from serlib.results import Provenance, rows_from_summary, write_results  # noqa: E402

HERE = Path(__file__).resolve().parent
FRAME = 400  # 25 ms at 16 kHz
HOP = 160  # 10 ms
SPEECH_RANGE_DB = 35.0  # frames within this of the loudest frame count as speech
BASELINE_ROW = "logistic regression on MFCC + energy + pitch statistics"
TARGET_WA = (0.45, 0.75)  # the corpus's design target: learnable, not trivial (chance 0.125)


def pin_to_one_core() -> str:
    """Restrict this process to one CPU core; returns a description of what was done."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}, BLAS/OpenMP threads 1"
    return "BLAS/OpenMP threads 1 (no CPU affinity on this OS)"


def utterance_features(path: str) -> np.ndarray:
    """33 utterance statistics: MFCC 1-13 mean and std, RMS dB mean/std/max, F0 median,
    std and 10-90 % range in semitones (YIN on loud frames), fraction of speech frames."""
    import librosa
    import soundfile as sf

    signal, sr = sf.read(path, dtype="float32")
    rms_db = librosa.amplitude_to_db(librosa.feature.rms(y=signal, frame_length=FRAME, hop_length=HOP)[0],
                                     ref=1.0, amin=1e-6)
    speech = rms_db > rms_db.max() - SPEECH_RANGE_DB
    mfcc = librosa.feature.mfcc(y=signal, sr=sr, n_mfcc=13, n_fft=512, win_length=FRAME, hop_length=HOP,
                                n_mels=40)[:, :len(rms_db)]
    f0 = librosa.yin(signal, fmin=60, fmax=500, sr=sr, frame_length=1024, hop_length=HOP)
    f0 = f0[:len(rms_db)]
    loud = rms_db > rms_db.max() - 25.0
    semitones = 12 * np.log2(f0[loud] / 100.0)
    return np.concatenate([
        mfcc[:, speech].mean(axis=1), mfcc[:, speech].std(axis=1),
        [rms_db[speech].mean(), rms_db[speech].std(), rms_db.max()],
        [np.median(semitones), semitones.std(), np.percentile(semitones, 90) - np.percentile(semitones, 10)],
        [speech.mean()],
    ])


def mean_ci(values) -> dict:
    """Mean, sample standard deviation and 95 % t-interval of the mean over folds."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean())
    std = float(values.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1) * std / np.sqrt(n)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def speaker_independent_baseline(features: np.ndarray, labels: np.ndarray, speakers: np.ndarray, seed: int = 0
                                 ) -> dict:
    """Leave-one-speaker-out logistic regression on standardised features (fit on training speakers)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score
    from sklearn.model_selection import LeaveOneGroupOut
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    classes = [e for e in EMOTIONS if e in set(labels)]
    per_fold = {"WA": [], "UA": [], "macro_F1": []}
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    fold_speakers = []
    for train, test in LeaveOneGroupOut().split(features, labels, speakers):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000, random_state=seed))
        model.fit(features[train], labels[train])
        predicted = model.predict(features[test])
        per_fold["WA"].append(accuracy_score(labels[test], predicted))
        per_fold["UA"].append(balanced_accuracy_score(labels[test], predicted))
        per_fold["macro_F1"].append(f1_score(labels[test], predicted, average="macro", labels=classes,
                                             zero_division=0))
        confusion += confusion_matrix(labels[test], predicted, labels=classes)
        fold_speakers.append(str(speakers[test][0]))
    return {"summary": {metric: mean_ci(values) for metric, values in per_fold.items()},
            "per_fold": {metric: [round(v, 4) for v in values] for metric, values in per_fold.items()},
            "fold_speakers": fold_speakers, "classes": classes, "confusion": confusion.tolist()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny config, quick-mode results (tests)")
    parser.add_argument("--json", type=Path, default=None, help="where the measurements go")
    parser.add_argument("--results-root", type=Path, default=None, help="results folder (default: results/)")
    args = parser.parse_args(argv)

    config = SyntheticConfig.tiny() if args.tiny else SyntheticConfig()
    mode = "quick" if args.tiny else "full"
    json_path = args.json or HERE / "results" / ("synthetic_corpus.tiny.json" if args.tiny else "synthetic_corpus.json")
    cores = pin_to_one_core()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    with tempfile.TemporaryDirectory(prefix="synthetic-bench-") as tmp:
        start = time.perf_counter()
        root = generate_corpus(Path(tmp) / "corpus", config)
        generation_s = time.perf_counter() - start
        records = load_corpus("synthetic", root)
        last_ends = [parse_segments(r.extra["speech_segments"])[-1][1] for r in records]
        cut_at_end = float(np.mean([end >= config.duration_s - 1e-9 for end in last_ends]))
        start = time.perf_counter()
        features = np.stack([utterance_features(r.path) for r in records])
        feature_s = time.perf_counter() - start
    labels = np.array([r.label for r in records])
    speakers = np.array([r.speaker for r in records])
    baseline = speaker_independent_baseline(features, labels, speakers, seed=config.seed)

    measurements = {
        "config": {**config.__dict__, "emotions": list(config.emotions)},
        "config_hash": config.hash(),
        "clips": len(records),
        "speakers": len(set(speakers)),
        "generation_s": round(generation_s, 3),
        "generation_ms_per_clip": round(1000 * generation_s / len(records), 2),
        "feature_extraction_s": round(feature_s, 3),
        "fraction_of_clips_cut_at_end": round(cut_at_end, 4),
        "cpu": cores,
        "load_average_1min_before": round(load_before, 2),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "classifier": BASELINE_ROW + " (StandardScaler, C=1), leave-one-speaker-out",
        "features": "MFCC 1-13 mean+std, RMS dB mean/std/max, YIN F0 median/std/10-90% range (st), speech fraction",
        "chance": 1.0 / len(baseline["classes"]),
        "target_WA": list(TARGET_WA),
        "WA_in_target": bool(TARGET_WA[0] <= baseline["summary"]["WA"]["mean"] <= TARGET_WA[1]),
        **baseline,
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(measurements, indent=1))

    provenance = Provenance(
        corpus="synthetic (serlib generator, default config)" if not args.tiny
        else "synthetic (serlib generator, tiny config)",
        protocol="leave-one-speaker-out", speaker_independent=True, mode=mode, device="cpu",
        folds=len(baseline["fold_speakers"]), seeds=str(config.seed), epoch_policy="",
        config_hash=config.hash(),
        notes=f"{len(records)} clips, {len(set(speakers))} speakers; chance {1 / len(baseline['classes']):.3f}; "
              f"std over speaker folds",
    )
    rows = rows_from_summary(baseline["summary"], paper="course", table="synthetic_baseline", row=BASELINE_ROW,
                             provenance=provenance)
    results_file = write_results(rows, "course", "synthetic_baseline", mode=mode, root=args.results_root)
    measurements["results_file"] = str(results_file)
    summary = baseline["summary"]
    print(f"{len(records)} clips generated in {generation_s:.1f} s ({cores}); "
          f"WA {100 * summary['WA']['mean']:.1f} +- {100 * summary['WA']['std']:.1f} %, "
          f"UA {100 * summary['UA']['mean']:.1f} +- {100 * summary['UA']['std']:.1f} % "
          f"over {len(baseline['fold_speakers'])} speaker folds -> {json_path}, {results_file}")
    return measurements


if __name__ == "__main__":
    main(sys.argv[1:])
