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
    """

    def __init__(self, model: nn.Module, num_classes: int, optimizer: str = "adamw", lr: float = 1e-3,
                 weight_decay: float = 0.0, schedule: str = "none", epochs: int = 1, label_smoothing: float = 0.0,
                 class_weight: torch.Tensor | None = None):
        super().__init__()
        self.model = model
        self.opt_name, self.lr, self.wd, self.schedule, self.epochs = optimizer, lr, weight_decay, schedule, epochs
        self.loss = nn.CrossEntropyLoss(weight=class_weight, label_smoothing=label_smoothing)
        self.train_acc = MulticlassAccuracy(num_classes, average="micro")
        self.val_acc = MulticlassAccuracy(num_classes, average="micro")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(x, mask)

    def on_train_epoch_start(self) -> None:
        # models with a schedule of their own (late dropout) learn how far training is
        if hasattr(self.model, "set_progress"):
            self.model.set_progress(self.current_epoch / max(1, self.epochs))

    def training_loss(self, logits: torch.Tensor, batch: dict) -> torch.Tensor:
        """The loss minimised in training (cross-entropy; distillation overrides it)."""
        return self.loss(logits, batch["label"])

    def training_step(self, batch, batch_idx):
        logits = self(batch["x"], batch.get("mask"))
        loss = self.training_loss(logits, batch)
        self.train_acc(logits, batch["label"])
        bs = len(batch["label"])
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=bs, sync_dist=True)
        self.log("train_acc", self.train_acc, on_step=False, on_epoch=True, batch_size=bs)
        return loss

    def validation_step(self, batch, batch_idx):
        logits = self(batch["x"], batch.get("mask"))
        bs = len(batch["label"])
        self.val_acc(logits, batch["label"])
        self.log("val_loss", nn.functional.cross_entropy(logits, batch["label"]), on_epoch=True, batch_size=bs,
                 sync_dist=True)
        self.log("val_acc", self.val_acc, on_epoch=True, batch_size=bs, prog_bar=True)

    def configure_optimizers(self):
        if self.opt_name == "adam":
            opt = torch.optim.Adam(self.parameters(), lr=self.lr, weight_decay=self.wd)
        elif self.opt_name == "adamw":
            opt = torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=self.wd)
        elif self.opt_name == "sgd":  # SGD with momentum 0.9 (L2 weight decay)
            opt = torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9, weight_decay=self.wd)
        else:
            raise ValueError(f"unknown optimizer {self.opt_name!r}; expected 'adam', 'adamw' or 'sgd'")
        if self.schedule == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, self.epochs))
        elif self.schedule == "step":
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, 2 * self.epochs // 3), gamma=0.1)
        elif self.schedule == "none":
            return opt
        else:
            raise ValueError(f"unknown schedule {self.schedule!r}; expected 'cosine', 'step' or 'none'")
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}
