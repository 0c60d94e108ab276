"""A user's own keypoint files: ``<root>/<gloss>/<sample>.npz`` (see KeypointSequence.save_npz)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import DataRootError, KeypointFileError, SignkitError
from ..keypoints import KeypointSequence
from .base import KeypointDataset, Sample, holdout_split


def load_folder(split: str = "train", root=None, path: str | None = None, layout: str | None = None,
                test_signers: list[str] | None = None, test_fraction: float = 0.2, seed: int = 0) -> KeypointDataset:
    """Load ``<path>/<gloss>/*.npz`` keypoint files.

    Each ``.npz`` holds ``data`` (T, J, C) and optionally ``mask``, ``fps``, ``layout``, ``signer``.
    Split: when signer ids are present, a **signer-independent** split: the signers in
    ``test_signers`` (default: the last ``test_fraction`` of the sorted signer ids, at least one)
    form the test set. Without signer ids, a seeded per-gloss hold-out of ``test_fraction``.
    ``split="all"`` returns everything. Unreadable files are skipped and listed in a warning.

    Raises:
        DataRootError: ``path`` is missing or holds no ``<gloss>/*.npz``.
    """
    if path is None:
        raise SignkitError("folder dataset needs data.path=<folder with <gloss>/<sample>.npz>; found none")
    base = Path(path).expanduser()
    if not base.is_dir():
        raise DataRootError(f"folder dataset {str(base)!r} does not exist; expected <folder>/<gloss>/<sample>.npz")
    files = sorted(base.glob("*/*.npz"))
    if not files:
        raise DataRootError(f"folder dataset {str(base)!r} holds no <gloss>/<sample>.npz files")
    samples, bad = [], []
    for f in files:
        try:
            seq = KeypointSequence.load_npz(f, layout)
        except KeypointFileError as e:
            bad.append(str(e))
            continue
        layout = layout or seq.layout.name
        samples.append(Sample(seq, f.parent.name, seq.meta.get("signer"), f.relative_to(base).as_posix()))
    if bad:
        warnings.warn(f"folder dataset: skipped {len(bad)} file(s): {bad}", stacklevel=2)
    vocabulary = sorted({s.gloss for s in samples})
    ds = KeypointDataset(samples, vocabulary, "folder", "all", layout=samples[0].sequence.layout)
    if split == "all":
        return ds
    signers = sorted({s.signer for s in samples if s.signer is not None})
    if signers and len(signers) >= 2:
        if test_signers is None:
            test_signers = signers[-max(1, int(round(len(signers) * test_fraction))):]
        test_signers = [str(s) for s in test_signers]
        idx = [i for i, s in enumerate(samples) if (s.signer in test_signers) == (split == "test")]
        ds.info["split"] = f"signer-independent, test signers {test_signers}"
    else:
        keep, held = holdout_split(ds.labels, test_fraction, seed)
        idx = held if split == "test" else keep
        ds.info["split"] = f"seeded per-gloss hold-out {test_fraction} (no signer ids)"
    return ds.subset(np.asarray(idx, dtype=int).tolist(), split)
