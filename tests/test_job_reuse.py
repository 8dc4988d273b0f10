"""Reusing an earlier revision's finished jobs (``serlib reproduce --reuse-jobs-from``): checked and labelled."""
import json

import pytest

import serlib.results
from serlib.experiments.common import RunSpec, plan_jobs, provenance_for, run_specs
from serlib.experiments.executor import JobStore
from serlib.experiments.reuse import JobReuse, ReuseError, ReuseMismatch


def tiny_spec(seeds=(0, 1)) -> RunSpec:
    return RunSpec(corpus="synthetic", protocol="speaker_kfold", model="small_cnn", model_config={"width": 4},
                   train={"epochs": 2, "batch_size": 16, "lr": 5e-3, "patience": None}, seeds=tuple(seeds),
                   max_folds=1, subset_per_speaker=4, device="cpu")


def at_revision(monkeypatch, revision: str) -> None:
    monkeypatch.setattr(serlib.results, "git_revision", lambda short=True: revision)


def store_at(root, revision: str) -> JobStore:
    """A store folder named like harness._open_store's: <time>-<revision>-<pid>-<random>."""
    return JobStore(root / f"20261201T000000-{revision}-1-abcdef")


@pytest.fixture()
def earlier(tmp_path, monkeypatch):
    """The tiny spec's jobs finished at revision aaaaaaa, in a store under tmp_path/stores."""
    at_revision(monkeypatch, "aaaaaaa")
    store = store_at(tmp_path / "stores", "aaaaaaa")
    outcome = run_specs([tiny_spec()], store=store, threads_per_job=1)[0]
    return tmp_path / "stores", store, outcome


def test_identical_jobs_of_an_earlier_revision_are_checked_reused_and_labelled(earlier, monkeypatch):
    root, old_store, old = earlier
    at_revision(monkeypatch, "bbbbbbb")
    new_store = store_at(root, "bbbbbbb")
    reuse = JobReuse(root, ("aaaaaaa",))
    outcome = run_specs([tiny_spec()], store=new_store, reuse=reuse, threads_per_job=1)[0]
    # the same runs, now under the new revision's keys, each saying where it came from
    assert [r["y_pred"] for r in outcome.runs] == [r["y_pred"] for r in old.runs]
    assert outcome.jobs_from_store == len(old.runs) == 2
    assert {r["reused_from_revision"] for r in outcome.runs} == {"aaaaaaa"}
    assert set(new_store.keys()).isdisjoint(old_store.keys())
    summary = reuse.summary()
    assert summary["jobs_reused"] == 2 and summary["by_revision"] == {"aaaaaaa": 2}
    check = summary["checks"][0]
    assert check["identical"] and check["from_revision"] == "aaaaaaa" and check["differences"] == []
    assert "2 of 2 runs reused from revision aaaaaaa" in provenance_for(outcome, "quick").notes
    # reused again from bbbbbbb's store: the runs still name the revision that trained them
    at_revision(monkeypatch, "ccccccc")
    again = run_specs([tiny_spec()], store=store_at(root, "ccccccc"), reuse=JobReuse(root, ("bbbbbbb",)),
                      threads_per_job=1)[0]
    assert {r["reused_from_revision"] for r in again.runs} == {"aaaaaaa"}
    at_revision(monkeypatch, "bbbbbbb")
    # a spec the old revision never ran trains normally, its runs unlabelled
    more = run_specs([tiny_spec(seeds=(2,))], store=new_store, reuse=reuse, threads_per_job=1)[0]
    assert more.jobs_from_store == 0 and "reused" not in provenance_for(more, "quick").notes


def test_a_stored_run_the_code_no_longer_reproduces_is_refused_and_nothing_is_reused(earlier, monkeypatch):
    root, old_store, old = earlier
    # tamper with every stored run's predictions: as if the code had changed what the run computes
    for key in old_store.keys():
        path = old_store.path(key)
        entry = json.loads(path.read_text())
        entry["value"]["y_pred"] = [(p + 1) % 4 for p in entry["value"]["y_pred"]]
        path.write_text(json.dumps(entry))
    at_revision(monkeypatch, "bbbbbbb")
    new_store = store_at(root, "bbbbbbb")
    reuse = JobReuse(root, ("aaaaaaa",))
    with pytest.raises(ReuseMismatch, match=r"differs from its stored run of revision aaaaaaa.*y_pred"):
        run_specs([tiny_spec()], store=new_store, reuse=reuse, threads_per_job=1)
    assert new_store.keys() == [] and reuse.reused == {}
    assert not reuse.checks[0]["identical"]


def test_a_job_the_store_lists_as_not_reusable_is_trained_again(earlier, monkeypatch):
    root, old_store, old = earlier
    refused = old_store.keys()[0]
    (old_store.root / "not_reusable.json").write_text(json.dumps({refused: "first job of its process"}))
    at_revision(monkeypatch, "bbbbbbb")
    reuse = JobReuse(root, ("aaaaaaa",))
    outcome = run_specs([tiny_spec()], store=store_at(root, "bbbbbbb"), reuse=reuse, threads_per_job=1)[0]
    assert reuse.summary()["jobs_reused"] == 1 and reuse.summary()["listed_not_reusable"] == 1
    assert reuse.summary()["not_reusable_reasons"] == ["first job of its process"]
    assert sum(bool(r.get("reused_from_revision")) for r in outcome.runs) == 1
    (old_store.root / "not_reusable.json").write_text("[1, 2]")
    with pytest.raises(ReuseError, match="not_reusable.json: must be a JSON object"):
        JobReuse(root, ("aaaaaaa",))


def test_a_revision_without_a_store_is_a_clear_error(earlier):
    root, _, _ = earlier
    with pytest.raises(ReuseError, match=r"--reuse-jobs-from 1234567: no job store of that revision under .*"
                                         r"revisions with stores: aaaaaaa"):
        JobReuse(root, ("1234567",))


def test_reuse_needs_a_store_to_copy_into(earlier, monkeypatch):
    root, _, _ = earlier
    with pytest.raises(ValueError, match="reuse needs a job store"):
        run_specs([tiny_spec()], store=None, reuse=JobReuse(root, ("aaaaaaa",)))


def test_job_keys_differ_by_revision_only(monkeypatch):
    at_revision(monkeypatch, "aaaaaaa")
    a = [j.key for j in plan_jobs(tiny_spec())]
    at_revision(monkeypatch, "bbbbbbb")
    b = [j.key for j in plan_jobs(tiny_spec())]
    assert len(set(a)) == 2 and set(a).isdisjoint(b)
