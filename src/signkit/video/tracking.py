"""MediaPipe in tracking (video) mode for live streams: one call per frame, state carried from frame to
frame (the palm detector runs only when tracking is lost), so a frame costs less than a still image.

:class:`HandTracker` gives, per frame, every hand found as ``(landmarks (21, 3) pixels, handedness
+1 right / -1 left, score)`` (the form of :meth:`signkit.video.hands.HandDetector.detect`), the hand
chosen by a policy (``first`` or ``highest``, as in :class:`~signkit.video.hands.HandDetector`), and the
``mp_hands42`` layout row of batch extraction (:func:`signkit.video.extract.extract_pose` with
``hands``: left hand 0-20, right hand 21-41, the same numbers as ``signkit extract`` writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import SignkitError
from .extract import _hands_frame, mediapipe_solution

LIVE_LAYOUTS = {"mp_hands42": "hands", "sign_body57": "holistic"}  # layouts a live stream can produce -> extractor


@dataclass
class TrackedFrame:
    """MediaPipe's answer for one frame: ``hands`` (``(landmarks (21, 3) px, handedness, score)`` each),
    ``points (J, 3)`` / ``conf (J,)`` in the ``mp_hands42`` layout (zeros where no hand)."""

    hands: list = field(default_factory=list)
    points: np.ndarray | None = None
    conf: np.ndarray | None = None

    def chosen(self, policy: str = "highest"):
        """The hand of ``policy`` (``first``: the most confident; ``highest``: the smallest mean y, the
        raised hand), or None when no hand was found."""
        if not self.hands:
            return None
        if policy == "first":
            return max(self.hands, key=lambda h: h[2])
        return min(self.hands, key=lambda h: float(h[0][:, 1].mean()))


def _check_frame(frame: np.ndarray) -> None:
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise SignkitError(f"expected an RGB frame (H, W, 3) uint8; found {frame.shape} {frame.dtype}")


class _Tracker:
    """A MediaPipe solution held for one stream: context manager, :meth:`close`."""

    _sol = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._sol.close()


class HandTracker(_Tracker):
    """MediaPipe Hands in tracking mode (``static_image_mode=False``), two hands.

    ``mirrored``: the frames are a selfie view (a front camera that mirrors): MediaPipe's handedness
    labels are then kept; otherwise they are swapped, as for ordinary video (see
    :mod:`signkit.video.extract`). Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, model_complexity: int = 1, mirrored: bool = False):
        self.mirrored = mirrored
        self._sol = mediapipe_solution("hands", model_complexity)

    def process(self, frame: np.ndarray) -> TrackedFrame:
        """Track the hands of one RGB frame ``(H, W, 3)`` uint8.

        Raises:
            SignkitError: not an ``(H, W, 3)`` uint8 frame.
        """
        _check_frame(frame)
        h, w = frame.shape[:2]
        res = self._sol.process(frame)
        hands = []
        for lm, hd in zip(res.multi_hand_landmarks or [], res.multi_handedness or []):
            c = hd.classification[0]
            right = (c.label == "Right") if self.mirrored else (c.label == "Left")
            hands.append((np.array([[p.x * w, p.y * h, p.z * w] for p in lm.landmark], np.float32),
                          1 if right else -1, float(c.score)))
        points, conf = _hands_frame(res, w, h, self.mirrored)
        return TrackedFrame(hands, points, conf)


class HolisticTracker(_Tracker):
    """MediaPipe Holistic in tracking mode, mapped per frame onto a whole-body layout (default
    ``sign_body57``) exactly as batch extraction does it: pose-format's point order and units (x, y in
    pixels, z as MediaPipe gives it; confidence = visibility for the body, 1 for found face and hand
    points, 0 where missing), then the layout's joints by name. ``hands`` of each
    :class:`TrackedFrame` are the two hands (for overlays). Use as a context manager or :meth:`close`.

    Raises:
        LayoutMismatchError: a layout whose joints are not all Holistic points.
    """

    def __init__(self, layout: str = "sign_body57", model_complexity: int = 1):
        from pose_format.utils.holistic import holistic_components

        from ..errors import LayoutMismatchError
        from ..keypoints.layouts import get_layout

        names = {f"{c.name}.{p}": i for i, (c, p) in enumerate((c, p) for c in holistic_components() for p in c.points)}
        lay = get_layout(layout)
        missing = [j for j in lay.joints if j not in names]
        if missing:
            raise LayoutMismatchError(f"layout {lay.name!r} has joints MediaPipe Holistic does not give, e.g. {missing[:3]}")
        self.idx = np.array([names[j] for j in lay.joints])
        self._sol = mediapipe_solution("holistic", model_complexity)

    def process(self, frame: np.ndarray) -> TrackedFrame:
        """Track one RGB frame ``(H, W, 3)`` uint8; ``points (J, 3)``/``conf (J,)`` in the layout."""
        from pose_format.utils.holistic import body_points, component_points

        _check_frame(frame)
        h, w = frame.shape[:2]
        res = self._sol.process(frame)
        parts = [body_points(res.pose_landmarks, w, h, 33), component_points(res.face_landmarks, w, h, 468),
                 component_points(res.left_hand_landmarks, w, h, 21), component_points(res.right_hand_landmarks, w, h, 21),
                 body_points(res.pose_world_landmarks, w, h, 33)]
        data = np.concatenate([p[0] for p in parts]).astype(np.float32)
        conf = np.concatenate([p[1] for p in parts]).astype(np.float32)
        hands = [(np.array([[p.x * w, p.y * h, p.z * w] for p in lm.landmark], np.float32), side, 1.0)
                 for lm, side in ((res.left_hand_landmarks, -1), (res.right_hand_landmarks, 1)) if lm is not None]
        return TrackedFrame(hands, data[self.idx], conf[self.idx])
