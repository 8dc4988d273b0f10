"""Tests of the embedded synthetic corpus (serlib.data.synthetic)."""
from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import librosa
import numpy as np
import pytest
import scipy.signal
import soundfile as sf
from hypothesis import given, settings as hsettings, strategies as st
from scipy.stats import spearmanr

from serlib.data import synthetic as syn
from serlib.data.records import CORPORA, CorpusError, load_corpus
from serlib.results import read_results

TINY = syn.SyntheticConfig.tiny()
REPO = Path(__file__).resolve().parent.parent


def yin_median_hz(signal: np.ndarray, sr: int) -> float:
    """Median YIN F0 over the loud frames (within 25 dB of the loudest)."""
    rms = librosa.feature.rms(y=signal, frame_length=400, hop_length=160)[0]
    f0 = librosa.yin(signal, fmin=60, fmax=500, sr=sr, frame_length=1024, hop_length=160)[:len(rms)]
    loud = 20 * np.log10(rms + 1e-12) > 20 * np.log10(rms.max()) - 25
    return float(np.median(f0[loud]))


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2) + 1e-20))


def file_digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in (".wav", ".csv")}


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory) -> Path:
    return syn.generate_corpus(tmp_path_factory.mktemp("synthetic") / "tiny", TINY)


@pytest.fixture(scope="module")
def tiny_records(tiny_root):
    return load_corpus("synthetic", tiny_root)


@pytest.fixture(scope="module")
def tiny_measured(tiny_records):
    """Per clip: measured speech level (dBFS) and YIN F0 in semitones re the speaker's base F0."""
    rows = []
    for record in tiny_records:
        signal, sr = sf.read(record.path, dtype="float32")
        speech = np.concatenate([signal[int(a * sr):int(b * sr)]
                                 for a, b in syn.parse_segments(record.extra["speech_segments"])])
        rows.append({"label": record.label, "intensity": record.extra["intensity"], "speaker": record.speaker,
                     "level_db": rms_db(speech),
                     "f0_st": 12 * np.log2(yin_median_hz(signal, sr) / record.extra["base_f0"])})
    return rows


# --------------------------------------------------------------------------- source
def test_rosenberg_pulse_values():
    phase = np.array([0.0, 0.2, 0.4, 0.48, 0.56, 0.8])
    expected = [0.0, 0.5, 1.0, np.cos(np.pi / 4), 0.0, 0.0]  # Rosenberg C with Tp 0.40, Tn 0.16
    np.testing.assert_allclose(syn.rosenberg_pulse(phase), expected, atol=1e-12)


@given(st.floats(min_value=0.0, max_value=0.9999), st.floats(0.05, 0.6), st.floats(0.02, 0.35))
def test_rosenberg_pulse_is_bounded_flow(phase, open_quotient, closing_quotient):
    flow = syn.rosenberg_pulse(np.array([phase]), open_quotient, closing_quotient)[0]
    assert 0.0 <= flow <= 1.0


def test_rosenberg_pulse_rejects_bad_quotients():
    with pytest.raises(ValueError, match="open_quotient"):
        syn.rosenberg_pulse(np.linspace(0, 1, 5), open_quotient=0.8, closing_quotient=0.4)


def test_glottal_cycles_follow_constant_f0_without_perturbation():
    sr = 16000
    f0 = np.full(sr, 125.0)
    starts, periods, amplitudes = syn.glottal_cycles(f0, sr, np.zeros(sr), 0.0, np.random.default_rng(0))
    np.testing.assert_allclose(periods, sr / 125.0)
    np.testing.assert_allclose(np.diff(starts), sr / 125.0)
    np.testing.assert_allclose(amplitudes, 1.0)
    assert len(starts) == 125


@pytest.mark.parametrize("jitter", [0.005, 0.01, 0.02])
def test_glottal_cycles_local_jitter_matches_theory(jitter):
    # periods T(1 + j z): E|T_i - T_(i-1)| / T = j E|z_i - z_(i-1)| = j * 2 / sqrt(pi)
    sr, n = 16000, 4 * 16000
    starts, periods, _ = syn.glottal_cycles(np.full(n, 200.0), sr, np.full(n, jitter), 0.0,
                                            np.random.default_rng(1))
    local = np.mean(np.abs(np.diff(periods))) / np.mean(periods)
    assert local == pytest.approx(jitter * 2 / np.sqrt(np.pi), rel=0.1)


