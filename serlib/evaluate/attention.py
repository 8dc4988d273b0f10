"""Does a model's attention sit on speech? Frame-level attention measured against known speech frames.

Two of FLA-SER's hierarchical-attention maps live on the frame axis: the DMP
gates ``g_t`` and the temporal attention ``alpha_t`` (a softmax over frames).
Given which frames are speech (the synthetic corpus records the true speech
segments of every clip; for real clips an endpoint detector stands in), the
honest question is: what share of the attention mass falls on speech frames,
compared with the share of frames that ARE speech? Equal shares mean that the
attention ignores the speech/silence distinction.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def frame_centres_s(n_frames: int, hop_length: int, win_length: int, sample_rate: int) -> np.ndarray:
    """Centre time (s) of each analysis frame: ``(n * hop + win / 2) / sample_rate``."""
    if n_frames < 0 or hop_length <= 0 or win_length <= 0 or sample_rate <= 0:
        raise ValueError(f"frame_centres_s: need n_frames >= 0 and positive hop/win/sample rate, got "
                         f"{n_frames}, {hop_length}, {win_length}, {sample_rate}")
    return (np.arange(n_frames) * hop_length + win_length / 2) / sample_rate


def speech_frame_mask(segments: Sequence[tuple[float, float]], centres_s: np.ndarray) -> np.ndarray:
    """True for frames whose centre lies in one of the ``(start, end)`` speech segments (seconds, end excluded)."""
    mask = np.zeros(len(centres_s), dtype=bool)
    for start, end in segments:
        if end < start:
            raise ValueError(f"speech segment ({start}, {end}) ends before it starts")
        mask |= (centres_s >= start) & (centres_s < end)
    return mask


def attention_maps(model, x) -> tuple[np.ndarray, np.ndarray]:
    """``(temporal attention, DMP gates)`` per frame, each (clips, frames), of a model with ``return_attention``."""
    import torch

    with torch.no_grad():
        _, maps = model.eval()(torch.as_tensor(np.asarray(x), dtype=torch.float32), return_attention=True)
    missing = {"temporal_attention", "dmp_gates"} - set(maps)
    if missing:
        raise KeyError(f"the model's attention maps lack {sorted(missing)}: it needs the DMP and hierarchical "
                       f"attention (the full FLA-SER)")
    return maps["temporal_attention"].numpy(), maps["dmp_gates"].numpy()


def attention_on_speech(alpha: np.ndarray, gates: np.ndarray, speech: np.ndarray) -> dict:
    """Share of the attention mass on speech frames, mean DMP gate on speech and other frames, share of speech.

    ``alpha`` (clips, frames) sums to 1 per clip; ``gates`` and the boolean
    ``speech`` mask have the same shape. The mass is averaged over clips.
    """
    alpha, gates, speech = np.asarray(alpha, float), np.asarray(gates, float), np.asarray(speech, bool)
    if not (alpha.shape == gates.shape == speech.shape) or alpha.ndim != 2:
        raise ValueError(f"alpha, gates and speech must share one (clips, frames) shape, got {alpha.shape}, "
                         f"{gates.shape}, {speech.shape}")
    if not np.allclose(alpha.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("alpha must sum to 1 over the frames of each clip (a softmax over time)")
    if speech.all() or not speech.any():
        raise ValueError("the speech mask must hold both speech and non-speech frames to compare them")
    return {"attention mass on speech": float(np.mean((alpha * speech).sum(axis=1))),
            "mean DMP gate, speech frames": float(gates[speech].mean()),
            "mean DMP gate, other frames": float(gates[~speech].mean()),
            "share of frames that are speech": float(speech.mean())}
