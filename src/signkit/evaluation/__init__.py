"""Metrics, whole-dataset prediction, plots and reports."""

from .metrics import AVERAGES, classification_metrics, ensemble_scores
from .plots import plot_confusion_matrix, plot_training_curves
from .predict import predict_logits, top1
from .report import report_paths, write_report

__all__ = ["AVERAGES", "classification_metrics", "ensemble_scores", "plot_confusion_matrix", "plot_training_curves", "predict_logits", "top1", "report_paths",
           "write_report"]
