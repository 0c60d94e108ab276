"""Transforms on :class:`KeypointSequence`: normalisation, resampling, augmentation, padding.

Every transform is a callable ``seq -> seq`` taking an optional ``numpy.random.Generator``
(``rng``) so that augmentation is reproducible. Deterministic transforms ignore ``rng``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch

from .sequence import KeypointSequence


@dataclass
class Normalize:
    """Centre and scale-normalise keypoints.

    Centre: the layout's root joint (FPHA: wrist; BOSTON-104: nose; MediaPipe layouts: nose or left
    wrist, the mirrored joint when it is never detected). NaN (undetected) joints are ignored. With ``per_frame=False`` the
    root's mean position over the sequence is subtracted, so global motion is kept; with
    ``per_frame=True`` every frame is centred on its own root.
    Scale: the mean distance over the sequence between the layout's ``scale_pair`` joints
    (FPHA: wrist to middle-finger MCP, about 90 mm), or ``scale`` (e.g. pixels) when given,
    or 1 for layouts with neither. Units after the transform: multiples of that reference length.
    """

    per_frame: bool = False
    scale: float | None = None

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        lay = seq.layout
        data = seq.data.copy()
        valid = seq.data[seq.mask]
        if len(valid) == 0 or np.isnan(valid).all():
            return seq
        mirror = {a: b for a, b in lay.lr_pairs} | {b: a for a, b in lay.lr_pairs}
        root = lay.root
        if np.isnan(valid[:, root]).all() and root in mirror:  # e.g. the left hand never seen
            root = mirror[root]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if self.per_frame:
                centre = data[:, root : root + 1, :]
                fallback = np.nanmean(data, axis=1, keepdims=True)  # frames without the root joint
                data = data - np.where(np.isnan(centre), fallback, centre)
            else:
                c = np.nanmean(valid[:, root], axis=0)
                if np.isnan(c).any():
                    c = np.nanmean(valid.reshape(-1, valid.shape[-1]), axis=0)
                data = data - c
            s = float("nan")
            if self.scale is not None:
                s = float(self.scale)
            elif lay.scale_pair is not None:
                for a, b in (lay.scale_pair, (mirror.get(lay.scale_pair[0]), mirror.get(lay.scale_pair[1]))):
                    if a is None or b is None:
                        continue
                    s = float(np.nanmean(np.linalg.norm(valid[:, a] - valid[:, b], axis=-1)))
                    if np.isfinite(s):
                        break
        if not np.isfinite(s) or s <= 0:
            s = 1.0
        data = data / max(s, 1e-6)
        return seq.with_data(data.astype(np.float32), seq.mask.copy())


@dataclass
class Resample:
    """Resample to exactly ``num_frames`` frames by linear interpolation over the valid frames.

    The output covers the whole sequence uniformly (the fixed 16-frame input of the deep BiLSTM
    paper; FPHA models here use 32). fps is changed so that the duration is kept.
    """

    num_frames: int

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        valid = seq.data[seq.mask]
        if len(valid) == 0:
            return seq
        n = len(valid)
        pos = np.linspace(0.0, n - 1, self.num_frames)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        w = (pos - lo)[:, None, None].astype(np.float32)
        data = (1 - w) * valid[lo] + w * valid[hi]
        fps = seq.fps * self.num_frames / n if seq.fps else seq.fps
        return seq.with_data(data.astype(np.float32), np.ones(self.num_frames, bool), fps=fps)


@dataclass
class LimitFrames:
    """Resample to ``max_frames`` only sequences longer than that; shorter ones keep their length
    (variable-length models stay variable-length while the cost per batch stays bounded)."""

    max_frames: int

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        return Resample(self.max_frames)(seq) if int(seq.mask.sum()) > self.max_frames else seq


@dataclass
class RandomTemporalCrop:
    """Keep a random contiguous fraction in ``[min_fraction, 1]`` of the frames."""

    min_fraction: float = 0.8

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        t = len(seq)
        keep = max(2, int(round(t * rng.uniform(self.min_fraction, 1.0))))
        if keep >= t:
            return seq
        start = int(rng.integers(0, t - keep + 1))
        return seq.with_data(seq.data[start : start + keep].copy(), seq.mask[start : start + keep].copy())


@dataclass
class RandomSpeed:
    """Change playback speed by a random factor in ``[low, high]`` (resampling the frame count)."""

    low: float = 0.8
    high: float = 1.2

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        n = int(seq.mask.sum())
        if n < 2:
            return seq
        new_n = max(2, int(round(n / rng.uniform(self.low, self.high))))
        out = Resample(new_n)(seq)
        return out.with_data(out.data, out.mask, fps=seq.fps)


def _rotation_matrix(angles: np.ndarray) -> np.ndarray:
    ax, ay, az = angles
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return (rz @ ry @ rx).astype(np.float32)


@dataclass
class RandomAffine:
    """Random rotation (degrees, about each axis; only the image plane for 2D), isotropic scale,
    shear of the image plane (x by y and y by x, each up to ``shear``), shift (in normalised units)
    and Gaussian jitter (per joint and frame) of the keypoints. Scale, shear and shift of the hands
    are among the augmentations of the ISLR 2023 winners.

    Apply after :class:`Normalize` so that units are comparable across datasets.
    """

    rotation: float = 15.0
    scale: tuple[float, float] = (0.9, 1.1)
    shift: float = 0.1
    jitter: float = 0.01
    shear: float = 0.0

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        c = seq.data.shape[-1]
        ang = np.deg2rad(rng.uniform(-self.rotation, self.rotation, size=3))
        if c == 2:
            rot = _rotation_matrix(np.array([0.0, 0.0, ang[2]]))[:2, :2]
        else:
            rot = _rotation_matrix(ang)
        s = rng.uniform(*self.scale)
        m = rot.T * s
        if self.shear > 0:
            sh = np.eye(c, dtype=np.float32)
            sh[1, 0], sh[0, 1] = rng.uniform(-self.shear, self.shear, size=2)  # x += a*y, y += b*x
            m = m @ sh
        data = seq.data @ m
        data = data + rng.uniform(-self.shift, self.shift, size=c).astype(np.float32)
        if self.jitter > 0:
            data = data + rng.normal(0, self.jitter, size=data.shape).astype(np.float32)
        return seq.with_data(data.astype(np.float32), seq.mask.copy())


@dataclass
class RandomTimeMask:
    """Blank a random contiguous block of up to ``fraction`` of the frames (their points become
    missing, zeros in the batch), as in SpecAugment's time masking (Park et al., Interspeech 2019)
    and the ISLR 2023 winners' temporal masking."""

    fraction: float = 0.2

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        t = len(seq)
        n = int(rng.integers(0, max(1, int(t * self.fraction)) + 1))
        if n == 0 or n >= t:
            return seq
        start = int(rng.integers(0, t - n + 1))
        data = seq.data.copy()
        data[start : start + n] = np.nan
        return seq.with_data(data, seq.mask.copy())


