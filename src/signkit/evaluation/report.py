"""Write an evaluation: metrics JSON, confusion matrix CSV + PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..storage import atomic_write_text, ensure_dir
from .plots import plot_confusion_matrix


def report_paths(out_dir: str | Path, prefix: str = "test") -> dict[str, Path]:
    """The files :func:`write_report` writes: ``<prefix>_metrics.json``, ``<prefix>_confusion_matrix.csv``
    and ``.png`` in ``out_dir``."""
    out = Path(out_dir)
    return {"metrics": out / f"{prefix}_metrics.json", "confusion_csv": out / f"{prefix}_confusion_matrix.csv",
            "confusion_png": out / f"{prefix}_confusion_matrix.png"}


def write_report(metrics: dict, vocabulary: list[str], out_dir: str | Path, prefix: str = "test",
                 title: str = "") -> dict[str, Path]:
    """Write ``<prefix>_metrics.json``, ``<prefix>_confusion_matrix.csv`` and ``.png`` into ``out_dir``."""
    out = ensure_dir(out_dir)
    paths = report_paths(out, prefix)
    atomic_write_text(paths["metrics"], json.dumps({k: v for k, v in metrics.items() if k != "confusion_matrix"},
                                                   indent=2, allow_nan=False))
    df = pd.DataFrame(metrics["confusion_matrix"], index=vocabulary, columns=vocabulary)
    atomic_write_text(paths["confusion_csv"], df.to_csv(index_label="true\\predicted"))
    plot_confusion_matrix(metrics["confusion_matrix"], vocabulary, paths["confusion_png"],
                          title or f"{prefix}: top-1 {metrics['top1']:.2%}")
    return paths
