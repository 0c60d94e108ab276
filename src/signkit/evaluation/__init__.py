"""Metrics, plots and reports."""

from .metrics import classification_metrics
from .plots import plot_confusion_matrix, plot_training_curves
from .report import atomic_write_text, write_report

__all__ = ["classification_metrics", "plot_confusion_matrix", "plot_training_curves", "write_report",
           "atomic_write_text"]
