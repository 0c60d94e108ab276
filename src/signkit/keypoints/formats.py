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
# layouts a .pose file is read into when none is asked for: the one that fits and keeps the most points
_POSE_AUTO = ("sign_body57", "mp_hands42", "mp_pose33", "openpose137", "body_hands50", "mediapipe_hand21")
_HAND_COMPONENTS = ("RIGHT_HAND_LANDMARKS", "LEFT_HAND_LANDMARKS")


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


def _joint_sources(lay: Layout, names: dict[str, int], path) -> tuple[list[str | None], str | None]:
    """For each joint of ``lay``, the file's point name that gives it (the joint's own name, else an
    alias from :data:`~signkit.keypoints.layouts.ALIASES`, e.g. OpenPose's ``LWrist`` for MediaPipe's
    ``LEFT_WRIST``), or None. One-hand layouts (``mediapipe_hand21``, bare point names) read the
    file's one MediaPipe hand component; the second value names it."""
    from .layouts import ALIASES

    hand = None
    if lay.name == "mediapipe_hand21":
        present = [c for c in _HAND_COMPONENTS if f"{c}.WRIST" in names]
        if len(present) > 1:
            raise LayoutMismatchError(f"{path or 'pose'}: layout 'mediapipe_hand21' takes one hand; the file has both "
                                      f"{present}; expected a one-hand file, or layout 'mp_hands42'")
        hand = present[0] if present else None
        return [f"{hand}.{j}" if hand and f"{hand}.{j}" in names else None for j in lay.joints], hand
    out = []
    for j in lay.joints:
        out.append(j if j in names else next((a for a in ALIASES.get(j, ()) if a in names), None))
    return out, hand


def pose_to_sequence(pose, layout: str | Layout | None = None, person: int = 0, path: str = "") -> KeypointSequence:
    """Map a ``pose_format.Pose`` onto a layout by joint name.

    ``layout=None`` picks, of sign_body57, mp_hands42, mp_pose33, openpose137, body_hands50 and
    mediapipe_hand21 (a one-hand file), the layout whose joints are all in the file and that keeps
    the most of them; ``layout="native"`` keeps every point. OpenPose and MediaPipe body and hand
    points both map onto ``body_hands50`` by name. Points with confidence 0 become NaN.

    Raises:
        LayoutMismatchError: the file lacks joints the layout needs (the message lists its components).
    """
    names = {f"{c.name}.{p}": i for i, (c, p) in enumerate((c, p) for c in pose.header.components for p in c.points)}
    comps = [f"{c.name} ({len(c.points)})" for c in pose.header.components]
    if layout == "native":
        lay = native_layout(pose)
    elif layout is None:
        def fits_file(lay: Layout) -> bool:
            try:
                return all(src is not None for src in _joint_sources(lay, names, path)[0])
            except LayoutMismatchError:  # a two-hand file for the one-hand layout
                return False

        fits = [lay for lay in map(get_layout, _POSE_AUTO) if fits_file(lay)]
        if not fits:
            raise LayoutMismatchError(f"{path or 'pose'}: no known layout fits components {comps}; expected "
                                      f"MediaPipe or OpenPose components (e.g. LEFT_HAND_LANDMARKS, "
                                      f"pose_keypoints_2d); use layout='native'")
        lay = max(fits, key=lambda lay: lay.num_joints)
    else:
        lay = get_layout(layout)
    sources, hand = _joint_sources(lay, names, path) if layout != "native" else (list(lay.joints), None)
    missing = [j for j, src in zip(lay.joints, sources) if src is None]
    if missing:
        raise LayoutMismatchError(f"{path or 'pose'}: layout {lay.name!r} needs joints missing from the file, e.g. "
                                  f"{missing[:3]} ({len(missing)} in all); the file has components {comps}")
    idx = np.array([names[src] for src in sources])
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
    meta = {"path": str(path), "width": d.width, "height": d.height, "confidence": c.astype(np.float32)}
    if hand:
        meta["hand"] = hand.split("_", 1)[0]  # LEFT or RIGHT: the one hand of a one-hand file
    return KeypointSequence(xyz, lay, mask=mask, fps=float(pose.body.fps), space="image_px", meta=meta)


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


