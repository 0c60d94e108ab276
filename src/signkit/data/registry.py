"""Dataset registry: ``load_dataset("fpha", split="test")`` is a plain lookup of a loader
``loader(split=..., root=..., **options)``; an option the loader does not take is an error listing
those it takes. Views and subsets (``view``, ``exclude_glosses``, ``per_class``) are wrappers
applied by :func:`signkit.kinds.open_dataset`."""

from __future__ import annotations

import inspect
from typing import Callable

from ..errors import ConfigError, UnknownNameError
from .base import LabelledDataset
from .boston104 import load_boston104
from .clips import load_silfa_clips, load_video_clips
from .fingerspelling import load_asl_letters_users, load_fingerspelling_static
from .folder import load_folder
from .autsl import load_autsl
from .islr import load_islr
from .lsa64 import load_lsa64
from .wlasl import load_wlasl
from .fpha import load_fpha
from .images import (load_asl_alphabet, load_asl_massey, load_image_folder, load_sign_language_digits,
                     load_sign_mnist, load_silfa_letters)
from .videos import load_videos

DATASETS: dict[str, tuple[Callable[..., LabelledDataset], str]] = {
    "fpha": (load_fpha, "FPHA 3D hand actions, 21 joints (mm), 45 actions, official 600/575 split or LOSO"),
    "rwth_boston104": (load_boston104, "RWTH-BOSTON-104 hand/nose tracks (px), 112 words, official split"),
    "videos": (load_videos, "your own <root>/<gloss>/<clip>.mp4, MediaPipe keypoints extracted once into a cache"),
    "sign_mnist": (load_sign_mnist, "Sign Language MNIST 28x28 grayscale, 24 letters, official 27,455/7,172 split"),
    "asl_massey": (load_asl_massey, "Massey ASL hand shapes, 36 classes, 5 people, leave-one-person-out"),
    "sign_language_digits": (load_sign_language_digits, "Sign Language Digits 100x100 RGB, seeded stratified split"),
    "silfa_letters": (load_silfa_letters, "SILFA fingerspelled letters A-Z, one signer, id-block split"),
    "asl_letters_users": (load_asl_letters_users, "ASL static letters, webcam photos in 7 folders of several people, "
                          "leave-one-folder-out"),
    "fingerspelling_static": (load_fingerspelling_static, "24 static letters of asl_letters_users, asl_massey and "
                              "SILFA's first halves; hold_out=<source>:<signer>"),
    "image_folder": (load_image_folder, "your own <root>/<label>/*.jpg hand shapes"),
    "asl_alphabet": (load_asl_alphabet, "Kaggle ASL Alphabet layout (asl_alphabet_train/<class>/)"),
    "silfa_clips": (load_silfa_clips, "SILFA letters as pixel clips (pose-guided 64x64 crops), id-block split"),
    "video_clips": (load_video_clips, "your own <root>/<gloss>/<clip> videos or frame folders as pixel clips"),
    "islr": (load_islr, "Google ISLR (Kaggle asl-signs) landmark parquets, whole body, split by participant"),
    "wlasl": (load_wlasl, "WLASL split file (WLASL_v0.3.json or nslt_*.json) over videos or keypoint files, official split"),
    "autsl": (load_autsl, "AUTSL signer<S>_sample<N>_color.mp4 + <split>_labels.csv, official signer-independent split"),
    "lsa64": (load_lsa64, "LSA64 <sign>_<signer>_<rep>.mp4 clips, signer-independent split"),
    "folder": (load_folder, "your own <root>/<gloss>/<sample>.npz keypoints, signer-independent split"),
}

# keyword-only loader parameters that the run supplies (never set in data.options)
RUN_PARAMETERS = ("num_frames", "perception")


def register_dataset(name: str, loader: Callable[..., LabelledDataset], description: str = "") -> None:
    """Register a loader ``loader(split=..., root=..., **options) -> LabelledDataset``. A loader
    that takes the keyword ``perception`` gets the MediaPipe implementation of
    :class:`~signkit.data.perception.Perception`; one that takes ``num_frames`` gets ``data.num_frames``."""
    DATASETS[name] = (loader, description)


def list_datasets() -> dict[str, str]:
    """Registered dataset names and one-line descriptions."""
    return {k: v[1] for k, v in DATASETS.items()}


def dataset_loader(name: str) -> Callable[..., LabelledDataset]:
    """The loader of ``name``; raises UnknownNameError listing the registered names."""
    if name not in DATASETS:
        raise UnknownNameError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}")
    return DATASETS[name][0]


def dataset_options(name: str) -> list[str]:
    """The options (``data.options`` keys) the loader of ``name`` takes."""
    params = inspect.signature(dataset_loader(name)).parameters
    return [p for p in params if p not in ("split", "root", *RUN_PARAMETERS)]


def takes(name: str, parameter: str) -> bool:
    """Whether the loader of ``name`` takes ``parameter`` (e.g. ``perception``, ``num_frames``)."""
    return parameter in inspect.signature(dataset_loader(name)).parameters


def load_dataset(name: str, split: str = "train", root=None, **options) -> LabelledDataset:
    """Load a split of a registered dataset.

    Raises:
        UnknownNameError: unknown dataset (the message lists the registered ones).
        ConfigError: an option the loader does not take (the message lists those it takes).
        DataRootError: the dataset's folder is missing.
    """
    loader = dataset_loader(name)
    allowed = dataset_options(name)
    bad = sorted(set(options) - set(allowed) - {p for p in RUN_PARAMETERS if takes(name, p)})
    if bad:
        raise ConfigError(f"dataset {name!r} takes no option(s) {bad} in data.options; it takes {allowed}")
    return loader(split=split, root=root, **options)
