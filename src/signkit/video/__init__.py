"""Video: decoding (PyAV), pose extraction (MediaPipe) into pose-format, overlays."""

from .decode import VIDEO_EXTENSIONS, VideoError, VideoInfo, find_videos, iter_frames, probe, read_frames
from .extract import (EXTRACTOR_OF, EXTRACTORS, LAYOUT_OF, NoDetectionError, extract_batch, extract_pose,
                      save_extraction)

__all__ = ["VIDEO_EXTENSIONS", "VideoError", "VideoInfo", "find_videos", "iter_frames", "probe", "read_frames",
           "EXTRACTORS", "LAYOUT_OF", "EXTRACTOR_OF", "NoDetectionError", "extract_batch", "extract_pose",
           "save_extraction"]
