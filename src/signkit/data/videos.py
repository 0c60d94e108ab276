"""A user's own videos: ``<root>/<gloss>/*.mp4`` -> keypoints extracted once into a cache -> training.

Signer ids are taken from the file name when it matches ``signer_pattern`` (default: a
``signer<ID>`` token, e.g. ``hello/signer03_take1.mp4``); then the split is signer-independent.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

from ..errors import DataRootError, SignkitError
from ..keypoints.formats import pose_to_sequence, read_pose
from ..paths import VIDEO_EXTENSIONS
from ..storage import cache_dir
from .base import KeypointDataset, Sample, holdout_split
from .perception import require

LAYOUTS = ("mp_hands42", "mp_pose33", "sign_body57")  # what extraction can give (signkit extract --layout)

DEFAULT_SIGNER_PATTERN = r"signer[-_]?(?P<signer>[A-Za-z0-9]+)"


def default_cache(path: Path, layout: str) -> Path:
    key = hashlib.sha1(f"{path.resolve()}|{layout}".encode()).hexdigest()[:12]
    return cache_dir("videos") / f"{path.name}-{layout}-{key}"


def load_videos(split: str = "train", root=None, path: str | None = None, layout: str = "mp_hands42",
                cache: str | None = None, workers: int = 1, test_fraction: float = 0.5, test_signers=None,
                signer_pattern: str = DEFAULT_SIGNER_PATTERN, seed: int = 0, *, perception=None) -> KeypointDataset:
    """Load ``<path>/<gloss>/*.mp4`` as keypoint sequences of ``layout`` (mp_hands42, mp_pose33 or
    sign_body57), extracting with MediaPipe on first use into ``cache`` (resumable; later calls only
    read the cache). Videos that fail to extract are skipped and listed in a warning.

    Split: signer-independent when signer ids are found in file names (``test_signers`` or the
    last ``test_fraction`` of them), else a seeded per-gloss hold-out of ``test_fraction``
    (stated in ``info["split"]``). ``split="all"`` returns every clip.

    ``perception``: the extractor (:mod:`signkit.data.perception`).

    Raises:
        DataRootError: ``path`` missing or without ``<gloss>/<video>`` files.
    """
    if path is None:
        raise SignkitError("videos dataset needs data.options.path=<folder with <gloss>/<clip>.mp4>; found none")
    base = Path(path).expanduser()
    if not base.is_dir():
        raise DataRootError(f"videos dataset {str(base)!r} does not exist; expected <folder>/<gloss>/<clip>.mp4")
    if layout not in LAYOUTS:
        raise SignkitError(f"videos dataset layout {layout!r}; expected one of {sorted(LAYOUTS)}")
    videos = sorted(f for f in base.glob("*/*") if f.suffix.lower() in VIDEO_EXTENSIONS)
    if not videos:
        raise DataRootError(f"videos dataset {str(base)!r} holds no <gloss>/<clip> videos ({VIDEO_EXTENSIONS})")
    extract_dir = Path(cache) if cache else default_cache(base, layout)
    report = require(perception, "videos").extract_keypoints(base, extract_dir, layout, workers)
    failed = {r["video"]: r["reason"] for r in report["failed"]}
    samples = []
    pat = re.compile(signer_pattern) if signer_pattern else None
    for v in videos:
        out = extract_dir / v.relative_to(base).with_suffix(".pose")
        if not out.exists():
            continue
        seq = pose_to_sequence(read_pose(out), layout, path=str(v))
        m = pat.search(v.stem) if pat else None
        samples.append(Sample(seq, v.parent.name, m.group("signer") if m else None, v.relative_to(base).as_posix()))
    if failed:
        warnings.warn(f"videos dataset: {len(failed)} video(s) could not be used: {failed}", stacklevel=2)
    if not samples:
        raise DataRootError(f"videos dataset {str(base)!r}: no video could be extracted ({failed})")
    vocabulary = sorted({s.gloss for s in samples})
    ds = KeypointDataset(samples, vocabulary, "videos", "all", layout=samples[0].sequence.layout,
                         info={"cache": str(extract_dir), "failed": failed})
    if split == "all":
        return ds
    signers = sorted({s.signer for s in samples if s.signer})
    if len(signers) >= 2:
        test_signers = [str(s) for s in (test_signers or signers[-max(1, int(round(len(signers) * test_fraction))):])]
        idx = [i for i, s in enumerate(samples) if (s.signer in test_signers) == (split == "test")]
        ds.info["split"] = f"signer-independent, test signers {test_signers}"
    else:
        keep, held = holdout_split(ds.labels, test_fraction, seed)
        idx = (held if split == "test" else keep).tolist()
        ds.info["split"] = f"seeded per-gloss hold-out {test_fraction} (no signer ids in file names)"
    return ds.subset(idx, split)


