"""Models of keypoint sequences, images, hand landmarks and pixel clips, in a registry by name
(``create_model``, ``list_models``). Models take tensors and never read files."""

from . import gcn, hierarchical, image_cnn, islr_transformer, landmark, mobilenetv2, rnn, tcn, video3d  # noqa: F401  (registers the models)
from .features import KinematicFeatures
from .gcn import GraphConvClassifier
from .hierarchical import HierarchicalFingerRNN
from .islr_transformer import ISLRTransformer
from .registry import (create_model, list_models, model_arguments, model_defaults, model_entry, model_kind,
                       register_model)
from .rnn import RNNClassifier
from .tcn import TCNClassifier
from .weights import load_weights, read_state_dict

__all__ = ["create_model", "list_models", "model_arguments", "model_defaults", "model_entry", "model_kind",
           "register_model", "load_weights", "read_state_dict", "RNNClassifier", "HierarchicalFingerRNN",
           "TCNClassifier", "KinematicFeatures", "ISLRTransformer", "GraphConvClassifier"]
