"""Shared building blocks for the course's architectures.

Every block here is generic (no paper-specific sizes): convolution blocks,
squeeze-and-excitation channel attention, attention pooling over frames,
multi-head self-attention whose head size is independent of the model width,
a Transformer encoder layer, sinusoidal positional encoding, a dual-tower
cross-modal alignment of two feature vectors, and an MLP classifier head.
Modules that return attention weights return ``(output, weights)`` so a
notebook can plot them.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def sinusoidal_positional_encoding(length: int, dim: int, base: float = 10000.0) -> torch.Tensor:
    """Sinusoidal positional encoding of Vaswani et al. (2017, Sec. 3.5), shape ``(length, dim)``.

    ``PE[p, 2i] = sin(p / base^(2i/dim))`` and ``PE[p, 2i+1] = cos(p / base^(2i/dim))``.
    """
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    if dim < 2 or dim % 2:
        raise ValueError(f"dim must be an even number >= 2, got {dim}")
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    frequency = torch.exp(-math.log(base) * torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    encoding = torch.zeros(length, dim, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(position * frequency)
    encoding[:, 1::2] = torch.cos(position * frequency)
    return encoding.float()


class PositionalEncoding(nn.Module):
    """Adds the sinusoidal encoding to a ``(batch, frames, dim)`` sequence, for any number of frames."""

    def __init__(self, dim: int, dropout: float = 0.0):
        super().__init__()
        if dim < 2 or dim % 2:
            raise ValueError(f"PositionalEncoding: dim must be an even number >= 2, got {dim}")
        self.dim = dim
        self.dropout = nn.Dropout(dropout)
        self._cache: dict[tuple[int, torch.device, torch.dtype], torch.Tensor] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != self.dim:
            raise ValueError(f"PositionalEncoding expects (batch, frames, {self.dim}), got {tuple(x.shape)}")
        key = (x.shape[1], x.device, x.dtype)
        if key not in self._cache:
            self._cache[key] = sinusoidal_positional_encoding(x.shape[1], self.dim).to(x.device, x.dtype)
        return self.dropout(x + self._cache[key])


class ConvBlock2d(nn.Module):
    """Conv2d ('same' padding) -> optional BatchNorm -> ReLU -> optional max pooling.

    Pooling uses ``ceil_mode`` so that a map of odd or tiny size never shrinks to zero.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, pool: int | None = 2,
                 batch_norm: bool = True):
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"ConvBlock2d: kernel_size must be odd for 'same' padding, got {kernel_size}")
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.norm = nn.BatchNorm2d(out_channels) if batch_norm else nn.Identity()
        self.pool = nn.MaxPool2d(pool, ceil_mode=True) if pool else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.relu(self.norm(self.conv(x))))


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation channel attention (Hu et al., 2018).

    Global average pooling squeezes each channel to one number, a bottleneck of
    two fully connected layers (reduction ``reduction``; ``None`` = one layer)
    and a sigmoid give one weight per channel, which rescales the input map.
    Returns ``(rescaled map, weights (batch, channels))``.
    """

    def __init__(self, channels: int, reduction: int | None = 16):
        super().__init__()
        if reduction is None:
            self.excite = nn.Linear(channels, channels)
        else:
            hidden = max(1, channels // reduction)
            self.excite = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, channels))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if x.dim() < 3:
            raise ValueError(f"ChannelAttention expects (batch, channels, ...), got {tuple(x.shape)}")
        squeezed = x.flatten(2).mean(dim=2)
        weights = torch.sigmoid(self.excite(squeezed))
        return x * weights.view(*weights.shape, *([1] * (x.dim() - 2))), weights


class TemporalAttentionPooling(nn.Module):
    """Attention pooling over frames with a learned query vector.

    ``alpha_t = softmax_t(q . h_t / sqrt(dim))`` and the output is ``sum_t alpha_t h_t``.
    Returns ``(pooled (batch, dim), weights (batch, frames))``; the weights sum to 1.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.scale = 1.0 / math.sqrt(dim)

    def forward(self, sequence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if sequence.dim() != 3 or sequence.shape[-1] != self.query.numel():
            raise ValueError(f"TemporalAttentionPooling expects (batch, frames, {self.query.numel()}), "
                             f"got {tuple(sequence.shape)}")
        weights = torch.softmax(sequence @ self.query * self.scale, dim=1)
        return torch.einsum("bt,btd->bd", weights, sequence), weights


class MultiHeadSelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention with a head size independent of the model width.

    Queries, keys and values are projected from ``dim`` to ``heads * head_dim``
    and the concatenated heads back to ``dim`` (as in T5), so "8 heads of 64"
    can sit on a 256-wide sequence. The matrix products are written out (not
    ``scaled_dot_product_attention``) so the attention map can be returned.
    """

    def __init__(self, dim: int, heads: int = 8, head_dim: int = 64, dropout: float = 0.0):
        super().__init__()
        if heads < 1 or head_dim < 1:
            raise ValueError(f"MultiHeadSelfAttention: heads and head_dim must be >= 1, got {heads}, {head_dim}")
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.qkv = nn.Linear(dim, 3 * inner)
        self.out = nn.Linear(inner, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        batch, frames, _ = x.shape
        q, k, v = self.qkv(x).view(batch, frames, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        if not return_attention:
            # Same computation through PyTorch's fused kernel: several times faster on CPU and GPU.
            mixed = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout.p if self.training else 0.0)
            return self.out(mixed.transpose(1, 2).reshape(batch, frames, self.heads * self.head_dim))
        attention = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), dim=-1)
        mixed = (self.dropout(attention) @ v).transpose(1, 2).reshape(batch, frames, self.heads * self.head_dim)
        return self.out(mixed), attention


class TransformerEncoderLayer(nn.Module):
    """Pre-norm Transformer encoder layer: ``x + MHSA(LN(x))`` then ``x + FFN(LN(x))`` (ReLU FFN).

    Pre-norm (Xiong et al., 2020) is used because it trains stably without a
    learning-rate warm-up.
    """

    def __init__(self, dim: int, heads: int = 8, head_dim: int = 64, ffn_dim: int = 1024, dropout: float = 0.1):
        super().__init__()
        self.attention_norm = nn.LayerNorm(dim)
        # Dropout on the residual branches only (Vaswani et al. 2017, Sec. 5.4), not on the attention
        # probabilities: that keeps the fused attention kernel, 3-4x faster on CPU.
        self.attention = MultiHeadSelfAttention(dim, heads, head_dim, 0.0)
        self.ffn_norm = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                 nn.Linear(ffn_dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.attention_norm(x)))
        return x + self.dropout(self.ffn(self.ffn_norm(x)))


class DualTowerAlignment(nn.Module):
    """Cross-modal alignment of two feature vectors by a two-tower attention.

    Each tower (one per modality ``m`` in {a, b}) projects its own vector to a
    query ``q_m``, a key ``k_m`` and a value ``v_m`` of size ``align_dim``. The
    2 x 2 similarity matrix ``S[m, n] = q_m . k_n / sqrt(align_dim)`` (row ``m``
    computed by tower ``m`` alone) becomes the cross-modal weight matrix
    ``A = softmax(S)`` over each row, and each modality is updated residually:
    ``y_m = x_m + W_m sum_n A[m, n] v_n``. Returns ``(y_a, y_b, A (batch, 2, 2))``.
    """

    def __init__(self, dim_a: int, dim_b: int, align_dim: int):
        super().__init__()
        self.towers = nn.ModuleList([nn.Linear(dim, 3 * align_dim) for dim in (dim_a, dim_b)])
        self.outputs = nn.ModuleList([nn.Linear(align_dim, dim) for dim in (dim_a, dim_b)])
        self.scale = 1.0 / math.sqrt(align_dim)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        projected = [tower(x).chunk(3, dim=-1) for tower, x in zip(self.towers, (a, b))]
        queries = torch.stack([p[0] for p in projected], dim=1)
        keys = torch.stack([p[1] for p in projected], dim=1)
        values = torch.stack([p[2] for p in projected], dim=1)
        weights = torch.softmax(queries @ keys.transpose(1, 2) * self.scale, dim=-1)
        mixed = weights @ values
        return a + self.outputs[0](mixed[:, 0]), b + self.outputs[1](mixed[:, 1]), weights


class MLPHead(nn.Module):
    """Classifier head: dropout -> Linear(in, hidden) -> ReLU -> dropout -> Linear(hidden, n_classes).

    ``hidden=None`` gives a single linear layer after dropout.
    """

    def __init__(self, in_features: int, n_classes: int, hidden: int | None = None, dropout: float = 0.3):
        super().__init__()
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        if hidden is None:
            self.layers = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, n_classes))
        else:
            self.layers = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, hidden), nn.ReLU(inplace=True),
                                        nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def scaled(size: int, width: float, minimum: int = 1, multiple: int = 1) -> int:
    """``size * width`` rounded to a positive multiple of ``multiple`` (for width-scaled tiny models)."""
    if width <= 0:
        raise ValueError(f"width must be > 0, got {width}")
    return max(minimum, multiple * max(1, round(size * width / multiple)))


# --- cnn_transformer / wavelet_cnn_lstm (added by their work) ---

class ResidualBlock2d(nn.Module):
    """Residual unit of He et al. (2016): ``y = ReLU(F(x) + shortcut(x))``.

    ``F(x) = BN_2(Conv_2(ReLU(BN_1(Conv_1(x)))))`` with two 'same' convolutions
    of ``kernel_size``; the shortcut is the identity when the channel count is
    unchanged, else a 1 x 1 convolution with batch normalisation (the
    "downsampling shortcut" that keeps input and output sizes consistent).
    :meth:`transform` and :meth:`shortcut` expose the two paths so a paper's
    equations can be checked against them.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__()
        if kernel_size % 2 == 0 or kernel_size < 1:
            raise ValueError(f"ResidualBlock2d: kernel_size must be odd and >= 1, got {kernel_size}")
        if in_channels < 1 or out_channels < 1:
            raise ValueError(f"ResidualBlock2d: channel counts must be >= 1, got {in_channels}, {out_channels}")
        padding = kernel_size // 2
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, bias=False)
        self.norm1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size, padding=padding, bias=False)
        self.norm2 = nn.BatchNorm2d(out_channels)
        if in_channels == out_channels:
            self.projection = nn.Identity()
        else:
            self.projection = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                            nn.BatchNorm2d(out_channels))

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))

    def shortcut(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.transform(x) + self.shortcut(x))


