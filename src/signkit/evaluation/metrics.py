"""Classification metrics with torchmetrics: top-1, top-5, mean class accuracy, per-class, confusion."""

from __future__ import annotations

import math

import torch
from torchmetrics.functional.classification import multiclass_accuracy, multiclass_confusion_matrix


def classification_metrics(logits: torch.Tensor, labels: torch.Tensor, vocabulary: list[str]) -> dict:
    """Metrics of ``logits (N, K)`` against ``labels (N,)``.

    Returns a JSON-ready dict: ``top1``, ``top5`` (fractions in [0, 1]; top-5 uses min(5, K)),
    ``mean_class_accuracy`` (mean over classes present in ``labels``), ``per_class``
    ({gloss: {"accuracy", "support"}} for present classes), ``confusion_matrix`` (K x K list,
    rows = true gloss, columns = predicted), ``n``.
    """
    k = len(vocabulary)
    if logits.ndim != 2 or logits.shape[1] != k:
        raise ValueError(f"expected logits (N, {k}); found {tuple(logits.shape)}")
    labels = labels.long()
    top1 = multiclass_accuracy(logits, labels, k, average="micro", top_k=1).item()
    top5 = multiclass_accuracy(logits, labels, k, average="micro", top_k=min(5, k)).item()
    cm = multiclass_confusion_matrix(logits, labels, k)
    support = cm.sum(1)
    present = support > 0
    per_class_acc = torch.where(present, cm.diag() / support.clamp_min(1), torch.zeros_like(support, dtype=torch.float))
    mca = per_class_acc[present].float().mean().item()
    per_class = {vocabulary[i]: {"accuracy": float(per_class_acc[i]), "support": int(support[i])}
                 for i in range(k) if present[i]}
    return {"n": int(len(labels)), "top1": top1, "top5": top5, "mean_class_accuracy": mca,
            "per_class": per_class, "confusion_matrix": cm.tolist()}


AVERAGES = ("logits", "probs")


def ensemble_scores(logits: torch.Tensor, average: str = "logits") -> torch.Tensor:
    """Combine the members' ``logits (M, N, K)`` of an ensemble into scores ``(N, K)``.

    ``average="logits"``: the mean of the logits (what a distillation ensemble teacher uses).
    ``average="probs"``: the log of the mean of the softmax probabilities, so the scores rank as the
    mean probability does (Lakshminarayanan et al. 2017, deep ensembles); a member that is very sure
    outvotes the others less than with logits. Both feed :func:`classification_metrics` as they are.

    Raises:
        ValueError: ``average`` not one of ``AVERAGES``, or ``logits`` not ``(M, N, K)`` with M >= 1.
    """
    if average not in AVERAGES:
        raise ValueError(f"unknown ensemble average {average!r}; expected one of {AVERAGES}")
    if logits.ndim != 3 or logits.shape[0] < 1:
        raise ValueError(f"expected members' logits (M, N, K); found {tuple(logits.shape)}")
    logits = logits.float()
    if average == "logits":
        return logits.mean(0)
    return torch.logsumexp(torch.log_softmax(logits, -1), 0) - math.log(logits.shape[0])
