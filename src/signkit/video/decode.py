"""Video decoding with PyAV: RGB frames, fps and frame size, with clear errors for bad files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import SignkitError

from ..paths import VIDEO_EXTENSIONS  # noqa: E402,F401  (re-exported)


class VideoError(SignkitError):
    """A video that cannot be read: missing, empty, not a video, truncated or corrupt."""


@dataclass
class VideoInfo:
    """fps (frames per second), width/height (pixels), frames (container's count, 0 if unknown)."""

    path: str
    fps: float
    width: int
    height: int
    frames: int


def probe(path: str | Path) -> VideoInfo:
    """Open a video and read its stream properties: fps, and width/height (pixels) in display
    orientation (a phone's rotation tag applied, as the decoded frames are). Metadata comes from
    ``simple_video_utils`` (pose-format's video library), which cross-checks header frame counts and
    recovers the rate of files whose header has none (browser-recorded WebM).

    Raises:
        VideoError: missing, empty, no video stream, or not a readable video; with the reason.
    """
    import av
    from simple_video_utils.metadata import video_metadata_from_container

    path = Path(path)
    if not path.is_file():
        raise VideoError(f"{path}: file not found; expected a video file")
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: empty file (0 bytes); expected a video")
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise VideoError(f"{path}: no video stream; expected a video (found {len(c.streams)} other streams)")
            m = video_metadata_from_container(c)
            s = c.streams.video[0]
            fps = float(m.fps or s.guessed_rate or 0) or 30.0
            return VideoInfo(str(path), fps, int(m.width), int(m.height), int(m.nb_frames or 0))
    except av.error.FFmpegError as e:
        raise VideoError(f"{path}: not a readable video ({type(e).__name__}: {e}); expected e.g. an mp4") from e


def _decode(path: str | Path) -> Iterator[np.ndarray]:
    """Frames through ``simple_video_utils.frames.read_frames_exact`` (one reused swscale context,
    the container's rotation applied), with decoding errors turned into VideoError."""
    import av
    from simple_video_utils.frames import read_frames_exact

    n = 0
    try:
        for frame in read_frames_exact(str(path)):
            yield frame
            n += 1
    except (av.error.FFmpegError, RuntimeError, ValueError) as e:
        raise VideoError(f"{path}: decoding failed after {n} frames ({type(e).__name__}: {e}); "
                         f"the file is truncated or corrupt") from e
    if n == 0:
        raise VideoError(f"{path}: no decodable frames; the file is truncated or corrupt")


def iter_frames(path: str | Path, prefetch: int = 16) -> Iterator[np.ndarray]:
    """Yield ``(H, W, 3)`` uint8 RGB frames. Raises VideoError if decoding fails (e.g. truncated
    file), naming the frame at which it failed.

    With ``prefetch`` > 0, frames are decoded in a background thread (PyAV releases the GIL), so
    decoding overlaps with whatever the consumer does (e.g. MediaPipe inference).
    """
    probe(path)
    if prefetch <= 0:
        yield from _decode(path)
        return
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=prefetch)
    stop = threading.Event()
    end = object()

    def produce():
        try:
            for fr in _decode(path):
                while not stop.is_set():
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(end)
        except BaseException as e:  # handed to the consumer
            q.put(e)

    t = threading.Thread(target=produce, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join(timeout=5)


def read_frames(path: str | Path) -> tuple[np.ndarray, VideoInfo]:
    """All frames ``(T, H, W, 3)`` uint8 RGB and the video's info."""
    info = probe(path)
    frames = np.stack(list(iter_frames(path)))
    return frames, info


def find_videos(inputs: list[str | Path]) -> list[tuple[Path, Path]]:
    """Expand files, folders (walked; links to folders not followed) and glob patterns into
    ``(video, base)`` pairs, where ``base`` is the folder the output layout is relative to (see
    :func:`signkit.paths.expand_inputs`). Raises VideoError for an input that matches nothing."""
    from ..paths import expand_inputs

    pairs, missing, _ = expand_inputs(inputs, lambda p: p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS)
    if missing:
        raise VideoError(f"{missing[0][0]}: {missing[0][1]}")
    return pairs
