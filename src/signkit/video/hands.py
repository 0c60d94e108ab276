"""MediaPipe Hands on still images: 21 hand landmarks per image (the input of the landmark classifier,
normalised by :func:`signkit.data.landmarks.normalise_landmarks`) and hand boxes (the crop of the
"28x28 view").

Detections of a whole image dataset are computed once and cached on disk
(``$SIGNKIT_CACHE/landmarks/<dataset>-<key>.npz``, default ``~/.cache/signkit``). MediaPipe's bundled
hand model ships inside the ``mediapipe`` wheel: nothing is downloaded.

Two views of any image dataset, chosen by the dataset option ``view`` (applied by
:func:`signkit.kinds.open_dataset`):

- ``view: landmarks`` -> :class:`~signkit.data.landmarks.LandmarkDataset` (``x (21, 3)`` normalised landmarks); images where no
  hand is found are left out and listed in ``info["no_hand"]``, never guessed.
- ``view: hand_crop`` -> the same :class:`~signkit.data.images.ImageDataset` whose images are cropped
  to a square around the hand (MediaPipe's landmarks' box plus a margin), or centre-cropped when no
  hand is found: with ``image_size: 28`` and ``channels: 1`` this is the Sign-MNIST preprocessing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.images import ImageDataset
from ..data.landmarks import LandmarkDataset, LandmarkSample, hand_box, normalise_landmarks
from ..errors import NoHandError, SignkitError  # noqa: F401  (NoHandError re-exported)
from ..storage import atomic_path, cache_dir
from .extract import quiet_mediapipe

DETECTOR_VERSION = 2  # bump when detection changes, to invalidate caches
HAND_CHOICES = ("first", "highest")


def _as_rgb(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.stack([img] * 3, -1)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    elif img.ndim == 3 and img.shape[2] == 1:
        img = np.repeat(img, 3, -1)
    if img.ndim != 3 or img.shape[2] != 3:
        raise SignkitError(f"expected an image (H, W), (H, W, 3) or (H, W, 4); found shape {img.shape}")
    if img.dtype != np.uint8:
        raise SignkitError(f"expected a uint8 image; found dtype {img.dtype}")
    return np.ascontiguousarray(img)


def check_hand_choice(hand: str) -> str:
    """Validate a hand-selection policy (see :class:`HandDetector`); raises SignkitError naming the choices."""
    if hand not in HAND_CHOICES:
        raise SignkitError(f"unknown hand selection {hand!r}; expected one of {list(HAND_CHOICES)}")
    return hand


class HandDetector:
    """MediaPipe Hands in still-image mode, one hand per image.

    ``hand`` chooses the hand when there may be two: ``"first"`` (MediaPipe with ``max_num_hands=1``:
    its most confident hand) or ``"highest"`` (``max_num_hands=2``, then the hand whose landmarks'
    mean y is smallest, i.e. the raised hand; when the model finds fewer than two hands, MediaPipe's
    lite model (``model_complexity=0``) is asked too, as it keeps hands the full model rejects, such
    as motion-blurred ones, and the highest of all the hands found is taken). Fingerspelling is done
    with a raised hand while the other hand rests lower down: on SILFA letters "first" picks the
    resting hand in a quarter of the frames (whole letters such as Y), "highest" the signing hand.

    ``detect(img)`` returns ``(landmarks (21, 3) pixels, handedness, score)`` or ``None`` when no hand
    is found. ``handedness`` is +1 for a right hand and -1 for a left hand, assuming an unmirrored
    photo (MediaPipe's own labels assume a selfie view and are swapped). ``z`` is in the scale of
    ``x`` (pixels), relative to the wrist. Small images (short side < 128 px) are upscaled first, and
    when nothing is found the image is tried again inside a border of half its size (replicated
    edge pixels): tight hand crops such as Massey's images give MediaPipe's palm detector too little
    context otherwise.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, min_confidence: float = 0.5, model_complexity: int = 1, hand: str = "first"):
        self.hand = check_hand_choice(hand)
        quiet_mediapipe()
        import mediapipe as mp

        self._hands = mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=1 if hand == "first" else 2,
                                               model_complexity=model_complexity,
                                               min_detection_confidence=min_confidence)
        self._lite = None
        if hand == "highest" and model_complexity != 0:
            self._lite = mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=2, model_complexity=0,
                                                  min_detection_confidence=min_confidence)

    def __enter__(self) -> "HandDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._hands.close()
        if self._lite is not None:
            self._lite.close()

    @staticmethod
    def _hands_of(hands, img: np.ndarray) -> list[tuple[np.ndarray, int, float]]:
        res = hands.process(img)
        h, w = img.shape[:2]
        return [(np.array([[p.x * w, p.y * h, p.z * w] for p in r.landmark], np.float32),
                 1 if c.classification[0].label == "Left" else -1, float(c.classification[0].score))
                for r, c in zip(res.multi_hand_landmarks or [], res.multi_handedness or [])]

    def _run(self, img: np.ndarray):
        found = self._hands_of(self._hands, img)
        if self.hand == "first":
            return found[0] if found else None
        if len(found) < 2 and self._lite is not None:
            found += self._hands_of(self._lite, img)
        return min(found, key=lambda f: f[0][:, 1].mean()) if found else None

    def detect(self, img: np.ndarray) -> tuple[np.ndarray, int, float] | None:
        import cv2

        img = _as_rgb(img)
        h, w = img.shape[:2]
        scale = 1.0
        if min(h, w) < 128:
            scale = 256.0 / min(h, w)
            img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
        out = self._run(img)
        if out is None:
            pad = min(img.shape[:2]) // 2
            out = self._run(cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE))
            if out is not None:
                out = (out[0] - np.array([pad, pad, 0], np.float32), out[1], out[2])
        if out is None:
            return None
        return out[0] / scale, out[1], out[2]


