"""RWTH-BOSTON-104 hand and nose tracks, word segments (Dreuw et al., Interspeech 2007).

Layout under ``<data root>/rwth_boston104`` (the AIND-Recognizer derived set)::

    hands_condensed.csv   video,frame,left-x,left-y,right-x,right-y,nose-x,nose-y   (pixels, 195x165)
    train_words.csv       video,speaker,word,startframe,endframe   (inclusive; 710 segments)
    test_words.csv        same columns (178 segments), the database's sentence-level split
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import SignkitError
from ..keypoints import BOSTON104_TRACK3, KeypointSequence
from ..paths import dataset_dir
from .base import KeypointDataset, Sample

FPS = 30.0
_COLS = ["left-x", "left-y", "right-x", "right-y", "nose-x", "nose-y"]


def signer_statistics(hands: pd.DataFrame, train_words: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-signer mean and std (pixels) of the nose-relative hands and the nose, over every frame of
    the training sentences only. Returns {signer: (mean (3, 2), std (3, 2))}."""
    videos = train_words.groupby("speaker")["video"].unique()
    stats = {}
    for spk, vids in videos.items():
        g = hands[hands["video"].isin(vids)][_COLS].to_numpy(np.float32).reshape(-1, 3, 2)
        rel = g.copy()
        rel[:, :2] -= g[:, 2:3]
        stats[spk] = (rel.mean(0), rel.std(0) + 1e-6)
    return stats


def load_boston104(split: str = "train", root=None, signer_norm: bool = False) -> KeypointDataset:
    """Load RWTH-BOSTON-104 word segments as ``(T, 3, 2)`` pixel tracks (left hand, right hand, nose).

    With ``signer_norm=True`` each frame becomes per-signer z-scores of the hands relative to the
    nose and of the nose (statistics from the training sentences only; the features of the
    AIND-Recognizer baseline these segments come from). The three signers occur in both splits.

    The vocabulary is the sorted set of training words (112). Test segments whose word never
    occurs in training (1 of 178) are dropped with a warning, since no closed-set classifier can
    name them; the count is kept in ``info["dropped_unseen"]``.

    Raises:
        DataRootError: folder missing. SignkitError: unknown split or a segment outside its video.
    """
    if split not in ("train", "test"):
        raise SignkitError(f"unknown RWTH-BOSTON-104 split {split!r}; expected 'train' or 'test'")
    base = dataset_dir("rwth_boston104", root)
    hands = pd.read_csv(base / "hands_condensed.csv")
    tracks = {int(v): g.sort_values("frame") for v, g in hands.groupby("video")}
    train_words = pd.read_csv(base / "train_words.csv")
    vocabulary = sorted(train_words["word"].unique().tolist())
    words = train_words if split == "train" else pd.read_csv(base / f"{split}_words.csv")
    stats = signer_statistics(hands, train_words) if signer_norm else {}
    samples, dropped = [], []
    for r in words.itertuples(index=False):
        if r.word not in vocabulary:
            dropped.append(f"video {r.video} {r.word}")
            continue
        g = tracks[int(r.video)]
        seg = g[(g["frame"] >= r.startframe) & (g["frame"] <= r.endframe)]
        if len(seg) == 0:
            raise SignkitError(f"RWTH-BOSTON-104: segment video {r.video} frames {r.startframe}-{r.endframe} "
                               f"has no tracked frames")
        data = seg[_COLS].to_numpy(np.float32).reshape(-1, 3, 2)
        space = "image_px"
        if signer_norm:
            mean, std = stats[r.speaker]
            data = data.copy()
            data[:, :2] -= data[:, 2:3]
            data = (data - mean) / std
            space = "signer_zscore"
        seq = KeypointSequence(data, BOSTON104_TRACK3, fps=FPS, space=space,
                               meta={"video": int(r.video), "start": int(r.startframe), "end": int(r.endframe)})
        samples.append(Sample(seq, r.word, r.speaker, f"{r.video}:{r.startframe}-{r.endframe}"))
    if dropped:
        warnings.warn(f"RWTH-BOSTON-104 {split}: dropped {len(dropped)} segment(s) with a word unseen in "
                      f"training: {dropped}", stacklevel=2)
    return KeypointDataset(samples, vocabulary, "rwth_boston104", split, layout=BOSTON104_TRACK3,
                           info={"dropped_unseen": dropped})
