"""Stored notebook outputs agree with the results files and carry no machine path.

Every cell that shows numbers from ``results/`` prints a stamp (file, revisions,
sha256) through :mod:`serlib.report.results_view`; these tests fail when a
committed notebook's stamp differs from the file now (fix: ``make
notebooks-refresh``), when a results cell is not output-checked by nbval, and
when a stored output names a path of the machine that ran it.
"""
import configparser
import json
import re

import nbformat
import pandas as pd
import pytest

from serlib import settings
from serlib.report import results_view, stale
from serlib.results import write_results

NOTEBOOKS = stale.committed_notebooks()
SANITIZE = settings.REPO_ROOT / "notebooks" / "nbval_sanitize.cfg"


def _ids(paths):
    return [p.name for p in paths]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_stamps_match_the_results_files(notebook):
    problems = stale.stale_stamps(notebook)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_results_cells_are_stamped_and_output_checked(notebook):
    problems = stale.unchecked_results_cells(notebook)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_outputs_carry_no_machine_path(notebook):
    problems = stale.machine_paths(notebook)
    assert not problems, "\n".join(map(str, problems))


# ---------------------------------------------------------------- the machinery on a notebook built here
def _results_row(ours: float, revision: str) -> dict:
    return {"paper": "course", "table": "demo", "row": "a model", "metric": "WA", "ours": ours, "ours_std": 0.01,
            "n": 3, "corpus": "synthetic", "protocol": "loso", "mode": "full", "device": "cpu",
            "revision": revision, "date": "2026-12-01T00:00:00+00:00"}


def _executed_notebook(tmp_path, cell_source: str, output: str):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(cell_source)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    notebook.cells = [nbformat.v4.new_markdown_cell("# demo"), cell]
    path = tmp_path / "notebooks" / "99_demo.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture()
def demo_results(tmp_path, monkeypatch):
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path / "results"))
    return write_results([_results_row(0.5, "aaaaaaa")], "course", "demo", root=tmp_path / "results")


def test_show_prints_the_table_and_a_stamp_with_a_relative_path(demo_results, tmp_path, capsys):
    results_view.show("course", "demo")
    out = capsys.readouterr().out
    assert "50.0 ± 1.0" in out and "a model" in out
    stamps = results_view.parse_stamps(out)
    assert stamps == [{"path": "results/course/demo.csv", "revision": "aaaaaaa",
                       "sha": results_view.content_hash(demo_results)}]
    assert str(tmp_path) not in out


def test_a_filtered_frame_keeps_its_source(demo_results, capsys):
    frame = results_view.load("course", "demo")
    results_view.show(frame[frame["metric"] == "WA"], columns=["row", "ours"])
    assert len(results_view.parse_stamps(capsys.readouterr().out)) == 1


def test_show_refuses_a_table_without_a_source():
    with pytest.raises(ValueError, match="needs the results file"):
        results_view.show(pd.DataFrame({"row": ["x"], "metric": ["WA"], "ours": [0.5]}))


def test_a_deliberately_stale_notebook_fails_the_check(demo_results, tmp_path, capsys):
    results_view.show(demo_results)
    notebook = _executed_notebook(tmp_path, "# NBVAL_CHECK_OUTPUT\nshow('course', 'demo')", capsys.readouterr().out)
    assert stale.stale_stamps(notebook, root=tmp_path) == []
    assert stale.unchecked_results_cells(notebook, root=tmp_path) == []

    # The results change after the notebook was executed (a re-run at another revision):
    write_results([_results_row(0.6, "bbbbbbb")], "course", "demo", root=tmp_path / "results")
    problems = stale.stale_stamps(notebook, root=tmp_path)
    assert len(problems) == 1
    assert "stale output" in problems[0].message and "bbbbbbb" in problems[0].message
    assert "make notebooks-refresh" in problems[0].message

    # Re-executing (here: showing again and storing the new output) makes it current again.
    results_view.show(demo_results)
    notebook = _executed_notebook(tmp_path, "# NBVAL_CHECK_OUTPUT\nshow('course', 'demo')", capsys.readouterr().out)
    assert stale.stale_stamps(notebook, root=tmp_path) == []


