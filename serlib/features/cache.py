"""On-disk feature cache keyed by configuration, so an epoch never recomputes features.

Layout: ``<cache>/features/<name>-<config hash>/<file key>.npy``. The config
hash covers the extractor's name and every parameter (sample rate, FFT size,
...). The file key covers the audio file's CONTENT (:func:`serlib.safeio.content_fingerprint`:
the whole file when small, else its size and first and last blocks), so audio
replaced with the same size and modification time is never served stale, and a
corpus moved to another folder keeps its cache.

Every entry is checked when read: it must load, have the dtype and shape of the
folder's entries (recorded in ``config.json`` as ``entry``, free dimensions as
``null``; or the ``shape``/``dtype`` the caller declares) and hold finite values.
An entry that fails is deleted and recomputed with a :class:`CacheEntryWarning`,
so a zero-byte file from a full disk or a killed run never breaks a later run.
"""
from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import settings
from ..safeio import atomic_path, atomic_write_text, content_fingerprint


class CacheEntryWarning(UserWarning):
    """A cache entry was unreadable or invalid and is being recomputed."""


def config_hash(name: str, config: dict) -> str:
    """Stable short hash of an extractor name and its parameters."""
    payload = json.dumps({"name": name, "config": config}, sort_keys=True, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def file_fingerprint(path) -> str:
    """The cache key of an audio file: a hash of its content (see the module docstring)."""
    return hashlib.sha1(f"content|{content_fingerprint(path)}".encode()).hexdigest()[:20]


class FeatureCache:
    """A folder of per-file feature arrays for one (extractor, configuration).

    ``shape`` (a tuple, ``None`` for a free dimension) and ``dtype`` declare what
    every entry must be; without them the first entry written sets the rule and a
    dimension that differs between entries becomes free.
    """

    def __init__(self, name: str, config: dict, root: Path | None = None, *, shape: tuple | None = None,
                 dtype=None):
        self.name = name
        self.config = dict(config)
        self.key = config_hash(name, self.config)
        base = Path(root) if root is not None else settings.cache_dir() / "features"
        self.folder = base / f"{name}-{self.key}"
        self.hits = 0
        self.misses = 0
        self.invalid = 0
        self._declared = {"shape": list(shape) if shape is not None else None,
                          "dtype": np.dtype(dtype).str if dtype is not None else None}
        self._schema = self._read_schema()

    def _entry(self, path) -> Path:
        return self.folder / f"{file_fingerprint(path)}.npy"

    # ------------------------------------------------------------------ schema of entries
    def _read_schema(self) -> dict | None:
        meta = self.folder / "config.json"
        try:
            return json.loads(meta.read_text()).get("entry")
        except (OSError, ValueError, AttributeError):
            return None

    def _write_meta(self) -> None:
        atomic_write_text(self.folder / "config.json", json.dumps(
            {"name": self.name, "config": self.config, "entry": self._schema}, indent=1, default=str))

    def _problem(self, value: np.ndarray) -> str | None:
        """Why ``value`` is not a valid entry of this cache, or None."""
        rules = [r for r in (self._declared, self._schema) if r]
        for rule in rules:
            if rule.get("dtype") and np.dtype(rule["dtype"]) != value.dtype:
                return f"dtype {value.dtype}, expected {np.dtype(rule['dtype'])}"
            shape = rule.get("shape")
            if shape is not None:
                if len(shape) != value.ndim or any(s is not None and s != v for s, v in zip(shape, value.shape)):
                    wanted = "x".join("*" if s is None else str(s) for s in shape) or "scalar"
                    return f"shape {value.shape}, expected {wanted}"
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return f"{int((~np.isfinite(value)).sum())} non-finite values"
        return None

    def _learn(self, value: np.ndarray) -> None:
        """Record (or widen) the shape/dtype rule of this folder from a new entry."""
        schema = self._schema
        if schema is None or schema.get("dtype") != value.dtype.str or len(schema.get("shape") or []) != value.ndim:
            self._schema = {"dtype": value.dtype.str, "shape": list(value.shape)}
        else:
            widened = [s if s == v else None for s, v in zip(schema["shape"], value.shape)]
            if widened == schema["shape"] and (self.folder / "config.json").exists():
                return
            self._schema = {"dtype": value.dtype.str, "shape": widened}
        self._write_meta()

    # ------------------------------------------------------------------ read / write
    def get(self, path) -> np.ndarray | None:
        """The cached array of ``path``, or None when absent or invalid (then it is deleted)."""
        entry = self._entry(path)
        if not entry.exists():
            return None
        try:
            value = np.load(entry, allow_pickle=False)
            problem = self._problem(value)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # zero-byte / truncated / not .npy
            problem = f"unreadable ({type(exc).__name__}: {exc})"
        if problem is not None:
            self.invalid += 1
            warnings.warn(CacheEntryWarning(f"{entry}: cached {self.name} features of {path} are invalid "
                                            f"({problem}); recomputing"), stacklevel=2)
            entry.unlink(missing_ok=True)
            return None
        self.hits += 1
        return value

    def put(self, path, value: np.ndarray) -> None:
        """Store ``value`` for ``path`` (atomically). Values with NaN/inf are not stored (a
        :class:`CacheEntryWarning` says so); a value that breaks the declared shape or
        dtype raises ValueError."""
        value = np.asarray(value)
        declared = self._declared["shape"] is not None or self._declared["dtype"] is not None
        problem = self._problem(value) if declared else None
        if problem is not None and "non-finite" not in problem:
            raise ValueError(f"{path}: refusing to cache {self.name} features with {problem}")
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            warnings.warn(CacheEntryWarning(f"{path}: {self.name} features hold non-finite values; "
                                            "not cached"), stacklevel=2)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._learn(value)
        with atomic_path(self._entry(path)) as scratch:  # readers never see a partial file
            with open(scratch, "wb") as handle:
                np.save(handle, value)

    def get_or_compute(self, path, compute: Callable[[str], np.ndarray]) -> np.ndarray:
        value = self.get(path)
        if value is None:
            self.misses += 1
            value = np.asarray(compute(str(path)))
            self.put(path, value)
        return value


def cached_map(paths: Sequence, name: str, config: dict, compute: Callable[[str], np.ndarray],
               use_cache: bool = True, progress: bool = False, desc: str | None = None,
               root: Path | None = None) -> list[np.ndarray]:
    """Apply ``compute(path) -> array`` to every path, reading and filling the cache.

    ``config`` must contain every parameter ``compute`` depends on: it is the
    cache key.
    """
    iterator: Iterable = paths
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(paths, desc=desc or name, leave=False)
    if not use_cache:
        return [np.asarray(compute(str(p))) for p in iterator]
    cache = FeatureCache(name, config, root)
    return [cache.get_or_compute(p, compute) for p in iterator]
