"""Pretrained models shipped inside the package (no download at run time): a signkit checkpoint
(``<name>.safetensors``, metadata and weights only, read with ``weights_only`` semantics) and its model
card (``<name>.md``: data, split, metrics, data licence, intended use and limits) per name.

Every command that takes a checkpoint takes one of these names instead (:func:`resolve`). Each is
trained from ``../shared/data`` by ``scripts/train_pretrained.py``.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnknownNameError

HERE = Path(__file__).resolve().parent

PRETRAINED: dict[str, str] = {  # name -> one line (the model card says the rest)
    "asl_fingerspelling": "ASL static letters (24, no J/Z) from MediaPipe hand landmarks; several people, "
                          "mirrored for left hands",
    "tsl_digits": "Turkish Sign Language digits 0-9 (Sign Language Digits, 218 students) from MediaPipe hand "
                  "landmarks, mirrored for either hand",
    "islr_signs": "ASL isolated signs hello/thankyou from MediaPipe Holistic whole-body landmarks (Google ISLR "
                  "competition files, 21 Deaf signers)",
}


def list_pretrained() -> dict[str, str]:
    """``{name: description}`` of the shipped models whose file is present."""
    return {k: v for k, v in PRETRAINED.items() if (HERE / f"{k}.safetensors").is_file()}


def pretrained_path(name: str) -> Path:
    """The checkpoint file of a shipped model.

    Raises:
        UnknownNameError: not a shipped model (the message lists them).
    """
    if name not in PRETRAINED or not (HERE / f"{name}.safetensors").is_file():
        raise UnknownNameError(f"unknown pretrained model {name!r}; expected one of {sorted(list_pretrained())}")
    return HERE / f"{name}.safetensors"


def model_card(name: str) -> str:
    """The model card (Markdown) of a shipped model; raises UnknownNameError for another name."""
    return pretrained_path(name).with_suffix(".md").read_text(encoding="utf-8")


def resolve(checkpoint: str | Path) -> Path:
    """A checkpoint path, or the file of a shipped model when ``checkpoint`` is a pretrained name and
    no file of that name exists (a file always wins)."""
    p = Path(checkpoint)
    if not p.exists() and isinstance(checkpoint, str) and checkpoint in PRETRAINED:
        return pretrained_path(checkpoint)
    return p
