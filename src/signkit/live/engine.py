"""The live pipeline: source -> MediaPipe (tracking mode) -> One Euro filter -> model -> decoder ->
events, with the latency of each stage per frame.

:func:`run_live` picks the streaming recogniser from the checkpoint's input kind: hand-shape
checkpoints (``landmarks`` or ``image``) spell letters (:class:`~signkit.live.StreamingSpeller`);
keypoint checkpoints whose layout a live stream can produce (``mp_hands42`` with MediaPipe Hands,
``sign_body57`` with MediaPipe Holistic) recognise isolated signs
(:class:`~signkit.live.StreamingSignRecognizer`). Any other checkpoint is refused before the source
is opened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import LayoutMismatchError, SignkitError
from ..inference import ImageRecognizer, KeypointRecognizer, LandmarkRecognizer, Recognizer
from ..keypoints import KeypointSequence
from ..keypoints.layouts import get_layout
from ..spelling.decoder import DecoderConfig
from ..storage import check_output
from ..video.extract import quiet_mediapipe
from ..video.tracking import LIVE_LAYOUTS, HandTracker, HolisticTracker
from .filters import OneEuroFilter
from .recognizers import Event, StreamingSignRecognizer, StreamingSpeller
from .sources import FrameSource
from .stats import LatencyStats


@dataclass
class LiveOptions:
    """Settings of a live session.

    realtime: play a file at its own frame rate (a camera always is). filter: One Euro smoothing on
    (``min_cutoff`` Hz, ``beta`` per pixel). mirrored: selfie-view frames (handedness labels kept).
    max_queue: frames buffered before the oldest is dropped. timeout_s: opening/reading a URL.
    max_frames: stop after so many frames (None: the whole stream). Isolated signs: ``window_s``,
    ``hop_s``, ``threshold`` (rejection), ``consecutive``, ``min_presence``, ``min_motion`` (px/s).
    Fingerspelling: ``decoder`` (:class:`~signkit.spelling.DecoderConfig`), ``lookahead_s``.
    runtime: what runs a torch checkpoint's model: ``onnx`` (ONNX Runtime, exported in memory at the
    start, about 0.1 s), ``torch``, or ``auto`` (ONNX Runtime for hand-shape checkpoints, whose model
    runs on every frame; torch for the sign windows, classified once per hop). An exported ``.onnx``
    checkpoint always runs in ONNX Runtime.
    """

    realtime: bool = False
    filter: bool = True
    min_cutoff: float = 1.5
    beta: float = 0.01
    mirrored: bool = False
    max_queue: int = 4
    timeout_s: float = 10.0
    max_frames: int | None = None
    window_s: float = 2.0
    hop_s: float = 0.25
    threshold: float = 0.6
    consecutive: int = 2
    min_presence: float = 0.5
    min_motion: float = 20.0
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    lookahead_s: float | None = None
    runtime: str = "auto"


RUNTIMES = ("auto", "onnx", "torch")


@dataclass
class LiveResult:
    """What a session produced: ``events`` in emission order, ``text`` (letters joined, or glosses
    joined by spaces), ``latency`` (:meth:`LatencyStats.summary`), ``source`` facts (fps, size,
    frames, dropped, error: why a stream ended early) and ``overlay`` (the written file, or None).
    ``windows``: for isolated signs, every window the model classified, in order, as ``(end_s, best
    gloss, its probability)`` (the first 10,000; for choosing a rejection threshold), else empty."""

    events: list[Event]
    text: str
    latency: dict
    source: dict
    overlay: Path | None = None
    windows: list[tuple[float, str, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "events": [e.to_dict() for e in self.events], "latency": self.latency,
                "source": self.source, "overlay": str(self.overlay) if self.overlay else None}


def live_mode(rec: Recognizer) -> str:
    """``spell`` or ``signs``: what a checkpoint does live.

    Raises:
        LayoutMismatchError: a checkpoint whose input cannot be produced from a live stream.
    """
    if isinstance(rec, ImageRecognizer):
        return "spell"
    if isinstance(rec, KeypointRecognizer) and rec.spec.layout in LIVE_LAYOUTS:
        return "signs"
    what = f"layout {rec.spec.layout!r}" if isinstance(rec, KeypointRecognizer) else f"{rec.spec.kind} input"
    raise LayoutMismatchError(f"{rec.path.name}: {what} cannot be extracted live; expected a hand-shape checkpoint "
                              f"(landmarks or image) or a keypoint checkpoint of layout {sorted(LIVE_LAYOUTS)}")


def _classifier(rec: KeypointRecognizer, size: list[int]) -> Callable:
    """Window classification of tracked points (x, y in pixels); ``size`` is ``[W, H]`` of the current
    frame, kept up to date by the caller, so that a checkpoint trained on coordinates normalised by
    the image size (the ISLR files) is given them (:func:`signkit.kinds.to_space`)."""

    def classify(pts: np.ndarray, conf: np.ndarray, fps: float) -> np.ndarray:
        data = np.where((conf > 0)[..., None], pts, np.nan)
        seq = KeypointSequence(data, rec.spec.layout, fps=fps, space="image_px",
                               meta={"width": size[0], "height": size[1]})
        return rec.predict_proba([seq])[0]

    return classify


def _runtime(rec: Recognizer, mode: str, runtime: str) -> tuple[Recognizer, str]:
    """The recogniser the session runs (see :attr:`LiveOptions.runtime`) and a word on what runs it.
    A keypoint model whose ONNX graph fixes the window length, while the checkpoint does not
    resample windows to one length, stays in torch (said in the word), as does one the exporter
    cannot take."""
    if rec.runtime != "torch" or runtime == "torch" or (runtime == "auto" and mode != "spell"):
        return rec, rec.runtime
    try:
        fast = rec.with_onnx_runtime(threads=1)
    except SignkitError as e:
        return rec, f"torch (ONNX export failed: {' '.join(str(e).split())[:160]})"
    if mode == "signs" and rec.spec.frames is None:
        frames = fast.model.session.get_inputs()[0].shape[1]
        if isinstance(frames, int):
            return rec, f"torch (the ONNX graph fixes windows at {frames} frames)"
    return fast, fast.runtime


def run_live(checkpoint: str | Path | Recognizer, source: str | int, options: LiveOptions | None = None,
             on_event: Callable[[Event], None] | None = None, overlay: str | Path | None = None,
             overwrite: bool = False, show: bool = False,
             on_frame: Callable[[np.ndarray], None] | None = None) -> LiveResult:
    """Recognise a live source with a checkpoint; ``on_event`` is called as each event is emitted.

    ``overlay`` (``.mp4``/``.gif``): the annotated stream (hand skeletons, the text so far, the frame's
    latency), never replacing an existing file unless ``overwrite``. ``show``: a window (OpenCV) when
    a display exists; ``q`` or Esc ends the session.

    Raises:
        LayoutMismatchError: the checkpoint cannot run live (see :func:`live_mode`).
        SourceError: the source cannot be opened. OutputExistsError: ``overlay`` exists.
    """
    from ..video.overlay import StreamWriter, annotate_live

    opt = options or LiveOptions()
    if opt.runtime not in RUNTIMES:
        raise SignkitError(f"unknown runtime {opt.runtime!r}; expected one of {RUNTIMES}")
    rec = checkpoint if isinstance(checkpoint, Recognizer) else Recognizer(checkpoint)
    mode = live_mode(rec)  # refuse before opening anything
    quiet_mediapipe()  # native log lines (MediaPipe's, and the ONNX exporter's) filtered where asked for
    rec, runtime = _runtime(rec, mode, opt.runtime)
    if overlay is not None:
        overlay = check_output(overlay, [rec.path] + ([source] if isinstance(source, (str, Path)) else []), overwrite)
    stats = LatencyStats()
    events: list[Event] = []
    writer = None
    window = None
    holistic = mode == "signs" and LIVE_LAYOUTS[rec.spec.layout] == "holistic"
    with FrameSource(source, opt.realtime, opt.max_queue, opt.timeout_s, opt.max_frames, start=False) as src, \
            (HolisticTracker(rec.spec.layout) if holistic else HandTracker(mirrored=opt.mirrored)) as tracker:
        # warm up before the first frame is read: MediaPipe builds its graph on the first call (about
        # 0.3 s), which would make a real-time source drop its first frames. A blank frame leaves no
        # tracking state behind (nothing is found in it).
        tracker.process(np.zeros((max(1, src.height or 240), max(1, src.width or 320), 3), np.uint8))
        fps = src.fps
        size = [src.width or 1, src.height or 1]  # of the current frame, for the classifier
        smoother = OneEuroFilter(opt.min_cutoff, opt.beta) if opt.filter else None
        if mode == "spell":
            engine = StreamingSpeller(rec.vocabulary, fps, opt.decoder, opt.lookahead_s)
            policy = rec.hand
        else:
            hands = [i for i, j in enumerate(get_layout(rec.spec.layout).joints) if "HAND" in j.upper()]
            engine = StreamingSignRecognizer(_classifier(rec, size), rec.vocabulary, fps, opt.window_s, opt.hop_s,
                                             opt.threshold, opt.consecutive, opt.min_presence, opt.min_motion,
                                             gate_joints=hands or None)
        if overlay is not None:
            writer = StreamWriter(overlay, fps)
        if show:
            window = _Window()
        stats.start()
        try:
            for fr in src:
                t_start = time.perf_counter()
                size[:] = fr.image.shape[1], fr.image.shape[0]
                tracked = tracker.process(fr.image)
                t_lm = time.perf_counter()
                if smoother is not None:
                    pts = smoother(tracked.points, fr.t, tracked.conf > 0)
                else:
                    pts = tracked.points
                t_f = time.perf_counter()
                now = (time.monotonic() - src.started) if src.realtime and src.started else fr.t
                if mode == "spell":
                    det = tracked.chosen(policy)
                    if det is not None and smoother is not None:  # the chosen hand's smoothed landmarks
                        off = 21 if det[1] > 0 else 0
                        if tracked.conf[off] > 0 and np.allclose(tracked.points[off : off + 21], det[0]):
                            det = (pts[off : off + 21], det[1], det[2])
                    probs = rec.proba_from_detections([fr.image], [det])[0] if det is not None else None
                    t_m = time.perf_counter()
                    new = engine.push(fr.t, probs, now=now)
                    text = engine.text
                else:
                    t_m = t_f
                    new = engine.push(fr.t, pts, tracked.conf, now=now)
                    t_m2 = time.perf_counter()
                    text = " ".join(e.label for e in events + new)
                t_d = time.perf_counter()
                if mode == "signs":  # the model runs inside the window recogniser: count it as model time
                    t_m, t_d = t_m2, t_m2
                    if engine.last_model_ms is not None:  # the frames where a window was classified
                        stats.add("window_model", engine.last_model_ms)
                stats.add("decode", fr.decode_ms)
                stats.add("landmarks", (t_lm - t_start) * 1e3)
                stats.add("filter", (t_f - t_lm) * 1e3)
                stats.add("model", (t_m - t_f) * 1e3)
                stats.add("decoder", (t_d - t_m) * 1e3)
                stats.add("total", (t_d - t_start) * 1e3)
                stats.frames += 1
                for e in new:
                    events.append(e)
                    if on_event:
                        on_event(e)
                if writer is not None or window is not None or on_frame is not None:
                    img = annotate_live(fr.image, tracked.hands, text,
                                        f"{(t_d - t_start) * 1e3:.1f} ms  dropped {src.dropped}")
                    if writer is not None:
                        writer.write(img)
                    if on_frame is not None:
                        on_frame(img)
                    if window is not None and not window.show(img):
                        break
            for e in engine.flush(now=(time.monotonic() - src.started) if src.realtime and src.started else None):
                events.append(e)
                if on_event:
                    on_event(e)
        finally:
            stats.stop()
            stats.dropped = src.dropped
            if window is not None:
                window.close()
            written = writer.close() if writer is not None else None
        facts = {"fps": round(fps, 3), "width": src.width, "height": src.height, "frames": src.frames,
                 "dropped": src.dropped, "realtime": src.realtime, "error": src.error, "runtime": runtime}
    text = "".join(e.label for e in events) if mode == "spell" else " ".join(e.label for e in events)
    return LiveResult(events, text, stats.summary(), facts, written, list(getattr(engine, "scores", [])))


class _Window:
    """An OpenCV window when a display exists (else nothing is shown)."""

    def __init__(self):
        import os

        self.ok = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.name == "nt")

    def show(self, img: np.ndarray) -> bool:
        if not self.ok:
            return True
        import cv2

        try:
            cv2.imshow("signkit live", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            return (cv2.waitKey(1) & 0xFF) not in (ord("q"), 27)
        except cv2.error:
            self.ok = False
            return True

    def close(self) -> None:
        if self.ok:
            import cv2

            try:
                cv2.destroyAllWindows()
            except cv2.error:
                pass
