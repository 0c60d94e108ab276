"""Models of keypoint sequences, images and pixel clips, in a registry by name (``create_model``, ``list_models``)."""

from . import hierarchical, image_cnn, landmark, mobilenetv2, rnn, tcn, video3d  # noqa: F401  (registers the models)
from .features import KinematicFeatures
from .hierarchical import HierarchicalFingerRNN
from .registry import create_model, list_models, model_defaults, model_kind, register_model
from .rnn import RNNClassifier
from .tcn import TCNClassifier

__all__ = ["create_model", "list_models", "model_defaults", "model_kind", "register_model", "RNNClassifier",
           "HierarchicalFingerRNN", "TCNClassifier", "KinematicFeatures"]