class VectorToSequenceAttention(nn.Module):
    """Cross-attention of ONE query vector over a sequence (keys and values from the sequence).

    ``q = W_Q v`` (from the vector ``v``, ``(batch, query_dim)``), ``K = S W_K``
    and ``V = S W_V`` (from the sequence ``S``, ``(batch, frames, key_dim)``),
    all without bias; per head ``alpha = softmax_t(q . k_t / sqrt(head_dim))``
    and the output is ``sum_t alpha_t v_t``, heads concatenated to
    ``heads * head_dim`` features. There is no output projection. Returns
    ``(output (batch, heads * head_dim), weights (batch, heads, frames))``; the
    weights over frames sum to 1.
    """

    def __init__(self, query_dim: int, key_dim: int, heads: int = 1, head_dim: int = 64):
        super().__init__()
        if heads < 1 or head_dim < 1 or query_dim < 1 or key_dim < 1:
            raise ValueError(f"VectorToSequenceAttention: sizes must be >= 1, got query_dim={query_dim}, "
                             f"key_dim={key_dim}, heads={heads}, head_dim={head_dim}")
        self.heads, self.head_dim, self.key_dim = heads, head_dim, key_dim
        inner = heads * head_dim
        self.query = nn.Linear(query_dim, inner, bias=False)
        self.key = nn.Linear(key_dim, inner, bias=False)
        self.value = nn.Linear(key_dim, inner, bias=False)
        self.out_features = inner

    def forward(self, vector: torch.Tensor, sequence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if vector.dim() != 2 or sequence.dim() != 3 or sequence.shape[-1] != self.key_dim \
                or vector.shape[0] != sequence.shape[0]:
            raise ValueError(f"VectorToSequenceAttention expects vector (batch, {self.query.in_features}) and "
                             f"sequence (batch, frames, {self.key_dim}), got {tuple(vector.shape)} and "
                             f"{tuple(sequence.shape)}")
        batch, frames, _ = sequence.shape
        q = self.query(vector).view(batch, self.heads, 1, self.head_dim)
        k = self.key(sequence).view(batch, frames, self.heads, self.head_dim).transpose(1, 2)
        v = self.value(sequence).view(batch, frames, self.heads, self.head_dim).transpose(1, 2)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), dim=-1)
        mixed = (weights @ v).reshape(batch, self.heads * self.head_dim)
        return mixed, weights.squeeze(2)


