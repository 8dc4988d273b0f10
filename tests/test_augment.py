"""serlib.augment: exact SNR, white and babble noise, ESC-50 layout, pitch shift, training-only policies."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

import librosa

from serlib import augment
from serlib.audio import save_audio
from serlib.data.records import Record
from serlib.data.splits import make_splits
from serlib.features.fusion import FusionConfig, pitch

SR = 16000


def make_corpus(n_speakers: int = 6, per_speaker: int = 3, seconds: float = 0.3):
    """Records and signals of a tiny corpus: speaker s sings tones around 120 + 20 s Hz."""
    records, signals = [], []
    t = np.arange(int(seconds * SR)) / SR
    for s in range(n_speakers):
        for u in range(per_speaker):
            speaker = f"{s + 1:02d}"
            records.append(Record(f"/virtual/{speaker}_{u}.wav", "toy", speaker, "female" if s % 2 else "male",
                                  "neutral", ["neutral", "angry", "sad"][u % 3]))
            signals.append((0.3 * np.sin(2 * np.pi * (120 + 20 * s + 5 * u) * t)).astype(np.float32))
    return records, signals


# --------------------------------------------------------------------------- exact SNR
@hsettings(max_examples=60, deadline=None)
@given(snr=st.floats(-10.0, 40.0), seed=st.integers(0, 2 ** 31 - 1), length=st.integers(64, 4000),
       noise_length=st.integers(16, 6000), amplitude=st.floats(1e-3, 10.0))
def test_add_noise_at_snr_is_exact(snr, seed, length, noise_length, amplitude):
    rng = np.random.default_rng(seed)
    signal = (amplitude * rng.standard_normal(length)).astype(np.float32)
    noise = rng.uniform(-1, 1, noise_length)
    noisy = augment.add_noise_at_snr(signal, noise, snr, rng)
    assert noisy.shape == signal.shape and noisy.dtype == np.float32
    assert augment.measured_snr_db(signal, noisy) == pytest.approx(snr, abs=0.1)


@hsettings(max_examples=30, deadline=None)
@given(snr=st.floats(15.0, 30.0), seed=st.integers(0, 2 ** 31 - 1))
def test_white_noise_snr_exact_and_seeded(snr, seed):
    signal = np.sin(np.linspace(0, 200, 3000)).astype(np.float32)
    a = augment.add_white_noise(signal, snr, np.random.default_rng(seed))
    b = augment.add_white_noise(signal, snr, np.random.default_rng(seed))
    np.testing.assert_array_equal(a, b)
    assert augment.measured_snr_db(signal, a) == pytest.approx(snr, abs=0.1)


def test_measured_snr_hand_value():
    clean = np.array([1.0, -1.0, 1.0, -1.0])
    assert augment.measured_snr_db(clean, clean + 0.1 * np.array([1, 1, -1, -1])) == pytest.approx(20.0)


def test_fit_noise_length_crops_and_repeats():
    noise = np.arange(5.0)
    np.testing.assert_array_equal(augment.fit_noise_length(noise, 3), [0, 1, 2])
    np.testing.assert_array_equal(augment.fit_noise_length(noise, 12), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1])
    cropped = augment.fit_noise_length(noise, 3, np.random.default_rng(0))
    assert cropped.size == 3 and np.all(np.diff(cropped) == 1)


@pytest.mark.parametrize("signal,noise,snr,message", [
    (np.zeros(10), np.ones(10), 10.0, "signal is all zeros"),
    (np.ones(10), np.zeros(10), 10.0, "noise segment is all zeros"),
    (np.ones(10), np.ones(10), float("nan"), "snr_db must be a finite"),
    (np.ones((2, 10)), np.ones(10), 10.0, "signal must be a non-empty 1-D"),
    (np.ones(10), np.ones((0,)), 10.0, "noise must be a non-empty 1-D"),
])
def test_add_noise_bad_input_raises(signal, noise, snr, message):
    with pytest.raises(ValueError, match=message):
        augment.add_noise_at_snr(signal, noise, snr)


# --------------------------------------------------------------------------- babble
@hsettings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), target=st.integers(1, 6), talkers=st.integers(1, 5))
def test_babble_talkers_never_include_the_target_speaker(seed, target, talkers):
    records, _ = make_corpus()
    speaker = f"{target:02d}"
    chosen = augment.choose_babble_talkers(speaker, records, talkers, np.random.default_rng(seed))
    assert len(chosen) == talkers
    assert all(records[i].speaker != speaker for i in chosen)
    assert len({records[i].speaker for i in chosen}) == talkers


def test_babble_needs_enough_other_speakers():
    records, _ = make_corpus(n_speakers=3)
    with pytest.raises(ValueError, match="needs 3 speakers other than '01'"):
        augment.choose_babble_talkers("01", records, 3, np.random.default_rng(0))


def test_babble_is_sum_of_unit_rms_talkers():
    a, b = np.full(100, 2.0), np.tile([3.0, -3.0], 50)
    babble = augment.babble_noise([a, b], 100, np.random.default_rng(0))
    assert augment.signal_power(babble) == pytest.approx(augment.signal_power(a / 2 + b / 3))


# --------------------------------------------------------------------------- ESC-50
def write_esc50_fixture(root, rows):
    (root / "meta").mkdir(parents=True)
    (root / "audio").mkdir()
    lines = ["filename,fold,target,category,esc10,src_file,take"]
    for i, (name, fold, target, category, esc10) in enumerate(rows):
        lines.append(f"{name},{fold},{target},{category},{esc10},src{i},A")
        noise = np.random.default_rng(i).uniform(-0.5, 0.5, 4410 * (i + 1))
        save_audio(root / "audio" / name, noise, 44100)
    (root / "meta" / "esc50.csv").write_text("\n".join(lines) + "\n")


def test_load_esc50_parses_the_official_layout(tmp_path):
    write_esc50_fixture(tmp_path, [("1-100032-A-0.wav", 1, 0, "dog", "True"),
                                   ("2-100648-A-43.wav", 2, 43, "chirping_birds", "False"),
                                   ("5-9032-A-0.wav", 5, 0, "dog", "True")])
    clips = augment.load_esc50(tmp_path)
    assert [c.category for c in clips] == ["dog", "chirping_birds", "dog"]
    assert [c.fold for c in clips] == [1, 2, 5] and [c.esc10 for c in clips] == [True, False, True]
    pool = augment.esc50_noise_pool(clips, sr=SR, categories=["dog"])
    assert len(pool) == 2 and pool[0].size == 1600 and pool[1].size == 4800  # 0.1 s and 0.3 s at 16 kHz
    with pytest.raises(ValueError, match="no ESC-50 clip matches"):
        augment.esc50_noise_pool(clips, categories=["rain"])


def test_load_esc50_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="meta/esc50.csv"):
        augment.load_esc50(tmp_path)
    write_esc50_fixture(tmp_path, [("1-1-A-0.wav", 1, 0, "dog", "True")])
    (tmp_path / "audio" / "1-1-A-0.wav").unlink()
    with pytest.raises(FileNotFoundError, match="line 2: listed audio file .*1-1-A-0.wav does not exist"):
        augment.load_esc50(tmp_path)
    (tmp_path / "meta" / "esc50.csv").write_text("filename,fold\nx.wav,1\n")
    with pytest.raises(ValueError, match=r"columns \['target', 'category'"):
        augment.load_esc50(tmp_path)


# --------------------------------------------------------------------------- pitch shift
@pytest.mark.parametrize("semitones", [2.0, -2.0])
def test_pitch_shift_moves_f0_by_the_semitones(semitones):
    t = np.arange(SR // 2) / SR
    signal = (0.5 * np.sin(2 * np.pi * 200 * t) + 0.2 * np.sin(2 * np.pi * 400 * t)).astype(np.float32)
    shifted = augment.pitch_shift(signal, SR, semitones)
    assert shifted.shape == signal.shape
    reference = librosa.effects.pitch_shift(signal, sr=SR, n_steps=semitones)
    np.testing.assert_allclose(shifted, reference, atol=1e-6)
    f0 = np.median(pitch(shifted, FusionConfig())[0][5:-5])
    assert f0 == pytest.approx(200 * 2 ** (semitones / 12), rel=0.02)


# --------------------------------------------------------------------------- policies and splits
@pytest.mark.parametrize("policy,factor", [("cnn_transformer_awgn", 3), ("fla_ser_x4", 4)])
def test_augmentation_only_touches_training_items(policy, factor):
    records, signals = make_corpus()
    split = make_splits(records, "loso", seed=0)[0]
    held_out = set(split.val) | set(split.test)
    only_train = [s if i not in held_out else None for i, s in enumerate(signals)]  # held-out audio is absent
    out = augment.augment_training_set(only_train, records, split, policy, seed=3, sr=SR)
    assert len(out) == factor * len(split.train)
    assert set(out.source_index) == set(split.train)
    assert out.transform.count("original") == len(split.train)
    used_in_noise = {i for sources in out.noise_sources for i in sources}
    assert used_in_noise <= set(split.train)
    assert out.labels(records) == [records[i].label for i in out.source_index]


def test_fla_ser_babble_excludes_target_speaker_and_has_10_to_20_db():
    records, signals = make_corpus()
    split = make_splits(records, "loso", seed=0)[1]
    out = augment.augment_training_set(signals, records, split, "fla_ser_x4", seed=0, sr=SR)
    noisy = [k for k, t in enumerate(out.transform) if t.startswith("babble")]
    assert len(noisy) == len(split.train)
    for k in noisy:
        source = out.source_index[k]
        assert all(records[i].speaker != records[source].speaker for i in out.noise_sources[k])
        snr = augment.measured_snr_db(signals[source], out.signals[k])
        assert 10.0 - 0.1 <= snr <= 20.0 + 0.1
        assert float(out.transform[k].split()[1]) == pytest.approx(snr, abs=0.1)


def test_awgn_policy_snr_range_and_determinism():
    records, signals = make_corpus()
    split = make_splits(records, "loso", seed=0)[0]
    a = augment.augment_training_set(signals, records, split, "cnn_transformer_awgn", seed=5, sr=SR)
    b = augment.augment_training_set(signals, records, split, "cnn_transformer_awgn", seed=5, sr=SR)
    c = augment.augment_training_set(signals, records, split, "cnn_transformer_awgn", seed=6, sr=SR)
    for x, y in zip(a.signals, b.signals):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, y) for x, y in zip(a.signals, c.signals))
    for k, transform in enumerate(a.transform):
        if transform.startswith("awgn"):
            snr = augment.measured_snr_db(signals[a.source_index[k]], a.signals[k])
            assert 15.0 - 0.1 <= snr <= 30.0 + 0.1


def test_item_augmentation_does_not_depend_on_the_other_items():
    records, signals = make_corpus()
    split = make_splits(records, "loso", seed=0)[0]
    full = augment.augment_training_set(signals, records, split, "cnn_transformer_awgn", seed=1, sr=SR)
    first = split.train[0]
    alone = augment.augment_training_set(signals, records, np.array([first]), "cnn_transformer_awgn", seed=1, sr=SR)
    for k in range(3):
        np.testing.assert_array_equal(full.signals[k], alone.signals[k])


def test_ambient_pool_replaces_babble():
    records, signals = make_corpus()
    split = make_splits(records, "loso", seed=0)[0]
    pool = [np.random.default_rng(9).uniform(-1, 1, 20000)]
    out = augment.augment_training_set(signals, records, split, "fla_ser_x4", seed=0, sr=SR, ambient_pool=pool)
    assert sum(t.startswith("ambient") for t in out.transform) == len(split.train)
    assert not any(t.startswith("babble") for t in out.transform)


def test_policy_argument_errors():
    records, signals = make_corpus()
    with pytest.raises(ValueError, match="unknown augmentation policy 'x9'"):
        augment.augment_training_set(signals, records, np.arange(3), "x9")
    with pytest.raises(ValueError, match="must be aligned"):
        augment.augment_training_set(signals[:-1], records, np.arange(3), "fla_ser_x4")
    with pytest.raises(ValueError, match="training indices must lie in"):
        augment.augment_training_set(signals, records, np.array([0, 99]), "fla_ser_x4")
    with pytest.raises(ValueError, match=r"training item 2 \(/virtual/01_2.wav\) has no signal"):
        augment.augment_training_set(signals[:2] + [None] + signals[3:], records, np.arange(3), "cnn_transformer_awgn")
