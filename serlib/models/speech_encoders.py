"""Encoder B of dual_stream_caf: pre-trained speech encoders behind one interface.

dual_stream_caf (Sec. 3.1, Eqs. 12-13; Sec. 4.4) fine-tunes HuBERT and
Wav2Vec2 base models "pre-trained on LibriSpeech ... downloaded from
HuggingFace". No model hub is reachable from the course's machines, so three
layers exist, all real code, each labelled for what it is:

1. :func:`torchaudio_pipeline_encoder` (``hubert_base``, ``wav2vec2_base``):
   the paper's encoders through ``torchaudio.pipelines.HUBERT_BASE`` /
   ``WAV2VEC2_BASE`` (both pre-trained on LibriSpeech 960 h, no fine-tuning).
   Their weights are downloaded at first use; offline this raises
   :class:`EncoderUnavailableError` with one line naming the pipeline and how
   to fill the rows.
2. :func:`tiny_random_encoder` (``tiny_random_hubert``, ``tiny_random_wav2vec2``):
   the same ``torchaudio`` networks (each bundle's own constructor arguments)
   at a tiny width with RANDOM weights, labelled untrained, for tests and for
   timing the mechanics. (The two bundles build identical networks - the same
   17 constructor arguments - and differ only in their weights; untrained,
   the two are the same network.)
3. :func:`wakehubert_tiny_encoder` (``wakehubert_tiny``): a real pre-trained
   encoder that works offline. WakeHuBERT-tiny (Apache-2.0) is a causal
   Mel-TCN student of 0.64 M parameters distilled from HuBERT-base layers
   4/8/12: 16 kHz waveform in, 128 features at 50 frames/s out. It ships as
   ONNX in the registry package ``ovos-ww-plugin-wakeforge`` 0.3.0; the file is
   checked against the SHA-256 pinned here AND the one printed in the
   package's NOTICE, converted with ``onnx2torch`` (optional extra
   ``serlib[wakehubert]``) and can be frozen or fine-tuned. It is a DISTILLED
   STAND-IN FOR HuBERT, NOT HuBERT: every label says so.

Interface (:class:`SpeechEncoder`): ``forward(waveform (batch, samples) float
16 kHz, padding_mask (batch, samples) bool or None, True = real sample)`` returns
``(features (batch, frames, dim), frame_mask (batch, frames) bool, True =
real frame)``; attributes ``dim``, ``frame_rate`` (frames per second),
``label``, ``frozen``. :func:`masked_mean` pools the frames for a head.
A frozen encoder has no parameter requiring gradients and stays in eval mode
even when its parent model trains (dropout off, batch-norm statistics fixed).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import torch
from torch import nn

#: Sample rate every encoder B expects (the pipelines' and WakeHuBERT-tiny's).
SAMPLE_RATE = 16000

# --------------------------------------------------------------------------- WakeHuBERT-tiny facts
WAKEFORGE_PACKAGE = "ovos-ww-plugin-wakeforge"
WAKEFORGE_VERSION = "0.3.0"
#: Path of the float32 model inside the package (wheel member and installed file).
WAKEHUBERT_MEMBER = "ovos_ww_plugin_wakeforge/featurizers/wakehubert-tiny/wakehubert.onnx"
WAKEHUBERT_NOTICE_MEMBER = "ovos_ww_plugin_wakeforge/featurizers/wakehubert-tiny/NOTICE"
WAKEHUBERT_CONFIG_MEMBER = "ovos_ww_plugin_wakeforge/featurizers/wakehubert-tiny/config.json"
#: SHA-256 of wakehubert.onnx, pinned here; it equals the value printed in the package's NOTICE
#: (checked on every extraction) and the wheel's RECORD.
WAKEHUBERT_SHA256 = "7c08cdb068f16bee9fa4cfe6f2d56b1e78d938d5421296a635920edce1211e1b"
#: SHA-256 of the wheel ovos_ww_plugin_wakeforge-0.3.0-py3-none-any.whl as the registry served it (2026-12-01).
WAKEFORGE_WHEEL_SHA256 = "c5840b00c08d9bf3e74781f5f09b86cd663611ae19f9c29e8ed7284b5a9e8dad"
WAKEHUBERT_FEATURE_DIM = 128
WAKEHUBERT_HOP_SAMPLES = 320  # config.json: "hop_samples": 320, "frame_rate_hz": 50.0
#: The converted graph's STFT basis (a fixed Conv1d 1 -> 402, kernel 400) is stored as a parameter; it is
#: part of the Mel front end, not of what was distilled, so fine-tuning leaves it fixed by default.
WAKEHUBERT_FRONT_END_PREFIX = "student/mel/"
WAKEHUBERT_LABEL = "WakeHuBERT-tiny (distilled stand-in for HuBERT, Apache-2.0)"

PIPELINES = {"hubert_base": "HUBERT_BASE", "wav2vec2_base": "WAV2VEC2_BASE"}
TINY_RANDOM = {"tiny_random_hubert": "HUBERT_BASE", "tiny_random_wav2vec2": "WAV2VEC2_BASE"}
ENCODER_NAMES = ("wakehubert_tiny", *PIPELINES, *TINY_RANDOM)
#: Tiny sizes of the untrained torchaudio networks: same 7-layer convolutional extractor strides
#: (320 samples per frame, 50 frames/s), 32 channels, 2 Transformer layers of width 64.
TINY_SIZES = {"extractor_conv_layer_config": [(32, 10, 5)] + [(32, 3, 2)] * 4 + [(32, 2, 2)] * 2,
              "encoder_embed_dim": 64, "encoder_pos_conv_kernel": 16, "encoder_pos_conv_groups": 4,
              "encoder_num_layers": 2, "encoder_num_heads": 2, "encoder_ff_interm_features": 128,
              "encoder_layer_drop": 0.0}


class EncoderUnavailableError(RuntimeError):
    """A pre-trained encoder whose weights or converter cannot be had on this machine (one-line message)."""


class EncoderChecksumError(ValueError):
    """A model file whose SHA-256 differs from the pinned one: it is refused, never loaded."""


# --------------------------------------------------------------------------- interface
def masked_mean(features: torch.Tensor, frame_mask: torch.Tensor | None) -> torch.Tensor:
    """Mean over the real frames: ``(batch, frames, dim), (batch, frames) bool -> (batch, dim)``.

    dual_stream_caf feeds one vector per utterance to its fusions (Eqs. 1-4:
    ``x_beta in R^{D_beta}``) without saying how HuBERT's frame sequence
    becomes one; the mean over real frames is the usual choice (the
    HuggingFace sequence-classification heads the authors cite pool the same
    way).
    """
    if features.dim() != 3:
        raise ValueError(f"masked_mean expects (batch, frames, dim), got {tuple(features.shape)}")
    if frame_mask is None:
        return features.mean(dim=1)
    if frame_mask.shape != features.shape[:2]:
        raise ValueError(f"frame_mask {tuple(frame_mask.shape)} does not match features {tuple(features.shape[:2])}")
    weights = frame_mask.to(features.dtype).unsqueeze(-1)
    return (features * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def _valid_lengths(waveform: torch.Tensor, padding_mask: torch.Tensor | None) -> torch.Tensor | None:
    if waveform.dim() != 2:
        raise ValueError(f"waveform must be (batch, samples), got shape {tuple(waveform.shape)}")
    if padding_mask is None:
        return None
    if padding_mask.shape != waveform.shape:
        raise ValueError(f"padding_mask {tuple(padding_mask.shape)} must match the waveform {tuple(waveform.shape)}")
    return padding_mask.bool().sum(dim=1)


class SpeechEncoder(nn.Module):
    """Waveform -> frame features + frame mask; see the module docstring.

    Subclasses implement :meth:`encode` ``(waveform, lengths or None) ->
    (features, frame lengths or None)``.
    """

    def __init__(self, dim: int, frame_rate: float, name: str, description: str, frozen: bool):
        super().__init__()
        self.dim, self.frame_rate, self.name, self.description = int(dim), float(frame_rate), name, description
        self.frozen = bool(frozen)

    @property
    def label(self) -> str:
        return f"{self.description}, {'frozen' if self.frozen else 'fine-tuned'}"

    def _apply_freezing(self) -> None:
        if self.frozen:
            for parameter in self.parameters():
                parameter.requires_grad_(False)
            super().train(False)

    def train(self, mode: bool = True):
        # A frozen encoder is a fixed feature extractor: dropout and batch-norm statistics stay as loaded.
        return super().train(False if self.frozen else mode)

    def encode(self, waveform: torch.Tensor, lengths: torch.Tensor | None):
        raise NotImplementedError

    def forward(self, waveform: torch.Tensor, padding_mask: torch.Tensor | None = None):
        lengths = _valid_lengths(waveform, padding_mask)
        if self.frozen:
            with torch.no_grad():
                features, frame_lengths = self.encode(waveform, lengths)
        else:
            features, frame_lengths = self.encode(waveform, lengths)
        frames = features.shape[1]
        if frame_lengths is None:
            frame_mask = torch.ones(features.shape[:2], dtype=torch.bool, device=features.device)
        else:
            frame_lengths = frame_lengths.to(features.device).clamp(min=1, max=frames)
            frame_mask = torch.arange(frames, device=features.device)[None, :] < frame_lengths[:, None]
        return features, frame_mask


# --------------------------------------------------------------------------- torchaudio networks
class TorchaudioSpeechEncoder(SpeechEncoder):
    """dual_stream_caf Eqs. 12-13: ``x_beta = f_HuBERT(x_w)`` or ``f_Wav2Vec2(x_w)``, a ``torchaudio`` Wav2Vec2Model.

    HuBERT and Wav2Vec2 share the network class; the output is the last
    Transformer layer's frame sequence."""

    def __init__(self, model: nn.Module, dim: int, name: str, description: str, frozen: bool,
                 normalize_waveform: bool = False):
        super().__init__(dim, SAMPLE_RATE / 320, name, description, frozen)
        self.model = model
        self.normalize_waveform = normalize_waveform
        self._apply_freezing()

    def encode(self, waveform, lengths):
        if self.normalize_waveform:
            waveform = torch.nn.functional.layer_norm(waveform, waveform.shape[-1:])
        # Note: the group-norm extractor of the base models normalises over the whole padded length, so
        # padding changes the real frames slightly (as in fairseq); pass equal-length clips where it matters.
        return self.model(waveform, lengths)


