"""One trainer for every model of the course.

* device auto-selection (CUDA, then CPU) and mixed precision on GPU (bfloat16
  autocast where the GPU supports it, else float16 with a gradient scaler);
* early stopping on a validation quantity, and a record of whether the
  reported model is the LAST epoch or the BEST-ON-VALIDATION one (never best
  on test: that inflates results, see DESIGN.md);
* checkpoints with everything needed for an EXACT resume on CPU (model,
  optimiser, scheduler, scaler, early-stopping state, history and the global
  RNG states; the batch order of epoch ``e`` is drawn from ``seed + e``),
  written atomically after every epoch; a resume refuses
  (:class:`ResumeMismatchError`, naming what changed) when the configuration,
  the seed or the training/validation data differ from the checkpoint's, so
  an old learning rate or other data are never carried on silently, and a
  finished run resumes to its result without training again;
* a progress bar and a per-epoch history (losses, validation metrics and the
  validation predictions, so per-class curves such as fla_ser Fig. 7 can be
  drawn afterwards).

Features are held as tensors (on the GPU when they fit), so an epoch is only
index slicing: data loading is never the bottleneck and features are never
recomputed per epoch (they come from :mod:`serlib.features.cache`). ``x`` is
one array or a tuple of arrays indexed together (a model with several inputs,
e.g. dual_stream_caf's ``(image, waveform, padding_mask)``); the model then
receives the tuple of batch tensors.

The trainer sits before :mod:`serlib.evaluate` in the pipeline, so it takes the
metric function as an argument (``metric_fn(y_true, y_pred) -> dict``); the
experiments pass :func:`serlib.evaluate.evaluate_predictions`.
"""
from __future__ import annotations

import copy
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

EPOCH_POLICIES = ("best_on_validation", "last")
#: Optimisers the trainer builds (torch.optim defaults apart from lr, weight decay and SGD's momentum);
#: adamax and rmsprop are the alternatives wavelet_cnn_lstm Section 3.5.1 says it tried.
OPTIMIZERS = ("adam", "adamw", "sgd", "adamax", "rmsprop")

#: TrainConfig fields that may differ between a checkpoint and its resume: they change
#: how a run is shown or where it runs, not what it computes (exactness is promised on
#: one device; a resume on another one is allowed and close, not bit-identical).
RESUME_MAY_CHANGE = ("progress", "device", "gpu_resident_max_bytes", "dropout_note")


class DeviceUnavailableError(RuntimeError):
    """A device was requested that this machine does not have."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or used; the message names the file."""


class ResumeMismatchError(CheckpointError):
    """Resuming a checkpoint written with another configuration, seed or data."""


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    optimizer: str = "adam"  # adam | adamw | sgd | adamax | rmsprop (OPTIMIZERS)
    momentum: float = 0.9  # sgd only
    dropout_note: str = ""  # documentation only: dropout lives in the model config
    patience: int | None = 10  # epochs without improvement before stopping; None = never stop early
    # Early stopping may not fire before this epoch: a model sitting on a chance-level plateau in its first
    # epochs (fla_ser's pure FCN) otherwise stops before it ever starts to learn.
    min_epochs: int = 0
    monitor: str = "val_loss"  # "val_loss" or "val_<metric>" from metric_fn (e.g. val_UA)
    epoch_policy: str = "best_on_validation"
    amp: bool = True  # mixed precision, used only on CUDA
    device: str = "auto"
    seed: int = 0
    grad_clip: float | None = None
    label_smoothing: float = 0.0
    class_weighted_loss: bool = False
    scheduler: str | None = None  # None | "cosine" | "plateau"
    progress: bool = True
    gpu_resident_max_bytes: int = 4 << 30  # keep features on the GPU when smaller than this

    def __post_init__(self):
        if self.epoch_policy not in EPOCH_POLICIES:
            raise ValueError(f"epoch_policy must be one of {EPOCH_POLICIES}, got {self.epoch_policy!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be positive")
        if not 0 <= self.min_epochs <= self.epochs:
            raise ValueError(f"min_epochs must be in 0..epochs={self.epochs}, got {self.min_epochs}")


