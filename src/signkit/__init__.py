"""signkit: sign-language and gesture recognition from keypoints, hand shapes and video.

The names below are imported on first use, so ``import signkit`` (and ``signkit --help``) stays
cheap; torch, Lightning and MediaPipe load only when an operation needs them.
"""

import os as _os

_os.environ.setdefault("GLOG_minloglevel", "2")

__version__ = "0.1.0"

_LAZY = {
    "train": "api", "evaluate": "api", "evaluate_ensemble": "api", "predict": "api", "predict_files": "api", "spell": "api", "extract": "api", "show": "api",
    "export": "api", "bench": "api", "prune": "api", "distill": "api", "read_keypoints": "api",
    "read_input": "api", "Recognizer": "api", "load_pretrained": "api", "list_pretrained": "api", "Config": "config", "load_config": "config",
    "list_datasets": "data", "load_dataset": "data", "open_dataset": "kinds", "KeypointSequence": "keypoints",
    "get_layout": "keypoints", "create_model": "models", "list_models": "models",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'signkit' has no attribute {name!r}")