def _bundle(pipeline: str):
    import torchaudio

    bundle = getattr(torchaudio.pipelines, pipeline, None)
    if bundle is None:
        raise EncoderUnavailableError(f"torchaudio {torchaudio.__version__} has no pipeline {pipeline!r}")
    return bundle


def torchaudio_pipeline_encoder(name: str, frozen: bool = False, dl_kwargs: dict | None = None) -> SpeechEncoder:
    """The paper's encoder B: ``torchaudio.pipelines.HUBERT_BASE`` or ``WAV2VEC2_BASE`` with its weights.

    ``name`` is ``"hubert_base"`` or ``"wav2vec2_base"``. The weights
    (about 360 MB) download on first use into ``torch.hub.get_dir()``; with no
    route to them the real exception (``urllib.error.URLError`` here) becomes an
    :class:`EncoderUnavailableError` whose one line names the pipeline and how
    to fill the rows that need it.
    """
    if name not in PIPELINES:
        raise KeyError(f"unknown pipeline encoder {name!r}; choose one of {sorted(PIPELINES)}")
    import torch.hub
    import urllib.error

    pipeline = PIPELINES[name]
    bundle = _bundle(pipeline)
    try:
        model = bundle.get_model(dl_kwargs=dl_kwargs)
    except (urllib.error.URLError, OSError, RuntimeError) as exc:
        reason = str(getattr(exc, "reason", exc)).splitlines()[0][:160]
        raise EncoderUnavailableError(
            f"torchaudio.pipelines.{pipeline}: pre-trained weights could not be fetched ({type(exc).__name__}: "
            f"{reason}); to fill these rows run on a machine that reaches download.pytorch.org, or put "
            f"{Path(bundle._path).name} into {Path(torch.hub.get_dir()) / 'checkpoints'}, then rerun") from None
    return TorchaudioSpeechEncoder(model, bundle._params["encoder_embed_dim"], name,
                                   f"{'HuBERT' if 'HUBERT' in pipeline else 'Wav2Vec2'} base "
                                   f"(torchaudio.pipelines.{pipeline}, pre-trained on LibriSpeech)", frozen,
                                   getattr(bundle, "_normalize_waveform", False))


