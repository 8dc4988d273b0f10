"""Encoder B of dual_stream_caf: interface, torchaudio pipelines offline, tiny random networks, WakeHuBERT-tiny."""
import hashlib
import socket
import zipfile

import numpy as np
import pytest
import torch

from serlib.models import speech_encoders as se


def _waveform(batch=2, samples=8000, seed=0):
    return torch.randn(batch, samples, generator=torch.Generator().manual_seed(seed)) * 0.1


# --------------------------------------------------------------------------- interface
def test_masked_mean_averages_real_frames_only():
    features = torch.arange(12, dtype=torch.float32).view(1, 4, 3)
    mask = torch.tensor([[True, True, False, False]])
    np.testing.assert_allclose(se.masked_mean(features, mask).numpy(), [[1.5, 2.5, 3.5]])
    np.testing.assert_allclose(se.masked_mean(features, None).numpy(), [[4.5, 5.5, 6.5]])
    with pytest.raises(ValueError, match="frame_mask"):
        se.masked_mean(features, torch.ones(1, 3, dtype=torch.bool))


def test_tiny_random_encoder_shapes_rate_mask_and_untrained_label():
    encoder = se.tiny_random_encoder("tiny_random_wav2vec2", frozen=True)
    mask = torch.ones(2, 16000, dtype=torch.bool)
    mask[1, 8000:] = False
    features, frame_mask = encoder(_waveform(2, 16000), mask)
    assert features.shape == (2, 49, encoder.dim) and encoder.frame_rate == 50.0
    assert frame_mask[0].all() and frame_mask[1].sum() == 24  # torchaudio's own frame lengths
    assert "RANDOM weights (untrained" in encoder.label and encoder.label.endswith("frozen")
    with pytest.raises(ValueError, match="padding_mask"):
        encoder(_waveform(2, 16000), mask[:, :100])
    with pytest.raises(KeyError, match="unknown tiny encoder"):
        se.tiny_random_encoder("tiny_random_bert")


def test_tiny_random_networks_are_the_bundles_architecture():
    import torchaudio

    encoder = se.tiny_random_encoder("tiny_random_hubert")
    # Same building blocks as HUBERT_BASE, only the sizes differ.
    reference = torchaudio.models.wav2vec2_model(**{**torchaudio.pipelines.HUBERT_BASE._params, **se.TINY_SIZES})
    assert [type(m).__name__ for m in encoder.model.modules()] == [type(m).__name__ for m in reference.modules()]
    assert len(encoder.model.encoder.transformer.layers) == 2


def test_frozen_encoder_gets_no_gradient_and_stays_in_eval_mode():
    frozen = se.tiny_random_encoder("tiny_random_hubert", frozen=True)
    frozen.train()
    assert not frozen.training and not any(p.requires_grad for p in frozen.parameters())
    features, _ = frozen(_waveform())
    assert not features.requires_grad
    tuned = se.tiny_random_encoder("tiny_random_hubert", frozen=False)
    features, mask = tuned(_waveform())
    se.masked_mean(features, mask).sum().backward()
    assert all(p.grad is not None for p in tuned.parameters() if p.requires_grad)
    assert tuned.label.endswith("fine-tuned")


def test_build_speech_encoder_rejects_unknown_names():
    with pytest.raises(KeyError, match="unknown encoder_b 'hubert_large'"):
        se.build_speech_encoder("hubert_large")


def _online(host="download.pytorch.org") -> bool:
    try:
        socket.getaddrinfo(host, 443)
        return True
    except OSError:
        return False


@pytest.mark.parametrize("name,pipeline", [("hubert_base", "HUBERT_BASE"), ("wav2vec2_base", "WAV2VEC2_BASE")])
def test_pipeline_encoder_offline_error_names_the_pipeline_and_the_fix(name, pipeline, tmp_path, monkeypatch):
    if _online():
        pytest.skip("this machine reaches download.pytorch.org: the offline error cannot be observed here")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # an empty hub cache: the real download is attempted
    with pytest.raises(se.EncoderUnavailableError) as caught:
        se.torchaudio_pipeline_encoder(name)
    message = str(caught.value)
    assert "\n" not in message
    assert f"torchaudio.pipelines.{pipeline}" in message and "to fill these rows" in message
    assert "URLError" in message and str(tmp_path) in message


# --------------------------------------------------------------------------- WakeHuBERT-tiny: checksums (no extra needed)
def _fake_wheel(path, onnx_bytes: bytes, notice_hash: str):
    notice = f"WakeHuBERT tiny\n\nsha256\n  {notice_hash}  wakehubert.onnx\n  {'0' * 64}  wakehubert_int8.onnx\n"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(se.WAKEHUBERT_NOTICE_MEMBER, notice)
        bundle.writestr(se.WAKEHUBERT_MEMBER, onnx_bytes)
    return path


def test_notice_hash_is_read_per_file_name():
    text = f"sha256\n  {'a' * 64}  wakehubert.onnx\n  {'b' * 64}  wakehubert_int8.onnx\n"
    assert se.notice_sha256(text) == "a" * 64 and se.notice_sha256(text, "wakehubert_int8.onnx") == "b" * 64
    with pytest.raises(se.EncoderChecksumError, match="no sha256"):
        se.notice_sha256("nothing here")


