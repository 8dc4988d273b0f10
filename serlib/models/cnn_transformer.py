"""Parallel CNN + Transformer with cross-attention fusion (paper slug ``cnn_transformer``).

Paper: /work/shared/papers/002_657b3b22c5df9f79.txt, Section III-C (Eqs. 1-11)
and IV-A (Table I). One class, :class:`CNNTransformer`, configured by
``variant``:

* ``full``: CNN branch (four residual blocks, Eqs. 1-2) and Transformer branch
  (four encoder layers on the 2 x 4-pooled spectrogram, Eqs. 3-4) in
  parallel, cross-attention with the CNN vector as query and the Transformer
  sequence as keys and values (Eqs. 5-9), ``[f_cnn, f_fused]`` into one
  linear classifier (Eq. 10), trained with cross-entropy (Eq. 11);
* ``cnn_only``: the CNN vector alone into the classifier;
* ``transformer_only``: the Transformer sequence, averaged over time, alone;
* ``concat``: ``[f_cnn, mean_t f_transf]`` without cross-attention.

The paper runs none of the three ablation variants; they are the issue's
ablation (:data:`CNN_TRANSFORMER_VARIANTS`).

Sizes the paper does not give (channels, kernels, d_model, heads, FFN width)
are chosen in the :class:`CNNTransformer` docstring; ``benchmarks/
cnn_transformer_complexity.py`` reports the parameters, FLOPs and latency at
that size.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import PositionalEncoding, ResidualBlock2d, TransformerEncoderLayer, VectorToSequenceAttention
from .registry import register_model

#: cnn_transformer III-B: 48 kHz, 3-s clips, hop 256, 128 Mel bands -> 1 + 144000 // 256 frames (librosa center=True).
PAPER_N_MELS = 128
PAPER_FRAMES = 1 + 3 * 48000 // 256
#: The four ablation variants (the paper reports only ``full``).
CNN_TRANSFORMER_VARIANTS = {
    "full": "CNN + Transformer, cross-attention fusion (CNN vector as query), [f_cnn, f_fused] -> linear",
    "cnn_only": "CNN branch alone: f_cnn -> linear",
    "transformer_only": "Transformer branch alone: time-mean of f_transf -> linear",
    "concat": "both branches, [f_cnn, time-mean of f_transf] -> linear, no cross-attention",
}
#: A tiny configuration for tests and quick mode.
TINY_CONFIG = {"cnn_channels": (4, 4, 8, 8), "ffn_dim": 16, "transformer_layers": 1, "transformer_heads": 2,
               "cross_head_dim": 8}


# ----------------------------------------------------------------------------- the paper's equations
def residual_output(transformed: torch.Tensor, shortcut: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 1: ``y = ReLU(F(x) + x)``, with ``x`` through the downsampling shortcut.

    The paper writes ``+ x`` and then adds "a downsampling shortcut is introduced"
    to keep input and output sizes consistent: ``shortcut`` is ``x`` itself when
    the channel count does not change, else its 1 x 1 convolution + batch norm
    (:meth:`serlib.models.layers.ResidualBlock2d.shortcut`).
    """
    if transformed.shape != shortcut.shape:
        raise ValueError(f"residual_output: F(x) {tuple(transformed.shape)} and shortcut "
                         f"{tuple(shortcut.shape)} differ in shape")
    return F.relu(transformed + shortcut)


