"""Pixel input for video models: pose-guided upper-body and dominant-hand crops, as in the thesis on
deep and compact gesture models (upper body: h = |hip centre - head|, x in [hip - h, hip + h],
y in [hip - 1.4h, hip + 0.7h]; dominant hand: a square of side h/2 centred on the wrist).

Every frame is converted to grayscale (RGB as an option), smoothed with a 3x3 Gaussian and each crop
resized to 64x64. Pose comes from MediaPipe Pose (33 landmarks, pixels) run over the clip in
tracking mode. One box per clip and stream (the median over frames of the per-frame boxes), so a
crop does not jitter. Clips are read from video files (PyAV) or folders of frames (JPEG/PNG).

Fallback (stated in each clip's ``info``): when the hips are not visible (MediaPipe visibility
< 0.5 in most frames, e.g. webcam footage of the upper body), the hip centre is estimated as the
shoulders' midpoint moved down by 2.5 x the nose-to-shoulder-midpoint distance (an adult torso
proportion); when no pose is found at all, the whole frame is used for the upper body and its
centre for the hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data.images import load_image
from ..errors import SignkitError
from ..storage import atomic_path, cache_dir

FRAME_EXTENSIONS = (".jpg", ".jpeg", ".png")
NOSE, L_SHOULDER, R_SHOULDER, L_WRIST, R_WRIST, L_HIP, R_HIP = 0, 11, 12, 15, 16, 23, 24


@dataclass
class ClipCrops:
    """Crops of one clip: ``streams[name]`` is ``(T, S, S)`` uint8 (grayscale) or ``(T, S, S, 3)``
    (RGB); ``info`` records the boxes (pixels), the dominant hand, mirroring and fallbacks."""

    streams: dict[str, np.ndarray]
    info: dict = field(default_factory=dict)


def read_clip_frames(path: str | Path) -> np.ndarray:
    """RGB frames ``(T, H, W, 3)`` uint8 of a video file or a folder of frames (sorted by name).

    Raises:
        VideoError: unreadable video. SignkitError: a folder without frames, or frames of different sizes.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in FRAME_EXTENSIONS)
        if not files:
            raise SignkitError(f"{p}: no frames ({', '.join(FRAME_EXTENSIONS)}); expected a folder of frames or a video")
        frames = [load_image(f) for f in files]
        frames = [np.repeat(f[..., None], 3, -1) if f.ndim == 2 else f[..., :3] for f in frames]
        if len({f.shape for f in frames}) != 1:
            raise SignkitError(f"{p}: frames of different sizes {sorted({f.shape for f in frames})}; expected one size")
        return np.stack(frames)
    from .decode import read_frames

    frames, _ = read_frames(p)
    return frames


