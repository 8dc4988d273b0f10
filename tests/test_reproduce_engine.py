"""The experiment engine through `serlib reproduce fla_ser` (quick mode): budget, resume, executors.

Separate from test_reproduce_fla_ser.py so that the parallel test runner can run the two files side by side.
"""
import json

import pytest

from serlib.cli import main
from serlib.results import read_results


def test_a_budget_runs_what_fits_and_writes_what_it_skipped(tiny_synthetic, tmp_path):
    from serlib.experiments.harness import reproduce

    root, _ = tiny_synthetic
    reproduce("fla_ser", roots={"synthetic": str(root)}, mode="quick", budget_min=0.05,
              results_root=tmp_path / "results", figures_root=tmp_path / "figures", progress=False)
    skipped = (tmp_path / "results" / "fla_ser" / "skipped.quick.csv").read_text()
    assert "table3," in skipped and "over the budget" in skipped
    assert (tmp_path / "results" / "fla_ser" / "table4.quick.csv").exists()
    assert not (tmp_path / "results" / "fla_ser" / "table3.quick.csv").exists()


def test_resume_reuses_the_finished_jobs_and_gives_the_same_numbers(tiny_synthetic, tmp_path, monkeypatch):
    from serlib.experiments.harness import reproduce

    # its own cache: --resume reopens the LATEST job store of the paper, which a reproduction running in
    # another test worker at the same time would otherwise replace
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path / "cache"))
    root, _ = tiny_synthetic
    frames, infos = [], []
    for name, resume in (("first", False), ("resumed", True)):
        out = tmp_path / name
        reproduce("fla_ser", ["table5_snr"], roots={"synthetic": str(root)}, mode="quick", force=True, resume=resume,
                  results_root=out / "results", figures_root=out / "figures", progress=False)
        frames.append(read_results(out / "results" / "fla_ser" / "table5_snr.quick.csv"))
        infos.append(json.loads((out / "results" / "fla_ser" / "provenance.quick.json").read_text()))
    assert infos[0]["jobs_from_store"] == 0
    assert infos[1]["jobs_from_store"] == infos[1]["jobs"] > 0  # nothing trained again
    key = ["row", "metric", "protocol"]
    merged = frames[0].merge(frames[1], on=key, suffixes=("_first", "_resumed"))
    assert len(merged) == len(frames[0])
    assert (merged["ours_first"].fillna(-1) == merged["ours_resumed"].fillna(-1)).all()


@pytest.mark.slow
def test_pool_and_ray_executors_give_the_in_process_numbers(tiny_synthetic, tmp_path):
    """`serlib reproduce fla_ser --mode quick --jobs 2` and `--executor ray` (local) equal the in-process run."""
    pytest.importorskip("ray")
    root, _ = tiny_synthetic
    frames = {}
    for name, extra in {"inprocess": [], "pool": ["--jobs", "2"], "ray": ["--executor", "ray", "--jobs", "2"]}.items():
        out = tmp_path / name
        code = main(["reproduce", "fla_ser", "table5_snr", "--mode", "quick", "--root", f"synthetic={root}",
                     "--threads-per-job", "1", "--results", str(out / "results"), "--figures", str(out / "figures"),
                     *extra])
        assert code == 0
        frame = read_results(out / "results" / "fla_ser" / "table5_snr.quick.csv")
        frames[name] = frame.set_index(["row", "metric", "protocol"])["ours"].sort_index()
        info = json.loads((out / "results" / "fla_ser" / "provenance.quick.json").read_text())
        assert info["executor"] == name and info["jobs_from_store"] == 0  # trained here, not read from a store
    measured = frames["inprocess"].dropna()
    assert len(measured) >= 10
    for name in ("pool", "ray"):
        assert frames[name].dropna().equals(measured), name


def test_provenance_keeps_one_record_per_invocation(tiny_synthetic, tmp_path, capsys):
    from serlib.experiments.harness import reproduce

    root, _ = tiny_synthetic
    path = tmp_path / "results" / "fla_ser" / "provenance.quick.json"
    for _ in range(2):
        reproduce("fla_ser", ["table4"], roots={"synthetic": str(root)}, mode="quick", force=True,
                  results_root=tmp_path / "results", figures_root=tmp_path / "figures", progress=False)
    info = json.loads(path.read_text())
    assert len(info["invocations"]) == 2  # block-by-block runs keep every block's record
    assert info["invocations"][-1]["date"] == info["date"] and info["tables"] == ["table4"]
    assert "invocations" not in info["invocations"][0]
    path.write_text("{not json")  # a damaged record is reported and replaced, not merged
    reproduce("fla_ser", ["table4"], roots={"synthetic": str(root)}, mode="quick", force=True,
              results_root=tmp_path / "results", figures_root=tmp_path / "figures", progress=False)
    assert "unreadable" in capsys.readouterr().out
    assert len(json.loads(path.read_text())["invocations"]) == 1
