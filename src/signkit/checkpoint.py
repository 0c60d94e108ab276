"""Self-describing checkpoints in safetensors: weights plus JSON metadata, no pickle.

The metadata (``__metadata__["signkit"]``) holds the model name and arguments, number of classes,
vocabulary, layout, preprocessing, the full config and the metrics. Loading parses JSON and
tensors only, so a checkpoint can never execute code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .errors import CheckpointError
from .models import create_model

FORMAT = "signkit-checkpoint"
# model arguments that only say where initial weights came from: the checkpoint holds the trained
# weights, so they are recorded under "initialised_from" and not passed again when rebuilding
INIT_ONLY_ARGS = ("weights", "encoder_weights")
VERSION = 1


def save_checkpoint(path: str | Path, model: torch.nn.Module, *, model_name: str, model_args: dict,
                    vocabulary: list[str], layout: str, preprocessing: dict, config: dict,
                    metrics: dict | None = None) -> Path:
    """Write the checkpoint atomically (temporary file, then rename)."""
    path = Path(path)
    init = {k: v for k, v in model_args.items() if k in INIT_ONLY_ARGS}
    model_args = {k: v for k, v in model_args.items() if k not in INIT_ONLY_ARGS}
    meta = {"format": FORMAT, "version": VERSION, "model": model_name, "model_args": model_args,
            "initialised_from": init,
            "num_classes": len(vocabulary), "vocabulary": vocabulary, "layout": layout,
            "preprocessing": preprocessing, "config": config, "metrics": metrics or {}}
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    tmp = path.with_name(path.name + ".tmp")
    save_file(state, str(tmp), metadata={"signkit": json.dumps(meta)})
    os.replace(tmp, path)
    return path


def read_checkpoint_meta(path: str | Path) -> dict:
    """The checkpoint's metadata dict. Raises CheckpointError if it is not a signkit checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} not found; expected a signkit .safetensors file")
    try:
        with safe_open(str(path), framework="pt") as f:
            raw = (f.metadata() or {}).get("signkit")
    except Exception as e:  # safetensors raises its own error types for non-safetensors files
        raise CheckpointError(f"{path}: not a safetensors file ({e}); expected a signkit checkpoint") from e
    if raw is None:
        raise CheckpointError(f"{path}: safetensors file without signkit metadata; expected a signkit checkpoint")
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: format {meta.get('format')!r}; expected {FORMAT!r}")
    return meta


def load_checkpoint(path: str | Path) -> tuple[torch.nn.Module, dict]:
    """Rebuild the model (eval mode) from a checkpoint; returns ``(model, metadata)``."""
    from safetensors.torch import load_file

    meta = read_checkpoint_meta(path)
    import inspect

    from .models.registry import _MODELS

    args = dict(meta["model_args"])
    params = inspect.signature(_MODELS[meta["model"]][0]).parameters if meta["model"] in _MODELS else {}
    args.update({k: None for k in INIT_ONLY_ARGS if k in params})  # the weights come from this file
    model = create_model(meta["model"], num_classes=meta["num_classes"], layout=meta["layout"], **args)
    state = load_file(str(path))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not match model {meta['model']!r}: {e}") from e
    return model.eval(), meta
