"""WLASL (Li, Rodriguez, Yu & Li, WACV 2020) in its publisher's layout: a split file over a folder of
videos (``<video_id>.mp4`` at any depth) or of extracted keypoints (``<video_id>.pose`` / ``.npz``).

Split files, as WLASL publishes them:

- ``WLASL_v0.3.json``: ``[{"gloss": ..., "instances": [{"video_id", "split", "signer_id",
  "frame_start", "frame_end", ...}]}]`` (frames 1-based, ``frame_end`` -1 = to the end);
- ``nslt_<N>.json`` (``N`` = 100, 300, 1000, 2000): ``{video_id: {"subset", "action": [class,
  start, end]}}``, with ``wlasl_class_list.txt`` (``class<TAB>gloss``) naming the classes.

``../shared/data/videos/wlasl`` holds 26 real clips of 12 glosses with WLASL's ``nslt_2000.json``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from ..errors import DataRootError, SignkitError
from ..paths import dataset_dir
from .base import KeypointDataset, Sample, warn_skipped
from .videos import folder_sequences

SPLITS = ("train", "val", "test", "all")


def _entries(split_file: Path, class_list: Path | None) -> list[dict]:
    """``[{"video_id", "gloss", "subset", "signer", "start", "end"}]`` from either WLASL split file."""
    try:
        raw = json.loads(split_file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataRootError(f"wlasl: {split_file} is not a readable JSON split file ({e})") from None
    out = []
    if isinstance(raw, list):  # WLASL_v0.3.json
        for g in raw:
            if not isinstance(g, dict) or not isinstance(g.get("gloss"), str) or not isinstance(g.get("instances"), list):
                raise DataRootError(f"wlasl: {split_file}: expected entries {{'gloss': str, 'instances': [...]}}; "
                                    f"found {str(g)[:80]}")
            for i in g["instances"]:
                if not isinstance(i, dict) or "video_id" not in i:
                    raise DataRootError(f"wlasl: {split_file}: an instance of {g['gloss']!r} without video_id")
                out.append({"video_id": str(i["video_id"]), "gloss": g["gloss"], "subset": str(i.get("split", "")),
                            "signer": str(i["signer_id"]) if i.get("signer_id") is not None else None,
                            "start": int(i.get("frame_start", 1)), "end": int(i.get("frame_end", -1))})
        return out
    if not isinstance(raw, dict):
        raise DataRootError(f"wlasl: {split_file}: expected WLASL_v0.3.json (a list) or nslt_*.json (an object)")
    if class_list is None or not class_list.is_file():
        raise DataRootError(f"wlasl: {split_file.name} names classes by index; expected wlasl_class_list.txt "
                            f"beside it (or data.options.class_list)")
    names = {}
    for ln in class_list.read_text().splitlines():
        if ln.strip():
            k, _, g = ln.partition("\t")
            names[k.strip()] = g.strip()
    for vid, e in raw.items():
        try:
            cls, start, end = e["action"][:3]
            gloss = names[str(cls)]
        except (KeyError, TypeError, ValueError):
            raise DataRootError(f"wlasl: {split_file.name}: entry {vid!r} is {str(e)[:80]}; expected "
                                f"{{'subset': ..., 'action': [class in the class list, start, end]}}") from None
        out.append({"video_id": str(vid), "gloss": gloss, "subset": str(e.get("subset", "")), "signer": None,
                    "start": int(start), "end": int(end), "class": int(cls)})
    return out


def load_wlasl(split: str = "train", root=None, path: str | None = None, split_file: str | None = None,
               class_list: str | None = None, layout: str = "mp_hands42", cache: str | None = None,
               workers: int = 1, *, perception=None) -> KeypointDataset:
    """WLASL clips as keypoint sequences of ``layout`` (``mp_hands42``, ``mp_pose33``,
    ``sign_body57``), cut to each entry's frame range, with WLASL's **official** split (``train``,
    ``val``, ``test``; ``all``). The vocabulary is the glosses present, in WLASL's class order.

    ``path``: the folder of videos or keypoint files (default ``<data root>/videos/wlasl``);
    ``split_file``: ``WLASL_v0.3.json`` or an ``nslt_*.json`` (default: the one found in ``path``).
    Entries whose clip is absent are skipped; their count (and the first few ids) is printed in a
    warning and all are in ``info["missing"]``; clips that fail extraction are listed the same way.

    Raises:
        DataRootError: folder or split file missing or malformed. SignkitError: unknown split, or no
        listed clip found.
    """
    if split not in SPLITS:
        raise SignkitError(f"unknown wlasl split {split!r}; expected one of {SPLITS}")
    base = Path(path).expanduser() if path else dataset_dir("videos", root) / "wlasl"
    if not base.is_dir():
        raise DataRootError(f"wlasl: {str(base)!r} is not a folder; expected WLASL videos or keypoint files")
    if split_file:
        sf = Path(split_file).expanduser()
        sf = sf if sf.is_absolute() or sf.exists() else base / sf
    else:
        sf = base / "WLASL_v0.3.json"
        if not sf.is_file():
            found = sorted(base.glob("nslt_*.json"))
            sf = found[0] if found else sf
    if not sf.is_file():
        raise DataRootError(f"wlasl: no split file in {str(base)!r}; expected WLASL_v0.3.json or nslt_<N>.json "
                            f"(or data.options.split_file)")
    cl = Path(class_list).expanduser() if class_list else base / "wlasl_class_list.txt"
    entries = _entries(sf, cl)
    seqs, failed = folder_sequences(base, layout, cache, workers, perception, "wlasl")
    by_id = {f.stem: s for f, s in seqs.items()}
    order: dict[str, int] = {}
    samples, missing = [], []
    for e in entries:
        order.setdefault(e["gloss"], e.get("class", len(order)))
        seq = by_id.get(e["video_id"])
        if seq is None:
            missing.append(e["video_id"])
            continue
        a = max(0, e["start"] - 1)
        b = e["end"] if e["end"] > 0 else len(seq)
        if a >= len(seq) or b <= a:
            failed[e["video_id"]] = f"frames {e['start']}..{e['end']} outside the clip's {len(seq)} frames"
            continue
        cut = seq.with_data(seq.data[a:b], seq.mask[a:b])
        cut.meta.update(video_id=e["video_id"], subset=e["subset"])
        samples.append((e["subset"], Sample(cut, e["gloss"], e["signer"], e["video_id"])))
    if missing:
        warnings.warn(f"wlasl: {len(missing)} of the {len(entries)} entries of {sf.name} have no clip in {base} and "
                      f"were skipped (e.g. {missing[:5]}); {len(samples)} found", stacklevel=2)
    warn_skipped("wlasl", {"clip(s) could not be used": failed})
    if not samples:
        raise SignkitError(f"wlasl: none of the {len(entries)} entries of {sf.name} has a readable clip in {base}")
    vocabulary = sorted({s.gloss for _, s in samples}, key=lambda g: (order[g], g))
    ds = KeypointDataset([s for _, s in samples], vocabulary, "wlasl", "all", layout=samples[0][1].sequence.layout,
                         info={"split_file": sf.name, "missing": missing, "failed": failed,
                               "split": "official (WLASL's own subsets)"})
    if split == "all":
        return ds
    return ds.subset([i for i, (sub, _) in enumerate(samples) if sub == split], split)
