"""Dataset wrappers that need no perception: leave classes out, keep N samples per class.

(The perception views of image datasets, ``landmarks`` and ``hand_crop``, are in
:mod:`signkit.video.hands`; :func:`signkit.kinds.open_dataset` applies all of them from
``data.options``.)
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, UnknownNameError


def _gloss_set(ds, glosses, option: str) -> set[str]:
    """``glosses`` (one or a list; compared as strings) as a set, each checked against ``ds``' vocabulary."""
    if isinstance(glosses, (str, int, float)):
        glosses = [glosses]
    chosen = {str(g) for g in glosses}
    if chosen - set(ds.vocabulary):
        raise UnknownNameError(f"{option}: {sorted(chosen - set(ds.vocabulary))} not in the vocabulary of "
                               f"{ds.name!r}; expected some of {ds.vocabulary}")
    return chosen


def exclude_glosses(ds, glosses):
    """A copy of ``ds`` without the samples of ``glosses``, which also leave the vocabulary, e.g.
    ``[J, Z]`` for the 24 static letters of a fingerspelling alphabet (J and Z are drawn in the air;
    Sign-MNIST has no J or Z for that reason). Glosses are compared as strings (``1`` and ``"1"`` are
    the gloss "1").

    Raises:
        UnknownNameError: a gloss that is not in the vocabulary (the message lists the vocabulary).
    """
    drop = _gloss_set(ds, glosses, "exclude_glosses")
    info = {**ds.info, "excluded_glosses": sorted(drop)}
    out = ds._derived(samples=[s for s in ds.samples if s.gloss not in drop],
                      vocabulary=[g for g in ds.vocabulary if g not in drop])
    out.info = info
    return out


OTHER = "<other>"  # the filler class of other_glosses; streaming recognisers never emit it


def other_glosses(ds, glosses):
    """A copy of ``ds`` in which the samples of ``glosses`` become one class, :data:`OTHER`, the
    last of the vocabulary: a *filler* (garbage) class, as in keyword spotting, so that a model has a
    place to put signing outside its vocabulary. Live recognisers never emit it (a window it wins
    resets the agreement count), so signs like these, but not these, are rejected more often.

    Raises:
        UnknownNameError: a gloss that is not in the vocabulary (the message lists the vocabulary).
    """
    import copy

    other = _gloss_set(ds, glosses, "other_glosses")
    samples = []
    for smp in ds.samples:
        if smp.gloss in other:
            smp = copy.copy(smp)
            smp.gloss = OTHER
        samples.append(smp)
    out = ds._derived(samples=samples, vocabulary=[g for g in ds.vocabulary if g not in other] + [OTHER])
    out.info = {**ds.info, "other_glosses": sorted(other)}
    return out


def other_data(ds, others: list, split: str):
    """A copy of ``ds`` with the samples of the datasets ``others`` added as the filler class
    :data:`OTHER` in the training split only (the filler is a training device: evaluation splits
    keep their own samples). ``<other>`` joins the vocabulary of every split, so train and test agree
    on it. Use it to give a live model real signing outside its vocabulary, e.g. ISLR competition
    sequences (21 signers) as the filler of a WLASL model (``data.options.other_data=[islr]``).

    ``others``: opened datasets of the same layout (:func:`signkit.kinds.open_dataset` passes the
    layout to loaders that take one). Signer ids are prefixed with the dataset name.

    Raises:
        ConfigError: a dataset of another layout or input kind, or one with no samples.
    """
    import copy

    for o in others:
        if getattr(o, "kind", None) != getattr(ds, "kind", None) or getattr(o, "layout", None) is None \
                or o.layout.name != ds.layout.name:
            raise ConfigError(f"other_data: {o.name!r} gives {getattr(o, 'kind', '?')} of layout "
                              f"{getattr(getattr(o, 'layout', None), 'name', None)!r}; expected {ds.kind} of layout "
                              f"{ds.layout.name!r}, as {ds.name!r} has")
        if not o.samples:
            raise ConfigError(f"other_data: {o.name!r} has no samples in its training split")
    vocab = list(ds.vocabulary) if OTHER in ds.vocabulary else [*ds.vocabulary, OTHER]
    samples = list(ds.samples)
    added = {}
    if split == "train":
        for o in others:
            for smp in o.samples:
                smp = copy.copy(smp)
                smp.gloss = OTHER
                smp.signer = None if smp.signer is None else f"{o.name}:{smp.signer}"
                smp.id = f"{o.name}:{smp.id}"
                samples.append(smp)
            added[o.name] = len(o.samples)
    out = ds._derived(samples=samples, vocabulary=vocab)
    out.info = {**ds.info, "other_data": added}
    return out


def per_class(ds, n: int, seed: int = 0):
    """A seeded random ``n`` samples of each class of ``ds`` (learning curves such as "10 images per
    class"), in dataset order.

    Raises:
        ConfigError: ``n`` is not a positive integer.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"per_class must be a positive number of samples per class; found {n!r}")
    rng = np.random.default_rng(seed)
    labels = ds.labels
    keep = sorted(i for c in np.unique(labels) for i in rng.permutation(np.flatnonzero(labels == c))[:n].tolist())
    out = ds.subset(keep, ds.split)
    out.info = {**out.info, "per_class": n, "per_class_seed": seed}
    return out


def dominant_hand(ds, side: str):
    """A copy of a keypoint dataset in which every sequence whose signing hand is not ``side``
    (``"right"`` or ``"left"``) is mirrored onto it (x negated, the layout's left/right joints
    swapped), so that left- and right-handed signers look alike to a model; the estimate is
    :func:`signkit.keypoints.dominant.estimate_dominant_hand`. ``info["mirrored"]`` counts them.
    A checkpoint trained this way mirrors its inputs the same way at prediction (and live).

    Raises:
        ConfigError: not a keypoint dataset, a layout without two hands, or another side.
    """
    from ..keypoints.dominant import hand_joints, mirror_to

    if ds.kind != "keypoints":
        raise ConfigError(f"dominant_hand needs a keypoint dataset; {ds.name!r} holds {ds.kind}")
    if str(side).upper() not in ("LEFT", "RIGHT"):
        raise ConfigError(f"dominant_hand must be 'left' or 'right'; found {side!r}")
    if hand_joints(ds.layout) is None:
        raise ConfigError(f"dominant_hand: layout {ds.layout.name!r} has no left and right hand joints")
    samples, mirrored = [], 0
    for smp in ds.samples:
        seq = mirror_to(smp.sequence, side)
        mirrored += seq is not smp.sequence
        samples.append(type(smp)(seq, smp.gloss, smp.signer, smp.id))
    out = ds._derived(samples=samples)
    out.info = {**ds.info, "mirrored": mirrored, "dominant_hand": str(side).lower()}
    return out
