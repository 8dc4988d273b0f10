"""Results files: schema, provenance, partial updates, quick mode never touching full results."""
import pytest

from serlib.results import (COLUMNS, Provenance, ResultsError, read_results, results_path, rows_from_summary,
                            write_results)


def provenance(mode="full"):
    return Provenance(corpus="synthetic", protocol="loso", speaker_independent=True, mode=mode, device="cpu",
                      folds=4, seeds="0")


def test_write_read_roundtrip_with_provenance(tmp_path):
    summary = {"WA": {"mean": 0.5, "std": 0.1, "ci_low": 0.4, "ci_high": 0.6, "n": 4}}
    rows = rows_from_summary(summary, paper="fla_ser", table="table3", row="Bi-LSTM", provenance=provenance(),
                             paper_values={"WA": 0.712})
    path = write_results(rows, "fla_ser", "table3", root=tmp_path)
    frame = read_results(path)
    assert list(frame.columns) == COLUMNS
    row = frame.iloc[0]
    assert row["paper_value"] == pytest.approx(0.712) and row["ours"] == pytest.approx(0.5)
    assert row["revision"] and row["date"] and row["mode"] == "full"


def test_update_replaces_only_the_same_cells(tmp_path):
    summary = {"WA": {"mean": 0.5}, "UA": {"mean": 0.4}}
    write_results(rows_from_summary(summary, paper="p", table="t", row="a", provenance=provenance()), "p", "t",
                  root=tmp_path)
    write_results(rows_from_summary({"WA": {"mean": 0.9}}, paper="p", table="t", row="a", provenance=provenance()),
                  "p", "t", root=tmp_path)
    frame = read_results("p", "t", root=tmp_path)
    assert sorted(frame["metric"]) == ["UA", "WA"]
    assert frame.set_index("metric").loc["WA", "ours"] == pytest.approx(0.9)


def test_quick_mode_writes_a_separate_file(tmp_path):
    assert results_path("p", "t", "quick", tmp_path).name == "t.quick.csv"
    assert results_path("p", "t", "full", tmp_path).name == "t.csv"


def test_rows_without_provenance_are_refused(tmp_path):
    with pytest.raises(ResultsError, match="lacks"):
        write_results([{"paper": "p", "table": "t", "row": "r", "metric": "WA", "ours": 1.0}], "p", "t", root=tmp_path)
    with pytest.raises(FileNotFoundError, match="serlib reproduce"):
        read_results("p", "missing", root=tmp_path)
