"""Training: one trainer for every model (device, AMP, early stopping, checkpoint and exact resume)."""
from .trainer import TrainConfig, Trainer, TrainResult, predict_logits, select_device, describe_device

__all__ = ["TrainConfig", "Trainer", "TrainResult", "predict_logits", "select_device", "describe_device"]