@dataclass
class HandDetections:
    """Detections of N images: ``landmarks (N, 21, 3)`` pixels (zeros where none), ``handedness (N,)``
    (+1 right, -1 left, 0 none), ``score (N,)`` (0 where none)."""

    landmarks: np.ndarray
    handedness: np.ndarray
    score: np.ndarray

    @property
    def found(self) -> np.ndarray:
        return self.score > 0


def detect_images(images, min_confidence: float = 0.5, progress: str | None = None,
                  hand: str = "first") -> HandDetections:
    """Run :class:`HandDetector` on an iterable of images (``(H, W[, 3])`` uint8); ``hand``: which hand
    when there are two (see :class:`HandDetector`)."""
    lms, hands, scores = [], [], []
    with HandDetector(min_confidence, hand=hand) as det:
        for i, img in enumerate(images):
            out = det.detect(img)
            if out is None:
                lms.append(np.zeros((21, 3), np.float32)); hands.append(0); scores.append(0.0)
            else:
                lms.append(out[0]); hands.append(out[1]); scores.append(max(out[2], 1e-3))
            if progress and (i + 1) % 2000 == 0:
                print(f"signkit: {progress}: hands detected in {i + 1} images", flush=True)
    return HandDetections(np.stack(lms) if lms else np.zeros((0, 21, 3), np.float32),
                          np.array(hands, np.int8), np.array(scores, np.float32))


