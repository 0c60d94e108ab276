"""Logits of a whole dataset, in dataset order (the test evaluation of ``fit`` and ``evaluate``)."""

from __future__ import annotations

from typing import Callable

import torch
from torch.utils.data import DataLoader


@torch.no_grad()
def predict_logits(model: Callable, dataset, collate_fn: Callable, batch_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits ``(N, K)`` and labels ``(N,)`` of ``dataset``; ``model(x, mask)`` in eval mode (a torch
    module or an ONNX Runtime model), batches made by ``collate_fn``."""
    if hasattr(model, "eval"):
        model.eval()
    outs, labels = [], []
    for batch in DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=collate_fn):
        outs.append(model(batch["x"], batch.get("mask")).float())
        labels.append(batch["label"])
    return torch.cat(outs), torch.cat(labels)


def top1(model: Callable, dataset, collate_fn: Callable) -> float:
    """Top-1 accuracy of ``model`` on ``dataset``."""
    logits, labels = predict_logits(model, dataset, collate_fn)
    return float((logits.argmax(-1) == labels).float().mean())
