"""Downloads of the freely available corpora: checksummed cache, progress bar, resume.

``download_corpus("ravdess", root)`` fetches the official archive into the
download cache (``<cache>/downloads``, see :func:`serlib.settings.cache_dir`),
verifies its checksum, unpacks it into ``root`` and checks that the unpacked
folder parses with :func:`serlib.data.load_corpus`. Licensed corpora (IEMOCAP,
CREMA-D, TESS, SAVEE, CASIA, ESD, EMOVO) cannot be fetched for you: asking
for them raises :class:`NotDownloadableError` with the corpus's own
instructions (where to request it, which layout to place under ``root``).

:func:`fetch` is the transfer underneath, plain ``urllib`` so that every step is
visible: the bytes go to ``<file>.part``; an interrupted transfer keeps that
file and the next attempt asks only for the rest with an HTTP ``Range``
request (restarting from zero when the server ignores ``Range``); the checksum
is verified before an atomic rename to the final name, and a file that fails
it is deleted, so nothing that failed verification can later pass as cached.

Checksums are written ``"md5:<hex>"`` or ``"sha256:<hex>"``. Where no checksum
is published (EmoDB), the first download's SHA-256 is recorded in
``known_hashes.json`` beside the downloads, every later download is verified
against it, and a :class:`UnverifiedDownloadWarning` says plainly that the
first one could not be verified (trust on first use).
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import urllib.error
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import urlparse

from .. import __version__, settings
from ..safeio import atomic_write, atomic_write_text
from .records import CORPORA, CorpusError, load_corpus

HASH_ALGORITHMS = {"md5": 32, "sha256": 64}  # algorithm -> hex digest length
KNOWN_HASHES_FILE = "known_hashes.json"
EXTRACTION_MARKER = ".serlib-download.json"
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class Source:
    """Where a corpus archive is published and how to check it."""

    corpus: str
    url: str
    known_hash: str | None  # "md5:<hex>" / "sha256:<hex>"; None where no checksum is published
    hash_source: str  # where the checksum comes from, or why there is none
    size: str  # as published, for messages (the transfer itself reads Content-Length)
    expected_files: int  # audio files the parser must find after unpacking the official archive
    alternatives: tuple = ()


SOURCES: dict[str, Source] = {
    "ravdess": Source(
        corpus="ravdess",
        url="https://zenodo.org/record/1188976/files/Audio_Speech_Actors_01-24.zip",
        known_hash="md5:bc696df654c87fed845eb13823edef8a",
        hash_source="MD5 published on the Zenodo record 10.5281/zenodo.1188976",
        size="208.5 MB",
        expected_files=1440,  # 24 actors x 60 trials, the record's own description
    ),
    "emodb": Source(
        corpus="emodb",
        url="http://emodb.bilderbar.info/download/download.zip",
        known_hash=None,
        hash_source=("no checksum is published for this archive: the SHA-256 of the first download is recorded "
                     "in known_hashes.json (trust on first use) and later downloads are checked against it"),
        size="about 40 MB",
        expected_files=535,  # the 535 utterances of the release documentation
        alternatives=("audformat copy on Zenodo, record 7447302 (https://zenodo.org/records/7447302): audformat "
                      "tables beside the audio; not checked here whether its file names keep the release's "
                      "SSTTTEV stems, which the emodb parser needs - pass its url= and verify with load_corpus",),
    ),
}


class DownloadError(RuntimeError):
    """A transfer that failed; the message names the URL and what to do next."""


class ChecksumError(DownloadError):
    """Downloaded bytes whose hash differs from the expected one (the file is deleted)."""

    def __init__(self, url: str, expected: str, actual: str, path: Path, note: str = ""):
        self.url, self.expected, self.actual, self.path = url, expected, actual, Path(path)
        super().__init__(f"{url}: checksum mismatch, expected {expected} but the download has {actual}; "
                         f"the file was deleted ({path}), nothing was kept.{note}")


class NotDownloadableError(CorpusError):
    """A corpus whose licence does not allow an automatic download."""


class UnverifiedDownloadWarning(UserWarning):
    """A file downloaded without a published checksum (its hash is recorded for next time)."""


class _IncompleteTransfer(Exception):
    """One attempt ended early; the .part file is kept (or reset) for the next attempt."""


# --------------------------------------------------------------------------- hashes
def parse_known_hash(known_hash: str) -> tuple[str, str]:
    """Split ``"md5:<hex>"``/``"sha256:<hex>"`` into (algorithm, lower-case hex).

    A bare 64-digit hex string is taken as SHA-256 and a bare 32-digit one as
    MD5 (pooch's convention for bare hashes is SHA-256; MD5 is added because
    Zenodo publishes MD5).
    """
    if not isinstance(known_hash, str) or not known_hash.strip():
        raise ValueError(f"known_hash must be a string like 'md5:<hex>' or 'sha256:<hex>', got {known_hash!r}")
    text = known_hash.strip().lower()
    if ":" in text:
        algorithm, digest = text.split(":", 1)
    else:
        by_length = {length: name for name, length in HASH_ALGORITHMS.items()}
        algorithm, digest = by_length.get(len(text), ""), text
    if algorithm not in HASH_ALGORITHMS:
        raise ValueError(f"known_hash {known_hash!r}: unsupported algorithm; use one of {sorted(HASH_ALGORITHMS)}")
    if len(digest) != HASH_ALGORITHMS[algorithm] or not re.fullmatch(r"[0-9a-f]+", digest):
        raise ValueError(f"known_hash {known_hash!r}: a {algorithm} digest is {HASH_ALGORITHMS[algorithm]} hex digits")
    return algorithm, digest


def file_hash(path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks (a 200 MB archive never sits in memory)."""
    if algorithm not in HASH_ALGORITHMS:
        raise ValueError(f"algorithm {algorithm!r}: use one of {sorted(HASH_ALGORITHMS)}")
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_known_hashes(dest_dir) -> dict:
    """URL -> "sha256:<hex>" recorded on first download of files without a published checksum."""
    table = Path(dest_dir) / KNOWN_HASHES_FILE
    if not table.is_file():
        return {}
    try:
        return json.loads(table.read_text())
    except json.JSONDecodeError as exc:
        raise DownloadError(f"{table}: not valid JSON ({exc}); delete it to record the hashes again") from None


