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


def expand_inputs(inputs, is_input) -> tuple[list[tuple[Path, Path]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Expand command-line inputs (files, folders, glob patterns) into ``(input, base)`` pairs, in
    the order given, each input once; ``base`` is the folder an output layout is relative to (the
    folder argument for what was found inside it, else the input's parent).

    A file named (or matched by a glob) is always an input. A folder for which ``is_input(folder)``
    holds (e.g. a folder of video frames, or of OpenPose JSON) is one input; any other folder is
    walked in name order, symbolic links to folders not followed (so a link cycle cannot loop), and
    the files and folders on the way for which ``is_input`` holds are taken (an accepted folder is
    not entered).

    Returns:
        ``(pairs, missing, unreadable)``; ``missing`` lists ``(argument, reason)`` for each argument
        that names nothing and matches no glob, ``unreadable`` ``(path, reason)`` for each entry on the
        way that cannot be read; the caller reports them (nothing is raised here).
    """
    import glob

    def cannot_read(e: OSError) -> None:
        unreadable.append((str(e.filename), f"cannot be read ({e.strerror or type(e).__name__})"))

    def accepted(p: Path) -> bool:
        try:
            return bool(is_input(p))
        except OSError as e:  # e.g. a file whose status cannot be read
            cannot_read(e)
            return False

    def walk(top: Path) -> list[Path]:
        found: list[Path] = []
        for root, dirs, files in os.walk(top, onerror=cannot_read, followlinks=False):
            dirs.sort()
            here = Path(root)
            keep = []
            for d in dirs:
                (found if accepted(here / d) else keep).append(here / d)
            dirs[:] = [d.name for d in keep]
            found += [here / f for f in sorted(files) if accepted(here / f)]
        return sorted(found)

    def one(p: Path) -> list[tuple[Path, Path]]:
        try:
            folder = p.is_dir()
        except OSError as e:
            cannot_read(e)
            return []
        if folder and not accepted(p):
            return [(f, p) for f in walk(p)]
        return [(p, p.parent)]

    pairs: list[tuple[Path, Path]] = []
    missing: list[tuple[str, str]] = []
    unreadable: list[tuple[str, str]] = []
    for inp in inputs:
        if os.path.lexists(inp):
            pairs += one(Path(inp))
            continue
        matches = sorted(Path(m) for m in glob.glob(str(inp), recursive=True))
        if not matches:
            missing.append((str(inp), "no such file, folder or matching glob"))
        for m in matches:
            pairs += one(m)
    seen: set[str] = set()
    unique = []
    for x, b in pairs:
        key = os.path.realpath(x)  # never raises, even on a link cycle
        if key not in seen:
            seen.add(key)
            unique.append((x, b))
    return unique, missing, unreadable