def pose_landmarks(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MediaPipe Pose over a clip (tracking mode): ``xy (T, 33, 2)`` pixels and ``visibility (T, 33)``;
    frames without a person are NaN with visibility 0."""
    from .extract import mediapipe_solution

    t, h, w = frames.shape[:3]
    xy = np.full((t, 33, 2), np.nan, np.float32)
    vis = np.zeros((t, 33), np.float32)
    with mediapipe_solution("pose") as sol:
        for i, f in enumerate(frames):
            res = sol.process(np.ascontiguousarray(f))
            if res.pose_landmarks is None:
                continue
            lm = res.pose_landmarks.landmark
            xy[i] = [(p.x * w, p.y * h) for p in lm]
            vis[i] = [p.visibility for p in lm]
    return xy, vis


def crop_boxes(xy: np.ndarray, vis: np.ndarray, width: int, height: int) -> dict:
    """Boxes ``(x0, y0, x1, y1)`` in pixels of the upper body and the dominant hand for one clip, from
    pose ``xy (T, 33, 2)`` and ``visibility (T, 33)``. Returns ``{"upper", "hand", "hand_side",
    "hips": "visible"|"estimated"|"no pose"}``."""
    seen = ~np.isnan(xy[:, NOSE, 0])
    if not seen.any():
        s = min(width, height) / 2
        cx, cy = width / 2, height / 2
        return {"upper": (0.0, 0.0, float(width), float(height)),
                "hand": (cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2), "hand_side": "none", "hips": "no pose"}
    p, v = xy[seen], vis[seen]
    head = np.median(p[:, NOSE], 0)
    hips_visible = np.median(np.minimum(v[:, L_HIP], v[:, R_HIP])) >= 0.5
    if hips_visible:
        hip = np.median((p[:, L_HIP] + p[:, R_HIP]) / 2, 0)
    else:
        sh = np.median((p[:, L_SHOULDER] + p[:, R_SHOULDER]) / 2, 0)
        hip = sh + np.array([0.0, 2.5 * np.linalg.norm(sh - head)])
    h = float(np.linalg.norm(hip - head))
    upper = (hip[0] - h, hip[1] - 1.4 * h, hip[0] + h, hip[1] + 0.7 * h)
    # dominant hand: the wrist that is higher (smaller y) on average over the clip
    ly, ry = np.nanmean(p[:, L_WRIST, 1]), np.nanmean(p[:, R_WRIST, 1])
    side = "left" if ly < ry else "right"
    wrist = np.nanmedian(p[:, L_WRIST if side == "left" else R_WRIST], 0)
    s = h / 2
    hand = (wrist[0] - s / 2, wrist[1] - s / 2, wrist[0] + s / 2, wrist[1] + s / 2)
    return {"upper": tuple(map(float, upper)), "hand": tuple(map(float, hand)), "hand_side": side,
            "hips": "visible" if hips_visible else "estimated"}


def _crop(frame: np.ndarray, box, size: int) -> np.ndarray:
    """Crop ``box`` (may extend past the frame: zero-padded) and resize to ``size x size``."""
    import cv2

    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = frame.shape[:2]
    out = np.zeros((max(1, y1 - y0), max(1, x1 - x0)) + frame.shape[2:], frame.dtype)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0: sy1 - y0, sx0 - x0: sx1 - x0] = frame[sy0:sy1, sx0:sx1]
    return cv2.resize(out, (size, size), interpolation=cv2.INTER_AREA)


def clip_crops(frames: np.ndarray, size: int = 64, rgb: bool = False, streams=("upper", "hand"),
               pose: tuple[np.ndarray, np.ndarray] | None = None) -> ClipCrops:
    """Pose-guided crops of RGB ``frames (T, H, W, 3)``: grayscale (or RGB), 3x3 Gaussian smoothing,
    ``size x size``. The hand stream of a right-dominant clip is mirrored so every hand looks like a
    left hand (as the thesis does)."""
    import cv2

    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise SignkitError(f"expected RGB frames (T, H, W, 3) with T >= 1; found {frames.shape}")
    xy, vis = pose if pose is not None else pose_landmarks(frames)
    boxes = crop_boxes(xy, vis, frames.shape[2], frames.shape[1])
    out = {}
    for name in streams:
        if name not in ("upper", "hand"):
            raise SignkitError(f"unknown pixel stream {name!r}; expected 'upper' and/or 'hand'")
        crops = []
        for f in frames:
            g = f if rgb else cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
            g = cv2.GaussianBlur(g, (3, 3), 0)
            c = _crop(g, boxes[name], size)
            if name == "hand" and boxes["hand_side"] == "right":
                c = c[:, ::-1]
            crops.append(c)
        out[name] = np.ascontiguousarray(np.stack(crops))
    return ClipCrops(out, {**boxes, "mirrored_hand": boxes["hand_side"] == "right"})


def _source_key(source, streams, rgb: bool, size: int) -> str:
    files = [source] if not isinstance(source, tuple) else list(source)
    h = hashlib.sha1()
    for f in files:
        p = Path(f)
        st = p.stat()
        h.update(f"{p.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode())
    h.update(f"{sorted(streams)}|{rgb}|{size}|v1".encode())
    return h.hexdigest()[:16]


def source_crops(source, streams=("upper", "hand"), rgb: bool = False, size: int = 64,
                 cache: Path | None = None) -> dict[str, np.ndarray]:
    """Crops ``{stream: (T, S, S[, 3]) uint8}`` of a whole source (a video file, a frame folder or a
    tuple of frame files), from the cache when there (``$SIGNKIT_CACHE/clips/<key>.npz``, keyed by the
    files' paths, sizes and times and the crop settings; written atomically), else computed with
    MediaPipe Pose + OpenCV (:func:`clip_crops`)."""
    cache = cache or cache_dir("clips")
    f = cache / f"{_source_key(source, streams, rgb, size)}.npz"
    if f.is_file():
        with np.load(f, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    if isinstance(source, tuple):
        frames = np.stack([load_image(p)[..., :3] for p in source])
    else:
        frames = read_clip_frames(source)
    crops = clip_crops(frames, size, rgb, streams).streams
    with atomic_path(f, ".npz") as tmp:
        np.savez_compressed(tmp, **crops)
    return crops
