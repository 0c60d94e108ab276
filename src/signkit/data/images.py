"""Image datasets of static hand shapes, read in their publishers' layouts.

- ``sign_mnist``: Sign Language MNIST CSVs (``label,pixel1..pixel784``; gzip or plain, header or
  not): 27,455 train / 7,172 test 28x28 grayscale, labels 0-24 without 9 (J) -> 24 letters.
- ``asl_massey``: Massey ASL (Barczak et al. 2011) 400x400 JPEG subset, 36 classes, person id
  from ``hand<N>_...`` -> leave-one-person-out (``test_person``).
- ``sign_language_digits``: 100x100 RGB digits 0-9, no signer ids -> seeded stratified split.
- ``silfa_letters``: webcam frames A-Z, one signer -> id-block split within each letter
  (first ``train_fraction`` of each letter's frames by id for training, the rest for test).
- ``image_folder``: ``<root>/<label>/*.{jpg,jpeg,png}`` for users' own hand shapes.
- ``asl_alphabet``: the Kaggle ASL Alphabet layout (``asl_alphabet_train/<class>/*.jpg``,
  ``asl_alphabet_test/<class>_test.jpg``).

``ds[i]`` returns ``{"x": (C, H, W) float32 tensor, "label": int, "id": str}`` after the transform.
"""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import DataRootError, KeypointFileError, SignkitError
from ..paths import dataset_dir
from .base import LabelledDataset, holdout_split

from ..paths import IMAGE_EXTENSIONS  # noqa: F401  (re-exported)


@dataclass
class ImageSample:
    """An image (array ``(H, W)`` / ``(H, W, 3)`` uint8, or a file path read lazily), its label and signer."""

    image: np.ndarray | str
    gloss: str
    signer: str | None = None
    id: str = ""


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as ``(H, W, 3)`` uint8 RGB (grayscale and RGBA converted).

    Raises:
        KeypointFileError: not an image, unreadable, or smaller than 2x2 pixels.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            arr = np.asarray(im)
    except FileNotFoundError:
        raise KeypointFileError(f"{path}: file not found; expected an image") from None
    except (UnidentifiedImageError, OSError) as e:
        raise KeypointFileError(f"{path}: not a readable image ({e}); expected JPEG or PNG") from e
    if min(arr.shape[:2]) < 2:
        raise KeypointFileError(f"{path}: image is {arr.shape[1]}x{arr.shape[0]} pixels; expected at least 2x2")
    return arr


def crop_to_hand(img: np.ndarray, box: tuple[int, int, int, int] | None) -> np.ndarray:
    """The pixels of ``img (H, W[, C])`` inside ``box`` ``(x0, y0, x1, y1)`` (pixels), or the central
    square of the image when ``box`` is None."""
    h, w = img.shape[:2]
    if box is None:
        s = min(h, w)
        y0, x0 = (h - s) // 2, (w - s) // 2
        return img[y0 : y0 + s, x0 : x0 + s]
    x0, y0, x1, y1 = box
    return img[y0:y1, x0:x1]


@dataclass
class ImageDataset(LabelledDataset):
    """Labelled hand-shape images with a vocabulary; same interface as KeypointDataset."""

    _: KW_ONLY
    crop_boxes: dict | None = None  # id -> (x0, y0, x1, y1) or None (centre square): the hand_crop view
    kind = "image"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._cache: dict[str, np.ndarray] = {}  # path -> image, shared by subsets

    def image(self, i: int) -> np.ndarray:
        """The image ``(H, W[, 3])`` uint8, cropped to the hand when this is a ``hand_crop`` view."""
        img = self.samples[i].image
        if not isinstance(img, np.ndarray):
            key = img
            if key not in self._cache:
                self._cache[key] = load_image(img)
            img = self._cache[key]
        if self.crop_boxes is not None:
            img = crop_to_hand(img, self.crop_boxes.get(self.samples[i].id))
        return img

    def __getitem__(self, i: int) -> dict:
        img = self.image(i)
        x = self.transform(img, self.rng(i)) if self.transform else torch.from_numpy(np.asarray(img, np.float32) / 255.0)
        return {"x": x, "label": self._index[self.samples[i].gloss], "id": self.samples[i].id}

    def _derived(self, **changes) -> "ImageDataset":
        ds = super()._derived(**changes)
        ds._cache = self._cache
        return ds

    def summary(self) -> str:
        signers = sorted({s.signer for s in self.samples if s.signer})
        return (f"{self.name}[{self.split}]: {len(self)} images, {len(self.vocabulary)} classes, "
                f"signers {len(signers) or 'n/a'}")


