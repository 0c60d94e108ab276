"""Model registry, after timm: ``create_model("bilstm_3l", num_classes=45, layout="fpha_hand21")``."""

from __future__ import annotations

from typing import Callable

from torch import nn

from ..errors import UnknownNameError

_MODELS: dict[str, tuple[Callable[..., nn.Module], dict, str]] = {}
_KINDS: dict[str, str] = {}


def register_model(name: str, builder: Callable[..., nn.Module], description: str = "", kind: str = "keypoints",
                   **defaults) -> None:
    """Register ``name`` as ``builder(num_classes=..., layout=..., **defaults, **overrides)``.
    ``kind``: ``"keypoints"`` (input ``x (B, T, J, C), mask (B, T)``) or ``"image"`` (``x (B, C, H, W)``)."""
    _MODELS[name] = (builder, defaults, description)
    _KINDS[name] = kind


def list_models(kind: str | None = None) -> dict[str, str]:
    """Registered model names and one-line descriptions (of one ``kind`` when given)."""
    return {k: v[2] for k, v in sorted(_MODELS.items()) if kind is None or _KINDS[k] == kind}


def model_kind(name: str) -> str:
    _check(name)
    return _KINDS[name]


def model_defaults(name: str) -> dict:
    """The preset arguments of a registered model."""
    _check(name)
    return dict(_MODELS[name][1])


def _check(name: str) -> None:
    if name not in _MODELS:
        raise UnknownNameError(f"unknown model {name!r}; expected one of {sorted(_MODELS)}")


def create_model(name: str, num_classes: int, layout: str, **kwargs) -> nn.Module:
    """Build a registered model. Every model maps ``x (B, T, J, C), mask (B, T)`` to logits ``(B, K)``.

    Raises:
        UnknownNameError: ``name`` is not registered (the message lists the registered names).
        TypeError: an argument the model does not take.
    """
    _check(name)
    builder, defaults, _ = _MODELS[name]
    args = {**defaults, **kwargs}
    return builder(num_classes=num_classes, layout=layout, **args)
