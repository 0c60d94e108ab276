"""Datasets read in their publishers' layouts (one module per dataset), and a registry.

``data`` never runs perception: datasets made by MediaPipe take a
:class:`~signkit.data.perception.Perception` (see :func:`signkit.kinds.open_dataset`)."""

from .base import KeypointDataset, LabelledDataset, Sample, collate, holdout_split, kfold_assignment
from .boston104 import load_boston104
from .folder import load_folder
from .fpha import load_fpha, read_skeleton_txt
from .registry import DATASETS, dataset_options, list_datasets, load_dataset, register_dataset
from .videos import load_videos

__all__ = ["KeypointDataset", "LabelledDataset", "Sample", "collate", "holdout_split", "kfold_assignment", "load_fpha",
           "read_skeleton_txt", "load_boston104", "load_folder", "load_videos", "load_dataset", "list_datasets",
           "register_dataset", "dataset_options", "DATASETS"]
