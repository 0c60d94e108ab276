"""signkit: sign-language and gesture recognition from keypoints, hand shapes and video."""

import os as _os

_os.environ.setdefault("GLOG_minloglevel", "2")

from .api import Recognizer, evaluate, predict, read_keypoints, train  # noqa: E402
from .config import Config, load_config  # noqa: E402
from .data import list_datasets, load_dataset  # noqa: E402
from .keypoints import KeypointSequence, get_layout  # noqa: E402
from .models import create_model, list_models  # noqa: E402

__version__ = "0.1.0"
__all__ = ["train", "evaluate", "predict", "read_keypoints", "Recognizer", "Config", "load_config",
           "list_datasets", "load_dataset", "KeypointSequence", "get_layout", "create_model", "list_models"]
