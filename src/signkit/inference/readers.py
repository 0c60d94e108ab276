"""Reading one raw input from a file, by its type: keypoint files, images and videos.

:func:`read_input` is the one dispatch: FPHA ``skeleton.txt``, ``.npz``, pose-format ``.pose`` and
Google ISLR ``.parquet`` give a :class:`~signkit.keypoints.KeypointSequence`; images (``.jpg``,
``.png``, ...) an ``(H, W, 3)`` uint8 array; videos are returned as their path (a clip recogniser crops
them, a keypoint recogniser extracts keypoints from them with :func:`read_keypoints`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.fpha import read_skeleton_txt
from ..data.images import load_image
from ..errors import KeypointFileError, LayoutMismatchError
from ..keypoints import KeypointSequence
from ..keypoints.formats import is_openpose_folder, pose_to_sequence, read_islr_parquet, read_openpose_json, read_pose
from ..paths import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

KEYPOINT_EXTENSIONS = (".txt", ".npz", ".pose", ".parquet")
PICKLE_EXTENSIONS = (".pkl", ".pickle", ".pt", ".pth")  # formats whose loading can run code: refused


def read_keypoints(path: str | Path, layout: str | None = None) -> KeypointSequence:
    """Read keypoints from a file: FPHA ``skeleton.txt``, ``.npz``, pose-format ``.pose``, Google
    ISLR ``.parquet``, a folder of OpenPose ``*_keypoints.json``, or a video (``.mp4``...; MediaPipe extraction for ``layout``: mp_hands42,
    mp_pose33 or sign_body57).

    Raises:
        KeypointFileError: unknown extension, empty or malformed file. VideoError: unreadable video.
        LayoutMismatchError: a video and a layout that extraction cannot give.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if is_openpose_folder(p):
        return read_openpose_json(p, layout or "openpose137")
    if suffix == ".txt":
        return read_skeleton_txt(p)
    if suffix == ".npz":
        return KeypointSequence.load_npz(p, layout)
    if suffix == ".pose":
        return pose_to_sequence(read_pose(p), layout, path=str(p))
    if suffix == ".parquet":
        return read_islr_parquet(p, layout or "sign_body57")
    if suffix in VIDEO_EXTENSIONS:
        from ..video import EXTRACTOR_OF, extract_pose

        layout = layout or "mp_hands42"
        if layout not in EXTRACTOR_OF:
            raise LayoutMismatchError(f"cannot extract layout {layout!r} from video; expected one of {sorted(EXTRACTOR_OF)}")
        return pose_to_sequence(extract_pose(p, EXTRACTOR_OF[layout]), layout, path=str(p))
    raise KeypointFileError(f"{p}: unsupported keypoint file type {p.suffix!r}; expected skeleton.txt, .npz, .pose, "
                            f".parquet or a video ({', '.join(VIDEO_EXTENSIONS)})")


def read_input(path: str | Path, layout: str | None = None) -> KeypointSequence | np.ndarray | Path:
    """One raw input from ``path`` by its file type (see the module docstring); ``layout`` is the
    keypoint layout to read keypoint files into.

    Raises:
        KeypointFileError: an unknown file type, or a malformed file (see :func:`read_keypoints`,
        :func:`signkit.data.images.load_image`).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in PICKLE_EXTENSIONS:
        raise KeypointFileError(f"{p}: pickle files are never read (unpickling runs code from the file, e.g. "
                                f"OpenHands' pose pickles); expected keypoints as .pose, .npz, .parquet or OpenPose JSON")
    if suffix in IMAGE_EXTENSIONS:
        return load_image(p)
    if is_openpose_folder(p):
        return read_keypoints(p, layout)
    if suffix in VIDEO_EXTENSIONS or p.is_dir():
        if not p.exists():
            raise KeypointFileError(f"{p}: file not found; expected a video or a folder of frames")
        return p
    if suffix in KEYPOINT_EXTENSIONS:
        return read_keypoints(p, layout)
    raise KeypointFileError(f"{p}: unsupported file type {p.suffix!r}; expected keypoints "
                            f"({', '.join(KEYPOINT_EXTENSIONS)}), an image ({', '.join(IMAGE_EXTENSIONS)}) or a "
                            f"video ({', '.join(VIDEO_EXTENSIONS)})")
