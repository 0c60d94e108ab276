"""Google "Isolated Sign Language Recognition" (Kaggle ``asl-signs``, 2023) in its publisher's layout.

Layout under ``<data root>/islr_asl_signs`` (or ``data.options.path``: a full copy of the
competition data has the same form)::

    train.csv                               path, participant_id, sequence_id, sign
    sign_to_prediction_index_map.json       {sign: class index} (250 signs in the competition)
    train_landmark_files/<participant_id>/<sequence_id>.parquet
        frame, row_id, type, landmark_index, x, y, z   (543 MediaPipe Holistic landmarks per frame,
        x, y normalised by the image width and height, NaN where a part was not detected)

The competition publishes no test labels, so signkit's split is **signer-independent**: the sorted
participant ids are cut into ``folds`` groups (``numpy.array_split``) and group ``fold`` is the test
split (``test_participants`` names them instead). The ``islr_asl_signs`` copy in ``../shared/data``
holds 168 sequences of 21 participants and 2 signs (see its SOURCE.md).
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataRootError, KeypointFileError, SignkitError
from ..keypoints import get_layout
from ..keypoints.formats import read_islr_parquet
from ..paths import dataset_dir
from .base import KeypointDataset, Sample

COLUMNS = ("path", "participant_id", "sequence_id", "sign")


def _index_map(base: Path) -> dict[str, int]:
    f = base / "sign_to_prediction_index_map.json"
    if not f.is_file():
        return {}
    try:
        m = json.loads(f.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataRootError(f"{f}: not a readable JSON map of sign -> index ({e})") from None
    if not isinstance(m, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in m.items()):
        raise DataRootError(f"{f}: expected a JSON object of sign name -> integer index")
    return m


@functools.lru_cache(maxsize=4)
def _read_all(base: str, csv_mtime: int, layout: str, rows: tuple) -> tuple[list[Sample], list[str]]:
    """Every readable row of train.csv as a Sample, and the skipped rows (cached per process: the
    train, validation and test splits of one run, and the folds of a cross-validation, read once)."""
    root_dir = Path(base)
    samples, skipped = [], []
    for path, participant, sequence, sign in rows:
        f = (root_dir / path).resolve()
        if not f.is_relative_to(root_dir):
            skipped.append(f"{path}: outside the dataset folder")
            continue
        if not f.is_file():
            skipped.append(f"{path}: file not found")
            continue
        try:
            seq = read_islr_parquet(f, layout)
        except KeypointFileError as e:
            skipped.append(str(e).replace(str(f), path))
            continue
        if not seq.mask.any():
            skipped.append(f"{path}: no frame with a detected landmark")
            continue
        seq.meta.update(participant=participant, sequence_id=sequence)
        samples.append(Sample(seq, sign, participant, f"{participant}/{sequence}"))
    return samples, skipped


def participant_folds(participants: list[str], folds: int) -> list[list[str]]:
    """The sorted participant ids cut into ``folds`` contiguous groups (``numpy.array_split``)."""
    ids = sorted(participants, key=lambda p: (len(p), p))
    if not 2 <= folds <= len(ids):
        raise SignkitError(f"islr: folds must be 2..{len(ids)} (the number of participants); found {folds}")
    return [g.tolist() for g in np.array_split(np.array(ids, dtype=object), folds)]


def load_islr(split: str = "train", root=None, path: str | None = None, layout: str = "sign_body57",
              fold: int = 0, folds: int = 7, test_participants: list[str] | None = None) -> KeypointDataset:
    """Load ISLR landmark sequences ``(T, J, 3)`` in ``layout`` (``sign_body57``: upper body 11 +
    both hands 42 + mouth 4, the whole-body layout; or ``mp_hands42``), normalised image units.

    Split: ``"train"`` / ``"test"`` by participant (fold ``fold`` of ``folds``, or
    ``test_participants``), ``"all"`` everything. The vocabulary is the signs of ``train.csv``, in the
    order of ``sign_to_prediction_index_map.json`` (sorted when it is absent). A row whose parquet is
    missing or unreadable is skipped, and every skip is listed in a warning and in ``info["skipped"]``.

    Raises:
        DataRootError: the folder or ``train.csv`` is missing, or train.csv lacks its columns.
        SignkitError: unknown split, a bad fold, unknown test participants, or no readable sequence.
    """
    if split not in ("train", "test", "all"):
        raise SignkitError(f"unknown islr split {split!r}; expected 'train', 'test' or 'all'")
    base = Path(path).expanduser() if path else dataset_dir("islr_asl_signs", root)
    csv = base / "train.csv"
    if not csv.is_file():
        raise DataRootError(f"islr: {csv} not found; expected the competition layout (train.csv, "
                            f"train_landmark_files/<participant>/<sequence>.parquet)")
    try:
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    except Exception as e:  # pandas raises many types on a malformed CSV
        raise DataRootError(f"islr: {csv} is not a readable CSV ({type(e).__name__}: {e})") from None
    missing_cols = [c for c in COLUMNS if c not in table.columns]
    if missing_cols:
        raise DataRootError(f"islr: {csv} lacks columns {missing_cols}; expected {list(COLUMNS)}, "
                            f"found {list(table.columns)}")
    lay = get_layout(layout)
    index = _index_map(base)
    signs = sorted(set(table["sign"]), key=lambda s: (index.get(s, len(index)), s))
    samples, skipped = _read_all(str(base.resolve()), csv.stat().st_mtime_ns, lay.name,
                                 tuple(map(tuple, table[list(COLUMNS)].to_numpy().tolist())))
    if skipped:
        warnings.warn(f"islr: skipped {len(skipped)} of {len(table)} row(s): {skipped}", stacklevel=2)
    if not samples:
        raise SignkitError(f"islr: no readable sequence among the {len(table)} rows of {csv}")
    ds = KeypointDataset(list(samples), signs, "islr", "all", layout=lay,
                         info={"skipped": skipped, "rows": len(table), "prediction_index": index})
    if split == "all":
        ds.info["split"] = "all participants"
        return ds
    participants = sorted({s.signer for s in samples})
    if test_participants is not None:
        test = [str(p) for p in test_participants]
        unknown = sorted(set(test) - set(participants))
        if unknown:
            raise SignkitError(f"islr: test participants {unknown} are not in train.csv; found {participants}")
    else:
        groups = participant_folds(participants, folds)
        if not 0 <= fold < folds:
            raise SignkitError(f"islr: fold must be 0..{folds - 1}; found {fold}")
        test = groups[fold]
    idx = [i for i, s in enumerate(samples) if (s.signer in test) == (split == "test")]
    ds.info["split"] = f"signer-independent, test participants {test}"
    return ds.subset(idx, split)
