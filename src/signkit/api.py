"""The Python API: every operation of the command line, as functions.

    >>> import signkit
    >>> result = signkit.train("configs/fpha/tcn.yaml", ["train.epochs=5"])
    >>> signkit.evaluate(result["checkpoint"], split="test")["top1"]
    >>> signkit.predict(result["checkpoint"], "skeleton.txt", top_k=5)

``signkit.cli`` only parses arguments and calls these; errors are :class:`SignkitError` subclasses
with one-line messages.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from .config import Config, load_config
from .errors import SignkitError

if TYPE_CHECKING:  # imported on first use (below), so that listing models or datasets stays light
    from .inference import Recognizer
    from .keypoints import KeypointSequence

__all__ = ["train", "evaluate", "predict", "predict_files", "spell", "extract", "show", "export", "bench", "prune", "distill",
           "list_models", "list_datasets", "read_keypoints", "read_input", "Recognizer", "load_config", "Config",
           "SignkitError", "list_pretrained", "load_pretrained", "live", "quiet_native_logs", "split_config_args"]


def __getattr__(name: str):
    if name in ("Recognizer", "read_input", "read_keypoints"):
        from . import inference

        return getattr(inference, name)
    if name == "KeypointSequence":
        from .keypoints import KeypointSequence

        return KeypointSequence
    raise AttributeError(f"module 'signkit.api' has no attribute {name!r}")


def _is_recognizer(x) -> bool:
    """A loaded :class:`~signkit.inference.Recognizer` (checked by its interface, so that paths and
    names are told apart without importing torch)."""
    return hasattr(x, "path") and hasattr(x, "predict_proba")


def _checkpoint(checkpoint, out=None, suffix: str | None = None):
    """A checkpoint path (a shipped pretrained name resolves to its file; a loaded
    :class:`~signkit.inference.Recognizer` gives its file) and, for a pretrained name with no ``out``,
    an output in the current folder (never inside the installed package).

    Raises:
        SignkitError: ``checkpoint`` is none of a path, a pretrained name or a Recognizer.
    """
    from .pretrained import PRETRAINED, resolve

    if _is_recognizer(checkpoint):
        return Path(checkpoint.path), out
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise SignkitError(f"expected a checkpoint path, a pretrained name or a Recognizer; found "
                           f"{type(checkpoint).__name__} {str(checkpoint)[:80]!r}")
    path = resolve(checkpoint) if isinstance(checkpoint, str) else Path(checkpoint)
    if out is None and suffix and isinstance(checkpoint, str) and checkpoint in PRETRAINED and not Path(checkpoint).exists():
        out = Path.cwd() / f"{checkpoint}{suffix}"
    return path, out


def list_pretrained() -> dict[str, str]:
    """The pretrained models shipped inside the package, ``{name: description}``; every operation that
    takes a checkpoint takes one of these names (see :mod:`signkit.pretrained`)."""
    from .pretrained import list_pretrained as lp

    return lp()


def load_pretrained(name: str) -> "Recognizer":
    """The :class:`~signkit.inference.Recognizer` of a shipped pretrained model.

    Raises:
        UnknownNameError: not a shipped model (the message lists them)."""
    from .inference import Recognizer
    from .pretrained import pretrained_path

    return Recognizer(pretrained_path(name))


def quiet_native_logs() -> None:
    """Filter MediaPipe's native informational/warning lines out of stderr once perception starts
    (errors still show); the command line calls this unless ``--verbose``. See
    :mod:`signkit.native_logs`."""
    from . import native_logs

    native_logs.enable()


def split_config_args(args: list[str] | None) -> tuple[str | None, list[str]]:
    """``[CONFIG.yaml] [key=value ...]`` -> (config path or None, overrides)."""
    args = list(args or [])
    config = args.pop(0) if args and "=" not in args[0] else None
    return config, args


def train(config: str | Path | Config | None = None, overrides: list[str] | None = None, verbose: bool = True) -> dict | None:
    """Train from a YAML path (None = the built-in main job: ``tcn`` on FPHA) plus ``key=value`` overrides.

    Returns a dict with ``run_dir``, ``checkpoint``, ``metrics`` (top1, top5, mean_class_accuracy, ...),
    or None on non-zero DDP ranks.
    """
    from .training.fit import fit

    cfg = config if isinstance(config, Config) else load_config(config, overrides)
    return fit(cfg, verbose=verbose)


def evaluate(checkpoint: str | Path, split: str = "test", data_root: str | None = None,
             out_dir: str | Path | None = None, overwrite: bool = False, tta: int = 0) -> dict:
    """Evaluate a checkpoint (or exported ONNX file) on ``split`` of its dataset, with ``tta``
    test-time augmented views averaged in; see :meth:`signkit.inference.Recognizer.evaluate`."""
    from .inference import Recognizer

    return Recognizer(_checkpoint(checkpoint)[0]).evaluate(split, data_root, out_dir, overwrite, tta)


def evaluate_ensemble(checkpoints: list[str | Path], split: str = "test", data_root: str | None = None,
                      average: str = "logits") -> dict:
    """Metrics of an ensemble on ``split`` of their dataset, with each member's top-1 under ``members``.
    ``average``: ``"logits"`` (mean of the checkpoints' logits, as a distillation ensemble teacher uses
    them) or ``"probs"`` (mean of their softmax probabilities).

    Raises:
        SignkitError: fewer than 2 checkpoints, or an unknown ``average``. LayoutMismatchError: the
        members differ in dataset, vocabulary or split order (they must label the same samples alike).
    """
    from .inference import Recognizer, evaluate_ensemble as _evaluate_ensemble

    return _evaluate_ensemble([Recognizer(_checkpoint(c)[0]) for c in checkpoints], split, data_root, average)


def predict(checkpoint: str | Path, file: "str | Path | KeypointSequence", top_k: int = 5) -> list[tuple[str, float]]:
    """Top-k (gloss, probability) for one input: a file (keypoints, image or video, read for the
    checkpoint's kind) or a :class:`~signkit.keypoints.KeypointSequence`."""
    from .inference import Recognizer
    from .keypoints import KeypointSequence

    rec = Recognizer(_checkpoint(checkpoint)[0])
    x = file if isinstance(file, KeypointSequence) else rec.read(file)
    return rec.top_k(x, top_k)


def predict_files(checkpoint, inputs: "list[str | Path]", top_k: int = 5, progress: bool = False) -> dict:
    """Top-k (gloss, probability) for every input named by ``inputs``: files, folders (walked for the
    files the checkpoint's kind reads: keypoint files and videos, images, or videos and frame folders)
    and glob patterns. The checkpoint is loaded once. An input that cannot be read is listed in
    ``failed`` with its reason and the rest are still done.

    Returns:
        ``{"predictions": [{"file", "top": [{"gloss", "probability"}, ...]}], "failed": [{"file",
        "reason"}], "seconds"}`` (see :class:`signkit.inference.BatchPrediction`).
    """
    from .inference import Recognizer, predict_files as run

    rec = checkpoint if _is_recognizer(checkpoint) else Recognizer(_checkpoint(checkpoint)[0])
    if not progress:
        return run(rec, list(inputs), top_k).to_dict()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("predict"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("predict", total=None)
        return run(rec, list(inputs), top_k, lambda i, n, _: bar.update(task, completed=i, total=n)).to_dict()


def spell(checkpoint: str | Path, video: str | Path, smooth: float = 0.3, min_letter: float = 0.3,
          min_gap: float = 0.2, min_confidence: float = 0.4):
    """Spell a fingerspelling video with a hand-shape checkpoint; returns a
    :class:`~signkit.spelling.Spelling` (text, letters with start/end seconds and confidence)."""
    from .spelling import DecoderConfig, spell_video

    return spell_video(_checkpoint(checkpoint)[0], video, DecoderConfig(smooth, min_letter, min_gap, min_confidence))


def extract(inputs: list[str | Path], out: str | Path, layout: str = "hands", fmt: str = "pose", workers: int = 1,
            complexity: int = 1, mirrored: bool = False, progress: bool = True) -> dict:
    """MediaPipe keypoints of videos into ``.pose``/``.npz`` files (resumable; failures listed in
    ``failed``); see :func:`signkit.video.extract_batch`."""
    from .video import extract_batch

    return extract_batch(inputs, out, layout, fmt, workers, complexity, mirrored, progress=progress)


def show(file: str | Path, out: str | Path, video: str | Path | None = None, layout: str | None = None,
         overwrite: bool = False) -> Path:
    """Draw a keypoint file over its video (or alone) into a PNG sheet, GIF or MP4; returns the path.
    ``out`` never replaces an input, nor an existing file unless ``overwrite``."""
    from .storage import check_output
    from .inference import read_keypoints
    from .video.overlay import detected_frames, render_frames, save_overlay

    check_output(out, [file] + ([video] if video else []), overwrite)
    seq = read_keypoints(file, layout)
    return save_overlay(render_frames(seq, video), out, fps=seq.fps or 25.0, sheet_frames=detected_frames(seq))


def export(checkpoint: str | Path, out: str | Path | None = None, fmt: str = "onnx", fp16: bool = False,
           sparse: bool = False, int8: bool = False, data_root: str | None = None, overwrite: bool = False) -> dict:
    """Export a checkpoint to ONNX or TorchScript; see :func:`signkit.compact.export_checkpoint`."""
    from .compact import export_checkpoint

    suffix = ("-fp16" if fp16 else "") + ("-sparse" if sparse else "") + ("-int8" if int8 else "")
    checkpoint, out = _checkpoint(checkpoint, out, suffix + (".onnx" if fmt == "onnx" else ".pt"))
    return export_checkpoint(checkpoint, out, fmt, fp16, sparse, int8=int8, data_root=data_root, overwrite=overwrite)


def bench(checkpoint: str | Path, batch: int = 256, repeats: int = 300, threads: int = 1, **kw) -> dict:
    """Batch-1 latency and throughput, PyTorch vs ONNX Runtime; see :func:`signkit.compact.bench.benchmark`."""
    from .compact.bench import benchmark

    return benchmark(_checkpoint(checkpoint)[0], batch, repeats, threads, **kw)


def prune(checkpoint: str | Path, out: str | Path | None = None, *, sparsity: float | None = None,
          threshold: float | None = None, finetune: int = 0, finetune_lr: float | None = None,
          data_root: str | None = None, verbose: bool = True, overwrite: bool = False) -> dict:
    """Magnitude-prune a checkpoint; see :func:`signkit.compact.prune_checkpoint`."""
    from .compact import prune_checkpoint

    checkpoint, out = _checkpoint(checkpoint, out, "-pruned.safetensors")
    return prune_checkpoint(checkpoint, out, sparsity=sparsity, threshold=threshold, finetune=finetune,
                            finetune_lr=finetune_lr, data_root=data_root, verbose=verbose, overwrite=overwrite)


def distill(teacher: str | Path | list, config: str | Path | Config | None = None, overrides: list[str] | None = None,
            temperature: float = 4.0, alpha: float = 0.9, verbose: bool = True, mode: str = "consistent",
            teacher_bf16: bool = False) -> dict | None:
    """Train a student with a teacher's soft targets (one checkpoint or pretrained name, or a list:
    an ensemble, or out-of-fold teachers trained with ``data.folds``/``data.fold``); ``mode``
    ``consistent`` (the teacher sees the student's augmented batch) or ``cached``. See
    :func:`signkit.training.distill.distill`."""
    from .training.distill import distill as run

    teachers = [_checkpoint(t)[0] for t in teacher] if isinstance(teacher, (list, tuple)) else _checkpoint(teacher)[0]
    return run(teachers, config, overrides, temperature, alpha, verbose, mode, teacher_bf16)


def live(checkpoint: str | Path = "asl_fingerspelling", source: str | int = 0, *, realtime: bool = False,
         overlay: str | Path | None = None, overwrite: bool = False, show: bool = False, on_event=None,
         **options):
    """Recognise a live source (webcam index, URL or video file) as it plays; see
    :func:`signkit.live.run_live`. ``checkpoint``: a path, a pretrained name, or a loaded
    :class:`~signkit.inference.Recognizer` (run as it is). ``options`` are :class:`signkit.live.LiveOptions`
    fields. With no checkpoint the shipped fingerspelling model is used. Returns a
    :class:`signkit.live.LiveResult`."""
    from .live import LiveOptions, run_live

    fields = set(LiveOptions.__dataclass_fields__)
    bad = sorted(set(options) - fields)
    if bad:
        raise SignkitError(f"unknown live option(s) {bad}; expected some of {sorted(fields)}")
    rec = checkpoint if _is_recognizer(checkpoint) else _checkpoint(checkpoint)[0]  # a Recognizer runs as is
    return run_live(rec, source, LiveOptions(realtime=realtime, **options), on_event=on_event,
                    overlay=overlay, overwrite=overwrite, show=show)


def list_models(kind: str | None = None) -> dict[str, str]:
    """Registered model names and descriptions (of one input ``kind`` when given). Until the model
    registry is imported (which imports torch), the built-in :mod:`signkit.catalog` answers."""
    import sys

    if "signkit.models.registry" in sys.modules:
        from .models import list_models as lm

        return lm(kind)
    from .catalog import MODELS

    return {k: d for k, (kd, d) in sorted(MODELS.items()) if kind is None or kd == kind}


def list_datasets() -> dict[str, str]:
    """Registered dataset names and descriptions (the built-in :mod:`signkit.catalog` until the dataset
    registry is imported)."""
    import sys

    if "signkit.data.registry" in sys.modules:
        from .data import list_datasets as ld

        return ld()
    from .catalog import DATASETS

    return dict(DATASETS)


def read_checkpoint_meta(path: str | Path) -> dict:
    """A checkpoint's metadata (model, input, vocabulary, config, metrics)."""
    from .checkpoint import read_checkpoint_meta as r

    return r(_checkpoint(path)[0])
