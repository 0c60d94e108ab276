"""Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network").

The student minimises ``alpha * T^2 * KL(softmax(z_t / T) || softmax(z_s / T)) + (1 - alpha) * CE(z_s, y)``.

Two ways to get the teacher's logits ``z_t``:

- ``consistent`` (the default): the teacher, in eval mode and without gradients (optionally in
  bfloat16), runs inside each training step on **the same augmented batch** the student sees, mixup
  included: *function matching*, as Beyer et al. (CVPR 2022, "Knowledge distillation: A good
  teacher is patient and consistent") show distillation needs. Several teacher checkpoints form an
  ensemble (the mean of their logits).
- ``cached``: logits computed once on the un-augmented training split and looked up by sample id.
  Cheaper, but **inconsistent under augmentation**: the student's input is an augmented view the
  targets were not computed on. Kept as an option for comparison (``docs/distillation_*.md``).

**Out-of-fold teachers** (cross-fitting): a teacher trained on a few hundred samples memorises them
(on FPHA the ``tcn`` teacher is 99.7 % right on its own training samples, so its targets there are
little more than smoothed labels; ``docs/distillation_teacher_views_fpha.md``). Teachers trained
with ``data.folds=K data.fold=k`` (k = 0..K-1) each leave one per-class fold of the training split
out; given all K as the teacher, each training sample is taught only by the teacher(s) that never
saw it, in either mode. Under mixup the mix's partner may have been seen by that teacher.

Any registered teacher/student pair works (keypoint, image, landmark or clip models) when they share
the dataset and vocabulary, and the teacher's input can be given from the student's batch: the same
input spec (kind, layout, channels, size, frames) and keypoint preprocessing; otherwise a clear error.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.nn import functional as F

from ..checkpoint import load_checkpoint
from ..config import Config, load_config
from ..data import kfold_assignment
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


def soft_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``T^2 * KL(softmax(z_t / T) || softmax(z_s / T))``, batch mean; logits ``(B, K)``."""
    return temperature ** 2 * F.kl_div(F.log_softmax(student_logits / temperature, -1),
                                       F.log_softmax(teacher_logits / temperature, -1), reduction="batchmean",
                                       log_target=True)


class DistillClassifier(SignClassifier):
    """:class:`SignClassifier` whose training loss is ``alpha * soft + (1 - alpha) * hard``.

    ``teachers``: a list of teacher models (consistent mode: run on the student's augmented batch,
    eval mode, no gradient, ``teacher_bf16`` for bfloat16 autocast; their logits are averaged), or a
    dict ``{sample id: (K,)}`` of cached logits (cached mode). ``route`` (consistent mode, out-of-fold
    teachers): ``{sample id: [teacher indices]}``, the teachers whose logits are averaged for that
    sample. Teachers are kept outside the module's parameters (never trained, never saved with the
    student).
    """

    def __init__(self, model, num_classes: int, teachers, temperature: float, alpha: float,
                 teacher_bf16: bool = False, route: dict[str, list[int]] | None = None, **kw):
        super().__init__(model, num_classes, **kw)
        self.cached = teachers if isinstance(teachers, dict) else None
        self._teachers = [] if self.cached is not None else list(teachers)
        for t in self._teachers:
            t.eval().requires_grad_(False)
        self.route = route
        self.temperature, self.alpha, self.teacher_bf16 = temperature, alpha, teacher_bf16

    def on_fit_start(self) -> None:
        for t in self._teachers:  # teachers are not submodules: move them with the student
            t.to(self.device).eval()

    def teacher_logits(self, view: dict) -> torch.Tensor:
        """The teacher's logits ``(B, K)`` for the batch the student trains on."""
        if self.cached is not None:
            zt = torch.stack([self.cached[i] for i in view["id"]]).to(self.device)
            if "lam" in view:  # cached targets of the two mixed samples, mixed alike (still not the mix's own)
                zt = view["lam"] * zt + (1 - view["lam"]) * zt[view["perm"]]
            return zt
        x, mask = view["x"], view.get("mask")
        with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.teacher_bf16):
            if self.route is None:
                return torch.stack([t(x, mask).float() for t in self._teachers]).mean(0)
            total, count = None, torch.zeros(len(x), 1, device=x.device)
            for j, t in enumerate(self._teachers):  # each teacher runs only on the samples it never saw
                rows = [i for i, sid in enumerate(view["id"]) if j in self.route[sid]]
                if not rows:
                    continue
                r = torch.as_tensor(rows, device=x.device)
                z = t(x[r], mask[r] if mask is not None else None).float()
                total = torch.zeros(len(x), z.shape[1], device=x.device) if total is None else total
                total[r] += z
                count[r] += 1
        return total / count

    def training_loss(self, logits: torch.Tensor, view: dict) -> torch.Tensor:
        zt = self.teacher_logits(view).to(logits)
        return self.alpha * soft_loss(logits, zt, self.temperature) + (1 - self.alpha) * self.hard_loss(logits, view)