def residual_transform(block: ResidualBlock2d, x: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 2: ``F(x) = BN_2(Conv_2(ReLU(BN_1(Conv_1(x)))))``, written out on ``block``'s layers.

    Two 3 x 3 'same' convolutions (kernel size not given in the paper), batch
    norm after each, ReLU between them and none at the end, as the paper says.
    """
    return block.norm2(block.conv2(F.relu(block.norm1(block.conv1(x)))))


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 return_weights: bool = False):
    """cnn_transformer Eq. 3: ``Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V``.

    ``q`` ``(..., T_q, d_k)``, ``k`` ``(..., T_k, d_k)``, ``v`` ``(..., T_k, d_v)``;
    the softmax runs over the keys. Used by the tests to check the shared
    :class:`~serlib.models.layers.MultiHeadSelfAttention` head by head.
    """
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: shapes q {tuple(q.shape)}, k {tuple(k.shape)}, "
                         f"v {tuple(v.shape)} do not fit")
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    out = weights @ v
    return (out, weights) if return_weights else out


def feed_forward(x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
                 b2: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 4: ``FFN(x) = ReLU(x W_1 + b_1) W_2 + b_2`` (position-wise).

    ``w1`` is ``(d_model, d_ff)`` and ``w2`` ``(d_ff, d_model)``, as written in
    the paper (an ``nn.Linear`` stores the transposes).
    """
    return F.relu(x @ w1 + b1) @ w2 + b2


def cross_attention_projections(attention: VectorToSequenceAttention, f_cnn: torch.Tensor,
                                f_transf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """cnn_transformer Eqs. 5-7: ``Q = W_Q f_cnn``, ``K = W_K f_transf``, ``V = W_V f_transf`` (no bias).

    Returns ``Q (batch, d)``, ``K (batch, T, d)``, ``V (batch, T, d)`` with
    ``d = heads * head_dim`` (one head by default, as Eq. 8 is written).
    """
    return attention.query(f_cnn), attention.key(f_transf), attention.value(f_transf)


def cross_attention_weights(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 8: ``alpha = softmax(Q K^T / sqrt(d))`` over the T Transformer frames, ``(batch, T)``.

    One query (the CNN vector) per utterance, so alpha is one weight per frame.
    """
    return torch.softmax(torch.einsum("bd,btd->bt", q, k) / math.sqrt(q.shape[-1]), dim=-1)


def fused_features(alpha: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 9: ``f_fused = alpha . V``, the alpha-weighted sum of the value frames, ``(batch, d)``."""
    return torch.einsum("bt,btd->bd", alpha, v)


def classifier_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 10: ``y_hat = Softmax(W f_all + b)``.

    The model returns the logits ``W f_all + b``; the softmax is applied here
    (and inside the loss of Eq. 11, which takes logits for numerical stability).
    """
    return torch.softmax(logits, dim=-1)


def cross_entropy_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """cnn_transformer Eq. 11: ``L = -sum_i y_i log y_hat_i`` with one-hot ``y``, averaged over the batch.

    Equal to ``torch.nn.functional.cross_entropy(logits, target)``, the loss the
    course's Trainer uses for every model.
    """
    return -(F.log_softmax(logits, dim=-1).gather(1, target.view(-1, 1))).mean()


# ----------------------------------------------------------------------------- the model
def _pooled_size(size: int, pool: int, times: int) -> int:
    for _ in range(times):
        size = math.ceil(size / pool)
    return size


class CNNTransformer(nn.Module):
    """cnn_transformer Section III-C: parallel CNN and Transformer branches fused by cross-attention.

    Input ``(batch, 1, n_mels, frames)`` standardised log-Mel; output logits
    ``(batch, n_classes)``. ``forward(x, return_attention=True)`` also returns
    ``{"cross_attention": (batch, heads, T')}`` (the Eq. 8 weights over the
    T' = frames / 4 Transformer frames; variant ``full`` only).

    Decisions (Paper says / We do / Why):

    1. CNN branch. Paper: "four Residual Blocks", each F(x) two conv + BN (Eq. 2),
       "Subsequently, a pooling operation and a dropout layer are applied" and
       "Dropout layers with a dropout probability of 0.4 were added after each
       residual block". We do: channels 16-32-64-128 (``cnn_channels``), 3 x 3
       kernels, 1 x 1 conv + BN shortcut when the channel count changes, 2 x 2
       max pooling (ceil mode) and dropout 0.4 after every block. Why: channels
       and kernels are not given; doubling from 16 is the common ResNet-style
       progression and keeps the model light for 1440 clips.
    2. f_cnn. Paper: "The resulting feature map is then flattened into a global
       representation vector f_cnn in R^D", and IV-A: "A dummy forward pass was
       performed to initialize the dynamically-sized fully connected layer". We
       do: ``cnn_vector="flatten"`` (default): D = 128 x ceil(n_mels/16) x
       ceil(frames/16), so the model is built for one input size (``n_mels``,
       ``n_frames``, checked in forward); ``cnn_vector="gap"`` takes global
       average pooling instead (D = 128, any number of frames). Why: the
       paper's words; GAP is the switch because the flattened D (36 864 at paper
       size) dominates W_Q and the classifier.
    3. Transformer input. Paper: "the spectrogram tensor after a 2 x 4 pooling
       operation". We do: max pooling of 2 over Mel bands and 4 over frames, so
       a 128 x T spectrogram becomes T/4 tokens of 64 features, d_model = 64
       without an input projection. Why: the paper gives no d_model and no
       embedding; with 2 x 4 pooling the 64 pooled bands are the natural token.
       ``transformer_pool="avg"`` switches to average pooling.
    4. Encoder layers. Paper: four layers of multi-head self-attention (Eq. 3)
       and a ReLU FFN (Eq. 4). We do: 4 pre-norm layers of the shared
       :class:`TransformerEncoderLayer`, 4 heads of 16 (= d_model / 4), FFN 512,
       dropout 0.1 inside the encoder, then a final LayerNorm. Why: heads and
       FFN width are not given; 4 heads and FFN = 8 d_model are the usual
       ratios; pre-norm trains without warm-up under the paper's plain SGD.
    5. Positional encoding. Paper: none mentioned. We do: sinusoidal encoding
       added to the tokens (``positional_encoding=True``; ``False`` drops it).
       Why: without it the encoder and the attention pooling ignore frame order,
       which contradicts "temporal context modeling"; a switch because a
       literal reading has none.
    6. Cross-attention. Paper Eqs. 5-9 with one d and "sqrt(d)". We do: bias-free
       W_Q (D -> d), W_K, W_V (64 -> d), d = 64, one head (``cross_heads``,
       ``cross_head_dim``), no output projection, f_fused = alpha V (d-dim).
    7. Classifier. Paper Eq. 10: "f_cnn and f_fused are concatenated ... fed into
       a dynamically initialized linear layer". We do: dropout 0.4 then one
       Linear(D + d, n_classes); the softmax is in the loss (Eq. 11).
    """

    def __init__(self, n_classes: int, in_channels: int = 1, n_mels: int = PAPER_N_MELS,
                 n_frames: int | None = PAPER_FRAMES, variant: str = "full",
                 cnn_channels: tuple[int, ...] = (16, 32, 64, 128), kernel_size: int = 3, cnn_pool: int = 2,
                 cnn_vector: str = "flatten", dropout: float = 0.4, transformer_pool: str = "max",
                 transformer_pool_size: tuple[int, int] = (2, 4), transformer_layers: int = 4,
                 transformer_heads: int = 4, ffn_dim: int = 512, transformer_dropout: float = 0.1,
                 positional_encoding: bool = True, cross_heads: int = 1, cross_head_dim: int = 64):
        super().__init__()
        if variant not in CNN_TRANSFORMER_VARIANTS:
            raise ValueError(f"CNNTransformer: variant must be one of {list(CNN_TRANSFORMER_VARIANTS)}, "
                             f"got {variant!r}")
        if cnn_vector not in ("flatten", "gap"):
            raise ValueError(f"CNNTransformer: cnn_vector must be 'flatten' or 'gap', got {cnn_vector!r}")
        if transformer_pool not in ("max", "avg"):
            raise ValueError(f"CNNTransformer: transformer_pool must be 'max' or 'avg', got {transformer_pool!r}")
        if cnn_vector == "flatten" and variant != "transformer_only" and not n_frames:
            raise ValueError("CNNTransformer: cnn_vector='flatten' needs n_frames (the flattened size depends on "
                             "it); pass n_frames or use cnn_vector='gap'")
        if n_mels % transformer_pool_size[0]:
            raise ValueError(f"CNNTransformer: n_mels={n_mels} is not divisible by the Transformer's band pooling "
                             f"{transformer_pool_size[0]}")
        self.variant, self.in_channels, self.n_mels, self.n_frames = variant, in_channels, n_mels, n_frames
        self.cnn_vector = cnn_vector
        self.use_cnn = variant != "transformer_only"
        self.use_transformer = variant != "cnn_only"
        features = 0

        if self.use_cnn:
            blocks, previous = [], in_channels
            for channels in cnn_channels:
                blocks.append(ResidualBlock2d(previous, channels, kernel_size))
                previous = channels
            self.residual_blocks = nn.ModuleList(blocks)
            self.cnn_pool = nn.MaxPool2d(cnn_pool, ceil_mode=True)
            self.cnn_dropout = nn.Dropout(dropout)
            if cnn_vector == "flatten":
                depth = len(cnn_channels)
                self.cnn_dim = previous * _pooled_size(n_mels, cnn_pool, depth) * _pooled_size(n_frames, cnn_pool,
                                                                                                 depth)
            else:
                self.cnn_dim = previous
            features += self.cnn_dim

        if self.use_transformer:
            self.d_model = in_channels * n_mels // transformer_pool_size[0]
            if self.d_model % transformer_heads:
                raise ValueError(f"CNNTransformer: d_model={self.d_model} is not divisible by "
                                 f"transformer_heads={transformer_heads}")
            pool_cls = nn.MaxPool2d if transformer_pool == "max" else nn.AvgPool2d
            self.transformer_pool = pool_cls(tuple(transformer_pool_size), ceil_mode=True)
            self.positional_encoding = PositionalEncoding(self.d_model) if positional_encoding else nn.Identity()
            self.encoder = nn.Sequential(*[
                TransformerEncoderLayer(self.d_model, transformer_heads, self.d_model // transformer_heads, ffn_dim,
                                        transformer_dropout) for _ in range(transformer_layers)])
            self.encoder_norm = nn.LayerNorm(self.d_model)
            if variant == "full":
                self.cross_attention = VectorToSequenceAttention(self.cnn_dim, self.d_model, cross_heads,
                                                                 cross_head_dim)
                features += self.cross_attention.out_features
            else:
                features += self.d_model
        self.feature_dim = features
        self.classifier_dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(features, n_classes)

    def _check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.in_channels or x.shape[2] != self.n_mels:
            raise ValueError(f"CNNTransformer.forward: x must be (batch, {self.in_channels}, {self.n_mels}, frames), "
                             f"got {tuple(x.shape)}")
        if self.use_cnn and self.cnn_vector == "flatten" and x.shape[3] != self.n_frames:
            raise ValueError(f"CNNTransformer.forward: built for {self.n_frames} frames (cnn_vector='flatten'), "
                             f"got {x.shape[3]}; build with n_frames={x.shape[3]} or cnn_vector='gap'")

    def cnn_branch(self, x: torch.Tensor) -> torch.Tensor:
        """f_cnn ``(batch, D)``: residual blocks (Eqs. 1-2), each followed by pooling and dropout."""
        for block in self.residual_blocks:
            x = self.cnn_dropout(self.cnn_pool(block(x)))
        return x.flatten(1) if self.cnn_vector == "flatten" else x.mean(dim=(2, 3))

    def transformer_branch(self, x: torch.Tensor) -> torch.Tensor:
        """f_transf ``(batch, T', d_model)``: 2 x 4 pooling, the pooled frames as tokens, four encoder layers."""
        pooled = self.transformer_pool(x)
        tokens = pooled.permute(0, 3, 1, 2).flatten(2)
        return self.encoder_norm(self.encoder(self.positional_encoding(tokens)))

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        self._check_input(x)
        maps: dict[str, torch.Tensor] = {}
        parts = []
        f_cnn = self.cnn_branch(x) if self.use_cnn else None
        if f_cnn is not None:
            parts.append(f_cnn)
        if self.use_transformer:
            f_transf = self.transformer_branch(x)
            if self.variant == "full":
                f_fused, maps["cross_attention"] = self.cross_attention(f_cnn, f_transf)
                parts.append(f_fused)
            else:
                parts.append(f_transf.mean(dim=1))
        f_all = torch.cat(parts, dim=1)
        logits = self.classifier(self.classifier_dropout(f_all))
        return (logits, maps) if return_attention else logits


@register_model("cnn_transformer", "Parallel CNN + Transformer, cross-attention fusion (cnn_transformer); "
                                   "variant='full'|'cnn_only'|'transformer_only'|'concat'")
def cnn_transformer(n_classes: int, **config) -> CNNTransformer:
    return CNNTransformer(n_classes, **config)
