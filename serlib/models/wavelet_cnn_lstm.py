"""Parallel CNN pipes + local feature learning blocks + LSTM (paper slug ``wavelet_cnn_lstm``).

Paper: /work/shared/papers/003_217c9afe3d17ccef.txt, Sections 3.2 and 3.5,
Table 3. One class, :class:`WaveletCNNLSTM`, for both input readings of the
paper (``dims=2``: the RGB wavelet-scaled spectrogram ``(batch, 3, H, W)``;
``dims=1``: the raw waveform ``(batch, 1, samples)``), with a switch for every
design claim the paper makes (pooling type, filters, LSTM size, number of
pipes, activation, Table 3 versus text). Registered as ``wavelet_cnn_lstm``
(2-D) and ``wavelet_cnn_lstm_1d``.
"""
from __future__ import annotations

import torch
from torch import nn

from .layers import LocalFeatureLearningBlock, MLPHead
from .registry import register_model

#: (kernel size, dilation along time) of pipe i: temporal receptive fields 3, 5, 9, 17, 33 steps, built from
#: the 3 x 3 and 5 x 5 kernels of Table 3 only.
PIPE_SPECS = ((3, 1), (5, 1), (5, 2), (5, 4), (5, 8))
#: Table 3 ("Proposed model configuration") and the text's alternative reading.
PAPER_TABLE3 = {"conv_layers": 9, "filters": 64, "simultaneous_pools": 5, "filter_sizes": (3, 5), "lstm_nodes": 100}
READINGS = {
    # Table 3: "No of simultaneous pools 5" read as five parallel pipes, each ending in its pool; LSTM 100.
    "table3": {"n_pipes": 5, "lstm_hidden": 100},
    # Text (Secs. 3.2, 3.2.2, abstract): "three different temporal resolutions", LSTM "64, 128, and 256 cells"
    # tested without saying which won: the middle value.
    "text": {"n_pipes": 3, "lstm_hidden": 128},
}
#: A tiny configuration for tests and quick mode.
TINY_CONFIG = {"filters": 4, "lstm_hidden": 6, "fc_dim": 8}


