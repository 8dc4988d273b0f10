"""dual_stream_caf: DPCNN/TextRCNN on the log-Mel image + a speech encoder, fused by SUM, CON, FiLM or CAF.

Paper: Yu et al. 2024, "Speech Emotion Recognition Using Dual-Stream
Representation and Cross-Attention Fusion" (``shared/papers/004_4fa9756ae0dfd3ad.txt``).
Every printed equation is one function below whose docstring starts with
``dual_stream_caf Eq. N``.

INPUT CONVENTION
    * Dual-stream models (``build_model("dual_stream_caf", ...)``) take ONE
      argument, a tuple ``(image, waveform)`` or ``(image, waveform,
      padding_mask)``: ``image`` is the log-Mel image ``(batch, 1, 224, 224)``
      laid out ``(batch, 1, Mel bands, frames)`` as the ``dual_stream_caf``
      front end of :mod:`serlib.features.logmel` makes it; ``waveform`` is
      ``(batch, samples)`` float, 16 kHz; ``padding_mask`` is ``(batch,
      samples)`` bool, True on real samples (any dtype is read as bool).
    * Single-stream models (``dual_stream_caf_single``) take the one tensor
      their encoder reads: the image for ``dpcnn``/``textrcnn``, the waveform
      (or a tuple ``(waveform, padding_mask)``) for a speech encoder.
    * All return logits ``(batch, n_classes)``; :func:`emotion_probabilities`
      is Eq. 14's softmax.

Front end (Sec. 4.4): Hann window, FFT 2048, hop 512 samples (printed "512
ms"), 224 x 224 image. At hop 512 a 224-frame image natively spans 7.2 s;
the stand-in clips (EmoDB 2 s, RAVDESS 2.4 s) give 63 and 76 frames, which the
bilinear resize stretches about 3.6 and 2.9 times along time
(:func:`image_time_axis` computes it). EmoDB's own utterances (about 2-3 s)
are stretched the same way in the paper.

What the printed fusions compute (tests check each numerically):
    * SUM (Eqs. 2-3): ``W_1 x_g + b_1 + W_2 x_b + b_2``, one affine map of ``[x_g; x_b]``.
    * CON (Eqs. 2, 4): ``[W_1 x_g + b_1; W_2 x_b + b_2]``; with the linear
      classifier after it, again one affine map of ``[x_g; x_b]``.
    * FiLM (Eqs. 5-7): each aligned vector is split into halves ``[v; w]``; the
      output is ``[v_g * w_b + w_g; v_b * w_g + w_b]``: a genuine
      multiplicative (bilinear) interaction between the streams. Unlike FiLM
      of Perez et al. (``gamma(z) * x + beta(z)``, both from the conditioning
      input), the shift comes from the stream's own features.
    * CAF (Eqs. 15-20): Eq. 15 (scaled dot-product attention) is introduced but
      never used: no product of the two streams, no softmax. Substituting
      Eqs. 16-18 into 19-20 gives
      ``O = (W_k1 + W_v^g) x_g + (W_k2 + W_v^b) x_b + b_k1 + b_k2 + c b_v``
      (``c = 1`` when Eq. 18 splits the bias in halves, 2 when each branch adds
      all of it): ONE affine map of ``[x_g; x_b]``, the same function class as
      SUM or CON followed by a linear layer, only parameterised by three
      matrices instead of one (:func:`caf_closed_form`). Any gap between CAF
      and SUM/CON can therefore come from optimisation and initialisation
      only, not from what the fusion can represent.
    * ``xattn`` (OURS, not the paper's): what the name "cross-attention fusion"
      promises: the encoder-A vector queries encoder B's frame sequence with
      multi-head Eq. 15 attention (padded frames masked).

Encoder A orientation: the paper gives the DPCNN region kernel as 3 x 224 on
``[b, c, h, w]`` images without saying which image axis is time.
``sequence_axis="time"`` (default) slides the 3-wide window over frames with
the kernel spanning all Mel bands, the text analogy of Johnson and Zhang
(a frame is a "word", its Mel vector the "embedding") and the paper's
"Encoder A explores the temporal nature of speech"; ``"frequency"`` slides it
over Mel bands, which is what the authors' public code does with its
``(n_mels, frames)`` images (see ``serlib.experiments.dual_stream_caf_paper``).
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import MLPHead
from .registry import register_model
from .speech_encoders import ENCODER_NAMES, SpeechEncoder, build_speech_encoder, masked_mean

ENCODERS_A = ("dpcnn", "textrcnn")
FUSIONS = ("sum", "con", "film", "caf", "xattn")
PRINTED_FUSIONS = ("sum", "con", "film", "caf")
SEQUENCE_AXES = ("time", "frequency")
INPUT_NORMS = ("per_image", "none")
CAF_BIAS_SPLITS = ("half", "full")
IMAGE_SIZE = (224, 224)
#: Johnson & Zhang (2017): 250 feature maps in every layer; region size 3.
DPCNN_FILTERS = 250
#: Sec. 4.4: "the input dimension of the Bi-LSTM is set to 768, the number of hidden units is 384".
TEXTRCNN_EMBED, TEXTRCNN_HIDDEN = 768, 384
#: Not printed (D_m of Eqs. 2-7, D_3 of Eqs. 16-20 when CAF is not the output layer): our choice.
DEFAULT_FUSION_DIM = 256
#: Tiny configurations for tests and quick mode: encoder A alone (single stream) and the dual-stream model.
TINY_ENCODER_A_CONFIG = {"image_size": (32, 32), "dpcnn_filters": 16, "textrcnn_embed": 24, "textrcnn_hidden": 12,
                         "textrcnn_latent": 12}
TINY_CONFIG = {**TINY_ENCODER_A_CONFIG, "fusion_dim": 16}

STREAM_LABELS = {"dpcnn": "DPCNN (full training)", "textrcnn": "TextRCNN (full training)"}


# --------------------------------------------------------------------------- front end facts
def image_time_axis(duration_s: float, config="dual_stream_caf") -> dict:
    """How a clip of ``duration_s`` fills the image's time axis: native frames, image frames, stretch.

    Uses the ``dual_stream_caf`` log-Mel config (hop 512 at 16 kHz, centred
    frames: ``1 + samples // 512``) and its 224-frame resize.
    """
    from ..features.logmel import get_config

    config = get_config(config)
    samples = int(round(duration_s * config.sample_rate))
    native = config.num_frames(samples)
    width = config.resize[1] if config.resize else native
    return {"duration_s": duration_s, "native_frames": native, "image_frames": width,
            "stretch": width / native, "seconds_per_native_image": width * config.hop_length / config.sample_rate}


def normalize_image(image: torch.Tensor, mode: str = "per_image", eps: float = 1e-5) -> torch.Tensor:
    """dual_stream_caf Eq. 9: ``M^n = f_norm(f_reshape(M))``, the encoder-A input.

    The paper names the two steps only. ``f_reshape`` is the shape check to
    ``[b, c, h, w]`` with ``c = 1``; ``f_norm`` is not specified: ``per_image``
    (default) standardises each image to zero mean and unit variance (dB values
    of about -100..+40 are a poor network input), ``none`` leaves it (e.g. when
    the front end already applied a train-fitted standardiser).
    """
    if image.dim() == 3:
        image = image.unsqueeze(1)
    if image.dim() != 4 or image.shape[1] != 1:
        raise ValueError(f"log-Mel image must be (batch, 1, height, width), got {tuple(image.shape)}")
    if mode == "none":
        return image
    if mode != "per_image":
        raise ValueError(f"input_norm must be one of {INPUT_NORMS}, got {mode!r}")
    mean = image.mean(dim=(1, 2, 3), keepdim=True)
    std = image.std(dim=(1, 2, 3), keepdim=True, unbiased=False)
    return (image - mean) / (std + eps)


def _as_sequence(image: torch.Tensor, sequence_axis: str) -> torch.Tensor:
    # (batch, 1, mels, frames) -> (batch, 1, steps, width): the region kernel slides over "steps".
    if sequence_axis == "time":
        return image.transpose(2, 3)
    if sequence_axis == "frequency":
        return image
    raise ValueError(f"sequence_axis must be one of {SEQUENCE_AXES}, got {sequence_axis!r}")


# --------------------------------------------------------------------------- encoder A
class DPCNN(nn.Module):
    """dual_stream_caf Eq. 10: ``x_gamma = f_DPCNN(M^n)``, the deep pyramid CNN with a 3 x 224 region kernel.

    Johnson and Zhang (2017), "Deep Pyramid Convolutional Neural Networks for
    Text Categorization", ACL, pp. 562-570: a region embedding (a convolution
    over 3 consecutive steps x the whole 224-wide row, 250 maps, Sec. 4.4's
    "kernel size of DPCNN is modified to 3 x 224"), two pre-activation
    convolutions (ReLU then conv, size 3, 250 maps) with an identity shortcut,
    then repeated blocks of {max pooling size 3 stride 2 (halving the length),
    two pre-activation convolutions, identity shortcut} with the number of
    maps fixed, until one step is left; the output is its 250 maps (global max
    pooling over what remains). Every convolution has its own weights (the
    authors' public code reuses one convolution everywhere; see the
    differences list). ``blocks`` is set from the input length
    (``ceil(log2(steps))``: 8 for 224 steps).
    """

    def __init__(self, image_size=IMAGE_SIZE, filters: int = DPCNN_FILTERS, sequence_axis: str = "time",
                 region: int = 3, input_norm: str = "per_image"):
        super().__init__()
        if sequence_axis not in SEQUENCE_AXES:
            raise ValueError(f"DPCNN: sequence_axis must be one of {SEQUENCE_AXES}, got {sequence_axis!r}")
        height, width = (int(v) for v in image_size)
        steps, row = (width, height) if sequence_axis == "time" else (height, width)
        self.image_size, self.sequence_axis, self.input_norm = (height, width), sequence_axis, input_norm
        self.steps, self.out_dim = steps, filters
        self.region = nn.Conv2d(1, filters, (region, row), padding=(region // 2, 0))
        self.first = nn.ModuleList([nn.Conv1d(filters, filters, 3, padding=1) for _ in range(2)])
        n_blocks = max(0, math.ceil(math.log2(steps))) if steps > 1 else 0
        self.blocks = nn.ModuleList([nn.ModuleList([nn.Conv1d(filters, filters, 3, padding=1) for _ in range(2)])
                                     for _ in range(n_blocks)])
        self.pool = nn.MaxPool1d(3, stride=2, padding=1)

    @staticmethod
    def _pre_activation_pair(x: torch.Tensor, convs: nn.ModuleList) -> torch.Tensor:
        return x + convs[1](F.relu(convs[0](F.relu(x))))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        image = normalize_image(image, self.input_norm)
        if tuple(image.shape[2:]) != self.image_size:
            raise ValueError(f"DPCNN expects images of {self.image_size}, got {tuple(image.shape[2:])}")
        x = self.region(_as_sequence(image, self.sequence_axis)).squeeze(-1)  # (batch, filters, steps)
        x = self._pre_activation_pair(x, self.first)
        for convs in self.blocks:
            x = self._pre_activation_pair(self.pool(x), convs)
        return x.amax(dim=-1)


class TextRCNN(nn.Module):
    """dual_stream_caf Eq. 11: ``x_gamma = f_TextRCNN(M^n)`` on the squeezed image ``[b, h, w]``.

    Lai, Xu, Liu and Zhao (2015), "Recurrent Convolutional Neural Networks for
    Text Classification", AAAI, pp. 2267-2273. Each step's row (224 values) is
    embedded to 768 by a linear layer (Sec. 4.4 sets the Bi-LSTM input to 768
    without saying how 224 becomes 768; the public code uses a linear layer
    too); a Bi-LSTM with 384 hidden units per direction gives the left and
    right contexts, taken as in Lai et al.'s Eqs. 1-2: ``c_l(i)`` is the
    forward state after step ``i-1`` and ``c_r(i)`` the backward state after
    step ``i+1`` (zeros at the ends), so a step's context excludes the step
    itself; ``x_i = [c_l(i); e_i; c_r(i)]`` (Eq. 3), ``y_i = tanh(W x_i + b)``
    (Eq. 4, ``latent`` units: 384, our choice), then element-wise max pooling
    over steps (Eq. 5). The classifier (Eqs. 6-7) is the model's head.
    """

    def __init__(self, image_size=IMAGE_SIZE, embed: int = TEXTRCNN_EMBED, hidden: int = TEXTRCNN_HIDDEN,
                 latent: int = TEXTRCNN_HIDDEN, sequence_axis: str = "time", input_norm: str = "per_image"):
        super().__init__()
        if sequence_axis not in SEQUENCE_AXES:
            raise ValueError(f"TextRCNN: sequence_axis must be one of {SEQUENCE_AXES}, got {sequence_axis!r}")
        height, width = (int(v) for v in image_size)
        row = height if sequence_axis == "time" else width
        self.image_size, self.sequence_axis, self.input_norm = (height, width), sequence_axis, input_norm
        self.hidden, self.out_dim = hidden, latent
        self.embed = nn.Linear(row, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
        self.latent = nn.Linear(2 * hidden + embed, latent)

    def contexts(self, embedded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Lai et al. Eqs. 1-2: left and right contexts ``(batch, steps, hidden)`` each, excluding the step."""
        states, _ = self.lstm(embedded)
        forward, backward = states[..., :self.hidden], states[..., self.hidden:]
        left = F.pad(forward[:, :-1], (0, 0, 1, 0))
        right = F.pad(backward[:, 1:], (0, 0, 0, 1))
        return left, right

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        image = normalize_image(image, self.input_norm)
        if tuple(image.shape[2:]) != self.image_size:
            raise ValueError(f"TextRCNN expects images of {self.image_size}, got {tuple(image.shape[2:])}")
        rows = _as_sequence(image, self.sequence_axis).squeeze(1)  # [b, c, h, w] -> [b, h, w]
        embedded = self.embed(rows)
        left, right = self.contexts(embedded)
        latent = torch.tanh(self.latent(torch.cat([left, embedded, right], dim=-1)))
        return latent.amax(dim=1)