def _adaptive_pool_size(length: int, pool: int, floor: int) -> int:
    # An axis is pooled only while the result keeps at least ``floor`` steps, so deep stacks of pools
    # never shrink a short input to nothing.
    return pool if length // pool >= floor else 1


class LocalFeatureLearningBlock(nn.Module):
    """Local feature learning block (LFLB, Zhao et al. 2019): convolution -> batch norm -> activation -> pooling.

    One class for 1-D (raw waveform, ``dims=1``: ``(batch, channels, samples)``)
    and 2-D input (images, ``dims=2``: ``(batch, channels, height, width)``).
    'same' padding (with ``dilation``), ``pooling`` "avg" or "max" of size
    ``pool`` on every axis (``None``/1: no pooling), activation "relu" or "elu".
    An axis is pooled only while at least ``pool_floor`` steps remain after it.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple = 3, dims: int = 2,
                 pool: int | None = 2, pooling: str = "avg", activation: str = "relu", dilation: int | tuple = 1,
                 pool_floor: int = 1):
        super().__init__()
        if dims not in (1, 2):
            raise ValueError(f"LocalFeatureLearningBlock: dims must be 1 or 2, got {dims}")
        if pooling not in ("avg", "max"):
            raise ValueError(f"LocalFeatureLearningBlock: pooling must be 'avg' or 'max', got {pooling!r}")
        if activation not in ("relu", "elu"):
            raise ValueError(f"LocalFeatureLearningBlock: activation must be 'relu' or 'elu', got {activation!r}")
        kernels = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
        dilations = (dilation,) * dims if isinstance(dilation, int) else tuple(dilation)
        if len(kernels) != dims or len(dilations) != dims or any(k % 2 == 0 or k < 1 for k in kernels):
            raise ValueError(f"LocalFeatureLearningBlock: need {dims} odd kernel sizes and dilations, got "
                             f"kernel_size={kernel_size}, dilation={dilation}")
        padding = tuple(d * (k // 2) for k, d in zip(kernels, dilations))
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.conv = conv(in_channels, out_channels, kernels, padding=padding, dilation=dilations, bias=False)
        self.norm = nn.BatchNorm1d(out_channels) if dims == 1 else nn.BatchNorm2d(out_channels)
        self.dims, self.pool, self.pooling, self.activation = dims, int(pool or 1), pooling, activation
        self.pool_floor = max(1, int(pool_floor))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != self.dims + 2:
            raise ValueError(f"LocalFeatureLearningBlock({self.dims}-D) expects a {self.dims + 2}-D input, "
                             f"got {tuple(x.shape)}")
        x = self.norm(self.conv(x))
        x = F.relu(x) if self.activation == "relu" else F.elu(x)
        if self.pool == 1:
            return x
        sizes = tuple(_adaptive_pool_size(n, self.pool, self.pool_floor) for n in x.shape[2:])
        if all(s == 1 for s in sizes):
            return x
        if self.dims == 1:
            pool_fn = F.avg_pool1d if self.pooling == "avg" else F.max_pool1d
        else:
            pool_fn = F.avg_pool2d if self.pooling == "avg" else F.max_pool2d
        return pool_fn(x, sizes, sizes, ceil_mode=True)


# --- speechnet (added by the speechnet work) ---

def squash(s: torch.Tensor, dim: int = -1, eps: float = 1e-8) -> torch.Tensor:
    """Capsule squashing of Sabour et al. (2017, Eq. 1): ``v = |s|^2 / (1 + |s|^2) * s / |s|``.

    Keeps the direction of ``s`` and maps its length into [0, 1), so a
    capsule's length can be read as the probability that its entity is present.
    ``eps`` keeps the gradient finite at ``s = 0``.
    """
    squared = (s * s).sum(dim=dim, keepdim=True)
    return s * (squared / (1.0 + squared)) / torch.sqrt(squared + eps)


class CausalConv1d(nn.Module):
    """1-D convolution over ``(batch, channels, frames)`` that sees only the present and the past.

    Left zero-padding of ``(kernel_size - 1) * dilation`` frames keeps the
    number of frames and makes output frame ``t`` depend on input frames
    ``<= t`` only (the dilated causal convolution of WaveNet and of TCNs).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, dilation: int = 1):
        super().__init__()
        if kernel_size < 1 or dilation < 1:
            raise ValueError(f"CausalConv1d: kernel_size and dilation must be >= 1, got {kernel_size}, {dilation}")
        self.left_padding = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (self.left_padding, 0)))