def _record_known_hash(dest_dir: Path, url: str, known_hash: str) -> Path:
    table = dest_dir / KNOWN_HASHES_FILE
    hashes = read_known_hashes(dest_dir)
    hashes[url] = known_hash
    return atomic_write_text(table, json.dumps(hashes, indent=2, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- transfer
def _content_range(header: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) of a ``Content-Range: bytes a-b/total`` or ``bytes */total`` header."""
    match = re.fullmatch(r"\s*bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)\s*", header or "")
    if not match:
        return None, None
    first, total = match.groups()
    return (int(first) if first is not None else None), (int(total) if total and total != "*" else None)


def _transfer_once(url: str, part: Path, timeout: float, progress: bool, label: str) -> None:
    """One HTTP request appending to (or restarting) ``part``; raises _IncompleteTransfer on a short body."""
    from tqdm.auto import tqdm

    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": f"serlib/{__version__}"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            _, total = _content_range(exc.headers.get("Content-Range"))
            if total == offset:  # the previous attempt had received everything
                return
            part.unlink()
            raise _IncompleteTransfer(f"server refused the resume range bytes={offset}- "
                                      f"(size {total}); starting again from zero") from None
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    with response:
        length = response.headers.get("Content-Length")
        if offset and response.status == 206:
            first, total = _content_range(response.headers.get("Content-Range"))
            if first != offset:
                part.unlink()
                raise _IncompleteTransfer(f"server answered the range bytes={offset}- from byte {first}; "
                                          "starting again from zero")
            if total is None and length is not None:
                total = offset + int(length)
            mode = "ab"
        else:  # a fresh start, or a server that ignored Range and sends the whole file again
            offset, mode = 0, "wb"
            total = int(length) if length is not None else None
        received = offset
        with open(part, mode) as handle, tqdm(total=total, initial=offset, unit="B", unit_scale=True,
                                              unit_divisor=1024, desc=label, disable=not progress) as bar:
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                handle.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received < total:
        raise _IncompleteTransfer(f"connection closed after {received} of {total} bytes")
    if total is not None and received > total:
        part.unlink()
        raise _IncompleteTransfer(f"received {received} bytes but the server announced {total}; starting again")


def fetch(url: str, dest_dir, known_hash: str | None, progress: bool = True, *, filename: str | None = None,
          attempts: int = 3, timeout: float = 60.0,
          validate: Callable[[Path], None] | None = None) -> Path:
    """Download ``url`` into ``dest_dir`` (cached, verified, resumable) and return the file's path.

    Args:
        url: http(s) address.
        dest_dir: download folder; also holds ``known_hashes.json``.
        known_hash: ``"md5:<hex>"``/``"sha256:<hex>"``; ``None`` when no checksum is
            published: the SHA-256 recorded for this URL by an earlier download is
            used, or, on the very first download, recorded now with an
            :class:`UnverifiedDownloadWarning`.
        progress: show a tqdm progress bar.
        filename: name in ``dest_dir`` (default: the last part of the URL path).
        attempts: transfers tried in this call; each one resumes the ``.part`` file.
        timeout: seconds a socket may wait for data.
        validate: extra check of the complete file before it is accepted (e.g. "is a
            zip"); it raises to reject, and the rejected file is deleted.

    A file already in ``dest_dir`` is returned without a transfer when it passes
    the checksum, and deleted and downloaded again when it does not.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"url {url!r}: expected an http:// or https:// address")
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    name = filename or PurePosixPath(parsed.path).name
    if not name or name in (".", ".."):
        raise ValueError(f"url {url!r} has no file name; pass filename=")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target, part = dest_dir / name, dest_dir / (name + ".part")

    recorded = read_known_hashes(dest_dir).get(url) if known_hash is None else None
    expected = known_hash if known_hash is not None else recorded
    algorithm, digest = parse_known_hash(expected) if expected is not None else ("sha256", None)

    if target.exists():
        if digest is not None and file_hash(target, algorithm) == digest:
            return target
        target.unlink()  # unverifiable or failing: never hand out a file that did not pass

    failure = None
    for _ in range(attempts):
        try:
            _transfer_once(url, part, timeout, progress, name)
            failure = None
            break
        except (_IncompleteTransfer, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            failure = exc
    if failure is not None:
        kept = part.stat().st_size if part.exists() else 0
        raise DownloadError(f"{url}: download failed after {attempts} attempt(s) ({failure}); "
                            f"{kept} bytes are kept in {part} and the next call resumes from there")

    actual = file_hash(part, algorithm)
    if digest is not None and actual != digest:
        part.unlink()
        note = ("" if known_hash is not None else
                f" The expected hash was recorded from this URL's first download in {dest_dir / KNOWN_HASHES_FILE};"
                " if the publisher changed the file, remove that entry to accept the new one.")
        raise ChecksumError(url, f"{algorithm}:{digest}", f"{algorithm}:{actual}", part, note)
    if validate is not None:
        try:
            validate(part)
        except Exception:
            part.unlink()
            raise
    if digest is None:
        table = _record_known_hash(dest_dir, url, f"sha256:{actual}")
        warnings.warn(UnverifiedDownloadWarning(
            f"{url}: no published checksum exists for this file, so this first download could not be verified. "
            f"Its SHA-256 {actual} is now recorded in {table} and every later download is checked against it "
            "(trust on first use)."), stacklevel=2)
    os.replace(part, target)
    return target


# --------------------------------------------------------------------------- archives and corpora
def _require_zip(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise DownloadError(f"{path}: the downloaded file is not a zip archive (an error page instead of the "
                            "archive?); it was deleted")


def extract_zip(archive, root) -> list[Path]:
    """Unpack ``archive`` into ``root``, refusing members that would land outside it."""
    archive, root = Path(archive), Path(root)
    root.mkdir(parents=True, exist_ok=True)
    base = root.resolve()
    written = []
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            for member in members:
                destination = (base / member.filename).resolve()
                if member.filename.startswith(("/", "\\")) or not destination.is_relative_to(base):
                    raise DownloadError(f"{archive}: member {member.filename!r} would be written outside {root}; "
                                        "refusing to unpack this archive")
            for member in members:
                if member.is_dir():
                    continue
                destination = base / member.filename
                # a member interrupted half way never stands under its final name
                with bundle.open(member) as source, atomic_write(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink)
                written.append(destination)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive}: corrupt zip archive ({exc}); delete it and download again") from None
    return written


def unpack_once(archive: Path, root: Path, url: str):
    """Unpack ``archive`` into ``root`` unless this very archive was unpacked there before.

    Returns a function to call once the unpacked tree has been checked: it
    writes the marker (atomically), so a tree that failed its check is
    unpacked again next time rather than trusted.
    """
    marker = root / EXTRACTION_MARKER
    stamp = {"url": url, "archive": archive.name, "bytes": archive.stat().st_size}
    already = marker.is_file() and json.loads(marker.read_text()) == stamp
    if not already:
        extract_zip(archive, root)

    def mark_done() -> None:
        if not already:
            atomic_write_text(marker, json.dumps(stamp, indent=2, sort_keys=True) + "\n")

    return mark_done


def licence_instructions(name: str) -> str:
    """How to obtain a corpus that cannot be downloaded automatically, from its registry entry."""
    from . import corpora  # noqa: F401  (fills the registry)

    spec = CORPORA[name]
    return (f"{spec.title} cannot be downloaded automatically (licence: {spec.licence}).\n"
            f"{spec.instructions}\n"
            f"Expected layout under the folder you pass as root (--root on the command line): {spec.layout}\n"
            f"Cite: {spec.citation}")


def download_corpus(name: str, root, *, progress: bool = True, url: str | None = None,
                    known_hash: str | None = None, cache=None, attempts: int = 3, timeout: float = 60.0) -> Path:
    """Download, verify and unpack a freely available corpus into ``root``; return ``root``.

    Args:
        name: corpus name (``serlib.data.CORPORA``). Those in :data:`SOURCES` download from
            their publisher; a licensed corpus downloads only from a ``url`` you give
            (your institution's copy as a zip in the release's layout).
        root: folder the archive is unpacked into (the corpus root for ``load_corpus``).
        progress: tqdm progress bar during the transfer.
        url, known_hash: another address (a mirror) and its checksum instead of the
            registry's; without ``known_hash`` a mirror is trusted on first use.
        cache: download folder (default ``<cache_dir>/downloads``).
        attempts, timeout: passed to :func:`fetch`.

    Raises :class:`NotDownloadableError` with the instructions for licensed
    corpora, :class:`ChecksumError` when the archive fails its checksum, and
    :class:`CorpusError` when the unpacked folder does not parse (or, for the
    official archive, holds another number of files than the release).
    """
    from . import corpora  # noqa: F401  (fills the registry)

    if name not in CORPORA:
        raise CorpusError(f"unknown corpus {name!r}; known: {', '.join(sorted(CORPORA))}")
    source = SOURCES.get(name)
    if source is None and url is None:
        raise NotDownloadableError(licence_instructions(name))
    official = source is not None and url in (None, source.url)
    url = source.url if url is None else url
    if known_hash is None and official:
        known_hash = source.known_hash
    downloads = Path(cache) if cache is not None else settings.cache_dir() / "downloads"
    archive_name = f"{name}-{PurePosixPath(urlparse(url).path).name or 'archive.zip'}"
    archive = fetch(url, downloads, known_hash, progress, filename=archive_name, attempts=attempts,
                    timeout=timeout, validate=_require_zip)

    root = Path(root)
    mark_done = unpack_once(archive, root, url)
    records = load_corpus(name, root)
    if official and len(records) != source.expected_files:
        raise CorpusError(f"{root}: unpacked {archive} but {name} parses {len(records)} files where the release "
                          f"has {source.expected_files}; is root shared with other files, or the archive changed?")
    mark_done()
    return root


# --------------------------------------------------------------------------- noise sets (augmentation)
@dataclass(frozen=True)
class NoiseSource:
    """A public noise collection used by an augmentation policy (not a speech corpus)."""

    name: str
    url: str
    known_hash: str | None
    hash_source: str
    size: str
    folder: str  # the folder the archive unpacks to
    expected_files: int
    licence: str
    citation_key: str


NOISE_SOURCES: dict[str, NoiseSource] = {
    "esc50": NoiseSource(
        name="esc50", url="https://github.com/karolpiczak/ESC-50/archive/master.zip", known_hash=None,
        hash_source=("no checksum is published for the repository archive: the SHA-256 of the first download is "
                     "recorded in known_hashes.json (trust on first use) and later downloads are checked against it"),
        size="about 600 MB", folder="ESC-50-master", expected_files=2000,
        licence="CC BY-NC 3.0 (clips from freesound.org; see the archive's LICENSE)", citation_key="esc50"),
}


def download_noise(name: str, root, *, progress: bool = True, url: str | None = None, known_hash: str | None = None,
                   cache=None, attempts: int = 3, timeout: float = 60.0) -> Path:
    """Download and unpack a noise collection (ESC-50 for fla_ser's ambient-noise augmentation).

    Returns the folder holding ``meta/esc50.csv`` and ``audio/*.wav`` (pass it
    as ``--root esc50=PATH`` to ``serlib reproduce``). The same checksummed,
    resumable transfer as the corpora; the unpacked layout is checked (the
    metadata file and, for the official archive, the number of clips).
    """
    if name not in NOISE_SOURCES:
        raise CorpusError(f"unknown noise collection {name!r}; known: {', '.join(NOISE_SOURCES)}")
    source = NOISE_SOURCES[name]
    official = url in (None, source.url)
    url = source.url if url is None else url
    if known_hash is None and official:
        known_hash = source.known_hash
    downloads = Path(cache) if cache is not None else settings.cache_dir() / "downloads"
    archive = fetch(url, downloads, known_hash, progress, filename=f"{name}-{PurePosixPath(urlparse(url).path).name}",
                    attempts=attempts, timeout=timeout, validate=_require_zip)
    root = Path(root)
    mark_done = unpack_once(archive, root, url)
    folder = root / source.folder
    meta = folder / "meta" / "esc50.csv"
    if not meta.is_file():
        raise CorpusError(f"{archive}: unpacked into {root} but {meta} is missing; not the {name} archive?")
    clips = sorted((folder / "audio").glob("*.wav"))
    if official and len(clips) != source.expected_files:
        raise CorpusError(f"{folder}: {len(clips)} clips where the release has {source.expected_files}")
    mark_done()
    return folder
