"""Draw a keypoint sequence over its video (or alone) as PNG (a 2x2 sheet), GIF or MP4."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import SignkitError
from ..keypoints import KeypointSequence

_COLOURS = [(230, 60, 60), (60, 130, 230), (60, 200, 90), (240, 170, 40), (170, 80, 220)]


def _canvas_transform(seq: KeypointSequence, width: int, height: int, fit: bool):
    if not fit:
        return lambda p: p
    xy = seq.data[..., :2].reshape(-1, 2)
    xy = xy[~np.isnan(xy).any(1)]
    if len(xy) == 0:
        return lambda p: p
    lo, hi = xy.min(0), xy.max(0)
    s = 0.9 * min(width / max(hi[0] - lo[0], 1e-6), height / max(hi[1] - lo[1], 1e-6))
    c = (lo + hi) / 2
    return lambda p: (p - c) * s + np.array([width / 2, height / 2])


def draw_frame(img: np.ndarray, pts: np.ndarray, seq: KeypointSequence) -> np.ndarray:
    """Draw bones and joints of one frame ``pts (J, 2)`` (pixels) onto an RGB image (in place)."""
    import cv2

    r = max(2, int(round(min(img.shape[:2]) / 150)))
    for k, (a, b) in enumerate(seq.layout.bones):
        if not (np.isnan(pts[a]).any() or np.isnan(pts[b]).any()):
            cv2.line(img, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]), _COLOURS[k % 5], max(1, r // 2),
                     cv2.LINE_AA)
    for p in pts:
        if not np.isnan(p).any():
            cv2.circle(img, (int(p[0]), int(p[1])), r, (255, 255, 255), -1, cv2.LINE_AA)
    return img


def detected_frames(seq: KeypointSequence) -> list[int]:
    """Indices of the frames in which at least one keypoint was detected (not NaN)."""
    return [t for t in range(len(seq)) if not np.isnan(seq.data[t, :, :2]).all()]


def render_frames(seq: KeypointSequence, video: str | Path | None = None, size: int = 480) -> list[np.ndarray]:
    """RGB frames with the skeleton drawn: over the video's frames when given (keypoints in that
    video's pixels), else on a dark canvas scaled to fit the keypoints."""
    if video is not None:
        from .decode import iter_frames

        frames = list(iter_frames(video))
        if len(frames) != len(seq):
            raise SignkitError(f"{video} has {len(frames)} frames; the keypoints have {len(seq)}; expected the same video")
        tf = _canvas_transform(seq, 0, 0, fit=False)
    else:
        w = int(seq.meta.get("width") or size)
        h = int(seq.meta.get("height") or size)
        fit = seq.space != "image_px"
        if fit:
            w = h = size
        frames = [np.full((h, w, 3), 30, np.uint8) for _ in range(len(seq))]
        tf = _canvas_transform(seq, w, h, fit)
    return [draw_frame(f.copy(), tf(seq.data[t, :, :2]), seq) for t, f in enumerate(frames)]


