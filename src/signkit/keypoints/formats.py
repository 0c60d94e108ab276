"""Keypoint file formats: pose-format ``.pose``, Google ISLR parquet, ``.npz``, FPHA ``skeleton.txt``.

Everything is mapped onto a named :class:`Layout` by joint name ("<component>.<point>"), so a
model trained on one source reads the others. Undetected joints become NaN and frames with no
detected joint are masked out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import KeypointFileError, LayoutMismatchError
from .layouts import LAYOUTS, Layout, get_layout, register_layout
from .sequence import KeypointSequence

# ISLR (Kaggle "Google - Isolated Sign Language Recognition") part names -> pose-format components
ISLR_PARTS = {"face": "FACE_LANDMARKS", "pose": "POSE_LANDMARKS", "left_hand": "LEFT_HAND_LANDMARKS",
              "right_hand": "RIGHT_HAND_LANDMARKS"}
ISLR_COUNTS = {"face": 468, "pose": 33, "left_hand": 21, "right_hand": 21}
_POSE_AUTO = ("sign_body57", "mp_hands42", "mp_pose33")


def read_pose(path: str | Path):
    """Read a pose-format ``.pose`` file (``pose_format.Pose``). Raises KeypointFileError."""
    from pose_format import Pose

    path = Path(path)
    try:
        return Pose.read(path.read_bytes())
    except FileNotFoundError:
        raise KeypointFileError(f"{path}: file not found; expected a .pose file") from None
    except Exception as e:  # pose-format raises struct/Value errors on bad bytes
        raise KeypointFileError(f"{path}: not a readable .pose file ({type(e).__name__}: {e})") from e


def native_layout(pose) -> Layout:
    """A layout with every point of a ``.pose`` header, named "<component>.<point>"."""
    joints = tuple(f"{c.name}.{p}" for c in pose.header.components for p in c.points)
    dims = pose.body.data.shape[-1]
    name = f"pose_native_{abs(hash(joints)) % 10**8}_{dims}d"
    if name not in LAYOUTS:
        bones, off = [], 0
        for c in pose.header.components:
            bones += [(a + off, b + off) for a, b in c.limbs]
            off += len(c.points)
        register_layout(Layout(name, joints, dims, bones=tuple(bones), units="as in the file",
                               source="built from a .pose header"))
    return LAYOUTS[name]


def pose_to_sequence(pose, layout: str | Layout | None = None, person: int = 0, path: str = "") -> KeypointSequence:
    """Map a ``pose_format.Pose`` onto a layout by joint name.

    ``layout=None`` picks the first of sign_body57, mp_hands42, mp_pose33 whose joints are all in
    the file; ``layout="native"`` keeps every point. Points with confidence 0 become NaN.

    Raises:
        LayoutMismatchError: the file lacks joints the layout needs (the message lists its components).
    """
    names = {f"{c.name}.{p}": i for i, (c, p) in enumerate((c, p) for c in pose.header.components for p in c.points)}
    comps = [f"{c.name} ({len(c.points)})" for c in pose.header.components]
    if layout == "native":
        lay = native_layout(pose)
    elif layout is None:
        lay = next((get_layout(n) for n in _POSE_AUTO if all(j in names for j in get_layout(n).joints)), None)
        if lay is None:
            raise LayoutMismatchError(f"{path or 'pose'}: no known layout fits components {comps}; expected "
                                      f"MediaPipe components (e.g. LEFT_HAND_LANDMARKS); use layout='native'")
    else:
        lay = get_layout(layout)
    missing = [j for j in lay.joints if j not in names]
    if missing:
        raise LayoutMismatchError(f"{path or 'pose'}: layout {lay.name!r} needs joints missing from the file, e.g. "
                                  f"{missing[:3]} ({len(missing)} in all); the file has components {comps}")
    idx = np.array([names[j] for j in lay.joints])
    data = np.asarray(pose.body.data.filled(0) if hasattr(pose.body.data, "filled") else pose.body.data)
    conf = np.asarray(pose.body.confidence)
    if data.shape[1] <= person:
        raise KeypointFileError(f"{path}: person {person} requested; the file has {data.shape[1]}")
    xyz = data[:, person][:, idx].astype(np.float32)
    c = conf[:, person][:, idx]
    if xyz.shape[-1] < lay.dims:  # 2D file onto a 3D layout: z unknown
        xyz = np.concatenate([xyz, np.full(xyz.shape[:-1] + (lay.dims - xyz.shape[-1],), np.nan, np.float32)], -1)
    xyz = xyz[..., : lay.dims]
    xyz[c <= 0] = np.nan
    mask = ~np.isnan(xyz).all(axis=(1, 2))
    d = pose.header.dimensions
    return KeypointSequence(xyz, lay, mask=mask, fps=float(pose.body.fps), space="image_px",
                            meta={"path": str(path), "width": d.width, "height": d.height,
                                  "confidence": c.astype(np.float32)})


def read_islr_parquet(path: str | Path, layout: str | Layout = "sign_body57") -> KeypointSequence:
    """Read a Google ISLR landmark parquet file (columns frame, type, landmark_index, x, y, z;
    543 landmarks per frame: face 468, pose 33, left_hand 21, right_hand 21, in any row order;
    x, y normalised to [0, 1]) into a layout. Missing parts (NaN) stay NaN.

    Raises:
        KeypointFileError: unreadable file, missing columns, unknown part types or wrong counts.
    """
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_parquet(path)
    except Exception as e:
        raise KeypointFileError(f"{path}: not a readable parquet file ({type(e).__name__}: {e})") from e
    need = {"frame", "type", "landmark_index", "x", "y", "z"}
    if not need <= set(df.columns):
        raise KeypointFileError(f"{path}: expected ISLR columns {sorted(need)}; found {list(df.columns)}")
    bad = set(df["type"].unique()) - set(ISLR_PARTS)
    if bad:
        raise KeypointFileError(f"{path}: unknown landmark types {sorted(bad)}; expected {sorted(ISLR_PARTS)}")
    frames = np.sort(df["frame"].unique())
    if len(frames) == 0:
        raise KeypointFileError(f"{path}: no frames")
    per_frame = df.groupby("frame").size()
    if (per_frame != 543).any():
        raise KeypointFileError(f"{path}: expected 543 landmarks per frame; found {sorted(per_frame.unique().tolist())}")
    for part, n in ISLR_COUNTS.items():
        idx = df.loc[df["type"] == part, "landmark_index"]
        if len(idx) and (not pd.api.types.is_integer_dtype(idx.dtype) or idx.min() < 0 or idx.max() >= n):
            raise KeypointFileError(f"{path}: {part} landmark_index outside 0..{n - 1} (found {idx.min()}..{idx.max()}); "
                                    f"expected the ISLR indices")
    for c in ("x", "y", "z"):
        if not pd.api.types.is_numeric_dtype(df[c].dtype):
            raise KeypointFileError(f"{path}: column {c!r} holds {df[c].dtype}; expected numbers")
    lay = get_layout(layout)
    key = {}
    from .layouts import _POSE33  # BlazePose point names, in index order

    for part, comp in ISLR_PARTS.items():
        for i in range(ISLR_COUNTS[part]):
            if part == "pose":
                pname = _POSE33[i]
            elif part == "face":
                pname = str(i)
            else:
                pname = get_layout("mp_hands42").joints[i].split(".", 1)[1]
            key[(part, i)] = f"{comp}.{pname}"
    col = {j: k for k, j in enumerate(lay.joints)}
    missing = [j for j in lay.joints if j not in set(key.values())]
    if missing:
        raise LayoutMismatchError(f"{path}: layout {lay.name!r} needs joints ISLR files lack: {missing[:3]}")
    # one lookup table per part: landmark_index -> layout column (-1: not in the layout)
    out = np.full((len(frames), lay.num_joints, 3), np.nan, np.float32)
    t_idx = np.searchsorted(frames, df["frame"].to_numpy())
    types = df["type"].to_numpy()
    li = df["landmark_index"].to_numpy().astype(np.int64)
    xyz = df[["x", "y", "z"]].to_numpy(np.float32)
    for part in ISLR_PARTS:
        table = np.array([col.get(key[(part, i)], -1) for i in range(ISLR_COUNTS[part])], dtype=np.int64)
        sel = types == part
        j = table[li[sel]]
        keep = j >= 0
        out[t_idx[sel][keep], j[keep]] = xyz[sel][keep]
    mask = ~np.isnan(out).all(axis=(1, 2))
    return KeypointSequence(out[..., : lay.dims], lay, mask=mask, fps=30.0, space="normalised",
                            meta={"path": str(path), "frames": frames.tolist()})
