"""serlib.audio: loading, mix-down, resampling and clear errors for bad files."""
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from serlib import settings
from serlib.audio import AudioError, audio_info, fix_length, load_audio, resample, save_audio


def tone(sr=16000, seconds=0.5, freq=440.0, amp=0.5):
    t = np.arange(int(sr * seconds)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_roundtrip_wav_and_flac(tmp_path, suffix):
    path = save_audio(tmp_path / f"a{suffix}", tone(), 16000)
    signal, sr = load_audio(path, sr=None)
    assert sr == 16000 and signal.dtype == np.float32
    np.testing.assert_allclose(signal, tone(), atol=1e-4)  # 16-bit quantisation


def test_stereo_is_mixed_down_to_mono(tmp_path):
    left, right = tone(freq=300), tone(freq=500)
    sf.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    mono, _ = load_audio(tmp_path / "s.wav", sr=None)
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-6)
    both, _ = load_audio(tmp_path / "s.wav", sr=None, mono=False)
    assert both.shape == (2, len(left))


def test_resampling_keeps_a_tone_and_matches_librosa_soxr():
    import librosa

    x = tone(sr=48000, seconds=1.0, freq=1000)
    y = resample(x, 48000, 16000)
    assert len(y) == 16000
    np.testing.assert_allclose(y, librosa.resample(x, orig_sr=48000, target_sr=16000, res_type="soxr_hq"), atol=1e-5)
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 1000) < 2


def test_offset_and_duration(tmp_path):
    path = save_audio(tmp_path / "a.wav", tone(seconds=2.0), 16000)
    signal, _ = load_audio(path, offset=0.5, duration=1.0)
    assert len(signal) == 16000
    with pytest.raises(AudioError, match="past the end"):
        load_audio(path, offset=5.0)


def test_clear_errors_name_the_file(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        load_audio(tmp_path / "missing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty.wav: file is empty"):
        load_audio(tmp_path / "empty.wav")
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00garbage that is not audio" * 3)
    with pytest.raises(AudioError, match=r"junk.wav: unreadable or corrupt"):
        load_audio(tmp_path / "junk.wav")
    with pytest.raises(AudioError, match="unsupported extension"):
        (tmp_path / "a.mp3").write_bytes(b"x")
        load_audio(tmp_path / "a.mp3")
    with pytest.raises(TypeError, match="str or os.PathLike"):
        load_audio(123)
    with pytest.raises(AudioError, match="is a directory"):
        (tmp_path / "dir.wav").mkdir()
        load_audio(tmp_path / "dir.wav")


def test_truncated_file_is_reported_not_crashed(tmp_path):
    path = save_audio(tmp_path / "t.flac", tone(seconds=1.0), 16000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(AudioError, match="t.flac"):
        load_audio(path)


def test_nan_and_silence_are_rejected(tmp_path):
    bad = tone()
    bad[10] = np.nan
    sf.write(tmp_path / "nan.wav", bad, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN/inf"):
        load_audio(tmp_path / "nan.wav")
    sf.write(tmp_path / "silent.wav", np.zeros(1600, np.float32), 16000)
    with pytest.raises(AudioError, match="silent"):
        load_audio(tmp_path / "silent.wav")
    signal, _ = load_audio(tmp_path / "silent.wav", allow_silence=True)
    assert not signal.any()


def test_info_and_fix_length(tmp_path):
    path = save_audio(tmp_path / "a.wav", tone(seconds=0.25), 16000)
    info = audio_info(path)
    assert (info.sample_rate, info.channels, info.frames) == (16000, 1, 4000)
    assert info.duration == pytest.approx(0.25)
    assert fix_length(np.ones(5), 8).tolist() == [1, 1, 1, 1, 1, 0, 0, 0]
    assert fix_length(np.ones(5), 3).shape == (3,)


@pytest.mark.standin
def test_standin_clip_loads_at_16k():
    root = settings.standin_root("emodb")
    if root is None:
        pytest.skip("EmoDB stand-in absent")
    signal, sr = load_audio(next(Path(root, "wav").glob("*.flac")))
    assert sr == 16000 and len(signal) == 32000