def _unique_ids(data: PreparedData) -> list[str]:
    ids = [s.id for s in data.train_full.samples]
    if len(set(ids)) != len(ids):
        raise SignkitError(f"dataset {data.train_full.name!r} has duplicate sample ids; expected unique ids to "
                           f"match teacher logits to samples")
    return ids


def teacher_logits_for(teacher: torch.nn.Module, data: PreparedData,
                       route: dict[str, list[int]] | None = None, index: int = 0) -> dict[str, torch.Tensor]:
    """Teacher logits ``{id: (K,)}`` of every sample of the training split (eval transform); with
    ``route`` only the samples routed to teacher ``index``.

    Raises:
        SignkitError: sample ids are not unique (the cache could not tell samples apart).
    """
    ids = _unique_ids(data)
    logits, _ = predict_logits(teacher, data.train_full, data.collate)
    return {i: z for i, z in zip(ids, logits) if route is None or index in route[i]}


def teacher_folds(meta: dict) -> int:
    """The ``data.folds`` a checkpoint was trained with (0: an ordinary, whole-split teacher)."""
    return int(meta["config"]["data"].get("folds", 0) or 0)


def out_of_fold_route(metas: list[dict], data: PreparedData, names: list[str]) -> dict[str, list[int]] | None:
    """``{sample id: [teacher indices]}``: for teachers trained with ``data.folds=K``, the teachers
    whose left-out fold holds each training sample (:func:`signkit.data.kfold_assignment`, seed 0,
    on the student's training split); None when no teacher was trained out of fold.

    Raises:
        SignkitError: some but not all teachers out of fold, teachers with different K, or a sample
        that no teacher left out (a fold missing from the ensemble).
    """
    folds = [teacher_folds(m) for m in metas]
    if not any(f >= 2 for f in folds):
        return None
    if len(set(folds)) != 1:
        raise SignkitError("out-of-fold teachers must all be trained with the same data.folds; found "
                           + ", ".join(f"{n}: folds={f}" for n, f in zip(names, folds)))
    k = folds[0]
    left_out = [int(m["config"]["data"].get("fold", 0)) for m in metas]
    missing = sorted(set(range(k)) - set(left_out))
    if missing:
        raise SignkitError(f"out-of-fold teachers (data.folds={k}) must leave out every fold so that each "
                           f"training sample has a teacher that never saw it; found folds {sorted(set(left_out))}, "
                           f"missing {missing}")
    fold_of = kfold_assignment(data.train_full.labels, k)
    return {sid: [j for j, f in enumerate(left_out) if f == fold_of[i]] for i, sid in enumerate(_unique_ids(data))}


def check_pair(teacher_meta: dict, cfg: Config, data: PreparedData, consistent: bool = True,
               where: str = "teacher") -> None:
    """Raise :class:`LayoutMismatchError` unless the teacher can teach this student: the same dataset,
    layout and vocabulary; in consistent mode also an input that the student's batch gives as it is
    (the same input spec, and for keypoints the same normalisation)."""
    tdata = teacher_meta["config"]["data"]["name"]
    if tdata != cfg.data.name:
        raise LayoutMismatchError(f"{where} was trained on dataset {tdata!r}; the student config uses "
                                  f"{cfg.data.name!r}; expected the same dataset")
    if teacher_meta["layout"] != data.layout:
        raise LayoutMismatchError(f"{where} layout {teacher_meta['layout']!r} differs from the student's "
                                  f"{data.layout!r}; expected the same layout")
    if teacher_meta["vocabulary"] != data.vocabulary:
        raise LayoutMismatchError(f"{where} vocabulary ({len(teacher_meta['vocabulary'])} glosses) differs from "
                                  f"the student's ({len(data.vocabulary)}); expected the same glosses in the same order")
    if not consistent:
        return
    from ..checkpoint import input_spec

    tspec, sspec = input_spec(teacher_meta).to_dict(), data.spec.to_dict()
    if sspec.get("kind") == "keypoints":  # keypoint models take any number of frames
        tspec.pop("frames", None), sspec.pop("frames", None)
    diff = {k: (tspec.get(k), sspec.get(k)) for k in set(tspec) | set(sspec) if tspec.get(k) != sspec.get(k)}
    tp, sp = teacher_meta["preprocessing"], cfg.data.preprocessing()
    keys = ("normalize", "per_frame", "scale") if sspec.get("kind") == "keypoints" else ("image_size", "channels",
                                                                                       "image_normalize")
    diff.update({f"preprocessing.{k}": (tp.get(k), sp.get(k)) for k in keys if k in tp and tp.get(k) != sp.get(k)})
    if diff:
        raise LayoutMismatchError(f"{where}'s input cannot be derived from the student's batch: "
                                  + "; ".join(f"{k}: teacher {a!r}, student {b!r}" for k, (a, b) in sorted(diff.items()))
                                  + "; expected the same input (or mode='cached')")


