"""Pose extraction from RGB video with MediaPipe 0.10.21's bundled models (offline), into pose-format.

Layouts: ``hands`` (MediaPipe Hands, both hands), ``pose`` (MediaPipe Pose, 33 points) and
``holistic`` (MediaPipe Holistic via pose-format's ``load_holistic``: pose, face, both hands).
Coordinates: x, y in pixels of the frame, z as MediaPipe gives it; confidence = handedness score
(hands), visibility (pose) or 1 (holistic parts), 0 where nothing was detected (masked).
Handedness is the signer's: MediaPipe Hands labels hands as if the image were mirrored (selfie), so
for ordinary video its labels are swapped (``mirrored=True`` keeps them, for selfie footage).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Iterable

import numpy as np

from .. import native_logs
from ..errors import SignkitError
from ..storage import atomic_write_bytes, cache_dir, ensure_dir, stale_parts
from .decode import VideoError, iter_frames, probe

EXTRACTORS = ("hands", "holistic", "pose")
LAYOUT_OF = {"hands": "mp_hands42", "holistic": "sign_body57", "pose": "mp_pose33"}
EXTRACTOR_OF = {v: k for k, v in LAYOUT_OF.items()}


class NoDetectionError(SignkitError):
    """MediaPipe found nothing (no person / no hand) in any frame of a video."""


def quiet_mediapipe() -> None:
    """Silence MediaPipe's and TF Lite's log output (errors are kept); where the command line asked
    for it (:func:`signkit.native_logs.enable`), the native lines on fd 2 are filtered too."""
    native_logs.install()
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except Exception:
        pass


def _header(kind: str, width: int, height: int):
    from pose_format.pose_header import PoseHeader, PoseHeaderDimensions
    from pose_format.utils.holistic import holistic_components, holistic_hand_component

    if kind == "hands":
        comps = [holistic_hand_component("LEFT_HAND_LANDMARKS"), holistic_hand_component("RIGHT_HAND_LANDMARKS")]
    elif kind == "pose":
        comps = [c for c in holistic_components() if c.name == "POSE_LANDMARKS"]
    else:
        comps = holistic_components()
    return PoseHeader(version=0.2, dimensions=PoseHeaderDimensions(width=width, height=height, depth=0),
                      components=comps)


def mediapipe_solution(kind: str, model_complexity: int = 1):
    """A fresh MediaPipe solution object for one video (tracking state must not carry over)."""
    quiet_mediapipe()
    import mediapipe as mp

    if kind == "hands":
        return mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=2, model_complexity=model_complexity,
                                        min_detection_confidence=0.5, min_tracking_confidence=0.5)
    if kind == "pose":
        return mp.solutions.pose.Pose(static_image_mode=False, model_complexity=model_complexity)
    if kind == "holistic":
        return mp.solutions.holistic.Holistic(static_image_mode=False, model_complexity=model_complexity)
    raise SignkitError(f"unknown extraction layout {kind!r}; expected one of {EXTRACTORS}")


def _hands_frame(res, w: int, h: int, mirrored: bool) -> tuple[np.ndarray, np.ndarray]:
    data = np.zeros((42, 3), np.float32)
    conf = np.zeros(42, np.float32)
    if res.multi_hand_landmarks:
        for lm, hd in zip(res.multi_hand_landmarks, res.multi_handedness):
            c = hd.classification[0]
            label = c.label if mirrored else {"Left": "Right", "Right": "Left"}[c.label]
            off = 0 if label == "Left" else 21
            if conf[off] >= c.score:  # two hands with the same label: keep the surer one
                continue
            data[off : off + 21] = [[p.x * w, p.y * h, p.z * w] for p in lm.landmark]
            conf[off : off + 21] = c.score
    return data, conf


def _pose_frame(res, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    if res.pose_landmarks is None:
        return np.zeros((33, 3), np.float32), np.zeros(33, np.float32)
    lm = res.pose_landmarks.landmark
    return (np.array([[p.x * w, p.y * h, p.z * w] for p in lm], np.float32),
            np.array([max(p.visibility, 1e-3) for p in lm], np.float32))


def extract_pose(video: str | Path, kind: str = "hands", model_complexity: int = 1, mirrored: bool = False,
                 frames: Iterable[np.ndarray] | None = None):
    """Run MediaPipe on every frame of ``video`` and return a ``pose_format.Pose``
    (data ``(T, 1, P, 3)`` pixels, confidence ``(T, 1, P)``).

    Raises:
        VideoError: unreadable, empty, truncated or non-video file.
        NoDetectionError: nothing detected in any frame (e.g. a video with no person).
    """
    from pose_format import Pose
    from pose_format.numpy.pose_body import NumPyPoseBody

    if kind not in EXTRACTORS:
        raise SignkitError(f"unknown extraction layout {kind!r}; expected one of {EXTRACTORS}")
    info = probe(video)
    w, h = info.width, info.height
    frames = iter_frames(video) if frames is None else frames
    if kind == "holistic":
        from pose_format.utils.holistic import load_holistic

        pose = load_holistic(frames, fps=info.fps, width=w, height=h, reuse=False,
                             additional_holistic_config={"model_complexity": model_complexity})
        n_frames = pose.body.data.shape[0]
        detected = int((np.asarray(pose.body.confidence) > 0).any(axis=(1, 2)).sum())
    else:
        datas, confs = [], []
        with mediapipe_solution(kind, model_complexity) as sol:
            for fr in frames:
                res = sol.process(fr)
                d, c = _hands_frame(res, w, h, mirrored) if kind == "hands" else _pose_frame(res, w, h)
                datas.append(d)
                confs.append(c)
        n_frames = len(datas)
        if n_frames == 0:
            raise VideoError(f"{video}: no frames")
        conf = np.stack(confs)[:, None]
        body = NumPyPoseBody(fps=info.fps, data=np.stack(datas)[:, None], confidence=conf)
        pose = Pose(_header(kind, w, h), body)
        detected = int((conf > 0).any(axis=(1, 2)).sum())
    if detected == 0:
        what = "hand" if kind == "hands" else "person"
        raise NoDetectionError(f"{video}: no {what} detected in any of {n_frames} frames")
    return pose


def save_extraction(pose, out: Path, fmt: str = "pose") -> Path:
    """Write a Pose as ``.pose`` (pose-format) or ``.npz`` (signkit layout, NaN for undetected)."""
    import io

    if fmt == "pose":
        buf = io.BytesIO()
        pose.write(buf)
        atomic_write_bytes(out, buf.getvalue())
    elif fmt == "npz":
        from ..keypoints.formats import pose_to_sequence

        seq = pose_to_sequence(pose, None, path=str(out))
        buf = io.BytesIO()
        np.savez_compressed(buf, data=seq.data, mask=seq.mask, fps=np.float32(seq.fps), layout=np.str_(seq.layout.name),
                            space=np.str_(seq.space), confidence=seq.meta["confidence"],
                            width=np.int32(seq.meta["width"]), height=np.int32(seq.meta["height"]),
                            joints=np.array(seq.layout.joints))
        atomic_write_bytes(out, buf.getvalue())
    else:
        raise SignkitError(f"unknown output format {fmt!r}; expected 'pose' or 'npz'")
    return out


def _extract_one(video: str, out: str, kind: str, fmt: str, model_complexity: int, mirrored: bool) -> dict:
    t0 = time.perf_counter()
    try:
        pose = extract_pose(video, kind, model_complexity, mirrored)
        save_extraction(pose, Path(out), fmt)
        return {"video": video, "out": out, "status": "done", "frames": int(pose.body.data.shape[0]),
                "seconds": time.perf_counter() - t0}
    except (SignkitError, OSError) as e:
        return {"video": video, "out": out, "status": "failed", "reason": str(e), "frames": 0,
                "seconds": time.perf_counter() - t0}


def output_path(video: Path, base: Path, out_dir: Path, fmt: str) -> Path:
    rel = video.relative_to(base) if video.is_relative_to(base) else Path(video.name)
    return out_dir / rel.with_suffix(f".{fmt}")


def extract_batch(inputs: list[str | Path], out_dir: str | Path, kind: str = "hands", fmt: str = "pose",
                  workers: int = 1, model_complexity: int = 1, mirrored: bool = False, progress: bool = True) -> dict:
    """Extract every video in ``inputs`` (files, folders, globs) into ``out_dir``, keeping the
    folders' relative layout (``<out>/<gloss>/<clip>.pose``).

    Resumable: outputs are written atomically, so an existing output is complete; it is skipped
    after a check that it opens and has frames (otherwise it is extracted again). signkit's own
    temporary files of a killed run are removed, nothing else. Two inputs that would be written to
    the same output are an error before any work; a lock (``flock`` on
    ``$SIGNKIT_CACHE/locks/<hash of the folder>.lock`` for the whole batch) stops a second extraction
    into the same folder. Failures are collected, never raised, and returned in
    ``failed`` (video, reason); the rest is still done. ``workers`` > 1 uses worker processes.
    """
    if kind not in EXTRACTORS:
        raise SignkitError(f"unknown extraction layout {kind!r}; expected one of {EXTRACTORS}")
    out_dir = ensure_dir(out_dir)
    with _folder_lock(out_dir):
        return _extract_locked(inputs, out_dir, kind, fmt, workers, model_complexity, mirrored, progress)


@contextlib.contextmanager
def _folder_lock(out_dir: Path):
    """Hold an exclusive ``flock`` on the lock file of ``out_dir`` in the cache folder (released when
    the process ends, SIGKILL included), so the user's folder holds only outputs.

    Raises:
        SignkitError: another extraction holds it.
    """
    import fcntl
    import hashlib

    key = hashlib.sha1(str(out_dir.resolve()).encode()).hexdigest()[:16]
    path = cache_dir("locks") / f"extract-{key}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SignkitError(f"another signkit extraction is writing to {str(out_dir)!r} (lock {path}); "
                               f"expected one extraction per output folder") from None
        yield
    finally:
        os.close(fd)


def valid_output(path: Path) -> bool:
    """Whether an existing output opens and has at least one frame (``.pose`` or ``.npz``)."""
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                return "data" in z.files and z["data"].ndim == 3 and len(z["data"]) > 0
        from ..keypoints.formats import read_pose

        return read_pose(path).body.data.shape[0] > 0
    except Exception:  # any failure to open means: not a finished output
        return False


def _extract_locked(inputs, out_dir: Path, kind, fmt, workers, model_complexity, mirrored, progress) -> dict:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import multiprocessing as mp

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .decode import find_videos

    pairs = [(video, output_path(video, base, out_dir, fmt)) for video, base in find_videos(inputs)]
    by_out: dict[Path, list[Path]] = {}
    for video, out in pairs:
        by_out.setdefault(out, []).append(video)
    clash = {o: v for o, v in by_out.items() if len(v) > 1}
    if clash:
        o, v = next(iter(clash.items()))
        raise SignkitError(f"{len(clash)} output(s) would be written by more than one input, e.g. {str(o)!r} by "
                           f"{[str(x) for x in v]}; expected inputs with distinct relative paths (pass their "
                           f"common folder instead of the files)")
    jobs, skipped = [], []
    for video, out in pairs:
        for stale in stale_parts(out):
            stale.unlink()
        (skipped if out.exists() and valid_output(out) else jobs).append((str(video), str(out)))
    results: list[dict] = []
    t0 = time.perf_counter()
    frames = 0
    cols = [TextColumn("extract {task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[fps]:.1f} frames/s"), TimeElapsedColumn()]
    with Progress(*cols, disable=not progress, transient=False) as bar:
        task = bar.add_task(kind, total=len(jobs), fps=0.0)

        def done(r):
            nonlocal frames
            results.append(r)
            frames += r["frames"]
            bar.update(task, advance=1, fps=frames / max(1e-9, time.perf_counter() - t0))

        if workers <= 1:
            for v, o in jobs:
                done(_extract_one(v, o, kind, fmt, model_complexity, mirrored))
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
                futs = [ex.submit(_extract_one, v, o, kind, fmt, model_complexity, mirrored) for v, o in jobs]
                for f in as_completed(futs):
                    done(f.result())
    seconds = time.perf_counter() - t0
    failed = [r for r in results if r["status"] == "failed"]
    return {"done": [r for r in results if r["status"] == "done"], "skipped": [o for _, o in skipped],
            "failed": failed, "frames": frames, "seconds": seconds, "fps": frames / max(seconds, 1e-9)}