def build_encoder_a(name: str, **config) -> nn.Module:
    """Encoder A by name (``dpcnn`` or ``textrcnn``) with its size options."""
    common = {k: config[k] for k in ("image_size", "sequence_axis", "input_norm") if k in config}
    if name == "dpcnn":
        return DPCNN(filters=config.get("dpcnn_filters", DPCNN_FILTERS), **common)
    if name == "textrcnn":
        return TextRCNN(embed=config.get("textrcnn_embed", TEXTRCNN_EMBED),
                        hidden=config.get("textrcnn_hidden", TEXTRCNN_HIDDEN),
                        latent=config.get("textrcnn_latent", TEXTRCNN_HIDDEN), **common)
    raise KeyError(f"unknown encoder_a {name!r}; choose one of {ENCODERS_A}")


# --------------------------------------------------------------------------- printed fusions
def sum_fusion(x_gamma_aligned: torch.Tensor, x_beta_aligned: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 3: ``O = x'_gamma + x'_beta`` (both ``D_m``-dimensional)."""
    if x_gamma_aligned.shape != x_beta_aligned.shape:
        raise ValueError(f"SUM needs aligned features of one shape, got {tuple(x_gamma_aligned.shape)} and "
                         f"{tuple(x_beta_aligned.shape)}")
    return x_gamma_aligned + x_beta_aligned


def concat_fusion(x_gamma_aligned: torch.Tensor, x_beta_aligned: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 4: ``O = [x'_gamma; x'_beta]`` in ``R^{2 D_m}`` (any two widths concatenate)."""
    return torch.cat([x_gamma_aligned, x_beta_aligned], dim=-1)


def film_split(x_aligned: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """dual_stream_caf Eq. 5: ``x' = [v; omega]``, two halves of ``D_m / 2`` (``D_m`` must be even)."""
    width = x_aligned.shape[-1]
    if width % 2:
        raise ValueError(f"FiLM (Eq. 5) splits D_m into two equal halves; D_m = {width} is odd")
    return x_aligned[..., :width // 2], x_aligned[..., width // 2:]


def film_reconstruct(v_self: torch.Tensor, omega_self: torch.Tensor, omega_other: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 6: ``x'' = (v_self * omega_other) + omega_self`` (Hadamard product, then addition).

    As printed: ``x''_gamma = (v_gamma . omega_beta) + omega_gamma`` and
    ``x''_beta = (v_beta . omega_gamma) + omega_beta``; each stream's second
    half scales the other stream and shifts its own.
    """
    return v_self * omega_other + omega_self


def film_fusion(x_gamma_aligned: torch.Tensor, x_beta_aligned: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 7: ``O = [x''_gamma; x''_beta]`` in ``R^{D_m}`` from Eqs. 5-6."""
    v_gamma, omega_gamma = film_split(x_gamma_aligned)
    v_beta, omega_beta = film_split(x_beta_aligned)
    return torch.cat([film_reconstruct(v_gamma, omega_gamma, omega_beta),
                      film_reconstruct(v_beta, omega_beta, omega_gamma)], dim=-1)


class DimensionAlignment(nn.Module):
    """dual_stream_caf Eq. 2: ``x'_gamma = FC_1(x_gamma)``, ``x'_beta = FC_2(x_beta)``, both to ``D_m``."""

    def __init__(self, dim_gamma: int, dim_beta: int, dim: int):
        super().__init__()
        self.fc_gamma, self.fc_beta = nn.Linear(dim_gamma, dim), nn.Linear(dim_beta, dim)

    def forward(self, x_gamma: torch.Tensor, x_beta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.fc_gamma(x_gamma), self.fc_beta(x_beta)


class AlignedFusion(nn.Module):
    """Eq. 2 alignment followed by one of the printed SUM (Eq. 3), CON (Eq. 4) or FiLM (Eqs. 5-7) fusions."""

    OPERATIONS = {"sum": sum_fusion, "con": concat_fusion, "film": film_fusion}

    def __init__(self, kind: str, dim_gamma: int, dim_beta: int, dim: int = DEFAULT_FUSION_DIM):
        super().__init__()
        if kind not in self.OPERATIONS:
            raise KeyError(f"unknown aligned fusion {kind!r}; choose one of {sorted(self.OPERATIONS)}")
        if kind == "film" and dim % 2:
            raise ValueError(f"FiLM needs an even fusion_dim (Eq. 5 halves it), got {dim}")
        self.kind, self.align = kind, DimensionAlignment(dim_gamma, dim_beta, dim)
        self.out_dim = 2 * dim if kind == "con" else dim

    def forward(self, x_gamma: torch.Tensor, x_beta: torch.Tensor, **_) -> torch.Tensor:
        return self.OPERATIONS[self.kind](*self.align(x_gamma, x_beta))


def caf_keys(x_gamma: torch.Tensor, x_beta: torch.Tensor, fc_k1: nn.Linear, fc_k2: nn.Linear):
    """dual_stream_caf Eq. 16: ``K_1 = FC_k1(x_gamma)``, ``K_2 = FC_k2(x_beta)``, both ``(B_s, D_3)``."""
    return fc_k1(x_gamma), fc_k2(x_beta)


def caf_value(x_gamma: torch.Tensor, x_beta: torch.Tensor, fc_v: nn.Linear) -> torch.Tensor:
    """dual_stream_caf Eq. 17: ``V = FC_v([x_gamma; x_beta])`` in ``R^{B_s x D_3}``.

    Eqs. 18-20 use only FC_v's weights, never V itself: V is computed here
    for completeness and does not enter the output (as in the public code).
    """
    return fc_v(torch.cat([x_gamma, x_beta], dim=-1))


def caf_split_value_parameters(fc_v: nn.Linear, dim_gamma: int, bias_split: str = "half"):
    """dual_stream_caf Eq. 18: ``W_FCv = [W^gamma, W^beta]`` (columns D_1 | D_2) and ``b_FCv = [b^gamma; b^beta]``.

    The printed bias split is impossible as written: ``b_FCv in R^{D_3}`` is
    split into ``b^gamma in R^{D_3}`` and ``b^beta in R^{D_3}``. Two readings
    (switch ``bias_split``): ``"half"`` (default) ``b^gamma = b^beta = b_FCv / 2``,
    the only split whose parts add up to ``b_FCv`` (also what the public code
    does); ``"full"``: each branch gets all of ``b_FCv``.
    """
    if bias_split not in CAF_BIAS_SPLITS:
        raise ValueError(f"caf_bias must be one of {CAF_BIAS_SPLITS}, got {bias_split!r}")
    weight_gamma, weight_beta = fc_v.weight[:, :dim_gamma], fc_v.weight[:, dim_gamma:]
    bias = fc_v.bias / 2 if bias_split == "half" else fc_v.bias
    return (weight_gamma, bias), (weight_beta, bias)


def caf_attention_score(query: torch.Tensor, key: torch.Tensor, weight: torch.Tensor,
                        bias: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 19: ``f_CAttention(Q_i, K_i, W^j, b^j) = ((Q_i (W^j)^T) + b^j) + K_i``.

    Called a "cross-attention score", it is a linear map of one stream plus
    that stream's own key: no softmax, no product between the streams.
    """
    return query @ weight.T + bias + key


def caf_output(x_gamma: torch.Tensor, x_beta: torch.Tensor, keys, value_parameters) -> torch.Tensor:
    """dual_stream_caf Eq. 20: ``O = sum over (i, j) in {(1, gamma), (2, beta)} of f_CAttention(Q_i, K_i, W^j, b^j)``.

    ``Q_1 = x_gamma``, ``Q_2 = x_beta`` (Sec. 3.2: the encoder outputs are the queries).
    """
    (k_1, k_2), ((w_gamma, b_gamma), (w_beta, b_beta)) = keys, value_parameters
    return caf_attention_score(x_gamma, k_1, w_gamma, b_gamma) + caf_attention_score(x_beta, k_2, w_beta, b_beta)


class CAFusion(nn.Module):
    """dual_stream_caf Eqs. 16-20: the CAF module (Sec. 3.2) exactly as printed; see :func:`caf_closed_form`.

    ``dim`` is ``D_3``. Eq. 14 applies the softmax directly to the CAF output,
    so in the paper ``D_3`` is the number of classes and CAF is the output
    layer (``dim=None`` in the model config = that); another ``D_3`` adds a
    linear classifier after it.
    """

    def __init__(self, dim_gamma: int, dim_beta: int, dim: int, bias_split: str = "half"):
        super().__init__()
        if bias_split not in CAF_BIAS_SPLITS:
            raise ValueError(f"caf_bias must be one of {CAF_BIAS_SPLITS}, got {bias_split!r}")
        self.dim_gamma, self.bias_split, self.out_dim = dim_gamma, bias_split, dim
        self.fc_k1, self.fc_k2 = nn.Linear(dim_gamma, dim), nn.Linear(dim_beta, dim)
        self.fc_v = nn.Linear(dim_gamma + dim_beta, dim)

    def forward(self, x_gamma: torch.Tensor, x_beta: torch.Tensor, **_) -> torch.Tensor:
        keys = caf_keys(x_gamma, x_beta, self.fc_k1, self.fc_k2)
        return caf_output(x_gamma, x_beta, keys, caf_split_value_parameters(self.fc_v, self.dim_gamma,
                                                                            self.bias_split))


def caf_closed_form(caf: CAFusion) -> tuple[torch.Tensor, torch.Tensor]:
    """dual_stream_caf Eqs. 16-20 derived: ``O = W_eff [x_gamma; x_beta] + b_eff``, one affine map.

    Substituting Eq. 16 (``K_i = W_ki x + b_ki``) and Eq. 18 into Eqs. 19-20:
    ``O = x_gamma W^gamma^T + b^gamma + K_1 + x_beta W^beta^T + b^beta + K_2``, so
    ``W_eff = [W_k1 + W^gamma, W_k2 + W^beta]`` (``D_3 x (D_1 + D_2)``) and
    ``b_eff = b_k1 + b_k2 + c b_FCv`` with ``c = 1`` (bias split in halves) or
    ``c = 2`` (each branch adds all of it). Equivalently ``O = K_1 + K_2 + V``
    (+ ``b_FCv`` once more for ``"full"``): the printed CAF is ``CON`` followed
    by one linear layer, over-parameterised.
    """
    weight = torch.cat([caf.fc_k1.weight + caf.fc_v.weight[:, :caf.dim_gamma],
                        caf.fc_k2.weight + caf.fc_v.weight[:, caf.dim_gamma:]], dim=1)
    bias = caf.fc_k1.bias + caf.fc_k2.bias + (1.0 if caf.bias_split == "half" else 2.0) * caf.fc_v.bias
    return weight, bias


# --------------------------------------------------------------------------- attention (Eq. 15) and our variant
def scaled_dot_product_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                                 key_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """dual_stream_caf Eq. 15: ``Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V``.

    Shapes ``(..., L_q, d_k)``, ``(..., L_k, d_k)``, ``(..., L_k, d_v)``;
    ``key_mask (batch, L_k)`` bool (True = real) removes padded keys. Returns
    ``(output, weights)``. The printed CAF does not use it; :class:`CrossAttentionFusion` does.
    """
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    if key_mask is not None:
        mask = key_mask.bool().view(key_mask.shape[0], *([1] * (scores.dim() - 2)), key_mask.shape[-1])
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ value, weights


class CrossAttentionFusion(nn.Module):
    """OURS, not the paper's: a fusion that does what "cross-attention fusion" promises.

    Both streams are aligned to ``dim`` (Eq. 2, per frame for encoder B). The
    encoder-A vector is the query; encoder B's frames are keys and values;
    ``heads`` heads of Eq. 15 attention (padded frames masked) give an
    A-conditioned summary of B. Output ``[a + W_o attended; masked mean of
    B's aligned frames]`` (``2 dim``), so the model can fall back on plain pooling.
    """

    needs_sequence = True

    def __init__(self, dim_gamma: int, dim_beta: int, dim: int = DEFAULT_FUSION_DIM, heads: int = 4):
        super().__init__()
        if dim % heads:
            raise ValueError(f"xattn: fusion_dim {dim} must be divisible by heads {heads}")
        self.align = DimensionAlignment(dim_gamma, dim_beta, dim)
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.output = nn.Linear(dim, dim)
        self.heads, self.out_dim = heads, 2 * dim
        self.last_weights: torch.Tensor | None = None

    def forward(self, x_gamma: torch.Tensor, x_beta: torch.Tensor | None = None,
                beta_sequence: torch.Tensor | None = None, beta_mask: torch.Tensor | None = None) -> torch.Tensor:
        if beta_sequence is None:
            raise ValueError("xattn fusion needs encoder B's frame sequence (beta_sequence)")
        a, frames = self.align(x_gamma, beta_sequence)  # (batch, dim), (batch, frames, dim)
        batch, length, dim = frames.shape
        head_dim = dim // self.heads
        q = self.query(a).view(batch, 1, self.heads, head_dim).transpose(1, 2)
        k = self.key(frames).view(batch, length, self.heads, head_dim).transpose(1, 2)
        v = self.value(frames).view(batch, length, self.heads, head_dim).transpose(1, 2)
        attended, weights = scaled_dot_product_attention(q, k, v, beta_mask)
        self.last_weights = weights.detach()
        attended = self.output(attended.transpose(1, 2).reshape(batch, dim))
        return torch.cat([a + attended, masked_mean(frames, beta_mask)], dim=-1)


def build_fusion(kind: str, dim_gamma: int, dim_beta: int, n_classes: int, fusion_dim: int = DEFAULT_FUSION_DIM,
                 caf_dim: int | None = None, caf_bias: str = "half", xattn_heads: int = 4) -> nn.Module:
    """A fusion module by name (:data:`FUSIONS`); ``caf_dim=None`` makes CAF the output layer (``D_3 = n_classes``)."""
    if kind in AlignedFusion.OPERATIONS:
        return AlignedFusion(kind, dim_gamma, dim_beta, fusion_dim)
    if kind == "caf":
        return CAFusion(dim_gamma, dim_beta, n_classes if caf_dim is None else caf_dim, caf_bias)
    if kind == "xattn":
        return CrossAttentionFusion(dim_gamma, dim_beta, fusion_dim, xattn_heads)
    raise KeyError(f"unknown fusion {kind!r}; choose one of {FUSIONS}")


def emotion_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """dual_stream_caf Eq. 14: ``E_mo = softmax(f_CAF(x_gamma, x_beta))`` over the emotion classes."""
    return torch.softmax(logits, dim=-1)


# --------------------------------------------------------------------------- classifiers
def _unpack_dual(inputs):
    if not isinstance(inputs, (tuple, list)) or len(inputs) not in (2, 3):
        raise ValueError("dual_stream_caf expects a tuple (image, waveform) or (image, waveform, padding_mask), "
                         f"got {type(inputs).__name__}" + (f" of length {len(inputs)}"
                                                           if isinstance(inputs, (tuple, list)) else ""))
    image, waveform = inputs[0], inputs[1]
    mask = inputs[2] if len(inputs) == 3 else None
    if waveform.dim() != 2:
        raise ValueError(f"waveform must be (batch, samples), got {tuple(waveform.shape)}")
    if image.shape[0] != waveform.shape[0]:
        raise ValueError(f"image batch {image.shape[0]} differs from waveform batch {waveform.shape[0]}")
    return image, waveform, (None if mask is None else mask.bool())


def _stream_b_vectors(encoder: SpeechEncoder, waveform, mask):
    sequence, frame_mask = encoder(waveform, mask)
    return sequence, frame_mask, masked_mean(sequence, frame_mask)


def dual_stream_representation(encoder_a: nn.Module, encoder_b: SpeechEncoder, image: torch.Tensor,
                               waveform: torch.Tensor, padding_mask: torch.Tensor | None = None) -> dict:
    """dual_stream_caf Eq. 1: ``x_gamma = f_F1(x_i)``, ``x_beta = f_F2(x_i)``, two representations of one clip.

    Returns ``{"x_gamma": (batch, D_1), "x_beta": (batch, D_2) pooled,
    "beta_sequence": (batch, frames, D_2), "beta_mask": (batch, frames)}``.
    """
    sequence, frame_mask, pooled = _stream_b_vectors(encoder_b, waveform, padding_mask)
    return {"x_gamma": encoder_a(image), "x_beta": pooled, "beta_sequence": sequence, "beta_mask": frame_mask}


def logmel_image(waveform, config="dual_stream_caf", device=None) -> torch.Tensor:
    """dual_stream_caf Eq. 8: ``M = f_logMel(x_w)``, the ``(batch, 1, 224, 224)`` image encoder A reads.

    The front end of :mod:`serlib.features.logmel` (torch backend): Hann,
    FFT 2048, hop 512, 128 Mels, dB, bilinear resize to 224 x 224.
    """
    from ..features.logmel import logmel_torch

    return logmel_torch(waveform, config, device=device).unsqueeze(1)


class DualStreamClassifier(nn.Module):
    """dual_stream_caf Fig. 1: encoder A (Eqs. 8-11), encoder B (Eqs. 12-13), fusion and classifier (Eq. 14).

    ``forward((image, waveform[, padding_mask]))`` -> logits. Encoder B's
    frames are mean-pooled over real frames for the printed fusions; the
    ``xattn`` fusion reads the frames themselves. The head (dropout + linear)
    follows every fusion except a CAF of ``D_3 = n_classes`` (Eq. 14: softmax
    of the CAF output).
    """

    def __init__(self, encoder_a: nn.Module, encoder_b: SpeechEncoder, fusion: nn.Module, n_classes: int,
                 dropout: float = 0.5, labels: dict | None = None):
        super().__init__()
        self.encoder_a, self.encoder_b, self.fusion = encoder_a, encoder_b, fusion
        output_layer = isinstance(fusion, CAFusion) and fusion.out_dim == n_classes
        self.head = nn.Identity() if output_layer else MLPHead(fusion.out_dim, n_classes, dropout=dropout)
        self.labels = labels or {}

    @property
    def label(self) -> str:
        return self.labels.get("row", type(self).__name__)

    def forward(self, inputs) -> torch.Tensor:
        streams = dual_stream_representation(self.encoder_a, self.encoder_b, *_unpack_dual(inputs))
        if getattr(self.fusion, "needs_sequence", False):
            fused = self.fusion(**streams)
        else:
            fused = self.fusion(streams["x_gamma"], streams["x_beta"])
        return self.head(fused)


class SingleStreamClassifier(nn.Module):
    """dual_stream_caf Tables 1, 3, 5: a single-stream row, one encoder then dropout + linear.

    Encoder A reads the image ``(batch, 1, 224, 224)``; a speech encoder reads
    the waveform ``(batch, samples)`` or ``(waveform, padding_mask)`` and is
    mean-pooled over real frames.
    """

    def __init__(self, encoder: nn.Module, n_classes: int, dropout: float = 0.5, label: str = ""):
        super().__init__()
        self.encoder = encoder
        self.is_speech = isinstance(encoder, SpeechEncoder)
        dim = encoder.dim if self.is_speech else encoder.out_dim
        self.head = MLPHead(dim, n_classes, dropout=dropout)
        self.label = label

    def forward(self, inputs) -> torch.Tensor:
        if self.is_speech:
            waveform, mask = (inputs[0], inputs[1].bool()) if isinstance(inputs, (tuple, list)) else (inputs, None)
            _, _, pooled = _stream_b_vectors(self.encoder, waveform, mask)
            return self.head(pooled)
        if isinstance(inputs, (tuple, list)):
            raise ValueError(f"{type(self.encoder).__name__} single stream takes the image tensor, not a tuple")
        return self.head(self.encoder(inputs))


_A_OPTIONS = ("image_size", "sequence_axis", "input_norm", "dpcnn_filters", "textrcnn_embed", "textrcnn_hidden",
              "textrcnn_latent")


def _split_options(config: dict, allowed: tuple) -> dict:
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        raise KeyError(f"unknown dual_stream_caf option(s) {unknown}; accepted: {sorted(allowed)}")
    return {k: config[k] for k in _A_OPTIONS if k in config}


def _encoder_b(name: str, freeze_b: bool, options: dict | None) -> SpeechEncoder:
    if name not in ENCODER_NAMES:
        raise KeyError(f"unknown encoder_b {name!r}; choose one of {', '.join(ENCODER_NAMES)}")
    return build_speech_encoder(name, frozen=freeze_b, **(options or {}))


@register_model("dual_stream_caf", "dual_stream_caf: DPCNN/TextRCNN (log-Mel image) + speech encoder, "
                                   "SUM/CON/FiLM/CAF fusion or our cross-attention; input (image, waveform)")
def dual_stream_caf(n_classes: int, encoder_a: str = "dpcnn", encoder_b: str = "wakehubert_tiny",
                    fusion: str = "caf", freeze_b: bool = False, fusion_dim: int = DEFAULT_FUSION_DIM,
                    caf_dim: int | None = None, caf_bias: str = "half", xattn_heads: int = 4, dropout: float = 0.5,
                    encoder_b_options: dict | None = None, **config) -> DualStreamClassifier:
    """The dual-stream model; options as in the module docstring (``TINY_CONFIG`` for tests)."""
    a_options = _split_options(config, _A_OPTIONS)
    if fusion not in FUSIONS:
        raise KeyError(f"unknown fusion {fusion!r}; choose one of {FUSIONS}")
    stream_a = build_encoder_a(encoder_a, **a_options)
    stream_b = _encoder_b(encoder_b, freeze_b, encoder_b_options)
    fuse = build_fusion(fusion, stream_a.out_dim, stream_b.dim, n_classes, fusion_dim, caf_dim, caf_bias, xattn_heads)
    fusion_label = {"xattn": "cross-attention (ours, not in the paper)"}.get(fusion, fusion.upper()
                                                                             if fusion != "film" else "FiLM")
    row = f"{stream_b.label} + {STREAM_LABELS[encoder_a]}, {fusion_label}"
    return DualStreamClassifier(stream_a, stream_b, fuse, n_classes, dropout,
                                labels={"row": row, "encoder_a": encoder_a, "encoder_b": stream_b.label,
                                        "fusion": fusion_label})


@register_model("dual_stream_caf_single", "dual_stream_caf single stream: DPCNN, TextRCNN (image) or a speech "
                                          "encoder (waveform), then a linear classifier")
def dual_stream_caf_single(n_classes: int, encoder: str = "dpcnn", freeze: bool = False, dropout: float = 0.5,
                           encoder_b_options: dict | None = None, **config) -> SingleStreamClassifier:
    """One encoder of Tables 1, 3, 5 with a classifier: ``encoder`` in ``ENCODERS_A + ENCODER_NAMES``."""
    a_options = _split_options(config, _A_OPTIONS)
    if encoder in ENCODERS_A:
        return SingleStreamClassifier(build_encoder_a(encoder, **a_options), n_classes, dropout,
                                      STREAM_LABELS[encoder])
    if a_options:
        raise KeyError(f"options {sorted(a_options)} apply to encoder A only, not to {encoder!r}")
    stream = _encoder_b(encoder, freeze, encoder_b_options)
    return SingleStreamClassifier(stream, n_classes, dropout, stream.label)
