"""Corpora (one parser each), downloads, the synthetic corpus and evaluation protocols."""
from .records import CORPORA, CorpusError, Record, UNIFIED_LABELS, load_corpus, records_frame

__all__ = ["CORPORA", "CorpusError", "Record", "UNIFIED_LABELS", "load_corpus", "records_frame"]
