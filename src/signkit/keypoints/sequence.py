"""The keypoint sequence type: ``(T, J, C)`` float32 keypoints with a per-frame mask."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import KeypointFileError, LayoutMismatchError
from .layouts import Layout, get_layout

MAX_VALUES = 200_000_000  # keypoint values in one file (800 MB as float32): beyond this, a crafted file


@dataclass
class KeypointSequence:
    """A sequence of keypoints for one sample.

    Attributes:
        data: ``(T, J, C)`` float32 keypoints; NaN marks a missing joint. Non-finite values
            (``inf``, ``-inf``) are treated as missing too: they become NaN.
        mask: ``(T,)`` bool, True for frames that hold a detection (a frame whose every value is
            missing is never valid, whatever the given mask says).
        layout: the :class:`Layout` giving the meaning of ``J``.
        fps: frames per second (FPHA: 30).
        space: coordinate space, e.g. ``"camera_mm"``, ``"image_px"``, ``"normalised"``.
        meta: free-form metadata (signer, source path, ...).

    Raises:
        LayoutMismatchError: the shape does not match the layout (wrong joint or coordinate count).
    """

    data: np.ndarray
    layout: Layout
    mask: np.ndarray | None = None
    fps: float = 30.0
    space: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.layout = get_layout(self.layout)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # values beyond float32 become inf: missing
                self.data = np.array(self.data, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise KeypointFileError(f"keypoints must be numbers (T, J, C); found {type(self.data).__name__} ({e})") from None
        if self.data.ndim != 3:
            raise LayoutMismatchError(f"keypoints must be (T, J, C); found shape {self.data.shape}")
        t, j, c = self.data.shape
        if j != self.layout.num_joints or c != self.layout.dims:
            raise LayoutMismatchError(
                f"layout {self.layout.name!r} expects (T, {self.layout.num_joints}, {self.layout.dims}) "
                f"keypoints; found (T={t}, J={j}, C={c})"
            )
        self.data[~np.isfinite(self.data)] = np.nan  # inf / -inf (e.g. float overflow in a file): missing
        present = ~np.isnan(self.data).all(axis=(1, 2))
        if self.mask is None:
            self.mask = present
        self.mask = np.asarray(self.mask, dtype=bool)
        if self.mask.shape != (t,):
            raise LayoutMismatchError(f"mask must be ({t},); found {self.mask.shape}")
        self.mask = self.mask & present

    @property
    def valid_frames(self) -> int:
        """The number of frames with at least one detected (finite) keypoint."""
        return int(self.mask.sum())

    def __len__(self) -> int:
        return int(self.data.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self) / self.fps if self.fps else float("nan")

    def with_data(self, data: np.ndarray, mask: np.ndarray | None = None, **changes) -> "KeypointSequence":
        """A copy with new keypoints (and mask); other fields kept unless given in ``changes``."""
        return replace(self, data=data, mask=mask, meta=dict(self.meta), **changes)

    # --- files -----------------------------------------------------------------------------
    def save_npz(self, path: str | Path) -> None:
        """Write the sequence as ``.npz`` (keys: data, mask, fps, layout, space; no pickle)."""
        np.savez_compressed(path, data=self.data, mask=self.mask, fps=np.float32(self.fps),
                            layout=np.str_(self.layout.name), space=np.str_(self.space))

    @classmethod
    def load_npz(cls, path: str | Path, layout: str | Layout | None = None) -> "KeypointSequence":
        """Read a ``.npz`` keypoint file written by :meth:`save_npz` or by a user.

        Required key ``data`` (or ``keypoints``) of shape ``(T, J, C)``; optional ``mask``, ``fps``,
        ``layout``, ``signer``. Loaded with ``allow_pickle=False``.

        Raises:
            KeypointFileError: unreadable file, missing key, or empty sequence.
            LayoutMismatchError: shape does not match the layout.
        """
        path = Path(path)

        def scalar(z, k, kind):
            a = z[k]
            if a.shape != () or (kind is float and a.dtype.kind not in "fiu") or (kind is str and a.dtype.kind != "U"):
                raise KeypointFileError(f"{path}: {k!r} must be a single {'number' if kind is float else 'string'}; "
                                        f"found a {a.dtype} array of shape {a.shape}")
            return kind(a)

        try:
            with np.load(path, allow_pickle=False) as z:
                keys = set(z.files)
                key = "data" if "data" in keys else "keypoints" if "keypoints" in keys else None
                if key is None:
                    raise KeypointFileError(f"{path}: expected an array 'data' (T, J, C); found keys {sorted(keys)}")
                data = z[key]
                if data.dtype.kind not in "fiu" or data.size > MAX_VALUES:
                    raise KeypointFileError(f"{path}: 'data' must be numbers, at most {MAX_VALUES:,} values; found "
                                            f"{data.dtype} of shape {data.shape}")
                mask = z["mask"] if "mask" in keys else None
                if mask is not None and mask.dtype.kind not in "biu":
                    raise KeypointFileError(f"{path}: 'mask' must be booleans; found {mask.dtype}")
                fps = scalar(z, "fps", float) if "fps" in keys else 30.0
                if not (0 < fps <= 10_000):
                    raise KeypointFileError(f"{path}: fps {fps}; expected a frame rate in (0, 10000]")
                file_layout = scalar(z, "layout", str) if "layout" in keys else None
                space = scalar(z, "space", str) if "space" in keys else ""
                meta = {"path": str(path)}
                if "signer" in keys:
                    meta["signer"] = str(z["signer"])
        except (OSError, ValueError, EOFError) as e:
            if isinstance(e, KeypointFileError):
                raise
            raise KeypointFileError(f"{path}: not a readable .npz keypoint file ({e})") from e
        except Exception as e:  # zipfile and numpy raise many types for damaged files
            raise KeypointFileError(f"{path}: not a readable .npz keypoint file ({type(e).__name__}: {e})") from e
        if layout is None:
            if file_layout is None:
                raise KeypointFileError(f"{path}: no 'layout' key in the file and no layout given")
            layout = file_layout
        layout = get_layout(layout)
        if file_layout is not None and file_layout != layout.name:
            raise LayoutMismatchError(f"{path}: expected layout {layout.name!r}; file says {file_layout!r}")
        if data.ndim != 3 or data.shape[0] == 0:
            raise KeypointFileError(f"{path}: expected a non-empty (T, J, C) array; found shape {data.shape}")
        return cls(data=data, layout=layout, mask=mask, fps=fps, space=space, meta=meta)
