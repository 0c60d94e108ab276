"""Keypoint datasets read in their publishers' layouts, and a registry."""

from .base import KeypointDataset, Sample, collate, holdout_split
from .boston104 import load_boston104
from .folder import load_folder
from .fpha import load_fpha, read_skeleton_txt
from .videos import load_videos
from .registry import DATASETS, list_datasets, load_dataset, register_dataset

__all__ = ["KeypointDataset", "Sample", "collate", "holdout_split", "load_fpha", "read_skeleton_txt",
           "load_boston104", "load_folder", "load_videos", "load_dataset", "list_datasets", "register_dataset", "DATASETS"]
