"""FPHA: First-Person Hand Action Benchmark (Garcia-Hernando, Yuan, Baek, Kim, CVPR 2018).

Publisher's layout under ``<data root>/fpha``::

    Hand_pose_annotation_v1/Subject_<s>/<action>/<seq>/skeleton.txt
    data_split_action_recognition.txt      # "Training 600" / "Test 575" blocks

``skeleton.txt``: one line per frame, the frame index then 21 joints x (x, y, z) in millimetres
(camera coordinates), ~30 fps. 1,178 files of which 3 are empty (skipped with a warning),
1,175 sequences, 45 actions, 6 subjects.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import KeypointFileError, SignkitError
from ..keypoints import FPHA_HAND21, KeypointSequence
from ..paths import dataset_dir
from .base import KeypointDataset, Sample

FPS = 30.0
NUM_COLUMNS = 1 + 21 * 3


def read_skeleton_txt(path: str | Path) -> KeypointSequence:
    """Read one FPHA ``skeleton.txt`` into a ``(T, 21, 3)`` sequence in mm.

    Raises:
        KeypointFileError: the file is missing, empty, has a line without exactly 64 numbers
            (frame index + 21 joints x 3), or holds text that is not a number.
    """
    path = Path(path)
    if not path.is_file():
        raise KeypointFileError(f"{path}: file not found; expected an FPHA skeleton.txt")
    text = path.read_text(errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise KeypointFileError(
            f"{path}: empty file; expected one line per frame of {NUM_COLUMNS} numbers "
            f"(frame index + 21 joints x (x, y, z))"
        )
    try:  # fast path: every line well formed
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, i.e. missing
            flat = np.array(" ".join(lines).split(), dtype=np.float32)
        if flat.size == len(lines) * NUM_COLUMNS:
            data = flat.reshape(len(lines), NUM_COLUMNS)[:, 1:].reshape(-1, 21, 3)
            return KeypointSequence(data, FPHA_HAND21, fps=FPS, space="camera_mm", meta={"path": str(path)})
    except ValueError:
        pass
    rows = []  # slow path: find and name the first bad line
    for k, ln in enumerate(lines, 1):
        parts = ln.split()
        if len(parts) != NUM_COLUMNS:
            n = len(parts) - 1
            hint = f" ({n // 3} joints x 3?)" if n > 0 and n % 3 == 0 else ""
            raise KeypointFileError(
                f"{path}: line {k} has {len(parts)} numbers; expected {NUM_COLUMNS} = frame index + "
                f"21 joints x 3 coordinates, found {n} coordinates{hint}"
            )
        try:
            rows.append([float(v) for v in parts[1:]])
        except ValueError:
            bad = next(v for v in parts if not _is_number(v))
            raise KeypointFileError(f"{path}: line {k}: {bad!r} is not a number; expected {NUM_COLUMNS} numbers") from None
    with np.errstate(over="ignore", invalid="ignore"):
        data = np.asarray(rows, dtype=np.float32).reshape(-1, 21, 3)
    return KeypointSequence(data, FPHA_HAND21, fps=FPS, space="camera_mm", meta={"path": str(path)})


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def read_split_file(path: Path) -> dict[str, list[tuple[str, int]]]:
    """Parse ``data_split_action_recognition.txt`` into {"train": [(rel, label)], "test": [...]}."""
    out: dict[str, list[tuple[str, int]]] = {"train": [], "test": []}
    current = None
    for ln in path.read_text().splitlines():
        parts = ln.split()
        if not parts:
            continue
        if parts[0] in ("Training", "Test"):
            current = "train" if parts[0] == "Training" else "test"
            continue
        if current is None or len(parts) != 2:
            raise SignkitError(f"{path}: unexpected line {ln!r}; expected 'Subject_<s>/<action>/<seq> <label>'")
        out[current].append((parts[0], int(parts[1])))
    return out


def load_fpha(split: str = "train", root=None, protocol: str = "official", test_subject: int = 1) -> KeypointDataset:
    """Load FPHA hand-pose sequences.

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        root: data root (default: ``SIGNKIT_DATA`` or ``../shared/data``).
        protocol: ``"official"`` (the publisher's 1:1 split, 600 train / 575 test) or ``"loso"``
            (leave-one-subject-out: subject ``test_subject`` is the test set, the other 5 train).
        test_subject: 1-6, for ``protocol="loso"``.

    Returns:
        A :class:`KeypointDataset` of ``(T, 21, 3)`` sequences in mm, glosses = action names, vocabulary
        ordered by the official label 0-44, signer = ``"Subject_<s>"``.

    Raises:
        DataRootError: the ``fpha`` folder is missing. SignkitError: unknown split/protocol.
    """
    base = dataset_dir("fpha", root)
    ann = base / "Hand_pose_annotation_v1"
    table = read_split_file(base / "data_split_action_recognition.txt")
    labels: dict[str, int] = {}
    for rel, lab in table["train"] + table["test"]:
        labels.setdefault(rel.split("/")[1], lab)
    vocabulary = [a for a, _ in sorted(labels.items(), key=lambda kv: kv[1])]
    if split not in ("train", "test", "all"):
        raise SignkitError(f"unknown FPHA split {split!r}; expected 'train', 'test' or 'all'")
    if split == "all":
        rels = sorted(p.relative_to(ann).parent.as_posix() for p in ann.glob("Subject_*/*/*/skeleton.txt"))
    elif protocol == "official":
        rels = [r for r, _ in table[split]]
    elif protocol == "loso":
        if not 1 <= int(test_subject) <= 6:
            raise SignkitError(f"test_subject must be 1-6 for FPHA leave-one-subject-out; found {test_subject}")
        all_files = sorted(p.relative_to(ann).parent.as_posix() for p in ann.glob("Subject_*/*/*/skeleton.txt"))
        want = f"Subject_{int(test_subject)}"
        rels = [r for r in all_files if (r.split("/")[0] == want) == (split == "test")]
    else:
        raise SignkitError(f"unknown FPHA protocol {protocol!r}; expected 'official' or 'loso'")
    samples, skipped = [], []
    for rel in rels:
        try:
            seq = read_skeleton_txt(ann / rel / "skeleton.txt")
        except KeypointFileError as e:
            skipped.append(f"{rel}: {e}")
            continue
        subject, action, _ = rel.split("/")
        samples.append(Sample(seq, action, subject, rel))
    if skipped:
        warnings.warn(f"FPHA: skipped {len(skipped)} unreadable sequence file(s): " + "; ".join(
            s.split(":")[0] for s in skipped), stacklevel=2)
    return KeypointDataset(samples, vocabulary, "fpha", split, layout=FPHA_HAND21,
                           info={"protocol": protocol, "test_subject": test_subject, "skipped": skipped})