KEYPOINT_EXTENSIONS = (".pose", ".npz")


def folder_sequences(base: Path, layout: str, cache: str | None, workers: int, perception, dataset: str,
                     include=None) -> tuple[dict[Path, "KeypointSequence"], dict[str, str]]:
    """Every clip under ``base`` (any depth) as a keypoint sequence of ``layout``: videos are
    extracted once with MediaPipe into a cache (as :func:`load_videos` does; the same cache for the
    same folder), ``.pose`` / ``.npz`` keypoint files are read as they are, and so is each folder of
    OpenPose ``*_keypoints.json`` (one clip, named by the folder; layout ``openpose137`` or
    ``body_hands50``). ``include(path) -> bool``
    keeps only some files (e.g. AUTSL's colour clips, not its depth clips); it is for flat folders
    (outputs are named by the file name). The corpus readers
    (``wlasl``, ``autsl``, ``lsa64``) match the returned paths to their label files.

    Returns:
        ``({file: sequence}, {file name: why it could not be used})``.

    Raises:
        SignkitError: an unknown layout.
    """
    from ..errors import KeypointFileError, LayoutMismatchError
    from ..keypoints import KeypointSequence

    from ..keypoints.formats import OPENPOSE_JSON_GLOB, read_openpose_json

    files = sorted(f for f in base.rglob("*") if f.is_file() and (include is None or include(f)))
    videos = [f for f in files if f.suffix.lower() in VIDEO_EXTENSIONS]
    if videos and layout not in LAYOUTS:
        raise SignkitError(f"{dataset}: videos are extracted into a layout of {sorted(LAYOUTS)}; found {layout!r}")
    seqs: dict[Path, KeypointSequence] = {}
    failed: dict[str, str] = {}
    if videos:
        extract_dir = Path(cache) if cache else default_cache(base, layout)
        if include is None:
            report = require(perception, dataset).extract_keypoints(base, extract_dir, layout, workers)
        else:
            report = require(perception, dataset).extract_keypoints(base, extract_dir, layout, workers, files=videos)
        failed.update({Path(r["video"]).name: r["reason"] for r in report["failed"]})
        for v in videos:
            out = extract_dir / (v.relative_to(base) if include is None else Path(v.name)).with_suffix(".pose")
            if out.exists():
                seqs[v] = pose_to_sequence(read_pose(out), layout, path=str(v))
    for f in files:
        if f.suffix.lower() not in KEYPOINT_EXTENSIONS:
            continue
        try:
            seqs[f] = (pose_to_sequence(read_pose(f), layout, path=str(f)) if f.suffix.lower() == ".pose"
                       else KeypointSequence.load_npz(f, layout))
        except (KeypointFileError, LayoutMismatchError) as e:
            failed[f.name] = str(e)
    for d in sorted({f.parent for f in files if f.match(OPENPOSE_JSON_GLOB)}):  # OpenPose: a folder per clip
        try:
            seqs[d] = read_openpose_json(d, layout)
        except (KeypointFileError, LayoutMismatchError) as e:
            failed[d.name] = str(e)
    return seqs, failed
