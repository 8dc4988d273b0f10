"""A small CNN on log-Mel: the course's first model, used to test the pipeline."""
from __future__ import annotations

import torch
from torch import nn

from .registry import register_model


class SmallCNN(nn.Module):
    """Three conv blocks (conv-BN-ReLU-pool), global average pooling, linear classifier."""

    def __init__(self, n_classes: int, in_channels: int = 1, width: int = 16, dropout: float = 0.2):
        super().__init__()
        blocks, channels = [], in_channels
        for out in (width, width * 2, width * 4):
            blocks += [nn.Conv2d(channels, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            channels = out
        self.features = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)
        return self.head(h.mean(dim=(2, 3)))


@register_model("small_cnn", "Small CNN on log-Mel (3 conv blocks + GAP), the course's first model")
def small_cnn(n_classes: int, **config) -> SmallCNN:
    return SmallCNN(n_classes, **config)
