"""Input kinds: what differs between keypoint sequences, hand-shape images, hand landmarks and pixel
clips, in one object per kind, so that training, evaluation, prediction, export, bench, prune and
distillation ask the kind instead of testing strings.

A kind owns, for its input:

- the **input spec** (:class:`InputSpec`) stored in checkpoints: layout, channels, side, frames;
- the arguments a model is built with (``layout``; ``in_chans``/``img_size``; ``frames``), checked
  against the model's own kind and arguments (one frame count: ``data.num_frames``);
- the **augmentation keys** it accepts in ``data.augment`` (any other key is an error) and the
  train/eval transforms;
- the **collate** function of a batch and the ONNX input names and dynamic axes;
- the **example input** of export and bench (zeros of the model's input shape);
- the **preprocessing of raw inputs** for prediction (keypoint sequences, images, videos).

:func:`open_dataset` opens a dataset split as a run needs it: the registry's loader
(:func:`signkit.data.load_dataset`), given the MediaPipe perception when it needs one, then the
wrappers of ``data.options`` (``exclude_glosses``, ``per_class``, and the image views ``landmarks``
and ``hand_crop``).

Tensor shapes: keypoints ``x (B, T, J, C)`` + ``mask (B, T)``; images ``x (B, C, S, S)``; landmarks
``x (B, 21, 3)``; clips ``x (B, C, T, S, S)`` + ``mask (B, T)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .config import (KEYPOINT_AUGMENT, ClipAugment, Config, DataConfig, ImageAugment, KeypointAugment,
                     LandmarkAugmentConfig, check_section)
from .errors import ConfigError, KeypointFileError, LayoutMismatchError, NoHandError, UnknownNameError
from .keypoints import KeypointSequence, build_transforms, get_layout, pad_batch

# data.options keys handled here (wrappers), not by the dataset loaders
WRAPPER_OPTIONS = ("view", "hand", "mirror_left", "exclude_glosses", "other_glosses", "per_class", "per_class_seed",
                   "dominant_hand", "other_data")
VIEWS = ("landmarks", "hand_crop")


@dataclass(frozen=True)
class InputSpec:
    """The input a model takes, as stored in a checkpoint (``meta["input"]``).

    ``kind``: ``keypoints`` (``layout``, ``joints``, ``dims``, ``frames`` = fixed T or None),
    ``image`` (``channels``, ``size`` pixels), ``landmarks`` (``joints``, ``dims``) or ``clip``
    (``channels`` streams, ``size`` pixels, ``frames``).
    """

    kind: str
    layout: str | None = None
    channels: int | None = None
    size: int | None = None
    frames: int | None = None
    joints: int | None = None
    dims: int | None = None

    @property
    def name(self) -> str:
        """A one-word description, also stored as ``meta["layout"]``: the keypoint layout's name,
        ``image:CxSxS``, ``landmarks:JxD`` or ``clip:CxSxS``."""
        if self.kind == "keypoints":
            return str(self.layout)
        if self.kind == "image":
            return f"image:{self.channels}x{self.size}x{self.size}"
        if self.kind == "landmarks":
            return f"landmarks:{self.joints}x{self.dims}"
        return f"clip:{self.channels}x{self.size}x{self.size}"

    def to_dict(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    # limits of a spec read from a file: beyond them a crafted checkpoint could make signkit allocate
    # without bound (a clip of 10^9 frames) before anything else fails
    LIMITS = {"channels": (1, 64), "size": (1, 4096), "frames": (1, 100_000), "joints": (1, 4096), "dims": (1, 4)}

    def check(self) -> "InputSpec":
        """This spec, after checking its fields' types and ranges (:attr:`LIMITS`).

        Raises:
            LayoutMismatchError: naming the field, the allowed range and what was found.
        """
        if self.kind not in KINDS:
            raise LayoutMismatchError(f"input kind {self.kind!r}; expected one of {sorted(KINDS)}")
        for k, (lo, hi) in self.LIMITS.items():
            v = getattr(self, k)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi):
                raise LayoutMismatchError(f"input {k} {v!r}; expected an integer in {lo}..{hi}")
        if self.layout is not None and not isinstance(self.layout, str):
            raise LayoutMismatchError(f"input layout {self.layout!r}; expected a layout name")
        return self

    @classmethod
    def from_meta(cls, meta: dict) -> "InputSpec":
        """The spec of a checkpoint's metadata (``meta["input"]``; older checkpoints: from ``layout``
        and ``preprocessing``).

        Raises:
            LayoutMismatchError: the metadata describes no known input.
        """
        raw = meta.get("input")
        if isinstance(raw, dict):
            names = {f.name for f in dataclasses.fields(cls)}
            if raw.get("kind") not in KINDS or set(raw) - names:
                raise LayoutMismatchError(f"checkpoint input {str(raw)[:200]}; expected kind one of {sorted(KINDS)} "
                                          f"and keys among {sorted(names)}")
            spec = cls(**raw).check()
            if spec.kind == "keypoints":
                get_layout(spec.layout)  # a registered layout, or UnknownNameError listing them
            if spec.kind == "clip" and spec.frames is None:
                raise LayoutMismatchError("checkpoint clip input without frames; expected frames 1..100000")
            return spec
        layout = str(meta.get("layout", ""))
        prep = meta.get("preprocessing") or {}
        try:
            if layout.startswith("image:"):
                c, s, _ = (int(v) for v in layout.split(":", 1)[1].split("x"))
                return cls("image", channels=c, size=s).check()
            if layout.startswith("landmarks:"):
                j, d = (int(v) for v in layout.split(":", 1)[1].split("x"))
                return cls("landmarks", joints=j, dims=d).check()
            if layout.startswith("clip:"):
                c, s, _ = (int(v) for v in layout.split(":", 1)[1].split("x"))
                opts = (meta.get("config") or {}).get("data", {}).get("options") or {}
                return cls("clip", channels=c, size=s, frames=int(opts.get("num_frames", 32))).check()
        except (ValueError, TypeError, AttributeError):
            raise LayoutMismatchError(f"checkpoint layout {layout[:100]!r} is malformed") from None
        lay = get_layout(layout)
        return cls("keypoints", layout=lay.name, joints=lay.num_joints, dims=lay.dims,
                   frames=prep.get("num_frames")).check()


class InputKind:
    """The interface every kind implements (see the module docstring)."""

    name: str = ""
    augment_section: type = KeypointAugment  # the typed data.augment section of this kind
    default_augment: dict = {}
    input_names: tuple[str, ...] = ("x", "mask")

    # --- data -------------------------------------------------------------------------------
    def spec(self, dataset, data: DataConfig) -> InputSpec:
        raise NotImplementedError

    def collate(self, items: list[dict]) -> dict:
        raise NotImplementedError

    @property
    def augment_keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self.augment_section))

    def augment(self, data: DataConfig) -> dict:
        """``data.augment`` checked against this kind's typed section (keys and types; the keypoint
        default counts as unset for the other kinds, which then use their own default).

        Raises:
            ConfigError: a key this kind does not know (the message lists the allowed ones), or a value
            of the wrong type.
        """
        aug = data.augment
        if aug is None or (self.name != "keypoints" and aug == KEYPOINT_AUGMENT):
            return dict(self.default_augment)
        unknown = sorted(set(aug) - set(self.augment_keys), key=str)
        if unknown:
            raise ConfigError(f"data.augment: unknown key(s) {unknown} for {self.name} input; expected "
                              f"{', '.join(self.augment_keys)}")
        return check_section(self.augment_section, dict(aug), "data.augment")

    def transforms(self, preprocessing: dict, augment: dict | None) -> Callable | None:
        """The transform of one dataset item: augmenting when ``augment`` is given (training), else the
        deterministic evaluation transform of ``preprocessing`` (a checkpoint's ``meta["preprocessing"]``)."""
        raise NotImplementedError

    # --- models -----------------------------------------------------------------------------
    def model_inputs(self, spec: InputSpec) -> dict:
        """The arguments the model is built with, from the input spec."""
        raise NotImplementedError

    def create_model(self, name: str, num_classes: int, spec: InputSpec, args: dict | None = None,
                     pretrained: bool | None = None, checkpoint_path: str | None = None) -> torch.nn.Module:
        """Build model ``name`` for this input.

        Raises:
            UnknownNameError: unknown model. LayoutMismatchError: a model of another input kind.
            ConfigError: ``args`` repeats an input argument (``frames`` is ``data.num_frames``) or names
            one the model does not take.
        """
        from .models import create_model, model_kind

        mk = model_kind(name)
        if mk != self.name:
            raise LayoutMismatchError(f"model {name!r} takes {mk} input; the dataset gives {self.name} "
                                      f"(see `signkit models`)")
        inputs = self.model_inputs(spec)
        args = dict(args or {})
        clash = sorted(set(args) & set(inputs))
        if clash:
            where = {"frames": "data.num_frames", "layout": "the dataset", "in_chans": "data.channels",
                     "img_size": "data.image_size"}
            raise ConfigError(f"model.args {clash} are set by the data ({', '.join(where.get(c, 'the dataset') for c in clash)}); "
                              f"remove them from model.args")
        return create_model(name, num_classes, pretrained=pretrained, checkpoint_path=checkpoint_path,
                            **inputs, **args)

    def example_inputs(self, spec: InputSpec, batch: int = 1) -> tuple[torch.Tensor, ...]:
        """Zero inputs of the model's input shape, in the order of :attr:`input_names`."""
        raise NotImplementedError

    def full_mask(self, x):
        """An all-True ``mask (B, T)`` for a batch ``x`` (numpy or torch) of this kind."""
        return np.ones(x.shape[:2], dtype=bool)

    def dynamic_axes(self) -> dict:
        """ONNX dynamic axes of inputs and output."""
        return {**{n: {0: "batch"} for n in self.input_names}, "logits": {0: "batch"}}

    # --- prediction -------------------------------------------------------------------------
    def preprocess(self, inputs: list, meta: dict) -> dict:
        """A batch ``{"x", ["mask"]}`` of raw inputs (see each kind) with a checkpoint's preprocessing."""
        raise NotImplementedError


class KeypointKind(InputKind):
    """Keypoint sequences (:class:`~signkit.keypoints.KeypointSequence`, ``(T, J, C)`` in the layout's
    units), padded into ``x (B, T, J, C)`` and ``mask (B, T)``; resampled to ``data.num_frames``."""

    name = "keypoints"
    augment_section = KeypointAugment
    default_augment = KEYPOINT_AUGMENT

    def spec(self, dataset, data: DataConfig) -> InputSpec:
        lay = dataset.layout
        return InputSpec("keypoints", layout=lay.name, joints=lay.num_joints, dims=lay.dims, frames=data.num_frames)

    def collate(self, items):
        from .data import collate

        return collate(items)

    def transforms(self, preprocessing, augment):
        return build_transforms({**preprocessing, "augment": augment or {}}, train=augment is not None)

    def model_inputs(self, spec):
        return {"layout": spec.layout}

    def example_inputs(self, spec, batch=1):
        lay = get_layout(spec.layout)
        t = spec.frames or 64
        return torch.zeros(batch, t, lay.num_joints, lay.dims), torch.ones(batch, t, dtype=torch.bool)

    def dynamic_axes(self):
        return {"x": {0: "batch", 1: "frames"}, "mask": {0: "batch", 1: "frames"}, "logits": {0: "batch"}}

    def preprocess(self, inputs: list[KeypointSequence], meta: dict) -> dict:
        """``inputs``: raw (unpreprocessed) sequences of the checkpoint's layout.

        Raises:
            LayoutMismatchError: a sequence of another layout.
        """
        spec = InputSpec.from_meta(meta)
        lay = get_layout(spec.layout)
        for s in inputs:
            if not isinstance(s, KeypointSequence):
                raise LayoutMismatchError(f"the checkpoint takes keypoint sequences of layout {lay.name!r}; found "
                                          f"{type(s).__name__}")
            if s.valid_frames == 0:
                where = s.meta.get("path") or "the input"
                raise KeypointFileError(f"{where}: no landmarks in any of its {len(s)} frame(s) (every value missing, "
                                        f"non-finite or masked); expected at least one detected frame")
            if s.layout.name != lay.name:
                raise LayoutMismatchError(
                    f"the checkpoint expects layout {lay.name!r} ({lay.num_joints} joints x {lay.dims}); the input "
                    f"has layout {s.layout.name!r} ({s.layout.num_joints} joints x {s.layout.dims})")
        inputs = [to_space(s, meta.get("space")) for s in inputs]
        side = data_options(meta).get("dominant_hand")
        if side:  # trained with left-handed signing mirrored onto the right: mirror inputs alike
            from .keypoints.dominant import mirror_to

            inputs = [mirror_to(s, side) for s in inputs]
        tf = self.transforms(meta["preprocessing"], None)
        x, mask = pad_batch([tf(s) for s in inputs])
        if not torch.isfinite(x).all():
            raise KeypointFileError("keypoint values overflow when normalised (coordinates near the float32 "
                                    "limit); expected coordinates of a real recording")
        return {"x": x, "mask": mask}


def to_space(seq: KeypointSequence, space: str | None) -> KeypointSequence:
    """``seq`` in the coordinate space a checkpoint was trained on. The one conversion: pixels
    (``image_px``, with ``meta["width"]``/``["height"]``, as extraction and live tracking give them)
    to coordinates normalised by the image size (``normalised``: x / W, y / H, z unchanged, as in the
    ISLR competition's files). Other spaces pass unchanged (normalisation makes them comparable).

    Raises:
        LayoutMismatchError: pixels without a known image size for a ``normalised`` checkpoint.
    """
    if space != "normalised" or seq.space != "image_px":
        return seq
    w, h = seq.meta.get("width"), seq.meta.get("height")
    if not w or not h:
        where = seq.meta.get("path") or "the input"
        raise LayoutMismatchError(f"{where}: the checkpoint was trained on coordinates normalised by the image size; "
                                  f"the input is in pixels without its image size (meta width/height)")
    scale = np.array([1.0 / float(w), 1.0 / float(h), 1.0][: seq.data.shape[-1]], np.float32)
    return seq.with_data(seq.data * scale, seq.mask, space="normalised")


def data_options(meta: dict) -> dict:
    """The ``data.options`` a checkpoint was trained with (view, hand, mirror_left, streams, ...)."""
    return dict((meta.get("config") or {}).get("data", {}).get("options") or {})


class ImageKind(InputKind):
    """Hand-shape images ``(H, W[, 3])`` uint8 -> ``x (B, C, S, S)`` (resized, grayscale or RGB,
    normalised); the ``hand_crop`` view crops each image to its hand first (MediaPipe Hands)."""

    name = "image"
    augment_section = ImageAugment
    default_augment = {"crop": 0.8, "rotation": 10.0, "color": 0.2}
    input_names = ("x",)

    def spec(self, dataset, data):
        return InputSpec("image", channels=data.channels, size=data.image_size)

    def collate(self, items):
        from .data.images import image_collate

        return image_collate(items)

    def transforms(self, preprocessing, augment):
        from .data.image_transforms import image_transform_from

        return image_transform_from({**preprocessing, "augment": augment or {}}, augment is not None)

    def model_inputs(self, spec):
        return {"in_chans": spec.channels, "img_size": spec.size}

    def example_inputs(self, spec, batch=1):
        return (torch.zeros(batch, spec.channels, spec.size, spec.size),)

    def from_detections(self, images: list[np.ndarray], detections: list | None, meta: dict) -> dict:
        """The batch of images and their MediaPipe Hands detections (``HandDetector.detect`` results,
        None where no hand: the centre square is used); detections matter only for the ``hand_crop``
        view."""
        from .data.images import crop_to_hand
        from .data.landmarks import hand_box

        if data_options(meta).get("view") == "hand_crop" and detections is not None:
            images = [crop_to_hand(im, hand_box(d[0], im.shape[1], im.shape[0]) if d is not None else None)
                      for im, d in zip(images, detections)]
        tf = self.transforms(meta["preprocessing"], None)
        return {"x": torch.stack([tf(im) for im in images])}

    def detect(self, images: list[np.ndarray], meta: dict) -> list | None:
        """MediaPipe Hands detections of ``images`` when the checkpoint needs them, else None."""
        opts = data_options(meta)
        if self.name != "landmarks" and opts.get("view") != "hand_crop":
            return None
        from .video.hands import HandDetector

        with HandDetector(hand=opts.get("hand", "first")) as det:
            return [det.detect(im) for im in images]

    def preprocess(self, inputs: list[np.ndarray], meta: dict) -> dict:
        """``inputs``: images ``(H, W[, 3])`` uint8."""
        for im in inputs:
            if not isinstance(im, np.ndarray):
                raise LayoutMismatchError(f"the checkpoint takes images ({InputSpec.from_meta(meta).name}); found "
                                          f"{type(im).__name__}")
        return self.from_detections(inputs, self.detect(inputs, meta), meta)


class LandmarkKind(ImageKind):
    """MediaPipe Hands' 21 landmarks of one image, normalised (wrist at the origin, hand size 1):
    ``x (B, 21, 3)``. Raw inputs are images; a hand must be found in each."""

    name = "landmarks"
    augment_section = LandmarkAugmentConfig
    default_augment = {"rotation": 10.0, "scale": 0.1, "jitter": 0.02}

    def spec(self, dataset, data):
        return InputSpec("landmarks", joints=21, dims=3)

    def collate(self, items):
        from .data.landmarks import landmark_collate

        return landmark_collate(items)

    def transforms(self, preprocessing, augment):
        from .data.landmarks import LandmarkAugment

        if not augment:
            return None
        return LandmarkAugment(**{k: float(v) for k, v in augment.items()})

    def model_inputs(self, spec):
        return {"num_joints": spec.joints, "dims": spec.dims}

    def example_inputs(self, spec, batch=1):
        return (torch.zeros(batch, spec.joints, spec.dims),)

    def from_detections(self, images, detections, meta):
        """Raises NoHandError when a detection is None (no hand found in that image)."""
        from .data.landmarks import normalise_landmarks

        if detections is None or any(d is None for d in detections):
            i = 0 if detections is None else next(i for i, d in enumerate(detections) if d is None)
            raise NoHandError(f"no hand found in image {i} ({images[i].shape[1]}x{images[i].shape[0]} pixels); "
                              f"the landmark classifier needs a visible hand")
        lm = np.stack([d[0] for d in detections])
        hands = np.array([d[1] for d in detections])
        mirror = bool(data_options(meta).get("mirror_left", False))
        return {"x": torch.from_numpy(normalise_landmarks(lm, hands, mirror))}


class ClipKind(InputKind):
    """Pixel clips: pose-guided crops (upper body, dominant hand) of a video, ``data.num_frames``
    central frames: ``x (B, C, T, S, S)`` in [0, 1] and ``mask (B, T)``."""

    name = "clip"
    augment_section = ClipAugment
    default_augment = {"shift": True}

    def spec(self, dataset, data):
        return InputSpec("clip", channels=dataset.channels, size=dataset.size, frames=dataset.num_frames)

    def collate(self, items):
        from .data.clips import clip_collate

        return clip_collate(items)

    def transforms(self, preprocessing, augment):
        from .data.clips import clip_augment

        return clip_augment if augment and augment.get("shift") else None

    def model_inputs(self, spec):
        return {"in_chans": spec.channels, "img_size": spec.size, "frames": spec.frames}

    def full_mask(self, x):
        return np.ones((x.shape[0], x.shape[2]), dtype=bool)

    def example_inputs(self, spec, batch=1):
        return (torch.zeros(batch, spec.channels, spec.frames, spec.size, spec.size),
                torch.ones(batch, spec.frames, dtype=torch.bool))

    def preprocess(self, inputs: list, meta: dict) -> dict:
        """``inputs``: video files or frame folders; the same crops, streams and frame count as in
        training.

        Raises:
            VideoError / SignkitError: an unreadable clip, or fewer frames than one block.
        """
        from .data.clips import ClipDataset, ClipSample, parse_streams
        from .video.perception import MEDIAPIPE

        for c in inputs:
            if not isinstance(c, (str, Path)):
                raise LayoutMismatchError(f"the checkpoint takes video clips (paths of videos or frame folders); "
                                          f"found {type(c).__name__}")
        spec = InputSpec.from_meta(meta)
        opts = {"streams": "upper+hand", "rgb": False, "size": 64, **data_options(meta)}
        vocab = meta["vocabulary"]
        ds = ClipDataset([ClipSample(str(c), vocab[0], str(c)) for c in inputs], vocab, "clips", "predict",
                         streams=parse_streams(opts["streams"]), rgb=bool(opts["rgb"]), size=int(opts["size"]),
                         num_frames=int(spec.frames), perception=MEDIAPIPE)
        b = self.collate([ds[i] for i in range(len(ds))])
        return {"x": b["x"], "mask": b["mask"]}


KINDS: dict[str, InputKind] = {k.name: k for k in (KeypointKind(), ImageKind(), LandmarkKind(), ClipKind())}


def get_kind(name: str) -> InputKind:
    """The kind called ``name``; raises UnknownNameError listing the kinds."""
    if name not in KINDS:
        raise UnknownNameError(f"unknown input kind {name!r}; expected one of {sorted(KINDS)}")
    return KINDS[name]


def kind_of(dataset) -> InputKind:
    """The kind of a dataset's items (its ``kind`` attribute)."""
    return get_kind(getattr(dataset, "kind", "keypoints"))


def _open_others(names, ds, root) -> list:
    """The datasets of ``data.options.other_data`` (a name or a list of names), training split, in
    ``ds``' layout where their loader takes ``layout``."""
    from .data.registry import takes

    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"data.options.other_data must be a dataset name or a list of names; found {names!r}")
    lay = getattr(getattr(ds, "layout", None), "name", None)
    return [open_dataset(n, "train", root, **({"layout": lay} if lay and takes(n, "layout") else {})) for n in names]


