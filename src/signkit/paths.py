"""Where signkit finds data: ``$SIGNKIT_DATA``, else ``../shared/data`` when present."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataRootError

ENV_VAR = "SIGNKIT_DATA"


def _candidates() -> list[Path]:
    here = Path(__file__).resolve()
    # ../shared/data seen from the working directory and from the repository root
    return [Path.cwd() / ".." / "shared" / "data", here.parents[2] / ".." / "shared" / "data"]


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Return the data root folder.

    Order: the ``root`` argument, the ``SIGNKIT_DATA`` environment variable, then
    ``../shared/data`` (relative to the working directory, then to the repository).

    Raises:
        DataRootError: the chosen folder does not exist, or no default could be found.
    """
    if root is None:
        root = os.environ.get(ENV_VAR) or None
    if root is not None:
        path = Path(root).expanduser()
        if not path.is_dir():
            raise DataRootError(
                f"data root {str(path)!r} does not exist or is not a folder; expected a folder "
                f"holding the datasets (set {ENV_VAR} or pass root=...)"
            )
        return path.resolve()
    for cand in _candidates():
        if cand.is_dir():
            return cand.resolve()
    raise DataRootError(
        f"no data root found: {ENV_VAR} is not set and ../shared/data does not exist; "
        f"expected a folder holding the datasets (set {ENV_VAR}=/path/to/data)"
    )


def dataset_dir(name: str, root: str | os.PathLike | None = None) -> Path:
    """Return ``<data root>/<name>``; raises DataRootError naming the missing folder."""
    base = data_root(root)
    path = base / name
    if not path.is_dir():
        raise DataRootError(f"dataset folder {str(path)!r} not found under data root {str(base)!r}")
    return path


# file types signkit reads, by extension (lower case)
VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")
