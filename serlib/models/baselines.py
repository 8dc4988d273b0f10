"""The comparison models of the FLA-SER paper (fla_ser Sec. 3.1, Fig. 7-10, Table 6).

"it is compared with the traditional LSTM, pure FCN, and 3D-VGG SER models. All
comparison models are trained and evaluated under the exact same conditions and
hyperparameters" - and nothing more: the paper gives no architecture for any
of them. Our readings are in each class docstring. All three end in the same
classifier head as FLA-SER (dropout, Linear to 480, ReLU, dropout, Linear) so
that the comparison is about the feature extractor. Table 6's parameter counts
guided the default widths of the LSTM and 3D-VGG; the pure FCN is FLA-SER's own
backbone, whatever its size. The benchmark
``benchmarks/fla_ser_complexity.py`` measures ours next to the paper's.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .fla_ser import DEFAULT_N_MELS, TINY_CONFIG, FCNBackbone
from .layers import MLPHead, scaled
from .registry import register_model

#: Tiny configurations for tests and quick mode.
BASELINE_TINY_CONFIGS = {"lstm": {"width": 0.125, "layers": 1}, "pure_fcn": {"width": 0.125},
                         "vgg3d": {"width": 0.125}}
#: The tiny configuration of every model of the Table 6 comparison, FLA-SER included, by registry name.
TINY_CONFIGS = {"fla_ser": dict(TINY_CONFIG), "fla_ser_ablation": dict(TINY_CONFIG), **BASELINE_TINY_CONFIGS}


def _check_input(name: str, x: torch.Tensor, in_channels: int, n_mels: int) -> None:
    if x.dim() != 4 or x.shape[1] != in_channels or x.shape[2] != n_mels:
        raise ValueError(f"{name}.forward: x must be (batch, {in_channels}, {n_mels}, frames), got {tuple(x.shape)}")


class LSTMBaseline(nn.Module):
    """Traditional (unidirectional) LSTM over Mel frames; the last frame's output feeds the head.

    Our reading: "traditional" = unidirectional and without attention, against
    FLA-SER's Bi-LSTM. Three layers of 512 units: the paper gives no size, and
    this puts the model within 15 % of Table 6's 5.1 M parameters (tested).
    """

    def __init__(self, n_classes: int, in_channels: int = 1, n_mels: int = DEFAULT_N_MELS, width: float = 1.0,
                 hidden: int = 512, layers: int = 3, fused_dim: int | None = 480, dropout: float = 0.3):
        super().__init__()
        self.in_channels, self.n_mels = in_channels, n_mels
        size = scaled(hidden, width)
        self.lstm = nn.LSTM(in_channels * n_mels, size, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.head = MLPHead(size, n_classes, scaled(fused_dim, width) if fused_dim else None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input("LSTMBaseline", x, self.in_channels, self.n_mels)
        outputs, _ = self.lstm(x.permute(0, 3, 1, 2).flatten(2))
        return self.head(outputs[:, -1])


class PureFCN(nn.Module):
    """Pure FCN: FLA-SER's FCN backbone (Table 2: 3x3/64, 5x5/128, 3x3/256, 2x2 max pooling), GAP, head."""

    def __init__(self, n_classes: int, in_channels: int = 1, n_mels: int = DEFAULT_N_MELS, width: float = 1.0,
                 fcn_channels: tuple[int, ...] = (64, 128, 256), fcn_kernels: tuple[int, ...] = (3, 5, 3),
                 batch_norm: bool = False, fused_dim: int | None = 480, dropout: float = 0.3):
        super().__init__()
        self.in_channels, self.n_mels = in_channels, n_mels
        self.fcn = FCNBackbone(in_channels, tuple(scaled(c, width) for c in fcn_channels), fcn_kernels, batch_norm)
        self.head = MLPHead(self.fcn.out_channels, n_classes, scaled(fused_dim, width) if fused_dim else None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input("PureFCN", x, self.in_channels, self.n_mels)
        return self.head(self.fcn(x).mean(dim=(2, 3)))


def stack_time_chunks(x: torch.Tensor, chunk_frames: int, hop_frames: int) -> torch.Tensor:
    """Split ``(batch, channels, n_mels, frames)`` into overlapping time chunks stacked as a depth axis.

    Returns ``(batch, channels, n_chunks, n_mels, chunk_frames)``; the end is
    zero-padded so the last chunk is complete and an input shorter than one
    chunk gives one chunk. ``n_chunks = 1 + ceil(max(0, frames - chunk) / hop)``.
    """
    if chunk_frames < 1 or hop_frames < 1:
        raise ValueError(f"stack_time_chunks: chunk_frames and hop_frames must be >= 1, got {chunk_frames}, "
                         f"{hop_frames}")
    frames = x.shape[-1]
    n_chunks = 1 + math.ceil(max(0, frames - chunk_frames) / hop_frames)
    padded = chunk_frames + (n_chunks - 1) * hop_frames
    x = F.pad(x, (0, padded - frames))
    return x.unfold(3, chunk_frames, hop_frames).permute(0, 1, 3, 2, 4)


class VGG3D(nn.Module):
    """3D-VGG over a stack of overlapping spectro-temporal chunks.

    Our reading (the paper names "3D-VGG" only): the log-Mel is cut into
    overlapping time chunks (32 frames, hop 16) stacked along a depth axis
    (:func:`stack_time_chunks`), so a 3-D convolution sees (chunk index, Mel
    band, frame within chunk). VGG blocks of 3x3x3 convolutions with batch
    normalisation and ReLU (VGG-BN), widths 64-128-256-512 with 1, 1, 2, 2
    convolutions per block; max pooling 1x2x2 after the first block (keeping
    the chunk axis) and 2x2x2 after the others; global average pooling; head.
    These widths put the model within 15 % of Table 6's 12.8 M parameters (tested).
    """

    def __init__(self, n_classes: int, in_channels: int = 1, n_mels: int = DEFAULT_N_MELS, width: float = 1.0,
                 channels: tuple[int, ...] = (64, 128, 256, 512), convs_per_block: tuple[int, ...] = (1, 1, 2, 2),
                 chunk_frames: int = 32, hop_frames: int = 16, fused_dim: int | None = 480, dropout: float = 0.3):
        super().__init__()
        if len(channels) != len(convs_per_block):
            raise ValueError(f"VGG3D: {len(channels)} block widths but {len(convs_per_block)} conv counts")
        self.in_channels, self.n_mels = in_channels, n_mels
        self.chunk_frames, self.hop_frames = chunk_frames, hop_frames
        layers: list[nn.Module] = []
        previous = in_channels
        for block, (out, repeats) in enumerate(zip(channels, convs_per_block)):
            out = scaled(out, width)
            for _ in range(repeats):
                layers += [nn.Conv3d(previous, out, 3, padding=1), nn.BatchNorm3d(out), nn.ReLU(inplace=True)]
                previous = out
            layers.append(nn.MaxPool3d((1, 2, 2) if block == 0 else 2, ceil_mode=True))
        self.features = nn.Sequential(*layers)
        self.head = MLPHead(previous, n_classes, scaled(fused_dim, width) if fused_dim else None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input("VGG3D", x, self.in_channels, self.n_mels)
        volume = stack_time_chunks(x, self.chunk_frames, self.hop_frames)
        return self.head(self.features(volume).mean(dim=(2, 3, 4)))


@register_model("lstm", "Traditional LSTM over Mel frames (fla_ser comparison model)")
def lstm(n_classes: int, **config) -> LSTMBaseline:
    return LSTMBaseline(n_classes, **config)


@register_model("pure_fcn", "Pure FCN: FLA-SER's FCN backbone + GAP + head (fla_ser comparison model)")
def pure_fcn(n_classes: int, **config) -> PureFCN:
    return PureFCN(n_classes, **config)


@register_model("vgg3d", "3D-VGG over stacked overlapping log-Mel chunks (fla_ser comparison model)")
def vgg3d(n_classes: int, **config) -> VGG3D:
    return VGG3D(n_classes, **config)
