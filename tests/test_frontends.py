"""The front-end registry: every input of the five papers with a declared shape, cached, one direction."""
import numpy as np
import pytest

from serlib.features.frontends import (FRONT_ENDS, compute_front_end, front_end_from_signals, get_front_end,
                                       tuple_front_end)
from serlib.features.logmel import trim_to_speech

EVERY_FRONT_END = sorted(FRONT_ENDS)


@pytest.fixture(scope="module")
def paths(tiny_synthetic):
    _, records = tiny_synthetic
    return [r.path for r in records[:2]]


@pytest.mark.parametrize("name", EVERY_FRONT_END)
def test_each_front_end_yields_its_declared_shape_and_dtype(name, paths, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path_factory.mktemp("cache")))
    front_end = get_front_end(name)
    first = compute_front_end(name, paths)
    assert first.shape == (len(paths), *front_end.item_shape) and first.dtype == np.dtype(front_end.dtype)
    again = compute_front_end(name, paths)  # from the cache now
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize("name", ["course", "fla_ser", "fusion107_stats", "waveform_8s"])
def test_signals_in_memory_give_the_same_features_as_files(name, paths):
    """Augmented copies go audio -> augment -> front end: from_signals must equal the file path."""
    front_end = get_front_end(name)
    signals = [front_end.load_signal(p) for p in paths]
    np.testing.assert_allclose(front_end_from_signals(name, signals), compute_front_end(name, paths), atol=1e-5)


def test_tuple_front_ends_yield_one_array_per_component(paths):
    both = compute_front_end("dual_stream_caf+waveform_3s", paths)
    assert isinstance(both, tuple) and len(both) == 2
    assert both[0].shape == (2, 1, 224, 224) and both[1].shape == (2, 48000)
    with pytest.raises(ValueError, match="at least two"):
        tuple_front_end("course")


def test_bad_names_and_bad_outputs_are_named():
    with pytest.raises(KeyError, match="unknown front end 'mfcc'"):
        get_front_end("mfcc")
    front_end = get_front_end("course")
    with pytest.raises(ValueError, match="item shape"):
        front_end.check(np.zeros((2, 1, 64, 3), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        front_end.check(np.full((1, *front_end.item_shape), np.nan, np.float32))
    with pytest.raises(ValueError, match="no audio files"):
        compute_front_end("course", [])


def test_endpoint_trim_keeps_the_speech_span():
    """fla_ser Eqs. 4-6 in the front end: silence around a voiced burst is cut, the burst kept."""
    sr = 16000
    rng = np.random.default_rng(0)
    t = np.arange(int(0.6 * sr)) / sr
    burst = (0.5 * np.sin(2 * np.pi * 220 * t) * np.hanning(t.size)).astype(np.float32)
    signal = np.concatenate([1e-4 * rng.standard_normal(sr // 2), burst, 1e-4 * rng.standard_normal(sr // 2)])
    trimmed = trim_to_speech(signal.astype(np.float32), sr)
    assert 0.3 * sr < trimmed.size < 0.75 * sr
    assert np.abs(trimmed).max() == pytest.approx(np.abs(burst).max(), rel=1e-3)


def test_fla_ser_front_end_declares_its_endpoint_step():
    front_end = get_front_end("fla_ser")
    assert front_end.config["endpoint_detection"] is True
    assert "Eqs. 4-6" in front_end.source
