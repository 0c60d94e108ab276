"""The Python API: the same operations as the CLI.

    >>> import signkit
    >>> result = signkit.train("configs/fpha/tcn.yaml", ["train.epochs=5"])
    >>> signkit.evaluate(result["checkpoint"], split="test")["top1"]
    >>> signkit.predict(result["checkpoint"], "skeleton.txt", top_k=5)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch

from .checkpoint import load_checkpoint
from .config import Config, load_config
from .data import load_dataset, read_skeleton_txt
from .errors import KeypointFileError, LayoutMismatchError
from .evaluation import classification_metrics, write_report
from .keypoints import KeypointSequence, build_transforms, get_layout, pad_batch
from .training.fit import fit, predict_logits


def train(config: str | Path | Config | None = None, overrides: list[str] | None = None, verbose: bool = True) -> dict | None:
    """Train from a YAML path (None = the built-in main job: ``tcn`` on FPHA) plus ``key=value`` overrides.

    Returns a dict with ``run_dir``, ``checkpoint``, ``metrics`` (top1, top5, mean_class_accuracy, ...),
    or None on non-zero DDP ranks.
    """
    cfg = config if isinstance(config, Config) else load_config(config, overrides)
    return fit(cfg, verbose=verbose)


def read_keypoints(path: str | Path, layout: str | None = None) -> KeypointSequence:
    """Read keypoints from a file: FPHA ``skeleton.txt``, ``.npz``, pose-format ``.pose``, Google
    ISLR ``.parquet``, or a video (``.mp4``...; MediaPipe extraction for ``layout``: mp_hands42,
    mp_pose33 or sign_body57).

    Raises:
        KeypointFileError: unknown extension, empty or malformed file. VideoError: unreadable video.
    """
    from .keypoints.formats import pose_to_sequence, read_islr_parquet, read_pose
    from .video import EXTRACTOR_OF, VIDEO_EXTENSIONS

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".txt":
        return read_skeleton_txt(p)
    if suffix == ".npz":
        return KeypointSequence.load_npz(p, layout)
    if suffix == ".pose":
        return pose_to_sequence(read_pose(p), layout, path=str(p))
    if suffix == ".parquet":
        return read_islr_parquet(p, layout or "sign_body57")
    if suffix in VIDEO_EXTENSIONS:
        from .video import extract_pose

        layout = layout or "mp_hands42"
        if layout not in EXTRACTOR_OF:
            raise LayoutMismatchError(f"cannot extract layout {layout!r} from video; expected one of {sorted(EXTRACTOR_OF)}")
        return pose_to_sequence(extract_pose(p, EXTRACTOR_OF[layout]), layout, path=str(p))
    raise KeypointFileError(f"{p}: unsupported keypoint file type {p.suffix!r}; expected skeleton.txt, .npz, .pose, "
                            f".parquet or a video ({', '.join(VIDEO_EXTENSIONS)})")


class Recognizer:
    """A trained recogniser loaded from a signkit checkpoint (``.safetensors``) or an ONNX file made by
    ``signkit export`` (run by ONNX Runtime); scikit-learn style ``predict``/``predict_proba``."""

    def __init__(self, checkpoint: str | Path):
        self.path = Path(checkpoint)
        if self.path.suffix.lower() == ".onnx":
            from .compact.export import OnnxModel

            self.model = OnnxModel(self.path)
            self.meta = self.model.meta
        else:
            self.model, self.meta = load_checkpoint(self.path)
        self.vocabulary: list[str] = self.meta["vocabulary"]
        self.is_image = str(self.meta["layout"]).startswith("image:")
        self.is_clip = str(self.meta["layout"]).startswith("clip:")
        self.is_landmarks = str(self.meta["layout"]).startswith("landmarks:")
        self.data_options = dict(self.meta.get("config", {}).get("data", {}).get("options") or {})
        self.hand: str = self.data_options.get("hand", "first")  # MediaPipe hand selection used in training
        if self.is_clip or self.is_landmarks:
            self.layout = None
            self.transform = None
        elif self.is_image:
            from .data.image_transforms import image_transform_from

            self.layout = None
            self.transform = image_transform_from(self.meta["preprocessing"], train=False)
        else:
            self.layout = get_layout(self.meta["layout"])
            self.transform = build_transforms(self.meta["preprocessing"], train=False)

    def _check(self, seq: KeypointSequence) -> None:
        if self.is_image or self.is_landmarks:
            raise LayoutMismatchError(f"checkpoint {self.path.name} is an image model ({self.meta['layout']}); "
                                      f"found keypoints of layout {seq.layout.name!r}; expected an image")
        if seq.layout.name != self.layout.name:
            raise LayoutMismatchError(
                f"checkpoint {self.path.name} expects layout {self.layout.name!r} "
                f"({self.layout.num_joints} joints x {self.layout.dims}); the input has layout "
                f"{seq.layout.name!r} ({seq.layout.num_joints} joints x {seq.layout.dims})")

    @torch.no_grad()
    def predict_proba(self, seqs: list[KeypointSequence]) -> np.ndarray:
        """Class probabilities ``(N, K)`` for a list of raw (unpreprocessed) sequences."""
        for s in seqs:
            self._check(s)
        x, mask = pad_batch([self.transform(s) for s in seqs])
        return torch.softmax(self.model(x, mask), -1).numpy()

    @torch.no_grad()
    def predict_image_proba(self, images: list[np.ndarray]) -> np.ndarray:
        """Class probabilities ``(N, K)`` for ``(H, W[, 3])`` uint8 images (image and landmark
        checkpoints; MediaPipe Hands runs first when the checkpoint was trained on a hand view).

        Raises:
            LayoutMismatchError: a keypoint or clip checkpoint.
            NoHandError: a landmark checkpoint and an image where no hand is found.
        """
        if not (self.is_image or self.is_landmarks):
            raise LayoutMismatchError(f"checkpoint {self.path.name} expects {self.meta['layout']!r} input; "
                                      f"found an image")
        dets = None
        if self.is_landmarks or self.data_options.get("view") == "hand_crop":
            from .data.hand_landmarks import HandDetector, NoHandError

            with HandDetector(hand=self.hand) as det:
                dets = [det.detect(im) for im in images]
            if self.is_landmarks and any(d is None for d in dets):
                i = next(i for i, d in enumerate(dets) if d is None)
                raise NoHandError(f"no hand found in image {i} ({images[i].shape[1]}x{images[i].shape[0]} pixels); "
                                  f"the landmark classifier {self.path.name} needs a visible hand")
        return self.proba_from_detections(images, dets)

    @torch.no_grad()
    def proba_from_detections(self, images: list[np.ndarray], detections: list | None) -> np.ndarray:
        """Class probabilities ``(N, K)`` for images and their MediaPipe Hands detections
        (:meth:`signkit.data.hand_landmarks.HandDetector.detect` results; None where no hand, which a
        landmark checkpoint cannot take). Image checkpoints trained on the ``hand_crop`` view crop to
        the hand (centre square when None); other image checkpoints ignore the detections."""
        from .data.hand_landmarks import crop_to_hand, hand_box, normalise_landmarks

        if self.is_landmarks:
            lm = np.stack([d[0] for d in detections])
            hands = np.array([d[1] for d in detections])
            x = torch.from_numpy(normalise_landmarks(lm, hands, bool(self.data_options.get("mirror_left", False))))
        else:
            if self.data_options.get("view") == "hand_crop" and detections is not None:
                images = [crop_to_hand(im, hand_box(d[0], im.shape[1], im.shape[0]) if d is not None else None)
                          for im, d in zip(images, detections)]
            x = torch.stack([self.transform(im) for im in images])
        return torch.softmax(self.model(x, None), -1).numpy()

    @torch.no_grad()
    def predict_clip_proba(self, clips: list[str | Path]) -> np.ndarray:
        """Class probabilities ``(N, K)`` for videos or frame folders (pixel-clip checkpoints): the same
        pose-guided crops, streams and frame count as in training.

        Raises:
            LayoutMismatchError: not a pixel-clip checkpoint. VideoError / SignkitError: unreadable clip,
            or fewer frames than one block.
        """
        if not self.is_clip:
            raise LayoutMismatchError(f"checkpoint {self.path.name} (layout {self.meta['layout']!r}) does not take "
                                      f"video pixels; expected a pixel-clip checkpoint")
        from .data.clips import ClipDataset, ClipSample, _streams, clip_collate

        opts = {"streams": "upper+hand", "rgb": False, "size": 64, "num_frames": 32,
                **(self.meta["config"]["data"].get("options") or {})}
        ds = ClipDataset([ClipSample(str(c), self.vocabulary[0], str(c)) for c in clips], self.vocabulary, "clips",
                         "predict", streams=_streams(opts["streams"]), rgb=bool(opts["rgb"]),
                         size=int(opts["size"]), num_frames=int(opts["num_frames"]))
        b = clip_collate([ds[i] for i in range(len(ds))])
        return torch.softmax(self.model(b["x"], b["mask"]), -1).numpy()

    def predict(self, seq: KeypointSequence | np.ndarray, top_k: int = 5) -> list[tuple[str, float]]:
        """The ``top_k`` (gloss, probability) pairs for one sequence (or image), most likely first."""
        p = self.predict_image_proba([seq])[0] if isinstance(seq, np.ndarray) else self.predict_proba([seq])[0]
        order = np.argsort(-p)[: max(1, top_k)]
        return [(self.vocabulary[i], float(p[i])) for i in order]

    def evaluate(self, split: str = "test", data_root: str | None = None, out_dir: str | Path | None = None) -> dict:
        """Metrics of the checkpoint on a split of its own dataset (same preprocessing as training)."""
        d = self.meta["config"]["data"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = load_dataset(d["name"], split, data_root or d.get("root"), **(d.get("options") or {}))
        from .training.fit import pipeline

        layout_name, _, _, collate_fn = pipeline(ds, self.meta["preprocessing"])
        if layout_name != self.meta["layout"]:
            raise LayoutMismatchError(f"dataset layout {layout_name!r} differs from checkpoint layout "
                                      f"{self.meta['layout']!r}")
        if ds.vocabulary != self.vocabulary:
            raise LayoutMismatchError(f"dataset {d['name']!r} vocabulary ({len(ds.vocabulary)} glosses) differs "
                                      f"from the checkpoint's ({len(self.vocabulary)})")
        logits, labels = predict_logits(self.model, ds.with_transform(self.transform), collate_fn=collate_fn)
        metrics = classification_metrics(logits, labels, self.vocabulary)
        metrics.update(dataset=d["name"], split=split)
        if out_dir is not None:
            write_report(metrics, self.vocabulary, out_dir, split)
        return metrics


def evaluate(checkpoint: str | Path, split: str = "test", data_root: str | None = None,
             out_dir: str | Path | None = None) -> dict:
    """Evaluate a checkpoint on ``split`` of its dataset; see :meth:`Recognizer.evaluate`."""
    return Recognizer(checkpoint).evaluate(split, data_root, out_dir)


def predict(checkpoint: str | Path, file: str | Path | KeypointSequence, top_k: int = 5) -> list[tuple[str, float]]:
    """Top-k (gloss, probability) for one keypoint file or sequence."""
    rec = Recognizer(checkpoint)
    from .data.images import IMAGE_EXTENSIONS, load_image

    if rec.is_clip and not isinstance(file, KeypointSequence):
        p = rec.predict_clip_proba([file])[0]
        order = np.argsort(-p)[: max(1, top_k)]
        return [(rec.vocabulary[i], float(p[i])) for i in order]
    if isinstance(file, KeypointSequence):
        seq = file
    elif Path(file).suffix.lower() in IMAGE_EXTENSIONS or rec.is_image or rec.is_landmarks:
        seq = load_image(file)
    else:
        # .txt files carry their own layout; everything else is read into the checkpoint's layout
        seq = read_keypoints(file, None if Path(file).suffix == ".txt" else rec.layout.name)
    if isinstance(seq, KeypointSequence) and (rec.is_image or rec.is_landmarks):
        rec._check(seq)
    return rec.predict(seq, top_k)
