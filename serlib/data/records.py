"""Utterance records and the corpus registry.

A corpus is a function that walks a folder laid out like the official release
and yields :class:`Record` objects: one per utterance, with speaker, gender,
the corpus's own emotion label and the course's unified label as first-class
fields, plus the corpus's extra fields (RAVDESS intensity, IEMOCAP session...).
Parsers match on file stems and accept ``.wav`` and ``.flac``.

Nothing is lost or counted twice without a word:

* :func:`audio_files` follows symbolic links (guarding against loops) and lists
  every file and folder it could not read; :func:`load_corpus` refuses such a
  corpus (:class:`CorpusReadError`, naming each one) unless ``allow_unreadable``.
* :func:`load_corpus` refuses duplicate utterances (:class:`DuplicateUtteranceError`):
  two records with the same identity (the same utterance in two folders, a
  ``.wav`` beside its ``.flac``) or the same audio bytes (:func:`serlib.safeio.content_fingerprint`),
  unless ``allow_duplicates``, which keeps the first copy of each.
"""
from __future__ import annotations

import contextvars
import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .. import settings

#: Unified emotion vocabulary shared by all corpora. Each corpus maps its own
#: labels onto a subset of these (EmoDB "W" (Wut/Ärger) -> "angry", ...).
UNIFIED_LABELS = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
    "boredom", "excited", "frustrated", "other",
)

AUDIO_SUFFIXES = (".wav", ".flac")

#: Content duplicates checked and accepted on purpose (see the file's header).
KNOWN_DUPLICATES_FILE = settings.REPO_ROOT / "data" / "known_duplicates.csv"


@dataclass(frozen=True)
class Record:
    """One utterance of a corpus."""

    path: str
    corpus: str
    speaker: str
    gender: str  # "female", "male" or "unknown"
    emotion: str  # the corpus's own label, as the release names it
    label: str  # the unified label (UNIFIED_LABELS)
    extra: dict = field(default_factory=dict, hash=False, compare=False)
    #: content fingerprint of the audio file, filled by :func:`load_corpus` ("" when not computed)
    fingerprint: str = field(default="", compare=False)

    @property
    def utterance_id(self) -> str:
        return Path(self.path).stem

    @property
    def identity(self) -> str:
        """What makes an utterance the same utterance: speaker, emotion and file stem.

        The stem alone is not enough: CASIA (``<speaker>/<emotion>/201.wav``) and
        nested SAVEE (``DC/a01.wav``) repeat stems across speakers or emotions.
        """
        return f"{self.speaker}/{self.emotion}/{self.utterance_id}"

    def as_row(self) -> dict:
        row = {"utterance_id": self.utterance_id, "path": self.path, "corpus": self.corpus,
               "speaker": self.speaker, "gender": self.gender, "emotion": self.emotion, "label": self.label}
        row.update(self.extra)
        return row


class CorpusError(ValueError):
    """A corpus folder that cannot be parsed; the message names the folder or file."""


class CorpusReadError(CorpusError):
    """Files or folders of a corpus could not be read; ``problems`` lists each one."""

    def __init__(self, root, name: str, problems: list[str]):
        self.root, self.problems = Path(root), list(problems)
        shown = "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "")
        super().__init__(f"{root}: {len(problems)} file(s) or folder(s) of the {name} corpus could not be read, "
                         f"so it would be loaded incomplete: {shown}. Fix them, or accept the loss with "
                         "--allow-unreadable (allow_unreadable=True)")


class DuplicateUtteranceError(CorpusError):
    """The same utterance (or the same audio) appears more than once in a corpus folder."""

    def __init__(self, root, name: str, groups: list[list[str]]):
        self.root, self.groups = Path(root), groups
        shown = "; ".join(" = ".join(group) for group in groups[:5])
        more = f"; and {len(groups) - 5} more" if len(groups) > 5 else ""
        super().__init__(f"{root}: {len(groups)} duplicated utterance(s) in the {name} corpus (the same utterance "
                         f"id or the same audio bytes), which would be counted twice and could land in train and "
                         f"test at once: {shown}{more}. Remove the copies, or keep the first of each with "
                         "--allow-duplicates (allow_duplicates=True)")