@dataclass
class RandomJointDropout:
    """Drop joints for a whole sequence: each joint with probability ``joint``, each finger of the
    layout (:attr:`Layout.fingers`: all its joints at once) with probability ``finger``; dropped
    points become missing. Joint/finger dropout, as in the ISLR 2023 winners' recipes."""

    joint: float = 0.0
    finger: float = 0.0

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        drop = rng.uniform(size=seq.data.shape[1]) < self.joint
        for chain in seq.layout.fingers.values():
            if rng.uniform() < self.finger:
                drop[list(chain)] = True
        if not drop.any() or drop.all():
            return seq
        data = seq.data.copy()
        data[:, drop] = np.nan
        return seq.with_data(data, seq.mask.copy())


@dataclass
class Mirror:
    """Mirror x with probability ``p``, swapping the layout's left/right joint pairs."""

    p: float = 0.5

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        rng = rng or np.random.default_rng()
        if rng.uniform() >= self.p:
            return seq
        data = seq.data.copy()
        data[..., 0] = -data[..., 0]
        for a, b in seq.layout.lr_pairs:
            data[:, [a, b]] = data[:, [b, a]]
        return seq.with_data(data, seq.mask.copy())


class Compose:
    """Apply transforms in order: ``Compose([Normalize(), Resample(32)])(seq, rng)``."""

    def __init__(self, transforms: Sequence[Callable]):
        self.transforms = list(transforms)

    def __call__(self, seq: KeypointSequence, rng: np.random.Generator | None = None) -> KeypointSequence:
        for t in self.transforms:
            seq = t(seq, rng)
        return seq

    def __repr__(self) -> str:
        return f"Compose({self.transforms})"


