"""Environment self-check: versions the course needs, and the known pitfalls.

Run ``python -m serlib.envcheck``; notebook 00 calls :func:`check_environment`.
A failure names the package and the fix instead of failing later in a notebook.
"""
from __future__ import annotations

import importlib
import subprocess
import sys

#: (import name, distribution, minimum version, why the course needs it)
REQUIREMENTS = [
    ("numpy", "numpy", "1.26", "arrays everywhere"),
    ("scipy", "scipy", "1.11", "signal processing references"),
    ("soundfile", "soundfile", "0.12", "audio I/O (torchaudio 2.9+ has none)"),
    ("soxr", "soxr", "0.3", "the course's resampler"),
    ("librosa", "librosa", "0.10.2", "reference features (SpeechNet Eqs. 16-25)"),
    ("pywt", "PyWavelets", "1.5", "wavelet scalograms (wavelet_cnn_lstm)"),
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


def check_environment(probe_pitch: bool = True, verbose: bool = True) -> list[str]:
    """Return a list of problems (empty when the environment is fine)."""
    problems = []
    for module, dist, minimum, why in REQUIREMENTS:
        try:
            mod = importlib.import_module(module)
        except Exception as exc:  # ImportError or a broken binary wheel
            problems.append(f"{dist} cannot be imported ({exc}); needed for {why}: pip install '{dist}>={minimum}'")
            continue
        version = getattr(mod, "__version__", "0")
        if _version_tuple(version) < _version_tuple(minimum):
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


def main() -> int:
    problems = check_environment()
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    print("environment ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
