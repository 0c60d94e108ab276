"""Self-describing checkpoints in safetensors: weights plus JSON metadata, no pickle.

The metadata (``__metadata__["signkit"]``) holds the model name and arguments, the input kind and
spec (:class:`~signkit.kinds.InputSpec`), vocabulary, preprocessing, the full config and the metrics.
Loading parses JSON and tensors only, so a checkpoint can never execute code; the model is rebuilt by
its input kind (:meth:`~signkit.kinds.InputKind.create_model`) from the registry.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from .config import check_preprocessing
from .errors import CheckpointError, SignkitError
from .kinds import InputSpec, get_kind
from .storage import atomic_path

FORMAT = "signkit-checkpoint"
VERSION = 2
MAX_METADATA_BYTES = 4_000_000      # the JSON metadata of a real checkpoint is a few kB
MAX_CLASSES = 100_000
MAX_PARAMETERS = 500_000_000        # checked on the meta device, before any memory is allocated


def save_checkpoint(path: str | Path, model: torch.nn.Module, *, model_name: str, model_args: dict,
                    vocabulary: list[str], spec: InputSpec, preprocessing: dict, config: dict,
                    metrics: dict | None = None, space: str | None = None) -> Path:
    """Write the checkpoint atomically (``.part`` file, then rename). ``space``: the coordinate space
    of the keypoints the model was trained on (``image_px``, ``normalised`` by the image size as in
    ISLR's files, ``mm``, ...), so that a live stream can be given the same units."""
    path = Path(path)
    meta = {"format": FORMAT, "version": VERSION, "model": model_name, "model_args": model_args,
            "kind": spec.kind, "input": spec.to_dict(), "layout": spec.name,
            "num_classes": len(vocabulary), "vocabulary": vocabulary,
            "preprocessing": preprocessing, "config": config, "metrics": metrics or {}}
    if space is not None:
        meta["space"] = str(space)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_path(path, ".safetensors") as tmp:
        save_file(state, str(tmp), metadata={"signkit": json.dumps(meta)})
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
    return parse_meta(raw, path)


def parse_meta(raw: str, where) -> dict:
    """Parse and check signkit metadata (JSON text) read from ``where`` (a checkpoint or ONNX file):
    size, JSON object, format, the types of the fields every command uses, the vocabulary against
    ``num_classes``, and the input spec's ranges.

    Raises:
        CheckpointError: one line naming the file, the field, what was expected and what was found.
    """
    if not isinstance(raw, str) or len(raw) > MAX_METADATA_BYTES:
        raise CheckpointError(f"{where}: signkit metadata of {len(raw) if isinstance(raw, str) else '?'} characters; "
                              f"expected JSON text of at most {MAX_METADATA_BYTES:,}")
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise CheckpointError(f"{where}: signkit metadata is not valid JSON ({str(e)[:120]})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"{where}: signkit metadata is a JSON {type(meta).__name__}; expected an object")
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{where}: format {str(meta.get('format'))[:80]!r}; expected {FORMAT!r}")
    types = {"model": str, "model_args": dict, "num_classes": int, "vocabulary": list, "preprocessing": dict,
             "config": dict, "metrics": dict}
    for k, tp in types.items():
        if not isinstance(meta.get(k), tp) or (tp is int and isinstance(meta.get(k), bool)):
            raise CheckpointError(f"{where}: metadata field {k!r} is {type(meta.get(k)).__name__}; expected "
                                  f"{tp.__name__}")
    vocab, k = meta["vocabulary"], meta["num_classes"]
    if not 1 <= k <= MAX_CLASSES or len(vocab) != k or not all(isinstance(g, str) for g in vocab):
        raise CheckpointError(f"{where}: vocabulary of {len(vocab)} entries for num_classes {k}; expected "
                              f"{k} gloss strings (1..{MAX_CLASSES:,})")
    if len(set(vocab)) != len(vocab):
        raise CheckpointError(f"{where}: the vocabulary repeats glosses; expected {k} distinct glosses")
    try:
        check_preprocessing(meta["preprocessing"], "metadata preprocessing")
        InputSpec.from_meta(meta)
    except SignkitError as e:
        raise CheckpointError(f"{where}: {e}") from None
    return meta


def input_spec(meta: dict) -> InputSpec:
    """The :class:`~signkit.kinds.InputSpec` of a checkpoint's metadata (also for version-1 files)."""
    return InputSpec.from_meta(meta)


def build_model(meta: dict) -> torch.nn.Module:
    """The (untrained) model a checkpoint's metadata describes.

    Raises:
        CheckpointError: the metadata names an unknown model or arguments that do not fit it.
    """
    spec = input_spec(meta)
    args = {k: v for k, v in dict(meta.get("model_args") or {}).items()
            if k not in ("weights", "encoder_weights", "frames")}  # version 1 kept these in the arguments
    kind = get_kind(spec.kind)

    def build():
        return kind.create_model(meta["model"], int(meta["num_classes"]), spec, args, pretrained=False)

    try:
        with torch.device("meta"):  # count the parameters before allocating them
            n = sum(p.numel() for p in build().parameters())
        if n > MAX_PARAMETERS:
            raise CheckpointError(f"checkpoint model {meta['model']!r} with these arguments has {n:,} parameters; "
                                  f"expected at most {MAX_PARAMETERS:,}")
        return build()
    except CheckpointError:
        raise
    except SignkitError as e:
        raise CheckpointError(f"checkpoint model {str(meta.get('model'))[:80]!r} cannot be rebuilt: {e}") from None
    except (RuntimeError, ValueError, TypeError, OverflowError) as e:
        raise CheckpointError(f"checkpoint model {str(meta.get('model'))[:80]!r} cannot be rebuilt from its "
                              f"arguments: {' '.join(str(e).split())[:200]}") from None


def load_checkpoint(path: str | Path) -> tuple[torch.nn.Module, dict]:
    """Rebuild the model (eval mode) from a checkpoint; returns ``(model, metadata)``.

    Raises:
        CheckpointError: not a signkit checkpoint, or weights that do not match the model.
    """
    meta = read_checkpoint_meta(path)
    model = build_model(meta)
    state = load_file(str(path))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not match model {meta['model']!r}: {e}") from e
    return model.eval(), meta