class WaveletCNNLSTM(nn.Module):
    """wavelet_cnn_lstm Section 3.2: parallel convolutional pipes, LFLBs, LSTM, FC 1024, softmax.

    Input ``(batch, 3, H, W)`` (``dims=2``, W = time) or ``(batch, 1, samples)``
    (``dims=1``); output logits ``(batch, n_classes)`` (softmax in the loss).

    Paper says / we do / why:

    1. Pipes. Text: "Parallel convolutional layers (PCL) separate the speech into
       three different temporal resolutions ... these three resolutions are then
       combined and fed through a sequence of LFLB units"; Table 3: "No of
       simultaneous pools 5". We do: ``reading="table3"`` (default) = five
       parallel pipes, ``"text"`` = three (``n_pipes`` overrides either, 1 gives
       the single-pipe network of Sec. 3.5's pooling test). Pipe i is an LFLB
       (conv, BN, activation, pool) with kernel and time dilation
       :data:`PIPE_SPECS`: receptive fields of 3, 5, 9, 17, 33 steps along time.
       The pipes' maps are concatenated along channels. Why: five pools side by
       side ("simultaneous") is the reading that also makes Table 3's nine
       convolutional layers come out as 5 pipes + 4 LFLBs; only 3 x 3 and 5 x 5
       kernels are allowed, so dilation gives the different temporal resolutions.
    2. LFLBs. Paper: "local feature learning blocks" of Zhao et al. (conv, BN,
       activation, pooling), "modified", and "outperforms other activation
       functions such as ELU". We do: ``n_conv_layers - n_pipes`` LFLBs (9 - 5 =
       4 by Table 3) of ``filters`` channels, kernels alternating 3 x 3 and
       5 x 5, ReLU (``activation="elu"`` is Zhao's original).
    3. Pooling. Paper: "average pooling outperformed maximum pooling". We do:
       ``pooling="avg"`` (``"max"`` is the switch), size 2 per axis in 2-D and
       4 in 1-D (``pool``; the paper gives none: 1-D needs more to bring 128 000
       samples to an LSTM-sized sequence), ceil mode, and an axis stops being
       pooled once fewer than ``pool_floor`` steps would remain.
    4. Filters. Table 3: 64 (``filters``; the claim "64 and 128 beat 256" is
       the experiment ``filters in {64, 128, 256}``).
    5. LSTM. Table 3: "LSTM Layer Nodes 100"; text: "a single unidirectional
       LSTM unit", tested "with 64, 128, and 256 cells". We do: one
       unidirectional layer of ``lstm_hidden`` (100 by Table 3) over the time
       axis of the last map (features = channels x remaining height in 2-D, so
       a 2-D model is built for one ``image_height``, 128 for ``wavelet_rgb``);
       its last output (``summary="last"``; ``"mean"`` averages over time) feeds
       the classifier. ``forward(x, lengths=...)`` takes the output at the last
       step that holds signal instead (1-D padding), see :meth:`forward`.
    6. Classifier. Paper: "LSTM layer, FC layer and SoftMax layer", "1024 units
       for the FC layer". We do: Linear(lstm_hidden, 1024), ReLU, Linear(1024,
       n_classes) (:class:`MLPHead`), dropout ``dropout`` (0: none is mentioned).
    7. Input pooling (OURS, not the paper's): ``input_pool=k`` averages the input
       over k x k pixels (k samples in 1-D) before the pipes, so a reduced CPU
       profile can run the same network on a 64 x 64 view of the 128 x 128 image
       at a quarter of the cost; 1 (default) is the paper's network.
    """

    def __init__(self, n_classes: int, in_channels: int | None = None, dims: int = 2, reading: str = "table3",
                 n_pipes: int | None = None, n_conv_layers: int = PAPER_TABLE3["conv_layers"],
                 filters: int = PAPER_TABLE3["filters"], lflb_kernels: tuple[int, ...] = (3, 5),
                 pooling: str = "avg", pool: int | None = None, pool_floor: int = 2, activation: str = "relu",
                 lstm_hidden: int | None = None, summary: str = "last", fc_dim: int = 1024, dropout: float = 0.0,
                 image_height: int | None = 128, input_pool: int = 1):
        super().__init__()
        if reading not in READINGS:
            raise ValueError(f"WaveletCNNLSTM: reading must be one of {list(READINGS)}, got {reading!r}")
        if dims not in (1, 2):
            raise ValueError(f"WaveletCNNLSTM: dims must be 1 (waveform) or 2 (image), got {dims}")
        if summary not in ("last", "mean"):
            raise ValueError(f"WaveletCNNLSTM: summary must be 'last' or 'mean', got {summary!r}")
        preset = READINGS[reading]
        n_pipes = preset["n_pipes"] if n_pipes is None else n_pipes
        lstm_hidden = preset["lstm_hidden"] if lstm_hidden is None else lstm_hidden
        if not 1 <= n_pipes <= len(PIPE_SPECS):
            raise ValueError(f"WaveletCNNLSTM: n_pipes must be in 1..{len(PIPE_SPECS)}, got {n_pipes}")
        if n_conv_layers < n_pipes:
            raise ValueError(f"WaveletCNNLSTM: n_conv_layers={n_conv_layers} is fewer than n_pipes={n_pipes}")
        if not isinstance(input_pool, int) or input_pool < 1:
            raise ValueError(f"WaveletCNNLSTM: input_pool must be a positive integer, got {input_pool!r}")
        self.dims = dims
        self.input_pool = input_pool
        pool_cls = nn.AvgPool2d if dims == 2 else nn.AvgPool1d
        self.input_pooling = pool_cls(input_pool) if input_pool > 1 else nn.Identity()
        self.in_channels = in_channels if in_channels is not None else (3 if dims == 2 else 1)
        pool = pool if pool is not None else (2 if dims == 2 else 4)
        self.n_pipes, self.lstm_hidden, self.summary = n_pipes, lstm_hidden, summary
        common = {"dims": dims, "pool": pool, "pooling": pooling, "activation": activation, "pool_floor": pool_floor}

        def time_dilation(d: int):
            return d if dims == 1 else (1, d)

        self.pipes = nn.ModuleList([
            LocalFeatureLearningBlock(self.in_channels, filters, kernel, dilation=time_dilation(dilation), **common)
            for kernel, dilation in PIPE_SPECS[:n_pipes]])
        blocks, previous = [], n_pipes * filters
        for j in range(n_conv_layers - n_pipes):
            blocks.append(LocalFeatureLearningBlock(previous, filters, lflb_kernels[j % len(lflb_kernels)], **common))
            previous = filters
        self.lflbs = nn.Sequential(*blocks)
        self.out_channels = previous
        self.pool, self.pool_floor = pool, pool_floor
        self.image_height = image_height if dims == 2 else None
        if dims == 2:
            if not image_height or image_height < 1:
                raise ValueError(f"WaveletCNNLSTM: a 2-D model needs image_height >= 1 (the LSTM's input size "
                                 f"depends on it), got {image_height}")
            if image_height // input_pool < 1:
                raise ValueError(f"WaveletCNNLSTM: input_pool={input_pool} leaves no rows of image_height="
                                 f"{image_height}")
            lstm_input = previous * self.pooled_size(image_height // input_pool)
        else:
            lstm_input = previous
        self.lstm = nn.LSTM(lstm_input, lstm_hidden, batch_first=True)
        self.head = MLPHead(lstm_hidden, n_classes, fc_dim, dropout)

    def pooled_size(self, size: int) -> int:
        """Length of one axis after the pipes and every LFLB (the pooling rule of
        :class:`~serlib.models.layers.LocalFeatureLearningBlock`: ceil mode, an axis pooled while at least
        ``pool_floor`` steps remain)."""
        for _ in range(1 + len(self.lflbs)):
            if self.pool > 1 and size // self.pool >= self.pool_floor:
                size = -(-size // self.pool)
        return size

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The convolutional map: pipes side by side, concatenated, then the LFLBs."""
        x = self.input_pooling(x)
        return self.lflbs(torch.cat([pipe(x) for pipe in self.pipes], dim=1))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Logits; ``lengths`` (valid input steps per item, 1-D padding) picks the LSTM output at the last
        step computed from signal (``ceil(length * T' / T)``) instead of the final step."""
        wrong_height = self.dims == 2 and x.dim() == 4 and x.shape[2] != self.image_height
        if x.dim() != self.dims + 2 or x.shape[1] != self.in_channels or wrong_height:
            shape = ("(batch, 1, samples)" if self.dims == 1
                     else f"(batch, {self.in_channels}, {self.image_height}, width)")
            raise ValueError(f"WaveletCNNLSTM.forward: x must be {shape}, got {tuple(x.shape)}")
        maps = self.features(x)
        sequence = maps.transpose(1, 2) if self.dims == 1 else maps.permute(0, 3, 1, 2).flatten(2)
        outputs, _ = self.lstm(sequence)
        if self.summary == "mean":
            summary = outputs.mean(dim=1)
        elif lengths is not None:
            steps = torch.ceil(lengths.to(outputs.device).float() * outputs.shape[1] / x.shape[-1]).long()
            index = steps.clamp(1, outputs.shape[1]) - 1
            summary = outputs[torch.arange(outputs.shape[0], device=outputs.device), index]
        else:
            summary = outputs[:, -1]
        return self.head(summary)


@register_model("wavelet_cnn_lstm", "Parallel CNN pipes + LFLBs + LSTM on RGB wavelet images (wavelet_cnn_lstm); "
                                    "reading='table3'|'text', pooling, filters, lstm_hidden, n_pipes switches")
def wavelet_cnn_lstm(n_classes: int, **config) -> WaveletCNNLSTM:
    return WaveletCNNLSTM(n_classes, dims=2, **config)


@register_model("wavelet_cnn_lstm_1d", "The same blocks in 1-D on the raw 16 kHz waveform (wavelet_cnn_lstm)")
def wavelet_cnn_lstm_1d(n_classes: int, **config) -> WaveletCNNLSTM:
    return WaveletCNNLSTM(n_classes, dims=1, **config)
