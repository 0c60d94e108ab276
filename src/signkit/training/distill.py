"""Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network").

The student minimises ``alpha * T^2 * KL(softmax(z_t / T) || softmax(z_s / T)) + (1 - alpha) * CE(z_s, y)``.
The teacher's logits ``z_t`` are computed once, on the un-augmented training split, and looked up by
sample id in every step (the teacher never runs inside the training loop). Any registered teacher/student pair works
(keypoint, image or video models) as long as both use the same dataset, vocabulary and layout.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.nn import functional as F

from ..checkpoint import load_checkpoint
from ..config import Config, load_config
from ..errors import LayoutMismatchError, SignkitError
from ..evaluation import predict_logits
from .fit import PreparedData, fit
from .module import SignClassifier


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      temperature: float = 4.0, alpha: float = 0.9) -> torch.Tensor:
    """Hinton et al. 2015: ``alpha * T^2 * KL(p_t^T || p_s^T) + (1 - alpha) * CE(z_s, y)``.

    Args: logits ``(B, K)``, labels ``(B,)``; ``temperature`` T > 0, ``alpha`` in [0, 1].
    """
    kl = F.kl_div(F.log_softmax(student_logits / temperature, -1), F.log_softmax(teacher_logits / temperature, -1),
                  reduction="batchmean", log_target=True)
    return alpha * temperature ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)


class DistillClassifier(SignClassifier):
    """:class:`SignClassifier` whose training loss is :func:`distillation_loss` against cached
    teacher logits ``{sample id: (K,)}``."""

    def __init__(self, model, num_classes: int, teacher_logits: dict[str, torch.Tensor], temperature: float,
                 alpha: float, **kw):
        super().__init__(model, num_classes, **kw)
        self.teacher = teacher_logits
        self.temperature, self.alpha = temperature, alpha

    def training_loss(self, logits: torch.Tensor, batch: dict) -> torch.Tensor:
        zt = torch.stack([self.teacher[i] for i in batch["id"]]).to(logits)
        return distillation_loss(logits, zt, batch["label"], self.temperature, self.alpha)


def teacher_logits_for(teacher: torch.nn.Module, data: PreparedData) -> dict[str, torch.Tensor]:
    """Teacher logits ``{id: (K,)}`` of every sample of the training split (eval transform).

    Raises:
        SignkitError: sample ids are not unique (the cache could not tell samples apart).
    """
    ids = [s.id for s in data.train_full.samples]
    if len(set(ids)) != len(ids):
        raise SignkitError(f"dataset {data.train_full.name!r} has duplicate sample ids; expected unique ids for "
                           f"the teacher-logit cache")
    logits, _ = predict_logits(teacher, data.train_full, data.collate)
    return dict(zip(ids, logits))


def check_pair(teacher_meta: dict, cfg: Config, data: PreparedData) -> None:
    """Raise :class:`LayoutMismatchError` unless teacher and student share dataset, layout and vocabulary."""
    tdata = teacher_meta["config"]["data"]["name"]
    if tdata != cfg.data.name:
        raise LayoutMismatchError(f"teacher was trained on dataset {tdata!r}; the student config uses "
                                  f"{cfg.data.name!r}; expected the same dataset")
    if teacher_meta["layout"] != data.layout:
        raise LayoutMismatchError(f"teacher layout {teacher_meta['layout']!r} differs from the student's "
                                  f"{data.layout!r}; expected the same layout")
    if teacher_meta["vocabulary"] != data.vocabulary:
        raise LayoutMismatchError(f"teacher vocabulary ({len(teacher_meta['vocabulary'])} glosses) differs from "
                                  f"the student's ({len(data.vocabulary)}); expected the same glosses in the same order")


def distill(teacher_checkpoint: str | Path, student_config: str | Path | Config | None = None,
            overrides: list[str] | None = None, temperature: float = 4.0, alpha: float = 0.9,
            verbose: bool = True) -> dict | None:
    """Train the student of ``student_config`` (+ overrides) with the teacher's soft targets; returns
    :func:`signkit.training.fit` 's result, with ``teacher``, ``temperature`` and ``alpha`` in the metrics.

    Raises:
        CheckpointError: the teacher cannot be loaded. LayoutMismatchError: teacher and student differ
        in dataset, layout or vocabulary. SignkitError: ``temperature`` <= 0 or ``alpha`` outside [0, 1].
    """
    if temperature <= 0:
        raise SignkitError(f"temperature must be > 0; found {temperature}")
    if not 0 <= alpha <= 1:
        raise SignkitError(f"alpha must be in [0, 1]; found {alpha}")
    teacher, tmeta = load_checkpoint(teacher_checkpoint)
    cfg = student_config if isinstance(student_config, Config) else load_config(student_config, overrides)
    t = cfg.train

    def module_fn(model, data: PreparedData):
        check_pair(tmeta, cfg, data)
        cache = teacher_logits_for(teacher, data)
        return DistillClassifier(model, len(data.vocabulary), cache, temperature, alpha, optimizer=t.optimizer,
                                 lr=t.lr, weight_decay=t.weight_decay, schedule=t.schedule, epochs=t.epochs,
                                 label_smoothing=t.label_smoothing)

    return fit(cfg, verbose, module_fn=module_fn,
               extra_metrics={"teacher": str(teacher_checkpoint), "temperature": temperature, "alpha": alpha})
