"""SpeechNet (paper slug ``speechnet``): information encoding, speech recall, speech attention,
signal refinement and speech routing, trained with the balanced margin loss.

Paper: /work/shared/papers/001_21a29205e08793bb.txt, Section 3.2 (Eqs. 7-14),
Section 3.3 (Eq. 15), Section 5.1 (training setup), Table 2 (ablation), and the
complexity paragraph of Section 6 ("approximately 9.5 million FLOPs ... 3.6 ms
per utterance ... ~8.3 million parameters").

Every module is one class configured by switches; :data:`SPEECHNET_ABLATION`
maps Table 2's row names to those switches and :data:`LOSS_VARIANTS` the three
losses compared by the course (balanced margin loss, plain margin loss,
cross-entropy). Every choice the paper leaves open is listed in the
:class:`SpeechNet` docstring with the paper's words beside it; those that could
change a result are switches, named there.

Data flow at the paper size (``input_mode="frames"``, 126 frames = 2 s at the
fusion front end's 16 ms hop, EmoDB's 7 classes)::

    (B, 1, 107, 126) -> frames (B, 126, 107) -> 64 time points (B, 64, 107)
      Eq. 7   information encoding, per time point    (B, 64, 128)
      Eq. 8   speech recall, LSTM 64                   (B, 64, 64)
      Eq. 9   pre-attention q/k/v + 4-head attention   (B, 64, 128)
      Eqs. 10-11 signal refinement, 64 kernels of 3    (B, 62, 64)
      dropout 0.5, blocks of d = 16                     (B, 248, 16)
      Eqs. 12-14 modified routing, 2 iterations        (B, 7, 16) -> lengths (B, 7)
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import keras_initialisation, scaled, squash
from .registry import register_model

#: Sec. 3.2: "two fully connected layers with n1 = 256 and n2 = 128 neurons".
ENCODING_DIMS = (256, 128)
#: Sec. 3.2: "The LSTM, with n3 = 64 cells".
LSTM_UNITS = 64
#: Sec. 3.2: "each block has a size of d = 16".
CAPSULE_DIM = 16
#: Sec. 5.1: "two dynamic routing iterations", "a dropout rate of 0.5".
ROUTING_ITERATIONS = 2
DROPOUT = 0.5
#: Sec. 3.3: "alpha_1 = alpha_2 = alpha_3 = 0.5".
BALANCED_MARGINS = (0.5, 0.5, 0.5)
#: Sabour et al. (2017, Eq. 4): m+ = 0.9, m- = 0.1, lambda = 0.5 (the plain capsule margin loss).
SABOUR_MARGINS = (0.9, 0.1, 0.5)
#: Keras's LeakyReLU default slope (the paper used TensorFlow and gives no slope).
LEAKY_SLOPE = 0.3

INPUT_MODES = ("frames", "vector")
INITIALISATIONS = ("keras", "torch")
ROUTINGS = ("modified", "standard")
COUPLING_AXES = ("outputs", "inputs")
LOSSES = ("balanced_margin", "margin", "cross_entropy")
CLASS_WEIGHT_MODES = ("class_column", "sample")

_SWITCHES = ("use_encoding", "use_recall", "use_pre_attention", "use_attention", "use_refinement", "use_routing",
             "routing")
_FULL = {"use_encoding": True, "use_recall": True, "use_pre_attention": True, "use_attention": True,
         "use_refinement": True, "use_routing": True, "routing": "modified"}

#: Table 2 ("Ablation study of the proposed SpeechNet model on the EmoDB dataset"): row name -> switches.
SPEECHNET_ABLATION: dict[str, dict] = {
    "SpeechNet w/o information coding": {**_FULL, "use_encoding": False},
    "SpeechNet w/o speech recall": {**_FULL, "use_recall": False},
    "SpeechNet w/o pre-attention": {**_FULL, "use_pre_attention": False},
    "SpeechNet w/o speech attention": {**_FULL, "use_attention": False, "use_pre_attention": False},
    "SpeechNet w/o speech signal refinement": {**_FULL, "use_refinement": False},
    "SpeechNet w/o speech routing": {**_FULL, "use_routing": False},
    "SpeechNet w/o modified speech routing": {**_FULL, "routing": "standard"},
    "SpeechNet": dict(_FULL),
}
#: Short names accepted by ``speechnet_ablation(variant=...)`` besides Table 2's row names.
ABLATION_ALIASES = {"no_encoding": "SpeechNet w/o information coding", "no_recall": "SpeechNet w/o speech recall",
                    "no_pre_attention": "SpeechNet w/o pre-attention",
                    "no_attention": "SpeechNet w/o speech attention",
                    "no_refinement": "SpeechNet w/o speech signal refinement",
                    "no_routing": "SpeechNet w/o speech routing",
                    "standard_routing": "SpeechNet w/o modified speech routing", "full": "SpeechNet"}
#: The loss comparison of the course (not a table of the paper): name -> config.
LOSS_VARIANTS: dict[str, dict] = {"balanced margin loss": {"loss": "balanced_margin"},
                                  "margin loss": {"loss": "margin"},
                                  "cross-entropy": {"loss": "cross_entropy"}}
#: A tiny configuration for tests and quick mode (widths / 4, 16 time points).
TINY_CONFIG = {"width": 0.25, "time_steps": 16}


# ----------------------------------------------------------------------------- Eq. 7
def information_encoding(x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor,
                         slope: float = LEAKY_SLOPE) -> torch.Tensor:
    """speechnet Eq. 7: ``h_c = f(W_2 f(W_1 x + b_1) + b_2)`` with ``f`` the LeakyReLU.

    ``x`` is ``(..., m)``, ``W_1`` is ``(n_1, m)``, ``W_2`` is ``(n_2, n_1)``;
    the "inverted pyramid" of the paper is ``n_1 = 256 > n_2 = 128``. The
    paper gives no LeakyReLU slope; we use Keras's default 0.3 (the paper used
    TensorFlow).
    """
    hidden = F.leaky_relu(F.linear(x, w1, b1), slope)
    return F.leaky_relu(F.linear(hidden, w2, b2), slope)


class InformationEncoding(nn.Module):
    """speechnet Eq. 7 as a module: two fully connected layers (256, 128), LeakyReLU after each."""

    def __init__(self, in_features: int, dims: tuple[int, int] = ENCODING_DIMS, slope: float = LEAKY_SLOPE):
        super().__init__()
        self.first = nn.Linear(in_features, dims[0])
        self.second = nn.Linear(dims[0], dims[1])
        self.slope = slope
        self.out_features = dims[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return information_encoding(x, self.first.weight, self.first.bias, self.second.weight, self.second.bias,
                                    self.slope)


def vector_to_sequence(vector: torch.Tensor, steps: int) -> torch.Tensor:
    """speechnet Section 3.2: a ``(batch, D)`` code as ``steps`` time points for the LSTM (our reading).

    Paper: "x in R^m is the input feature vector" (Eq. 7) yet "The LSTM ...
    produces hidden states h_t for time interval Delta T_3 = [t_1, ..., t_n3]"
    (Eq. 8): a vector must become a sequence, and the paper does not say how.
    We zero-pad ``D`` to a multiple of ``steps`` and cut it into ``steps``
    consecutive chunks: the 128-d code becomes 64 time points of 2 values
    (128 = 64 x 2, so the sequence has the n_3 = 64 time points of Eq. 8), and
    the raw 107-d vector (without information coding) becomes 64 x 2 with 21
    zeros. Returns ``(batch, steps, ceil(D / steps))``.
    """
    if vector.dim() != 2:
        raise ValueError(f"vector_to_sequence expects (batch, D), got {tuple(vector.shape)}")
    if steps < 1:
        raise ValueError(f"vector_to_sequence: steps must be >= 1, got {steps}")
    per_step = math.ceil(vector.shape[1] / steps)
    padded = F.pad(vector, (0, per_step * steps - vector.shape[1]))
    return padded.view(vector.shape[0], steps, per_step)


# ----------------------------------------------------------------------------- Eq. 8
class SpeechRecall(nn.Module):
    """speechnet Eq. 8: ``h_r = [h_t1, ..., h_tn3]``, every hidden state of an LSTM of n_3 = 64 cells.

    Paper: "h_t = LSTM(h_{t-1}, x_t)", "Collecting the outputs over all time
    points". One unidirectional layer (the paper says "an LSTM layer");
    ``(batch, steps, in) -> (batch, steps, units)``.
    """

    def __init__(self, in_features: int, units: int = LSTM_UNITS):
        super().__init__()
        self.lstm = nn.LSTM(in_features, units, batch_first=True)
        self.out_features = units

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        return self.lstm(sequence)[0]


# ----------------------------------------------------------------------------- Eq. 9
def attention_heads(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, return_weights: bool = False):
    """speechnet Eq. 9: ``head_i = softmax(q_i k_i^T / sqrt(d_k)) v_i`` and ``h_a = [head_1, ..., head_nh]``.

    ``q, k, v`` are ``(batch, heads, steps, d)``; returns ``h_a`` of shape
    ``(batch, steps, heads * d_v)``: the heads are concatenated and NOT
    projected back (Eq. 9 has no output matrix, and says
    ``h_a in R^{n3 x (d_h * n_h)}``). With ``return_weights`` also the
    attention maps ``(batch, heads, steps, steps)``.
    """
    batch, heads, steps, _ = q.shape
    if not return_weights:
        mixed = F.scaled_dot_product_attention(q, k, v)
        return mixed.transpose(1, 2).reshape(batch, steps, heads * v.shape[-1])
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    return (weights @ v).transpose(1, 2).reshape(batch, steps, heads * v.shape[-1]), weights


class SpeechAttention(nn.Module):
    """speechnet Eq. 9 module: pre-attention ``q, k, v = W_q h_r, W_k h_r, W_v h_r``, then multi-head attention.

    Paper: "three parallel auxiliary layers (Pre-attention) and Multi-head
    mechanism (MHA)", "W_q, W_k, W_v in R^{n_q x n_3}", "For each attention
    head i: q_i = W_q^i q, k_i = W_k^i k, v_i = W_v^i v". Sizes n_q, n_h and
    d_k are not given; we use n_q = 64 (= n_3), 4 heads of 32 (so
    ``h_a`` is 128 wide). The pre-projections are linear (no activation or
    bias is mentioned; we keep the biases Keras's Dense has by default).
    ``use_pre_attention=False`` (Table 2's "w/o pre-attention") feeds ``h_r``
    itself to the per-head projections.
    """

    def __init__(self, in_features: int, pre_dim: int = 64, heads: int = 4, head_dim: int = 32,
                 use_pre_attention: bool = True):
        super().__init__()
        if heads < 1 or head_dim < 1 or pre_dim < 1:
            raise ValueError(f"SpeechAttention: heads, head_dim and pre_dim must be >= 1, got {heads}, "
                             f"{head_dim}, {pre_dim}")
        self.heads, self.head_dim, self.use_pre_attention = heads, head_dim, use_pre_attention
        width = pre_dim if use_pre_attention else in_features
        if use_pre_attention:
            self.pre_query = nn.Linear(in_features, pre_dim)
            self.pre_key = nn.Linear(in_features, pre_dim)
            self.pre_value = nn.Linear(in_features, pre_dim)
        self.head_query = nn.Linear(width, heads * head_dim)
        self.head_key = nn.Linear(width, heads * head_dim)
        self.head_value = nn.Linear(width, heads * head_dim)
        self.out_features = heads * head_dim

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, steps, _ = x.shape
        return x.view(batch, steps, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, h_r: torch.Tensor, return_weights: bool = False):
        if self.use_pre_attention:
            q, k, v = self.pre_query(h_r), self.pre_key(h_r), self.pre_value(h_r)
        else:
            q = k = v = h_r
        return attention_heads(self._split(self.head_query(q)), self._split(self.head_key(k)),
                               self._split(self.head_value(v)), return_weights)


# ----------------------------------------------------------------------------- Eqs. 10-11
def signal_refinement(h_a: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """speechnet Eq. 10: ``h_s^j = g(w_s^j * h_a)`` for every kernel j, ``g`` the ReLU.

    ``h_a`` is ``(batch, steps, channels)``, ``weight`` ``(n_4, channels, k)``:
    each kernel spans all channels of ``h_a`` (the paper writes
    ``w_s^j in R^{k x 1}``, a kernel over time; a 1-D convolution over a
    multi-channel sequence, Keras's Conv1D, also sums over channels). No
    padding ("valid"): the output has ``steps - k + 1`` time points, as Eq. 11
    says. Returns ``(batch, n_4, steps - k + 1)``.
    """
    if weight.dim() != 3 or weight.shape[1] != h_a.shape[-1]:
        raise ValueError(f"signal_refinement: weight must be (n_4, {h_a.shape[-1]}, k), got {tuple(weight.shape)}")
    if h_a.shape[1] < weight.shape[-1]:
        raise ValueError(f"signal_refinement: {h_a.shape[1]} time points are fewer than the kernel size "
                         f"{weight.shape[-1]}")
    return F.relu(F.conv1d(h_a.transpose(1, 2), weight, bias))


class SignalRefinement(nn.Module):
    """speechnet Eq. 11: ``h_s = [h_s^1, ..., h_s^n4] in R^{(n3 - k + 1) x n4}``, the n_4 kernel outputs side by side.

    Paper: "uses convolutional layers", but Eqs. 10-11 describe one layer of
    n_4 kernels of length k; neither number is given. We use one layer of
    n_4 = 64 kernels of k = 3. ``(batch, steps, channels) -> (batch, steps - k + 1, n_4)``.
    """

    def __init__(self, in_features: int, filters: int = 64, kernel_size: int = 3):
        super().__init__()
        self.conv = nn.Conv1d(in_features, filters, kernel_size)
        self.kernel_size, self.out_features = kernel_size, filters

    def forward(self, h_a: torch.Tensor) -> torch.Tensor:
        return signal_refinement(h_a, self.conv.weight, self.conv.bias).transpose(1, 2)


# ----------------------------------------------------------------------------- Eqs. 12-14
def partition_blocks(h_s: torch.Tensor, d: int = CAPSULE_DIM) -> torch.Tensor:
    """speechnet Section 3.2: partition ``h_s`` into ``tau = ceil(size / d)`` blocks of ``d`` values (the capsules).

    Paper: "Modified dynamic routing firstly partitions h_s as
    tau = ceil((n3 - k + 1) x n4 / d) blocks u_1, ..., u_tau, where each block has
    a size of d = 16". The ceiling implies padding: we flatten ``h_s`` row by
    row (time point by time point) and zero-pad the end to ``tau * d``.
    Returns ``(batch, tau, d)``.
    """
    if d < 1:
        raise ValueError(f"partition_blocks: d must be >= 1, got {d}")
    flat = h_s.flatten(1)
    tau = math.ceil(flat.shape[1] / d)
    return F.pad(flat, (0, tau * d - flat.shape[1])).view(h_s.shape[0], tau, d)


def routing_similarity(predictions: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
    """speechnet Eq. 12: ``u_ij = a_ij . h_j``, the agreement of block i's prediction with output capsule j.

    ``predictions`` ``a_ij`` is ``(batch, tau, classes, d)``, ``outputs`` ``(batch, classes, d)``;
    returns ``(batch, tau, classes)``. Paper: "the importance score a_ij between
    blocks i and j is: a_ij = W_ij h_i, a_ij in R^{d x d}. The similarity u_ij
    is calculated as u_ij = a_ij . h_j". We read ``a_ij`` as the d-dimensional
    prediction of input block i for output capsule j (``W_ij in R^{d x d}``
    is the matrix; the product of a d x d matrix with a d-vector is a
    d-vector) and ``h_j`` as the current output capsule: the dot product is
    Sabour et al.'s agreement ``u_hat_j|i . v_j``.
    """
    return torch.einsum("bijd,bjd->bij", predictions, outputs)


def coupling_coefficients(similarity: torch.Tensor, axis: str = "outputs") -> torch.Tensor:
    """speechnet Eq. 13: ``c_ij = exp(u_ij) / sum_k exp(u_ik)``, a softmax of the similarities.

    Paper: the sum runs over ``k = 1 ... d``, the capsule size, which cannot
    normalise a score per pair of capsules (it does not type-check). We offer
    the two axes that can (switch ``coupling_axis``):
    ``"outputs"`` (default; Sabour et al.: each input block distributes
    itself over the output capsules, ``sum_j c_ij = 1``) and ``"inputs"``
    (each output capsule takes a convex combination of the blocks,
    ``sum_i c_ij = 1``). ``similarity`` is ``(batch, tau, classes)``.
    """
    if axis not in COUPLING_AXES:
        raise ValueError(f"coupling_coefficients: axis must be one of {COUPLING_AXES}, got {axis!r}")
    return torch.softmax(similarity, dim=2 if axis == "outputs" else 1)


def route_capsules(coupling: torch.Tensor, predictions: torch.Tensor, block_weights: torch.Tensor | None = None
                   ) -> torch.Tensor:
    """speechnet Eq. 14: ``v_j = squash(sum_i w_i c_ij a_ij)``, the output capsules.

    Paper: "v = sum_{i=1}^{n4} c_ij a_ij" (the sum runs over the input blocks;
    the paper's upper limit n_4 is the number of kernels, we sum over all tau
    blocks). The squash of Sabour et al. is not printed but is what makes a
    capsule's length a probability in [0, 1), which the margin loss of Eq. 15
    needs. ``block_weights`` ``w_i`` (batch, tau) are the modified routing's
    "dynamic weighting" (None = 1). Returns ``(batch, classes, d)``.
    """
    weighted = coupling if block_weights is None else coupling * block_weights.unsqueeze(-1)
    return squash(torch.einsum("bij,bijd->bjd", weighted, predictions))


class SpeechRouting(nn.Module):
    """speechnet Eqs. 12-14 module: capsule routing from tau input blocks to one output capsule per class.

    ``routing="modified"`` (default) is our reading of the paper's three
    differences from Sabour et al. ("adaptive block partitioning", "iterative
    similarity updating", "dynamic weighting"):

    1. blocks are cut from the refined feature map by :func:`partition_blocks`
       (both routings use them, so the ablation isolates the routing itself);
    2. the similarities are RECOMPUTED at every iteration from the current
       output capsules, ``u_ij^(r) = a_ij . v_j^(r-1)``, starting from
       ``v^(0) = squash(mean_i a_ij)``, instead of Sabour's logits that start at
       0 and ACCUMULATE (``b_ij += a_ij . v_j``);
    3. every block gets a learned, input-dependent weight
       ``w_i = sigmoid(g . u_i + b)`` in the sum of Eq. 14
       (``dynamic_weighting``; False removes it).

    ``routing="standard"`` is Sabour et al. (2017), Procedure 1. Both run
    ``iterations`` = 2 routing iterations (Sec. 5.1) and record the coupling
    coefficients of each. The transformation matrices ``W_ij`` are one
    ``d x d_out`` matrix per (block, class), Glorot-uniform over each matrix
    (``U(+-sqrt(6 / (d + d_out)))``, the Keras default).
    ``forward(blocks)`` returns ``(capsules (batch, classes, d_out), info)`` with
    ``info = {"coupling": [c^(1), c^(2)], "block_weights": w or None}``.
    """

    def __init__(self, blocks: int, n_classes: int, in_dim: int = CAPSULE_DIM, out_dim: int = CAPSULE_DIM,
                 routing: str = "modified", iterations: int = ROUTING_ITERATIONS, coupling_axis: str = "outputs",
                 dynamic_weighting: bool = True):
        super().__init__()
        if routing not in ROUTINGS:
            raise ValueError(f"SpeechRouting: routing must be one of {ROUTINGS}, got {routing!r}")
        if coupling_axis not in COUPLING_AXES:
            raise ValueError(f"SpeechRouting: coupling_axis must be one of {COUPLING_AXES}, got {coupling_axis!r}")
        if iterations < 1:
            raise ValueError(f"SpeechRouting: iterations must be >= 1, got {iterations}")
        self.routing, self.iterations, self.coupling_axis = routing, iterations, coupling_axis
        self.blocks, self.n_classes = blocks, n_classes
        bound = math.sqrt(6.0 / (in_dim + out_dim))
        self.weight = nn.Parameter(torch.empty(blocks, n_classes, out_dim, in_dim).uniform_(-bound, bound))
        self.block_gate = nn.Linear(in_dim, 1) if routing == "modified" and dynamic_weighting else None

    def forward(self, blocks: torch.Tensor) -> tuple[torch.Tensor, dict]:
        if blocks.dim() != 3 or blocks.shape[1] != self.blocks:
            raise ValueError(f"SpeechRouting expects (batch, {self.blocks}, d), got {tuple(blocks.shape)}")
        primary = squash(blocks)
        predictions = torch.einsum("ijed,bid->bije", self.weight, primary)
        couplings = []
        if self.routing == "standard":
            logits = predictions.new_zeros(predictions.shape[:3])
            for iteration in range(self.iterations):
                coupling = coupling_coefficients(logits, self.coupling_axis)
                couplings.append(coupling)
                capsules = route_capsules(coupling, predictions)
                if iteration < self.iterations - 1:
                    logits = logits + routing_similarity(predictions, capsules)
            return capsules, {"coupling": couplings, "block_weights": None}
        block_weights = torch.sigmoid(self.block_gate(primary)).squeeze(-1) if self.block_gate is not None else None
        capsules = squash(predictions.mean(dim=1))
        for _ in range(self.iterations):
            coupling = coupling_coefficients(routing_similarity(predictions, capsules), self.coupling_axis)
            couplings.append(coupling)
            capsules = route_capsules(coupling, predictions, block_weights)
        return capsules, {"coupling": couplings, "block_weights": block_weights}


# ----------------------------------------------------------------------------- Eq. 15
def balancing_factor(targets_one_hot: torch.Tensor) -> torch.Tensor:
    """speechnet Eq. 15: the balancing factor, per sample j,
    ``beta_j = max((1/C) sum_c (1 - y_jc + y_jc (C - 1)/C) / (1 - 1/C), 1)``.


    Computed as printed, one value per sample j (the formula reuses j, the
    class index of the loss, as a sample index). For a one-hot label it is
    the CONSTANT ``(C + 1) / C`` (8/7 for EmoDB's 7 classes): it rescales the
    loss but cannot balance classes; only the weights ``w_j`` can. Returns ``(batch,)``.
    """
    classes = targets_one_hot.shape[1]
    if classes < 2:
        raise ValueError(f"balancing_factor needs at least 2 classes, got {classes}")
    y = targets_one_hot.float()
    terms = (1.0 - y + y * (classes - 1) / classes) / (1.0 - 1.0 / classes)
    return terms.mean(dim=1).clamp(min=1.0)


def _one_hot(targets: torch.Tensor, classes: int) -> torch.Tensor:
    if targets.dim() == 1:
        if targets.numel() and (int(targets.min()) < 0 or int(targets.max()) >= classes):
            raise ValueError(f"targets hold class indices outside 0..{classes - 1}")
        return F.one_hot(targets.long(), classes).float()
    if targets.shape[1] != classes:
        raise ValueError(f"one-hot targets have {targets.shape[1]} columns but the scores have {classes}")
    return targets.float()


def _class_weight_matrix(one_hot: torch.Tensor, class_weight: torch.Tensor | None, mode: str) -> torch.Tensor:
    if mode not in CLASS_WEIGHT_MODES:
        raise ValueError(f"class_weight_mode must be one of {CLASS_WEIGHT_MODES}, got {mode!r}")
    if class_weight is None:
        return torch.ones_like(one_hot)
    weight = torch.as_tensor(class_weight, dtype=one_hot.dtype, device=one_hot.device)
    if weight.shape != (one_hot.shape[1],):
        raise ValueError(f"class_weight must have one value per class ({one_hot.shape[1]}), got {tuple(weight.shape)}")
    if mode == "class_column":
        return weight.expand_as(one_hot)
    return (one_hot @ weight).unsqueeze(1).expand_as(one_hot)


def margin_terms(lengths: torch.Tensor, one_hot: torch.Tensor, positive: float, negative: float,
                 down_weight: float) -> torch.Tensor:
    """The per (sample, class) capsule margin terms ``y max(0, m+ - l)^2 + lambda (1 - y) max(0, l - m-)^2``."""
    return (one_hot * F.relu(positive - lengths) ** 2
            + down_weight * (1.0 - one_hot) * F.relu(lengths - negative) ** 2)


def balanced_margin_loss(lengths: torch.Tensor, targets: torch.Tensor, class_weight: torch.Tensor | None = None,
                         alphas: tuple[float, float, float] = BALANCED_MARGINS,
                         class_weight_mode: str = "class_column") -> torch.Tensor:
    """speechnet Eq. 15: balanced margin loss,
    ``L = (1/N) sum_i sum_j w_j [y_ij max(0, a1 - y^_ij)^2 + a2 (1 - y_ij) max(0, y^_ij - a3)^2] beta``.


    ``lengths`` ``y^`` are the capsule lengths (batch, C) in [0, 1);
    ``targets`` class indices (batch,) or one-hot (batch, C). alpha_1 =
    alpha_2 = alpha_3 = 0.5 as printed (Sabour's margin loss uses 0.9 / 0.5 /
    0.1, see :func:`margin_loss`). ``beta`` is :func:`balancing_factor`, per
    sample. ``w_j``: "the sample weight", indexed by the class j of the inner
    sum. ``class_weight_mode="class_column"`` (default, as printed) weights
    column j by ``w_j``; ``"sample"`` weights the whole sample by the weight of
    its true class, as Keras's ``class_weight`` does. Without ``class_weight``
    every ``w_j = 1`` (Keras's default) and the two coincide.
    """
    one_hot = _one_hot(targets, lengths.shape[1])
    weights = _class_weight_matrix(one_hot, class_weight, class_weight_mode)
    first, down_weight, negative = alphas
    per_sample = (weights * margin_terms(lengths, one_hot, first, negative, down_weight)).sum(dim=1)
    return (per_sample * balancing_factor(one_hot)).mean()


def margin_loss(lengths: torch.Tensor, targets: torch.Tensor, class_weight: torch.Tensor | None = None,
                margins: tuple[float, float, float] = SABOUR_MARGINS) -> torch.Tensor:
    """Plain capsule margin loss of Sabour et al. (2017, Eq. 4): m+ = 0.9, m- = 0.1, lambda = 0.5, no beta.

    ``margins = (m+, m-, lambda)``; the mean over samples of the sum over
    classes; ``class_weight`` (per class, optional) weights each sample by its
    true class.
    """
    one_hot = _one_hot(targets, lengths.shape[1])
    positive, negative, down_weight = margins
    weights = _class_weight_matrix(one_hot, class_weight, "sample")
    return (weights * margin_terms(lengths, one_hot, positive, negative, down_weight)).sum(dim=1).mean()


def normalised_cross_entropy(scores: torch.Tensor, targets: torch.Tensor, class_weight: torch.Tensor | None = None,
                             eps: float = 1e-7) -> torch.Tensor:
    """Cross-entropy on non-negative scores normalised to sum 1, as Keras's ``categorical_crossentropy`` does.

    Keras, with ``from_logits=False``, divides the outputs by their sum and
    clips them to ``[eps, 1 - eps]`` before ``-sum y log p``; a capsule network
    compiled with cross-entropy thus minimises ``-log(l_y / sum_j l_j)`` of
    its capsule lengths. ``class_weight`` weights each sample by its true
    class (weighted mean, as ``nn.CrossEntropyLoss``).
    """
    if targets.dim() != 1:
        targets = targets.argmax(dim=1)
    probabilities = (scores / scores.sum(dim=1, keepdim=True).clamp(min=eps)).clamp(eps, 1.0 - eps)
    return F.nll_loss(torch.log(probabilities), targets.long(), weight=class_weight)


# ----------------------------------------------------------------------------- the model
class SpeechNet(nn.Module):
    """SpeechNet: information encoding -> speech recall -> speech attention -> signal refinement -> speech routing.

    Input: the 107-d fusion features as ``(batch, 1, 107, frames)`` (the
    registry's convention; the ``fusion107_frames`` front end, standardised per
    feature on the training subset), or utterance vectors ``(batch, 107)`` in
    ``input_mode="vector"``. Output: the capsule lengths ``(batch, n_classes)``
    in [0, 1) (with ``use_routing=False``: softmax probabilities); their argmax
    is the predicted class, and :meth:`loss` is the training loss the trainer
    uses. ``forward(x, return_routing=True)`` also returns a dict with the
    coupling coefficients of every routing iteration (``coupling``: list of
    ``(batch, tau, n_classes)``), the dynamic block weights, the output
    capsules, and the attention maps.

    Where the paper is vague or inconsistent (Paper says / We do / Switch):

    1. Input. Paper: "x in R^m is the input feature vector" (Eq. 7), and the
       107 features are "calculated for each frame" (Sec. 4.2) and fed to an
       LSTM that "process[es] sequential data". Both readings are possible.
       We do: ``input_mode="frames"`` (default): the frame sequence is
       average-pooled to n_3 = 64 time points and Eq. 7 is applied to each;
       ``input_mode="vector"``: the 107-d mean over frames (or a given
       ``(batch, 107)`` vector) goes through Eq. 7 and the 128-d code becomes
       64 time points of 2 values (:func:`vector_to_sequence`). Switch: ``input_mode``.
    2. Time points. Paper: "hidden states h_t for time interval
       Delta T_3 = [t_1, ..., t_n3]", "h_r in R^n3", and later
       ``h_s in R^{(n3 - k + 1) x n4}``: the sequence has n_3 = 64 time points
       (the paper conflates the LSTM's cells and time points). We do:
       ``time_steps=64`` time points in both modes; it also fixes the number of
       capsules, so utterances of any length give the same routing.
    3. Attention sizes. Not given: n_q = 64, 4 heads of d_k = d_v = 32, no output
       projection (Eq. 9). See :class:`SpeechAttention`.
    4. Refinement. Paper: "convolutional layers", Eqs. 10-11 one layer; k and
       n_4 not given. We do: one valid Conv1D, 64 kernels of 3, ReLU.
    5. Capsules. Paper: blocks of d = 16 (tau = 62 * 64 / 16 = 248 here);
       output capsules are not described; "the output v for emotion
       classification". We do: one 16-d output capsule per class; the output
       is their lengths. Eq. 13's axis: switch ``coupling_axis``
       ("outputs" default, "inputs"). Modified versus standard routing:
       switch ``routing``; the dynamic weighting: ``dynamic_weighting``.
    6. Dropout 0.5 (Sec. 5.1), position not given: on ``h_s``, before the
       blocks are cut (the widest representation, as in Keras CapsNets).
    7. Loss: ``loss="balanced_margin"`` (Eq. 15, default), ``"margin"``
       (Sabour), ``"cross_entropy"`` (Keras-style on the lengths,
       :func:`normalised_cross_entropy`). Eq. 15 as printed (alpha_1 = alpha_3 =
       0.5) is zero when EVERY capsule length is 0.5, whatever the class: it
       has no margin between the true and the other classes, and training
       can settle there (seen on the EmoDB stand-in in vector mode, with the
       coupling over inputs, and with an earlier, smaller initialisation of
       the capsule matrices; on separable synthetic data for some seeds).
       Switch ``balanced_alphas`` = (alpha_1, alpha_2, alpha_3), e.g.
       (0.9, 0.5, 0.1) for Sabour's margins with the balancing. Eq. 15's
       class weights ``w_j``: the trainer passes inverse-frequency weights when
       ``TrainConfig.class_weighted_loss`` is set, else 1; how they enter:
       switch ``class_weight_mode``.
    8. Ablations (Table 2), our reading of each removal: without information
       coding the 107-d frames (or vector) go to the LSTM; without speech
       recall the encoded sequence goes to the attention; without
       pre-attention the LSTM states go straight to the per-head projections;
       without speech attention (pre-attention and MHA) the LSTM states go to
       the refinement; without refinement the attention output is cut into
       blocks; without routing the blocks are flattened into a dense softmax
       layer (its probabilities replace the lengths, so every loss still
       applies); "w/o modified routing" is Sabour's routing.
    9. Initialisation. Paper: TensorFlow, nothing more. We do: Keras's defaults
       (:func:`~serlib.models.layers.keras_initialisation`: Glorot-uniform
       kernels, orthogonal recurrent kernels, zero biases, forget bias 1;
       the capsule matrices are Glorot-uniform either way). With PyTorch's
       smaller defaults the initial capsule lengths are an order of magnitude
       smaller and almost input-independent, where the squash's gradient
       (length ~ |s|^2) nearly vanishes; with a margin loss the model can stay
       input-independent (seen on a tiny model). Switch: ``initialisation``
       ("keras", "torch").
    10. ``width`` scales every hidden size (``TINY_CONFIG`` for tests); the
        paper size is ``width=1``.
    11. Size. At these sizes the model has 616,721 parameters for 7 classes
        (tested), not the paper's "~8.3 million"; the capsule matrices
        (tau x classes x 16 x 16) dominate, and only a much wider refinement
        (about 1,100 kernels) would reach 8.3 M. The paper's "9.5 million FLOPs"
        is below 2 x 8.3 M, the least a pass through 8.3 M weights costs at 2
        FLOPs per multiply-add (see ``serlib.experiments.speechnet_paper``).
    """

    def __init__(self, n_classes: int, n_features: int = 107, input_mode: str = "frames", time_steps: int = 64,
                 width: float = 1.0, encoding_dims: tuple[int, int] = ENCODING_DIMS, leaky_slope: float = LEAKY_SLOPE,
                 lstm_units: int = LSTM_UNITS, pre_attention_dim: int = 64, heads: int = 4, head_dim: int = 32,
                 refinement_filters: int = 64, kernel_size: int = 3, capsule_dim: int = CAPSULE_DIM,
                 output_capsule_dim: int = CAPSULE_DIM, routing: str = "modified",
                 routing_iterations: int = ROUTING_ITERATIONS, coupling_axis: str = "outputs",
                 dynamic_weighting: bool = True, dropout: float = DROPOUT, loss: str = "balanced_margin",
                 balanced_alphas: tuple[float, float, float] = BALANCED_MARGINS,
                 class_weight_mode: str = "class_column", initialisation: str = "keras", use_encoding: bool = True,
                 use_recall: bool = True, use_pre_attention: bool = True, use_attention: bool = True,
                 use_refinement: bool = True, use_routing: bool = True):
        super().__init__()
        if n_classes < 2:
            raise ValueError(f"SpeechNet: n_classes must be >= 2, got {n_classes}")
        if input_mode not in INPUT_MODES:
            raise ValueError(f"SpeechNet: input_mode must be one of {INPUT_MODES}, got {input_mode!r}")
        if loss not in LOSSES:
            raise ValueError(f"SpeechNet: loss must be one of {LOSSES}, got {loss!r}")
        if class_weight_mode not in CLASS_WEIGHT_MODES:
            raise ValueError(f"SpeechNet: class_weight_mode must be one of {CLASS_WEIGHT_MODES}, "
                             f"got {class_weight_mode!r}")
        if initialisation not in INITIALISATIONS:
            raise ValueError(f"SpeechNet: initialisation must be one of {INITIALISATIONS}, got {initialisation!r}")
        if time_steps < 1 or n_features < 1:
            raise ValueError(f"SpeechNet: time_steps and n_features must be >= 1, got {time_steps}, {n_features}")
        self.n_classes, self.n_features = n_classes, n_features
        self.input_mode, self.time_steps = input_mode, time_steps
        if len(balanced_alphas) != 3 or not all(0 <= a <= 1 for a in balanced_alphas):
            raise ValueError(f"SpeechNet: balanced_alphas must be three numbers in [0, 1], got {balanced_alphas!r}")
        self.loss_name, self.class_weight_mode = loss, class_weight_mode
        self.balanced_alphas = tuple(float(a) for a in balanced_alphas)
        self.use_encoding, self.use_recall, self.use_attention = use_encoding, use_recall, use_attention
        self.use_refinement, self.use_routing = use_refinement, use_routing

        features = n_features
        if use_encoding:
            dims = (scaled(encoding_dims[0], width), scaled(encoding_dims[1], width))
            self.encoding = InformationEncoding(n_features, dims, leaky_slope)
            features = dims[1]
        if input_mode == "vector":
            features = math.ceil(features / time_steps)
        if use_recall:
            self.recall = SpeechRecall(features, scaled(lstm_units, width))
            features = self.recall.out_features
        if use_attention:
            self.attention = SpeechAttention(features, scaled(pre_attention_dim, width), heads,
                                             scaled(head_dim, width), use_pre_attention)
            features = self.attention.out_features
        steps = time_steps
        if use_refinement:
            if kernel_size > time_steps:
                raise ValueError(f"SpeechNet: kernel_size {kernel_size} exceeds time_steps {time_steps}")
            self.refinement = SignalRefinement(features, scaled(refinement_filters, width), kernel_size)
            features, steps = self.refinement.out_features, time_steps - kernel_size + 1
        self.dropout = nn.Dropout(dropout)
        self.capsule_dim = capsule_dim
        self.blocks = math.ceil(steps * features / capsule_dim)
        if use_routing:
            self.routing = SpeechRouting(self.blocks, n_classes, capsule_dim, output_capsule_dim, routing,
                                         routing_iterations, coupling_axis, dynamic_weighting)
        else:
            self.classifier = nn.Linear(self.blocks * capsule_dim, n_classes)
        if initialisation == "keras":
            keras_initialisation(self)

    def _sequence(self, x: torch.Tensor) -> torch.Tensor:
        """The (batch, time_steps, features) sequence the speech recall module reads."""
        if x.dim() == 4:
            if x.shape[1] != 1 or x.shape[2] != self.n_features:
                raise ValueError(f"SpeechNet.forward: x must be (batch, 1, {self.n_features}, frames) or "
                                 f"(batch, {self.n_features}), got {tuple(x.shape)}")
            frames = x[:, 0].transpose(1, 2)
        elif x.dim() == 2 and x.shape[1] == self.n_features:
            if self.input_mode == "frames":
                raise ValueError("SpeechNet.forward: got utterance vectors (batch, features) but input_mode='frames' "
                                 "needs (batch, 1, features, frames); build the model with input_mode='vector'")
            frames = x.unsqueeze(1)
        else:
            raise ValueError(f"SpeechNet.forward: x must be (batch, 1, {self.n_features}, frames) or "
                             f"(batch, {self.n_features}), got {tuple(x.shape)}")
        if self.input_mode == "vector":
            vector = frames.mean(dim=1)
            code = self.encoding(vector) if self.use_encoding else vector
            return vector_to_sequence(code, self.time_steps)
        pooled = F.adaptive_avg_pool1d(frames.transpose(1, 2), self.time_steps).transpose(1, 2)
        return self.encoding(pooled) if self.use_encoding else pooled

    def forward(self, x: torch.Tensor, return_routing: bool = False):
        sequence = self._sequence(x)
        info: dict = {}
        if self.use_recall:
            sequence = self.recall(sequence)
        if self.use_attention:
            if return_routing:
                sequence, info["attention"] = self.attention(sequence, return_weights=True)
            else:
                sequence = self.attention(sequence)
        if self.use_refinement:
            sequence = self.refinement(sequence)
        blocks = partition_blocks(self.dropout(sequence), self.capsule_dim)
        if self.use_routing:
            capsules, routing = self.routing(blocks)
            scores = capsules.norm(dim=-1)
            info.update(routing, capsules=capsules)
        else:
            scores = torch.softmax(self.classifier(blocks.flatten(1)), dim=1)
        return (scores, info) if return_routing else scores

    def loss(self, scores: torch.Tensor, targets: torch.Tensor, class_weight: torch.Tensor | None = None
             ) -> torch.Tensor:
        """The configured training loss of the scores ``forward`` returns (the trainer calls this)."""
        if self.loss_name == "balanced_margin":
            return balanced_margin_loss(scores, targets, class_weight, self.balanced_alphas, self.class_weight_mode)
        if self.loss_name == "margin":
            return margin_loss(scores, targets, class_weight)
        return normalised_cross_entropy(scores, targets, class_weight)


@register_model("speechnet", "SpeechNet: encoding + LSTM + pre-attention MHA + Conv1D + modified capsule routing "
                             "(speechnet)")
def speechnet(n_classes: int, **config) -> SpeechNet:
    return SpeechNet(n_classes, **config)


def ablation_config(variant: str) -> dict:
    """The switches of one Table 2 row, by its row name or short alias (``no_recall``, ``standard_routing``...)."""
    name = ABLATION_ALIASES.get(variant, variant)
    if name not in SPEECHNET_ABLATION:
        raise KeyError(f"unknown SpeechNet ablation variant {variant!r}; use one of {list(SPEECHNET_ABLATION)} "
                       f"or {list(ABLATION_ALIASES)}")
    return dict(SPEECHNET_ABLATION[name])


@register_model("speechnet_ablation", "SpeechNet Table 2 ablation variant (variant='SpeechNet w/o speech recall', "
                                      "'no_routing', ...)")
def speechnet_ablation(n_classes: int, variant: str = "SpeechNet", **config) -> SpeechNet:
    switches = ablation_config(variant)
    clash = sorted(set(switches) & set(config))
    if clash:
        raise ValueError(f"speechnet_ablation: {clash} are set by variant={variant!r}; do not pass them too")
    return SpeechNet(n_classes, **switches, **config)