def dataset_detections(ds, min_confidence: float = 0.5, cache: Path | None = None,
                       hand: str = "first") -> HandDetections:
    """Hand detections of every image of an :class:`~signkit.data.images.ImageDataset`, from the
    cache where there, else computed. One cache file per dataset name and detector settings holds the
    detections by sample id, so splits and hold-outs of a dataset share it; images not in it yet are
    detected and the file is rewritten atomically with them added."""
    import mediapipe as mp

    settings = [DETECTOR_VERSION, mp.__version__, ds.name, min_confidence, "by-id"]
    if check_hand_choice(hand) != "first":
        settings += [hand, 2]  # 2: with the lite-model second look
    key = hashlib.sha1(json.dumps(settings).encode()).hexdigest()[:16]
    f = (cache or cache_dir("landmarks")) / f"{ds.name or 'images'}-{key}.npz"
    known: dict[str, int] = {}
    old = HandDetections(np.zeros((0, 21, 3), np.float32), np.zeros(0, np.int8), np.zeros(0, np.float32))
    if f.is_file():
        try:
            with np.load(f, allow_pickle=False) as z:
                old = HandDetections(z["landmarks"], z["handedness"], z["score"])
                known = {str(k): i for i, k in enumerate(z["ids"])}
        except (OSError, ValueError, KeyError):  # a damaged cache is recomputed, never trusted
            known = {}
    ids = [s.id for s in ds.samples]
    missing = [i for i, k in enumerate(ids) if k not in known]
    if missing:
        new = detect_images((ds.image(i) for i in missing), min_confidence,
                            progress=f"{ds.name}[{ds.split}]" if len(missing) > 2000 else None, hand=hand)
        all_ids = list(known) + [ids[i] for i in missing]
        merged = HandDetections(np.concatenate([old.landmarks[list(known.values())], new.landmarks]),
                                np.concatenate([old.handedness[list(known.values())], new.handedness]),
                                np.concatenate([old.score[list(known.values())], new.score]))
        with atomic_path(f, ".npz") as tmp:
            np.savez_compressed(tmp, ids=np.array(all_ids, dtype=str), landmarks=merged.landmarks,
                                handedness=merged.handedness, score=merged.score)
        old, known = merged, {k: i for i, k in enumerate(all_ids)}
    rows = [known[k] for k in ids]
    return HandDetections(old.landmarks[rows], old.handedness[rows], old.score[rows])


def landmark_view(ds: ImageDataset, min_confidence: float = 0.5, mirror_left: bool = False, hand: str = "first") -> LandmarkDataset:
    """The landmark view of an image dataset: one :class:`LandmarkSample` per image with a hand.

    ``mirror_left`` mirrors the hands MediaPipe labels left. Off by default: on single still images
    MediaPipe's handedness is unreliable for closed hand shapes, and mirroring on a wrong label turns
    a shape into its mirror image. Turn it on for data where signers use either hand and the labels
    can be trusted. ``hand``: which hand when there are two (see :class:`HandDetector`; on SILFA
    letters "first" often takes the signer's resting hand)."""
    dets = dataset_detections(ds, min_confidence, hand=hand)
    norm = normalise_landmarks(dets.landmarks, dets.handedness, mirror_left)
    found = dets.found
    samples = [LandmarkSample(norm[i], s.gloss, s.signer, s.id) for i, s in enumerate(ds.samples) if found[i]]
    info = {**ds.info, "images": len(ds), "no_hand": [s.id for i, s in enumerate(ds.samples) if not found[i]],
            "mirror_left": mirror_left, "hand": hand}
    return LandmarkDataset(samples, ds.vocabulary, ds.name, ds.split, info=info)


def hand_crop_view(ds: ImageDataset, min_confidence: float = 0.5, margin: float = 0.3,
                   hand: str = "first") -> ImageDataset:
    """The "28x28 view" crop of an image dataset: every image cropped to the square around its hand
    (centre square when no hand is found). Resizing and grayscale follow the config's ``image_size``
    and ``channels``. ``hand``: which hand when there are two (see :class:`HandDetector`)."""
    dets = dataset_detections(ds, min_confidence, hand=hand)
    boxes = {}
    for i, s in enumerate(ds.samples):
        if dets.found[i]:
            h, w = ds.image(i).shape[:2]
            boxes[s.id] = hand_box(dets.landmarks[i], w, h, margin)
        else:
            boxes[s.id] = None
    out = ds.with_transform(ds.transform)
    out.crop_boxes = boxes
    out.info = {**ds.info, "view": "hand_crop", "hand": hand, "centre_cropped": [k for k, v in boxes.items() if v is None]}
    return out
