"""Image transforms with torch ops (no torchvision: see STACK.md): resize, grayscale/RGB,
normalisation, and augmentation (random resized crop, rotation, brightness/contrast, optional flip)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class ImageTransform:
    """``(H, W)`` or ``(H, W, 3)`` uint8 -> ``(C, size, size)`` float32.

    Args:
        size: output side in pixels. channels: 1 (grayscale, Sign-MNIST style) or 3 (RGB).
        normalize: ``"imagenet"`` (mean/std of ImageNet, for pretrained backbones) or ``"unit"``
            (x/255 - 0.5) / 0.5.
        train: apply augmentation: random resized crop (area ``crop``..1), a further shift of up to
            +-``translate`` of the image side in x and y (0 = off), rotation (+-``rotation`` degrees),
            brightness/contrast (+-``color``), horizontal flip with probability ``flip`` (off by
            default: a flip swaps handedness).
    """

    size: int = 28
    channels: int = 1
    normalize: str = "unit"
    train: bool = False
    crop: float = 0.8
    rotation: float = 10.0
    color: float = 0.2
    flip: float = 0.0
    translate: float = 0.0

    def __call__(self, img: np.ndarray, rng: np.random.Generator | None = None) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(img)).float() / 255.0
        if x.ndim == 2:
            x = x[None]
        else:
            x = x.permute(2, 0, 1)
        if self.channels == 1 and x.shape[0] == 3:
            x = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2])[None]
        elif self.channels == 3 and x.shape[0] == 1:
            x = x.expand(3, -1, -1)
        if self.train:
            x = self._augment(x, rng or np.random.default_rng())
        x = F.interpolate(x[None], size=(self.size, self.size), mode="bilinear", align_corners=False,
                          antialias=True)[0]
        if self.normalize == "imagenet" and x.shape[0] == 3:
            x = (x - torch.tensor(IMAGENET_MEAN)[:, None, None]) / torch.tensor(IMAGENET_STD)[:, None, None]
        else:
            x = (x - 0.5) / 0.5
        return x.contiguous()

    def _augment(self, x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        scale = math.sqrt(rng.uniform(self.crop, 1.0))
        ang = math.radians(rng.uniform(-self.rotation, self.rotation))
        tx, ty = rng.uniform(-(1 - scale), 1 - scale, size=2)
        if self.translate:  # affine_grid coordinates span 2 units per image side
            dx, dy = rng.uniform(-2 * self.translate, 2 * self.translate, size=2)
            tx, ty = tx + dx, ty + dy
        cos, sin = math.cos(ang) * scale, math.sin(ang) * scale
        theta = torch.tensor([[cos, -sin, tx], [sin, cos, ty]], dtype=torch.float32)[None]
        grid = F.affine_grid(theta, [1, *x.shape], align_corners=False)
        x = F.grid_sample(x[None], grid, mode="bilinear", padding_mode="border", align_corners=False)[0]
        b = rng.uniform(-self.color, self.color)
        c = 1 + rng.uniform(-self.color, self.color)
        x = ((x - x.mean()) * c + x.mean() + b).clamp(0, 1)
        if self.flip and rng.uniform() < self.flip:
            x = x.flip(-1)
        return x


def image_transform_from(cfg: dict, train: bool) -> ImageTransform:
    """Build from a config dict (keys ``image_size``, ``channels``, ``image_normalize`` and
    ``augment``: {crop, rotation, color, flip, translate}).

    Raises:
        ValueError: ``augment`` names a key other than those five.
    """
    aug = dict(cfg.get("augment") or {})
    unknown = sorted(set(aug) - {"crop", "rotation", "color", "flip", "translate"})
    if unknown:
        raise ValueError(f"data.augment: unknown key(s) {unknown} for images; expected crop, rotation, color, "
                         "flip, translate")
    aug = aug if train else {}
    return ImageTransform(size=int(cfg.get("image_size") or 28), channels=int(cfg.get("channels") or 1),
                          normalize=cfg.get("image_normalize") or "unit", train=train and bool(aug),
                          crop=float(aug.get("crop", 0.8) or 1.0), rotation=float(aug.get("rotation", 10.0) or 0.0),
                          color=float(aug.get("color", 0.2) or 0.0), flip=float(aug.get("flip", 0.0) or 0.0),
                          translate=float(aug.get("translate", 0.0) or 0.0))
