"""The torch Dataset of keypoint sequences shared by every keypoint dataset, and its collate."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Callable, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from ..keypoints import KeypointSequence, Layout, pad_batch


@dataclass
class Sample:
    """One labelled sequence: keypoints, gloss (class name) and signer (or None)."""

    sequence: KeypointSequence
    gloss: str
    signer: str | None = None
    id: str = ""


class EpochCounter:
    """The current epoch in shared memory (a 1-element int64 tensor moved to shared memory), so that
    DataLoader worker processes, including persistent ones forked or spawned before the epoch
    changed, read the epoch the main process set with :meth:`set`."""

    def __init__(self, epoch: int = 0):
        self._t = torch.full((1,), int(epoch), dtype=torch.int64).share_memory_()

    def get(self) -> int:
        return int(self._t[0])

    def set(self, epoch: int) -> None:
        self._t[0] = int(epoch)


@dataclass
class LabelledDataset(Dataset):
    """What every signkit dataset shares (keypoint, image, landmark and clip datasets derive from it):
    ``samples`` (each with ``.gloss``), ``vocabulary`` (gloss names; labels are indices into it), the
    dataset ``name`` and ``split``, a ``transform`` seeded by ``seed``, the epoch (:meth:`set_epoch`,
    shared with worker processes) and the index, and ``info`` (split description, skipped files, ...);
    length, integer labels, and derived copies for a subset or another transform. Subclasses add
    keyword-only fields and override :meth:`_derived` to share caches. ``kind`` names the input kind
    (:mod:`signkit.kinds`) of the items."""

    samples: list
    vocabulary: list[str]
    name: str = ""
    split: str = ""
    transform: Callable | None = None
    seed: int = 0
    info: dict = field(default_factory=dict)
    kind = "keypoints"

    def __post_init__(self) -> None:
        self._index = {g: i for i, g in enumerate(self.vocabulary)}
        self._epoch = EpochCounter()

    @property
    def epoch(self) -> int:
        """The epoch augmentation is drawn for (read from shared memory: the same in every worker)."""
        return self._epoch.get()

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch for this dataset and every worker process that holds a copy of it."""
        self._epoch.set(epoch)

    def rng(self, i: int) -> np.random.Generator:
        """The generator of sample ``i``'s augmentation: seeded by ``(seed, epoch, i)``."""
        return np.random.default_rng([self.seed, self.epoch, i])

    def __len__(self) -> int:
        return len(self.samples)

    def label_of(self, gloss: str) -> int:
        return self._index[gloss]

    @property
    def labels(self) -> np.ndarray:
        """Integer labels ``(N,)`` (indices into ``vocabulary``)."""
        return np.array([self._index[s.gloss] for s in self.samples], dtype=np.int64)

    def _derived(self, **changes):
        ds = replace(self, info=dict(self.info), **changes)
        ds._epoch = EpochCounter(self.epoch)
        return ds

    def subset(self, indices: Sequence[int], split: str | None = None):
        """A dataset with the samples at ``indices`` (same vocabulary, layout and transform)."""
        return self._derived(samples=[self.samples[i] for i in indices], split=split or self.split)

    def with_transform(self, transform: Callable | None):
        return self._derived(transform=transform)


@dataclass
class KeypointDataset(LabelledDataset):
    """A list of :class:`Sample` with a fixed vocabulary and a transform pipeline.

    ``layout`` is keyword-only: ``KeypointDataset(samples, vocabulary, name, split, layout=...)``.
    ``ds[i]`` returns ``{"x": (T, J, C) float32 tensor, "mask": (T,) bool, "label": int, "id": str}``
    after ``transform``; :func:`collate` pads a list of them to ``(B, T_max, J, C)``.
    Augmenting transforms draw from a generator seeded by ``seed``, the epoch and the index.
    """

    _: KW_ONLY
    layout: Layout

    def __getitem__(self, i: int) -> dict:
        s = self.samples[i]
        seq = s.sequence
        if self.transform is not None:
            seq = self.transform(seq, self.rng(i))
        return {"seq": seq, "label": self._index[s.gloss], "id": s.id}

    def summary(self) -> str:
        lengths = [len(s.sequence) for s in self.samples]
        signers = sorted({s.signer for s in self.samples if s.signer is not None})
        return (f"{self.name}[{self.split}]: {len(self)} sequences, {len(self.vocabulary)} glosses, "
                f"layout {self.layout.name}, frames min/median/max {min(lengths)}/{int(np.median(lengths))}/"
                f"{max(lengths)}, signers {signers or 'n/a'}")


def collate(items: list[dict]) -> dict:
    """Pad a list of dataset items into a batch: x ``(B, T, J, C)``, mask ``(B, T)``, label ``(B,)``."""
    x, mask = pad_batch([it["seq"] for it in items])
    return {"x": x, "mask": mask, "label": torch.tensor([it["label"] for it in items], dtype=torch.long),
            "id": [it["id"] for it in items]}


def warn_skipped(dataset: str, groups: dict) -> None:
    """One warning per non-empty group of skipped inputs, ``{what: list or dict}``, with the count
    and the first few (batch readers list their failures and keep going)."""
    import warnings

    for what, items in groups.items():
        if items:
            shown = list(items.items())[:5] if isinstance(items, dict) else list(items)[:10]
            warnings.warn(f"{dataset}: {len(items)} {what} (e.g. {shown})", stacklevel=3)


def kfold_assignment(labels: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """Per-class seeded K-fold assignment ``(N,)`` of fold numbers ``0..folds-1``: each class's samples
    are shuffled and dealt round-robin, so every fold holds ``floor`` or ``ceil(n_c / folds)`` of class
    ``c`` (scikit-learn's ``StratifiedKFold`` idea); each class's deal starts where the previous one
    ended, so the folds' sizes differ by at most one. Deterministic in ``labels``, ``folds`` and ``seed``.

    Raises:
        ValueError: ``folds`` < 2.
    """
    if folds < 2:
        raise ValueError(f"folds must be at least 2; found {folds}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    out, start = np.zeros(len(labels), dtype=int), 0
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        out[idx] = (start + np.arange(len(idx))) % folds
        start = (start + len(idx)) % folds
    return out


def holdout_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-class seeded hold-out: ``floor(n_c * fraction)`` samples of each class ``c`` go to the
    second part. Returns (keep indices, held-out indices)."""
    rng = np.random.default_rng(seed)
    held = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        held.extend(idx[: int(len(idx) * fraction)].tolist())
    held_arr = np.array(sorted(held), dtype=int)
    keep = np.setdiff1d(np.arange(len(labels)), held_arr)
    return keep, held_arr
