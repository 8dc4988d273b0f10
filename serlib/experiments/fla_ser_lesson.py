"""The live, quick-mode parts of notebook 06 (FLA-SER): tiny models trained and looked inside.

The committed reproduction numbers come from :mod:`serlib.experiments.fla_ser`
and ``results/fla_ser/``; this module holds what the notebook RUNS: the tiny
FLA-SER and Bi-LSTM base on the synthetic corpus (the runner of every
reproduction, at toy size), the features of the evaluated test clips rebuilt
for the attention maps, and the speech masks those maps are measured against.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import load_corpus
from ..data.splits import make_splits
from ..data.synthetic import default_corpus_root, parse_segments
from ..evaluate.attention import frame_centres_s, speech_frame_mask
from ..features.logmel import LOGMEL_CONFIGS
from ..models.fla_ser import FLA_SER_ABLATION, TINY_CONFIG
from .common import RunSpec, front_end_features, normalise, run_spec, select_records

#: The quick training of notebook 06 (shown by the notebook, never typed there).
QUICK_TRAIN = {"epochs": 12, "patience": None, "batch_size": 16, "lr": 2e-3, "monitor": "val_UA"}
QUICK_VARIANTS = ("+Hierarchical attention", "Bi-LSTM")
QUICK_SUBSET_PER_SPEAKER = 24
FRONT_END = "fla_ser"


def quick_specs(root=None) -> dict[str, RunSpec]:
    """One :class:`RunSpec` per quick variant: synthetic corpus, the paper's si_80_10_10, tiny models."""
    root = str(root or default_corpus_root())
    return {variant: RunSpec(corpus="synthetic", protocol="si_80_10_10", model="fla_ser",
                             model_config={**TINY_CONFIG, **FLA_SER_ABLATION[variant]}, train=QUICK_TRAIN,
                             front_end=FRONT_END, normalization="per_speaker", seeds=(0,),
                             subset_per_speaker=QUICK_SUBSET_PER_SPEAKER, root=root)
            for variant in QUICK_VARIANTS}


@contextmanager
def torch_threads(n: int):
    """Tiny models are made of small operations where thread start-up costs more than it saves (and a busy
    CPU makes several threads much slower still): train them on ``n`` threads, then restore."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def run_quick(specs: dict[str, RunSpec]) -> dict:
    """Train every spec on one thread, keeping the trained models (for the attention maps)."""
    with torch_threads(1):
        return {variant: run_spec(spec, keep_models=True) for variant, spec in specs.items()}


@dataclass
class TestClips:
    records: list
    split: object
    features: np.ndarray  # every record's normalised features; the test clips are features[split.test]


def rebuild_test_features(spec: RunSpec, run: dict) -> TestClips:
    """The records, split and normalised features ``run_spec`` used for ``run`` (same selection, split seed,
    front end and normalisation), so that maps drawn from them are those of the evaluated model."""
    records = select_records(load_corpus(spec.corpus, spec.root), spec.labels, spec.subset_per_speaker)
    split = make_splits(records, spec.protocol, seed=run["seed"])[0]
    features = normalise(front_end_features(records, spec.front_end), records, split.train, spec.normalization)
    if split.test.tolist() != run["test_idx"]:
        raise ValueError("the rebuilt split's test clips differ from the run's: the corpus or spec changed")
    return TestClips(records, split, features)


def frame_times(n_frames: int, front_end: str = FRONT_END) -> np.ndarray:
    config = LOGMEL_CONFIGS[front_end]
    return frame_centres_s(n_frames, config.hop_length, config.win_length, config.sample_rate)


def true_speech_masks(records, n_frames: int, front_end: str = FRONT_END) -> np.ndarray:
    """(clips, frames) masks of the synthetic generator's true speech segments."""
    centres = frame_times(n_frames, front_end)
    return np.array([speech_frame_mask(parse_segments(r.extra["speech_segments"]), centres) for r in records])


def standin_attention_clips(model, root, emotions=("angry", "sad", "neutral"), per_actor: int = 3) -> dict:
    """The tiny model's maps on a few clips of the first RAVDESS stand-in actor, normalised with that actor's
    own statistics (Eq. 9); the reference speech frames come from the paper's endpoint detection (Eq. 6).
    Never saved or stored: stand-in audio stays out of the committed outputs."""
    from ..evaluate.attention import attention_maps
    from ..features.logmel import load_for_config
    from ..features.preprocessing import detect_endpoints

    config = LOGMEL_CONFIGS[FRONT_END]
    corpus = load_corpus("ravdess", root)
    actor = sorted({r.speaker for r in corpus})[0]
    mine = [r for r in corpus if r.speaker == actor]
    x = normalise(front_end_features(mine, FRONT_END), mine, np.arange(len(mine)), "per_speaker")
    picks = [i for i, r in enumerate(mine) if r.label in emotions][::4][:per_actor]
    signals = [load_for_config(mine[i].path, config) for i in picks]
    masks = np.array([detect_endpoints(s, config.sample_rate).speech_mask[: x.shape[-1]] for s in signals])
    alpha, gates = attention_maps(model, x[picks])
    return {"actor": actor, "signals": signals, "images": [x[i, 0] for i in picks], "alpha": alpha, "gates": gates,
            "masks": masks, "titles": [f"RAVDESS stand-in {mine[i].utterance_id} ({mine[i].label})" for i in picks]}


def frame_energy_db(signal: np.ndarray, front_end: str = FRONT_END) -> np.ndarray:
    """Short-time energy (fla_ser Eq. 4) of each analysis frame of the front end, in dB."""
    from ..features.preprocessing import frame_signal, short_time_energy

    config = LOGMEL_CONFIGS[front_end]
    return 10 * np.log10(short_time_energy(frame_signal(signal, config.win_length, config.hop_length)) + 1e-12)


def quick_fig10(build_dir=None):
    """Run the Fig. 10 timing in quick mode (tiny models) into ``build/quick`` (never over the committed
    results) and return the path of its figure: the mechanics of the reproduction, live."""
    import contextlib
    import io

    from .. import settings
    from .harness import reproduce

    base = Path(build_dir) if build_dir is not None else settings.REPO_ROOT / "build" / "quick"
    with contextlib.redirect_stdout(io.StringIO()):
        reproduce("fla_ser", ["fig10"], mode="quick", results_root=base / "results", figures_root=base / "figures",
                  progress=False)
    return base / "figures" / "fla_ser" / "fig10_time_vs_samples.quick.png"
