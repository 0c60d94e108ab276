"""Model registry, after timm: ``create_model("bilstm_3l", num_classes=45, layout="fpha_hand21")``.

Each model is registered with the input kind it takes (``keypoints``, ``image``, ``landmarks``,
``clip``) and preset arguments. Initial weights come from ``pretrained`` (the model's published
weights file, see :mod:`.weights`) or ``checkpoint_path``, loaded as state dicts; model classes
themselves never read files.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

from torch import nn

from ..errors import ConfigError, UnknownNameError

KINDS = ("keypoints", "image", "landmarks", "clip")


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: ``builder(num_classes=..., <input arguments>, **defaults)``; ``kind`` the input
    kind; ``pretrained_file`` the name of its published weights in the shared weights folder and
    ``pretrained`` whether they are loaded by default."""

    name: str
    builder: Callable[..., nn.Module]
    description: str
    kind: str
    defaults: dict = field(default_factory=dict)
    pretrained_file: str | None = None
    pretrained: bool = False


_MODELS: dict[str, ModelEntry] = {}


def register_model(name: str, builder: Callable[..., nn.Module], description: str = "", kind: str = "keypoints",
                   pretrained_file: str | None = None, pretrained: bool = False, **defaults) -> None:
    """Register ``name``. ``kind``: ``"keypoints"`` (input ``x (B, T, J, C), mask (B, T)``; built with
    ``layout``), ``"image"`` (``x (B, C, H, W)``; ``in_chans``, ``img_size``), ``"landmarks"``
    (``x (B, J, C)``; ``num_joints``, ``dims``) or ``"clip"`` (``x (B, C, T, S, S), mask (B, T)``;
    ``in_chans``, ``img_size``, ``frames``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")
    _MODELS[name] = ModelEntry(name, builder, description, kind, dict(defaults), pretrained_file, pretrained)


def list_models(kind: str | None = None) -> dict[str, str]:
    """Registered model names and one-line descriptions (of one ``kind`` when given)."""
    return {k: e.description for k, e in sorted(_MODELS.items()) if kind is None or e.kind == kind}


def model_entry(name: str) -> ModelEntry:
    """The registry entry of ``name``; raises UnknownNameError listing the registered names."""
    if name not in _MODELS:
        raise UnknownNameError(f"unknown model {name!r}; expected one of {sorted(_MODELS)}")
    return _MODELS[name]


def model_kind(name: str) -> str:
    return model_entry(name).kind


def model_defaults(name: str) -> dict:
    """The preset arguments of a registered model."""
    return dict(model_entry(name).defaults)


def model_arguments(name: str) -> list[str]:
    """The arguments ``name``'s builder accepts (besides ``num_classes``)."""
    params = inspect.signature(model_entry(name).builder).parameters
    return [p for p in params if p not in ("self", "num_classes")]


def create_model(name: str, num_classes: int, layout=None, *, pretrained: bool | None = None,
                 checkpoint_path: str | None = None, **kwargs) -> nn.Module:
    """Build a registered model (logits ``(B, K)`` with K = ``num_classes``). Keypoint models take
    their ``layout`` (a name such as ``"fpha_hand21"`` or a :class:`~signkit.keypoints.Layout`); image
    models ``in_chans`` and ``img_size``; landmark models ``num_joints`` and ``dims``; clip models
    ``in_chans``, ``img_size`` and ``frames`` (:mod:`signkit.kinds` supplies them from the data).

    ``pretrained``: load the model's published weights (None = the registry's default for this model);
    ``checkpoint_path``: load a state dict (``.safetensors``, weights-only ``.pth``, or a signkit
    checkpoint). A model with a ``load_pretrained(state_dict)`` method takes the part it can use
    (a backbone, an encoder); others load strictly.

    Raises:
        UnknownNameError: ``name`` is not registered (the message lists the registered names).
        ConfigError: an argument the model does not take (the message lists those it takes), or an
            invalid argument value.
        CheckpointError: a weights file that is missing, unreadable or does not fit.
    """
    e = model_entry(name)
    if layout is not None:
        kwargs["layout"] = layout
    args = {**e.defaults, **kwargs}
    allowed = model_arguments(name)
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise ConfigError(f"model {name!r} takes no argument(s) {unknown}; it takes {allowed}")
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ConfigError(f"model {name!r}: num_classes must be a positive integer; found {num_classes!r}")
    try:
        model = e.builder(num_classes=num_classes, **args)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"model {name!r}: {err}") from None
    if pretrained is None:
        pretrained = e.pretrained
    from .weights import load_weights, pretrained_path

    if pretrained:
        if e.pretrained_file is None:
            raise ConfigError(f"model {name!r} has no published weights; pretrained must be false")
        load_weights(model, pretrained_path(e.pretrained_file))
    if checkpoint_path:
        load_weights(model, checkpoint_path)
    return model
