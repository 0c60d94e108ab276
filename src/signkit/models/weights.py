"""Reading initial weights for models (as timm's ``load_checkpoint``): state dicts from
``.safetensors`` (never code), ``.pth``/``.pt`` with ``torch.load(weights_only=True)``, or a signkit
checkpoint, and the folder of published weights that ship beside the data
(``<data root>/../weights``, e.g. ``mobilenet_v2_imagenet_features.safetensors``)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..errors import CheckpointError
from ..paths import data_root


def pretrained_path(filename: str) -> Path:
    """``<data root>/../weights/<filename>``.

    Raises:
        CheckpointError: the file does not exist (nothing is downloaded).
    """
    try:
        p = data_root().parent / "weights" / filename
    except Exception as e:  # no data root: say where the weights were expected
        raise CheckpointError(f"published weights {filename!r} not found: {e}") from None
    if not p.is_file():
        raise CheckpointError(f"published weights {str(p)!r} not found (signkit downloads nothing); pass "
                              f"model.checkpoint_path=PATH or pretrained: false")
    return p


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state dict from ``.safetensors`` or ``.pth``/``.pt`` (``weights_only=True``: no code
    runs). Unwraps ``{"state_dict": ...}``.

    Raises:
        CheckpointError: missing or unreadable file, or not a mapping of tensors.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"weights file {str(path)!r} not found")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except Exception as e:
            raise CheckpointError(f"{path}: not a readable safetensors file ({e})") from None
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise CheckpointError(f"{path}: cannot be read as a weights-only torch file ({e})") from e
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise CheckpointError(f"{path}: expected a state_dict of tensors")
    return sd


def load_weights(model: nn.Module, path: str | Path) -> None:
    """Load the state dict in ``path`` into ``model``: through ``model.load_pretrained(state_dict,
    source)`` when the model has one (partial loading: a backbone, an encoder), else strictly.

    Raises:
        CheckpointError: the file cannot be read or its tensors do not fit the model.
    """
    sd = read_state_dict(path)
    loader = getattr(model, "load_pretrained", None)
    if loader is not None:
        loader(sd, str(path))
        return
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not fit {type(model).__name__}: {' '.join(str(e).split())[:400]}") from None