def image_collate(items: list[dict]) -> dict:
    """Stack images into ``x (B, C, H, W)`` and labels ``(B,)``."""
    return {"x": torch.stack([it["x"] for it in items]), "label": torch.tensor([it["label"] for it in items]),
            "id": [it["id"] for it in items]}


# --- readers ------------------------------------------------------------------------------------
def read_sign_mnist_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a Sign-MNIST CSV (``.csv`` or ``.csv.gz``, with or without the header) into
    images ``(N, 28, 28)`` uint8 and labels ``(N,)``.

    Raises:
        KeypointFileError: wrong column count (expected 785 = label + 28*28) or non-numeric values.
    """
    import pandas as pd

    path = Path(path)
    try:
        first = pd.read_csv(path, header=None, nrows=1)
    except Exception as e:
        raise KeypointFileError(f"{path}: not a readable CSV ({e})") from e
    has_header = not str(first.iloc[0, 0]).strip().lstrip("-").isdigit()
    df = pd.read_csv(path, header=0 if has_header else None)
    if df.shape[1] != 785:
        raise KeypointFileError(f"{path}: {df.shape[1]} columns; expected 785 (label + 28x28 pixels)")
    try:
        arr = df.to_numpy(dtype=np.int64)
    except ValueError as e:
        raise KeypointFileError(f"{path}: non-numeric values; expected integers ({e})") from e
    return arr[:, 1:].reshape(-1, 28, 28).astype(np.uint8), arr[:, 0]


def letter(label: int) -> str:
    return chr(ord("A") + int(label))


def load_sign_mnist(split: str = "train", root=None) -> ImageDataset:
    """Sign Language MNIST, official split. Vocabulary: the 24 letters (no J, Z)."""
    if split not in ("train", "test"):
        raise SignkitError(f"unknown sign_mnist split {split!r}; expected 'train' or 'test'")
    base = dataset_dir("sign_mnist", root)
    f = base / f"sign_mnist_{split}.csv.gz"
    if not f.exists():
        f = base / f"sign_mnist_{split}.csv"
    images, labels = read_sign_mnist_csv(f)
    vocab = [letter(i) for i in range(25) if i != 9]
    samples = [ImageSample(images[i], letter(labels[i]), None, f"{split}:{i + 1}") for i in range(len(labels))]
    return ImageDataset(samples, vocab, "sign_mnist", split)


def _folder_samples(base: Path, pattern: str = "*/*") -> list[ImageSample]:
    return [ImageSample(str(p), p.parent.name, None, p.relative_to(base).as_posix())
            for p in sorted(base.glob(pattern)) if p.suffix.lower() in IMAGE_EXTENSIONS]


def load_image_folder(split: str = "train", root=None, path: str | None = None, test_fraction: float = 0.2,
                      seed: int = 0) -> ImageDataset:
    """``<path>/<label>/*.{jpg,png}``; a seeded per-class hold-out of ``test_fraction`` (``split="all"``: all)."""
    if path is None:
        raise SignkitError("image_folder needs data.options.path=<folder with <label>/<image>>; found none")
    base = Path(path)
    if not base.is_dir():
        raise DataRootError(f"image folder {str(base)!r} does not exist; expected <folder>/<label>/<image>.jpg")
    samples = _folder_samples(base)
    if not samples:
        raise DataRootError(f"image folder {str(base)!r} holds no <label>/<image> files")
    return _split_by_holdout(samples, "image_folder", split, test_fraction, seed)


def _split_by_holdout(samples, name, split, test_fraction, seed) -> ImageDataset:
    ds = ImageDataset(samples, sorted({s.gloss for s in samples}), name, "all")
    if split == "all":
        return ds
    if split not in ("train", "test"):
        raise SignkitError(f"unknown split {split!r}; expected 'train', 'test' or 'all'")
    keep, held = holdout_split(ds.labels, test_fraction, seed)
    ds.info["split"] = f"seeded stratified hold-out {test_fraction} (seed {seed}); no signer ids"
    return ds.subset((held if split == "test" else keep).tolist(), split)


def load_sign_language_digits(split: str = "train", root=None, test_fraction: float = 0.2, seed: int = 0) -> ImageDataset:
    """Sign Language Digits (Mavi 2017), 2,062 images; seeded stratified split (no signer ids)."""
    base = dataset_dir("sign_language_digits", root) / "Dataset"
    return _split_by_holdout(_folder_samples(base), "sign_language_digits", split, test_fraction, seed)


def load_silfa_letters(split: str = "train", root=None, train_fraction: float = 0.5) -> ImageDataset:
    """SILFA letters: within each letter, frames sorted by id; the first ``train_fraction`` are
    training, the rest test (id blocks: neighbouring webcam frames never straddle the split)."""
    base = dataset_dir("silfa_letters", root) / "images"
    samples = _folder_samples(base)
    by_letter: dict[str, list[ImageSample]] = {}
    for s in samples:
        by_letter.setdefault(s.gloss, []).append(s)
    chosen = []
    for g, items in by_letter.items():
        items.sort(key=lambda s: int(re.search(r"(\d+)", Path(s.id).stem).group(1)))
        cut = int(round(len(items) * train_fraction))
        chosen += items[:cut] if split == "train" else items[cut:] if split == "test" else items
    ds = ImageDataset(chosen, sorted(by_letter), "silfa_letters", split,
                      info={"split": f"id blocks: first {train_fraction:.0%} of each letter's frames train"})
    return ds


def load_asl_massey(split: str = "train", root=None, test_person: int = 1) -> ImageDataset:
    """Massey ASL, leave-one-person-out: person ``test_person`` (1-5) is the test set."""
    base = dataset_dir("asl_massey", root) / "asl_dataset"
    samples = []
    for s in _folder_samples(base):
        m = re.match(r"hand(\d+)_", Path(s.id).name)
        s.signer = f"hand{m.group(1)}" if m else None
        samples.append(s)
    vocab = sorted({s.gloss for s in samples})
    want = f"hand{int(test_person)}"
    if split == "all":
        chosen = samples
    else:
        chosen = [s for s in samples if (s.signer == want) == (split == "test")]
    return ImageDataset(chosen, vocab, "asl_massey", split, info={"split": f"leave-one-person-out, test {want}"})


def load_asl_alphabet(split: str = "train", root=None, path: str | None = None) -> ImageDataset:
    """Kaggle ASL Alphabet layout: ``<path>/asl_alphabet_train/<class>/*.jpg`` (train) and
    ``<path>/asl_alphabet_test/<class>_test.jpg`` (test; class from the file name)."""
    base = Path(path) if path else dataset_dir("asl_alphabet", root)
    if split == "train":
        d = base / "asl_alphabet_train"
        if not d.is_dir():
            raise DataRootError(f"{d} not found; expected the Kaggle layout asl_alphabet_train/<class>/")
        samples = _folder_samples(d)
    else:
        d = base / "asl_alphabet_test"
        if not d.is_dir():
            raise DataRootError(f"{d} not found; expected asl_alphabet_test/<class>_test.jpg")
        samples = [ImageSample(str(p), p.stem.rsplit("_test", 1)[0], None, p.name) for p in sorted(d.iterdir())
                   if p.suffix.lower() in IMAGE_EXTENSIONS]
    train_classes = sorted(p.name for p in (base / "asl_alphabet_train").iterdir() if p.is_dir()) \
        if (base / "asl_alphabet_train").is_dir() else sorted({s.gloss for s in samples})
    return ImageDataset([s for s in samples if s.gloss in train_classes], train_classes, "asl_alphabet", split)
