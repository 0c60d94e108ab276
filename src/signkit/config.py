"""Run configuration as data: typed dataclasses read from YAML, with ``key=value`` overrides.

The dataclass defaults are the main job: the ``tcn`` model on FPHA, official 1:1 split
(``configs/fpha/tcn.yaml`` holds the same values).

Every value keeps the type YAML gives it (a gloss ``"1"`` or a path stays a string; ``1e-3`` is a
float, as in YAML 1.2), and is then checked against the field's type: an unknown key or a value of
the wrong type is a :class:`ConfigError` naming the section, the allowed keys or the expected type.
What each input kind reads from ``data`` (and the augmentation keys it allows) is checked by
:mod:`signkit.kinds`; what a dataset accepts in ``data.options`` is checked against its loader.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import types
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, UnknownNameError

# the augmentation of keypoint sequences used when a config gives none (the main job's)
KEYPOINT_AUGMENT = {"crop": 0.8, "speed": 0.2, "rotation": 15.0, "scale": 0.1, "shift": 0.1, "jitter": 0.01}


@dataclass
class DataConfig:
    """Dataset and preprocessing.

    ``options`` go to the dataset loader (e.g. ``protocol: loso``) or to the dataset wrappers
    (``view``, ``hand``, ``mirror_left``, ``exclude_glosses``, ``per_class``, ``per_class_seed``).
    ``num_frames`` is the one frame count of a run: keypoint sequences are resampled to it (null keeps
    their length), pixel clips keep that many central frames, and pixel models are built for it.
    ``augment``: training augmentation, whose keys depend on the input kind (see :mod:`signkit.kinds`).
    """

    name: str = "fpha"
    root: str | None = None
    options: dict = field(default_factory=dict)
    val_fraction: float = 0.1          # per-class hold-out of the training split for model selection
    folds: int = 0                     # >= 2: cut the training split into per-class folds (seed 0) ...
    fold: int = 0                      # ... and leave this one out of training (out-of-fold teachers)
    num_frames: int | None = 64        # keypoints: resample to fixed length (null: variable, padded); clips: frames
    max_frames: int | None = None      # keypoints with num_frames null: resample only longer sequences to this
    normalize: bool = True             # keypoints
    per_frame: bool = False            # keypoints
    scale: float | None = None         # keypoints
    image_size: int = 28               # images: output side (pixels)
    channels: int = 1                  # images: 1 = grayscale, 3 = RGB
    image_normalize: str = "unit"      # images: "unit" or "imagenet"
    augment: dict = field(default_factory=lambda: dict(KEYPOINT_AUGMENT))

    def preprocessing(self) -> dict:
        """The deterministic (evaluation) part, stored in checkpoints."""
        return {"num_frames": self.num_frames, "max_frames": self.max_frames, "normalize": self.normalize,
                "per_frame": self.per_frame, "scale": self.scale, "image_size": self.image_size,
                "channels": self.channels, "image_normalize": self.image_normalize}


@dataclass
class ModelConfig:
    """A registered model (``signkit models``), its arguments, and where its initial weights come
    from, as in timm's ``create_model``: ``pretrained`` (the model's published weights, e.g. the
    ImageNet MobileNetV2 features in ``../shared/weights``) or ``checkpoint_path`` (a state dict in
    ``.safetensors`` / weights-only ``.pth``, or a signkit checkpoint; models with a partial loader,
    such as ``c3d_lstm`` from a ``c3d`` checkpoint, take what fits)."""

    name: str = "tcn"
    args: dict = field(default_factory=dict)
    pretrained: bool = False
    checkpoint_path: str | None = None


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_size: int = 16
    optimizer: str = "adamw"           # "adam" (L2 weight decay), "adamw" (decoupled) or "sgd" (momentum 0.9)
    lr: float = 2e-3
    weight_decay: float = 1e-2
    schedule: str = "cosine"           # "cosine", "step" (x0.1 at 2/3 of training) or "none"
    label_smoothing: float = 0.1
    warmup_epochs: int = 0             # linear warm-up of the learning rate (from 1 %) before the schedule
    mixup: float = 0.0                 # mixup alpha (Zhang et al. 2018): Beta(a, a) mixes of batch pairs; 0 = off
    ema: float = 0.0                   # exponential moving average of weights (decay, e.g. 0.999); 0 = off
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


# --- data.augment, one typed section per input kind (checked by signkit.kinds) ----------------------
@dataclass
class KeypointAugment:
    """Keypoint sequences: temporal crop (smallest kept fraction), speed (+-), rotation (degrees),
    scale (+-), shift and jitter (in normalised units), shear (+-, image plane), mirror (probability;
    left/right joints swapped), time_mask (largest blanked fraction of frames), joint_dropout and
    finger_dropout (probabilities per joint / finger). See :mod:`signkit.keypoints.transforms`."""

    crop: float | None = None
    speed: float | None = None
    rotation: float | None = None
    scale: float | None = None
    shift: float | None = None
    jitter: float | None = None
    shear: float | None = None
    mirror: float | None = None
    time_mask: float | None = None
    joint_dropout: float | None = None
    finger_dropout: float | None = None


@dataclass
class ImageAugment:
    """Images: random resized crop (smallest area), rotation (degrees), brightness/contrast (+-),
    horizontal flip (probability), translate (fraction of the side)."""

    crop: float | None = None
    rotation: float | None = None
    color: float | None = None
    flip: float | None = None
    translate: float | None = None


@dataclass
class LandmarkAugmentConfig:
    """Hand landmarks: in-plane rotation (degrees), scale (+-), Gaussian jitter (hand-size units),
    mirror (probability of a left-right flip, so that one model reads left- and right-handed signers)."""

    rotation: float | None = None
    scale: float | None = None
    jitter: float | None = None
    mirror: float | None = None


@dataclass
class ClipAugment:
    """Pixel clips: one random shift (up to 1/16 of the side) and brightness/contrast per clip."""

    shift: bool = False


def check_section(cls, values: dict, section: str) -> dict:
    """``values`` checked against the dataclass ``cls`` (keys and types; ints accepted for floats);
    returns the given keys with checked values.

    Raises:
        UnknownNameError: a key ``cls`` does not have (the message lists those it has).
        ConfigError: a value of the wrong type.
    """
    built = _build_section(cls, values, section)
    return {k: getattr(built, k) for k in values}


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 floats (``1e-3`` is a float, not the string YAML 1.1 makes it)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                   |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                   |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                   |[-+]?\.(?:inf|Inf|INF)
                   |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


class _Dumper(yaml.SafeDumper):
    """Writes strings that YAML 1.2 would read as numbers (``"1e3"``) in quotes."""


_Dumper.yaml_implicit_resolvers = {k: list(v) for k, v in _Loader.yaml_implicit_resolvers.items()}


def dump_yaml(data: Any) -> str:
    """YAML text that :func:`parse_yaml` reads back to the same values (types included)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False)


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML safely (no tags that build objects); raises ConfigError naming ``where``."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        msg = " ".join(str(e).split())
        raise ConfigError(f"{where}: not valid YAML ({msg[:300]})") from None
    except RecursionError:
        raise ConfigError(f"{where}: not valid YAML for signkit (nested too deeply)") from None