def pad_batch(seqs: Sequence[KeypointSequence]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack sequences of different lengths into a right-padded batch.

    Returns:
        x: ``(B, T_max, J, C)`` float32, zeros in padded frames and NaNs replaced by 0.
        mask: ``(B, T_max)`` bool, True for real frames (every frame before a sequence's end,
        so that models see a contiguous prefix; frames without detection are zeros inside it).
    """
    if not seqs:
        raise ValueError("pad_batch: expected at least one sequence; found none")
    t_max = max(len(s) for s in seqs)
    j, c = seqs[0].data.shape[1:]
    x = torch.zeros(len(seqs), t_max, j, c)
    mask = torch.zeros(len(seqs), t_max, dtype=torch.bool)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.from_numpy(np.nan_to_num(s.data))
        mask[i, : len(s)] = True
    return x, mask


def build_transforms(cfg: dict | None, train: bool) -> Compose:
    """Build the pipeline from a preprocessing config (see :class:`signkit.config.DataConfig`).

    Keys: ``normalize`` (bool), ``per_frame`` (bool), ``scale`` (float | None), ``num_frames``
    (int | None: resample to fixed length, None keeps variable length), ``max_frames`` (cap for
    variable length), and for training only
    ``augment``: {``crop``, ``speed``, ``rotation``, ``scale``, ``shift``, ``jitter``, ``shear``, ``mirror``,
    ``time_mask``, ``joint_dropout``, ``finger_dropout``}.
    """
    cfg = dict(cfg or {})
    ts: list[Callable] = []
    aug = dict(cfg.get("augment") or {}) if train else {}
    if aug.get("crop"):
        ts.append(RandomTemporalCrop(float(aug["crop"])))
    if aug.get("speed"):
        ts.append(RandomSpeed(1 - float(aug["speed"]), 1 + float(aug["speed"])))
    if cfg.get("normalize", True):
        ts.append(Normalize(per_frame=bool(cfg.get("per_frame", False)), scale=cfg.get("scale")))
    if aug.get("mirror"):
        ts.append(Mirror(float(aug["mirror"])))
    if any(aug.get(k) for k in ("rotation", "scale", "shift", "jitter", "shear")):
        sc = aug.get("scale") or 0.0
        ts.append(RandomAffine(rotation=float(aug.get("rotation") or 0.0), scale=(1 - sc, 1 + sc),
                               shift=float(aug.get("shift") or 0.0), jitter=float(aug.get("jitter") or 0.0),
                               shear=float(aug.get("shear") or 0.0)))
    if cfg.get("num_frames"):
        ts.append(Resample(int(cfg["num_frames"])))
    elif cfg.get("max_frames"):
        ts.append(LimitFrames(int(cfg["max_frames"])))
    if aug.get("joint_dropout") or aug.get("finger_dropout"):
        ts.append(RandomJointDropout(float(aug.get("joint_dropout") or 0.0), float(aug.get("finger_dropout") or 0.0)))
    if aug.get("time_mask"):
        ts.append(RandomTimeMask(float(aug["time_mask"])))
    return Compose(ts)
