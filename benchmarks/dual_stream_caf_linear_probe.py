"""dual_stream_caf: is WakeHuBERT-tiny's frozen representation worth more than log-Mel means? (prints only)

A linear probe on the EmoDB stand-in (the first 20 clips of each of the 10
speakers, 200 clips of 2 s): utterance vectors -> standardisation ->
logistic regression, 5 speaker-independent folds (GroupKFold by speaker,
2 speakers held out per fold); WA and UA as mean +- std over folds. Vectors:
WakeHuBERT-tiny frozen, mean over frames (128-d; a distilled stand-in for
HuBERT, not HuBERT) and mean + std (256-d), against log-Mel means (64 Mels of
the course front end; 128 Mels of the dual_stream_caf front end before its
resize) and log-Mel mean + std. Nothing is written: stand-in numbers stay out
of the repository.

    python benchmarks/dual_stream_caf_linear_probe.py [--root ../shared/data/emodb-2s]
"""
from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np
import torch

from serlib import settings
from serlib.data import load_corpus
from serlib.features.logmel import LOGMEL_CONFIGS, load_for_config, logmel_torch
from serlib.models.speech_encoders import masked_mean, wakehubert_tiny_encoder


def main(argv=None) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=None, help="EmoDB folder (default: the stand-in)")
    parser.add_argument("--per-speaker", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    root = args.root or settings.standin_root("emodb")
    if root is None:
        raise SystemExit("no EmoDB folder: pass --root or provide the stand-in corpora")
    torch.manual_seed(0)
    chosen, per_speaker = [], Counter()
    for record in load_corpus("emodb", root):  # sorted by speaker, then utterance id
        if per_speaker[record.speaker] < args.per_speaker:
            per_speaker[record.speaker] += 1
            chosen.append(record)
    config = LOGMEL_CONFIGS["course"]  # 16 kHz, exactly 2 s
    waves = np.stack([load_for_config(r.path, config) for r in chosen]).astype(np.float32)
    labels = np.array([r.label for r in chosen])
    speakers = np.array([r.speaker for r in chosen])
    started = time.perf_counter()
    encoder = wakehubert_tiny_encoder(frozen=True)
    with torch.no_grad():
        parts = []
        for start in range(0, len(waves), 32):
            frames, mask = encoder(torch.from_numpy(waves[start:start + 32]))
            parts.append(torch.cat([masked_mean(frames, mask), frames.std(dim=1)], dim=1).numpy())
    wakehubert = np.concatenate(parts)
    print(f"{len(chosen)} clips, {len(per_speaker)} speakers; WakeHuBERT-tiny features in "
          f"{time.perf_counter() - started:.1f} s")
    logmel = {}
    for name in ("course", "dual_stream_caf"):
        front_end = LOGMEL_CONFIGS[name].replace(resize=None)
        spectra = logmel_torch(torch.from_numpy(waves), front_end, device="cpu").numpy()
        logmel[name] = np.concatenate([spectra.mean(axis=2), spectra.std(axis=2)], axis=1)
    vectors = {"WakeHuBERT-tiny frozen, mean (128)": wakehubert[:, :128],
               "WakeHuBERT-tiny frozen, mean+std (256)": wakehubert,
               "log-Mel 64 (course), mean": logmel["course"][:, :64],
               "log-Mel 64 (course), mean+std": logmel["course"],
               "log-Mel 128 (dual_stream_caf, no resize), mean": logmel["dual_stream_caf"][:, :128]}
    results = {}
    for name, x in vectors.items():
        wa, ua = [], []
        for train, test in GroupKFold(n_splits=args.folds).split(x, labels, speakers):
            probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
            predicted = probe.fit(x[train], labels[train]).predict(x[test])
            wa.append(accuracy_score(labels[test], predicted))
            ua.append(balanced_accuracy_score(labels[test], predicted))
        results[name] = {"WA": (float(np.mean(wa)), float(np.std(wa))), "UA": (float(np.mean(ua)), float(np.std(ua)))}
        print(f"{name:48s} WA {np.mean(wa):.3f} +- {np.std(wa):.3f}   UA {np.mean(ua):.3f} +- {np.std(ua):.3f}")
    print(f"majority class: {max(Counter(labels).values()) / len(labels):.3f}")
    return results


if __name__ == "__main__":
    main()
