"""The perception that datasets of raw video use (:class:`signkit.data.perception.Perception`),
implemented with MediaPipe: keypoint extraction (:func:`~signkit.video.extract.extract_batch`) and
pose-guided pixel crops (:func:`~signkit.video.pixels.source_crops`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class MediaPipePerception:
    """MediaPipe 0.10.21's bundled models (offline) behind the dataset-side interface."""

    def extract_keypoints(self, root: Path, out_dir: Path, layout: str, workers: int = 1,
                          files: list[Path] | None = None) -> dict:
        from .extract import EXTRACTOR_OF, extract_batch

        return extract_batch(list(files) if files is not None else [root], out_dir, EXTRACTOR_OF[layout], "pose",
                             workers=workers, progress=False)

    def clip_crops(self, source, streams: tuple, rgb: bool, size: int) -> dict[str, np.ndarray]:
        from .pixels import source_crops

        return source_crops(source, streams, rgb, size)


MEDIAPIPE = MediaPipePerception()
