"""Plots (matplotlib, Agg): confusion matrix and training curves."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..storage import atomic_path  # noqa: E402


def plot_confusion_matrix(cm, vocabulary: list[str], path: str | Path, title: str = "") -> Path:
    """Row-normalised confusion matrix (rows = true gloss) as PNG."""
    cm = np.asarray(cm, dtype=float)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    k = len(vocabulary)
    size = max(6.0, 0.18 * k + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    if k <= 60:
        ax.set_xticks(range(k), vocabulary, rotation=90, fontsize=6)
        ax.set_yticks(range(k), vocabulary, fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    with atomic_path(path, Path(path).suffix) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_training_curves(metrics_csv: str | Path, path: str | Path) -> Path | None:
    """Loss and accuracy per epoch from Lightning's CSVLogger ``metrics.csv``; None if empty."""
    df = pd.read_csv(metrics_csv)
    if "epoch" not in df or df.empty:
        return None
    ep = df.groupby("epoch").first()  # one row per epoch (train and val rows merged)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for col, ax in (("train_loss", a), ("val_loss", a), ("train_acc", b), ("val_acc", b)):
        if col in ep:
            s = ep[col].dropna()
            ax.plot(s.index + 1, s.values, label=col)
    a.set_xlabel("epoch"); a.set_ylabel("cross-entropy"); a.legend()
    b.set_xlabel("epoch"); b.set_ylabel("top-1"); b.legend()
    fig.tight_layout()
    with atomic_path(path, Path(path).suffix) as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)
    return Path(path)
