"""Real time: frame sources, the One Euro filter, streaming recognisers and the live pipeline
(:func:`run_live`). Perception runs in :mod:`signkit.video` (tracking mode); this package only
orders the stages and times them."""

from .engine import LiveOptions, LiveResult, live_mode, run_live
from .filters import OneEuroFilter
from .recognizers import Event, StreamingSignRecognizer, StreamingSpeller
from .sources import Frame, FrameSource, SourceError, parse_source
from .stats import LatencyStats

__all__ = ["run_live", "LiveOptions", "LiveResult", "live_mode", "OneEuroFilter", "Event", "StreamingSpeller",
           "StreamingSignRecognizer", "Frame", "FrameSource", "SourceError", "parse_source", "LatencyStats"]