def tiny_random_encoder(name: str, frozen: bool = False, seed: int = 0, **sizes) -> SpeechEncoder:
    """The pipeline's own network at a tiny size with RANDOM weights (UNTRAINED), for tests and mechanics.

    ``name`` is ``"tiny_random_hubert"`` or ``"tiny_random_wav2vec2"``; the
    constructor arguments are the bundle's, with :data:`TINY_SIZES` (and
    ``sizes``) replacing the widths and depths, so only the size differs.
    """
    if name not in TINY_RANDOM:
        raise KeyError(f"unknown tiny encoder {name!r}; choose one of {sorted(TINY_RANDOM)}")
    import torchaudio

    pipeline = TINY_RANDOM[name]
    params = dict(_bundle(pipeline)._params)
    unknown = sorted(set(sizes) - set(params))
    if unknown:
        raise KeyError(f"tiny_random_encoder: {unknown} are not arguments of torchaudio.models.wav2vec2_model")
    params.update(TINY_SIZES)
    params.update(sizes)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = torchaudio.models.wav2vec2_model(**params)
    family = "HuBERT" if "HUBERT" in pipeline else "Wav2Vec2"
    return TorchaudioSpeechEncoder(model, params["encoder_embed_dim"], name,
                                   f"tiny {family}-architecture network, RANDOM weights (untrained; "
                                   f"torchaudio.pipelines.{pipeline} network at width {params['encoder_embed_dim']})",
                                   frozen)


