"""Dataset registry: ``load_dataset("fpha", split="test")``."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import SignkitError, UnknownNameError
from .base import KeypointDataset
from .boston104 import load_boston104
from .clips import load_silfa_clips, load_video_clips
from .folder import load_folder
from .fpha import load_fpha
from .videos import load_videos
from .images import (load_asl_alphabet, load_asl_massey, load_image_folder, load_sign_language_digits,
                     load_sign_mnist, load_silfa_letters)

DATASETS: dict[str, tuple[Callable[..., KeypointDataset], str]] = {
    "fpha": (load_fpha, "FPHA 3D hand actions, 21 joints (mm), 45 actions, official 600/575 split or LOSO"),
    "rwth_boston104": (load_boston104, "RWTH-BOSTON-104 hand/nose tracks (px), 112 words, official split"),
    "videos": (load_videos, "your own <root>/<gloss>/<clip>.mp4, MediaPipe keypoints extracted once into a cache"),
    "sign_mnist": (load_sign_mnist, "Sign Language MNIST 28x28 grayscale, 24 letters, official 27,455/7,172 split"),
    "asl_massey": (load_asl_massey, "Massey ASL hand shapes, 36 classes, 5 people, leave-one-person-out"),
    "sign_language_digits": (load_sign_language_digits, "Sign Language Digits 100x100 RGB, seeded stratified split"),
    "silfa_letters": (load_silfa_letters, "SILFA fingerspelled letters A-Z, one signer, id-block split"),
    "image_folder": (load_image_folder, "your own <root>/<label>/*.jpg hand shapes"),
    "asl_alphabet": (load_asl_alphabet, "Kaggle ASL Alphabet layout (asl_alphabet_train/<class>/)"),
    "silfa_clips": (load_silfa_clips, "SILFA letters as pixel clips (pose-guided 64x64 crops), id-block split"),
    "video_clips": (load_video_clips, "your own <root>/<gloss>/<clip> videos or frame folders as pixel clips"),
    "folder": (load_folder, "your own <root>/<gloss>/<sample>.npz keypoints, signer-independent split"),
}


def register_dataset(name: str, loader: Callable[..., KeypointDataset], description: str = "") -> None:
    """Register a loader ``loader(split=..., root=..., **options) -> KeypointDataset``."""
    DATASETS[name] = (loader, description)


def list_datasets() -> dict[str, str]:
    """Registered dataset names and one-line descriptions."""
    return {k: v[1] for k, v in DATASETS.items()}


IMAGE_VIEWS = ("landmarks", "hand_crop")


def load_dataset(name: str, split: str = "train", root=None, view: str | None = None, mirror_left: bool = False,
                 hand: str = "first", exclude_glosses: list[str] | None = None, per_class: int | None = None,
                 per_class_seed: int = 0, **options) -> KeypointDataset:
    """Load a registered dataset split.

    ``view`` (image datasets only): ``"landmarks"`` -> MediaPipe hand landmarks of each image
    (:func:`~signkit.data.hand_landmarks.landmark_view`; ``mirror_left`` mirrors hands that MediaPipe
    calls left), ``"hand_crop"`` -> images cropped to the hand
    (:func:`~signkit.data.hand_landmarks.hand_crop_view`, the Sign-MNIST "28x28 view" with
    ``image_size: 28, channels: 1``). ``hand`` (both views): which hand MediaPipe's detections give when
    there are two, ``"first"`` (its most confident one) or ``"highest"`` (the raised hand: the signing
    hand in fingerspelling; see :class:`~signkit.data.hand_landmarks.HandDetector`).

    ``exclude_glosses``: leave these classes out of the split and the vocabulary, e.g. ``[J, Z]`` for
    the 24 static letters of a fingerspelling alphabet (J and Z are drawn in the air; Sign-MNIST has
    no J or Z for that reason).

    ``per_class`` (training split only): keep a seeded random ``per_class`` samples of each class
    (``per_class_seed``), for learning curves such as "10 images per class"; the test split is untouched.

    Raises:
        UnknownNameError: unknown dataset or view, or an excluded gloss not in the vocabulary (the
            message lists the known names).
        SignkitError: a view of a dataset that is not made of images, or ``per_class`` < 1.
    """
    if name not in DATASETS:
        raise UnknownNameError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}")
    ds = DATASETS[name][0](split=split, root=root, **options)
    if exclude_glosses:
        drop = {str(g) for g in ([exclude_glosses] if isinstance(exclude_glosses, str) else exclude_glosses)}
        if drop - set(ds.vocabulary):
            raise UnknownNameError(f"exclude_glosses: {sorted(drop - set(ds.vocabulary))} not in the vocabulary of "
                                   f"{name!r}; expected some of {ds.vocabulary}")
        info = {**ds.info, "excluded_glosses": sorted(drop)}
        ds = ds._derived(samples=[s for s in ds.samples if s.gloss not in drop],
                         vocabulary=[g for g in ds.vocabulary if g not in drop])
        ds.info = info
    if per_class is not None and split == "train":
        if int(per_class) < 1:
            raise SignkitError(f"per_class must be a positive number of samples per class; found {per_class}")
        rng = np.random.default_rng(per_class_seed)
        labels = ds.labels
        keep = sorted(i for c in np.unique(labels)
                      for i in rng.permutation(np.flatnonzero(labels == c))[: int(per_class)].tolist())
        ds = ds.subset(keep, split)
        ds.info = {**ds.info, "per_class": int(per_class), "per_class_seed": per_class_seed}
    if view is None:
        return ds
    if view not in IMAGE_VIEWS:
        raise UnknownNameError(f"unknown dataset view {view!r}; expected one of {list(IMAGE_VIEWS)}")
    if getattr(ds, "kind", "keypoints") != "image":
        raise SignkitError(f"view {view!r} needs an image dataset; {name!r} holds {getattr(ds, 'kind', 'keypoints')}")
    from .hand_landmarks import hand_crop_view, landmark_view

    return landmark_view(ds, mirror_left=mirror_left, hand=hand) if view == "landmarks" else hand_crop_view(ds, hand=hand)