def open_dataset(name: str, split: str = "train", root=None, *, num_frames: int | None = None, **options):
    """Open a dataset split with the wrappers of ``options``: ``exclude_glosses`` (classes left out of
    split and vocabulary), ``other_glosses`` (classes merged into one filler class ``<other>``),
    ``other_data`` (names of datasets whose training samples join the training split as ``<other>``,
    opened in this dataset's layout), ``dominant_hand`` (keypoints: ``right`` or ``left``, sequences signed with the other hand mirrored
    onto it), ``per_class`` / ``per_class_seed`` (training split only: N seeded samples
    per class), ``view`` (image datasets: ``landmarks`` or ``hand_crop``, with ``hand`` and
    ``mirror_left``, see :mod:`signkit.video.hands`). Every other option goes to the loader.
    ``num_frames`` (``data.num_frames``) goes to loaders that build fixed-length items (clips); a
    loader that runs MediaPipe gets :data:`signkit.video.perception.MEDIAPIPE`.

    Raises:
        UnknownNameError: unknown dataset or view. ConfigError: an option nobody takes, a frame count
        given in ``data.options``, or a view of a dataset that is not made of images.
    """
    from .data.registry import load_dataset, takes
    from .data.wrappers import dominant_hand, exclude_glosses, other_data, other_glosses, per_class

    from .data.registry import dataset_options

    opts = dict(options)
    wrap = {k: opts.pop(k) for k in WRAPPER_OPTIONS if k in opts}
    bad = sorted(set(opts) - set(dataset_options(name)) - {"num_frames"}, key=str)
    if bad:
        raise ConfigError(f"dataset {name!r} takes no option(s) {bad} in data.options; it takes "
                          f"{dataset_options(name)} and the wrappers {list(WRAPPER_OPTIONS)}")
    if "num_frames" in opts:
        raise ConfigError("data.options.num_frames: the frame count of a run is data.num_frames (one key); "
                          "remove it from data.options")
    run: dict = {}
    if takes(name, "perception"):
        from .video.perception import MEDIAPIPE

        run["perception"] = MEDIAPIPE
    if takes(name, "num_frames") and num_frames is not None:
        run["num_frames"] = int(num_frames)
    ds = load_dataset(name, split, root, **run, **opts)
    if wrap.get("exclude_glosses"):
        ds = exclude_glosses(ds, wrap["exclude_glosses"])
    if wrap.get("other_glosses"):
        ds = other_glosses(ds, wrap["other_glosses"])
    if wrap.get("other_data"):
        ds = other_data(ds, _open_others(wrap["other_data"], ds, root), split)
    if wrap.get("dominant_hand"):
        ds = dominant_hand(ds, wrap["dominant_hand"])
    if wrap.get("per_class") is not None and split == "train":
        ds = per_class(ds, wrap["per_class"], wrap.get("per_class_seed", 0))
    view = wrap.get("view")
    if view is None:
        return ds
    if view not in VIEWS:
        raise UnknownNameError(f"unknown dataset view {view!r}; expected one of {list(VIEWS)}")
    if ds.kind != "image":
        raise ConfigError(f"view {view!r} needs an image dataset; {name!r} holds {ds.kind}")
    from .video.hands import check_hand_choice, hand_crop_view, landmark_view

    hand = check_hand_choice(wrap.get("hand", "first"))
    if view == "landmarks":
        return landmark_view(ds, mirror_left=bool(wrap.get("mirror_left", False)), hand=hand)
    return hand_crop_view(ds, hand=hand)


def open_config_dataset(cfg: Config | DataConfig, split: str, root: str | None = None):
    """:func:`open_dataset` of a config's ``data`` section (``root`` overrides ``data.root``)."""
    d = cfg.data if isinstance(cfg, Config) else cfg
    opts = dict(d.options)
    from .data.registry import takes

    if d.num_frames is None and takes(d.name, "num_frames"):
        raise ConfigError(f"dataset {d.name!r} needs data.num_frames (frames per clip); found null")
    if "num_frames" in opts:
        raise ConfigError("data.options.num_frames: the frame count of a run is data.num_frames (one key); "
                          "remove it from data.options")
    return open_dataset(d.name, split, root or d.root, num_frames=d.num_frames, **opts)

