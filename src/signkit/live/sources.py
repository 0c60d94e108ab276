"""Frame sources for live recognition: a webcam index, a URL PyAV can open (RTSP, HTTP, ...) or a
video file, each yielding :class:`Frame` (RGB ``(H, W, 3)`` uint8, timestamp in seconds).

A reader thread decodes ahead into a bounded queue (``max_queue`` frames). A real-time source (a
camera, a stream, or a file with ``realtime=True``, released at its own frame rate as a camera would
deliver it) never waits for the consumer: when the queue is full the **oldest** frame is dropped and
counted (:attr:`FrameSource.dropped`), so memory stays bounded and the newest frame is always next.
A file without ``realtime`` is read as fast as the consumer takes it, with no drops.

Errors are :class:`SourceError` (one line, naming the source): a camera index with no camera, a URL
that does not answer within ``timeout_s`` seconds, a file that is not a video. A stream that stops
mid-way ends the iteration cleanly; :attr:`FrameSource.error` then says why.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import SignkitError


class SourceError(SignkitError):
    """A live source cannot be opened (no camera, no answer, not a video)."""


@dataclass
class Frame:
    """One frame: ``image (H, W, 3)`` uint8 RGB, ``t`` seconds since the source started (a file's own
    timestamps; a camera's arrival time), ``index`` (0-based, counting dropped frames too)."""

    image: np.ndarray
    t: float
    index: int
    decode_ms: float = 0.0


def parse_source(source: str | int) -> int | str:
    """``"0"`` / ``0`` -> camera index 0; anything else is a URL or a file path (unchanged)."""
    if isinstance(source, int):
        return source
    s = str(source).strip()
    return int(s) if s.isdigit() and len(s) <= 3 else s


def _upright(frame) -> np.ndarray:
    """A decoded PyAV frame as ``(H, W, 3)`` uint8 RGB in display orientation: the container's rotation
    tag (a phone's 90/180/270 degrees) applied as ffmpeg's autorotate does (90 = counter-clockwise,
    ``np.rot90(k=1)``), the convention of ``simple_video_utils`` that batch extraction decodes with."""
    rgb = frame.to_ndarray(format="rgb24")
    k = (int(getattr(frame, "rotation", 0) or 0) % 360) // 90
    return np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb


class FrameSource:
    """Iterate frames of a camera, URL or file (module docstring). Use as a context manager or call
    :meth:`close`; iteration ends at the end of the stream, after ``max_frames`` frames, or on close.

    Attributes: ``fps`` (the source's nominal rate), ``width``/``height`` (pixels), ``realtime``,
    ``frames`` (delivered), ``dropped`` (dropped by the bounded queue), ``error`` (why a stream ended
    early, else None), ``started`` (``time.monotonic()`` at the first frame).

    Raises:
        SourceError: see the module docstring.
    """

    def __init__(self, source: str | int, realtime: bool = False, max_queue: int = 4, timeout_s: float = 10.0,
                 max_frames: int | None = None, start: bool = True):
        if max_queue < 1:
            raise SourceError(f"expected a queue of at least 1 frame; found {max_queue}")
        self.source = parse_source(source)
        self.max_queue, self.timeout_s, self.max_frames = int(max_queue), float(timeout_s), max_frames
        self.frames = self.dropped = 0
        self.error: str | None = None
        self.started: float | None = None
        self._q: collections.deque = collections.deque()
        self._cv = threading.Condition()
        self._stop = threading.Event()
        self._done = False
        if isinstance(self.source, int):
            self._open_camera(self.source)
            self.realtime = True
        else:
            self._open_av(self.source)
            self.realtime = bool(realtime) or self.is_stream
        self._thread = threading.Thread(target=self._read, name="signkit-source", daemon=True)
        if start:
            self._thread.start()

    def start(self) -> None:
        """Start reading (when made with ``start=False``, e.g. to warm the pipeline up first, so that
        a real-time source does not drop its first frames while models load)."""
        if not self._thread.is_alive() and not self._done:
            self._thread.start()

    # --- opening -------------------------------------------------------------------------------
    def _open_camera(self, index: int) -> None:
        import os

        if not os.environ.get("SIGNKIT_VERBOSE"):  # OpenCV's own warnings for a missing camera (read at import)
            os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
        import cv2

        cap = cv2.VideoCapture(index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"no camera at index {index} (OpenCV could not open it); expected an attached "
                              f"webcam, a URL or a video file")
        self._cap, self._av = cap, None
        self.is_stream = True
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0) or 30.0
        self.width, self.height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def _open_av(self, src: str) -> None:
        import av

        self.is_stream = "://" in src
        if not self.is_stream and not Path(src).is_file():
            raise SourceError(f"{src}: no such video file; expected a camera index (0), a URL or a video file")
        try:
            self._av = av.open(src, timeout=(self.timeout_s, self.timeout_s)) if self.is_stream else av.open(src)
            vs = self._av.streams.video
            if not vs:
                raise SourceError(f"{src}: no video stream; expected a video")
            self._stream = vs[0]
            self._stream.thread_type = "AUTO"
        except SourceError:
            self._close_av()
            raise
        except Exception as e:  # PyAV raises many error types (InvalidDataError, TimeoutError, ...)
            self._close_av()
            timed_out = isinstance(e, TimeoutError) or "timed out" in str(e).lower() or type(e).__name__ == "ExitError"
            what = f"did not answer within {self.timeout_s:g} s (the --timeout)" if timed_out else f"cannot be opened ({type(e).__name__}: {' '.join(str(e).split())[:160]})"
            raise SourceError(f"{src}: {what}; expected a video file or a stream PyAV can open") from None
        self._cap = None
        rate = self._stream.average_rate or self._stream.guessed_rate
        self.fps = float(rate) if rate else 25.0
        self.width, self.height = self._stream.codec_context.width, self._stream.codec_context.height
        if not self.is_stream:  # a file: display orientation (rotation tag applied), as batch extraction sees it
            from ..video.decode import VideoError, probe

            try:
                info = probe(src)
            except VideoError as e:
                self._close_av()
                raise SourceError(str(e)) from None
            self.width, self.height = info.width, info.height

    def _close_av(self) -> None:
        c = getattr(self, "_av", None)
        if c is not None:
            try:
                c.close()
            except Exception:
                pass
            self._av = None

    # --- the reader thread -----------------------------------------------------------------------
    def _push(self, frame: Frame) -> bool:
        """Queue a frame; a real-time source drops the oldest when full, a file waits. False: stopped."""
        with self._cv:
            while not self.realtime and len(self._q) >= self.max_queue and not self._stop.is_set():
                self._cv.wait(0.1)
            if self._stop.is_set():
                return False
            if len(self._q) >= self.max_queue:
                self._q.popleft()
                self.dropped += 1
            self._q.append(frame)
            self._cv.notify_all()
        return True

    def _frames(self) -> Iterator[tuple[np.ndarray, float | None]]:
        if self._cap is not None:
            import cv2

            fails = 0
            while not self._stop.is_set():
                ok, bgr = self._cap.read()
                if not ok:
                    fails += 1
                    if fails > 50:
                        self.error = "the camera stopped delivering frames"
                        return
                    time.sleep(0.01)
                    continue
                fails = 0
                yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), None
            return
        for packet in self._av.demux(self._stream):
            for fr in packet.decode():
                yield _upright(fr), (float(fr.time) if fr.time is not None else None)

    def _read(self) -> None:
        index, t0 = 0, None
        try:
            it = self._frames()
            while not self._stop.is_set():
                if self.max_frames is not None and index >= self.max_frames:
                    break
                d0 = time.perf_counter()
                try:
                    img, ts = next(it)
                except StopIteration:
                    break
                decode_ms = (time.perf_counter() - d0) * 1e3
                now = time.monotonic()
                if t0 is None:
                    t0, self.started = now, now
                    first_ts = ts or 0.0
                t = (ts - first_ts) if ts is not None and not self.is_stream else (now - t0)
                if self.realtime and not self.is_stream:  # a file played as a camera: wait for its time
                    delay = t0 + t - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        break
                if not self._push(Frame(img, float(t), index, decode_ms)):
                    break
                index += 1
        except Exception as e:  # a stream that breaks mid-way ends cleanly, with the reason kept
            self.error = f"the stream stopped after {index} frames ({type(e).__name__}: {' '.join(str(e).split())[:160]})"
        finally:
            with self._cv:
                self._done = True
                self._cv.notify_all()

    # --- the consumer --------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Frame]:
        self.start()
        while True:
            with self._cv:
                while not self._q and not self._done:
                    self._cv.wait(0.1)
                if not self._q:
                    return
                frame = self._q.popleft()
                self._cv.notify_all()
            self.frames += 1
            yield frame

    def close(self) -> None:
        self._stop.set()
        with self._cv:
            self._cv.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self._cap is not None:
            self._cap.release()
        self._close_av()

    def __enter__(self) -> "FrameSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