def save_overlay(frames: list[np.ndarray], out: str | Path, fps: float = 25.0, max_side: int = 480,
                 sheet_frames: list[int] | None = None) -> Path:
    """Write RGB frames ``(H, W, 3)`` as ``.png`` (a 2x2 sheet of 4 evenly spaced frames, taken from
    ``sheet_frames`` when given, e.g. the frames with detections), ``.gif`` or ``.mp4``, atomically.

    Raises:
        SignkitError: no frames, or an output suffix other than .png/.gif/.mp4.
    """
    from PIL import Image

    from ..storage import atomic_write_bytes as write_atomic

    out = Path(out)
    ext = out.suffix.lower()
    if not frames:
        raise SignkitError("no frames to draw")
    scale = min(1.0, max_side / max(frames[0].shape[:2]))
    ims = [Image.fromarray(f) for f in frames]
    if scale < 1:
        ims = [im.resize((int(im.width * scale), int(im.height * scale))) for im in ims]
    buf = io.BytesIO()
    if ext == ".png":
        idx = sheet_frames if sheet_frames else list(range(len(ims)))
        pick = [ims[idx[int(i)]] for i in np.linspace(0, len(idx) - 1, 4)]
        w, h = pick[0].size
        sheet = Image.new("RGB", (2 * w, 2 * h))
        for k, im in enumerate(pick):
            sheet.paste(im, ((k % 2) * w, (k // 2) * h))
        sheet.save(buf, format="PNG", optimize=True)
    elif ext == ".gif":
        ims[0].save(buf, format="GIF", save_all=True, append_images=ims[1:], duration=int(1000 / fps), loop=0)
    elif ext == ".mp4":
        import av

        import tempfile

        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".signkit-") as d, \
                av.open(str(Path(d) / "overlay.mp4"), "w") as c:
            s = c.add_stream("mpeg4", rate=int(round(fps)))
            s.width, s.height = ims[0].width // 2 * 2, ims[0].height // 2 * 2
            s.pix_fmt = "yuv420p"
            for im in ims:
                fr = av.VideoFrame.from_ndarray(np.asarray(im)[: s.height, : s.width], format="rgb24")
                for pkt in s.encode(fr):
                    c.mux(pkt)
            for pkt in s.encode():
                c.mux(pkt)
            c.close()
            buf.write((Path(d) / "overlay.mp4").read_bytes())
    else:
        raise SignkitError(f"unsupported overlay output {out.name!r}; expected .png, .gif or .mp4")
    write_atomic(out, buf.getvalue())
    return out


class StreamWriter:
    """An annotated live stream written frame by frame to ``.mp4`` (MPEG-4 Part 2, PyAV) or ``.gif``
    (frames kept, at most ``max_gif_frames``), into a temporary file in the target folder that replaces
    ``out`` only at :meth:`close` (an interrupted stream leaves no half-written file under ``out``'s name).
    Frames are scaled to at most ``max_side`` pixels. Memory is bounded for ``.mp4`` (one frame)."""

    def __init__(self, out: str | Path, fps: float, max_side: int = 480, max_gif_frames: int = 600):
        import tempfile

        self.out = Path(out)
        self.ext = self.out.suffix.lower()
        if self.ext not in (".mp4", ".gif"):
            raise SignkitError(f"unsupported live overlay output {self.out.name!r}; expected .mp4 or .gif")
        self.fps, self.max_side, self.max_gif = max(1.0, float(fps)), max_side, max_gif_frames
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.out.parent, prefix=f".{self.out.name}.", suffix=".signkit-part" + self.ext)
        import os

        os.close(fd)
        self.tmp = Path(tmp)
        self._c = self._s = None
        self._gif: list = []
        self.frames = 0

    def _scaled(self, frame: np.ndarray) -> np.ndarray:
        import cv2

        s = min(1.0, self.max_side / max(frame.shape[:2]))
        if s < 1:
            frame = cv2.resize(frame, (int(frame.shape[1] * s), int(frame.shape[0] * s)), interpolation=cv2.INTER_AREA)
        return frame

    def write(self, frame: np.ndarray) -> None:
        """Append one RGB frame ``(H, W, 3)`` uint8."""
        frame = self._scaled(frame)
        self.frames += 1
        if self.ext == ".gif":
            if len(self._gif) < self.max_gif:
                self._gif.append(frame)
            return
        import av

        if self._c is None:
            self._c = av.open(str(self.tmp), "w", format="mp4")
            self._s = self._c.add_stream("mpeg4", rate=int(round(self.fps)))
            self._s.width, self._s.height = frame.shape[1] // 2 * 2, frame.shape[0] // 2 * 2
            self._s.pix_fmt = "yuv420p"
        fr = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[: self._s.height, : self._s.width]), format="rgb24")
        for pkt in self._s.encode(fr):
            self._c.mux(pkt)

    def close(self) -> Path | None:
        """Finish the file and move it to ``out``; returns ``out`` (None when no frame was written)."""
        import os

        try:
            if self.ext == ".gif" and self._gif:
                from PIL import Image

                ims = [Image.fromarray(f) for f in self._gif]
                ims[0].save(self.tmp, format="GIF", save_all=True, append_images=ims[1:],
                            duration=int(1000 / self.fps), loop=0)
            elif self._c is not None:
                for pkt in self._s.encode():
                    self._c.mux(pkt)
                self._c.close()
            if self.frames == 0:
                return None
            with open(self.tmp, "rb") as f:
                os.fsync(f.fileno())
            from ..storage import publish

            publish(self.tmp, self.out)
            return self.out
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


def annotate_live(frame: np.ndarray, hands: list, text: str, status: str) -> np.ndarray:
    """A copy of an RGB frame with the hands' skeletons (``(landmarks (21, 3) px, ...)`` each), the
    text recognised so far (bottom) and a status line (top: e.g. the frame's latency in ms)."""
    import cv2

    from ..keypoints.layouts import get_layout

    img = np.ascontiguousarray(frame.copy())
    lay = get_layout("mediapipe_hand21")
    r = max(2, int(round(min(img.shape[:2]) / 150)))
    for lm, _, _ in hands:
        for k, (a, b) in enumerate(lay.bones):
            cv2.line(img, (int(lm[a, 0]), int(lm[a, 1])), (int(lm[b, 0]), int(lm[b, 1])), _COLOURS[k % 5],
                     max(1, r // 2), cv2.LINE_AA)
        for p in lm:
            cv2.circle(img, (int(p[0]), int(p[1])), r, (255, 255, 255), -1, cv2.LINE_AA)
    h = img.shape[0]
    fs = max(0.4, h / 480)
    cv2.rectangle(img, (0, 0), (img.shape[1], int(22 * fs)), (0, 0, 0), -1)
    cv2.putText(img, status[:80], (4, int(16 * fs)), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * fs, (255, 255, 255), 1, cv2.LINE_AA)
    cv2.rectangle(img, (0, h - int(40 * fs)), (img.shape[1], h), (0, 0, 0), -1)
    cv2.putText(img, text[-30:], (6, h - int(10 * fs)), cv2.FONT_HERSHEY_SIMPLEX, 1.0 * fs, (255, 255, 80), 2, cv2.LINE_AA)
    return img
