"""Corpora (one parser each), downloads, the synthetic corpus and evaluation protocols."""
from .records import (CORPORA, CorpusError, CorpusReadError, DuplicateUtteranceError, Record, UNIFIED_LABELS,
                      load_corpus, records_frame, scan_corpus)

__all__ = ["CORPORA", "CorpusError", "CorpusReadError", "DuplicateUtteranceError", "Record", "UNIFIED_LABELS",
           "load_corpus", "records_frame", "scan_corpus"]
