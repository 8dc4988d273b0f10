"""Evaluation protocols: seeded, reproducible train/validation/test splits.

Speaker-independent protocols are the default of the course (DESIGN.md,
"Evaluation lessons from the field"). For them

* no speaker appears in more than one of train, validation and test, and
* validation speakers are carved from the TRAINING speakers of each fold,
  never from the test fold,

and :func:`check_speaker_independent` raises :class:`SpeakerLeakageError` if a
split breaks either rule. Every split made by :func:`make_splits` passes
through that guard, and through :func:`check_no_shared_utterance`, which
raises :class:`UtteranceLeakageError` when one utterance (by its identity,
speaker/emotion/stem, or by its audio fingerprint) sits in two subsets: copies
that are different indices of the record list are caught too. Records with the
same audio fingerprint (a known duplicate, see ``data/known_duplicates.csv``)
are always kept in one subset.

Speaker-dependent protocols exist only so the papers' own protocols can be
reproduced and contrasted; their splits carry ``speaker_independent=False`` and
their names say so.

=======================  ====  ===============================================================
protocol                 SI    what it does
=======================  ====  ===============================================================
``loso``                 yes   leave-one-speaker-out (EmoDB, SAVEE, CASIA, EMOVO, TESS)
``emobox_folds``         yes   RAVDESS actor groups of EmoBox (``data/emobox_ravdess_folds.csv``)
``speaker_kfold``        yes   k folds of whole speakers (seeded, gender-interleaved)
``loso_session``         yes   leave-one-session-out (IEMOCAP sessions 1-5)
``si_80_10_10``          yes   80/10/10 of speakers (fla_ser's "speaker-independent" split)
``holdout_mf_pair``      yes   two held-out test speakers, one female one male (wavelet_cnn_lstm)
``random_kfold``         no    stratified random k-fold over utterances (speaker-dependent)
``stratified_80_10_10``  no    per-emotion stratified 80/10/10 (cnn_transformer, speaker-dependent)
``random_90_10``         no    random 90/10 train/test, no validation (speechnet)
``..._together``         no    ``stratified_80_10_10_repetitions_together``: RAVDESS repetitions on one side
``..._apart``            no    ``stratified_80_10_10_repetitions_apart``: each repetition pair split apart
``holdout_mf_pairs_x3``  yes   three folds testing disjoint (female, male) pairs (wavelet_cnn_lstm)
``random_90_10_fixed``   no    random 90/10 drawn once for every run seed (speechnet Table 4: same test set)
``random_80_20_fixed``   no    random 80/20 drawn once for every run seed (the split speechnet's numbers imply)
=======================  ====  ===============================================================
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import settings
from .records import Record

EMOBOX_FOLDS_FILE = settings.REPO_ROOT / "data" / "emobox_ravdess_folds.csv"


class SpeakerLeakageError(AssertionError):
    """A speaker-independent split shares a speaker between its subsets."""


class UtteranceLeakageError(AssertionError):
    """One utterance (same identity or same audio) is in two subsets of a split."""


@dataclass(frozen=True)
class Split:
    """One fold: index arrays into the record list."""

    protocol: str
    name: str
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    speaker_independent: bool
    seed: int = 0
    test_speakers: tuple = field(default=())

    def subset(self, which: str) -> np.ndarray:
        return {"train": self.train, "val": self.val, "test": self.test}[which]

    def describe(self, records: Sequence[Record]) -> dict:
        def speakers(idx):
            return sorted({records[i].speaker for i in idx})

        return {"protocol": self.protocol, "fold": self.name, "speaker_independent": self.speaker_independent,
                "n_train": len(self.train), "n_val": len(self.val), "n_test": len(self.test),
                "train_speakers": speakers(self.train), "val_speakers": speakers(self.val),
                "test_speakers": speakers(self.test)}


@dataclass(frozen=True)
class Protocol:
    name: str
    speaker_independent: bool
    description: str


PROTOCOLS = {p.name: p for p in [
    Protocol("loso", True, "leave-one-speaker-out; validation speakers drawn from the training speakers"),
    Protocol("emobox_folds", True, "EmoBox RAVDESS actor-group folds (6 x 4 actors)"),
    Protocol("speaker_kfold", True, "k folds of whole speakers (seeded, genders interleaved)"),
    Protocol("loso_session", True, "leave-one-session-out (IEMOCAP)"),
    Protocol("si_80_10_10", True, "speaker-independent 80/10/10 split of speakers (fla_ser)"),
    Protocol("holdout_mf_pair", True, "two test speakers, one female and one male (wavelet_cnn_lstm)"),
    Protocol("random_kfold", False, "SPEAKER-DEPENDENT stratified random k-fold over utterances"),
    Protocol("stratified_80_10_10", False, "SPEAKER-DEPENDENT per-emotion stratified 80/10/10 (cnn_transformer)"),
    Protocol("random_90_10", False, "SPEAKER-DEPENDENT random 90/10 train/test without validation (speechnet)"),
]}


# ----------------------------------------------------------------------------- guard
def check_speaker_independent(split: Split, records: Sequence[Record]) -> None:
    """Raise :class:`SpeakerLeakageError` if any speaker is in two subsets of the split."""
    sets = {name: {records[i].speaker for i in split.subset(name)} for name in ("train", "val", "test")}
    for a, b in (("train", "test"), ("val", "test"), ("train", "val")):
        shared = sets[a] & sets[b]
        if shared:
            raise SpeakerLeakageError(
                f"split {split.protocol}/{split.name} leaks speakers {sorted(shared)} between {a} and {b}")


def check_no_shared_utterance(split: Split, records: Sequence[Record]) -> None:
    """Raise :class:`UtteranceLeakageError` if an utterance identity or an audio fingerprint
    is in two subsets of ``split`` (indices alone cannot see two copies of one file)."""
    for key, what in (("identity", "utterance"), ("fingerprint", "audio")):
        owner: dict[str, str] = {}
        for name in ("train", "val", "test"):
            for i in split.subset(name):
                value = getattr(records[i], key)
                if not value:
                    continue
                first = owner.setdefault(value, name)
                if first != name:
                    raise UtteranceLeakageError(
                        f"split {split.protocol}/{split.name} puts the same {what} in {first} and {name}: "
                        f"{records[i].path} ({key} {value})")


def _keep_duplicates_together(split: Split, records: Sequence[Record]) -> Split:
    """Move every record whose audio fingerprint equals an earlier record's into that record's subset."""
    home: dict[str, str] = {}
    where = {}
    for name in ("train", "val", "test"):
        for i in split.subset(name):
            where[int(i)] = name
    moved = False
    for i in sorted(where):
        fingerprint = records[i].fingerprint
        if not fingerprint:
            continue
        first = home.setdefault(fingerprint, where[i])
        if first != where[i]:
            where[i], moved = first, True
    if not moved:
        return split
    parts = {name: np.array(sorted(i for i, n in where.items() if n == name), dtype=np.int64)
             for name in ("train", "val", "test")}
    return replace(split, train=parts["train"], val=parts["val"], test=parts["test"])


def _check_partition(split: Split, records: Sequence[Record]) -> None:
    n = len(records)
    all_idx = np.concatenate([split.train, split.val, split.test])
    if len(np.unique(all_idx)) != len(all_idx):
        raise AssertionError(f"split {split.protocol}/{split.name} puts an utterance in two subsets")
    if len(all_idx) and (all_idx.min() < 0 or all_idx.max() >= n):
        raise AssertionError(f"split {split.protocol}/{split.name} has indices outside 0..{n - 1}")
    if len(split.test) == 0 or len(split.train) == 0:
        raise ValueError(f"split {split.protocol}/{split.name} has an empty train or test subset")
    check_no_shared_utterance(split, records)


# ----------------------------------------------------------------------------- helpers
def _speakers(records: Sequence[Record]) -> list[str]:
    return sorted({r.speaker for r in records})


def _gender_interleaved(speakers: list[str], records: Sequence[Record], rng: np.random.Generator,
                        start: int | None = None) -> list[str]:
    """Shuffle speakers, then interleave genders so folds and validation sets stay mixed.

    Which gender comes first ROTATES: ``start`` picks it (``start % n_genders``
    in sorted gender order), else the seeded ``rng`` draws it. A fixed order
    (always the female list first) made every ``si_80_10_10`` test speaker
    female and every validation speaker male, a hidden structure of the split.
    """
    gender = {r.speaker: r.gender for r in records}
    groups: dict[str, list[str]] = {}
    for spk in speakers:
        groups.setdefault(gender[spk], []).append(spk)
    for g in groups.values():
        rng.shuffle(g)
    order: list[str] = []
    lists = [groups[k] for k in sorted(groups)]
    first = int(rng.integers(len(lists))) if start is None else int(start) % len(lists)
    lists = lists[first:] + lists[:first]
    while any(lists):
        for lst in lists:
            if lst:
                order.append(lst.pop())
    return order


def _carve_validation(train_speakers: list[str], records: Sequence[Record], rng: np.random.Generator,
                      val_fraction: float) -> tuple[list[str], list[str]]:
    """Pick validation speakers from the training speakers (at least one, gender-interleaved)."""
    if len(train_speakers) < 2:
        raise ValueError("a speaker-independent validation set needs at least two training speakers")
    n_val = max(1, int(round(val_fraction * len(train_speakers))))
    order = _gender_interleaved(sorted(train_speakers), records, rng)
    val = sorted(order[:n_val])
    return sorted(set(train_speakers) - set(val)), val


def _indices(records: Sequence[Record], speakers) -> np.ndarray:
    wanted = set(speakers)
    return np.array([i for i, r in enumerate(records) if r.speaker in wanted], dtype=np.int64)


def _speaker_folds(records, test_groups: list[list[str]], protocol: str, names: list[str], seed: int,
                   val_fraction: float) -> list[Split]:
    everyone = _speakers(records)
    splits = []
    for k, (group, name) in enumerate(zip(test_groups, names)):
        rng = np.random.default_rng([seed, k])
        rest = sorted(set(everyone) - set(group))
        train_spk, val_spk = _carve_validation(rest, records, rng, val_fraction)
        splits.append(Split(protocol, name, _indices(records, train_spk), _indices(records, val_spk),
                            _indices(records, group), True, seed, tuple(sorted(group))))
    return splits


def load_emobox_folds(path: Path = EMOBOX_FOLDS_FILE) -> list[list[str]]:
    """The six EmoBox RAVDESS actor groups, read from the committed fold list."""
    folds: dict[int, list[str]] = {}
    with open(path) as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            folds.setdefault(int(row["fold"]), []).append(row["actor"].zfill(2))
    return [sorted(folds[k]) for k in sorted(folds)]


def _stratified_parts(labels: np.ndarray, fractions: Sequence[float], rng: np.random.Generator) -> list[np.ndarray]:
    """Split indices per class by the given fractions (largest remainder rounding per class)."""
    parts: list[list[int]] = [[] for _ in fractions]
    for label in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == label)
        rng.shuffle(idx)
        counts = np.floor(np.array(fractions) * len(idx)).astype(int)
        for j in np.argsort(-(np.array(fractions) * len(idx) - counts))[: len(idx) - counts.sum()]:
            counts[j] += 1
        start = 0
        for p, c in enumerate(counts):
            parts[p].extend(idx[start:start + c].tolist())
            start += c
    return [np.array(sorted(p), dtype=np.int64) for p in parts]


# ----------------------------------------------------------------------------- protocols
def make_splits(records: Sequence[Record], protocol: str, seed: int = 0, *, k: int = 5,
                val_fraction: float = 0.1, folds_file: Path | None = None) -> list[Split]:
    """Build the folds of ``protocol`` over ``records`` (see the module table).

    Args:
        records: the corpus (order matters: indices refer to it).
        protocol: a key of :data:`PROTOCOLS`.
        seed: seeds the choice of validation speakers, fold membership and random splits.
        k: number of folds for ``speaker_kfold`` and ``random_kfold``.
        val_fraction: share of training speakers (SI) or utterances (SD) used for validation.
        folds_file: a different actor-group file for ``emobox_folds``.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
    if protocol in ("speaker_kfold", "random_kfold") and (not isinstance(k, (int, np.integer)) or k < 2):
        raise ValueError(f"k (folds of {protocol}) must be an integer of at least 2, got {k!r}")
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction!r}")
    records = list(records)
    speakers = _speakers(records)
    labels = np.array([r.label for r in records])
    rng = np.random.default_rng(seed)

    if protocol == "loso":
        splits = _speaker_folds(records, [[s] for s in speakers], protocol, [f"speaker_{s}" for s in speakers],
                                seed, val_fraction)
    elif protocol == "emobox_folds":
        groups = load_emobox_folds(folds_file or EMOBOX_FOLDS_FILE)
        missing = sorted(set(sum(groups, [])) ^ set(speakers))
        if missing:
            raise ValueError(f"emobox_folds expects RAVDESS actors 01-24; the records' speakers differ by {missing}")
        splits = _speaker_folds(records, groups, protocol, [f"fold{i + 1}" for i in range(len(groups))],
                                seed, val_fraction)
    elif protocol == "speaker_kfold":
        if len(speakers) < k:
            raise ValueError(f"speaker_kfold with k={k} needs at least {k} speakers, got {len(speakers)}")
        order = _gender_interleaved(speakers, records, rng)
        groups = [sorted(order[i::k]) for i in range(k)]
        splits = _speaker_folds(records, groups, protocol, [f"fold{i + 1}" for i in range(k)], seed, val_fraction)
    elif protocol == "loso_session":
        sessions = sorted({r.extra.get("session") for r in records})
        if None in sessions:
            raise ValueError("loso_session needs records with a 'session' field (IEMOCAP)")
        groups = [sorted({r.speaker for r in records if r.extra["session"] == s}) for s in sessions]
        splits = _speaker_folds(records, groups, protocol, [f"session{s}" for s in sessions], seed, val_fraction)
    elif protocol == "si_80_10_10":
        if len(speakers) < 3:
            raise ValueError("si_80_10_10 needs at least three speakers")
        # The first gender alternates with the seed, so the test speaker(s) of seeds 0, 1, 2... alternate gender.
        order = _gender_interleaved(speakers, records, rng, start=seed)
        n_test = max(1, int(round(0.1 * len(order))))
        n_val = max(1, int(round(0.1 * len(order))))
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
        splits = [Split(protocol, f"seed{seed}", _indices(records, train), _indices(records, val),
                        _indices(records, test), True, seed, tuple(sorted(test)))]
    elif protocol == "holdout_mf_pair":
        by_gender = {g: sorted({r.speaker for r in records if r.gender == g}) for g in ("female", "male")}
        if not all(by_gender.values()):
            raise ValueError("holdout_mf_pair needs at least one female and one male speaker")
        test = [str(rng.choice(by_gender["female"])), str(rng.choice(by_gender["male"]))]
        rest = sorted(set(speakers) - set(test))
        train, val = _carve_validation(rest, records, rng, val_fraction)
        splits = [Split(protocol, "-".join(test), _indices(records, train), _indices(records, val),
                        _indices(records, test), True, seed, tuple(sorted(test)))]
    elif protocol == "random_kfold":
        parts = _stratified_parts(labels, [1.0 / k] * k, rng)
        splits = []
        for i in range(k):
            rest = np.setdiff1d(np.arange(len(records)), parts[i])
            inner = np.random.default_rng([seed, i])
            train_rel, val_rel = _stratified_parts(labels[rest], [1 - val_fraction, val_fraction], inner)
            splits.append(Split(protocol, f"fold{i + 1}", rest[train_rel], rest[val_rel], parts[i], False, seed))
    elif protocol == "stratified_80_10_10":
        train, val, test = _stratified_parts(labels, [0.8, 0.1, 0.1], rng)
        splits = [Split(protocol, f"seed{seed}", train, val, test, False, seed)]
    elif protocol == "random_90_10":
        idx = rng.permutation(len(records))
        n_test = max(1, int(round(0.1 * len(records))))
        splits = [Split(protocol, f"seed{seed}", np.sort(idx[n_test:]), np.array([], dtype=np.int64),
                        np.sort(idx[:n_test]), False, seed)]
    elif protocol in APPENDED_PROTOCOL_BUILDERS:  # protocols defined at the end of this module
        splits = APPENDED_PROTOCOL_BUILDERS[protocol](records, labels, rng, seed)
    else:  # pragma: no cover - PROTOCOLS and this dispatch are kept in step by the tests
        raise AssertionError(protocol)

    splits = [_keep_duplicates_together(split, records) for split in splits]
    for split in splits:
        _check_partition(split, records)
        if split.speaker_independent:
            check_speaker_independent(split, records)
    return splits


