"""Model registry: a name maps to a constructor, so every model trains through
the same trainer and the same ``serlib train --model NAME`` command.

Convention for every registered model: ``build_model(name, n_classes=..., **config)``
returns an ``nn.Module`` whose ``forward(x)`` takes a float tensor of shape
``(batch, channels, n_features, frames)`` (``channels`` = 1 for a log-Mel image,
3 for an RGB scalogram) and returns logits of shape ``(batch, n_classes)``.
A model may accept extra keyword arguments in ``forward`` (``return_attention``).
"""
from __future__ import annotations

from typing import Callable

MODELS: dict[str, Callable] = {}
DESCRIPTIONS: dict[str, str] = {}


def register_model(name: str, description: str = ""):
    def wrap(constructor):
        if name in MODELS:
            raise ValueError(f"model {name!r} registered twice")
        MODELS[name] = constructor
        DESCRIPTIONS[name] = description or (constructor.__doc__ or "").strip().split("\n")[0]
        return constructor

    return wrap


def _load_all() -> None:
    # Importing the architecture modules fills the registry.
    import importlib
    import pkgutil

    import serlib.models as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("registry",):
            importlib.import_module(f"serlib.models.{info.name}")


def available_models() -> dict[str, str]:
    _load_all()
    return dict(sorted(DESCRIPTIONS.items()))


def build_model(name: str, n_classes: int, **config):
    _load_all()
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered: {', '.join(sorted(MODELS))}")
    return MODELS[name](n_classes=n_classes, **config)