@dataclass
class TrainResult:
    model: nn.Module
    history: list[dict]
    best_epoch: int
    reported_epoch: int
    epoch_policy: str
    stopped_early: bool
    device: str
    config: dict = field(default_factory=dict)
    seconds: float = 0.0
    samples_per_second: float = 0.0


def select_device(device: str = "auto") -> torch.device:
    """``auto`` picks CUDA when available, else CPU; an explicit unavailable CUDA raises."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chosen = torch.device(device)
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(f"device {device!r} requested but CUDA is not available on this machine; "
                                     "use --device cpu or auto")
    return chosen


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_feature_tensor(x):
    """Features as float32 tensors; a tuple of arrays (a model with several inputs) stays a tuple.

    In a tuple, boolean arrays (padding masks) keep their dtype; its members are indexed together.
    """
    if isinstance(x, (tuple, list)):
        parts = tuple(_as_feature_tensor(part) if not _is_bool(part) else torch.as_tensor(np.asarray(part))
                      for part in x)
        if len({part.shape[0] for part in parts}) != 1:
            raise ValueError(f"the inputs of a tuple differ in length: {[part.shape[0] for part in parts]}")
        return parts
    return torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=torch.float32)


def _is_bool(x) -> bool:
    return (x.dtype == torch.bool) if isinstance(x, torch.Tensor) else np.asarray(x).dtype == np.bool_


def _rows(x) -> int:
    return x[0].shape[0] if isinstance(x, tuple) else x.shape[0]


def _take(x, index):
    """Rows ``index`` of a tensor or of every tensor of a tuple (moved to the index's device first)."""
    if isinstance(x, tuple):
        return tuple(part[index.to(part.device) if isinstance(index, torch.Tensor) else index] for part in x)
    return x[index.to(x.device) if isinstance(index, torch.Tensor) else index]


def _to(x, device):
    return tuple(part.to(device, non_blocking=True) for part in x) if isinstance(x, tuple) else \
        x.to(device, non_blocking=True)


def _nbytes(x) -> int:
    parts = x if isinstance(x, tuple) else (x,)
    return sum(part.element_size() * part.nelement() for part in parts)


def _as_tensors(x, y):
    x = _as_feature_tensor(x)
    y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y, dtype=torch.long)
    if _rows(x) != y.shape[0]:
        raise ValueError(f"features and labels differ in length: {_rows(x)} vs {y.shape[0]}")
    return x, y


def _autocast(device: torch.device, enabled: bool):
    if device.type == "cuda" and enabled:
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    return torch.autocast("cpu", enabled=False)


@torch.inference_mode()
def predict_logits(model: nn.Module, x, batch_size: int = 128, device: str | torch.device = "auto",
                   amp: bool = True) -> np.ndarray:
    """Logits for every row of ``x`` (N, ...) in evaluation mode."""
    device = select_device(device) if isinstance(device, str) else device
    model = model.to(device).eval()
    x = x if isinstance(x, torch.Tensor) else _as_feature_tensor(x)
    out = []
    for start in range(0, _rows(x), batch_size):
        batch = _to(_take(x, slice(start, start + batch_size)), device)
        with _autocast(device, amp):
            out.append(model(batch).float().cpu())
    return torch.cat(out).numpy() if out else np.zeros((0, 0), dtype=np.float32)