OPENPOSE_JSON_GLOB = "*_keypoints.json"
_MAX_JSON_BYTES = 10_000_000  # one frame's JSON is a few kB; a bigger file is not OpenPose output


def is_openpose_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder of OpenPose per-frame ``*_keypoints.json`` files."""
    p = Path(path)
    return p.is_dir() and next(p.glob(OPENPOSE_JSON_GLOB), None) is not None


def read_openpose_json(folder: str | Path, layout: str | Layout = "openpose137", fps: float = 30.0,
                       person: int = 0) -> KeypointSequence:
    """Read OpenPose's per-frame output, a folder of ``<name>_<frame>_keypoints.json`` (the form
    WLASL's published keypoints take), in file-name order, into ``layout`` (``openpose137``: BODY_25
    + face 70 + hands 21 + 21, pixels; or ``body_hands50`` by name). Each file holds ``{"people":
    [{"pose_keypoints_2d": [x, y, c, ...], "face_keypoints_2d", "hand_left_keypoints_2d",
    "hand_right_keypoints_2d"}]}``; points with confidence 0, and frames without person ``person``,
    are NaN (such frames are masked). OpenPose gives no frame rate: ``fps`` is assumed.

    Raises:
        KeypointFileError: no such files, an unreadable or malformed file, wrong point counts.
        LayoutMismatchError: a layout whose joints OpenPose does not give.
    """
    import json

    from .layouts import OPENPOSE_COMPONENTS

    folder = Path(folder)
    files = sorted(folder.glob(OPENPOSE_JSON_GLOB))
    if not files:
        raise KeypointFileError(f"{folder}: no OpenPose {OPENPOSE_JSON_GLOB} files; expected a folder of per-frame JSON")
    src = get_layout("openpose137")
    data = np.full((len(files), src.num_joints, 2), np.nan, np.float32)
    conf = np.zeros((len(files), src.num_joints), np.float32)
    for t, f in enumerate(files):
        try:
            if f.stat().st_size > _MAX_JSON_BYTES:
                raise ValueError(f"{f.stat().st_size:,} bytes; expected one frame's keypoints (< 10 MB)")
            people = json.loads(f.read_text())["people"]
            if not isinstance(people, list):
                raise ValueError("'people' is not a list")
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
            raise KeypointFileError(f"{f}: not an OpenPose keypoints file ({type(e).__name__}: {e}); expected "
                                    f'{{"people": [{{"pose_keypoints_2d": [...], ...}}]}}') from None
        if len(people) <= person:
            continue
        off = 0
        for comp, points in OPENPOSE_COMPONENTS:
            vals = people[person].get(comp) if isinstance(people[person], dict) else None
            n = len(points)
            if vals:  # absent or empty: not detected (OpenPose writes [] when face/hands are off)
                arr = np.asarray(vals, dtype=np.float64) if isinstance(vals, list) else np.zeros(0)
                if arr.shape != (3 * n,) or not np.isfinite(arr).all():
                    raise KeypointFileError(f"{f}: {comp} has {arr.size} finite values; expected {3 * n} "
                                            f"(x, y, confidence for {n} points)")
                arr = arr.reshape(n, 3)
                ok = arr[:, 2] > 0
                data[t, off : off + n][ok] = arr[ok, :2]
                conf[t, off : off + n] = arr[:, 2]
            off += n
    lay = get_layout(layout)
    if lay.name != src.name:
        names = {j: i for i, j in enumerate(src.joints)}
        sources, _ = _joint_sources(lay, names, str(folder))
        missing = [j for j, s in zip(lay.joints, sources) if s is None]
        if missing:
            raise LayoutMismatchError(f"{folder}: layout {lay.name!r} needs joints OpenPose does not give, e.g. {missing[:3]}")
        idx = np.array([names[s] for s in sources])
        data, conf = data[:, idx], conf[:, idx]
    if data.shape[-1] < lay.dims:
        data = np.concatenate([data, np.full(data.shape[:-1] + (lay.dims - 2,), np.nan, np.float32)], -1)
    mask = ~np.isnan(data).all(axis=(1, 2))
    return KeypointSequence(data[..., : lay.dims], lay, mask=mask, fps=float(fps), space="image_px",
                            meta={"path": str(folder), "confidence": conf, "frames": len(files)})
