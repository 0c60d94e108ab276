"""AUTSL, the Turkish Sign Language dataset of the ChaLearn LAP 2021 challenge (Sincan & Keles,
IEEE Access 2020), in its publisher's layout::

    train/signer<S>_sample<N>_color.mp4   (and ..._depth.mp4, not read)
    val/...    test/...
    train_labels.csv     lines "signer<S>_sample<N>,<class id>" (no header); val_labels.csv /
                         validation_labels.csv / ground_truth_val.csv, test_labels.csv /
                         ground_truth_test.csv (or ground_truth.csv inside the split folder)
    SignList_ClassId_TR_EN.csv   ClassId,TR,EN (optional: class names)

226 signs, 43 signers; the official split is signer-independent (train, val and test signers differ).
Keypoint files (``.pose`` / ``.npz``) named like the colour clips are read instead of videos.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import DataRootError, SignkitError
from ..paths import dataset_dir
from .base import KeypointDataset, Sample, warn_skipped
from .videos import folder_sequences

NAME = re.compile(r"^signer(?P<signer>\d+)_sample(?P<sample>\d+)(?:_color)?$")
LABEL_FILES = {"train": ("train_labels.csv", "train/ground_truth.csv"),
               "val": ("val_labels.csv", "validation_labels.csv", "ground_truth_val.csv", "val/ground_truth.csv"),
               "test": ("test_labels.csv", "ground_truth_test.csv", "test/ground_truth.csv")}


def _labels(base: Path, split: str) -> dict[str, str] | None:
    f = next((base / n for n in LABEL_FILES[split] if (base / n).is_file()), None)
    if f is None:
        return None
    out = {}
    with open(f, newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if not row or not row[0].strip():
                continue
            if len(row) < 2 or not row[1].strip().lstrip("-").isdigit():
                if i == 0:
                    continue  # a header
                raise DataRootError(f"autsl: {f.name} line {i + 1} is {row}; expected 'signer<S>_sample<N>,<class id>'")
            out[row[0].strip()] = row[1].strip()
    return out


def _names(base: Path) -> dict[str, str]:
    f = base / "SignList_ClassId_TR_EN.csv"
    if not f.is_file():
        return {}
    with open(f, newline="", encoding="utf-8") as fh:
        return {r["ClassId"].strip(): (r.get("EN") or r.get("TR") or r["ClassId"]).strip()
                for r in csv.DictReader(fh) if r.get("ClassId")}


def load_autsl(split: str = "train", root=None, path: str | None = None, layout: str = "mp_hands42",
               cache: str | None = None, workers: int = 1, *, perception=None) -> KeypointDataset:
    """AUTSL colour clips as keypoint sequences of ``layout`` with the official (signer-independent)
    ``train`` / ``val`` / ``test`` split; ``all`` is every split that has labels. Glosses are the
    English names of ``SignList_ClassId_TR_EN.csv`` when present, else the class ids. A label row
    without its clip, and a clip without a label, are listed and skipped.

    Raises:
        DataRootError: folder or labels missing/malformed. SignkitError: unknown split, nothing readable.
    """
    if split not in ("train", "val", "test", "all"):
        raise SignkitError(f"unknown autsl split {split!r}; expected 'train', 'val', 'test' or 'all'")
    base = Path(path).expanduser() if path else dataset_dir("autsl", root)
    if not base.is_dir():
        raise DataRootError(f"autsl: {str(base)!r} is not a folder; expected train/ val/ test/ and train_labels.csv")
    splits = [s for s in ("train", "val", "test") if split in (s, "all")]
    labels = {s: _labels(base, s) for s in splits}
    if all(v is None for v in labels.values()):
        raise DataRootError(f"autsl: no label file for {split!r} in {base}; expected one of "
                            f"{[n for s in splits for n in LABEL_FILES[s]]}")
    names = _names(base)
    samples, missing, unlabelled, failed = [], [], [], {}
    for s in splits:
        if labels[s] is None or not (base / s).is_dir():
            continue
        seqs, bad = folder_sequences(base / s, layout, cache and str(Path(cache) / s), workers, perception, "autsl",
                                     include=lambda f: not f.stem.endswith("_depth"))
        failed.update(bad)
        by_key = {}
        for f, seq in seqs.items():
            m = NAME.match(f.stem)
            if m and not f.stem.endswith("_depth"):
                by_key[f"signer{m['signer']}_sample{m['sample']}"] = (f, seq, m["signer"])
        for key in sorted(set(by_key) - set(labels[s])):
            unlabelled.append(f"{s}/{key}")
        for key, cls in labels[s].items():
            if key not in by_key:
                missing.append(f"{s}/{key}")
                continue
            f, seq, signer = by_key[key]
            seq.meta.update(subset=s, class_id=cls)
            samples.append((s, Sample(seq, names.get(cls, cls), signer, f"{s}/{f.name}")))
    warn_skipped("autsl", {"label rows without a clip skipped": missing, "clips without a label skipped": unlabelled,
                           "clip(s) could not be used": failed})
    if not samples:
        raise SignkitError(f"autsl: no labelled clip could be read for split {split!r} in {base}")
    ids = {names.get(c, c): c for c in {s.meta["class_id"] for _, x in samples for s in [x.sequence]}}
    vocabulary = sorted(ids, key=lambda g: (int(ids[g]) if ids[g].lstrip("-").isdigit() else 0, g))
    ds = KeypointDataset([x for _, x in samples], vocabulary, "autsl", split, layout=samples[0][1].sequence.layout,
                         info={"missing": missing, "unlabelled": unlabelled, "failed": failed,
                               "split": "official (signer-independent)"})
    return ds
