"""The course order is generated from the notebooks folder; README links and renamed notebooks stay valid;
the thinned notebooks keep their code cells short."""
import json
import re

import nbformat
import pytest

from serlib import settings
from serlib.course import notebooks
from serlib.report import course_map

NOTEBOOK_DIR = settings.REPO_ROOT / "notebooks"
#: Notebooks whose helpers were moved into serlib; a code cell longer than this is refused unless it is
#: tagged "lesson-code" (the code is the lesson) or is a generated setup cell.
THIN_NOTEBOOKS = ("00_course_map", "05_training_and_evaluation", "06_fla_ser")
MAX_CODE_LINES = 16


def test_course_order_lists_every_notebook_in_number_order():
    order = course_map.course_order()
    written = [n for n in order["notebook"] if not n.startswith("(")]
    assert written == [p.stem for p in notebooks()]
    assert list(order["number"]) == sorted(order["number"])
    assert list(order[order["part"] == "papers"]["paper"]) == list(course_map.PAPER_ORDER)
    assert order.iloc[-1]["part"] == "closing"


def test_planned_names_and_stray_notebooks(tmp_path):
    assert course_map.planned_notebook("fla_ser") == "06_fla_ser"
    assert course_map.planned_notebook("dual_stream_caf") == "10_dual_stream_caf"
    with pytest.raises(KeyError, match="not a course paper"):
        course_map.planned_notebook("nope")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 07 · Something else")])
    nbformat.write(nb, tmp_path / "07_something_else.ipynb")
    with pytest.raises(ValueError, match="outside the course arc"):
        course_map.course_order(tmp_path)
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no number")])
    nbformat.write(untitled, tmp_path / "00_x.ipynb")
    with pytest.raises(ValueError, match="must be '# NN · title'"):
        course_map.notebook_title(tmp_path / "00_x.ipynb")


def test_renamed_notebooks_point_at_existing_ones():
    for old, new in course_map.RENAMED.items():
        assert not (NOTEBOOK_DIR / f"{old}.ipynb").exists(), f"{old} was renamed: no stub notebook"
        assert (NOTEBOOK_DIR / f"{new}.ipynb").exists()
        assert course_map.current_name(old) == new


def test_readme_links_every_notebook_and_no_missing_one():
    readme = (settings.REPO_ROOT / "README.md").read_text()
    linked = set(re.findall(r"\(notebooks/([0-9][0-9]_[\w]+)\.ipynb\)", readme))
    assert linked == {p.stem for p in notebooks()}


@pytest.mark.parametrize("stem", THIN_NOTEBOOKS)
def test_thin_notebooks_have_short_code_cells(stem):
    cells = json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text())["cells"]
    long = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
            and len("".join(c["source"]).splitlines()) > MAX_CODE_LINES
            and "lesson-code" not in c.get("metadata", {}).get("tags", [])
            and not "".join(c["source"]).startswith("# Setup")]
    assert not long, f"{stem}: code cells {long} exceed {MAX_CODE_LINES} lines; move helpers into serlib"


@pytest.mark.parametrize("stem", THIN_NOTEBOOKS)
def test_every_exercise_section_has_running_solutions(stem):
    cells = json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text())["cells"]
    solutions = [c for c in cells if "solution" in c.get("metadata", {}).get("tags", [])]
    assert solutions and all(c["metadata"].get("jupyter", {}).get("source_hidden") for c in solutions)
    assert all("assert " in "".join(c["source"]) for c in solutions), "every solution checks itself"
    assert all(not any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in solutions)


@pytest.mark.parametrize("stem", THIN_NOTEBOOKS)
def test_every_check_yourself_asserts(stem):
    path = NOTEBOOK_DIR / f"{stem}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    silent = []
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        if "check yourself" not in text.lower():
            continue
        if cell["cell_type"] == "markdown":
            following = next((c for c in cells[i + 1:] if c["cell_type"] == "code"), None)
            text = "".join(following["source"]) if following else ""
        if "assert" not in text:
            silent.append(i)
    assert not silent, f"{path.name}: check-yourself cells {silent} assert nothing"
