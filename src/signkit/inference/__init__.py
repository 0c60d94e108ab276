"""Inference: a recogniser per input kind behind one scikit-learn style interface, and the file
readers behind one :func:`read_input` dispatch. ``spelling`` and live recognition build on this
layer, never on :mod:`signkit.api`."""

from .batch import BatchPrediction, find_inputs, predict_files
from .readers import read_input, read_keypoints
from .recognizer import (ClipRecognizer, ImageRecognizer, KeypointRecognizer, LandmarkRecognizer, Recognizer,
                         evaluate_ensemble, load_recognizer)

__all__ = ["Recognizer", "KeypointRecognizer", "ImageRecognizer", "LandmarkRecognizer", "ClipRecognizer",
           "load_recognizer", "evaluate_ensemble", "read_input", "read_keypoints", "predict_files", "find_inputs",
           "BatchPrediction"]