def pipeline_architecture(name: str, seed: int = 0) -> SpeechEncoder:
    """The paper-size HuBERT/Wav2Vec2 base network with RANDOM weights, for parameter and FLOP counts only.

    ``name`` is ``"hubert_base"`` or ``"wav2vec2_base"``; the bundle's own
    constructor arguments at full size, untrained (complexity needs no weights).
    """
    if name not in PIPELINES:
        raise KeyError(f"unknown pipeline encoder {name!r}; choose one of {sorted(PIPELINES)}")
    import torchaudio

    params = dict(_bundle(PIPELINES[name])._params)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = torchaudio.models.wav2vec2_model(**params)
    return TorchaudioSpeechEncoder(model, params["encoder_embed_dim"], f"{name}_architecture",
                                   f"{PIPELINES[name]} architecture at paper size, RANDOM weights (untrained; "
                                   "for size and speed only)", frozen=True)


# --------------------------------------------------------------------------- WakeHuBERT-tiny
def wakehubert_available() -> tuple[bool, str]:
    """(True, "") when the ``wakehubert`` extra is installed, else (False, the reason)."""
    missing = [name for name in ("onnx", "onnx2torch") if importlib.util.find_spec(name) is None]
    if missing:
        return False, (f"the optional extra is not installed ({', '.join(missing)} missing): "
                       "pip install 'serlib[wakehubert]'")
    return True, ""


def _sha256(path) -> str:
    from ..data.download import file_hash  # the course's one chunked file hasher

    return file_hash(path, "sha256")


