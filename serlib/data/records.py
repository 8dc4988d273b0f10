"""Utterance records and the corpus registry.

A corpus is a function that walks a folder laid out like the official release
and yields :class:`Record` objects: one per utterance, with speaker, gender,
the corpus's own emotion label and the course's unified label as first-class
fields, plus the corpus's extra fields (RAVDESS intensity, IEMOCAP session...).
Parsers match on file stems and accept ``.wav`` and ``.flac``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

#: Unified emotion vocabulary shared by all corpora. Each corpus maps its own
#: labels onto a subset of these (EmoDB "W" (Wut/Ärger) -> "angry", ...).
UNIFIED_LABELS = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
    "boredom", "excited", "frustrated", "other",
)

AUDIO_SUFFIXES = (".wav", ".flac")


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

    @property
    def utterance_id(self) -> str:
        return Path(self.path).stem

    def as_row(self) -> dict:
        row = {"utterance_id": self.utterance_id, "path": self.path, "corpus": self.corpus,
               "speaker": self.speaker, "gender": self.gender, "emotion": self.emotion, "label": self.label}
        row.update(self.extra)
        return row


class CorpusError(ValueError):
    """A corpus folder that cannot be parsed; the message names the folder or file."""


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


def audio_files(root: Path) -> Iterator[Path]:
    """All WAV/FLAC files under ``root``, sorted, so record order is deterministic."""
    return iter(sorted(p for p in Path(root).rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()))


def load_corpus(name: str, root, **options) -> list[Record]:
    """Parse a corpus folder into records, sorted by utterance id.

    Raises :class:`CorpusError` naming the folder when it is missing or holds no
    file the parser recognises.
    """
    from . import corpora  # noqa: F401  (fills the registry)

    if name not in CORPORA:
        raise CorpusError(f"unknown corpus {name!r}; known: {', '.join(sorted(CORPORA))}")
    spec = CORPORA[name]
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"{root}: corpus folder for {name} does not exist (expected layout: {spec.layout})")
    records = sorted(spec.parser(root, **options), key=lambda r: (r.speaker, r.utterance_id))
    if not records:
        raise CorpusError(f"{root}: no {name} audio files found (expected layout: {spec.layout})")
    return records


def records_frame(records: Iterable[Record]):
    """Records as a pandas DataFrame (one row per utterance, extra fields as columns)."""
    import pandas as pd

    return pd.DataFrame([r.as_row() for r in records])
