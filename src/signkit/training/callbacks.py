"""Callbacks: best weights by validation, epoch timing, per-epoch augmentation seed, line progress."""

from __future__ import annotations

import copy
import time

import lightning as L
import torch
from rich.console import Console


class BestWeights(L.Callback):
    """Keep a CPU copy of the weights with the best ``val_acc`` (ties: lower ``val_loss``)."""

    def __init__(self):
        self.best: tuple[float, float] | None = None
        self.state: dict | None = None
        self.epoch: int = -1

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        m = trainer.callback_metrics
        if "val_acc" not in m:
            return
        score = (float(m["val_acc"]), -float(m.get("val_loss", torch.tensor(0.0))))
        if self.best is None or score > self.best:
            self.best, self.epoch = score, trainer.current_epoch
            model = getattr(pl_module, "eval_model", pl_module.model)  # the moving average when ema is on
            self.state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


class EpochTimer(L.Callback):
    """Log ``epoch_time`` (seconds of the training part of each epoch)."""

    def on_train_epoch_start(self, trainer, pl_module):
        self._t0 = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module):
        pl_module.log("epoch_time", time.perf_counter() - self._t0, on_epoch=True, sync_dist=False,
                      rank_zero_only=True)


class EpochSeed(L.Callback):
    """Tell the training dataset the epoch number so augmentation differs every epoch but is
    reproducible. The epoch lives in shared memory (:meth:`signkit.data.LabelledDataset.set_epoch`), so
    DataLoader worker processes, persistent ones included, draw the new epoch's augmentation too.
    Set at the start of each epoch, before Lightning creates the epoch's DataLoader iterator."""

    def __init__(self, dataset):
        self.dataset = dataset

    def on_train_epoch_start(self, trainer, pl_module):
        self.dataset.set_epoch(trainer.current_epoch)


class LineProgress(L.Callback):
    """One line per epoch (for logs and CI where a live progress bar is noise)."""

    def __init__(self, every: int = 1):
        self.every = max(1, every)
        self.console = Console(highlight=False)

    def on_train_epoch_end(self, trainer, pl_module):
        e = trainer.current_epoch
        if not trainer.is_global_zero or ((e + 1) % self.every and e + 1 != trainer.max_epochs):
            return
        m = {k: float(v) for k, v in trainer.callback_metrics.items()}
        self.console.print(f"epoch {e + 1:>4}/{trainer.max_epochs}  loss {m.get('train_loss', float('nan')):.3f}  "
                           f"train_acc {m.get('train_acc', float('nan')):.3f}  val_acc {m.get('val_acc', float('nan')):.3f}"
                           f"  {m.get('epoch_time', float('nan')):.2f}s")
