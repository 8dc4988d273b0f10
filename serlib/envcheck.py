"""Environment self-check: the Python version, the versions the course needs, and the known pitfalls.

Run ``python -m serlib.envcheck``; notebook 00 calls :func:`check_environment`.
A failure names the package and the fix instead of failing later in a notebook.

The supported Python versions are written once, as ``requires-python`` in
``pyproject.toml``; :func:`supported_pythons` reads them from there (or from
the installed package's metadata), and the README sentence, ``.ci/run``
(``--python-only``) and the resolution check (``--resolve``: a pip dry run of
the lock and of the ranges for each supported version) all use it.
Versions are read with :func:`importlib.metadata.version`, never from a
module's ``__version__`` (PyWavelets 1.9 and 1.10 report ``1.8.0`` there).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = REPO_ROOT / "pyproject.toml"
LOCK = REPO_ROOT / "requirements" / "lock.txt"

#: (import name, distribution, minimum version, why the course needs it)
REQUIREMENTS = [
    ("numpy", "numpy", "1.26", "arrays everywhere"),
    ("scipy", "scipy", "1.11", "signal processing references"),
    ("soundfile", "soundfile", "0.12", "audio I/O (torchaudio 2.9+ has none)"),
    ("soxr", "soxr", "0.3", "the course's resampler"),
    ("librosa", "librosa", "0.10.2", "reference features (SpeechNet Eqs. 16-25)"),
    ("pywt", "PyWavelets", "1.9", "wavelet scalograms (wavelet_cnn_lstm; the precision= argument is 1.9+)"),
    ("torch", "torch", "2.4", "models and training"),
    ("torchaudio", "torchaudio", "2.4", "GPU-batched log-Mel"),
    ("sklearn", "scikit-learn", "1.3", "metrics and classical baselines"),
    ("pandas", "pandas", "2.0", "records and results tables"),
    ("matplotlib", "matplotlib", "3.8", "figures"),
    ("pooch", "pooch", "1.8", "checksummed downloads"),
    ("tqdm", "tqdm", "4.66", "progress bars"),
]

# librosa.yin/pyin crashed the interpreter with numpy 2.4.6 + numba 0.68.1 (DESIGN.md);
# the check runs it in a child process so a crash is reported, not suffered.
_PITCH_PROBE = (
    "import numpy as np, librosa; y = np.sin(2*np.pi*200*np.arange(8000)/16000).astype('float32');"
    "f = librosa.yin(y, fmin=60, fmax=400, sr=16000); assert abs(np.median(f) - 200) < 5, np.median(f)"
)


def _version_tuple(text: str) -> tuple:
    parts = []
    for piece in text.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


# --- the supported Python versions: one line of pyproject.toml ----------------------------------------------------

_CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+){0,2})\s*$")
_REQUIRES_LINE = re.compile(r'^requires-python\s*=\s*"([^"]+)"', re.MULTILINE)


def requires_python(pyproject: Path = PYPROJECT) -> str:
    """``requires-python`` of the checkout's pyproject.toml, else of the installed serlib's metadata."""
    pyproject = Path(pyproject)
    if pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")
        try:
            import tomllib
        except ImportError:  # an unsupported (older) Python: read the one line, so it can say so
            match = _REQUIRES_LINE.search(text)
            if match:
                return match.group(1)
        else:
            spec = tomllib.loads(text).get("project", {}).get("requires-python")
            if spec:
                return spec
        raise ValueError(f"{pyproject}: [project] has no requires-python")
    try:
        spec = importlib.metadata.metadata("serlib").get("Requires-Python")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ValueError("serlib is neither a checkout with pyproject.toml nor an installed package") from exc
    if not spec:
        raise ValueError("the installed serlib metadata has no Requires-Python")
    return spec


def _pad(version: tuple) -> tuple:
    return (tuple(version) + (0, 0, 0))[:3]


def version_satisfies(version: tuple, spec: str) -> bool:
    """Whether a Python version (major, minor, micro) meets a specifier such as ``>=3.11.5,<3.14``.

    Only comparison clauses of release numbers are accepted (what a requires-python needs);
    anything else is an error rather than a guess.
    """
    version = _pad(version)
    for clause in spec.split(","):
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(f"requires-python {spec!r}: cannot read the clause {clause.strip()!r} "
                             f"(use >=, <, <=, >, ==, != with release numbers)")
        op, bound = match.group(1), _pad(_version_tuple(match.group(2)))
        ok = {">=": version >= bound, "<=": version <= bound, ">": version > bound, "<": version < bound,
              "==": version == bound, "!=": version != bound}[op]
        if not ok:
            return False
    return True


def supported_pythons(spec: str | None = None) -> list[str]:
    """The lowest supported release of each supported 3.x line, e.g. ``['3.11.5', '3.12', '3.13']``."""
    spec = spec or requires_python()
    if version_satisfies((3, 99, 99), spec):
        raise ValueError(f"requires-python {spec!r} has no upper bound: the supported versions must be a finite, "
                         f"tested list (add e.g. ,<3.14)")
    found = []
    for minor in range(6, 99):
        micro = next((m for m in range(0, 100) if version_satisfies((3, minor, m), spec)), None)
        if micro is not None:
            found.append(f"3.{minor}" + (f".{micro}" if micro else ""))
    if not found:
        raise ValueError(f"requires-python {spec!r} admits no Python 3 version")
    return found


def python_support_text(spec: str | None = None) -> str:
    """The README's words for the supported versions, e.g. ``Python 3.11 (3.11.5 or newer), 3.12 or 3.13``."""
    words = []
    for version in supported_pythons(spec):
        minor = ".".join(version.split(".")[:2])
        words.append(f"{minor} ({version} or newer)" if version != minor else minor)
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"Python {listed}"


