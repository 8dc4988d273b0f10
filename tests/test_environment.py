"""The environment files agree with each other and the installed environment passes its self-check."""
import re
import tomllib
from pathlib import Path

import yaml

from serlib.envcheck import check_environment

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from the PyPI distribution names
CONDA_TO_PYPI = {"pysoundfile": "soundfile", "soxr-python": "soxr", "pywavelets": "pywavelets"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


# Extras for users who outgrow the course's own environment: pinned in the lock, not installed by Binder.
NOT_IN_ENVIRONMENT_YML = ("ray",)


def pyproject_packages(skip_extras=()) -> set:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra, requirements in project["optional-dependencies"].items():
        if extra not in skip_extras:
            names |= {_name(r) for r in requirements if not r.startswith("serlib")}
    return names


def environment_packages() -> set:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"], "environment.yml must use conda-forge only"
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            names |= {_name(p) for p in dep["pip"] if not p.startswith("-e")}
        elif _name(dep) not in ("python", "pip"):
            names.add(CONDA_TO_PYPI.get(_name(dep), _name(dep)))
    return names


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert environment_packages() == pyproject_packages(skip_extras=NOT_IN_ENVIRONMENT_YML)


def test_lock_pins_every_direct_requirement_exactly():
    lock = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[_name(name)] = version.strip()
    missing = pyproject_packages() - set(lock)
    assert not missing, f"requirements/lock.txt lacks pins for {sorted(missing)}"
    assert lock["torch"] == "2.11.0" and lock["torchaudio"] == "2.11.0"  # the GPU machine's image


def test_installed_environment_passes_the_self_check():
    assert check_environment(probe_pitch=True, verbose=False) == []


# --- the supported Python versions: written once (requires-python), agreed on everywhere -----------------------------

def test_supported_pythons_come_from_requires_python():
    from serlib.envcheck import python_support_text, requires_python, supported_pythons

    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires_python() == spec
    assert supported_pythons(">=3.11.5,<3.14") == ["3.11.5", "3.12", "3.13"]
    assert python_support_text(">=3.11.5,<3.14") == "Python 3.11 (3.11.5 or newer), 3.12 or 3.13"
    assert python_support_text(">=3.12,<3.13") == "Python 3.12"


def test_version_satisfies_agrees_with_packaging():
    from hypothesis import given, settings as hsettings, strategies as st
    from packaging.specifiers import SpecifierSet

    from serlib.envcheck import version_satisfies

    clauses = st.tuples(st.sampled_from([">=", "<", "<=", ">", "==", "!="]),
                        st.integers(9, 14), st.integers(0, 8))

    @hsettings(max_examples=300, deadline=None)
    @given(st.lists(clauses, min_size=1, max_size=3), st.integers(8, 15), st.integers(0, 9))
    def check(spec_parts, minor, micro):
        spec = ",".join(f"{op}3.{a}.{b}" for op, a, b in spec_parts)
        assert version_satisfies((3, minor, micro), spec) == SpecifierSet(spec).contains(f"3.{minor}.{micro}")

    check()


def test_unreadable_or_unbounded_requires_python_is_a_clear_error():
    import pytest

    from serlib.envcheck import supported_pythons, version_satisfies

    with pytest.raises(ValueError, match="cannot read the clause '~=3.11'"):
        version_satisfies((3, 11, 0), ">=3.11,~=3.11")
    with pytest.raises(ValueError, match="no upper bound"):
        supported_pythons(">=3.11")


def test_this_interpreter_is_checked_against_requires_python():
    from serlib.envcheck import check_python

    assert check_python() == []  # the suite runs on a supported Python
    (problem,) = check_python((3, 10, 13), ">=3.11.5,<3.14")
    assert "Python 3.10.13 is not supported" in problem and "3.11 (3.11.5 or newer), 3.12 or 3.13" in problem


def test_readme_makefile_and_ci_claim_no_other_python_version():
    from serlib.envcheck import python_support_text

    readme = (ROOT / "README.md").read_text()
    assert f"<!-- python:start -->{python_support_text()}<!-- python:end -->" in readme
    outside = readme.replace(python_support_text(), "")
    assert not re.search(r"Python 3\.\d+", outside), "README names a Python version outside the generated sentence"
    for path in ("Makefile", ".ci/run"):
        text = (ROOT / path).read_text()
        assert not re.search(r"3\.1\d", text), f"{path} writes a Python version; it must read requires-python"
        assert "serlib.envcheck --python-only" in text, f"{path} does not check requires-python"


def test_envcheck_minimums_are_the_pyproject_lower_bounds():
    from serlib.envcheck import REQUIREMENTS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lower = {}
    for requirement in project["dependencies"]:
        match = re.match(r"([A-Za-z0-9_.\-]+)\s*>=\s*([\d.]+)", requirement)
        if match:
            lower[_name(match.group(1))] = match.group(2)
    for _, dist, minimum, _ in REQUIREMENTS:
        assert lower.get(_name(dist)) == minimum, f"{dist}: envcheck needs {minimum}, pyproject says {lower.get(_name(dist))}"


def test_versions_are_read_from_metadata_not_dunder_version():
    from serlib.envcheck import installed_version

    assert installed_version("PyWavelets") is not None
    assert tuple(int(x) for x in installed_version("PyWavelets").split(".")[:2]) >= (1, 9)
    assert installed_version("no-such-distribution-serlib") is None


def test_environment_yml_pins_python_in_the_form_repo2docker_reads():
    from serlib.envcheck import version_satisfies

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python"]
    assert len(pins) == 1 and re.fullmatch(r"python=3\.\d+", pins[0]), \
        f"environment.yml must pin python=X.Y (repo2docker ignores ranges), found {pins}"
    minor = int(pins[0].split(".")[1])
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert version_satisfies((3, minor, 99), spec), f"{pins[0]} is outside requires-python {spec!r}"
    conda = {(CONDA_TO_PYPI.get(_name(d), _name(d))): d for d in env["dependencies"] if isinstance(d, str)}
    assert re.search(r">=\s*1\.9", conda["pywavelets"]), "the wavelet code needs PyWavelets >= 1.9"
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_lines, "environment.yml must install the course package (pip: -e .)"


def test_environment_yml_lower_bounds_agree_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = {}
    for requirement in project["dependencies"] + [r for e in project["optional-dependencies"].values() for r in e]:
        ranges[_name(requirement)] = re.sub(r"\s", "", requirement[len(_name(requirement)):].split("#")[0])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = [d for d in env["dependencies"] if isinstance(d, str)]
    entries += [p for d in env["dependencies"] if isinstance(d, dict) for p in d["pip"] if not p.startswith("-e")]
    for entry in entries:
        name = CONDA_TO_PYPI.get(_name(entry), _name(entry))
        if name in ("python", "pip"):
            continue
        assert re.sub(r"\s", "", entry[len(_name(entry)):]) == ranges[name], f"environment.yml {entry!r} vs pyproject"


def test_resolution_check_covers_every_pyproject_requirement():
    from serlib.envcheck import range_requirements

    listed = {_name(r) for r in range_requirements()}
    assert listed == pyproject_packages()
    assert not any(r.startswith("serlib") for r in range_requirements())