MODES = ("consistent", "cached")


def distill(teacher_checkpoint: str | Path | list, student_config: str | Path | Config | None = None,
            overrides: list[str] | None = None, temperature: float = 4.0, alpha: float = 0.9,
            verbose: bool = True, mode: str = "consistent", teacher_bf16: bool = False) -> dict | None:
    """Train the student of ``student_config`` (+ overrides) with the teacher's soft targets; returns
    :func:`signkit.training.fit` 's result, with ``teacher``, ``mode``, ``temperature`` and ``alpha``
    in the metrics. ``teacher_checkpoint``: one checkpoint or a list (an ensemble: the mean of the members'
    logits, in either mode; out-of-fold teachers: see the module docstring). ``mode``: ``consistent`` (teacher on the student's augmented batch) or
    ``cached`` (see the module docstring). Long schedules: ``train.epochs``, ``train.warmup_epochs``,
    ``train.schedule=cosine`` and ``train.mixup`` (function matching) in the overrides.

    Raises:
        CheckpointError: a teacher cannot be loaded. LayoutMismatchError: teacher and student differ
        in dataset, layout or vocabulary, or (consistent) the teacher's input cannot be derived.
        SignkitError: ``temperature`` <= 0, ``alpha`` outside [0, 1], an unknown mode, an empty
        ensemble, or out-of-fold teachers that miss a fold or differ in K.
    """
    if temperature <= 0:
        raise SignkitError(f"temperature must be > 0; found {temperature}")
    if not 0 <= alpha <= 1:
        raise SignkitError(f"alpha must be in [0, 1]; found {alpha}")
    if mode not in MODES:
        raise SignkitError(f"unknown distillation mode {mode!r}; expected one of {MODES}")
    paths = list(teacher_checkpoint) if isinstance(teacher_checkpoint, (list, tuple)) else [teacher_checkpoint]
    if not paths:
        raise SignkitError("distill needs at least one teacher checkpoint; found none")
    teachers = [load_checkpoint(p) for p in paths]
    folds = [teacher_folds(meta) for _, meta in teachers]
    cfg = student_config if isinstance(student_config, Config) else load_config(student_config, overrides)
    t = cfg.train

    def module_fn(model, data: PreparedData):
        for p, (_, meta) in zip(paths, teachers):
            check_pair(meta, cfg, data, mode == "consistent", where=f"teacher {Path(p).name}")
        route = out_of_fold_route([m for _, m in teachers], data, [Path(p).name for p in paths])
        if mode == "cached":
            source = {}
            for j, (m, _) in enumerate(teachers):
                for sid, z in teacher_logits_for(m, data, route, j).items():
                    source.setdefault(sid, []).append(z)
            source = {sid: torch.stack(zs).mean(0) for sid, zs in source.items()}
        else:
            source = [m for m, _ in teachers]
        return DistillClassifier(model, len(data.vocabulary), source, temperature, alpha, teacher_bf16=teacher_bf16,
                                 route=route if mode == "consistent" else None,
                                 optimizer=t.optimizer, lr=t.lr, weight_decay=t.weight_decay, schedule=t.schedule,
                                 epochs=t.epochs, label_smoothing=t.label_smoothing, warmup_epochs=t.warmup_epochs,
                                 mixup=t.mixup, ema=t.ema)

    teacher_str = str(paths[0]) if len(paths) == 1 else [str(p) for p in paths]
    extra = {"teacher": teacher_str, "mode": mode, "temperature": temperature, "alpha": alpha}
    if any(f >= 2 for f in folds):
        extra["teacher_routing"] = f"out_of_fold (K={folds[0]})"
    return fit(cfg, verbose, module_fn=module_fn, extra_metrics=extra)