def fold_table(splits: Sequence[Split], records: Sequence[Record]):
    """Long table (utterance_id, speaker, fold, subset): the committed form of a fold list."""
    import pandas as pd

    rows = []
    for split in splits:
        for subset in ("train", "val", "test"):
            for i in split.subset(subset):
                rows.append({"protocol": split.protocol, "fold": split.name, "subset": subset,
                             "utterance_id": records[i].utterance_id, "speaker": records[i].speaker,
                             "label": records[i].label})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- RAVDESS repetitions
# Every RAVDESS actor records each (statement, emotion, intensity) twice (repetition 01 and 02): two
# near-identical takes. A random utterance split puts many pairs across train and test, a leak of its own
# on top of sharing speakers. These two protocols measure it: both are speaker-dependent per-emotion
# 80/10/10 splits like ``stratified_80_10_10``; one keeps every pair on one side, one splits pairs apart.
REPETITION_FIELDS = ("statement", "intensity", "repetition")


def repetition_group_key(record: Record) -> tuple:
    """(speaker, statement, emotion, intensity): the records sharing it are repetitions of one another."""
    missing = [f for f in REPETITION_FIELDS if f not in record.extra]
    if missing:
        raise ValueError(f"{record.path}: repetition-aware protocols need RAVDESS-style records with "
                         f"{list(REPETITION_FIELDS)} fields; missing {missing}")
    return record.speaker, record.extra["statement"], record.label, record.extra["intensity"]


