"""Where signkit keeps derived files, and how it writes every file: the cache folder and atomic writes.

- :func:`cache_dir`: ``$SIGNKIT_CACHE`` (default ``~/.cache/signkit``), one sub-folder per kind of
  cached result (``landmarks``, ``clips``, ``videos``).
- :func:`atomic_write_bytes` / :func:`atomic_write_text`: write ``.<name>.part`` in the same folder,
  fsync, then rename over the target, so a crash or Ctrl-C never leaves a half-written file, and a
  reader sees either the old file or the new one.
- :func:`atomic_path`: the same for libraries that insist on writing to a path themselves
  (``safetensors.torch.save_file``, ``numpy.savez_compressed``).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

CACHE_ENV = "SIGNKIT_CACHE"


def cache_dir(sub: str | None = None) -> Path:
    """``$SIGNKIT_CACHE/<sub>`` (default ``~/.cache/signkit/<sub>``); not created here."""
    base = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "signkit").expanduser()
    return base / sub if sub else base


def part_path(path: Path) -> Path:
    """The temporary name used while ``path`` is being written: ``.<name>.part`` beside it."""
    return path.with_name(f".{path.name}.part")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (ending in ``suffix``, for libraries that add their own
    extension); on a clean exit it is renamed over ``path``, on an error it is removed. Parent
    folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(path).with_name(part_path(path).name + suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``.part`` file, fsync, rename); returns the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Text counterpart of :func:`atomic_write_bytes` (UTF-8)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
