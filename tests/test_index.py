"""The generated paper-element index is current, and the course map points at files that exist."""
from serlib.report.index import INDEX_FILE, collect_entries, render_index


def test_committed_equation_index_is_current():
    assert INDEX_FILE.exists(), "run: python -m serlib.report.index"
    assert INDEX_FILE.read_text() == render_index(), "docs/EQUATIONS.md is stale: run python -m serlib.report.index"


def test_every_fla_ser_preprocessing_equation_has_a_function():
    entries = collect_entries()
    covered = {e.element for e in entries if e.paper == "fla_ser"}
    for number in range(1, 10):
        assert any(el.startswith(f"Eq. {number}") or f"Eq. {number} " in el for el in covered), number


def test_speechnet_equations_have_functions():
    elements = {e.element for e in collect_entries() if e.paper == "speechnet"}
    for number in list(range(1, 7)) + list(range(16, 26)):
        assert any(el.startswith(f"Eq. {number}") for el in elements), number


def test_readme_results_section_is_current():
    from serlib.report.readme import README, updated_readme

    text = README.read_text()
    assert text == updated_readme(text), "README results section is stale: run python -m serlib.report.readme"