def repetition_groups(records: Sequence[Record]) -> list[np.ndarray]:
    """Index arrays of the repetition groups of ``records`` (sorted by key; members by repetition number)."""
    groups: dict[tuple, list[int]] = {}
    for i, record in enumerate(records):
        groups.setdefault(repetition_group_key(record), []).append(i)
    return [np.array(sorted(groups[key], key=lambda i: (records[i].extra["repetition"], i)), dtype=np.int64)
            for key in sorted(groups, key=lambda k: tuple(str(v) for v in k))]


def _repetitions_together(records, labels, rng, seed) -> list[Split]:
    """Per emotion, 80/10/10 of the repetition GROUPS (largest-remainder rounding on group counts)."""
    groups = repetition_groups(records)
    group_labels = np.array([labels[g[0]] for g in groups])
    parts = _stratified_parts(group_labels, [0.8, 0.1, 0.1], rng)
    train, val, test = (np.sort(np.concatenate([groups[j] for j in part])) if len(part) else
                        np.array([], dtype=np.int64) for part in parts)
    return [Split("stratified_80_10_10_repetitions_together", f"seed{seed}", train, val, test, False, seed)]


def _repetitions_apart(records, labels, rng, seed) -> list[Split]:
    """Per emotion, about 10 % of the utterances to test and 10 % to validation, each one a member of a
    repetition pair whose partner stays in TRAINING; every other utterance trains.

    Per emotion with ``n`` utterances, ``round(0.1 n)`` groups of two or more are drawn for test and as
    many for validation (fewer if the emotion has fewer groups); one random member of each goes to that
    subset and the rest to training. Groups of one (a missing partner) always train.
    """
    groups = repetition_groups(records)
    train, val, test = [], [], []
    for label in sorted(set(labels.tolist())):
        mine = [g for g in groups if labels[g[0]] == label]
        pairs = [g for g in mine if len(g) >= 2]
        order = rng.permutation(len(pairs))
        n_each = min(int(round(0.1 * sum(len(g) for g in mine))), len(pairs) // 2)
        chosen = {"test": order[:n_each], "val": order[n_each:2 * n_each]}
        taken = set(chosen["test"].tolist()) | set(chosen["val"].tolist())
        for subset, target in (("test", test), ("val", val)):
            for j in chosen[subset]:
                group = pairs[j]
                pick = int(rng.integers(len(group)))
                target.append(int(group[pick]))
                train.extend(int(i) for k, i in enumerate(group) if k != pick)
        train.extend(int(i) for j, g in enumerate(pairs) if j not in taken for i in g)
        train.extend(int(i) for g in mine if len(g) < 2 for i in g)
    as_array = lambda xs: np.array(sorted(xs), dtype=np.int64)  # noqa: E731
    return [Split("stratified_80_10_10_repetitions_apart", f"seed{seed}", as_array(train), as_array(val),
                  as_array(test), False, seed)]


def repetition_partners_across(split: Split, records: Sequence[Record], subset: str = "test") -> int:
    """How many utterances of ``subset`` have a repetition partner in the training subset."""
    train_keys = {repetition_group_key(records[i]) for i in split.train}
    return sum(repetition_group_key(records[i]) in train_keys for i in split.subset(subset))


# ----------------------------------------------------------------------------- wavelet_cnn_lstm's SI folds
MF_PAIR_FOLDS = 3


def _mf_pairs(records, labels, rng, seed) -> list[Split]:
    """wavelet_cnn_lstm Section 3.5.2: "two speakers (one female and one male) are held out for testing",
    in a "three-fold" procedure: three folds whose test sets are DISJOINT (female, male) pairs drawn with
    the seed; the validation speakers of each fold are carved from its training speakers (10 %, at least one).
    The paper does not say whether its three pairs differ; disjoint pairs make the three folds test
    different people (``holdout_mf_pair`` is the one-pair version)."""
    by_gender = {g: sorted({r.speaker for r in records if r.gender == g}) for g in ("female", "male")}
    short = {g: len(v) for g, v in by_gender.items() if len(v) < MF_PAIR_FOLDS}
    if short:
        raise ValueError(f"holdout_mf_pairs_x3 needs at least {MF_PAIR_FOLDS} speakers of each gender, got {short}")
    females = [str(s) for s in rng.permutation(by_gender["female"])[:MF_PAIR_FOLDS]]
    males = [str(s) for s in rng.permutation(by_gender["male"])[:MF_PAIR_FOLDS]]
    groups = [sorted(pair) for pair in zip(females, males)]
    return _speaker_folds(records, groups, "holdout_mf_pairs_x3", ["-".join(g) for g in groups], seed, 0.1)


def _random_80_20(records, labels, rng, seed) -> list[Split]:
    """dual_stream_caf's public code (DataSet.py): shuffle the utterances, first 80 % train, the rest test.

    No speaker grouping, no stratification and no validation subset (the code
    has none); the shuffle is seeded here (the code's is not). The train size is
    ``int(0.8 N)`` as the code's slice, so the test set has ``N - int(0.8 N)``.
    """
    order = rng.permutation(len(records))
    n_train = int(0.8 * len(records))
    return [Split("random_80_20", f"seed{seed}", np.sort(order[:n_train]), np.array([], dtype=np.int64),
                  np.sort(order[n_train:]), False, seed)]


#: The split seed of the fixed random splits: every run seed sees the SAME partition (speechnet Table 4).
FIXED_SPLIT_SEED = 0


def _fixed_random_split(test_fraction: float, protocol: str):
    """A random train/test split drawn ONCE (split seed :data:`FIXED_SPLIT_SEED`), whatever the run seed.

    speechnet's reproducibility metrics (Eqs. 1-6, Table 4) compare R runs "under identical conditions,
    using the same training and test datasets": only the model's seed may change between runs. The
    run seed is kept in the split (``Split.seed``) for the record; the partition ignores it. No
    validation subset (speechnet Sec. 5.1: "90 % used for training and 10 % reserved for testing").
    """
    def build(records, labels, rng, seed) -> list[Split]:
        order = np.random.default_rng(FIXED_SPLIT_SEED).permutation(len(records))
        n_test = max(1, int(round(test_fraction * len(records))))
        return [Split(protocol, f"split{FIXED_SPLIT_SEED}", np.sort(order[n_test:]), np.array([], dtype=np.int64),
                      np.sort(order[:n_test]), False, seed)]
    return build


APPENDED_PROTOCOL_BUILDERS = {
    "stratified_80_10_10_repetitions_together": _repetitions_together,
    "stratified_80_10_10_repetitions_apart": _repetitions_apart,
    "holdout_mf_pairs_x3": _mf_pairs,
    "random_80_20": _random_80_20,
    "random_90_10_fixed": _fixed_random_split(0.1, "random_90_10_fixed"),
    "random_80_20_fixed": _fixed_random_split(0.2, "random_80_20_fixed"),
}
PROTOCOLS.update({p.name: p for p in [
    Protocol("stratified_80_10_10_repetitions_together", False,
             "SPEAKER-DEPENDENT per-emotion 80/10/10 keeping both RAVDESS repetitions of (actor, statement, "
             "emotion, intensity) on the same side (cnn_transformer leak control)"),
    Protocol("stratified_80_10_10_repetitions_apart", False,
             "SPEAKER-DEPENDENT per-emotion 80/10/10 whose test and validation utterances all have their "
             "RAVDESS repetition partner in training (cnn_transformer leak, maximal)"),
    Protocol("holdout_mf_pairs_x3", True,
             "three folds, each testing a disjoint (female, male) speaker pair (wavelet_cnn_lstm)"),
    Protocol("random_80_20", False,
             "SPEAKER-DEPENDENT random 80/20 utterance hold-out without validation (dual_stream_caf public code)"),
    Protocol("random_90_10_fixed", False,
             "SPEAKER-DEPENDENT random 90/10 train/test drawn once for every run seed, no validation "
             "(speechnet Sec. 5.1 as stated; the same test set in every run, Table 4)"),
    Protocol("random_80_20_fixed", False,
             "SPEAKER-DEPENDENT random 80/20 train/test drawn once for every run seed, no validation "
             "(speechnet: the split its printed numbers imply, 107 of EmoDB's 535 in test)"),
]})