def data_fingerprint(*arrays) -> str:
    """Hash of the values, shapes and dtypes of the arrays a run trains and validates on."""
    import hashlib

    digest = hashlib.blake2b(digest_size=12)
    for array in arrays:
        if array is None:
            digest.update(b"none|")
            continue
        if isinstance(array, (tuple, list)):  # a model with several inputs: every member counts
            digest.update(f"tuple{len(array)}|{data_fingerprint(*array)}|".encode())
            continue
        value = array.detach().cpu().numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
        value = np.ascontiguousarray(value)
        digest.update(f"{value.dtype.str}{value.shape}|".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def resume_differences(saved: dict, current: dict) -> list[str]:
    """``"name: saved -> current"`` for every TrainConfig field that may not change on resume."""
    keys = sorted((set(saved) | set(current)) - set(RESUME_MAY_CHANGE))
    return [f"{k}: {saved.get(k)!r} -> {current.get(k)!r}" for k in keys if saved.get(k) != current.get(k)]


class Trainer:
    """Fit any registered model on feature tensors with a validation set."""

    def __init__(self, config: TrainConfig | None = None, metric_fn: Callable | None = None,
                 checkpoint_path: str | Path | None = None):
        self.config = config or TrainConfig()
        self.metric_fn = metric_fn
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path else None

    # ------------------------------------------------------------------ helpers
    def _epoch_scores(self, model: nn.Module, x, y, prefix: str, loss_fn, device) -> dict:
        """One epoch's scores of ``model`` on ``(x, y)``: ``<prefix>_loss``, ``<prefix>_pred`` and the metrics of
        ``metric_fn`` as ``<prefix>_<name>`` (the validation subset, or a watched subset that is only measured)."""
        c = self.config
        logits = predict_logits(model, x, max(c.batch_size, 64), device, c.amp)
        y_pred = logits.argmax(1)
        row = {f"{prefix}_loss": float(loss_fn(torch.as_tensor(logits, device=device), y.to(device))),
               f"{prefix}_pred": y_pred.tolist()}
        if self.metric_fn is not None:
            metrics = self.metric_fn(y.numpy(), y_pred)
            row.update({f"{prefix}_{k}": float(v) for k, v in metrics.items() if np.isscalar(v)})
        return row

    def _optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        c = self.config
        if c.optimizer == "sgd":
            return torch.optim.SGD(model.parameters(), lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
        if c.optimizer in ("adamax", "rmsprop"):
            cls = torch.optim.Adamax if c.optimizer == "adamax" else torch.optim.RMSprop
            return cls(model.parameters(), lr=c.lr, weight_decay=c.weight_decay)
        cls = torch.optim.AdamW if c.optimizer == "adamw" else torch.optim.Adam
        return cls(model.parameters(), lr=c.lr, weight_decay=c.weight_decay)

    def _scheduler(self, optimizer):
        if self.config.scheduler == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.config.epochs)
        if self.config.scheduler == "plateau":
            return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
        return None

    def _monitor_value(self, row: dict) -> float:
        key = self.config.monitor
        if key not in row:
            raise KeyError(f"monitor {key!r} not in the epoch record {sorted(row)}; pass a metric_fn that computes it")
        return float(row[key])

    def _better(self, value: float, best: float) -> bool:
        if math.isnan(value):
            return False
        return value < best if self.config.monitor.endswith("loss") else value > best

    def _load_checkpoint(self, device: torch.device, fingerprint: str) -> dict:
        """Read the checkpoint and refuse it when it belongs to another run (naming what differs)."""
        path = self.checkpoint_path
        try:
            ckpt = torch.load(path, map_location=device, weights_only=False)
        except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError... for a bad file
            raise CheckpointError(f"{path}: checkpoint unreadable ({type(exc).__name__}: {exc}); delete it or "
                                  "start without resume") from None
        if not isinstance(ckpt, dict) or "model" not in ckpt or "epoch" not in ckpt:
            raise CheckpointError(f"{path}: not a serlib training checkpoint")
        changed = resume_differences(ckpt.get("config", {}), asdict(self.config))
        saved_data = ckpt.get("data_fingerprint", "")
        if saved_data and fingerprint and saved_data != fingerprint:
            changed.append(f"training/validation data: fingerprint {saved_data} -> {fingerprint}")
        if changed:
            raise ResumeMismatchError(f"{path}: refusing to resume a run whose configuration changed: "
                                      + "; ".join(changed) + ". Start it again without resume (or restore "
                                      "the old settings)")
        return ckpt

    # ------------------------------------------------------------------ fit
    def fit(self, model: nn.Module, train: tuple, val: tuple | None = None, *, resume: bool = False,
            stop_after_epoch: int | None = None, watch: tuple | None = None) -> TrainResult:
        """Train ``model`` on ``train = (x, y)`` and monitor ``val = (x, y)``.

        Args:
            resume: continue from ``checkpoint_path`` if it exists (exact on CPU).
            stop_after_epoch: end the run after this epoch as if interrupted
                (the checkpoint stays; used to test resuming).
            watch: an extra ``(x, y)`` scored after every epoch for MEASUREMENT only
                (history keys ``watch_loss``, ``watch_pred`` and ``watch_<metric>``):
                it never chooses the epoch, stops the run or touches the RNG, so a
                run with and without it trains identically. The experiments use it to
                measure what picking the best epoch on the test set would report.
        """
        c = self.config
        device = select_device(c.device)
        seed_all(c.seed)
        x_train, y_train = _as_tensors(*train)
        has_val = val is not None and len(val[1]) > 0
        if not has_val and (c.epoch_policy == "best_on_validation" or c.monitor != "train_loss"):
            raise ValueError("no validation data: use epoch_policy='last' and monitor='train_loss'")
        x_val, y_val = _as_tensors(*val) if has_val else (None, None)
        x_watch, y_watch = _as_tensors(*watch) if watch is not None and len(watch[1]) else (None, None)
        resident = device.type == "cuda" and _nbytes(x_train) < c.gpu_resident_max_bytes
        if resident:
            x_train, y_train = _to(x_train, device), y_train.to(device)
        model = model.to(device)
        optimizer = self._optimizer(model)
        scheduler = self._scheduler(optimizer)
        use_scaler = device.type == "cuda" and c.amp and not torch.cuda.is_bf16_supported()
        scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)
        weight = None
        if c.class_weighted_loss:
            counts = torch.bincount(y_train.cpu(), minlength=int(y_train.max()) + 1).float()
            weight = (counts.sum() / (len(counts) * counts.clamp(min=1))).to(device)
        loss_fn = nn.CrossEntropyLoss(weight=weight, label_smoothing=c.label_smoothing)
        if callable(getattr(model, "loss", None)):  # a model with its own loss (speechnet's margin losses)
            if c.label_smoothing:
                raise ValueError(f"label_smoothing={c.label_smoothing} applies to cross-entropy only, but "
                                 f"{type(model).__name__} defines its own loss; set label_smoothing=0")
            loss_fn = lambda output, target: model.loss(output, target, class_weight=weight)  # noqa: E731

        history: list[dict] = []
        best = math.inf if c.monitor.endswith("loss") else -math.inf
        best_epoch, best_state, bad_epochs, start_epoch = 0, None, 0, 1
        fingerprint = data_fingerprint(x_train, y_train, x_val, y_val) if self.checkpoint_path else ""
        finished, stopped_early = False, False
        if resume and self.checkpoint_path and self.checkpoint_path.exists():
            ckpt = self._load_checkpoint(device, fingerprint)
            model.load_state_dict(ckpt["model"])
            optimizer.load_state_dict(ckpt["optimizer"])
            if scheduler is not None and ckpt.get("scheduler"):
                scheduler.load_state_dict(ckpt["scheduler"])
            scaler.load_state_dict(ckpt["scaler"])
            history, best, best_epoch, bad_epochs = ckpt["history"], ckpt["best"], ckpt["best_epoch"], ckpt["bad_epochs"]
            best_state = ckpt["best_state"]
            start_epoch = ckpt["epoch"] + 1
            finished, stopped_early = ckpt.get("finished", False), ckpt.get("stopped_early", False)
            _set_rng_state(ckpt["rng"])

        def save_checkpoint(epoch: int, done: bool) -> None:
            if self.checkpoint_path is None:
                return
            from ..safeio import atomic_path

            with atomic_path(self.checkpoint_path) as scratch:  # a kill mid-save leaves the previous epoch's
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "scheduler": scheduler.state_dict() if scheduler is not None else None,
                            "scaler": scaler.state_dict(), "history": history, "best": best,
                            "best_epoch": best_epoch, "best_state": best_state, "bad_epochs": bad_epochs,
                            "epoch": epoch, "rng": _rng_state(), "config": asdict(c),
                            "data_fingerprint": fingerprint, "finished": done, "stopped_early": stopped_early},
                           scratch)

        bar = None
        if c.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=c.epochs, initial=start_epoch - 1, desc=type(model).__name__, leave=False)
        n = _rows(x_train)
        started = time.perf_counter()
        seen = 0
        for epoch in range(start_epoch, c.epochs + 1):
            if finished:  # the checkpoint's run had ended: resume to its result
                break
            model.train()
            order = torch.randperm(n, generator=torch.Generator().manual_seed(c.seed * 100003 + epoch))
            total, count = 0.0, 0
            for start in range(0, n, c.batch_size):
                idx = order[start:start + c.batch_size]
                if len(idx) < 2 and n > 1:  # a batch of one breaks BatchNorm; its sample joins next epoch
                    continue
                xb = _to(_take(x_train, idx), device)
                yb = y_train[idx.to(y_train.device)].to(device, non_blocking=True)
                optimizer.zero_grad(set_to_none=True)
                with _autocast(device, c.amp):
                    loss = loss_fn(model(xb).float(), yb)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"non-finite training loss at epoch {epoch}; lower the learning rate "
                                             f"(lr={c.lr}) or check the features")
                scaler.scale(loss).backward()
                if c.grad_clip:
                    scaler.unscale_(optimizer)
                    nn.utils.clip_grad_norm_(model.parameters(), c.grad_clip)
                scaler.step(optimizer)
                scaler.update()
                total += float(loss.detach()) * len(idx)
                count += len(idx)
            seen += count
            row = {"epoch": epoch, "train_loss": total / max(count, 1), "lr": optimizer.param_groups[0]["lr"]}
            if has_val:
                row.update(self._epoch_scores(model, x_val, y_val, "val", loss_fn, device))
            if x_watch is not None:  # measured only: never used for the choice of epoch
                row.update(self._epoch_scores(model, x_watch, y_watch, "watch", loss_fn, device))
            history.append(row)
            if scheduler is not None:
                scheduler.step(row.get("val_loss", row["train_loss"])) if c.scheduler == "plateau" else scheduler.step()
            value = self._monitor_value(row)
            if self._better(value, best):
                best, best_epoch, bad_epochs = value, epoch, 0
                best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
            else:
                bad_epochs += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix({k: round(v, 4) for k, v in row.items() if k in ("train_loss", "val_loss", "val_UA")})
            if c.patience is not None and bad_epochs >= c.patience and epoch >= c.min_epochs:
                stopped_early = True
            save_checkpoint(epoch, done=stopped_early or epoch == c.epochs)
            if stopped_early:
                break
            if stop_after_epoch is not None and epoch >= stop_after_epoch:
                break
        if bar is not None:
            bar.close()
        seconds = time.perf_counter() - started
        last_epoch = history[-1]["epoch"] if history else 0
        if c.epoch_policy == "best_on_validation" and best_state is not None:
            model.load_state_dict(best_state)
            reported = best_epoch
        else:
            reported = last_epoch
        return TrainResult(model=model, history=history, best_epoch=best_epoch, reported_epoch=reported,
                           epoch_policy=c.epoch_policy, stopped_early=stopped_early, device=describe_device(device),
                           config=asdict(c), seconds=seconds, samples_per_second=seen / seconds if seconds else 0.0)
