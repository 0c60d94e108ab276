"""Fingerspelling video -> text: a hand-shape checkpoint (image or landmark model) on every frame,
then :func:`~signkit.spelling.decoder.decode_spelling`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import LayoutMismatchError
from ..inference import ImageRecognizer, Recognizer
from ..video.decode import read_frames
from ..video.hands import HandDetector
from .decoder import DecoderConfig, Spelling, decode_spelling


def check_hand_shape(recognizer: Recognizer) -> ImageRecognizer:
    """``recognizer`` if it is a hand-shape model (image or landmark checkpoint), else LayoutMismatchError."""
    if not isinstance(recognizer, ImageRecognizer):
        raise LayoutMismatchError(f"checkpoint {recognizer.path.name} has layout {recognizer.meta['layout']!r}; "
                                  f"spelling needs a hand-shape model (an image or landmark checkpoint)")
    return recognizer


def frame_probabilities(recognizer, frames: np.ndarray, batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame class probabilities ``(T, K)`` and hand presence ``(T,)`` for frames ``(T, H, W, 3)``
    uint8 RGB. A frame where MediaPipe Hands finds no hand has presence False and zero probabilities.

    Raises:
        LayoutMismatchError: the checkpoint is not a hand-shape model (image or landmark layout).
    """
    check_hand_shape(recognizer)

    T, K = len(frames), len(recognizer.vocabulary)
    probs = np.zeros((T, K), np.float32)
    present = np.zeros(T, bool)
    with HandDetector(hand=recognizer.hand) as det:
        dets = [det.detect(f) for f in frames]
    present[:] = [d is not None for d in dets]
    idx = np.flatnonzero(present)
    for s in range(0, len(idx), batch_size):
        part = idx[s : s + batch_size]
        probs[part] = recognizer.proba_from_detections([frames[i] for i in part], [dets[i] for i in part])
    return probs, present


def spell_video(checkpoint: str | Path, video: str | Path, config: DecoderConfig | None = None) -> Spelling:
    """Read a video (PyAV), classify each frame's hand shape and decode the letters.

    Raises:
        VideoError: unreadable video. LayoutMismatchError: not a hand-shape checkpoint.
    """
    rec = check_hand_shape(Recognizer(checkpoint))  # fail before decoding the video
    frames, info = read_frames(video)
    probs, present = frame_probabilities(rec, frames)
    return decode_spelling(probs, present, rec.vocabulary, info.fps, config)
