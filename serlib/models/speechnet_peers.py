"""The peer models of SpeechNet's Fig. 6 and Table 4, on the same 107-d fusion frame sequences.

Paper (speechnet, Sec. 5.3): "The peer methods include well-established models
such as LSTM [45], GRU [46], CNN [47], Transformer [48], U-Net [49], RBM
(Restricted Boltzmann machine) [50], Autoencoder [51], LSM (Liquid state
machine) [52], and TCN (Temporal convolutional network) [53]", and Table 4 adds
TIM-Net and CPAC. The paper gives no architecture, size or training detail for
any peer, and several citations are not SER models (U-Net [49] is a TTS model,
RBM [50] bandwidth extension, TCN [53] speech separation): each peer below is
the textbook form of its family at a moderate size, written down in its
docstring. CPAC has no reference and no description anywhere in the paper: it
is not built, and its Table 4 row is literature only
(:data:`serlib.experiments.speechnet_paper.PAPER_TABLE4`).

Every peer takes ``(batch, 1, 107, frames)`` (the ``fusion107_frames`` front
end) and returns logits ``(batch, n_classes)``, trained with cross-entropy by
:class:`serlib.train.Trainer` (the autoencoder adds its reconstruction error
through the trainer's model-loss hook). ``width`` scales every hidden size
(:data:`PEER_TINY_CONFIGS` for tests and quick mode).
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import (CausalConv1d, ConvBlock2d, MLPHead, PositionalEncoding, TemporalConvBlock, TransformerEncoderLayer,
                     scaled)
from .registry import register_model

N_FEATURES = 107
#: Registry name -> the paper's name of the peer (Fig. 6 / Table 4).
PEERS = {"peer_lstm": "LSTM", "peer_gru": "GRU", "peer_cnn": "CNN", "peer_transformer": "Transformer",
         "peer_unet": "U-Net", "peer_rbm": "RBM", "peer_autoencoder": "Autoencoder", "peer_lsm": "LSM",
         "peer_tcn": "TCN", "peer_timnet": "TIM-Net"}
#: Tiny configurations for tests and quick mode.
PEER_TINY_CONFIGS = {name: {"width": 0.125} for name in PEERS}
PEER_TINY_CONFIGS["peer_lsm"] = {"width": 0.125}
PEER_TINY_CONFIGS["peer_timnet"] = {"width": 0.125, "blocks": 3}
PEER_TINY_CONFIGS["peer_tcn"] = {"width": 0.125, "blocks": 2}


def frame_sequence(name: str, x: torch.Tensor, n_features: int) -> torch.Tensor:
    """``(batch, 1, n_features, frames)`` -> ``(batch, frames, n_features)``, with a clear error for other shapes."""
    if x.dim() != 4 or x.shape[1] != 1 or x.shape[2] != n_features:
        raise ValueError(f"{name}.forward: x must be (batch, 1, {n_features}, frames), got {tuple(x.shape)}")
    return x[:, 0].transpose(1, 2)


class RecurrentPeer(nn.Module):
    """LSTM [45] or GRU [46] peer: a 2-layer unidirectional recurrent network of 128 units over the frames.

    Sources: Wang et al., ICASSP 2020 (dual-sequence LSTM) and Rajamani et al.,
    ICASSP 2021 (attention-based GRU), cited as the paper's LSTM and GRU; we
    build the plain form of each (no dual sequence, no attention), the
    baseline the citation stands for. The last frame's output goes through
    dropout 0.5 to a linear classifier.
    """

    def __init__(self, n_classes: int, cell: str = "lstm", n_features: int = N_FEATURES, width: float = 1.0,
                 hidden: int = 128, layers: int = 2, dropout: float = 0.5):
        super().__init__()
        if cell not in ("lstm", "gru"):
            raise ValueError(f"RecurrentPeer: cell must be 'lstm' or 'gru', got {cell!r}")
        self.n_features = n_features
        recurrent = nn.LSTM if cell == "lstm" else nn.GRU
        size = scaled(hidden, width)
        self.rnn = recurrent(n_features, size, num_layers=layers, batch_first=True,
                             dropout=dropout if layers > 1 else 0.0)
        self.head = MLPHead(size, n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.rnn(frame_sequence(type(self).__name__, x, self.n_features))
        return self.head(outputs[:, -1])


class CNNPeer(nn.Module):
    """CNN [47] peer: three 3 x 3 convolution blocks (32, 64, 128 channels, BatchNorm, ReLU, 2 x 2 max pooling)
    over the (feature, frame) map, global average pooling, dropout 0.5, linear classifier.

    Source: Peng et al., ICASSP 2021 (multi-scale CNN and attention), cited as
    the paper's CNN; we build a plain single-scale CNN.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0,
                 channels: tuple[int, ...] = (32, 64, 128), dropout: float = 0.5):
        super().__init__()
        self.n_features = n_features
        blocks, previous = [], 1
        for out in channels:
            blocks.append(ConvBlock2d(previous, scaled(out, width)))
            previous = scaled(out, width)
        self.features = nn.Sequential(*blocks)
        self.head = MLPHead(previous, n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frame_sequence("CNNPeer", x, self.n_features)
        return self.head(self.features(x).mean(dim=(2, 3)))


class TransformerPeer(nn.Module):
    """Transformer [48] peer: linear embedding of each frame to 128, sinusoidal positions, two pre-norm encoder
    layers (4 heads of 32, FFN 256, dropout 0.1), mean over frames, dropout 0.5, linear classifier.

    Source: Zhang et al., IEEE TCSVT 2024 (Transformer-based multimodal
    perception), cited as the paper's Transformer; we build a plain encoder.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, dim: int = 128,
                 layers: int = 2, heads: int = 4, head_dim: int = 32, ffn_dim: int = 256, dropout: float = 0.5):
        super().__init__()
        self.n_features = n_features
        size = scaled(dim, width, minimum=2, multiple=2)
        self.embed = nn.Linear(n_features, size)
        self.positions = PositionalEncoding(size, 0.1)
        self.encoder = nn.Sequential(*[TransformerEncoderLayer(size, heads, scaled(head_dim, width),
                                                               scaled(ffn_dim, width), 0.1) for _ in range(layers)])
        self.norm = nn.LayerNorm(size)
        self.head = MLPHead(size, n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sequence = self.positions(self.embed(frame_sequence("TransformerPeer", x, self.n_features)))
        return self.head(self.norm(self.encoder(sequence)).mean(dim=1))


def _double_conv1d(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv1d(in_channels, out_channels, 3, padding=1), nn.BatchNorm1d(out_channels),
                         nn.ReLU(inplace=True), nn.Conv1d(out_channels, out_channels, 3, padding=1),
                         nn.BatchNorm1d(out_channels), nn.ReLU(inplace=True))


class UNetPeer(nn.Module):
    """U-Net [49] peer: a 1-D U-Net over the frames (Ronneberger et al., 2015, in one dimension).

    Two down steps (double 3-tap convolutions with BatchNorm and ReLU: 64,
    128 channels, then max pooling by 2), a 256-channel bottleneck, two up steps
    (transposed convolution by 2, concatenation with the skip connection,
    double convolution), global average pooling over frames, dropout 0.5,
    linear classifier. Source: Li et al., ICASSP 2022 (UNET-TTS), cited as the
    paper's U-Net; a U-Net classifier is our reading.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0,
                 channels: tuple[int, int, int] = (64, 128, 256), dropout: float = 0.5):
        super().__init__()
        self.n_features = n_features
        c1, c2, c3 = (scaled(c, width) for c in channels)
        self.down1, self.down2, self.bottom = _double_conv1d(n_features, c1), _double_conv1d(c1, c2), \
            _double_conv1d(c2, c3)
        self.up2, self.merge2 = nn.ConvTranspose1d(c3, c2, 2, stride=2), _double_conv1d(2 * c2, c2)
        self.up1, self.merge1 = nn.ConvTranspose1d(c2, c1, 2, stride=2), _double_conv1d(2 * c1, c1)
        self.head = MLPHead(c1, n_classes, None, dropout)

    @staticmethod
    def _match(upsampled: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        # Odd frame counts lose a frame in pooling; pad the upsampled map back to the skip's length.
        return F.pad(upsampled, (0, skip.shape[-1] - upsampled.shape[-1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sequence = frame_sequence("UNetPeer", x, self.n_features).transpose(1, 2)
        if sequence.shape[-1] < 4:
            raise ValueError(f"UNetPeer needs at least 4 frames, got {sequence.shape[-1]}")
        skip1 = self.down1(sequence)
        skip2 = self.down2(F.max_pool1d(skip1, 2))
        bottom = self.bottom(F.max_pool1d(skip2, 2))
        up2 = self.merge2(torch.cat([self._match(self.up2(bottom), skip2), skip2], dim=1))
        up1 = self.merge1(torch.cat([self._match(self.up1(up2), skip1), skip1], dim=1))
        return self.head(up1.mean(dim=2))


class RBMLayer(nn.Module):
    """Gaussian-Bernoulli restricted Boltzmann machine (Hinton, 2002; Gaussian visible units of unit variance).

    Energy ``E(v, h) = |v - b|^2 / 2 - c . h - v^T W h`` for real visible ``v``
    (standardised features, hence unit variance) and binary hidden ``h``:
    ``p(h = 1 | v) = sigmoid(c + v W)`` and ``p(v | h) = N(b + W h, I)``.
    ``forward(v)`` returns ``p(h = 1 | v)``, the layer's features (differentiable,
    so the RBM can be fine-tuned by back-propagation). :meth:`contrastive_divergence`
    is one CD-k step (k Gibbs steps, Hinton 2002) that updates ``W, b, c``
    in place without autograd.
    """

    def __init__(self, visible: int, hidden: int):
        super().__init__()
        self.weight = nn.Parameter(0.01 * torch.randn(visible, hidden))
        self.visible_bias = nn.Parameter(torch.zeros(visible))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(v @ self.weight + self.hidden_bias)

    def visible_mean(self, h: torch.Tensor) -> torch.Tensor:
        return h @ self.weight.T + self.visible_bias

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """``F(v) = |v - b|^2 / 2 - sum_j softplus(c_j + v W_j)``, per row of ``v``."""
        return 0.5 * ((v - self.visible_bias) ** 2).sum(-1) - F.softplus(v @ self.weight + self.hidden_bias).sum(-1)

    @torch.no_grad()
    def contrastive_divergence(self, v: torch.Tensor, lr: float = 1e-3, k: int = 1,
                               generator: torch.Generator | None = None) -> float:
        """One CD-k update on a batch ``v`` (rows = samples); returns the mean squared reconstruction error."""
        positive = self(v)
        h = torch.bernoulli(positive, generator=generator)
        sample = v
        for _ in range(k):
            sample = self.visible_mean(h) + torch.randn(v.shape, generator=generator, device=v.device)
            negative = self(sample)
            h = torch.bernoulli(negative, generator=generator)
        reconstruction = self.visible_mean(negative)
        rows = v.shape[0]
        self.weight += lr * (v.T @ positive - sample.T @ negative) / rows
        self.visible_bias += lr * (v - sample).mean(0)
        self.hidden_bias += lr * (positive - negative).mean(0)
        return float(((v - reconstruction) ** 2).mean())


class RBMPeer(nn.Module):
    """RBM [50] peer: a Gaussian-Bernoulli RBM of 256 hidden units on every frame, hidden probabilities averaged
    over frames, dropout 0.5, linear classifier.

    Source: Wang et al., IEEE SPL 2016 (recurrent temporal RBMs for bandwidth
    extension), cited as the paper's RBM; we build a frame-level RBM feature
    layer. Pre-training: :meth:`pretrain` runs CD-1 on the training frames
    (call it before :class:`~serlib.train.Trainer`, which then fine-tunes the
    whole network); without it the RBM layer is trained discriminatively
    from its random start. Pre-training is therefore optional and OFF unless
    the caller runs :meth:`pretrain` (the trainer has no pre-training stage);
    the experiment runner should say which it did.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, hidden: int = 256,
                 dropout: float = 0.5):
        super().__init__()
        self.n_features = n_features
        self.rbm = RBMLayer(n_features, scaled(hidden, width))
        self.head = MLPHead(self.rbm.hidden_bias.numel(), n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rbm(frame_sequence("RBMPeer", x, self.n_features)).mean(dim=1))

    def pretrain(self, x: torch.Tensor, epochs: int = 5, lr: float = 1e-3, batch_size: int = 1024,
                 seed: int = 0) -> list[float]:
        """CD-1 pre-training on every frame of ``x`` (batch, 1, features, frames); reconstruction error per epoch."""
        frames = frame_sequence("RBMPeer", torch.as_tensor(x, dtype=torch.float32), self.n_features)
        frames = frames.reshape(-1, self.n_features).to(self.rbm.weight.device)
        generator = torch.Generator(device=frames.device).manual_seed(seed)
        errors = []
        for _ in range(epochs):
            order = torch.randperm(frames.shape[0], generator=generator, device=frames.device)
            batches = [self.rbm.contrastive_divergence(frames[order[i:i + batch_size]], lr, 1, generator)
                       for i in range(0, frames.shape[0], batch_size)]
            errors.append(sum(batches) / len(batches))
        return errors


class AutoencoderPeer(nn.Module):
    """Autoencoder [51] peer: a frame-level autoencoder (107 -> 128 -> 64 -> 128 -> 107, ReLU) whose 64-d codes,
    averaged over frames, feed a linear classifier (dropout 0.5).

    Source: Deng et al., IEEE SPL 2014 (autoencoder-based domain adaptation for
    SER). Trained jointly: the loss is cross-entropy plus
    ``reconstruction_weight`` x the mean squared reconstruction error of the
    frames of the batch (set 0 for a purely discriminative encoder). The
    reconstruction term is remembered by ``forward`` in training mode and added
    by :meth:`loss` (the trainer's model-loss hook); validation losses are
    cross-entropy only.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, hidden: int = 128,
                 code: int = 64, reconstruction_weight: float = 1.0, dropout: float = 0.5):
        super().__init__()
        self.n_features, self.reconstruction_weight = n_features, reconstruction_weight
        hidden, code = scaled(hidden, width), scaled(code, width)
        self.encoder = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, code),
                                     nn.ReLU(inplace=True))
        self.decoder = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, n_features))
        self.head = MLPHead(code, n_classes, None, dropout)
        self._reconstruction_error: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frames = frame_sequence("AutoencoderPeer", x, self.n_features)
        codes = self.encoder(frames)
        if self.training and self.reconstruction_weight:
            self._reconstruction_error = F.mse_loss(self.decoder(codes), frames)
        return self.head(codes.mean(dim=1))

    def loss(self, logits: torch.Tensor, targets: torch.Tensor, class_weight: torch.Tensor | None = None
             ) -> torch.Tensor:
        total = F.cross_entropy(logits, targets, weight=class_weight)
        if self._reconstruction_error is not None:
            total = total + self.reconstruction_weight * self._reconstruction_error
            self._reconstruction_error = None
        return total