def _type_name(tp) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _check_value(section: str, key: str, value: Any, tp) -> Any:
    """``value`` if it fits the annotation ``tp`` (ints accepted for floats), else ConfigError."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        last = None
        for alt in typing.get_args(tp):
            try:
                return _check_value(section, key, value, alt)
            except ConfigError as e:
                last = e
        raise ConfigError(f"config {section}.{key}: expected {_type_name(tp)}; found {value!r}") from last
    if tp is type(None):
        if value is None:
            return None
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif tp is dict or origin is dict:
        if isinstance(value, dict):
            return value
    elif tp is list or origin is list:
        if isinstance(value, list):
            return value
    else:  # pragma: no cover - every field above is one of these
        return value
    raise ConfigError(f"config {section}.{key}: expected {_type_name(tp)}; found {value!r} "
                      f"({type(value).__name__})")


def _build_section(cls, values: Any, section: str):
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(f"config section {section!r} must be a mapping; found {values!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    bad = sorted(set(values) - set(names), key=str)
    if bad:
        raise UnknownNameError(f"unknown key(s) {bad} in config section {section!r}; expected {sorted(names)}")
    return cls(**{k: _check_value(section, k, v, hints[k]) for k, v in values.items()})


# value ranges checked after the types: (section, key) -> (lowest, highest, what); None = unbounded
RANGES = {
    ("data", "num_frames"): (1, 100_000, "frames"), ("data", "max_frames"): (1, 100_000, "frames"),
    ("data", "val_fraction"): (0.0, 0.9, "fraction"),
    ("data", "folds"): (0, 1000, "folds"), ("data", "fold"): (0, 999, "fold"), ("data", "image_size"): (8, 1024, "pixels"),
    ("data", "channels"): (1, 3, "channels"), ("data", "scale"): (1e-9, None, "units"),
    ("train", "epochs"): (1, 100_000, "epochs"), ("train", "batch_size"): (1, 1_000_000, "samples"),
    ("train", "lr"): (1e-12, 100.0, "learning rate"), ("train", "weight_decay"): (0.0, 100.0, "weight decay"),
    ("train", "label_smoothing"): (0.0, 0.99, "fraction"), ("train", "devices"): (1, 1024, "devices"),
    ("train", "num_workers"): (0, 256, "processes"), ("train", "warmup_epochs"): (0, 100_000, "epochs"),
    ("train", "mixup"): (0.0, 100.0, "Beta alpha"), ("train", "ema"): (0.0, 0.999999, "decay"),
}
CHOICES = {
    ("data", "image_normalize"): ("unit", "imagenet"), ("train", "optimizer"): ("adam", "adamw", "sgd"),
    ("train", "schedule"): ("cosine", "step", "none"), ("train", "class_weights"): ("none", "balanced"),
    ("train", "progress"): ("auto", "rich", "lines", "none"),
}


def _check_ranges(cfg: "Config") -> None:
    import math

    for (sec, key), (lo, hi, what) in RANGES.items():
        v = getattr(getattr(cfg, sec), key)
        if v is None:
            continue
        if (isinstance(v, float) and not math.isfinite(v)) or v < lo or (hi is not None and v > hi):
            raise ConfigError(f"config {sec}.{key}: expected {lo}..{hi if hi is not None else 'any'} ({what}); "
                              f"found {v!r}")
    for (sec, key), allowed in CHOICES.items():
        v = getattr(getattr(cfg, sec), key)
        if v not in allowed:
            raise ConfigError(f"config {sec}.{key}: expected one of {list(allowed)}; found {v!r}")
    d = cfg.data
    if d.folds == 1 or (d.folds >= 2 and d.fold >= d.folds):
        raise ConfigError(f"config data.folds/data.fold: expected folds 0 (off) or >= 2 and 0 <= fold < folds; "
                          f"found folds={d.folds}, fold={d.fold}")


def check_preprocessing(prep: dict, where: str = "preprocessing") -> dict:
    """A checkpoint's ``preprocessing`` (the evaluation part of ``data``, see
    :meth:`DataConfig.preprocessing`) checked for keys, types and the ranges of ``data`` (a crafted
    ``num_frames`` of 10^9 would otherwise resample every input to 10^9 frames).

    Raises:
        UnknownNameError / ConfigError: naming the key, what was expected and what was found.
    """
    if not isinstance(prep, dict):
        raise ConfigError(f"{where}: expected a mapping; found {type(prep).__name__}")
    d = _build_section(DataConfig, prep, where)
    _check_ranges(Config(data=d))
    return prep


def config_from_dict(d: dict) -> Config:
    """Build a :class:`Config` from a plain dict.

    Raises:
        UnknownNameError: an unknown key (the message lists the allowed keys).
        ConfigError: a value of the wrong type or out of range, a run name that is not one folder
            name, or a section that is not a mapping.
    """
    if not isinstance(d, dict):
        raise ConfigError(f"config must be a mapping; found {type(d).__name__}")
    d = dict(d)
    kwargs: dict[str, Any] = {}
    top = {f.name for f in dataclasses.fields(Config)}
    for k, v in d.items():
        if k not in top:
            raise UnknownNameError(f"unknown config key {k!r}; expected one of {sorted(top)}")
        if k in _SECTIONS:
            kwargs[k] = _build_section(_SECTIONS[k], v, k)
        else:
            kwargs[k] = _check_value("config", k, v, str)
    cfg = Config(**kwargs)
    check_run_name(cfg.name)
    _check_ranges(cfg)
    return cfg


def check_run_name(name: str) -> str:
    """A run name is one path component (the run folder is ``<output_dir>/<name>/<stamp>``): not
    empty, not ``.`` or ``..``, no ``/`` or ``\\``, no control characters.

    Raises:
        ConfigError: naming what was found.
    """
    if (not name or name in (".", "..") or any(c in name for c in "/\\") or any(ord(c) < 32 for c in name)
            or Path(name).is_absolute()):
        raise ConfigError(f"config name {name!r}: expected one folder name (letters, digits, '-', '_', '.'), "
                          f"without '/', '\\' or '..'")
    return name


def apply_overrides(d: dict, overrides: list[str]) -> dict:
    """Apply ``section.key=value`` overrides (values parsed as YAML 1.2) to a config dict (a copy).

    Raises:
        ConfigError: an override that is not ``key=value``, or whose value is not valid YAML.
    """
    d = copy.deepcopy(d)
    for ov in overrides or []:
        if "=" not in ov:
            raise ConfigError(f"override {ov!r} must look like key=value, e.g. train.epochs=5")
        key, val = ov.split("=", 1)
        parts = key.strip().split(".")
        if not all(parts):
            raise ConfigError(f"override {ov!r}: empty key part; expected e.g. train.epochs=5")
        node = d
        for p in parts[:-1]:
            if node.get(p) is None:
                node[p] = {}
            if not isinstance(node[p], dict):
                raise ConfigError(f"override {ov!r}: {p!r} is not a section (it holds {node[p]!r})")
            node = node[p]
        node[parts[-1]] = parse_yaml(val, f"override {ov!r}")
    return d


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML config (None = the built-in main job) and apply overrides.

    Raises:
        ConfigError: the file is missing, not YAML, not a mapping, or a value has the wrong type.
        UnknownNameError: an unknown key.
    """
    base = Config().to_dict()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {str(p)!r} not found; expected a YAML file such as configs/fpha/tcn.yaml")
        try:
            text = p.read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {str(p)!r} cannot be read as text ({e})") from None
        user = parse_yaml(text, str(p))
        if not isinstance(user, dict):
            raise ConfigError(f"config {str(p)!r} must be a YAML mapping; found {type(user).__name__}")
        for k, v in user.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                base[k] = {**base[k], **v}
            else:
                base[k] = v
        base.setdefault("name", p.stem)
    return config_from_dict(apply_overrides(base, overrides or []))
