"""Run configuration as data: dataclasses read from YAML, with ``key=value`` overrides.

The dataclass defaults are the main job: the ``tcn`` model on FPHA, official 1:1 split
(``configs/fpha/tcn.yaml`` holds the same values).
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SignkitError, UnknownNameError


@dataclass
class DataConfig:
    """Dataset and preprocessing. ``options`` go to the dataset loader (e.g. ``protocol: loso``)."""

    name: str = "fpha"
    root: str | None = None
    options: dict = field(default_factory=dict)
    val_fraction: float = 0.1          # per-class hold-out of the training split for model selection
    num_frames: int | None = 64        # resample to fixed length; null keeps variable length (padded)
    max_frames: int | None = None      # with num_frames null: resample only longer sequences to this
    normalize: bool = True
    per_frame: bool = False
    scale: float | None = None
    image_size: int = 28               # image datasets: output side (pixels)
    channels: int = 1                  # image datasets: 1 = grayscale, 3 = RGB
    image_normalize: str = "unit"      # image datasets: "unit" or "imagenet"
    augment: dict = field(default_factory=lambda: {"crop": 0.8, "speed": 0.2, "rotation": 15.0, "scale": 0.1,
                                                   "shift": 0.1, "jitter": 0.01})

    def preprocessing(self) -> dict:
        """The deterministic (evaluation) part, stored in checkpoints."""
        return {"num_frames": self.num_frames, "max_frames": self.max_frames, "normalize": self.normalize,
                "per_frame": self.per_frame, "scale": self.scale, "image_size": self.image_size,
                "channels": self.channels, "image_normalize": self.image_normalize}


@dataclass
class ModelConfig:
    name: str = "tcn"
    args: dict = field(default_factory=dict)


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_size: int = 16
    optimizer: str = "adamw"           # "adam" (L2 weight decay), "adamw" (decoupled) or "sgd" (momentum 0.9)
    lr: float = 2e-3
    weight_decay: float = 1e-2
    schedule: str = "cosine"           # "cosine", "step" (x0.1 at 2/3 of training) or "none"
    label_smoothing: float = 0.1
    class_weights: str = "none"        # "none" or "balanced" (cross-entropy weighted n / (K * n_c))
    seed: int = 0
    accelerator: str = "cpu"
    devices: int = 1
    strategy: str = "auto"             # "ddp" for multi-process training
    num_workers: int = 0
    precision: str = "32-true"
    progress: str = "auto"             # "rich", "lines" or "none"; auto = rich on a terminal


@dataclass
class Config:
    name: str = "fpha_tcn"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    output_dir: str = "runs"

    def to_dict(self) -> dict:
        return asdict(self)


_SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


def _coerce(v: Any) -> Any:
    """YAML 1.1 reads ``1e-3`` as a string; turn numeric strings into floats (recursively)."""
    if isinstance(v, str):
        try:
            return float(v) if any(c in v for c in "eE.") and not v.strip().isalpha() else v
        except ValueError:
            return v
    if isinstance(v, dict):
        return {k: _coerce(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_coerce(x) for x in v]
    return v


def config_from_dict(d: dict) -> Config:
    """Build a :class:`Config`; raises UnknownNameError on an unknown key (naming the known ones)."""
    d = _coerce(dict(d or {}))
    kwargs: dict[str, Any] = {}
    top = {f.name for f in dataclasses.fields(Config)}
    for k, v in d.items():
        if k not in top:
            raise UnknownNameError(f"unknown config key {k!r}; expected one of {sorted(top)}")
        if k in _SECTIONS:
            cls = _SECTIONS[k]
            names = {f.name for f in dataclasses.fields(cls)}
            bad = set(v or {}) - names
            if bad:
                raise UnknownNameError(f"unknown key(s) {sorted(bad)} in config section {k!r}; expected {sorted(names)}")
            kwargs[k] = cls(**(v or {}))
        else:
            kwargs[k] = v
    return Config(**kwargs)


def apply_overrides(d: dict, overrides: list[str]) -> dict:
    """Apply ``section.key=value`` overrides (values parsed as YAML) to a config dict."""
    d = yaml.safe_load(yaml.safe_dump(d))  # deep copy
    for ov in overrides or []:
        if "=" not in ov:
            raise SignkitError(f"override {ov!r} must look like key=value, e.g. train.epochs=5")
        key, val = ov.split("=", 1)
        node = d
        parts = key.strip().split(".")
        for p in parts[:-1]:
            if node.get(p) is None:
                node[p] = {}
            node = node[p]
        node[parts[-1]] = yaml.safe_load(val)
    return d


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML config (None = the built-in main job) and apply overrides.

    Raises:
        SignkitError: the file is missing or not a YAML mapping. UnknownNameError: unknown key.
    """
    base = Config().to_dict()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise SignkitError(f"config file {str(p)!r} not found; expected a YAML file such as configs/fpha/tcn.yaml")
        user = yaml.safe_load(p.read_text())
        if not isinstance(user, dict):
            raise SignkitError(f"config {str(p)!r} must be a YAML mapping; found {type(user).__name__}")
        for k, v in user.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                base[k] = {**base[k], **v}
            else:
                base[k] = v
        base.setdefault("name", p.stem)
    return config_from_dict(apply_overrides(base, overrides or []))