def test_glottal_cycles_rejects_bad_f0():
    with pytest.raises(ValueError, match="positive"):
        syn.glottal_cycles(np.array([100.0, 0.0]), 16000, np.zeros(2), 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="empty"):
        syn.glottal_cycles(np.array([]), 16000, np.zeros(0), 0.0, np.random.default_rng(0))


@pytest.mark.parametrize("tilt_db", [-9.0, 0.0, 6.0])
def test_spectral_tilt_gains(tilt_db):
    sr = 16000
    impulse = np.zeros(4096)
    impulse[0] = 1.0
    freqs, response = scipy.signal.freqz(syn.spectral_tilt(impulse, tilt_db, sr), worN=[0.0, 7000.0], fs=sr)
    gains = 20 * np.log10(np.abs(response))
    assert gains[0] == pytest.approx(0.0, abs=0.01)
    assert gains[1] == pytest.approx(tilt_db, abs=1.0)


# --------------------------------------------------------------------------- tract
def test_resonator_peak_bandwidth_and_unity_dc_gain():
    sr, freq, bandwidth = 16000, 700.0, 100.0
    sos = syn.resonator_sos(freq, bandwidth, sr)[None, :]
    grid, response = scipy.signal.sosfreqz(sos, worN=np.arange(0.0, 2000.0, 0.5), fs=sr)
    magnitude = np.abs(response)
    assert magnitude[0] == pytest.approx(1.0, abs=1e-12)
    assert grid[np.argmax(magnitude)] == pytest.approx(freq, rel=0.01)
    above = grid[magnitude >= magnitude.max() / np.sqrt(2)]
    assert above.max() - above.min() == pytest.approx(bandwidth, rel=0.1)


def test_resonator_rejects_frequency_above_nyquist():
    with pytest.raises(ValueError, match="8000"):
        syn.resonator_sos(9000.0, 100.0, 16000)


