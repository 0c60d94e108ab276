"""Where signkit keeps derived files, and how it writes every file: the cache folder and atomic writes.

- :func:`cache_dir`: ``$SIGNKIT_CACHE`` (default ``~/.cache/signkit``), one sub-folder per kind of
  cached result (``landmarks``, ``clips``, ``videos``).
- :func:`atomic_write_bytes` / :func:`atomic_write_text`: write a uniquely named temporary file in the
  same folder (``.<name>.<random>.signkit-part``, from :mod:`tempfile`), fsync, then rename over the
  target, so a crash or Ctrl-C never leaves a half-written file, and a reader sees either the old
  file or the new one. Only files with that suffix are ever cleaned up (:func:`stale_parts`).
- :func:`atomic_path`: the same for libraries that insist on writing to a path themselves
  (``safetensors.torch.save_file``, ``numpy.savez_compressed``).
- :func:`check_output`: an output never replaces one of the command's inputs, nor an existing file
  unless the user asked to overwrite.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from .errors import SignkitError

CACHE_ENV = "SIGNKIT_CACHE"
PART_SUFFIX = ".signkit-part"


class OutputExistsError(SignkitError, FileExistsError):
    """An output path is one of the inputs, or an existing file that may not be replaced."""


class OutputPathError(SignkitError, OSError):
    """An output folder cannot be made or written (a file in the way, no permission, no space)."""


def ensure_dir(path: str | os.PathLike) -> Path:
    """``path`` as an existing folder (created with its parents when missing).

    Raises:
        OutputPathError: a file is in the way, or the folder cannot be created.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputPathError(f"cannot make the output folder {str(path)!r} ({e.strerror or e}); expected a folder "
                              f"path whose parents are folders") from None
    return path


def cache_dir(sub: str | None = None) -> Path:
    """``$SIGNKIT_CACHE/<sub>`` (default ``~/.cache/signkit/<sub>``); not created here."""
    base = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "signkit").expanduser()
    return base / sub if sub else base


def stale_parts(path: Path) -> list[Path]:
    """signkit's own temporary files for ``path`` left by a killed run (``.<name>.*.signkit-part*``)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}.*{PART_SUFFIX}*")) if path.parent.is_dir() else []


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a new, uniquely named temporary path beside ``path`` (ending in ``suffix``, for libraries
    that add their own extension); on a clean exit it is fsynced and renamed over ``path``, on an
    error it is removed. Parent folders are created."""
    path = Path(path)
    ensure_dir(path.parent)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX + suffix)
    except OSError as e:
        raise OutputPathError(f"cannot write in {str(path.parent)!r} ({e.strerror or e})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        publish(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def publish(tmp: Path, path: Path) -> None:
    """Rename a finished temporary file over ``path`` with the permissions an ordinary new file gets
    (``0o666`` less the umask; ``mkstemp`` makes them owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(tmp, 0o666 & ~mask)
    except OSError:
        pass
    os.replace(tmp, path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``.part`` file, fsync, rename); returns the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Text counterpart of :func:`atomic_write_bytes` (UTF-8)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def check_output(out: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), overwrite: bool = False) -> Path:
    """``out`` as a Path, after checking that it is not one of ``inputs`` (never allowed) and, unless
    ``overwrite``, that no file exists there; call it before any work is done.

    Raises:
        OutputExistsError: naming the file and the option that allows replacing it.
    """
    out = Path(out)
    for i in inputs:
        if Path(i).exists() and out.exists() and os.path.samefile(out, i) or Path(i).resolve() == out.resolve():
            raise OutputExistsError(f"output {str(out)!r} is the input {str(i)!r}; expected another output path")
    if out.is_dir():
        raise OutputExistsError(f"output {str(out)!r} is a folder; expected a file path")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputPathError(f"output {str(out)!r}: {str(parent)!r} is a file, not a folder")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"output {str(out)!r} exists; pass --overwrite (overwrite=True) to replace it")
    return out
