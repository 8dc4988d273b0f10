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