class CorpusWalkWarning(UserWarning):
    """Something the corpus walk did not follow (a symbolic link loop), or accepted losses."""


@dataclass(frozen=True)
class CorpusSpec:
    """What the registry knows about a corpus."""

    name: str
    parser: Callable[..., Iterable[Record]]
    title: str
    labels: tuple  # unified labels this corpus uses, in the course's canonical order
    citation: str
    licence: str
    layout: str  # the folder layout the parser expects, for error messages and docs
    downloadable: bool = False
    instructions: str = ""
    default_protocol: str = "loso"


CORPORA: dict[str, CorpusSpec] = {}


def register_corpus(name: str, *, title: str, labels, citation: str, licence: str, layout: str,
                    downloadable: bool = False, instructions: str = "", default_protocol: str = "loso"):
    """Decorator adding a parser to :data:`CORPORA`."""

    def wrap(parser):
        CORPORA[name] = CorpusSpec(name, parser, title, tuple(labels), citation, licence, layout,
                                   downloadable, instructions, default_protocol)
        return parser

    return wrap


_WALK_PROBLEMS: contextvars.ContextVar[list | None] = contextvars.ContextVar("serlib_walk_problems", default=None)


def walk_audio_files(root) -> tuple[list[Path], list[str], list[str]]:
    """Every WAV/FLAC file under ``root``, following symbolic links.

    Returns ``(files, problems, notes)``: ``files`` sorted; ``problems`` one line per
    folder or file that could not be read (permissions, broken links, I/O errors),
    naming it; ``notes`` one line per symbolic link not followed because it leads
    back into a folder being walked (a loop).
    """
    root = Path(root)
    files: list[Path] = []
    problems: list[str] = []
    notes: list[str] = []
    try:
        root_stat = os.stat(root)
    except OSError as exc:
        return files, [f"{root}: folder could not be read ({exc.strerror or exc})"], notes
    # depth-first over (folder, the (device, inode) of every folder above it and itself)
    stack = [(root, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{folder}: folder could not be read ({exc.strerror or exc})")
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                linked = entry.is_symlink()
                is_dir = entry.is_dir()  # follows links
                is_file = entry.is_file()
            except OSError as exc:
                problems.append(f"{path}: could not be read ({exc.strerror or exc})")
                continue
            if linked and not os.path.exists(path):
                problems.append(f"{path}: broken symbolic link (to {os.readlink(path)})")
                continue
            if is_dir:
                try:
                    info = os.stat(path)
                except OSError as exc:
                    problems.append(f"{path}: folder could not be read ({exc.strerror or exc})")
                    continue
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    notes.append(f"{path}: symbolic link back into {os.path.realpath(path)} (a loop), not followed")
                    continue
                stack.append((path, ancestors | {key}))
            elif is_file and path.suffix.lower() in AUDIO_SUFFIXES:
                if not os.access(path, os.R_OK):
                    problems.append(f"{path}: audio file could not be read (permission denied)")
                    continue
                files.append(path)
    return sorted(files), problems, notes


def audio_files(root: Path) -> Iterator[Path]:
    """All WAV/FLAC files under ``root`` (symbolic links followed), sorted, so record order
    is deterministic.

    Inside :func:`load_corpus` the files and folders that could not be read are
    handed to it (which refuses or reports them); called on its own, it raises
    :class:`CorpusReadError` for them.
    """
    files, problems, notes = walk_audio_files(root)
    for note in notes:
        warnings.warn(CorpusWalkWarning(note), stacklevel=2)
    sink = _WALK_PROBLEMS.get()
    if problems:
        if sink is None:
            raise CorpusReadError(root, "audio", problems)
        sink.extend(problems)
    return iter(files)


@dataclass
class CorpusScan:
    """What :func:`scan_corpus` found: the records and what could not be used."""

    records: list
    unreadable: list = field(default_factory=list)  # one line per file/folder that could not be read
    duplicates: list = field(default_factory=list)  # groups of paths that are one utterance


def known_duplicates(corpus: str, path: Path = KNOWN_DUPLICATES_FILE) -> list[frozenset]:
    """The accepted duplicate groups of ``corpus`` (sets of utterance ids) from the committed list."""
    import csv

    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [frozenset(row["utterance_ids"].split(";")) for row in rows if row["corpus"] == corpus]


def _duplicate_groups(records: list[Record]) -> list[list[int]]:
    """Indices of records that are one utterance: same identity, or same audio bytes."""
    parent = list(range(len(records)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in ("identity", "fingerprint"):
        first: dict[str, int] = {}
        for i, record in enumerate(records):
            value = getattr(record, key)
            if not value:
                continue
            if value in first:
                parent[find(i)] = find(first[value])
            else:
                first[value] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(find(i), []).append(i)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def scan_corpus(name: str, root, *, allow_unreadable: bool = False, allow_duplicates: bool = False,
                **options) -> CorpusScan:
    """Parse a corpus folder, fingerprint every file, and apply the unreadable/duplicate policy
    (see the module docstring). ``options`` go to the corpus's parser."""
    from ..safeio import content_fingerprint
    from . import corpora  # noqa: F401  (fills the registry)

    if name not in CORPORA:
        raise CorpusError(f"unknown corpus {name!r}; known: {', '.join(sorted(CORPORA))}")
    spec = CORPORA[name]
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"{root}: corpus folder for {name} does not exist (expected layout: {spec.layout})")
    token = _WALK_PROBLEMS.set([])
    try:
        parsed = list(spec.parser(root, **options))
        problems = list(_WALK_PROBLEMS.get())
    finally:
        _WALK_PROBLEMS.reset(token)
    records = []
    for record in parsed:
        try:
            records.append(replace(record, fingerprint=content_fingerprint(record.path)))
        except OSError as exc:
            problems.append(f"{record.path}: audio file could not be read ({exc.strerror or exc})")
    if problems and not allow_unreadable:
        raise CorpusReadError(root, name, problems)
    if problems:
        warnings.warn(CorpusWalkWarning(f"{root}: {len(problems)} unreadable file(s)/folder(s) of {name} left out "
                                        f"(allow_unreadable): {'; '.join(problems[:3])}"), stacklevel=2)
    records.sort(key=lambda r: (r.speaker, r.utterance_id, r.path))
    groups = _duplicate_groups(records)
    accepted = known_duplicates(name)
    known = [g for g in groups if len({records[i].identity for i in g}) == len(g)
             and frozenset(records[i].utterance_id for i in g) in accepted]
    if known:
        warnings.warn(CorpusWalkWarning(
            f"{root}: {len(known)} known group(s) of {name} utterances with identical audio kept, as listed in "
            f"{KNOWN_DUPLICATES_FILE.name} (splits keep each group on one side): "
            + "; ".join(" = ".join(records[i].utterance_id for i in g) for g in known)), stacklevel=2)
    groups = [g for g in groups if g not in known]
    duplicates = [[records[i].path for i in group] for group in groups]
    if groups and not allow_duplicates:
        raise DuplicateUtteranceError(root, name, duplicates)
    if groups:
        dropped = {i for group in groups for i in group[1:]}
        records = [r for i, r in enumerate(records) if i not in dropped]
        warnings.warn(CorpusWalkWarning(f"{root}: {len(dropped)} duplicate cop(ies) of {name} utterances dropped, "
                                        f"the first of each kept (allow_duplicates)"), stacklevel=2)
    if not records:
        raise CorpusError(f"{root}: no {name} audio files found (expected layout: {spec.layout})")
    return CorpusScan(records, problems, duplicates)


def load_corpus(name: str, root, *, allow_unreadable: bool = False, allow_duplicates: bool = False,
                **options) -> list[Record]:
    """Parse a corpus folder into records, sorted by (speaker, utterance id).

    Raises :class:`CorpusError` naming the folder when it is missing or holds no
    file the parser recognises, :class:`CorpusReadError` when files or folders
    could not be read (unless ``allow_unreadable``), and
    :class:`DuplicateUtteranceError` when an utterance or its audio appears twice
    (unless ``allow_duplicates``, which keeps the first copy). Each record carries
    its audio's content fingerprint.
    """
    return scan_corpus(name, root, allow_unreadable=allow_unreadable, allow_duplicates=allow_duplicates,
                       **options).records


def records_frame(records: Iterable[Record]):
    """Records as a pandas DataFrame (one row per utterance, extra fields as columns)."""
    import pandas as pd

    return pd.DataFrame([r.as_row() for r in records])
