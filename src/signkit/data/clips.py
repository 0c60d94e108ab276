"""Video clips as pixels for the 3D-CNN / chunk-LSTM models: pose-guided 64x64 crops (see
:mod:`signkit.video.pixels`), computed once per source and cached on disk.

- ``silfa_clips``: SILFA letters read as video: each letter's consecutive webcam frames are cut into
  overlapping clips (``clip_len`` frames, step ``stride``) inside id blocks: clips of the training
  split come from the first ``train_fraction`` of each letter's frames, test clips from the rest, so
  test clips never share frames with training clips. A block shorter than ``clip_len`` gives one
  shorter clip (zero-padded by the model input).
- ``video_clips``: any ``<path>/<gloss>/<clip>`` where a clip is a video file or a folder of frames
  (e.g. ChaLearn-style data); one sample per clip; seeded per-gloss hold-out (or ``split="all"``).

``ds[i]`` is ``{"x": (C, T, S, S) float32 in [0, 1], "mask": (T,) bool, "label", "id"}`` with C the
number of streams (``upper``, ``hand``; x3 for RGB) and T = ``num_frames`` central frames (the run's
``data.num_frames``). The crops come from perception (:mod:`signkit.data.perception`: MediaPipe Pose
and OpenCV in :mod:`signkit.video.pixels`), computed once per source and cached on disk.
"""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import DataRootError, SignkitError
from ..paths import dataset_dir
from .base import LabelledDataset, holdout_split
from ..paths import VIDEO_EXTENSIONS
from .perception import require




@dataclass
class ClipSample:
    """``source``: a video file, a frame folder, or a tuple of frame files (one recording);
    frames ``[start, start + length)`` of it form the clip (``length`` None = all)."""

    source: object
    gloss: str
    id: str
    start: int = 0
    length: int | None = None
    signer: str | None = None


@dataclass
class ClipDataset(LabelledDataset):
    """Pixel clips with a vocabulary; same interface as the keypoint and image datasets."""

    _: KW_ONLY
    streams: tuple = ("upper", "hand")
    rgb: bool = False
    size: int = 64
    num_frames: int = 32
    min_frames: int = 4
    perception: object = None
    kind = "clip"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._crops: dict = {}

    @property
    def channels(self) -> int:
        return len(self.streams) * (3 if self.rgb else 1)

    def crops(self, source) -> dict[str, np.ndarray]:
        key = source if not isinstance(source, list) else tuple(source)
        if key not in self._crops:
            self._crops[key] = require(self.perception, self.name).clip_crops(key, self.streams, self.rgb, self.size)
        return self._crops[key]

    def clip_array(self, i: int) -> np.ndarray:
        """The clip's frames ``(T_clip, C, S, S)`` uint8 (streams stacked as channels)."""
        s = self.samples[i]
        c = self.crops(s.source)
        parts = []
        for name in self.streams:
            a = c[name]
            a = a[s.start: s.start + s.length] if s.length else a[s.start:]
            parts.append(np.moveaxis(a, -1, 1) if self.rgb else a[:, None])
        return np.concatenate(parts, 1)

    def __getitem__(self, i: int) -> dict:
        a = self.clip_array(i)
        if len(a) < self.min_frames:
            raise SignkitError(f"clip {self.samples[i].id} has {len(a)} frame(s); expected at least {self.min_frames} "
                               f"(one {self.min_frames}-frame block)")
        if self.transform is not None:
            a = self.transform(a, self.rng(i))
        a, n = central_frames(a, self.num_frames)
        x = torch.from_numpy(np.ascontiguousarray(a.transpose(1, 0, 2, 3))).float() / 255.0  # (C, T, S, S)
        mask = torch.zeros(self.num_frames, dtype=torch.bool)
        mask[:n] = True
        return {"x": x, "mask": mask, "label": self._index[self.samples[i].gloss], "id": self.samples[i].id}

    def _derived(self, **changes) -> "ClipDataset":
        ds = super()._derived(**changes)
        ds._crops = self._crops  # share the loaded crops
        return ds

    def summary(self) -> str:
        lengths = [s.length for s in self.samples if s.length]
        return (f"{self.name}[{self.split}]: {len(self)} clips, {len(self.vocabulary)} glosses, streams "
                f"{'+'.join(self.streams)} {'RGB' if self.rgb else 'gray'} {self.size}px, {self.num_frames} frames"
                + (f", clip frames min/max {min(lengths)}/{max(lengths)}" if lengths else ""))


