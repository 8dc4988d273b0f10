"""On-disk feature cache keyed by configuration, so an epoch never recomputes features.

Layout: ``<cache>/features/<name>-<config hash>/<file hash>.npy``. The config
hash covers the extractor's name and every parameter (sample rate, FFT size,
...), and the file hash covers the audio file's absolute path, size and
modification time, so editing either invalidates exactly the stale entries.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import settings


def config_hash(name: str, config: dict) -> str:
    """Stable short hash of an extractor name and its parameters."""
    payload = json.dumps({"name": name, "config": config}, sort_keys=True, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def file_fingerprint(path) -> str:
    stat = os.stat(path)
    payload = f"{Path(path).resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha1(payload.encode()).hexdigest()[:20]


class FeatureCache:
    """A folder of per-file feature arrays for one (extractor, configuration)."""

    def __init__(self, name: str, config: dict, root: Path | None = None):
        self.name = name
        self.config = dict(config)
        self.key = config_hash(name, self.config)
        base = Path(root) if root is not None else settings.cache_dir() / "features"
        self.folder = base / f"{name}-{self.key}"
        self.hits = 0
        self.misses = 0

    def _entry(self, path) -> Path:
        return self.folder / f"{file_fingerprint(path)}.npy"

    def get(self, path) -> np.ndarray | None:
        entry = self._entry(path)
        if entry.exists():
            try:
                value = np.load(entry, allow_pickle=False)
            except (OSError, ValueError):  # a half-written entry from a killed run: recompute
                entry.unlink(missing_ok=True)
                return None
            self.hits += 1
            return value
        return None

    def put(self, path, value: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = self.folder / "config.json"
        if not meta.exists():
            meta.write_text(json.dumps({"name": self.name, "config": self.config}, indent=1, default=str))
        entry = self._entry(path)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, np.asarray(value))
        os.replace(tmp, entry)  # atomic: readers never see a partial file

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