def test_same_revision_but_edited_numbers_is_stale(demo_results, tmp_path, capsys):
    results_view.show(demo_results)
    notebook = _executed_notebook(tmp_path, "# NBVAL_CHECK_OUTPUT\nshow(...)", capsys.readouterr().out)
    text = demo_results.read_text().replace("0.5,", "0.55,")
    demo_results.write_text(text)
    assert [p.cell for p in stale.stale_stamps(notebook, root=tmp_path)] == [1]


def test_a_removed_results_file_is_reported(demo_results, tmp_path, capsys):
    results_view.show(demo_results)
    notebook = _executed_notebook(tmp_path, "# NBVAL_CHECK_OUTPUT\nshow(...)", capsys.readouterr().out)
    demo_results.unlink()
    assert "no longer exists" in stale.stale_stamps(notebook, root=tmp_path)[0].message


def test_results_cells_without_stamp_or_check_mark_are_reported(demo_results, tmp_path, capsys):
    results_view.show(demo_results)
    unmarked = _executed_notebook(tmp_path, "show('course', 'demo')", capsys.readouterr().out)
    assert "NBVAL_CHECK_OUTPUT" in stale.unchecked_results_cells(unmarked, root=tmp_path)[0].message
    unstamped = _executed_notebook(tmp_path, "read_results('course', 'demo')['ours']", "0    0.5\n")
    assert "without a stamp" in stale.unchecked_results_cells(unstamped, root=tmp_path)[0].message


@pytest.mark.parametrize("output, bad", [
    ("PosixPath('/work/main/figures/x.png')", True),
    ("saved to /home/student/ser/figures/x.png", True),
    ("cache in /tmp/pytest-1/cache", True),
    ("see https://colab.research.google.com/github/ser-course/ser-course/blob/main/x", False),
    ("source: results/course/leakage.csv (revision 651a02f; sha256 261f098b3c25)", False),
])
def test_machine_paths_in_outputs_are_found(tmp_path, output, bad):
    notebook = _executed_notebook(tmp_path, "print(x)", output)
    assert bool(stale.machine_paths(notebook, root=tmp_path)) is bad


def test_repository_root_and_workspace_paths_are_found(tmp_path):
    notebook = _executed_notebook(tmp_path, "print(x)", f"wrote {settings.REPO_ROOT}/figures/x.png")
    assert stale.machine_paths(notebook, root=tmp_path)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = "The texts are in `shared/papers/` of the course workspace."
    nb.cells[1].outputs = []
    nbformat.write(nb, notebook)
    assert stale.machine_paths(notebook, root=tmp_path)[0].cell == 0


def test_sanitize_file_masks_machine_paths_but_not_stamps():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SANITIZE)
    rules = [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]

    def sanitize(text):
        for pattern, replace in rules:
            text = pattern.sub(replace, text)
        return text

    line = "source: results/fla_ser/table3.csv (revision af526ad, c20b35d+dirty; sha256 ba2353b013b3)"
    assert sanitize(line) == line
    assert sanitize("/work/main/figures/a.png") == sanitize("/home/me/ser/figures/a.png")
    assert sanitize("trained in 17 s") == sanitize("trained in 21 s")


def test_stamp_of_a_json_benchmark(tmp_path, monkeypatch):
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path))
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"revision": "abc1234", "throughput": []}))
    assert results_view.stamp(path).startswith("source: results/bench.json (revision abc1234; sha256 ")
    with pytest.raises(ValueError, match="neither inside the repository"):
        results_view.relative_path("/definitely/elsewhere.csv")


def test_a_listing_goes_stale_when_a_results_file_is_added(demo_results, tmp_path):
    stamp = results_view.listing_stamp("results/*/*.csv", root=tmp_path)
    assert stamp.startswith("listing: results/*/*.csv (1 files; sha256 ")
    notebook = _executed_notebook(tmp_path, "# NBVAL_CHECK_OUTPUT\nlist files", stamp + "\n")
    assert stale.stale_stamps(notebook, root=tmp_path) == []
    assert stale.unchecked_results_cells(notebook, root=tmp_path) == []
    write_results([_results_row(0.7, "ccccccc")], "course", "other", root=tmp_path / "results")
    problems = stale.stale_stamps(notebook, root=tmp_path)
    assert len(problems) == 1 and "stale listing" in problems[0].message and "(2 files;" in problems[0].message