def central_frames(x: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """The ``n`` central frames of ``x (T, ...)``, zero-padded at the end when ``T < n``; returns
    ``(frames (n, ...), number of real frames)``."""
    t = len(x)
    if t >= n:
        s = (t - n) // 2
        return x[s: s + n], n
    pad = np.zeros((n - t,) + x.shape[1:], x.dtype)
    return np.concatenate([x, pad]), t


def clip_augment(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Training augmentation of a clip ``(T, C, S, S)`` uint8: one random shift of up to 1/16 of the
    side (zero fill) and brightness/contrast x[0.8, 1.2] for the whole clip (no flip: it would swap
    the mirrored dominant hand)."""
    s = a.shape[-1]
    m = max(1, s // 16)
    dx, dy = (int(v) for v in rng.integers(-m, m + 1, 2))
    out = np.zeros_like(a)
    ys, yd = (slice(dy, s), slice(0, s - dy)) if dy >= 0 else (slice(0, s + dy), slice(-dy, s))
    xs, xd = (slice(dx, s), slice(0, s - dx)) if dx >= 0 else (slice(0, s + dx), slice(-dx, s))
    out[..., yd, xd] = a[..., ys, xs]
    c, b = rng.uniform(0.8, 1.2), rng.uniform(-20, 20)
    return np.clip((out.astype(np.float32) - 128) * c + 128 + b, 0, 255).astype(np.uint8)


def clip_collate(items: list[dict]) -> dict:
    """Stack clips: x ``(B, C, T, S, S)``, mask ``(B, T)``, label ``(B,)``."""
    return {"x": torch.stack([it["x"] for it in items]), "mask": torch.stack([it["mask"] for it in items]),
            "label": torch.tensor([it["label"] for it in items], dtype=torch.long), "id": [it["id"] for it in items]}


def parse_streams(streams) -> tuple:
    """``"upper+hand"`` / ``"upper,hand"`` / a sequence -> a tuple of stream names; raises SignkitError."""
    if isinstance(streams, str):
        streams = tuple(streams.replace("+", ",").split(","))
    streams = tuple(streams)
    bad = set(streams) - {"upper", "hand"}
    if bad or not streams:
        raise SignkitError(f"unknown pixel stream(s) {sorted(bad)}; expected 'upper', 'hand' or 'upper+hand'")
    return streams


def load_silfa_clips(split: str = "train", root=None, clip_len: int = 8, stride: int = 2, train_fraction: float = 0.5,
                     streams="upper+hand", rgb: bool = False, size: int = 64, letters: str | None = None, *,
                     num_frames: int = 32, perception=None) -> ClipDataset:
    """SILFA letters as clips (see the module docstring); ``split`` ``train``, ``test`` or ``all``;
    ``letters`` (e.g. ``"ABC"``) keeps only those letters. ``num_frames``: the run's ``data.num_frames``;
    ``perception``: see :mod:`signkit.data.perception`.

    Raises:
        DataRootError: ``silfa_letters/images`` missing. SignkitError: ``clip_len`` or ``stride`` < 1,
        unknown letters or streams.
    """
    if clip_len < 1 or stride < 1:
        raise SignkitError(f"clip_len and stride must be >= 1; found {clip_len} and {stride}")
    base = dataset_dir("silfa_letters", root) / "images"
    letters_found = sorted(p.name for p in base.iterdir() if p.is_dir())
    if letters:
        missing = sorted(set(letters) - set(letters_found))
        if missing:
            raise SignkitError(f"silfa_clips has no letter(s) {missing}; expected some of {''.join(letters_found)}")
    letters = [g for g in letters_found if not letters or g in letters]
    samples = []
    for g in letters:
        files = sorted((p for p in (base / g).iterdir() if p.suffix.lower() in (".jpg", ".png")),
                       key=lambda p: int(re.search(r"(\d+)", p.stem).group(1)))
        src = tuple(str(p) for p in files)
        cut = int(round(len(files) * train_fraction))
        blocks = {"train": (0, cut), "test": (cut, len(files))}
        for part in (("train", "test") if split == "all" else (split,)):
            lo, hi = blocks[part]
            n = hi - lo
            starts = list(range(lo, hi - clip_len + 1, stride)) if n >= clip_len else [lo]
            for s in starts:
                length = min(clip_len, hi - s)
                samples.append(ClipSample(src, g, f"{g}/{Path(files[s]).stem}+{length}", s, length))
    return ClipDataset(samples, letters, "silfa_clips", split, streams=parse_streams(streams), rgb=rgb, size=size,
                       num_frames=num_frames, perception=perception,
                       info={"split": f"id blocks: clips of the first {train_fraction:.0%} of each letter's frames "
                                      f"train, the rest test; {clip_len}-frame clips, step {stride}"})


def load_video_clips(split: str = "train", root=None, path: str | None = None, test_fraction: float = 0.3,
                     seed: int = 0, streams="upper+hand", rgb: bool = False, size: int = 64, *,
                     num_frames: int = 32, perception=None) -> ClipDataset:
    """``<path>/<gloss>/<clip>`` clips, each a video file or a folder of frames; seeded per-gloss
    hold-out of ``test_fraction`` (``split="all"``: every clip).

    Raises:
        SignkitError: no ``path``. DataRootError: ``path`` missing or without clips.
    """
    if path is None:
        raise SignkitError("video_clips needs data.options.path=<folder with <gloss>/<clip>.mp4 or frame folders>")
    base = Path(path).expanduser()
    if not base.is_dir():
        raise DataRootError(f"video_clips folder {str(base)!r} does not exist; expected <folder>/<gloss>/<clip>")
    samples = []
    for g in sorted(p for p in base.iterdir() if p.is_dir()):
        for c in sorted(g.iterdir()):
            if c.is_dir() or c.suffix.lower() in VIDEO_EXTENSIONS:
                samples.append(ClipSample(str(c), g.name, f"{g.name}/{c.name}"))
    if not samples:
        raise DataRootError(f"{base} holds no <gloss>/<clip> videos ({VIDEO_EXTENSIONS}) or frame folders")
    vocab = sorted({s.gloss for s in samples})
    ds = ClipDataset(samples, vocab, "video_clips", split, streams=parse_streams(streams), rgb=rgb, size=size,
                     num_frames=num_frames, perception=perception,
                     info={"split": f"seeded per-gloss hold-out {test_fraction} (seed {seed})"})
    if split == "all":
        return ds
    keep, held = holdout_split(ds.labels, test_fraction, seed)
    return ds.subset((held if split == "test" else keep).tolist(), split)