def test_checksum_mismatch_is_refused_and_nothing_is_cached(tmp_path):
    bad = tmp_path / "wakehubert.onnx"
    bad.write_bytes(b"not the model")
    with pytest.raises(se.EncoderChecksumError, match="refusing to load"):
        se.verify_wakehubert(bad)
    # A cache holding a corrupted file is refused on load, not silently used.
    with pytest.raises(se.EncoderChecksumError):
        se.wakehubert_onnx_path(cache_dir=tmp_path, allow_download=False)
    # A wheel whose NOTICE prints another hash than the pinned one.
    wheel = _fake_wheel(tmp_path / "a.whl", b"x", hashlib.sha256(b"x").hexdigest())
    with pytest.raises(se.EncoderChecksumError, match="NOTICE prints"):
        se.extract_wakehubert_from_wheel(wheel, tmp_path / "cache1")
    # A wheel whose NOTICE is right but whose model bytes are not: refused, no partial file left behind.
    wheel = _fake_wheel(tmp_path / "b.whl", b"tampered", se.WAKEHUBERT_SHA256)
    with pytest.raises(se.EncoderChecksumError):
        se.extract_wakehubert_from_wheel(wheel, tmp_path / "cache2")
    assert not (tmp_path / "cache2" / "wakehubert.onnx").exists()
    assert not list((tmp_path / "cache2").glob("*.tmp"))


def test_missing_cache_without_downloads_says_how_to_get_it(tmp_path):
    with pytest.raises(se.EncoderUnavailableError, match="pip download ovos-ww-plugin-wakeforge==0.3.0"):
        se.wakehubert_onnx_path(cache_dir=tmp_path / "empty", allow_download=False)


# --------------------------------------------------------------------------- WakeHuBERT-tiny: the converted model
@pytest.fixture(scope="module")
def wakehubert_file():
    available, reason = se.wakehubert_available()
    if not available:
        pytest.skip(reason)
    try:
        return se.wakehubert_onnx_path()
    except se.EncoderUnavailableError as exc:
        pytest.skip(f"WakeHuBERT-tiny could not be obtained: {exc}")


def test_wakehubert_file_matches_the_pinned_and_the_notice_hash(wakehubert_file):
    assert se._sha256(wakehubert_file) == se.WAKEHUBERT_SHA256
    notice = wakehubert_file.parent / "NOTICE"
    if notice.is_file():
        assert se.notice_sha256(notice.read_text()) == se.WAKEHUBERT_SHA256


def test_wakehubert_matches_onnxruntime(wakehubert_file):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime (part of the wakehubert extra) is not installed")
    encoder = se.wakehubert_tiny_encoder(frozen=True)
    session = ort.InferenceSession(str(wakehubert_file), providers=["CPUExecutionProvider"])
    waveform = _waveform(2, 16000, seed=3)
    reference = session.run(None, {session.get_inputs()[0].name: waveform.numpy()})[0]
    features, mask = encoder(waveform)
    assert features.shape == (2, 50, 128) == reference.shape and mask.all()
    assert np.abs(features.numpy() - reference).max() < 5e-5  # measured about 8e-6 on values up to about 11
    assert "distilled stand-in for HuBERT" in encoder.label


def test_wakehubert_frozen_versus_fine_tuned(wakehubert_file):
    frozen = se.wakehubert_tiny_encoder(frozen=True)
    assert not any(p.requires_grad for p in frozen.parameters())
    tuned = se.wakehubert_tiny_encoder(frozen=False)
    trainable = {n for n, p in tuned.module.named_parameters() if p.requires_grad}
    assert trainable and not any(n.startswith(se.WAKEHUBERT_FRONT_END_PREFIX) for n in trainable)
    assert sum(p.numel() for p in tuned.parameters() if p.requires_grad) == 637440  # config.json: ~0.64 M
    mask = torch.ones(1, 8000, dtype=torch.bool)
    mask[0, 4000:] = False
    features, frame_mask = tuned(_waveform(1, 8000), mask)
    assert frame_mask.sum() == 4000 // se.WAKEHUBERT_HOP_SAMPLES
    se.masked_mean(features, frame_mask).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for n, p in tuned.module.named_parameters() if n in trainable)


def test_frozen_memo_gives_the_frames_of_each_clip_alone(wakehubert_file):
    encoder = se.wakehubert_tiny_encoder(frozen=True)
    plain = se.wakehubert_tiny_encoder(frozen=True, memoise=False)
    waveform = _waveform(3, 16000, seed=11)
    first, _ = encoder(waveform)
    again, _ = encoder(waveform.flip(0))  # the same clips in another batch order: read back from the memo
    assert torch.equal(again.flip(0), first)
    alone = torch.cat([plain(waveform[i:i + 1])[0] for i in range(3)])
    assert torch.equal(first, alone)
    assert np.abs((plain(waveform)[0] - first).numpy()).max() < 1e-4  # batched: equal up to float rounding


def test_converted_module_is_a_fresh_copy_per_encoder(wakehubert_file):
    one, two = se.wakehubert_tiny_encoder(frozen=False), se.wakehubert_tiny_encoder(frozen=False)
    name, parameter = next((n, p) for n, p in one.module.named_parameters() if p.requires_grad)
    with torch.no_grad():
        parameter.add_(1.0)
    assert not torch.equal(dict(two.module.named_parameters())[name], parameter)


def test_the_first_conversion_of_a_process_leaves_the_global_rng_alone(wakehubert_file, monkeypatch):
    """A seeded job's head must start from the same random state whether or not its process converted the ONNX
    graph before (the conversion initialises torch layers before copying the weights in)."""
    monkeypatch.setattr(se, "_CONVERTED", {})
    torch.manual_seed(0)
    before = torch.get_rng_state()
    se.convert_wakehubert(wakehubert_file)
    assert torch.equal(torch.get_rng_state(), before)
    cached = torch.get_rng_state()
    se.convert_wakehubert(wakehubert_file)  # the cached copy: never drew either
    assert torch.equal(torch.get_rng_state(), cached)
