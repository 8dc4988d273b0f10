"""The README's generated parts agree with their single sources: the repository address, the notebooks,
serlib.citations (the staleness of the whole README is checked in test_index.py)."""
import re

from serlib.citations import PAPERS as PAPER_REFERENCES, RESOURCES, format_reference
from serlib.course import notebook_title, notebooks
from serlib.report.links import binder_url, colab_url, github_slug, repository_url
from serlib.report.readme import README


def test_every_repository_address_in_the_readme_is_the_pyproject_one():
    text = README.read_text()
    slug = github_slug()
    assert repository_url() == "https://github.com/" + slug
    found = re.findall(r"(?:github\.com|colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([\w.\-]+/[\w.\-]+)",
                       text)
    assert found, "the README links no repository address"
    assert set(found) == {slug}, f"README addresses {sorted(set(found))} disagree with [project.urls] Repository"


def test_readme_has_a_binder_badge_on_the_course_map_and_a_colab_link():
    text = README.read_text()
    assert f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url('notebooks/00_course_map.ipynb')})" in text
    assert binder_url("notebooks/00_course_map.ipynb").endswith("?labpath=notebooks%2F00_course_map.ipynb")
    assert colab_url("notebooks/00_course_map.ipynb") in text


def test_notebook_table_lists_every_notebook_in_course_order_with_its_heading():
    text = README.read_text()
    table = text.split("<!-- notebooks:start -->")[1].split("<!-- notebooks:end -->")[0]
    listed = re.findall(r"^\| \[(\d\d_\w+)\]\(notebooks/\1\.ipynb\)", table, re.MULTILINE)
    assert listed == [p.stem for p in notebooks()]
    for path in notebooks():
        assert notebook_title(path, numbered=False) in table
        assert colab_url(f"notebooks/{path.name}") in table and binder_url(f"notebooks/{path.name}") in table


def test_notebook_title_reads_the_first_heading(tmp_path):
    import json

    import pytest

    nb = tmp_path / "07_x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["# a comment, not a heading"]},
                                        {"cell_type": "markdown", "source": ["text\n", "# 07 · Title here\n"]}]}))
    assert notebook_title(nb) == "07 · Title here" and notebook_title(nb, numbered=False) == "Title here"
    nb.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": ["no heading"]}]}))
    with pytest.raises(ValueError, match="07_x.ipynb: no Markdown heading"):
        notebook_title(nb)


def test_readme_and_equation_index_carry_every_full_reference():
    from serlib.report.index import INDEX_FILE

    readme, index = README.read_text(), INDEX_FILE.read_text()
    for key, ref in PAPER_REFERENCES.items():
        assert format_reference(key) in readme and format_reference(key) in index, key
        if ref.doi:
            assert f"https://doi.org/{ref.doi}" in readme
    for key, ref in RESOURCES.items():
        assert format_reference(key) in readme, key
        assert not ref.licence or ref.licence in readme


def test_addresses_follow_the_pyproject_repository(tmp_path):
    import pytest

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "serlib"\n[project.urls]\nRepository = "https://github.com/someone/fork/"\n')
    url = repository_url(pyproject)
    assert url == "https://github.com/someone/fork" and github_slug(url) == "someone/fork"
    assert binder_url("notebooks/00_course_map.ipynb", url) == \
        "https://mybinder.org/v2/gh/someone/fork/main?labpath=notebooks%2F00_course_map.ipynb"
    assert colab_url("notebooks/a.ipynb", url) == "https://colab.research.google.com/github/someone/fork/blob/main/notebooks/a.ipynb"
    with pytest.raises(ValueError, match="is not https://github.com/OWNER/NAME"):
        github_slug("https://gitlab.com/someone/fork")
    pyproject.write_text('[project]\nname = "serlib"\n')
    with pytest.raises(KeyError, match="no 'Repository' entry"):
        repository_url(pyproject)
