"""The live, quick-mode parts of notebook 07 (SpeechNet): the model traced module by module, a tiny SpeechNet
trained on the synthetic corpus and its routing looked at, the balanced margin loss, and a worked example of the
reproducibility metrics.

The committed reproduction numbers come from :mod:`serlib.experiments.speechnet` and ``results/speechnet/``;
this module holds what the notebook RUNS.
"""
from __future__ import annotations

import numpy as np

from ..models.speechnet import SPEECHNET_ABLATION, TINY_CONFIG
from .common import RunSpec, run_spec

#: The quick training of notebook 07 (the paper's optimiser and batch logic at toy size).
QUICK_TRAIN = {"epochs": 15, "patience": None, "batch_size": 16, "lr": 2e-3}
QUICK_SUBSET_PER_SPEAKER = 12
FRONT_END = "fusion107_frames"
#: Which sub-module of :class:`~serlib.models.speechnet.SpeechNet` computes which equation.
STAGES = (("encoding", "information encoding (Eq. 7)"), ("recall", "speech recall, LSTM (Eq. 8)"),
          ("attention", "pre-attention + multi-head attention (Eq. 9)"),
          ("refinement", "signal refinement, Conv1D (Eqs. 10-11)"), ("dropout", "dropout 0.5"),
          ("routing", "speech routing (Eqs. 12-14)"))


def trace_speechnet(model, x) -> list[tuple[str, tuple, tuple]]:
    """``[(stage, input shape, output shape), ...]`` of one forward pass, read by forward hooks on the model's
    own sub-modules (nothing re-implemented); the routing's output is the output capsules."""
    import torch

    from ..models.inspection import recording

    modules = {name: getattr(model, name) for name, _ in STAGES if hasattr(model, name)}
    with recording(modules) as captured, torch.no_grad():
        model(x)
    rows = []
    for name, label in STAGES:
        if name not in captured or not captured[name]:
            continue
        inputs, output = captured[name][0]
        out = output[0] if isinstance(output, tuple) else output
        rows.append((label, tuple(inputs[0].shape), tuple(out.shape)))
    return rows


def quick_spec(variant: str = "SpeechNet", root=None, loss: str | None = None) -> RunSpec:
    """A tiny SpeechNet (``TINY_CONFIG``) on the synthetic corpus, the paper's fixed 90/10 split, seed 0."""
    from ..data.synthetic import default_corpus_root

    config = {**TINY_CONFIG, **SPEECHNET_ABLATION[variant]}
    if loss:
        config["loss"] = loss
    return RunSpec(corpus="synthetic", protocol="random_90_10_fixed", model="speechnet", model_config=config,
                   train=QUICK_TRAIN, front_end=FRONT_END, normalization="train_standardizer", seeds=(0,),
                   subset_per_speaker=QUICK_SUBSET_PER_SPEAKER, root=str(root or default_corpus_root()))


def run_quick(spec: RunSpec):
    """Train ``spec`` on one thread and keep the trained model (for the routing)."""
    from .fla_ser_lesson import torch_threads

    with torch_threads(1):
        return run_spec(spec, keep_models=True)


def run_test_features(spec: RunSpec, run: dict):
    """The standardised test features of ``run`` (the same records, front end and training statistics as the
    job), with their records; raises if the split's test items differ from the run's."""
    from .common import _corpus, _features, fold_splits, normalise

    records, labels, y = _corpus(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker)
    x = _features(spec.corpus, spec.root, spec.labels, spec.subset_per_speaker, spec.front_end, spec.backend)
    split = fold_splits(spec, records, run["seed"])[0]
    if list(split.test) != list(run["test_idx"]):
        raise ValueError("the split's test items differ from the run's: the corpus changed since it ran")
    xn = normalise(x, records, split.train, spec.normalization, spec.front_end)
    return xn[split.test], [records[i] for i in split.test], labels


def routing_of(model, x) -> dict:
    """The routing of each utterance: coupling per iteration (batch, blocks, classes), block weights, the
    capsule lengths and the winning class."""
    import torch

    model.eval()
    with torch.no_grad():
        lengths, info = model(torch.as_tensor(x), return_routing=True)
    return {"coupling": [c.numpy() for c in info["coupling"]],
            "block_weights": None if info["block_weights"] is None else info["block_weights"].numpy(),
            "lengths": lengths.numpy(), "winner": lengths.argmax(1).numpy()}


def coupling_to_winner(routing: dict) -> np.ndarray:
    """(iterations, utterances): the mean coupling of the blocks to each utterance's winning capsule per iteration
    (1 / classes = no preference; with coupling over the outputs every block's couplings sum to 1)."""
    winner = routing["winner"]
    return np.array([c[np.arange(len(winner)), :, winner].mean(axis=1) for c in routing["coupling"]])


#: A hand-checkable example of Eqs. 1-6: R = 4 runs (rows) x N = 6 utterances (columns), 3 classes.
WORKED_PREDICTIONS = np.array([[0, 1, 2, 0, 1, 2],
                               [0, 1, 2, 1, 1, 0],
                               [0, 1, 1, 1, 2, 0],
                               [0, 1, 2, 2, 0, 1]])
WORKED_TRUTH = np.array([0, 2, 2, 1, 1, 0])


def worked_example() -> dict:
    """C_i, the number of correct runs, and the six metrics of :data:`WORKED_PREDICTIONS`."""
    from ..evaluate.reproducibility import consistency_counts, correct_counts, reproducibility_metrics

    return {"C_i": consistency_counts(WORKED_PREDICTIONS).tolist(),
            "correct runs": correct_counts(WORKED_PREDICTIONS, WORKED_TRUTH).tolist(),
            **reproducibility_metrics(WORKED_PREDICTIONS, WORKED_TRUTH)}
