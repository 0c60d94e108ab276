"""Metrics, whole-dataset prediction, plots and reports."""

from .metrics import classification_metrics
from .plots import plot_confusion_matrix, plot_training_curves
from .predict import predict_logits, top1
from .report import report_paths, write_report

__all__ = ["classification_metrics", "plot_confusion_matrix", "plot_training_curves", "predict_logits", "top1", "report_paths",
           "write_report"]