class LiquidStateMachine(nn.Module):
    """LSM [52] peer: a fixed random reservoir of 512 leaky integrate-and-fire neurons with a trained readout.

    Source: Lotfidereshgi and Gournay, ICASSP 2017 ("Biologically inspired
    speech emotion recognition": a liquid state machine with a trained
    readout). Reservoir (fixed, buffers, never trained): every frame ``x_t``
    drives the membranes ``V_t = decay V_{t-1} (1 - s_{t-1}) + W_in x_t + W_rec s_{t-1}``
    and a neuron spikes, ``s_t = [V_t > 1]``, then resets. ``W_in``: dense
    Gaussian, scaled by ``input_scale / sqrt(features)``; ``W_rec``: 10 %
    connectivity, 80 % excitatory and 20 % inhibitory neurons (Dale's law),
    scaled to spectral radius 0.9; ``decay = exp(-16 ms / 32 ms)`` for the
    fusion front end's 16 ms hop. Readout (trained): the firing rate and the
    mean membrane potential of every neuron over the utterance, standardised
    by a LayerNorm, then dropout 0.5 and a linear layer. The seed fixes the
    reservoir.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, neurons: int = 512,
                 connectivity: float = 0.1, excitatory: float = 0.8, spectral_radius: float = 0.9,
                 input_scale: float = 2.0, decay: float = math.exp(-16 / 32), seed: int = 0, dropout: float = 0.5):
        super().__init__()
        if not 0 < connectivity <= 1 or not 0 <= excitatory <= 1:
            raise ValueError(f"LiquidStateMachine: connectivity in (0, 1] and excitatory in [0, 1], got "
                             f"{connectivity}, {excitatory}")
        self.n_features, self.decay = n_features, decay
        size = scaled(neurons, width)
        generator = torch.Generator().manual_seed(seed)
        self.register_buffer("input_weight", torch.randn(n_features, size, generator=generator)
                             * input_scale / math.sqrt(n_features))
        mask = torch.rand(size, size, generator=generator) < connectivity
        sign = torch.where(torch.rand(size, generator=generator) < excitatory, 1.0, -1.0)
        recurrent = torch.rand(size, size, generator=generator) * mask * sign.unsqueeze(1)
        radius = torch.linalg.eigvals(recurrent).abs().max().real
        self.register_buffer("recurrent_weight", recurrent * (spectral_radius / radius if radius > 0 else 1.0))
        self.readout_norm = nn.LayerNorm(2 * size)
        self.head = MLPHead(2 * size, n_classes, None, dropout)

    @torch.no_grad()
    def reservoir_states(self, x: torch.Tensor) -> torch.Tensor:
        """Firing rates and mean membrane potentials ``(batch, 2 * neurons)`` of the fixed reservoir."""
        drive = frame_sequence("LiquidStateMachine", x, self.n_features) @ self.input_weight
        batch, frames, size = drive.shape
        potential = drive.new_zeros(batch, size)
        spikes = drive.new_zeros(batch, size)
        rate, membrane = drive.new_zeros(batch, size), drive.new_zeros(batch, size)
        for t in range(frames):
            potential = self.decay * potential * (1.0 - spikes) + drive[:, t] + spikes @ self.recurrent_weight
            spikes = (potential > 1.0).to(drive.dtype)
            rate += spikes
            membrane += potential
        return torch.cat([rate / frames, membrane / frames], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.readout_norm(self.reservoir_states(x)))


class TCNPeer(nn.Module):
    """TCN [53] peer: four residual blocks of dilated causal convolutions (Bai et al., 2018), 64 channels,
    kernel 3, dilations 1, 2, 4, 8 (receptive field 61 frames, about 1 s), the last frame's output through
    dropout 0.5 to a linear classifier.

    Source: Zhang et al., IEEE IoT J. 2024 (attention and TCN-WPE networks for
    speech separation), cited as the paper's TCN; the generic TCN is
    :class:`~serlib.models.layers.TemporalConvBlock`.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, channels: int = 64,
                 blocks: int = 4, kernel_size: int = 3, dropout: float = 0.5):
        super().__init__()
        self.n_features = n_features
        size = scaled(channels, width)
        self.blocks = nn.Sequential(*[TemporalConvBlock(n_features if i == 0 else size, size, kernel_size, 2 ** i, 0.1)
                                      for i in range(blocks)])
        self.head = MLPHead(size, n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sequence = frame_sequence("TCNPeer", x, self.n_features).transpose(1, 2)
        return self.head(self.blocks(sequence)[:, :, -1])


class TemporalAwareBlock(nn.Module):
    """TIM-Net's temporal-aware block (Ye et al., ICASSP 2023, Sec. 2.1), from its published description.

    Two rounds of [dilated causal convolution (kernel 2), BatchNorm, ReLU,
    spatial dropout], then a sigmoid gate that re-weights the block's input:
    ``F_j = F_{j-1} * sigmoid(conv path(F_{j-1}))``. ``(batch, channels, frames)`` in and out.
    """

    def __init__(self, channels: int, dilation: int, kernel_size: int = 2, dropout: float = 0.1):
        super().__init__()
        self.path = nn.Sequential(
            CausalConv1d(channels, channels, kernel_size, dilation), nn.BatchNorm1d(channels), nn.ReLU(inplace=True),
            nn.Dropout1d(dropout),
            CausalConv1d(channels, channels, kernel_size, dilation), nn.BatchNorm1d(channels), nn.ReLU(inplace=True),
            nn.Dropout1d(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.path(x))


class TIMNet(nn.Module):
    """TIM-Net peer: Ye et al., ICASSP 2023, "Temporal Modeling Matters: A Novel Temporal Emotional Modeling
    Approach for Speech Emotion Recognition" (arXiv 2211.08233), built from its published description.

    The paper's three parts: (1) temporal-aware blocks (:class:`TemporalAwareBlock`)
    with dilations 1, 2, 4, ... stacked so that block j sees a receptive field
    of about 2^j frames; (2) bi-directional temporal modelling: the sequence and
    its time reversal go through the SAME blocks and, at every block j, the two
    directions' outputs are added and averaged over time, ``g_j = mean_t(F_j^fwd + F_j^bwd)``;
    (3) multi-scale dynamic fusion: ``g = sum_j w_j g_j`` with learned weights
    ``w_j`` over the receptive-field scales (initialised 1/n), then a linear
    classifier. Published settings (the authors' README, found with the
    search tool): 39 kernels of size 2 in every convolution (for 39 MFCCs),
    dilation 2^(j-1) in block j, 8 blocks (10 for IEMOCAP) "to guarantee that
    the maximal receptive field covers the input sequences", spatial dropout
    0.1; trained with cross-entropy and label smoothing 0.1, Adam 1e-3, batch
    64, 500 epochs, 10-fold CV. Ours: a pointwise convolution from the 107
    fusion features to the published 39 channels, then the same blocks (8:
    receptive field 511 frames at kernel 2, covering a 2-s utterance of 126
    frames), dropout 0.5 before the classifier; the course trains every peer
    under the same protocol (plain cross-entropy). Written from the
    description, not from the authors' code.
    """

    def __init__(self, n_classes: int, n_features: int = N_FEATURES, width: float = 1.0, channels: int = 39,
                 blocks: int = 8, kernel_size: int = 2, block_dropout: float = 0.1, dropout: float = 0.5):
        super().__init__()
        if blocks < 1:
            raise ValueError(f"TIMNet: blocks must be >= 1, got {blocks}")
        self.n_features = n_features
        size = scaled(channels, width)
        self.input_projection = nn.Conv1d(n_features, size, 1)
        self.blocks = nn.ModuleList([TemporalAwareBlock(size, 2 ** j, kernel_size, block_dropout)
                                     for j in range(blocks)])
        self.scale_weights = nn.Parameter(torch.full((blocks,), 1.0 / blocks))
        self.head = MLPHead(size, n_classes, None, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sequence = self.input_projection(frame_sequence("TIMNet", x, self.n_features).transpose(1, 2))
        forward_path, backward_path = sequence, sequence.flip(-1)
        scales = []
        for block in self.blocks:
            forward_path, backward_path = block(forward_path), block(backward_path)
            scales.append((forward_path + backward_path).mean(dim=-1))
        fused = torch.einsum("j,jbc->bc", self.scale_weights, torch.stack(scales))
        return self.head(fused)


@register_model("peer_lstm", "SpeechNet peer: 2-layer LSTM (128) over the 107-d frames (speechnet Fig. 6)")
def peer_lstm(n_classes: int, **config) -> RecurrentPeer:
    return RecurrentPeer(n_classes, "lstm", **config)


@register_model("peer_gru", "SpeechNet peer: 2-layer GRU (128) over the 107-d frames (speechnet Fig. 6)")
def peer_gru(n_classes: int, **config) -> RecurrentPeer:
    return RecurrentPeer(n_classes, "gru", **config)


@register_model("peer_cnn", "SpeechNet peer: 3-block 2-D CNN over the 107 x frames map (speechnet Fig. 6)")
def peer_cnn(n_classes: int, **config) -> CNNPeer:
    return CNNPeer(n_classes, **config)


@register_model("peer_transformer", "SpeechNet peer: 2-layer Transformer encoder over the frames (speechnet Fig. 6)")
def peer_transformer(n_classes: int, **config) -> TransformerPeer:
    return TransformerPeer(n_classes, **config)


@register_model("peer_unet", "SpeechNet peer: 1-D U-Net over the frames + pooling (speechnet Fig. 6)")
def peer_unet(n_classes: int, **config) -> UNetPeer:
    return UNetPeer(n_classes, **config)


@register_model("peer_rbm", "SpeechNet peer: Gaussian-Bernoulli RBM on every frame, CD-1 pre-training available "
                            "(speechnet Fig. 6)")
def peer_rbm(n_classes: int, **config) -> RBMPeer:
    return RBMPeer(n_classes, **config)


@register_model("peer_autoencoder", "SpeechNet peer: frame autoencoder + classifier on the codes (speechnet Fig. 6)")
def peer_autoencoder(n_classes: int, **config) -> AutoencoderPeer:
    return AutoencoderPeer(n_classes, **config)


@register_model("peer_lsm", "SpeechNet peer: liquid state machine, fixed LIF reservoir + trained readout "
                            "(speechnet Fig. 6)")
def peer_lsm(n_classes: int, **config) -> LiquidStateMachine:
    return LiquidStateMachine(n_classes, **config)


@register_model("peer_tcn", "SpeechNet peer: temporal convolutional network, dilated causal blocks "
                            "(speechnet Fig. 6)")
def peer_tcn(n_classes: int, **config) -> TCNPeer:
    return TCNPeer(n_classes, **config)


@register_model("peer_timnet", "SpeechNet peer: TIM-Net (Ye et al., ICASSP 2023), temporal-aware bi-directional "
                               "multi-scale network (speechnet Table 4)")
def peer_timnet(n_classes: int, **config) -> TIMNet:
    return TIMNet(n_classes, **config)
