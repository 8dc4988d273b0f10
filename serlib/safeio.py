"""Safe file output and cheap content fingerprints, shared by every layer of serlib.

Every file the course writes (results CSV and Markdown, figures, fold lists,
checkpoints, cache entries, downloads, corpus markers) goes through
:func:`atomic_write`: the bytes go to a temporary file in the destination's own
folder, are flushed to disk, and the temporary file is renamed over the final
name. A rename inside one file system is atomic, so a reader (or a later run
after a crash, ``kill`` or Ctrl-C) sees either the old file or the complete new
one, never a header-only CSV or a half checkpoint.

:func:`content_fingerprint` identifies a file by its bytes cheaply: the whole
file when it is small, else its size plus its first and last blocks. It keys
the feature cache (so replaced audio with the same size and modification time
is not served stale) and finds duplicate audio in a corpus.

This module imports nothing from the rest of serlib, so any layer may use it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

#: Files up to this size are hashed whole; larger ones by size + first + last block.
WHOLE_FILE_BYTES = 1 << 20
FINGERPRINT_BLOCK = 1 << 16

_fingerprints: dict[tuple, str] = {}


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", **open_kwargs) -> Iterator:
    """Open a temporary sibling of ``path`` for writing; rename it to ``path`` on success.

    On an exception (or interrupt) the temporary file is removed and ``path`` is
    left as it was. Parent folders are created. ``mode`` is ``"wb"`` or ``"w"``.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle_fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    scratch = Path(scratch)
    try:
        with os.fdopen(handle_fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _keep_permissions(path, scratch)
        os.replace(scratch, path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary sibling path for writers that insist on a file name (``np.save``,
    ``torch.save``, ``savefig``); renamed to ``path`` when the block ends without error.

    The temporary name keeps ``path``'s suffix, so writers that choose a format by
    suffix (matplotlib) write the right one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle_fd, scratch = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle_fd)
    scratch = Path(scratch)
    try:
        yield scratch
        _keep_permissions(path, scratch)
        os.replace(scratch, path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


def _keep_permissions(path: Path, scratch: Path) -> None:
    """mkstemp creates 0600 files; give the new file the old one's mode, or the umask default."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(scratch, mode)


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_write(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return Path(path)


def atomic_write_bytes(path, data: bytes) -> Path:
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_to_csv(frame, path, **to_csv_kwargs) -> Path:
    """``DataFrame.to_csv`` through :func:`atomic_write`."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, **to_csv_kwargs)
    return Path(path)


def atomic_savefig(fig, path, **savefig_kwargs) -> Path:
    """``fig.savefig`` through a temporary file, so an interrupted save leaves no broken PNG."""
    path = Path(path)
    savefig_kwargs.setdefault("format", path.suffix.lstrip(".") or "png")
    with atomic_path(path) as scratch:
        fig.savefig(scratch, **savefig_kwargs)
    return path


def content_fingerprint(path) -> str:
    """Hex digest of a file's bytes: the whole file up to :data:`WHOLE_FILE_BYTES`, else its
    size and its first and last :data:`FINGERPRINT_BLOCK` bytes.

    Cheap on a corpus of large WAVs (two reads per file) and exact for the short
    clips of the stand-ins. Memoised per (device, inode, size, times) within a
    process, so a corpus read twice is hashed once. The memo key holds the inode's
    change time, which every write (and every ``touch`` back to an old
    modification time) moves, so a file rewritten in place is hashed again.
    """
    stat = os.stat(path)
    memo_key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, os.fspath(path))
    cached = _fingerprints.get(memo_key)
    if cached is not None:
        return cached
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(stat.st_size).encode() + b"|")
    with open(path, "rb") as handle:
        if stat.st_size <= WHOLE_FILE_BYTES:
            digest.update(handle.read())
        else:
            digest.update(handle.read(FINGERPRINT_BLOCK))
            handle.seek(-FINGERPRINT_BLOCK, os.SEEK_END)
            digest.update(handle.read(FINGERPRINT_BLOCK))
    value = digest.hexdigest()
    _fingerprints[memo_key] = value
    return value