def verify_wakehubert(path, expected: str = WAKEHUBERT_SHA256) -> Path:
    """Refuse a WakeHuBERT-tiny file whose SHA-256 is not the pinned one; return its path."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: WakeHuBERT-tiny ONNX file not found")
    actual = _sha256(path)
    if actual != expected:
        raise EncoderChecksumError(f"{path}: sha256 {actual} is not the pinned WakeHuBERT-tiny sha256 {expected} "
                                   f"({WAKEFORGE_PACKAGE} {WAKEFORGE_VERSION}); refusing to load it - delete the "
                                   "file and let serlib extract it again from the package")
    return path


def notice_sha256(notice_text: str, filename: str = "wakehubert.onnx") -> str:
    """The SHA-256 the package's NOTICE prints for ``filename`` (lines ``<64 hex>  <name>``)."""
    for line in notice_text.splitlines():
        match = re.fullmatch(r"\s*([0-9a-fA-F]{64})\s+(\S+)\s*", line)
        if match and match.group(2) == filename:
            return match.group(1).lower()
    raise EncoderChecksumError(f"the {WAKEFORGE_PACKAGE} NOTICE lists no sha256 for {filename}")


def _installed_package_file() -> Path | None:
    # Found through the distribution's metadata, without importing the plugin (its imports are heavy).
    from importlib import metadata

    try:
        distribution = metadata.distribution(WAKEFORGE_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    if distribution.version != WAKEFORGE_VERSION:
        return None
    path = Path(distribution.locate_file(WAKEHUBERT_MEMBER))
    return path if path.is_file() else None


def default_encoder_cache() -> Path:
    from .. import settings

    return settings.cache_dir() / "encoders" / "wakehubert-tiny"


def extract_wakehubert_from_wheel(wheel, cache_dir) -> Path:
    """Take wakehubert.onnx (with NOTICE and config.json) out of the wakeforge wheel into ``cache_dir``.

    The ONNX member must match both the sha256 printed in the wheel's NOTICE
    and the one pinned here; files are written to a temporary name and renamed
    (atomic), so an interrupted extraction never leaves a partial model.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        bundle = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as exc:
        raise EncoderUnavailableError(f"{wheel}: not a wheel (zip) file ({exc})") from None
    with bundle:
        names = set(bundle.namelist())
        for member in (WAKEHUBERT_MEMBER, WAKEHUBERT_NOTICE_MEMBER):
            if member not in names:
                raise EncoderUnavailableError(f"{wheel}: has no {member}; is it {WAKEFORGE_PACKAGE} {WAKEFORGE_VERSION}?")
        printed = notice_sha256(bundle.read(WAKEHUBERT_NOTICE_MEMBER).decode("utf-8"))
        if printed != WAKEHUBERT_SHA256:
            raise EncoderChecksumError(f"{wheel}: its NOTICE prints sha256 {printed} for wakehubert.onnx but serlib "
                                       f"pins {WAKEHUBERT_SHA256}; refusing a changed package")
        for member in (WAKEHUBERT_NOTICE_MEMBER, WAKEHUBERT_CONFIG_MEMBER, WAKEHUBERT_MEMBER):
            if member not in names:
                continue
            target = cache_dir / Path(member).name
            handle, scratch = tempfile.mkstemp(dir=cache_dir, prefix=f".{target.name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as sink, bundle.open(member) as source:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        sink.write(block)
                if member == WAKEHUBERT_MEMBER:
                    verify_wakehubert(scratch)
                os.chmod(scratch, 0o644)  # mkstemp makes 0600; the cache is shared
                os.replace(scratch, target)
            finally:
                if os.path.exists(scratch):
                    os.unlink(scratch)
    return cache_dir / Path(WAKEHUBERT_MEMBER).name


def download_wakeforge_wheel(dest, timeout: float = 300.0) -> Path:
    """``pip download ovos-ww-plugin-wakeforge==0.3.0 --no-deps`` into ``dest``; the wheel's path (hash-checked)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", f"{WAKEFORGE_PACKAGE}=={WAKEFORGE_VERSION}", "--no-deps",
               "--only-binary", ":all:", "--dest", str(dest), "--quiet", "--disable-pip-version-check"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EncoderUnavailableError(f"{' '.join(command[2:5])}: {exc}") from None
    wheels = sorted(dest.glob("ovos_ww_plugin_wakeforge-0.3.0-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr or done.stdout or "no output").strip().splitlines()[-1:] or ["no output"]
        raise EncoderUnavailableError(f"pip download {WAKEFORGE_PACKAGE}=={WAKEFORGE_VERSION} failed "
                                      f"(exit {done.returncode}: {last[0][:200]}); without the package registry "
                                      "WakeHuBERT-tiny cannot be obtained")
    actual = _sha256(wheels[0])
    if actual != WAKEFORGE_WHEEL_SHA256:
        raise EncoderChecksumError(f"{wheels[0]}: sha256 {actual} is not the pinned wheel sha256 "
                                   f"{WAKEFORGE_WHEEL_SHA256}; refusing it")
    return wheels[0]


def wakehubert_onnx_path(cache_dir=None, allow_download: bool = True) -> Path:
    """A verified wakehubert.onnx: from the installed package, else the cache, else extracted from the wheel.

    The hash is checked on every call (the file is 3.3 MB). ``allow_download``
    False raises :class:`EncoderUnavailableError` instead of running pip.
    """
    installed = _installed_package_file()
    if installed is not None:
        return verify_wakehubert(installed)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_encoder_cache()
    cached = cache_dir / Path(WAKEHUBERT_MEMBER).name
    if cached.is_file():
        return verify_wakehubert(cached)
    if not allow_download:
        raise EncoderUnavailableError(f"WakeHuBERT-tiny is not in {cache_dir} and downloads are off; run "
                                      f"`pip download {WAKEFORGE_PACKAGE}=={WAKEFORGE_VERSION} --no-deps` and pass the "
                                      "wheel to serlib.models.speech_encoders.extract_wakehubert_from_wheel")
    with tempfile.TemporaryDirectory(prefix="wakeforge-") as scratch:
        wheel = download_wakeforge_wheel(scratch)
        return verify_wakehubert(extract_wakehubert_from_wheel(wheel, cache_dir))


_CONVERTED: dict[str, nn.Module] = {}


def convert_wakehubert(path) -> nn.Module:
    """The verified ONNX graph as a torch module (``onnx2torch``), float32, in eval mode.

    The conversion (about 2 s) runs once per process and file hash; every call
    returns a fresh deep copy, so fine-tuning one model never changes another.
    The conversion builds torch layers (whose default initialisation draws from
    the global RNG) before it copies the pre-trained weights in: it runs under a
    forked RNG, so the first model of a process starts from the same random
    state as every later one (else a seeded job's head initialisation depended
    on whether it was the first job of its process).
    """
    import copy

    available, reason = wakehubert_available()
    if not available:
        raise EncoderUnavailableError(f"WakeHuBERT-tiny: {reason}")
    import warnings

    import onnx
    from onnx2torch import convert

    path = verify_wakehubert(path)
    key = _sha256(path)
    if key not in _CONVERTED:
        graph = onnx.load(str(path))
        import torch

        with warnings.catch_warnings(), torch.random.fork_rng(devices=[]):
            warnings.simplefilter("ignore", UserWarning)
            _CONVERTED[key] = convert(graph).eval()
    return copy.deepcopy(_CONVERTED[key]).eval()


#: Frames of the frozen WakeHuBERT-tiny per clip (sha1 of its samples), shared by every frozen instance of the
#: process: the weights are the verified pinned file, so equal samples give equal frames. Oldest entries go first.
_FROZEN_FRAMES: dict[str, torch.Tensor] = {}
FROZEN_MEMO_MAX_CLIPS = 8192


class WakeHuBERTEncoder(SpeechEncoder):
    """WakeHuBERT-tiny converted to torch; frozen, or fine-tuned (all distilled layers train).

    ``train_front_end`` also trains the Mel front end's STFT basis (kept fixed
    by default: it is a fixed transform, not a learned layer). Frame mask: the
    model is causal with 320 samples per frame, so frame ``t`` counts as real
    when ``t < valid_samples // 320`` (at least one frame).
    """

    def __init__(self, module: nn.Module, frozen: bool = True, train_front_end: bool = False, memoise: bool = True):
        super().__init__(WAKEHUBERT_FEATURE_DIM, SAMPLE_RATE / WAKEHUBERT_HOP_SAMPLES, "wakehubert_tiny",
                         WAKEHUBERT_LABEL, frozen)
        self.module, self.memoise = module, bool(memoise)
        if not frozen and not train_front_end:
            for name, parameter in self.module.named_parameters():
                if name.startswith(WAKEHUBERT_FRONT_END_PREFIX):
                    parameter.requires_grad_(False)
        self._apply_freezing()

    def _run(self, waveform: torch.Tensor) -> torch.Tensor:
        import warnings

        with warnings.catch_warnings():
            # onnx2torch's Slice indexes with a list (a deprecation warning on every call in torch 2.11).
            warnings.simplefilter("ignore", UserWarning)
            return self.module(waveform.float())

    def _memoised(self, waveform: torch.Tensor) -> torch.Tensor:
        # A frozen encoder with fixed pre-trained weights maps a clip to the same frames in every epoch and fold:
        # each clip is encoded once, ALONE (batch of one, so the frames never depend on the batch it came in), and
        # reused. Keyed by the clip's samples; CPU only (on a GPU the encoder is cheap next to the transfer).
        rows = []
        for row in waveform.float():
            key = hashlib.sha1(row.contiguous().numpy().tobytes()).hexdigest()
            cached = _FROZEN_FRAMES.get(key)
            if cached is None:
                cached = self._run(row[None])[0]
                if len(_FROZEN_FRAMES) >= FROZEN_MEMO_MAX_CLIPS:
                    _FROZEN_FRAMES.pop(next(iter(_FROZEN_FRAMES)))
                _FROZEN_FRAMES[key] = cached
            rows.append(cached)
        return torch.stack(rows)

    def encode(self, waveform, lengths):
        if self.frozen and self.memoise and waveform.device.type == "cpu":
            features = self._memoised(waveform)
        else:
            features = self._run(waveform)
        frame_lengths = None if lengths is None else torch.div(lengths, WAKEHUBERT_HOP_SAMPLES, rounding_mode="floor")
        return features, frame_lengths


def wakehubert_tiny_encoder(frozen: bool = True, train_front_end: bool = False, cache_dir=None,
                            allow_download: bool = True, memoise: bool = True) -> WakeHuBERTEncoder:
    """WakeHuBERT-tiny as encoder B (verified file, onnx2torch conversion); see :class:`WakeHuBERTEncoder`.

    ``memoise`` (frozen only): encode each distinct clip once per process, alone, and reuse its frames.
    """
    return WakeHuBERTEncoder(convert_wakehubert(wakehubert_onnx_path(cache_dir, allow_download)), frozen,
                             train_front_end, memoise)


def build_speech_encoder(name: str, frozen: bool = False, **options) -> SpeechEncoder:
    """Encoder B by name: one of :data:`ENCODER_NAMES`."""
    if name == "wakehubert_tiny":
        return wakehubert_tiny_encoder(frozen=frozen, **options)
    if name in PIPELINES:
        return torchaudio_pipeline_encoder(name, frozen=frozen, **options)
    if name in TINY_RANDOM:
        return tiny_random_encoder(name, frozen=frozen, **options)
    raise KeyError(f"unknown encoder_b {name!r}; choose one of {', '.join(ENCODER_NAMES)}")
