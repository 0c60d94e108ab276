"""The LightningModule: a registered model, cross-entropy, Adam/AdamW and an optional schedule."""

from __future__ import annotations

import lightning as L
import torch
from torch import nn
from torchmetrics.classification import MulticlassAccuracy


def balanced_class_weights(labels, num_classes: int) -> torch.Tensor:
    """Inverse-frequency class weights ``(K,)``, ``n / (K * n_c)`` (scikit-learn's "balanced"), for
    integer labels ``(N,)``; a class absent from ``labels`` gets weight 0.

    Raises:
        ValueError: a label outside ``[0, num_classes)``.
    """
    y = torch.as_tensor(labels, dtype=torch.long).flatten()
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}); found {int(y.min())}..{int(y.max())}")
    counts = torch.bincount(y, minlength=num_classes).float()
    return torch.where(counts > 0, len(y) / (num_classes * counts.clamp(min=1)), torch.zeros_like(counts))


class SignClassifier(L.LightningModule):
    """Wraps any model mapping ``x (B, T, J, C), mask (B, T)`` to logits ``(B, K)``.

    Logs per epoch ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc`` (top-1, synced across
    DDP processes by torchmetrics). ``class_weight`` ``(K,)``: per-class weights of the training
    cross-entropy (see :func:`balanced_class_weights`); None = unweighted.

    Recipe options: ``warmup_epochs`` (linear warm-up from 1 % of ``lr`` before the schedule, which
    then runs over the remaining epochs); ``mixup`` (alpha of mixup, Zhang et al. ICLR 2018: each
    batch is mixed with a permutation of itself, ``x = l*x + (1-l)*x[perm]``, the union of their
    masks, and the loss mixed alike; l ~ Beta(alpha, alpha)); ``ema`` (decay of an exponential
    moving average of the weights, torch's ``AveragedModel``; validation and the saved weights
    are the average's, as in the ISLR 2023 winners' and timm's recipes).
    """

    def __init__(self, model: nn.Module, num_classes: int, optimizer: str = "adamw", lr: float = 1e-3,
                 weight_decay: float = 0.0, schedule: str = "none", epochs: int = 1, label_smoothing: float = 0.0,
                 class_weight: torch.Tensor | None = None, warmup_epochs: int = 0, mixup: float = 0.0,
                 ema: float = 0.0):
        super().__init__()
        self.model = model
        self.warmup_epochs, self.mixup = int(warmup_epochs), float(mixup)
        self.ema = None
        if ema > 0:
            from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

            self.ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(float(ema)), use_buffers=True)
            self.ema.requires_grad_(False)
        self.opt_name, self.lr, self.wd, self.schedule, self.epochs = optimizer, lr, weight_decay, schedule, epochs
        self.loss = nn.CrossEntropyLoss(weight=class_weight, label_smoothing=label_smoothing)
        self.train_acc = MulticlassAccuracy(num_classes, average="micro")
        self.val_acc = MulticlassAccuracy(num_classes, average="micro")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(x, mask)

    @property
    def eval_model(self) -> nn.Module:
        """The weights that are validated and kept: the moving average when ``ema`` is on."""
        return self.ema.module if self.ema is not None else self.model

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        if self.ema is not None:
            self.ema.update_parameters(self.model)

    def on_train_epoch_start(self) -> None:
        # models with a schedule of their own (late dropout) learn how far training is
        if hasattr(self.model, "set_progress"):
            self.model.set_progress(self.current_epoch / max(1, self.epochs))

    def training_view(self, batch: dict) -> dict:
        """The batch the model trains on: ``batch`` itself, or with ``mixup`` its mix with a
        permutation of itself (``x``, ``mask``) plus ``label_b`` (the partners' labels), ``lam`` and
        ``perm``."""
        if not (self.mixup > 0 and len(batch["label"]) > 1):
            return batch
        lam = float(torch.distributions.Beta(self.mixup, self.mixup).sample())
        perm = torch.randperm(len(batch["label"]), device=batch["label"].device)
        mask = batch.get("mask")
        return {**batch, "x": lam * batch["x"] + (1 - lam) * batch["x"][perm],
                "mask": mask | mask[perm] if mask is not None else None, "label_b": batch["label"][perm], "lam": lam, "perm": perm}

    def hard_loss(self, logits: torch.Tensor, view: dict) -> torch.Tensor:
        """Cross-entropy with the labels of ``view`` (mixed as the inputs were under mixup)."""
        if "lam" in view:
            return view["lam"] * self.loss(logits, view["label"]) + (1 - view["lam"]) * self.loss(logits, view["label_b"])
        return self.loss(logits, view["label"])

    def training_loss(self, logits: torch.Tensor, view: dict) -> torch.Tensor:
        """The loss minimised in training on :meth:`training_view` (cross-entropy; distillation
        overrides it)."""
        return self.hard_loss(logits, view)

    def training_step(self, batch, batch_idx):
        view = self.training_view(batch)
        logits = self(view["x"], view.get("mask"))
        loss = self.training_loss(logits, view)
        self.train_acc(logits, batch["label"])
        bs = len(batch["label"])
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=bs, sync_dist=True)
        self.log("train_acc", self.train_acc, on_step=False, on_epoch=True, batch_size=bs)
        return loss

    def validation_step(self, batch, batch_idx):
        logits = self.eval_model(batch["x"], batch.get("mask"))
        bs = len(batch["label"])
        self.val_acc(logits, batch["label"])
        self.log("val_loss", nn.functional.cross_entropy(logits, batch["label"]), on_epoch=True, batch_size=bs,
                 sync_dist=True)
        self.log("val_acc", self.val_acc, on_epoch=True, batch_size=bs, prog_bar=True)

    def configure_optimizers(self):
        if self.opt_name == "adam":
            opt = torch.optim.Adam(self.model.parameters(), lr=self.lr, weight_decay=self.wd)
        elif self.opt_name == "adamw":
            opt = torch.optim.AdamW(self.model.parameters(), lr=self.lr, weight_decay=self.wd)
        elif self.opt_name == "sgd":  # SGD with momentum 0.9 (L2 weight decay)
            opt = torch.optim.SGD(self.model.parameters(), lr=self.lr, momentum=0.9, weight_decay=self.wd)
        else:
            raise ValueError(f"unknown optimizer {self.opt_name!r}; expected 'adam', 'adamw' or 'sgd'")
        warm = min(self.warmup_epochs, max(0, self.epochs - 1))
        rest = max(1, self.epochs - warm)
        if self.schedule == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=rest)
        elif self.schedule == "step":
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, 2 * rest // 3), gamma=0.1)
        elif self.schedule == "none":
            if not warm:
                return opt
            sched = torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)
        else:
            raise ValueError(f"unknown schedule {self.schedule!r}; expected 'cosine', 'step' or 'none'")
        if warm:
            ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=warm)
            sched = torch.optim.lr_scheduler.SequentialLR(opt, [ramp, sched], milestones=[warm])
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}
