"""Recognisers: a trained model with its preprocessing, behind one scikit-learn style interface
(``classes_``, ``predict_proba``, ``predict``), one class per input kind.

``Recognizer(path)`` loads a signkit checkpoint (``.safetensors``) or an ONNX file made by
``signkit export`` (run by ONNX Runtime) and returns the recogniser of its kind:

- :class:`KeypointRecognizer`: keypoint sequences (files of any keypoint format, or videos, whose
  keypoints are extracted with the checkpoint's layout);
- :class:`ImageRecognizer`: hand-shape images (``hand_crop`` checkpoints crop to the hand first);
- :class:`LandmarkRecognizer`: images whose hand landmarks MediaPipe Hands finds;
- :class:`ClipRecognizer`: videos or frame folders, as pose-guided pixel clips.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from ..checkpoint import input_spec, load_checkpoint
from ..errors import LayoutMismatchError, SignkitError
from ..evaluation import AVERAGES, classification_metrics, ensemble_scores, predict_logits, write_report
from ..kinds import InputKind, InputSpec, data_options, get_kind, open_config_dataset
from ..paths import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from ..pretrained import resolve
from .readers import KEYPOINT_EXTENSIONS, read_input


def _load(path: Path) -> tuple[object, dict]:
    if path.suffix.lower() == ".onnx":
        from ..compact.export import OnnxModel

        model = OnnxModel(path)
        return model, model.meta
    return load_checkpoint(path)


def _as_list(inputs) -> list:
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


class Recognizer:
    """A trained recogniser (see the module docstring). ``Recognizer(path)`` returns the subclass of
    the checkpoint's input kind.

    Attributes: ``classes_`` (array of glosses, the columns of :meth:`predict_proba`), ``vocabulary``
    (the same as a list), ``meta`` (checkpoint metadata), ``spec`` (:class:`~signkit.kinds.InputSpec`),
    ``kind`` (:class:`~signkit.kinds.InputKind`), ``model`` (a torch module in eval mode, or an ONNX
    Runtime model with the same call signature).

    Raises:
        CheckpointError: the file is not a signkit checkpoint or exported ONNX file.
    """

    kind_name = ""

    def __new__(cls, checkpoint: str | Path, *args, **kwargs):
        if cls is not Recognizer:
            return super().__new__(cls)
        path = resolve(checkpoint)
        model, meta = _load(path)
        sub = _RECOGNIZERS[input_spec(meta).kind]
        obj = super().__new__(sub)
        obj._preloaded = (model, meta)
        return obj

    def __init__(self, checkpoint: str | Path):
        self.path = resolve(checkpoint)
        pre = getattr(self, "_preloaded", None)
        self.model, self.meta = pre if pre is not None else _load(self.path)
        self._preloaded = None
        self.spec: InputSpec = input_spec(self.meta)
        if self.kind_name and self.spec.kind != self.kind_name:
            raise LayoutMismatchError(f"{self.path.name} is a {self.spec.kind} checkpoint; {type(self).__name__} "
                                      f"takes {self.kind_name} checkpoints")
        self.kind: InputKind = get_kind(self.spec.kind)
        self.vocabulary: list[str] = list(self.meta["vocabulary"])
        self.classes_ = np.array(self.vocabulary, dtype=object)
        # the deterministic preprocessing of one dataset item (as in evaluation)
        self.transform = self.kind.transforms(self.meta["preprocessing"], None)

    # --- the scikit-learn interface ------------------------------------------------------------
    @torch.no_grad()
    def predict_proba(self, inputs) -> np.ndarray:
        """Class probabilities ``(N, K)`` of a list of raw inputs of this recogniser's kind (see the
        subclass); one input (not in a list) gives ``(1, K)``."""
        b = self.kind.preprocess(_as_list(inputs), self.meta)
        return self._proba(b)

    def predict(self, inputs) -> list[str] | str:
        """The most likely gloss of each input of a list (one input, not in a list: its gloss)."""
        p = self.predict_proba(inputs)
        glosses = [self.vocabulary[i] for i in p.argmax(1)]
        return glosses if isinstance(inputs, (list, tuple)) else glosses[0]

    @property
    def runtime(self) -> str:
        """``torch`` or ``onnxruntime``: what runs the model."""
        return "torch" if isinstance(self.model, torch.nn.Module) else "onnxruntime"

    def with_onnx_runtime(self, threads: int = 1) -> "Recognizer":
        """A copy of this recogniser whose model runs in ONNX Runtime (exported in memory; same
        logits to float rounding). Batch-1 calls, as a live stream makes them, cost less there: on a
        2-core VM the landmark MLP's forward pass right after a MediaPipe frame takes 0.37 ms p50
        against 0.79 ms in torch (``docs/cold_calls.md``). An ONNX recogniser is returned as it is.

        Raises:
            SignkitError: the model cannot be exported to ONNX.
        """
        if self.runtime != "torch":
            return self
        from ..compact.export import OnnxModel

        other = object.__new__(type(self))  # a shallow copy (Recognizer.__new__ would load the file again)
        other.__dict__.update(self.__dict__)
        other.model = OnnxModel.from_model(self.model, self.meta, threads=threads)
        return other

    def top_k(self, x, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most likely ``(gloss, probability)`` pairs of one raw input, most likely first."""
        p = self.predict_proba([x])[0]
        order = np.argsort(-p, kind="stable")[: max(1, k)]
        return [(self.vocabulary[i], float(p[i])) for i in order]

    def read(self, path: str | Path):
        """One raw input of this recogniser's kind from a file (see :func:`~signkit.inference.read_input`)."""
        return read_input(path)

    def is_input(self, path: Path) -> bool:
        """Whether ``path``, met while walking a folder, is one input of this recogniser's kind (see
        :func:`~signkit.inference.predict_files`); the subclasses say which."""
        return False

    def predict_file(self, path: str | Path, k: int = 5) -> list[tuple[str, float]]:
        """:meth:`top_k` of the input in ``path``."""
        return self.top_k(self.read(path), k)

    def _proba(self, batch: dict) -> np.ndarray:
        """Softmax of the model's logits; raises SignkitError when a logit is not finite."""
        logits = self.model(batch["x"], batch.get("mask")).float()
        if not torch.isfinite(logits).all():
            raise SignkitError(f"{self.path.name}: the model's output is not finite (NaN or infinity); expected "
                               f"finite logits (the input may hold extreme values)")
        return torch.softmax(logits, -1).numpy()

    # --- evaluation on the checkpoint's own dataset -------------------------------------------
    def evaluate(self, split: str = "test", data_root: str | None = None, out_dir: str | Path | None = None,
                 overwrite: bool = False, tta: int = 0) -> dict:
        """Metrics of the checkpoint on a split of its own dataset (same preprocessing as training);
        with ``out_dir``, the report files too (checked before the evaluation: existing ones are kept
        unless ``overwrite``); ``tta`` augmented views averaged in, see :meth:`split_logits`.

        Raises:
            LayoutMismatchError: the dataset now gives another input or vocabulary than the checkpoint's.
            OutputExistsError: a report file exists and ``overwrite`` is False.
        """
        from ..evaluation import report_paths
        from ..storage import check_output

        if out_dir is not None:
            for f in report_paths(out_dir, split).values():
                check_output(f, [self.path], overwrite)
        logits, labels = self.split_logits(split, data_root, tta)
        metrics = classification_metrics(logits, labels, self.vocabulary)
        metrics.update(dataset=self.meta["config"]["data"]["name"], split=split, tta=int(tta))
        if out_dir is not None:
            write_report(metrics, self.vocabulary, out_dir, split)
        return metrics

    def split_logits(self, split: str = "test", data_root: str | None = None,
                     tta: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``(N, K)`` and labels ``(N,)`` of every sample of a split of the checkpoint's own
        dataset, in the dataset's order (same preprocessing as training).

        With ``tta`` = n > 0 (test-time augmentation), the logits are the mean over the deterministic
        view and n views augmented as in training (the checkpoint's ``data.augment``), view ``v`` drawn
        with seed ``v``, so the result is repeatable; costs n + 1 forward passes per sample.

        Raises:
            LayoutMismatchError: the dataset now gives another input or vocabulary than the checkpoint's.
            SignkitError: ``tta`` is negative or above 64, or ``tta`` > 0 and the checkpoint was trained
            without augmentation.
        """
        n = int(tta)
        if not 0 <= n <= 64:
            raise SignkitError(f"tta is the number of augmented views, 0..64; found {tta}")
        from ..config import config_from_dict

        cfg = config_from_dict(self.meta["config"])
        augment = self.kind.augment(cfg.data) if n else {}
        if n and not any(augment.values()):
            raise SignkitError(f"{self.path.name} was trained without augmentation (its config's data.augment "
                               f"is empty); test-time augmentation draws views from it: expected tta=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = open_config_dataset(cfg, split, data_root)
        spec = get_kind(ds.kind).spec(ds, cfg.data)
        if spec.name != self.spec.name:
            raise LayoutMismatchError(f"dataset input {spec.name!r} differs from the checkpoint's {self.spec.name!r}")
        if ds.vocabulary != self.vocabulary:
            raise LayoutMismatchError(f"dataset {cfg.data.name!r} vocabulary ({len(ds.vocabulary)} glosses) differs "
                                      f"from the checkpoint's ({len(self.vocabulary)})")
        tf = self.kind.transforms(self.meta["preprocessing"], None)
        logits, labels = predict_logits(self.model, ds.with_transform(tf), self.kind.collate)
        if n:
            atf = self.kind.transforms(self.meta["preprocessing"], augment)
            total = logits.clone()
            for v in range(n):
                view = ds.with_transform(atf)
                view.seed = v
                total += predict_logits(self.model, view, self.kind.collate)[0]
            logits = total / (n + 1)
        return logits, labels


def evaluate_ensemble(recognizers: list[Recognizer], split: str = "test", data_root: str | None = None,
                      average: str = "logits") -> dict:
    """Metrics of an ensemble on ``split`` of their dataset, with each member's top-1 under ``members``.
    ``average``: ``"logits"`` (the mean of the members' logits, as a distillation ensemble teacher uses
    them) or ``"probs"`` (the mean of their softmax probabilities); see
    :func:`signkit.evaluation.ensemble_scores`.

    Raises:
        SignkitError: fewer than 2 members, or an unknown ``average``. LayoutMismatchError: the members
        differ in dataset, vocabulary or split order (they must label the same samples alike).
    """
    if len(recognizers) < 2:
        raise SignkitError(f"an ensemble needs at least 2 checkpoints; found {len(recognizers)}")
    if average not in AVERAGES:
        raise SignkitError(f"unknown ensemble average {average!r}; expected one of {AVERAGES}")
    first = recognizers[0]
    dataset = first.meta["config"]["data"]["name"]
    for r in recognizers[1:]:
        if r.meta["config"]["data"]["name"] != dataset or r.vocabulary != first.vocabulary:
            raise LayoutMismatchError(f"{r.path.name}: dataset or vocabulary differs from {first.path.name}'s; "
                                      f"expected ensemble members of one dataset and vocabulary")
    outs = [r.split_logits(split, data_root) for r in recognizers]
    labels = outs[0][1]
    if any(not torch.equal(lab, labels) for _, lab in outs[1:]):
        raise LayoutMismatchError("the members' splits hold other samples or another order; expected the same split")
    members = [float(classification_metrics(lg, labels, first.vocabulary)["top1"]) for lg, _ in outs]
    metrics = classification_metrics(ensemble_scores(torch.stack([lg for lg, _ in outs]), average), labels,
                                     first.vocabulary)
    metrics.update(dataset=dataset, split=split, members=members, average=average)
    return metrics


class KeypointRecognizer(Recognizer):
    """Raw inputs: :class:`~signkit.keypoints.KeypointSequence` of the checkpoint's layout (any length;
    resampled and normalised as in training). Files: keypoint files are read into the layout (FPHA
    ``skeleton.txt`` carries its own), videos are extracted with MediaPipe for it."""

    kind_name = "keypoints"

    def read(self, path):
        from .readers import read_keypoints

        p = Path(path)
        return read_keypoints(p, None if p.suffix.lower() == ".txt" else self.spec.layout)

    def is_input(self, path: Path) -> bool:
        """``.npz``, ``.pose``, ``.parquet``, FPHA ``skeleton.txt``, videos, and folders of OpenPose JSON."""
        from ..keypoints.formats import is_openpose_folder

        if path.is_dir():
            return is_openpose_folder(path)
        s = path.suffix.lower()
        if s == ".txt":
            return path.name.lower() == "skeleton.txt"
        return s in KEYPOINT_EXTENSIONS or s in VIDEO_EXTENSIONS


class ImageRecognizer(Recognizer):
    """Raw inputs: images ``(H, W[, 3])`` uint8. A checkpoint trained on the ``hand_crop`` view finds
    the hand with MediaPipe Hands and crops to it (centre square when none is found)."""

    kind_name = "image"

    def read(self, path):
        from ..data.images import load_image

        return load_image(path)

    def is_input(self, path: Path) -> bool:
        """Image files (``.jpg``, ``.png``, ...; a dangling link with such a name too, to be reported)."""
        return path.suffix.lower() in IMAGE_EXTENSIONS and not path.is_dir()

    @property
    def hand(self) -> str:
        """The MediaPipe hand selection the checkpoint was trained with (``first`` or ``highest``)."""
        return str(data_options(self.meta).get("hand", "first"))

    @torch.no_grad()
    def proba_from_detections(self, images: list[np.ndarray], detections: list | None) -> np.ndarray:
        """Class probabilities ``(N, K)`` of images and their MediaPipe Hands detections
        (:meth:`signkit.video.hands.HandDetector.detect` results, None where no hand), e.g. frames of a
        video whose hands were already found."""
        return self._proba(self.kind.from_detections(images, detections, self.meta))


class LandmarkRecognizer(ImageRecognizer):
    """Raw inputs: images ``(H, W[, 3])`` uint8; MediaPipe Hands' landmarks of the hand are classified.

    Raises (predict): NoHandError when no hand is found in an image."""

    kind_name = "landmarks"


class ClipRecognizer(Recognizer):
    """Raw inputs: paths of videos or frame folders, cropped as in training (same streams, size and
    ``num_frames``)."""

    kind_name = "clip"

    def read(self, path):
        return read_input(path)

    def is_input(self, path: Path) -> bool:
        """Video files, and folders that hold frames (images) themselves."""
        if path.is_dir():
            try:
                return any(f.suffix.lower() in IMAGE_EXTENSIONS and f.is_file() for f in path.iterdir())
            except OSError:  # unreadable: walked, and reported there
                return False
        return path.suffix.lower() in VIDEO_EXTENSIONS


_RECOGNIZERS = {"keypoints": KeypointRecognizer, "image": ImageRecognizer, "landmarks": LandmarkRecognizer,
                "clip": ClipRecognizer}


def load_recognizer(checkpoint: str | Path) -> Recognizer:
    """The recogniser of a checkpoint or exported ONNX file (the same as ``Recognizer(checkpoint)``)."""
    return Recognizer(checkpoint)
