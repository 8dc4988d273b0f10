"""The course runner refreshes the solution notebooks too, and checks the refreshed outputs."""
from pathlib import Path

import pytest

from serlib import course


@pytest.fixture(autouse=True)
def restored_environment(monkeypatch):
    # run_course sets these for the notebooks it starts; monkeypatch puts them back after each test
    for name in ("SERLIB_MODE", "SERLIB_NO_STANDIN", "SERLIB_FIGURES"):
        monkeypatch.delenv(name, raising=False)


def test_solution_notebooks_are_run_and_named_like_their_notebook():
    solutions = course.solution_notebooks()
    stems = {p.stem for p in course.notebooks()}
    for path in solutions:
        assert path.parent.name == "solutions"
        assert any(path.stem.startswith(stem) for stem in stems), path.name


def test_inplace_refresh_runs_solutions_and_checks_stored_outputs(tmp_path, monkeypatch):
    ran, checked = [], []
    monkeypatch.setattr(course, "notebooks", lambda: [Path("notebooks/03_x.ipynb")])
    monkeypatch.setattr(course, "solution_notebooks", lambda: [Path("notebooks/solutions/03_x_solutions.ipynb")])
    monkeypatch.setattr(course, "execute_notebook", lambda nb, target: (ran.append((nb, target)), (True, 0.1, ""))[1])
    monkeypatch.setattr("serlib.report.site.build_site", lambda *args, **kwargs: [])
    import serlib.report.stale as stale

    monkeypatch.setattr(stale, "check_notebooks", lambda paths: checked.extend(paths) or [])
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path))  # the summary finds no committed results there
    assert course.run_course(tmp_path, inplace=True, only=["03_x"]) == 0
    assert [nb for nb, _ in ran] == [Path("notebooks/03_x.ipynb"), Path("notebooks/solutions/03_x_solutions.ipynb")]
    assert all(nb == target for nb, target in ran)  # in place
    assert checked == [nb for nb, _ in ran]


def test_a_stale_refresh_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "notebooks", lambda: [Path("notebooks/03_x.ipynb")])
    monkeypatch.setattr(course, "solution_notebooks", lambda: [])
    monkeypatch.setattr(course, "execute_notebook", lambda nb, target: (True, 0.1, ""))
    monkeypatch.setattr("serlib.report.site.build_site", lambda *args, **kwargs: [])
    import serlib.report.stale as stale

    monkeypatch.setattr(stale, "check_notebooks", lambda paths: ["03_x cell 2: stale output"])
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path))
    assert course.run_course(tmp_path, inplace=True) == 1
