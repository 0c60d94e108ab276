"""Fingerspelling: per-frame hand-shape probabilities -> letters with times (``signkit spell``)."""

from .decoder import DecoderConfig, SpelledLetter, Spelling, decode_spelling, smooth_probs
from .video import frame_probabilities, spell_video

__all__ = ["DecoderConfig", "SpelledLetter", "Spelling", "decode_spelling", "smooth_probs", "frame_probabilities",
           "spell_video"]
