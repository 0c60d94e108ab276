"""What datasets of raw video need from perception, as an interface (dependency inversion).

``data/`` never runs MediaPipe and never imports :mod:`signkit.video`. A dataset whose samples are
made by perception (``videos``: keypoints extracted from clips; ``silfa_clips`` / ``video_clips``:
pose-guided pixel crops) takes an object with these methods; :func:`signkit.kinds.open_dataset`
passes the implementation of :mod:`signkit.video.perception`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class Perception(Protocol):
    def extract_keypoints(self, root: Path, out_dir: Path, layout: str, workers: int = 1,
                          files: list[Path] | None = None) -> dict:
        """Extract keypoints of ``layout`` from every ``<root>/<gloss>/<clip>`` video into
        ``<out_dir>/<gloss>/<clip>.pose`` (resumable); with ``files`` (videos of one folder) only those,
        into ``<out_dir>/<clip>.pose``. Returns ``{"failed": [{"video", "reason"}], ...}``."""

    def clip_crops(self, source, streams: tuple, rgb: bool, size: int) -> dict[str, np.ndarray]:
        """Pose-guided crops ``{stream: (T, S, S[, 3]) uint8}`` of a video file, a frame folder or a
        tuple of frame files (cached)."""


def require(perception, dataset: str) -> "Perception":
    """``perception`` itself, or a SignkitError saying how to open ``dataset`` when it is None."""
    from ..errors import SignkitError

    if perception is None:
        raise SignkitError(f"dataset {dataset!r} runs MediaPipe on video; open it with signkit.kinds.open_dataset "
                           f"(or pass perception=signkit.video.perception.MEDIAPIPE)")
    return perception
