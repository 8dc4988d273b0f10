"""The course's leakage experiment end to end (quick mode, tiny corpus), and the course runner's pieces."""
import pytest

from serlib.course import notebooks, summary
from serlib.experiments.course import LEAKAGE_PROTOCOLS, run_leakage
from serlib.results import read_results


def test_leakage_contrast_writes_both_protocols(tiny_synthetic, tmp_path):
    root, _ = tiny_synthetic
    rows = run_leakage("synthetic", mode="quick", results_root=tmp_path, root=root)
    frame = read_results("course", "leakage", mode="quick", root=tmp_path)
    assert len(frame) == len(rows) == 6
    by_protocol = frame.groupby("protocol")["speaker_independent"].first().to_dict()
    dependent, independent = LEAKAGE_PROTOCOLS["synthetic"]
    assert by_protocol == {dependent: False, independent: True}
    assert frame["ours"].between(0, 1).all() and (frame["mode"] == "quick").all()


def test_course_lists_the_numbered_notebooks_and_summarises():
    names = [p.name for p in notebooks()]
    assert names[0] == "00_course_map.ipynb" and names == sorted(names)
    text = summary([("00_course_map.ipynb", True, 1.0, "build/html/00_course_map.html", "")], __import__("pathlib").Path("build"), 1.0)
    assert "1/1 notebooks ran" in text and "html/index.html (works offline)" in text
