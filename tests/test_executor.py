"""The experiment executor: same values in-process, in a process pool and on Ray; failures isolated; resume."""
import json
import os
import warnings

import pytest

from serlib.experiments.executor import (Job, JobsFailed, JobStore, default_threads, execute, job_key,
                                         raise_for_failures, train_tiny_classifier)

FN = "serlib.experiments.executor:train_tiny_classifier"


def tiny_job(seed: int, **changes) -> Job:
    payload = {"seed": seed, "n_samples": 200, "epochs": 4, **changes}
    return Job(key=job_key(payload), label=f"tiny MLP / seed {seed}{' / ' + str(changes) if changes else ''}",
               fn=FN, payload=payload)


GOOD = [tiny_job(0), tiny_job(1), tiny_job(2)]
BAD = tiny_job(3, n_classes=1)  # a real bad input: train_tiny_classifier refuses one class


@pytest.fixture(scope="module")
def reference():
    """In-process values of the good jobs with one thread each."""
    outcomes = execute(GOOD, executor="inprocess", threads_per_job=1, progress=False)
    assert all(o.ok and o.worker == "inprocess" and not o.from_store for o in outcomes)
    return {o.key: o.value for o in outcomes}


def end_the_worker_process(payload: dict) -> dict:
    """A job that kills its own process, as a segfault or the out-of-memory killer would."""
    os._exit(int(payload["code"]))


def check_against_reference(outcomes, reference, worker_prefix):
    jobs = [GOOD[0], BAD, GOOD[1], GOOD[2]]
    assert [o.key for o in outcomes] == [j.key for j in jobs]  # order of the jobs, not of completion
    assert [o.ok for o in outcomes] == [True, False, True, True]
    for outcome in (outcomes[0], outcomes[2], outcomes[3]):
        assert outcome.value == reference[outcome.key]
        assert outcome.worker.startswith(worker_prefix) and outcome.provenance["threads"] == 1
    failed = outcomes[1]
    assert failed.value is None and failed.label == BAD.label
    assert failed.error.startswith("ValueError: train_tiny_classifier: n_classes must be at least 2")
    assert "Traceback" in failed.error


def test_job_function_is_a_real_training_run():
    value = train_tiny_classifier({"seed": 0, "n_samples": 200, "epochs": 4})
    assert 0.0 < value["WA"] < 1.0 and len(value["y_pred"]) == 40 and len(set(value["y_pred"])) > 1
    assert value == train_tiny_classifier({"seed": 0, "n_samples": 200, "epochs": 4})
    assert value != train_tiny_classifier({"seed": 1, "n_samples": 200, "epochs": 4})
    with pytest.raises(KeyError, match="unknown payload keys"):
        train_tiny_classifier({"seeds": 0})


def test_pool_gives_the_in_process_values_and_isolates_a_failure(reference, tmp_path):
    store = JobStore(tmp_path / "store")
    outcomes = execute([GOOD[0], BAD, GOOD[1], GOOD[2]], executor="pool", n_jobs=2, threads_per_job=1,
                       store=store, progress=False)
    check_against_reference(outcomes, reference, "pool:")
    assert sorted(store.keys()) == sorted(j.key for j in GOOD)  # finished jobs saved; the failed one is not
    with pytest.raises(JobsFailed, match=r"1 job\(s\) failed") as error:
        raise_for_failures(outcomes)
    assert f"{BAD.label}: ValueError: train_tiny_classifier: n_classes must be at least 2" in str(error.value)


def test_a_dying_worker_loses_no_finished_result(reference, tmp_path):
    store = JobStore(tmp_path / "store")
    crash = Job(key="crash", label="a job that ends its worker", fn="test_executor:end_the_worker_process",
                payload={"code": 3})
    outcomes = execute([GOOD[0], crash, GOOD[1]], executor="pool", n_jobs=1, threads_per_job=1, store=store,
                       progress=False)
    assert outcomes[0].ok and outcomes[0].value == reference[GOOD[0].key] and store.has(GOOD[0].key)
    assert not outcomes[1].ok and outcomes[1].error.startswith("BrokenProcessPool: the worker")
    assert not outcomes[2].ok and not store.has(GOOD[1].key)  # lost with the pool, and runs again on resume
    resumed = execute([GOOD[0], GOOD[1]], store=store, threads_per_job=1, progress=False)
    assert [o.from_store for o in resumed] == [True, False] and resumed[1].value == reference[GOOD[1].key]


@pytest.mark.slow  # starting a local Ray takes most of its time
def test_ray_local_mode_gives_the_in_process_values(reference):
    pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'serlib[ray]'")
    outcomes = execute([GOOD[0], BAD, GOOD[1], GOOD[2]], executor="ray", n_jobs=2, threads_per_job=1,
                       progress=False)
    check_against_reference(outcomes, reference, "ray:")


def test_resume_runs_only_what_the_store_lacks(reference, tmp_path, capfd):
    store = JobStore(tmp_path / "store")
    first = execute(GOOD, store=store, threads_per_job=1)
    assert [o.from_store for o in first] == [False] * 3
    err = capfd.readouterr().err
    assert f"[3/3] {GOOD[2].label}: ok in" in err and "(inprocess)" in err  # one progress line per job
    second = execute(GOOD, store=store, threads_per_job=1, progress=False)
    assert [o.from_store for o in second] == [True] * 3  # nothing ran again
    assert [o.value for o in second] == [reference[j.key] for j in GOOD]
    assert second[0].provenance == first[0].provenance and second[0].worker == "inprocess"
    store.path(GOOD[1].key).write_text('{"key": "truncated')  # a corrupt entry counts as absent
    with pytest.warns(RuntimeWarning, match="unreadable job-store entry"):
        third = execute(GOOD, store=store, threads_per_job=1, progress=False)
    assert [o.from_store for o in third] == [True, False, True]
    assert third[1].value == reference[GOOD[1].key]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.load(GOOD[1].key) == reference[GOOD[1].key]  # re-saved, readable again
    assert json.loads(store.path(GOOD[1].key).read_text())["label"] == GOOD[1].label


def test_bad_arguments_are_refused_with_their_value(tmp_path):
    with pytest.raises(ValueError, match="executor must be one of"):
        execute(GOOD, executor="dask")
    with pytest.raises(ValueError, match="share the key"):
        execute([GOOD[0], GOOD[0]])
    with pytest.raises(ValueError, match="n_jobs must be a positive integer"):
        execute(GOOD, n_jobs=0)
    with pytest.raises(ValueError, match="not a safe file name"):
        JobStore(tmp_path).save("../escape", {})
    missing = Job(key="k1", label="no such function", fn="serlib.experiments.executor:nothing_here", payload={})
    outcome = execute([missing], progress=False)[0]
    assert not outcome.ok and "cannot be imported" in outcome.error
    not_a_dict = Job(key="k2", label="returns an int", fn="builtins:len", payload={})
    assert "expected a dict" in execute([not_a_dict], progress=False)[0].error
    assert default_threads(10**6) == 1
