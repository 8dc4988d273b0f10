"""Training: one trainer for every model (device, AMP, early stopping, checkpoint and exact resume)."""
from .trainer import (CheckpointError, DeviceUnavailableError, ResumeMismatchError, TrainConfig, Trainer,
                      TrainResult, describe_device, predict_logits, select_device)

__all__ = ["CheckpointError", "DeviceUnavailableError", "ResumeMismatchError", "TrainConfig", "Trainer", "TrainResult", "predict_logits", "select_device", "describe_device"]
