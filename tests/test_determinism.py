"""Same seed, machine and thread count give identical metrics and predictions (in one process and across executors).

Bit-identity across machines is NOT promised (a different CPU, thread count or
BLAS can change the last bits, and after training an argmax): that is why
results rows record cpu/threads/torch/blas and reports show spreads.
"""
from dataclasses import asdict

import pytest
import torch

from serlib.experiments.common import RunSpec, run_spec
from serlib.experiments.executor import Job, execute, job_key, threads_for_this_block

COMPARED = ("fold", "seed", "WA", "UA", "macro_F1", "confusion", "best_epoch", "y_pred", "test_idx", "history_losses")


def run_spec_job(payload: dict) -> dict:
    """A whole tiny RunSpec as one executor job: the metrics and predictions of each (fold, seed) run."""
    spec = RunSpec(**{**payload, "seeds": tuple(payload["seeds"])})
    outcome = run_spec(spec, progress=False)
    runs = []
    for run in outcome.runs:
        run = dict(run, history_losses=[[h["train_loss"], h.get("val_loss")] for h in run["history"]])
        runs.append({k: run[k] for k in COMPARED})
    return {"runs": runs}


def tiny_spec_payload(root) -> dict:
    spec = RunSpec(corpus="synthetic", protocol="speaker_kfold", model="small_cnn", model_config={"width": 8},
                   train={"epochs": 3, "batch_size": 16, "lr": 5e-3, "patience": None}, seeds=(0,), max_folds=2,
                   root=str(root), device="cpu")
    payload = asdict(spec)
    payload["seeds"] = list(payload["seeds"])
    return payload


def tiny_job(root) -> Job:
    payload = tiny_spec_payload(root)
    return Job(key=job_key(payload), label="determinism / synthetic / small_cnn / 2 folds / seed 0",
               fn="test_determinism:run_spec_job", payload=payload)


@pytest.fixture(scope="module")
def inprocess_outcome(tiny_synthetic):
    threads_before = torch.get_num_threads()
    outcome = execute([tiny_job(tiny_synthetic[0])], executor="inprocess", threads_per_job=1, progress=False)[0]
    assert torch.get_num_threads() == threads_before  # the in-process executor restores the thread count
    assert outcome.ok, outcome.error
    return outcome


def test_same_run_twice_in_one_process_is_identical(tiny_synthetic, inprocess_outcome):
    with threads_for_this_block(1):
        again = run_spec_job(tiny_spec_payload(tiny_synthetic[0]))
    assert len(again["runs"]) == 2 and inprocess_outcome.worker == "inprocess"
    assert len(set(again["runs"][0]["y_pred"])) > 1  # not a collapsed model, whose predictions match trivially
    assert again == inprocess_outcome.value  # metrics, confusions, predictions and every epoch's losses, exactly


def test_inprocess_and_pool_executors_give_identical_values(tiny_synthetic, inprocess_outcome):
    pool = execute([tiny_job(tiny_synthetic[0])], executor="pool", n_jobs=1, threads_per_job=1, progress=False)[0]
    assert pool.ok, pool.error
    assert pool.worker.startswith("pool:") and pool.provenance["threads"] == inprocess_outcome.provenance["threads"] == 1
    assert pool.value == inprocess_outcome.value
