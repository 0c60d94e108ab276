"""The dominant (active, signing) hand of a sequence, and mirroring left-handed signing onto the right.

The estimate, for any layout with a left and a right hand (joint names with ``LEFT_HAND`` /
``RIGHT_HAND``, ``hand_left`` / ``hand_right`` or ``left_hand`` / ``right_hand``):

1. **Presence**: the fraction of frames in which each hand's points are found. A hand found in
   less than half as many frames as the other is not the signing hand (trackers lose a resting hand
   that is out of view or at the edge of the frame).
2. Otherwise **height**: the signing hand is held higher. The mean image y (pixels or normalised,
   y down) of each hand's wrist over the frames where both wrists are known, from the body's wrist
   points when the layout has them (``POSE_LANDMARKS.LEFT_WRIST``; always tracked), else the hands'.
3. Ties (equal heights) go to the hand that moves more (mean frame-to-frame wrist displacement).

Checked against pose-format's own expected labels for its five real ``hand_estimation`` files
(``tests/hand_estimation_test.py`` of sign-language-processing/pose): see ``tests/test_pose_files.py``.
Names are MediaPipe's: ``LEFT`` is the signer's left hand.
"""

from __future__ import annotations

import numpy as np

from .layouts import Layout, get_layout
from .sequence import KeypointSequence

_SIDE_TOKENS = {"LEFT": ("LEFT_HAND", "HAND_LEFT"), "RIGHT": ("RIGHT_HAND", "HAND_RIGHT")}


def hand_joints(layout: str | Layout) -> dict[str, list[int]] | None:
    """``{"LEFT": [joint indices], "RIGHT": [...]}`` of a layout's two hands, or None when it lacks
    one of them."""
    lay = get_layout(layout)
    out = {}
    for side, tokens in _SIDE_TOKENS.items():
        out[side] = [i for i, j in enumerate(lay.joints) if any(t in j.upper() for t in tokens)]
    return out if out["LEFT"] and out["RIGHT"] else None


def _wrist(lay: Layout, side: str, hand: list[int]) -> int:
    for name in (f"POSE_LANDMARKS.{side}_WRIST", f"pose_keypoints_2d.{side[0]}Wrist"):
        if name in lay.joints:
            return lay.joints.index(name)
    return next((i for i in hand if lay.joints[i].upper().endswith("WRIST") or lay.joints[i].endswith(".0")), hand[0])


def estimate_dominant_hand(seq: KeypointSequence) -> str | None:
    """``"LEFT"`` or ``"RIGHT"``: the hand that signs in ``seq`` ``(T, J, C)`` (see the module doc),
    or None for a layout without two hands or a sequence in which neither hand is ever found."""
    hands = hand_joints(seq.layout)
    if hands is None:
        return None
    d = np.asarray(seq.data, np.float64)
    valid = seq.mask if seq.mask is not None else np.ones(len(d), bool)
    presence = {s: float((~np.isnan(d[valid][:, j, 0]).all(1)).mean()) if valid.any() else 0.0
                for s, j in hands.items()}
    if max(presence.values()) == 0.0:
        return None
    if presence["LEFT"] < 0.5 * presence["RIGHT"]:
        return "RIGHT"
    if presence["RIGHT"] < 0.5 * presence["LEFT"]:
        return "LEFT"
    lay = seq.layout
    w = {s: d[:, _wrist(lay, s, j), :2] for s, j in hands.items()}
    both = valid & ~np.isnan(w["LEFT"]).any(1) & ~np.isnan(w["RIGHT"]).any(1)
    if both.any():
        y = {s: float(w[s][both, 1].mean()) for s in w}
        if y["LEFT"] != y["RIGHT"]:
            return "LEFT" if y["LEFT"] < y["RIGHT"] else "RIGHT"
    motion = {s: float(np.nanmean(np.linalg.norm(np.diff(w[s], axis=0), axis=1))) if len(d) > 1 else 0.0 for s in w}
    motion = {s: (0.0 if np.isnan(v) else v) for s, v in motion.items()}
    return "LEFT" if motion["LEFT"] > motion["RIGHT"] else "RIGHT"


def mirror_to(seq: KeypointSequence, side: str) -> KeypointSequence:
    """``seq`` mirrored (x negated, left/right joints swapped by the layout's pairs) when its dominant
    hand is not ``side`` (``"LEFT"`` or ``"RIGHT"``); unchanged otherwise, or when no estimate exists.

    Raises:
        ValueError: ``side`` is neither LEFT nor RIGHT.
    """
    from .transforms import Mirror

    side = str(side).upper()
    if side not in ("LEFT", "RIGHT"):
        raise ValueError(f"dominant hand must be 'left' or 'right'; found {side!r}")
    est = estimate_dominant_hand(seq)
    if est is None or est == side:
        return seq
    return Mirror(p=1.0)(seq, np.random.default_rng(0))