class TemporalConvBlock(nn.Module):
    """Residual block of a temporal convolutional network (Bai, Kolter and Koltun, 2018, Fig. 1b).

    Two dilated causal convolutions, each followed by BatchNorm (in place of
    the original's weight normalisation), ReLU and dropout; a 1 x 1
    convolution matches the channels of the residual path when they differ.
    ``(batch, in_channels, frames) -> (batch, out_channels, frames)``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, dilation: int = 1,
                 dropout: float = 0.1):
        super().__init__()
        self.path = nn.Sequential(
            CausalConv1d(in_channels, out_channels, kernel_size, dilation), nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True), nn.Dropout(dropout),
            CausalConv1d(out_channels, out_channels, kernel_size, dilation), nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.residual = nn.Conv1d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.path(x) + self.residual(x))


def keras_initialisation(module: nn.Module) -> nn.Module:
    """Re-initialise every Linear, Conv1d/2d, LSTM and GRU of ``module`` as Keras does by default.

    Keras (TensorFlow) defaults: Glorot-uniform kernels, zero biases, and for
    recurrent layers Glorot-uniform input kernels, orthogonal recurrent
    kernels (per gate) and zero biases with the LSTM forget-gate bias at 1
    (``unit_forget_bias``). PyTorch's defaults are smaller uniform ranges; a
    model described by a TensorFlow paper may depend on the difference.
    Returns ``module``.
    """
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, (nn.LSTM, nn.GRU)):
            gates = 4 if isinstance(layer, nn.LSTM) else 3
            with torch.no_grad():
                for name, parameter in layer.named_parameters():
                    if name.startswith("weight_ih"):
                        for gate in parameter.chunk(gates):
                            nn.init.xavier_uniform_(gate)
                    elif name.startswith("weight_hh"):
                        for gate in parameter.chunk(gates):
                            nn.init.orthogonal_(gate)
                    elif name.startswith("bias"):
                        nn.init.zeros_(parameter)
                        if gates == 4 and name.startswith("bias_ih"):
                            parameter[layer.hidden_size:2 * layer.hidden_size] = 1.0
    return module
