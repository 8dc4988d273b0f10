"""Models: shared layers, one module per architecture, and a registry (``build_model``)."""
from .registry import available_models, build_model, count_parameters, register_model

__all__ = ["available_models", "build_model", "count_parameters", "register_model"]
