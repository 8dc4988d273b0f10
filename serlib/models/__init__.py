"""Models: shared layers, one module per architecture, and a registry (``build_model``)."""
from .complexity import parameter_count
from .registry import available_models, build_model, register_model

__all__ = ["available_models", "build_model", "parameter_count", "register_model"]
