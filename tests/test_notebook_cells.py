"""Every notebook's badge line and setup cell come from the one repository address in pyproject.toml."""
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from serlib import notebook
from serlib.course import notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = notebooks() + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
ADDRESS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def test_repository_url_is_the_pyproject_address():
    assert notebook.repository_url() == ADDRESS.rstrip("/")
    assert notebook.github_slug(ADDRESS).count("/") == 1


def test_repository_url_from_installed_metadata_when_there_is_no_checkout(tmp_path, monkeypatch):
    class Meta:
        @staticmethod
        def get_all(key):
            assert key == "Project-URL"
            return ["Documentation, https://example.org/docs", "Repository, https://github.com/a/b"]

    monkeypatch.setattr(notebook.importlib.metadata, "metadata", lambda name: Meta())
    assert notebook.repository_url(tmp_path / "absent.toml") == "https://github.com/a/b"


def test_no_environment_override_of_the_address():
    source = (ROOT / "serlib" / "notebook.py").read_text()
    assert "SERLIB_REPO_URL" not in source and "os.environ.get(\"SERLIB_REPO" not in source


def test_badges():
    path = "notebooks/01_audio_corpora_protocols.ipynb"
    assert notebook.colab_badge(path, "https://github.com/a/b") == (
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/a/b/blob/main/notebooks/01_audio_corpora_protocols.ipynb)")
    assert notebook.binder_badge(ROOT / path, "https://github.com/a/b") == (
        "[![Binder](https://mybinder.org/badge_logo.svg)]"
        "(https://mybinder.org/v2/gh/a/b/main?labpath=notebooks%2F01_audio_corpora_protocols.ipynb)")
    with pytest.raises(notebook.NotebookCellError, match="not https://github.com/OWNER/NAME"):
        notebook.colab_badge(path, "https://gitlab.com/a/b")


def test_setup_cell_installs_the_base_package_and_enables_the_widget_manager():
    source = notebook.setup_cell_source()
    assert source.startswith(notebook.SETUP_MARKER)
    assert ADDRESS in source and "enable_custom_widget_manager()" in source
    assert "[notebooks]" not in source and "[dev]" not in source
    assert len(source.splitlines()) <= 15
    compile(source, "setup cell", "exec")
    assert 'CHECKOUT + "[gpu]"' in notebook.setup_cell_source(["gpu"])
    with pytest.raises(notebook.NotebookCellError, match="notebooks"):
        notebook.setup_cell_source(["notebooks"])


def _run_setup_cell(tmp_path, pip_succeeds: bool, url="https://github.com/a/b"):
    """Run the generated cell in a bare interpreter (no site-packages, so no serlib) that looks like Colab:
    a fake google.colab module records the widget-manager call, a fake git and pip record their arguments."""
    fake = tmp_path / "fake"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "output.py").write_text(
        "def enable_custom_widget_manager():\n    open('widget_manager_on', 'w').write('yes')\n")
    (fake / "pip").mkdir()
    (fake / "pip" / "__init__.py").write_text("")
    pip_body = ("import json, os, sys\njson.dump(sys.argv[1:], open('pip_args.json', 'w'))\n"
                + ("target = sys.argv[-1]\nos.makedirs(os.path.join(target, 'serlib'), exist_ok=True)\n"
                   "open(os.path.join(target, 'serlib', '__init__.py'), 'w').write('')\n"
                   "open(os.path.join(target, 'serlib', 'notebook.py'), 'w').write("
                   "'def setup(seed=0):\\n    return {\"seed\": seed}\\n')\n"
                   if pip_succeeds else "sys.exit(1)\n"))
    (fake / "pip" / "__main__.py").write_text(pip_body)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = bin_dir / "git"
    git.write_text("#!/bin/sh\necho \"$@\" > git_args.txt\nmkdir -p \"$5\"\n")
    git.chmod(0o755)
    work = tmp_path / "content"
    work.mkdir()
    code = "import google.colab\n" + notebook.setup_cell_source(url=url) + "\nprint('ENV', ENV)\n"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(fake)}
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=work, env=env, capture_output=True, text=True,
                            timeout=60)
    return result, work


def test_setup_cell_on_a_fresh_colab_clones_installs_and_runs_setup(tmp_path):
    result, work = _run_setup_cell(tmp_path, pip_succeeds=True)
    assert result.returncode == 0, result.stderr
    assert "ENV {'seed': 0}" in result.stdout
    assert (work / "widget_manager_on").read_text() == "yes"
    assert (work / "git_args.txt").read_text().split() == ["clone", "--depth", "1", "https://github.com/a/b",
                                                          "ser-course"]
    assert json.loads((work / "pip_args.json").read_text()) == ["install", "-q", "-e", "ser-course"]


def test_setup_cell_stops_with_one_sentence_when_the_install_fails(tmp_path):
    result, _ = _run_setup_cell(tmp_path, pip_succeeds=False)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == ("RuntimeError: Installing serlib from https://github.com/a/b failed: read the message above, "
                    "fix its cause (network, Python version) and run this cell again.")


def test_sync_is_idempotent_and_keeps_other_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · A title\n\nSome text."),
                nbformat.v4.new_code_cell("# Setup: old cell\nprint(1)"),
                nbformat.v4.new_code_cell("x = 1")]
    ids = [c.id for c in nb.cells]
    path = tmp_path / "notebooks" / "99_example.ipynb"
    assert notebook.problems(nb, path)
    assert notebook.sync_notebook(nb, path) is True
    assert notebook.sync_notebook(nb, path) is False
    assert notebook.problems(nb, path) == []
    assert [c.id for c in nb.cells] == ids
    assert nb.cells[0].source.splitlines()[0] == "# 99 · A title"
    assert nb.cells[0].source.splitlines()[2] == notebook.badge_markdown(path)
    assert nb.cells[2].source == "x = 1"


def test_sync_inserts_a_missing_setup_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    assert notebook.sync_notebook(nb, tmp_path / "98_x.ipynb")
    assert nb.cells[1].source == notebook.setup_cell_source() and nb.cells[2].source == "x = 1"


def test_check_command_fails_on_a_notebook_that_disagrees(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# T\n\n[![Open In Colab](x)](https://colab.research.google.com/github/placeholder/repo/blob/main/n.ipynb)"),
        nbformat.v4.new_code_cell("# Setup\nimport os")]
    path = tmp_path / "97_bad.ipynb"
    nbformat.write(nb, path)
    assert notebook.main(["--check", str(path)]) == 1
    assert notebook.main(["--sync", str(path)]) == 0
    assert notebook.main(["--check", str(path)]) == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_badge_and_setup_cell_agree_with_the_address(path):
    problems = notebook.problems(nbformat.read(path, as_version=4), path)
    assert problems == [], "\n".join(problems) + "\nrun: python -m serlib.notebook --sync notebooks/*.ipynb"
