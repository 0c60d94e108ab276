"""LSA64, the Argentinian Sign Language dataset (Ronchetti et al., CACIC 2016) in its publisher's
layout: one folder of clips named ``<sign>_<signer>_<repetition>.mp4`` (three digits each: 64 signs,
10 signers, 5 repetitions; the ``all`` / ``all_cut`` folders of the release), or keypoint files
(``.pose`` / ``.npz``) of the same names.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataRootError, SignkitError
from ..paths import dataset_dir
from .base import KeypointDataset, Sample, warn_skipped
from .videos import folder_sequences

NAME = re.compile(r"^(?P<sign>\d{3})_(?P<signer>\d{3})_(?P<rep>\d{3})$")


def _class_names(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    if not path.is_file():
        raise DataRootError(f"lsa64: class names file {str(path)!r} not found; expected lines '<sign id>,<name>'")
    out = {}
    for ln in path.read_text().splitlines():
        if ln.strip():
            k, _, v = ln.replace("\t", ",").partition(",")
            out[k.strip().zfill(3)] = v.strip() or k.strip()
    return out


def load_lsa64(split: str = "train", root=None, path: str | None = None, layout: str = "mp_hands42",
               test_signers: list[str] | None = None, class_names: str | None = None, cache: str | None = None,
               workers: int = 1, *, perception=None) -> KeypointDataset:
    """LSA64 clips as keypoint sequences of ``layout``; glosses are the sign ids (``"001"`` ...) or
    the names in ``class_names`` (lines ``<sign id>,<name>``). Split: **signer-independent**: the
    signers in ``test_signers`` (default: the last fifth of the sorted signer ids, at least one) are
    the test split; ``all`` returns everything. Files that do not follow the naming are listed and
    skipped.

    Raises:
        DataRootError: folder missing or without LSA64 clips. SignkitError: unknown split or signers.
    """
    if split not in ("train", "test", "all"):
        raise SignkitError(f"unknown lsa64 split {split!r}; expected 'train', 'test' or 'all'")
    base = Path(path).expanduser() if path else dataset_dir("lsa64", root)
    if not base.is_dir():
        raise DataRootError(f"lsa64: {str(base)!r} is not a folder; expected <sign>_<signer>_<rep>.mp4 clips")
    names = _class_names(Path(class_names).expanduser() if class_names else None)
    seqs, failed = folder_sequences(base, layout, cache, workers, perception, "lsa64")
    samples, odd = [], []
    for f, seq in sorted(seqs.items()):
        m = NAME.match(f.stem)
        if not m:
            odd.append(f.name)
            continue
        seq.meta.update(repetition=m["rep"])
        samples.append(Sample(seq, names.get(m["sign"], m["sign"]), m["signer"], f.relative_to(base).as_posix()))
    warn_skipped("lsa64", {"file(s) not named <sign>_<signer>_<rep> were skipped": odd,
                           "clip(s) could not be used": failed})
    if not samples:
        raise DataRootError(f"lsa64: no <sign>_<signer>_<rep> clip could be read in {base}")
    vocabulary = sorted({s.gloss for s in samples})
    ds = KeypointDataset(samples, vocabulary, "lsa64", "all", layout=samples[0].sequence.layout,
                         info={"skipped": odd, "failed": failed})
    signers = sorted({s.signer for s in samples})
    if split == "all":
        ds.info["split"] = "all signers"
        return ds
    test = [str(s).zfill(3) for s in test_signers] if test_signers else signers[-max(1, len(signers) // 5):]
    unknown = sorted(set(test) - set(signers))
    if unknown:
        raise SignkitError(f"lsa64: test signers {unknown} have no clips; found signers {signers}")
    ds.info["split"] = f"signer-independent, test signers {test}"
    return ds.subset([i for i, s in enumerate(samples) if (s.signer in test) == (split == "test")], split)
