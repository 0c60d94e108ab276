"""Keypoint sequences, layouts and transforms."""

from .layouts import BOSTON104_TRACK3, FPHA_HAND21, LAYOUTS, MEDIAPIPE_HAND21, Layout, get_layout, register_layout
from .sequence import KeypointSequence
from .transforms import (Compose, LimitFrames, Mirror, Normalize, RandomAffine, RandomSpeed, RandomTemporalCrop, Resample,
                         build_transforms, pad_batch)

__all__ = ["Layout", "LAYOUTS", "FPHA_HAND21", "MEDIAPIPE_HAND21", "BOSTON104_TRACK3", "get_layout",
           "register_layout", "KeypointSequence", "Compose", "LimitFrames", "Normalize", "Resample", "RandomTemporalCrop",
           "RandomSpeed", "RandomAffine", "Mirror", "pad_batch", "build_transforms"]
