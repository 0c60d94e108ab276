"""Hand landmarks of still images as a dataset: 21 MediaPipe Hands landmarks per image, normalised
for position, scale and handedness (the input of the landmark classifier).

The landmarks themselves come from perception (:func:`signkit.video.hands.landmark_view` runs
MediaPipe Hands on an image dataset, once, cached); this module holds the pure parts: the dataset,
its collate and augmentation, the normalisation, and the hand box of the "28x28 view".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import SignkitError
from .base import LabelledDataset

WRIST, MIDDLE_MCP = 0, 9
NUM_LANDMARKS = 21


def normalise_landmarks(landmarks: np.ndarray, handedness: np.ndarray | int, mirror_left: bool = True) -> np.ndarray:
    """Landmarks ``(..., 21, 3)`` (pixels) -> the same shape, wrist at the origin, divided by the
    wrist-to-middle-finger-MCP distance (landmarks 0 and 9), and left hands (``handedness`` -1)
    mirrored in x so that every hand looks like a right hand.

    Raises:
        SignkitError: not ``(..., 21, 3)``.
    """
    lm = np.asarray(landmarks, np.float32)
    if lm.shape[-2:] != (21, 3):
        raise SignkitError(f"expected hand landmarks of shape (..., 21, 3); found {lm.shape}")
    out = lm - lm[..., WRIST : WRIST + 1, :]
    size = np.linalg.norm(out[..., MIDDLE_MCP, :2], axis=-1)[..., None, None]
    out = out / np.maximum(size, 1e-6)
    if mirror_left:
        flip = np.where(np.asarray(handedness)[..., None, None] < 0, -1.0, 1.0).astype(np.float32)
        out = out * np.concatenate([flip, np.ones_like(flip), np.ones_like(flip)], -1)
    return out.astype(np.float32)


def hand_box(landmarks: np.ndarray, width: int, height: int, margin: float = 0.3) -> tuple[int, int, int, int]:
    """A square ``(x0, y0, x1, y1)`` in pixels around the landmarks' x/y extent, enlarged by
    ``margin`` of its side on every side and clipped to the image."""
    x0, y0 = landmarks[:, :2].min(0)
    x1, y1 = landmarks[:, :2].max(0)
    side = max(x1 - x0, y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = max(4.0, min(side, max(width, height)))
    bx0 = int(np.clip(round(cx - side / 2), 0, max(0, width - 1)))
    by0 = int(np.clip(round(cy - side / 2), 0, max(0, height - 1)))
    bx1 = int(np.clip(round(cx + side / 2), bx0 + 1, width))
    by1 = int(np.clip(round(cy + side / 2), by0 + 1, height))
    return bx0, by0, bx1, by1


@dataclass
class LandmarkSample:
    """Normalised landmarks ``(21, 3)`` of one image, its label, signer and id."""

    landmarks: np.ndarray
    gloss: str
    signer: str | None = None
    id: str = ""


@dataclass
class LandmarkDataset(LabelledDataset):
    """Normalised hand landmarks of the images where MediaPipe found a hand.

    ``ds[i]`` is ``{"x": (21, 3) float32 tensor, "label": int, "id": str}``; :func:`landmark_collate`
    stacks them into ``x (B, 21, 3)``. ``info["no_hand"]`` lists the ids of the source images with no
    hand and ``info["images"]`` counts all source images.
    """

    kind = "landmarks"

    def __getitem__(self, i: int) -> dict:
        s = self.samples[i]
        x = s.landmarks
        if self.transform is not None:
            x = self.transform(x, self.rng(i))
        return {"x": torch.as_tensor(np.asarray(x, np.float32)), "label": self._index[s.gloss], "id": s.id}

    def summary(self) -> str:
        n_img = self.info.get("images", len(self))
        return (f"{self.name}[{self.split}] landmarks: {len(self)} of {n_img} images with a hand "
                f"({len(self.info.get('no_hand', []))} without), {len(self.vocabulary)} classes")


def landmark_collate(items: list[dict]) -> dict:
    """Stack landmarks into ``x (B, 21, 3)`` and labels ``(B,)``."""
    return {"x": torch.stack([it["x"] for it in items]), "label": torch.tensor([it["label"] for it in items]),
            "id": [it["id"] for it in items]}


@dataclass
class LandmarkAugment:
    """Training augmentation of normalised landmarks ``(21, 3)``: in-plane rotation (+-``rotation``
    degrees), scale (1 +- ``scale``), Gaussian jitter (``jitter``, in hand-size units) and, with
    probability ``mirror``, a left-right flip (x -> -x: a left hand's shape for a right hand's, so
    that left-handed signers are read; the usual hand mirroring of sign-language training)."""

    rotation: float = 10.0
    scale: float = 0.1
    jitter: float = 0.02
    mirror: float = 0.0

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        a = np.radians(rng.uniform(-self.rotation, self.rotation))
        s = 1 + rng.uniform(-self.scale, self.scale)
        r = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]], np.float32) * s
        if self.mirror > 0 and rng.random() < self.mirror:
            r = r @ np.diag([-1.0, 1.0, 1.0]).astype(np.float32)
        return (x @ r.T + rng.normal(0, self.jitter, x.shape)).astype(np.float32)
