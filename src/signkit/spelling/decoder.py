"""Decode per-frame hand-shape probabilities of a fingerspelling video into text.

Steps (all in frames, converted to seconds with the video's fps):

1. **Smooth**: a centred moving average of the probabilities over ``smooth`` frames, taken over
   frames with a hand only (a "no hand" frame never lends its zeros to a neighbour).
2. **Label** each frame with its most probable letter when a hand is present and the smoothed
   probability is at least ``min_confidence``; otherwise the frame is *blank* ("nothing").
3. **Segment** runs of equal labels. A run of a letter supported by fewer than ``min_letter``
   frames is a *glitch* and is removed (support: frames whose own, unsmoothed, top letter is the
   run's letter, so that smoothing cannot stretch a flicker into a letter). Two runs of the same letter are merged when only glitches, or a blank gap shorter
   than ``min_gap`` frames, separate them; a blank gap of at least ``min_gap`` frames between them
   makes a **double letter** (the hand drops or moves between the two holds, as in "LL").
4. **Collapse**: each remaining run is one letter with start/end times and its mean probability.

The input is ``probs (T, K)`` (rows need not sum to one) and ``present (T,)`` bool.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import SignkitError


@dataclass
class SpelledLetter:
    """One decoded letter: ``start_s``/``end_s`` in seconds (end exclusive: last frame + 1 / fps),
    frames ``[start_frame, end_frame)`` and mean probability of the letter over its frames."""

    letter: str
    start_s: float
    end_s: float
    confidence: float
    start_frame: int
    end_frame: int


@dataclass
class Spelling:
    """The decoded text and its letters."""

    text: str
    letters: list[SpelledLetter]
    fps: float
    frames: int

    def to_dict(self) -> dict:
        return {"text": self.text, "fps": self.fps, "frames": self.frames,
                "letters": [asdict(x) for x in self.letters]}


@dataclass
class DecoderConfig:
    """Decoder settings, in seconds (converted to frames at the video's fps, at least 1 frame).

    smooth_s: moving-average window (default 0.3 s). min_letter_s: shortest held letter; shorter runs
    are glitches (0.3 s). min_gap_s: shortest blank gap that separates a double letter (0.2 s).
    min_confidence: smallest smoothed probability for a frame to count as a letter (0.4).
    """

    smooth_s: float = 0.3
    min_letter_s: float = 0.3
    min_gap_s: float = 0.2
    min_confidence: float = 0.4

    def frames(self, fps: float) -> tuple[int, int, int]:
        f = lambda s: max(1, int(round(s * fps)))  # noqa: E731
        return f(self.smooth_s), f(self.min_letter_s), f(self.min_gap_s)


def smooth_probs(probs: np.ndarray, present: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average ``(T, K)`` over ``window`` frames, using only frames with a hand."""
    if window <= 1 or len(probs) == 0:
        return probs * present[:, None]
    T, half = len(probs), window // 2
    lo, hi = np.clip(np.arange(T) - half, 0, T), np.clip(np.arange(T) + (window - half), 0, T)
    c_num = np.concatenate([np.zeros((1, probs.shape[1])), np.cumsum(probs * present[:, None], 0)])
    c_den = np.concatenate([[0.0], np.cumsum(present.astype(float))])
    out = (c_num[hi] - c_num[lo]) / np.maximum(c_den[hi] - c_den[lo], 1e-9)[:, None]
    return out * present[:, None]


def _runs(labels: np.ndarray) -> list[list[int]]:
    """[label, start, end) runs of equal values."""
    runs: list[list[int]] = []
    for t, v in enumerate(labels.tolist()):
        if runs and runs[-1][0] == v:
            runs[-1][2] = t + 1
        else:
            runs.append([v, t, t + 1])
    return runs


def decode_spelling(probs: np.ndarray, present: np.ndarray | None, vocabulary: list[str], fps: float,
                    config: DecoderConfig | None = None) -> Spelling:
    """Per-frame probabilities ``(T, K)`` and hand presence ``(T,)`` -> :class:`Spelling`.

    Raises:
        SignkitError: ``probs`` is not 2-D, its width differs from the vocabulary, ``present`` has
        another length, or ``fps`` is not positive.
    """
    cfg = config or DecoderConfig()
    probs = np.asarray(probs, np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(vocabulary):
        raise SignkitError(f"expected probabilities of shape (T, {len(vocabulary)}); found {probs.shape}")
    if fps <= 0:
        raise SignkitError(f"expected a positive frame rate; found {fps}")
    T = len(probs)
    present = np.ones(T, bool) if present is None else np.asarray(present, bool)
    if present.shape != (T,):
        raise SignkitError(f"expected hand presence of shape ({T},); found {present.shape}")
    window, min_letter, min_gap = cfg.frames(fps)
    sm = smooth_probs(probs, present, window)
    labels = np.where(present & (sm.max(1) >= cfg.min_confidence), sm.argmax(1), -1) if T else np.zeros(0, int)

    # runs of letters; glitches (short letter runs) become "unknown" (-2): they neither make a letter
    # nor separate two holds of the same letter
    runs = _runs(labels)
    raw = np.where(present, probs.argmax(1), -1) if T else np.zeros(0, int)
    for r in runs:  # support = frames of the run whose own (unsmoothed) top letter is the run's letter
        if r[0] >= 0 and int((raw[r[1] : r[2]] == r[0]).sum()) < min_letter:
            r[0] = -2
    letters: list[list[int]] = []  # [label, start, end]
    gap = 0  # blank frames since the last kept letter run
    for lab, s, e in runs:
        if lab == -1:
            gap += e - s
            continue
        if lab == -2:
            continue
        if letters and letters[-1][0] == lab and gap < min_gap:
            letters[-1][2] = e  # same letter again after a glitch or a short dropout: one hold
        else:
            letters.append([lab, s, e])
        gap = 0
    out = []
    for lab, s, e in letters:
        frames = np.arange(s, e)
        keep = frames[labels[frames] == lab]
        conf = float(sm[keep, lab].mean()) if len(keep) else 0.0
        out.append(SpelledLetter(vocabulary[lab], round(s / fps, 3), round(e / fps, 3), round(conf, 4), int(s), int(e)))
    return Spelling("".join(x.letter for x in out), out, float(fps), T)
