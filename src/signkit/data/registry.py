"""Dataset registry: ``load_dataset("fpha", split="test")``."""

from __future__ import annotations

from typing import Callable

from ..errors import UnknownNameError
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


def load_dataset(name: str, split: str = "train", root=None, **options) -> KeypointDataset:
    """Load a registered dataset split. Raises UnknownNameError listing the known names."""
    if name not in DATASETS:
        raise UnknownNameError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}")
    return DATASETS[name][0](split=split, root=root, **options)
