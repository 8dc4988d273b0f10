"""Shared fixtures: a tiny synthetic corpus generated once per test session."""
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def tiny_synthetic(tmp_path_factory):
    """A 6-speaker synthetic corpus (90 clips) in a temporary folder, and its records."""
    from serlib.data import load_corpus
    from serlib.data.synthetic import SyntheticConfig, generate_corpus

    root = generate_corpus(tmp_path_factory.mktemp("synthetic"), SyntheticConfig.tiny(n_speakers=6))
    return root, load_corpus("synthetic", root)


@pytest.fixture()
def isolated_outputs(tmp_path, monkeypatch):
    """Results, figures and caches of a test go to a temporary folder, never into the repository."""
    monkeypatch.setenv("SERLIB_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("SERLIB_FIGURES", str(tmp_path / "figures"))
    return tmp_path
