"""FLA-SER (paper slug ``fla_ser``): FCN + Bi-LSTM + DMP-Transformer + hierarchical attention.

Paper: /work/shared/papers/000_548756572ea6fcab.txt, Sections 2.2-2.3, Table 2
(architecture), Table 3 (ablation), Table 6 (complexity). The model and its
Table 3 ablation variants are one class configured by three switches
(``use_fcn``, ``use_dmp``, ``use_hier_attention``); :data:`FLA_SER_ABLATION`
maps Table 3's row names to those switches.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .layers import (ChannelAttention, DualTowerAlignment, MLPHead, PositionalEncoding, TemporalAttentionPooling,
                     TransformerEncoderLayer, scaled)
from .registry import register_model

#: fla_ser Eq. 3: frame shift a_2 = 10 ms; the default input is a 3-s utterance at that shift.
FRAME_SHIFT_SECONDS = 0.010
UTTERANCE_SECONDS = 3.0
DEFAULT_FRAMES = round(UTTERANCE_SECONDS / FRAME_SHIFT_SECONDS)
#: The paper never gives the number of Mel filters (Eq. 8 only says M must cover the emotion-sensitive bands).
DEFAULT_N_MELS = 64

#: Table 3 (Sec. 3.1, "Ablation study of FLA-SER components on RAVDESS"): each row adds one component.
FLA_SER_ABLATION: dict[str, dict[str, bool]] = {
    "Bi-LSTM": {"use_fcn": False, "use_dmp": False, "use_hier_attention": False},
    "+FCN": {"use_fcn": True, "use_dmp": False, "use_hier_attention": False},
    "+DMP": {"use_fcn": True, "use_dmp": True, "use_hier_attention": False},
    "+Hierarchical attention": {"use_fcn": True, "use_dmp": True, "use_hier_attention": True},
}
#: Short names accepted by ``fla_ser_ablation(variant=...)`` besides Table 3's row names.
ABLATION_ALIASES = {"bilstm": "Bi-LSTM", "+fcn": "+FCN", "+dmp": "+DMP", "+hier_attention": "+Hierarchical attention"}

#: Table 6 (Sec. 3.3, "Computational complexity and efficiency comparison"), the paper's own numbers.
#: Timings: NVIDIA GeForce RTX 4090 GPU + Intel Core i9-13900K (Sec. 3.3). The paper's first row reads
#: "Traditional ... LSTM" (split by the text extraction). Keys: serlib model names.
PAPER_TABLE6: dict[str, dict[str, float | str]] = {
    "lstm": {"row": "Traditional LSTM", "WA": 80.3, "ms_per_sample": 24.1, "params_M": 5.1, "GFLOPs": 1.2},
    "pure_fcn": {"row": "Pure FCN", "WA": 82.5, "ms_per_sample": 18.9, "params_M": 3.5, "GFLOPs": 2.5},
    "vgg3d": {"row": "3D-VGG", "WA": 75.8, "ms_per_sample": 32.7, "params_M": 12.8, "GFLOPs": 4.5},
    "fla_ser": {"row": "FLA-SER", "WA": 95.3, "ms_per_sample": 14.2, "params_M": 7.2, "GFLOPs": 3.1},
}

#: A tiny configuration for tests and quick mode (channels and widths / 8, one Transformer layer).
TINY_CONFIG = {"width": 0.125, "transformer_layers": 1}


def convolution_layer(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """fla_ser Eq. 10: ``Y[i,j,k] = sigma(sum_m sum_n W[m,n,k] . X[i+m, j+n, l] + b_k)``.

    A 2-D cross-correlation over (Mel band, frame) summed over input channels
    ``l``, plus a bias per output channel, through the activation sigma. Table 2
    names ReLU as sigma. We use 'same' zero padding (the paper gives stride 1
    and no padding; padding keeps the map size so that only the 2 x 2 pools
    reduce it, as Table 2's "Max pooling ... Dimensionality reduction" says).
    """
    if weight.dim() != 4 or weight.shape[-1] % 2 == 0 or weight.shape[-2] % 2 == 0:
        raise ValueError(f"convolution_layer: weight must be (out, in, M, N) with odd M, N, got {tuple(weight.shape)}")
    return F.relu(F.conv2d(x, weight, bias, padding=(weight.shape[-2] // 2, weight.shape[-1] // 2)))


def forget_gate(h_prev: torch.Tensor, x_t: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """fla_ser Eq. 11: ``f_t = sigma(W_f . [h_{t-1}, x_t] + b_f)``.

    ``weight`` is ``(hidden, hidden + inputs)`` acting on the splice of the
    previous hidden state and the current input (in that order, as written in
    the paper); :func:`lstm_forget_gate_parameters` extracts it from an
    ``nn.LSTM``. ``f_t = 1`` keeps the cell state, ``f_t = 0`` forgets it.
    """
    spliced = torch.cat([h_prev, x_t], dim=-1)
    if weight.shape[-1] != spliced.shape[-1]:
        raise ValueError(f"forget_gate: weight has {weight.shape[-1]} columns but [h_prev, x_t] has "
                         f"{spliced.shape[-1]} features")
    return torch.sigmoid(spliced @ weight.T + bias)


def lstm_forget_gate_parameters(lstm: nn.LSTM, layer: int = 0, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """``(W_f, b_f)`` of Eq. 11 from an ``nn.LSTM`` (PyTorch stacks gates as input, forget, cell, output)."""
    if layer >= lstm.num_layers or (reverse and not lstm.bidirectional):
        raise ValueError(f"lstm_forget_gate_parameters: no layer {layer}{' reverse' if reverse else ''} in {lstm}")
    suffix = f"l{layer}" + ("_reverse" if reverse else "")
    hidden = lstm.hidden_size
    rows = slice(hidden, 2 * hidden)
    w_ih, w_hh = getattr(lstm, f"weight_ih_{suffix}")[rows], getattr(lstm, f"weight_hh_{suffix}")[rows]
    bias = torch.zeros(hidden, dtype=w_ih.dtype, device=w_ih.device)
    if lstm.bias:
        bias = getattr(lstm, f"bias_ih_{suffix}")[rows] + getattr(lstm, f"bias_hh_{suffix}")[rows]
    return torch.cat([w_hh, w_ih], dim=1), bias


class FCNBackbone(nn.Module):
    """fla_ser Table 2 FCN backbone: three conv layers (Eq. 10) each followed by 2 x 2 max pooling.

    Returns the last feature map ``(batch, channels[-1], n_mels / 8, frames / 8)``
    (rounded up); global average pooling is left to the caller so that channel
    attention can act on the map first.
    """

    def __init__(self, in_channels: int = 1, channels: tuple[int, ...] = (64, 128, 256),
                 kernels: tuple[int, ...] = (3, 5, 3), batch_norm: bool = False):
        super().__init__()
        if len(channels) != len(kernels):
            raise ValueError(f"FCNBackbone: {len(channels)} channel sizes but {len(kernels)} kernel sizes")
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        previous = in_channels
        for out, kernel in zip(channels, kernels):
            if kernel % 2 == 0:
                raise ValueError(f"FCNBackbone: kernel sizes must be odd, got {kernel}")
            self.convs.append(nn.Conv2d(previous, out, kernel, padding=kernel // 2))
            self.norms.append(nn.BatchNorm2d(out) if batch_norm else nn.Identity())
            previous = out
        self.out_channels = previous
        self.pool = nn.MaxPool2d(2, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, norm in zip(self.convs, self.norms):
            if isinstance(norm, nn.Identity):
                x = convolution_layer(x, conv.weight, conv.bias)
            else:
                x = F.relu(norm(conv(x)))
            x = self.pool(x)
        return x


class DynamicMemoryPool(nn.Module):
    """fla_ser Sec. 2.3 dynamic memory pool: a sigmoid importance weight per frame gates the sequence.

    ``g_t = sigmoid(w . h_t + b)`` and ``m_t = g_t h_t``. Returns
    ``(gated sequence, gates (batch, frames))``.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, sequence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        gates = torch.sigmoid(self.score(sequence)).squeeze(-1)
        return sequence * gates.unsqueeze(-1), gates


class FLASER(nn.Module):
    """FLA-SER: FCN spatial branch, Bi-LSTM temporal branch with DMP-Transformer, hierarchical attention.

    Input ``(batch, channels, n_mels, frames)`` log-Mel; output logits ``(batch, n_classes)``.
    ``forward(x, return_attention=True)`` also returns a dict of the attention
    maps this configuration computes: ``temporal_attention`` (batch, frames),
    ``channel_attention`` (batch, fcn channels), ``dmp_gates`` (batch, frames),
    ``tower_weights`` (batch, 2, 2; row/column 0 = spatial, 1 = temporal).

    Where the paper is vague or contradicts itself (Paper says / We do / Why):

    1. LSTM input. Paper: "x_t is the input FV of the current moment t, i.e., the
       subframe Mel spectrum" (Eq. 11), and Table 3 starts from a "Bi-LSTM base"
       without the FCN. We do: the Bi-LSTM reads the Mel frames directly (one
       ``channels * n_mels`` vector per frame), in parallel with the FCN. Why:
       the paper's own words, and the ablation needs a Bi-LSTM that runs alone.
    2. LSTM size. Paper: "the 256-dimensional temporal features of the LSTM". We
       do: one bidirectional layer, 128 units per direction (2 x 128 = 256).
       Why: the number of layers is not given; one layer gives the 256-d.
    3. DMP and Transformer. Paper: "the input layer receives the timing FVs output
       from the Bi-LSTM. The DMP module processes them through a gated filtering
       mechanism ... sigmoid ... importance weight of each timing frame ... the
       filtered key memory units enter the Transformer", which "stitches the output
       into 256-dimensional global dependency features". We do: soft gating
       ``m_t = sigmoid(w . h_t + b) h_t`` of every Bi-LSTM frame, sinusoidal
       positional encoding, then the Transformer on the 256-wide sequence; the
       Transformer replaces the Bi-LSTM sequence in the temporal branch. Why: no
       keep ratio or threshold is given for "filtering", and a soft gate keeps
       the model differentiable; the Transformer's 256-d output is what is spliced.
    4. Heads. Paper (Table 2): "8 Heads", "Query/Key: 64", yet 256-d features.
       We do: 8 heads of 64 (inner width 512) projected back to 256, as in T5.
       Why: 8 x 64 = 512 differs from 256; this keeps both stated numbers.
    5. Transformer depth. Paper: not stated. We do: 6 layers (Vaswani et al.'s
       encoder depth), pre-norm, dropout 0.1, FFN 1024 with ReLU (Table 2). Why:
       the standard choice, and it puts the whole model within 15 % of the
       paper's 7.2 M parameters (Table 6; tested, and the benchmark reports ours).
    6. Channel attention. Paper (Fig. 6): "pooled by GAP ... a channel weight
       vector is generated via the FCL ... multiplied with the original features
       after Sigmoid activation". We do: squeeze-and-excitation on the last FCN
       map (bottleneck reduction 16), then GAP to the 256-d spatial vector. Why:
       that is SE attention; "FCL" does not say one layer or two, and the SE
       bottleneck is the standard form.
    7. Temporal attention. Paper: "The weights are generated by the dot product of
       the query vector and the features of each time step via Softmax". We do:
       a learned query, ``softmax_t(q . h_t / sqrt(d))``, weighted sum over frames
       of the temporal branch (DMP-Transformer output, or Bi-LSTM output when the
       DMP is off). Why: the literal reading; the 1/sqrt(d) scale is that of the
       "scaled dot product attention" the paper names for the Transformer (Sec. 2.3).
    8. Dual-tower alignment. Paper: "A dual-tower attention network ... the temporal
       and SF similarity matrices are calculated independently. The cross-modal
       weight matrix is generated by Softmax function to realize the dynamic
       coupling and weight allocation of the two types of features." We do: each
       modality's tower projects its pooled vector to query, key, value; tower m
       computes its own row of the 2 x 2 similarity matrix (its query against both
       keys); a row softmax gives the cross-modal weight matrix, and each vector
       is updated residually by the weighted values (:class:`DualTowerAlignment`).
       Why: the smallest reading that has two independent towers, similarity,
       a softmax weight matrix and feature coupling.
    9. Splice size. Paper: "maps the 256-dimensional temporal features of the LSTM
       with the 256-dimensional SFs ... and fuses them into a 480-dimensional
       vector". We do: splice 256 + 256 = 512, then a learned Linear(512, 480) +
       ReLU as the fused feature vector, then the classifier. Why: a splice of two
       256-d vectors is 512-d; a learned mapping keeps both of the paper's numbers.
    10. Not in Table 2: no batch normalisation in the FCN (``batch_norm=True`` adds
        it), ``padding='same'`` convolutions, dropout 0.3 before the fused layer
        and the classifier. Ablation variants without hierarchical attention use
        mean pooling over frames and no channel attention or towers.
    11. Input size. Paper: the Mel spectrum of Eqs. 7-8 with 30 ms / 10 ms frames
        (Eq. 3); the number of Mel filters is not given ("should cover emotionally
        sensitive frequency bands"). We do: ``n_mels=64`` by default (any value
        works) and any number of frames (a 3-s utterance is :data:`DEFAULT_FRAMES`).
        ``width`` scales every channel count and hidden size (``TINY_CONFIG`` for
        tests and quick mode); the paper size is ``width=1``.
    """

    def __init__(self, n_classes: int, in_channels: int = 1, n_mels: int = DEFAULT_N_MELS, width: float = 1.0,
                 use_fcn: bool = True, use_dmp: bool = True, use_hier_attention: bool = True,
                 fcn_channels: tuple[int, ...] = (64, 128, 256), fcn_kernels: tuple[int, ...] = (3, 5, 3),
                 batch_norm: bool = False, lstm_hidden: int = 128, lstm_layers: int = 1,
                 transformer_layers: int = 6, heads: int = 8, head_dim: int = 64, ffn_dim: int = 1024,
                 fused_dim: int | None = 480, channel_reduction: int | None = 16, dropout: float = 0.3,
                 transformer_dropout: float = 0.1):
        super().__init__()
        if n_mels < 1 or in_channels < 1:
            raise ValueError(f"FLASER: n_mels and in_channels must be >= 1, got {n_mels}, {in_channels}")
        if use_dmp and transformer_layers < 1:
            raise ValueError(f"FLASER: use_dmp needs transformer_layers >= 1, got {transformer_layers}")
        self.in_channels, self.n_mels = in_channels, n_mels
        self.use_fcn, self.use_dmp, self.use_hier_attention = use_fcn, use_dmp, use_hier_attention

        hidden = scaled(lstm_hidden, width)
        self.lstm = nn.LSTM(in_channels * n_mels, hidden, num_layers=lstm_layers, batch_first=True,
                            bidirectional=True)
        temporal_dim = 2 * hidden
        spliced = temporal_dim

        if use_dmp:
            self.memory_pool = DynamicMemoryPool(temporal_dim)
            self.positional_encoding = PositionalEncoding(temporal_dim, transformer_dropout)
            self.transformer = nn.Sequential(*[
                TransformerEncoderLayer(temporal_dim, heads, scaled(head_dim, width), scaled(ffn_dim, width),
                                        transformer_dropout)
                for _ in range(transformer_layers)])
            self.transformer_norm = nn.LayerNorm(temporal_dim)
        if use_hier_attention:
            self.temporal_attention = TemporalAttentionPooling(temporal_dim)
        if use_fcn:
            self.fcn = FCNBackbone(in_channels, tuple(scaled(c, width) for c in fcn_channels), fcn_kernels,
                                   batch_norm)
            spatial_dim = self.fcn.out_channels
            spliced += spatial_dim
            if use_hier_attention:
                self.channel_attention = ChannelAttention(spatial_dim, channel_reduction)
                self.towers = DualTowerAlignment(spatial_dim, temporal_dim, temporal_dim)
        self.spliced_dim = spliced
        self.head = MLPHead(spliced, n_classes, scaled(fused_dim, width) if fused_dim else None, dropout)

    def _check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.in_channels or x.shape[2] != self.n_mels:
            raise ValueError(f"FLASER.forward: x must be (batch, {self.in_channels}, {self.n_mels}, frames), "
                             f"got {tuple(x.shape)}")

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        self._check_input(x)
        maps: dict[str, torch.Tensor] = {}

        frames = x.permute(0, 3, 1, 2).flatten(2)
        sequence, _ = self.lstm(frames)
        if self.use_dmp:
            gated, maps["dmp_gates"] = self.memory_pool(sequence)
            sequence = self.transformer_norm(self.transformer(self.positional_encoding(gated)))
        if self.use_hier_attention:
            temporal, maps["temporal_attention"] = self.temporal_attention(sequence)
        else:
            temporal = sequence.mean(dim=1)

        if self.use_fcn:
            spatial_map = self.fcn(x)
            if self.use_hier_attention:
                spatial_map, maps["channel_attention"] = self.channel_attention(spatial_map)
            spatial = spatial_map.mean(dim=(2, 3))
            if self.use_hier_attention:
                spatial, temporal, maps["tower_weights"] = self.towers(spatial, temporal)
            features = torch.cat([spatial, temporal], dim=1)
        else:
            features = temporal

        logits = self.head(features)
        return (logits, maps) if return_attention else logits


@register_model("fla_ser", "FLA-SER: FCN + Bi-LSTM + DMP-Transformer + hierarchical attention (fla_ser)")
def fla_ser(n_classes: int, **config) -> FLASER:
    return FLASER(n_classes, **config)


def ablation_config(variant: str) -> dict[str, bool]:
    """The switches of one Table 3 row, by its row name or short alias (``bilstm``, ``+fcn``...)."""
    name = ABLATION_ALIASES.get(variant, variant)
    if name not in FLA_SER_ABLATION:
        raise KeyError(f"unknown FLA-SER ablation variant {variant!r}; use one of {list(FLA_SER_ABLATION)} "
                       f"or {list(ABLATION_ALIASES)}")
    return dict(FLA_SER_ABLATION[name])


@register_model("fla_ser_ablation", "FLA-SER Table 3 ablation variant (variant='Bi-LSTM', '+FCN', '+DMP', ...)")
def fla_ser_ablation(n_classes: int, variant: str = "Bi-LSTM", **config) -> FLASER:
    switches = ablation_config(variant)
    clash = sorted(set(switches) & set(config))
    if clash:
        raise ValueError(f"fla_ser_ablation: {clash} are set by variant={variant!r}; do not pass them too")
    return FLASER(n_classes, **switches, **config)
