"""The RAVDESS repetition-aware protocols: pairs kept together versus deliberately split apart."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from serlib import settings
from serlib.data import Record, load_corpus
from serlib.data.splits import (PROTOCOLS, make_splits, repetition_group_key, repetition_groups,
                                repetition_partners_across)

EMOTIONS = ["neutral", "calm", "happy", "sad"]
TOGETHER, APART = "stratified_80_10_10_repetitions_together", "stratified_80_10_10_repetitions_apart"


def ravdess_like(n_actors: int, drop: int, seed: int) -> list[Record]:
    """Actors x emotions x 2 statements x intensities (neutral: normal only) x 2 repetitions, ``drop`` removed."""
    records = []
    for actor in range(1, n_actors + 1):
        for emotion in EMOTIONS:
            for statement in (1, 2):
                for intensity in (("normal",) if emotion == "neutral" else ("normal", "strong")):
                    for repetition in (1, 2):
                        stem = f"{actor:02d}-{emotion}-{statement}-{intensity}-{repetition}"
                        records.append(Record(f"/x/{stem}.wav", "toy", f"{actor:02d}",
                                              "male" if actor % 2 else "female", emotion, emotion,
                                              {"statement": statement, "intensity": intensity,
                                               "repetition": repetition}))
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.permutation(len(records))[drop:])
    return [records[i] for i in keep]


@hsettings(max_examples=25, deadline=None)
@given(n_actors=st.integers(2, 8), drop=st.integers(0, 6), seed=st.integers(0, 10_000))
def test_together_never_splits_a_repetition_group(n_actors, drop, seed):
    records = ravdess_like(n_actors, drop, seed)
    split = make_splits(records, TOGETHER, seed=seed)[0]
    side = {}
    for subset in ("train", "val", "test"):
        for i in split.subset(subset):
            side.setdefault(repetition_group_key(records[i]), set()).add(subset)
    assert all(len(sides) == 1 for sides in side.values())
    assert repetition_partners_across(split, records, "test") == 0
    assert not split.speaker_independent
    assert len(split.train) + len(split.val) + len(split.test) == len(records)


@hsettings(max_examples=25, deadline=None)
@given(n_actors=st.integers(2, 8), drop=st.integers(0, 6), seed=st.integers(0, 10_000))
def test_apart_puts_every_test_and_validation_partner_in_training(n_actors, drop, seed):
    records = ravdess_like(n_actors, drop, seed)
    split = make_splits(records, APART, seed=seed)[0]
    assert repetition_partners_across(split, records, "test") == len(split.test) > 0
    assert repetition_partners_across(split, records, "val") == len(split.val)
    assert len(np.unique(np.concatenate([split.train, split.val, split.test]))) == len(records)
    labels = np.array([r.label for r in records])
    for label in EMOTIONS:  # about 10 % of each emotion is tested (fewer only when pairs run out)
        n = int(np.sum(labels == label))
        assert np.sum(labels[split.test] == label) <= round(0.1 * n)


def test_groups_and_protocol_table():
    records = ravdess_like(2, 0, 0)
    groups = repetition_groups(records)
    assert all(len(g) == 2 for g in groups) and len(groups) == len(records) // 2
    for name in (TOGETHER, APART):
        assert name in PROTOCOLS and not PROTOCOLS[name].speaker_independent
        assert "SPEAKER-DEPENDENT" in PROTOCOLS[name].description


def test_records_without_repetition_fields_are_refused():
    bare = [Record(f"/x/{i}.wav", "toy", "01", "male", "sad", "sad") for i in range(10)]
    with pytest.raises(ValueError, match="repetition-aware protocols need RAVDESS-style records"):
        make_splits(bare, TOGETHER)


@pytest.mark.standin
def test_ravdess_standin_plain_split_leaks_repetitions():
    root = settings.standin_root("ravdess")
    if root is None:
        pytest.skip("RAVDESS stand-in absent")
    records = load_corpus("ravdess", root)
    plain = make_splits(records, "stratified_80_10_10", seed=0)[0]
    together = make_splits(records, TOGETHER, seed=0)[0]
    apart = make_splits(records, APART, seed=0)[0]
    assert repetition_partners_across(together, records) == 0
    assert repetition_partners_across(apart, records) == len(apart.test)
    # A random utterance split puts most test items' repetitions in training.
    assert repetition_partners_across(plain, records) > 0.6 * len(plain.test)