def check_python(version_info=None, spec: str | None = None) -> list[str]:
    """A problem when this interpreter is outside requires-python."""
    version = tuple(version_info or sys.version_info)[:3]
    spec = spec or requires_python()
    if version_satisfies(version, spec):
        return []
    return [f"Python {'.'.join(map(str, version))} is not supported: the course is tested with "
            f"{python_support_text(spec)} (requires-python {spec!r} in pyproject.toml)"]


# --- packages -------------------------------------------------------------------------------------------------------

def installed_version(distribution: str) -> str | None:
    """The installed version of a distribution from its metadata (None when not installed)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_environment(probe_pitch: bool = True, verbose: bool = True) -> list[str]:
    """Return a list of problems (empty when the environment is fine)."""
    problems = check_python()
    if verbose and not problems:
        print(f"  ok  {'Python':<13} {'.'.join(map(str, sys.version_info[:3]))}")
    for module, dist, minimum, why in REQUIREMENTS:
        try:
            importlib.import_module(module)
        except Exception as exc:  # ImportError or a broken binary wheel
            problems.append(f"{dist} cannot be imported ({exc}); needed for {why}: pip install '{dist}>={minimum}'")
            continue
        version = installed_version(dist)
        if version is None:
            problems.append(f"{dist} imports as {module!r} but has no installed metadata; reinstall it: "
                            f"pip install --force-reinstall '{dist}>={minimum}'")
        elif _version_tuple(version) < _version_tuple(minimum):
            problems.append(f"{dist} {version} is older than {minimum}, needed for {why}: pip install -U '{dist}>={minimum}'")
        elif verbose:
            print(f"  ok  {dist:<13} {version}")
    if probe_pitch:
        run = subprocess.run([sys.executable, "-c", _PITCH_PROBE], capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            problems.append("librosa.yin failed or crashed in this environment (known with numpy 2.4.x + numba 0.68); "
                            "install the tested versions: pip install -c requirements/lock.txt -e . "
                            f"(exit code {run.returncode}: {run.stderr.strip()[-200:]})")
        elif verbose:
            print("  ok  librosa.yin pitch probe")
    return problems


# --- resolution on every supported version (CI) ----------------------------------------------------------------------

def range_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """Every requirement of pyproject.toml (base and extras, without serlib's own extras), as ranges."""
    import tomllib

    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += [r for r in extra if not r.startswith("serlib") and r not in requirements]
    return requirements


def dry_run(python_version: str, requirements_file: Path, timeout: float = 300) -> tuple[bool, float, str]:
    """``pip install --dry-run`` of a requirements file for another Python version (wheels only, as that
    Python would see them). Needs the package registry; returns (resolved, seconds, last lines of pip's output)."""
    with tempfile.TemporaryDirectory() as target:
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--only-binary=:all:",
                   "--quiet", "--python-version", python_version, "--target", target, "-r", str(requirements_file)]
        started = time.perf_counter()
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, time.perf_counter() - started, f"pip did not finish within {timeout:.0f} s"
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "WARNING" not in line]
    return run.returncode == 0, time.perf_counter() - started, "\n".join(lines[-4:])


def check_resolution(versions: list[str] | None = None, timeout: float = 300) -> list[str]:
    """Dry-run the lock and the pyproject ranges on every supported Python; a problem per failure."""
    versions = versions or supported_pythons()
    with tempfile.TemporaryDirectory() as tmp:
        ranges = Path(tmp) / "ranges.txt"
        ranges.write_text("\n".join(range_requirements()) + "\n")
        jobs = [(version, label, path) for version in versions for label, path in (("lock", LOCK), ("ranges", ranges))]
        with ThreadPoolExecutor(max_workers=3) as pool:  # pip waits on the registry more than on the CPU
            outcomes = list(pool.map(lambda job: dry_run(job[0], job[2], timeout), jobs))
    problems = []
    for (version, label, path), (ok, seconds, tail) in zip(jobs, outcomes):
        print(f"  {'ok ' if ok else 'FAILED'} Python {version:<7} {label:<6} resolves ({seconds:.0f} s)", flush=True)
        if not ok:
            problems.append(f"the {label} ({path.name}) does not resolve on Python {version}:\n{tail}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serlib.envcheck", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--python-only", action="store_true",
                       help="only check this interpreter against requires-python (works before installing)")
    group.add_argument("--resolve", action="store_true",
                       help="pip dry-run of requirements/lock.txt and of the pyproject ranges on every supported "
                            "Python (needs the package registry)")
    args = parser.parse_args(argv)
    if args.python_only:
        problems = check_python()
        done = f"Python {'.'.join(map(str, sys.version_info[:3]))} is supported ({python_support_text()})"
    elif args.resolve:
        problems = check_resolution()
        done = "the lock and the ranges resolve on every supported Python"
    else:
        problems = check_environment()
        done = "environment ok"
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    print(done if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
