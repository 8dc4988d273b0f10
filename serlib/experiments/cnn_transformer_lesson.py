"""The live, quick-mode parts of notebook 08 (cnn_transformer): the input chain on one clip, a tiny model trained
on the synthetic corpus, and its cross-attention weights over time.

The committed reproduction numbers come from :mod:`serlib.experiments.cnn_transformer` and
``results/cnn_transformer/``; this module holds what the notebook RUNS.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import load_corpus
from ..data.splits import make_splits
from ..data.synthetic import default_corpus_root
from ..evaluate.attention import frame_centres_s
from .common import RunSpec, front_end_features, normalise, run_spec, select_records

FRONT_END = "cnn_transformer_standin_cpu"
#: The quick training of notebook 08: the paper's SGD (momentum 0.8, wd 1e-3), lowest validation loss kept.
QUICK_TRAIN = {"epochs": 10, "patience": 4, "min_epochs": 3, "batch_size": 16, "lr": 0.03, "optimizer": "sgd",
               "momentum": 0.8, "weight_decay": 1e-3, "monitor": "val_loss"}
QUICK_SUBSET_PER_SPEAKER = 24


def front_end_config(name: str = FRONT_END):
    from ..features.cnn_transformer_input import FRONT_END_CONFIGS

    return FRONT_END_CONFIGS[name]


def quick_spec(root=None, variant: str = "full") -> RunSpec:
    """The CPU run's model (``CPU_MODEL``) on the synthetic corpus, the paper's per-emotion 80/10/10, seed 0."""
    from .cnn_transformer import CPU_MODEL

    config = front_end_config()
    return RunSpec(corpus="synthetic", protocol="stratified_80_10_10", model="cnn_transformer",
                   model_config={**CPU_MODEL, "n_mels": config.n_mels, "n_frames": config.num_frames(),
                                 "variant": variant},
                   train=QUICK_TRAIN, front_end=FRONT_END, seeds=(0,), subset_per_speaker=QUICK_SUBSET_PER_SPEAKER,
                   root=str(root or default_corpus_root()), device="cpu")


def run_quick(spec: RunSpec):
    """Train ``spec`` on one thread in this process, keeping the trained model (``run["model"]``)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny operations: thread start-up costs more than it saves
    try:
        return run_spec(spec, keep_models=True)
    finally:
        torch.set_num_threads(before)


@dataclass
class TestClips:
    records: list
    split: object
    features: np.ndarray  # every record's standardised features; the test clips are features[split.test]


def rebuild_test_features(spec: RunSpec, run: dict) -> TestClips:
    """The records, split and standardised features ``run_spec`` used for ``run`` (same selection, split seed,
    front end, training-set scaler), so the attention drawn from them is that of the evaluated model."""
    records = select_records(load_corpus(spec.corpus, spec.root), spec.labels, spec.subset_per_speaker)
    split = make_splits(records, spec.protocol, seed=run["seed"])[0]
    features = normalise(front_end_features(records, spec.front_end), records, split.train, spec.normalization,
                         spec.front_end)
    if split.test.tolist() != run["test_idx"]:
        raise ValueError("the rebuilt split's test clips differ from the run's: the corpus or spec changed")
    return TestClips(records, split, features)


def cross_attention_over_time(model, x) -> np.ndarray:
    """cnn_transformer Eq. 8 weights of each clip over its Transformer frames, ``(clips, T')`` (one head: squeezed)."""
    import torch

    with torch.no_grad():
        _, maps = model.eval()(torch.as_tensor(np.asarray(x), dtype=torch.float32), return_attention=True)
    if "cross_attention" not in maps:
        raise KeyError("the model returns no cross-attention: only variant 'full' has it")
    alpha = maps["cross_attention"].numpy()
    return alpha[:, 0] if alpha.ndim == 3 else alpha


def frame_times(n_frames: int, name: str = FRONT_END) -> np.ndarray:
    """Centre time (s, from the 0.5-s offset) of each analysis frame of the front end."""
    config = front_end_config(name)
    return frame_centres_s(n_frames, config.hop_length, config.win_length, config.sample_rate)


def preprocessing_chain(signal: np.ndarray, sr: int, name: str = "cnn_transformer_standin_16k", snr_db: float = 20.0,
                        seed: int = 0) -> dict:
    """cnn_transformer III-B on one clip: crop/pad (step 1), one AWGN copy (step 3), log-Mel (step 4).

    Returns the arrays of each step (``cropped``, ``noisy``, ``logmel``, ``logmel_noisy``) and their shapes.
    Standardisation (step 5) needs the training subset and is shown separately.
    """
    from ..audio import resample
    from ..augment import add_white_noise
    from ..features.cnn_transformer_input import crop_and_pad
    from ..features.logmel import logmel_librosa

    config = front_end_config(name)
    cropped = crop_and_pad(resample(np.asarray(signal, dtype=np.float32), sr, config.sample_rate), config.sample_rate,
                           config.offset_s, config.duration_s)
    noisy = add_white_noise(cropped, snr_db, np.random.default_rng(seed)).astype(np.float32)
    return {"config": config, "cropped": cropped, "noisy": noisy, "logmel": logmel_librosa(cropped, config),
            "logmel_noisy": logmel_librosa(noisy, config)}


def branch_shapes(model, x) -> dict:
    """The tensor shape after each stage of both branches and the fusion (Eqs. 1-10) for input ``x``."""
    import torch

    with torch.no_grad():
        f_cnn = model.cnn_branch(x)
        f_transf = model.transformer_branch(x)
        f_fused, alpha = model.cross_attention(f_cnn, f_transf)
        logits = model(x)
    return {"input": tuple(x.shape), "pooled 2 x 4 for the Transformer": tuple(model.transformer_pool(x).shape),
            "f_cnn": tuple(f_cnn.shape), "f_transf": tuple(f_transf.shape), "alpha (Eq. 8)": tuple(alpha.shape),
            "f_fused (Eq. 9)": tuple(f_fused.shape), "logits (Eq. 10)": tuple(logits.shape)}


def attention_entropy(alpha: np.ndarray) -> np.ndarray:
    """Entropy of each clip's attention over time divided by log T' (1 = uniform, i.e. mean pooling)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return -(alpha * np.log(np.clip(alpha, 1e-30, None))).sum(axis=1) / np.log(alpha.shape[1])


def committed_results() -> dict:
    """``{table: frame or None}`` of the committed full-mode results of every reproduced table."""
    from ..report import results_view
    from ..results import results_path
    from .cnn_transformer import PAPER, TABLES

    return {t: results_view.load(PAPER, t) if results_path(PAPER, t).exists() else None for t in TABLES}


def draw_committed(table: str, frame) -> list:
    """Draw the committed rows of ``table`` with the reproduction's own figure function (nothing if absent)."""
    from .. import settings
    from .cnn_transformer import PAPER, TABLES
    from .harness import TableContext

    if frame is None or TABLES[table].figure is None:
        return []
    ctx = TableContext(PAPER, table, "full", "cpu", {}, settings.results_dir(), settings.figures_dir())
    return TABLES[table].figure(frame, ctx)