def test_formant_cascade_with_constant_formants_equals_sosfilt():
    sr, block = 16000, 80
    x = np.random.default_rng(0).standard_normal(1000)
    formants = np.array([500.0, 1500.0, 2500.0, 3500.0, 4500.0])
    tracks = np.tile(formants, (-(-len(x) // block), 1))
    ours = syn.formant_cascade(x, tracks, syn.BANDWIDTHS, sr, block)
    reference = scipy.signal.sosfilt(syn.resonator_sos(formants, np.asarray(syn.BANDWIDTHS), sr), x)
    np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


def test_formant_cascade_rejects_short_tracks():
    with pytest.raises(ValueError, match="do not cover"):
        syn.formant_cascade(np.zeros(1000), np.full((2, 5), 1000.0), syn.BANDWIDTHS, 16000, 80)


# --------------------------------------------------------------------------- configuration and cues
@pytest.mark.parametrize("changes, name", [
    ({"n_speakers": 0}, "n_speakers"), ({"n_speakers": 100}, "n_speakers"), ({"sr": 4000}, "sr"),
    ({"duration_s": 0.5}, "duration_s"), ({"statements": 3}, "statements"), ({"repetitions": 0}, "repetitions"),
    ({"emotions": ("neutral", "bored")}, "emotions"), ({"emotions": ()}, "emotions"),
    ({"strong_gain": -1.0}, "strong_gain"), ({"utterance_variation": -0.1}, "utterance_variation"),
    ({"noise_floor_dbfs": 0.0}, "noise_floor_dbfs"),
])
def test_config_rejects_bad_values(changes, name):
    with pytest.raises(ValueError, match=f"SyntheticConfig.{name}"):
        syn.SyntheticConfig(**changes)


def test_config_hash_and_utterance_count():
    default = syn.SyntheticConfig()
    assert default.hash() == syn.SyntheticConfig().hash()
    assert default.hash() != syn.SyntheticConfig(seed=1).hash()
    # RAVDESS design: 7 emotions x 2 intensities + neutral x 1, x 2 statements x 2 repetitions
    assert len(default.utterances()) == 8 * (7 * 2 + 1) * 2 * 2 == 480
    assert len(TINY.utterances()) == 4 * 15


def test_cue_table_covers_ravdess_emotions_with_literature_evidence():
    assert tuple(syn.EMOTION_CUES) == syn.EMOTIONS
    assert all(profile.evidence for profile in syn.EMOTION_CUES.values())
    table = syn.cue_table()
    assert list(table.index) == list(syn.EMOTIONS)
    assert (table.loc["neutral", list(syn.ADDITIVE_CUES)] == 0).all()
    assert (table.loc["neutral", list(syn.RATIO_CUES)] == 1).all()


@pytest.mark.parametrize("emotion", [e for e in syn.EMOTIONS if e != "neutral"])
def test_drawn_cues_follow_table_directions_on_average(emotion):
    config = syn.SyntheticConfig()
    profile = syn.EMOTION_CUES[emotion]

    def mean_cues(name, intensity):
        draws = []
        for number in range(1, 41):
            speaker = syn.speaker_profile(number, config)
            for repetition in range(10):
                rng = np.random.default_rng([99, number, repetition, syn.EMOTIONS.index(name)])
                draws.append(syn.utterance_cues(name, intensity, speaker, config, rng))
        return {cue: np.mean([d[cue] for d in draws]) for cue in syn.CUE_NAMES}

    neutral = mean_cues("neutral", "normal")
    normal = mean_cues(emotion, "normal")
    strong = mean_cues(emotion, "strong")
    for cue in ("f0_shift_st", "intensity_db", "tilt_db", "rate", "f0_range", "breathiness_db"):
        deviation = getattr(profile, cue) - (1.0 if cue in syn.RATIO_CUES else 0.0)
        if abs(deviation) < 0.5 and cue not in syn.RATIO_CUES or abs(deviation) < 0.05:
            continue
        assert np.sign(normal[cue] - neutral[cue]) == np.sign(deviation), (emotion, cue)
        assert abs(strong[cue] - neutral[cue]) > abs(normal[cue] - neutral[cue]), (emotion, cue)


def test_speaker_profiles_follow_ravdess_gender_convention_and_are_deterministic():
    profiles = [syn.speaker_profile(n) for n in range(1, 9)]
    assert [p.gender for p in profiles] == ["male", "female"] * 4
    assert all(p.base_f0 < 170 for p in profiles if p.gender == "male")
    assert all(p.base_f0 > 150 for p in profiles if p.gender == "female")
    assert np.mean([p.vtl_scale for p in profiles if p.gender == "female"]) > \
        np.mean([p.vtl_scale for p in profiles if p.gender == "male"])
    assert syn.speaker_profile(3) == syn.speaker_profile(3)
    assert syn.speaker_profile(3).habits == syn.speaker_profile(3).habits
    with pytest.raises(ValueError, match="speaker number"):
        syn.speaker_profile(0)


# --------------------------------------------------------------------------- one utterance
def test_synthesize_utterance_is_deterministic_and_seed_dependent():
    a, seg_a, cues_a = syn.synthesize_utterance("angry", "strong", 2, 1, 3)
    b, seg_b, cues_b = syn.synthesize_utterance("angry", "strong", 2, 1, 3)
    np.testing.assert_array_equal(a, b)
    assert seg_a == seg_b and cues_a == cues_b
    other_seed, _, _ = syn.synthesize_utterance("angry", "strong", 2, 1, 3, syn.SyntheticConfig(seed=1))
    other_repetition, _, _ = syn.synthesize_utterance("angry", "strong", 2, 2, 3)
    assert not np.array_equal(a, other_seed)
    assert not np.array_equal(a, other_repetition)


def test_synthesize_utterance_shape_level_and_segments():
    config = syn.SyntheticConfig()
    signal, segments, cues = syn.synthesize_utterance("happy", "normal", 1, 1, 2, config)
    assert signal.dtype == np.float32 and signal.shape == (int(config.duration_s * config.sr),)
    assert np.max(np.abs(signal)) < 1.0
    assert 0 < segments[0][0] and segments[-1][1] <= config.duration_s
    assert all(a < b for a, b in segments)
    assert all(segments[i][1] < segments[i + 1][0] for i in range(len(segments) - 1))
    assert cues["intensity_dbfs"] == pytest.approx(cues["intensity_db"], abs=0.5)


def test_yin_measures_the_realised_f0():
    signal, _, cues = syn.synthesize_utterance("neutral", "normal", 1, 1, 1, overrides={"creak": 0.0})
    assert yin_median_hz(signal, 16000) == pytest.approx(cues["f0_mean_hz"], rel=0.08)


def test_overrides_change_the_cue_and_unknown_cue_is_rejected():
    _, _, cues = syn.synthesize_utterance("sad", "normal", 1, 1, 1, overrides={"jitter_pct": 0.1, "creak": 0.0})
    _, _, rough = syn.synthesize_utterance("sad", "normal", 1, 1, 1, overrides={"jitter_pct": 3.0, "creak": 0.0})
    assert cues["jitter_pct"] == 0.1 and rough["jitter_pct"] == 3.0
    # realised local jitter of Gaussian period perturbations: 2 / sqrt(pi) x the requested one
    assert rough["jitter_local_pct"] == pytest.approx(3.0 * 2 / np.sqrt(np.pi), rel=0.2)
    assert cues["jitter_local_pct"] == pytest.approx(0.1 * 2 / np.sqrt(np.pi), rel=0.3)
    with pytest.raises(ValueError, match="unknown cue 'loudness'"):
        syn.synthesize_utterance(overrides={"loudness": 3})


@pytest.mark.parametrize("kwargs, message", [
    ({"emotion": "bored"}, "emotion must be one of"),
    ({"emotion": "neutral", "intensity": "strong"}, "only intensity 'normal'"),
    ({"intensity": "extreme"}, "intensity must be one of"),
    ({"statement": 3}, "statement must be one of"),
])
def test_synthesize_utterance_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        syn.synthesize_utterance(**kwargs)


def test_base_f0_scales_measured_f0():
    speaker = syn.speaker_profile(1)
    low = replace(speaker, base_f0=100.0)
    high = replace(speaker, base_f0=150.0)
    overrides = {"creak": 0.0}
    f0_low = yin_median_hz(syn.synthesize_utterance("calm", "normal", 1, 1, low, overrides=overrides)[0], 16000)
    f0_high = yin_median_hz(syn.synthesize_utterance("calm", "normal", 1, 1, high, overrides=overrides)[0], 16000)
    assert f0_high / f0_low == pytest.approx(1.5, rel=0.03)


def _log_envelope(signal: np.ndarray, sr: int, lifter: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Cepstrally smoothed log power spectrum of the Welch average (harmonics removed)."""
    freqs, power = scipy.signal.welch(signal, fs=sr, nperseg=1024)
    cepstrum = np.fft.irfft(np.log(power + 1e-20))
    cepstrum[lifter:len(cepstrum) - lifter] = 0.0
    return freqs, np.fft.rfft(cepstrum).real


def test_vtl_scale_warps_the_spectral_envelope():
    # same speaker and draws, only the tract differs: the envelope must be stretched by the ratio
    speaker = syn.speaker_profile(1)
    ratio = 1.2
    short_tract = replace(speaker, vtl_scale=speaker.vtl_scale * ratio)
    freqs, env_a = _log_envelope(syn.synthesize_utterance("neutral", "normal", 1, 1, speaker)[0], 16000)
    _, env_b = _log_envelope(syn.synthesize_utterance("neutral", "normal", 1, 1, short_tract)[0], 16000)
    band = (freqs > 300) & (freqs < 5000)
    scales = np.arange(0.9, 1.5, 0.005)
    scores = [np.corrcoef(env_b[band], np.interp(freqs[band] / s, freqs, env_a))[0, 1] for s in scales]
    assert scales[int(np.argmax(scores))] == pytest.approx(ratio, rel=0.04)


# --------------------------------------------------------------------------- the corpus on disk
def test_corpus_layout_matches_ravdess(tiny_root):
    wavs = sorted(tiny_root.rglob("*.wav"))
    assert len(wavs) == len(TINY.utterances())
    assert sorted(p.name for p in tiny_root.iterdir() if p.is_dir()) == [f"Actor_{n:02d}" for n in range(1, 5)]
    for path in wavs:
        assert path.parent.name == f"Actor_{path.stem[-2:]}"
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype, info.frames) == (16000, 1, "PCM_16", 32000)
    with open(tiny_root / "metadata.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["utterance_id"] for r in rows) == sorted(p.stem for p in wavs)
    assert tuple(rows[0]) == syn.METADATA_COLUMNS
    readme = (tiny_root / "README.txt").read_text()
    assert f"seed: {TINY.seed}" in readme and TINY.hash() in readme


def test_load_corpus_parses_speakers_genders_labels(tiny_records):
    assert len(tiny_records) == 60
    assert {r.corpus for r in tiny_records} == {"synthetic"}
    assert sorted({r.speaker for r in tiny_records}) == ["01", "02", "03", "04"]
    assert all(r.gender == ("male" if int(r.speaker) % 2 else "female") for r in tiny_records)
    counts = {label: sum(r.label == label for r in tiny_records) for label in syn.EMOTIONS}
    assert counts == {label: 4 if label == "neutral" else 8 for label in syn.EMOTIONS}
    assert {r.extra["intensity"] for r in tiny_records if r.label == "neutral"} == {"normal"}
    for record in tiny_records:
        assert record.emotion == record.label
        assert record.extra["base_f0"] == syn.speaker_profile(int(record.speaker), TINY).base_f0
        assert syn.parse_segments(record.extra["speech_segments"])


def test_synthetic_corpus_is_registered():
    spec = CORPORA["synthetic"]
    assert spec.labels == syn.EMOTIONS and not spec.downloadable


def test_load_corpus_without_metadata_names_the_file(tmp_path):
    config = syn.SyntheticConfig(n_speakers=1, statements=1, repetitions=1, emotions=("neutral",))
    root = syn.generate_corpus(tmp_path / "c", config)
    (root / "metadata.csv").unlink()
    with pytest.raises(CorpusError, match="metadata.csv"):
        load_corpus("synthetic", root)


def test_pauses_and_edges_are_silent(tiny_records):
    # outside the recorded speech segments (allowing 25 ms of formant ringing) the clip is the noise floor
    pauses_seen = 0
    for record in tiny_records:
        signal, sr = sf.read(record.path, dtype="float64")
        segments = syn.parse_segments(record.extra["speech_segments"])
        speech = np.zeros(len(signal), dtype=bool)
        near = np.zeros(len(signal), dtype=bool)
        for a, b in segments:
            speech[int(a * sr):int(b * sr)] = True
            near[max(int(a * sr) - int(0.005 * sr), 0):int((b + 0.025) * sr)] = True
        silence = ~near
        assert silence.sum() > 0.05 * sr, record.utterance_id  # leading silence at least
        assert rms_db(signal[silence]) == pytest.approx(TINY.noise_floor_dbfs, abs=1.0), record.utterance_id
        assert rms_db(signal[speech]) > rms_db(signal[silence]) + 20.0, record.utterance_id
        for (_, end), (start, _) in zip(segments[:-1], segments[1:]):
            pause = silence[int(end * sr):int(start * sr)]
            if pause.sum() > 0.02 * sr:
                pauses_seen += 1
                pause_signal = signal[int(end * sr):int(start * sr)][pause]
                assert rms_db(pause_signal) < rms_db(signal[speech]) - 20.0, record.utterance_id
    assert pauses_seen > 5


def test_measured_cues_point_the_documented_way(tiny_measured):
    def mean(key, label, intensity=None):
        return np.mean([r[key] for r in tiny_measured
                        if r["label"] == label and (intensity is None or r["intensity"] == intensity)])

    assert mean("level_db", "angry") > mean("level_db", "sad") + 6.0
    assert mean("f0_st", "angry") > mean("f0_st", "sad") + 3.0
    assert mean("level_db", "angry") > mean("level_db", "neutral") > mean("level_db", "sad")
    # strong amplifies the deviation from neutral, summed over the emotions
    for key in ("level_db", "f0_st"):
        normal = sum(abs(mean(key, e, "normal") - mean(key, "neutral")) for e in syn.EMOTIONS[1:])
        strong = sum(abs(mean(key, e, "strong") - mean(key, "neutral")) for e in syn.EMOTIONS[1:])
        assert strong > 1.2 * normal, key


def test_speakers_differ_in_measured_f0(tiny_measured, tiny_records):
    base = {r.speaker: r.extra["base_f0"] for r in tiny_records}
    speakers = sorted(base)
    measured = []
    for speaker in speakers:
        records = [r for r in tiny_records if r.speaker == speaker and r.label in ("neutral", "calm")]
        measured.append(np.median([yin_median_hz(sf.read(r.path, dtype="float32")[0], 16000) for r in records]))
    assert spearmanr([base[s] for s in speakers], measured).statistic == pytest.approx(1.0)


def test_generation_is_byte_identical_for_the_same_seed(tiny_root, tmp_path):
    again = syn.generate_corpus(tmp_path / "again", TINY)
    assert file_digests(again) == file_digests(tiny_root)
    other = syn.generate_corpus(tmp_path / "other", syn.SyntheticConfig.tiny(seed=1, n_speakers=1))
    other_digests = file_digests(other)
    shared = [name for name in other_digests if name.endswith(".wav")]
    assert shared and all(other_digests[name] != file_digests(tiny_root)[name] for name in shared)


def test_generate_corpus_is_idempotent_and_guards_folders(tmp_path):
    small = syn.SyntheticConfig(n_speakers=1, statements=1, repetitions=1, emotions=("neutral", "angry"))
    root = syn.generate_corpus(tmp_path / "c", small)
    assert syn.corpus_matches(root, small)
    stamps = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    assert syn.generate_corpus(root, small) == root
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == stamps

    reseeded = replace(small, seed=5)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        syn.generate_corpus(root, reseeded)
    syn.generate_corpus(root, reseeded, overwrite=True)
    assert syn.corpus_matches(root, reseeded) and not syn.corpus_matches(root, small)
    assert json.loads((root / syn.MARKER_FILE).read_text())["hash"] == reseeded.hash()

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a corpus")
    with pytest.raises(FileExistsError, match="holds no synthetic corpus"):
        syn.generate_corpus(foreign, small, overwrite=True)
    assert (foreign / "notes.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert syn.corpus_matches(syn.generate_corpus(empty, small), small)
    assert not list(tmp_path.glob(".*partial*"))


def test_default_corpus_root_uses_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path))
    small = syn.SyntheticConfig(n_speakers=2, statements=1, repetitions=1, emotions=("neutral", "sad"))
    root = syn.default_corpus_root(small)
    assert root == tmp_path / f"synthetic-{small.hash()}"
    assert syn.corpus_matches(root, small)
    assert len(load_corpus("synthetic", root)) == 2 * 3


@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=12, unique=True))
@hsettings(max_examples=50)
def test_segments_round_trip(boundaries_ms):
    values = sorted(boundaries_ms)[: len(boundaries_ms) // 2 * 2]
    segments = [(values[i] / 1000, values[i + 1] / 1000) for i in range(0, len(values), 2)]
    assert syn.parse_segments(syn.format_segments(segments)) == segments


def test_parse_segments_rejects_bad_text():
    with pytest.raises(ValueError, match="not 'start-end'"):
        syn.parse_segments("0.1-0.5;oops")
    with pytest.raises(ValueError, match="ends before it starts"):
        syn.parse_segments("0.5-0.1")


def test_benchmark_script_runs_on_the_tiny_config(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "synthetic_corpus.py"), "--tiny",
                           "--json", str(out), "--results-root", str(tmp_path / "results")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(out.read_text())
    assert measured["clips"] == 60 and len(measured["fold_speakers"]) == 4
    assert 0.0 <= measured["summary"]["WA"]["mean"] <= 1.0
    table = read_results(tmp_path / "results" / "course" / "synthetic_baseline.quick.csv")
    assert set(table["metric"]) == {"WA", "UA", "macro_F1"}
    assert set(table["mode"]) == {"quick"} and table["speaker_independent"].all()
