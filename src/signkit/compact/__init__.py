"""Making models compact for real time: export (ONNX/TorchScript, fp16, sparse), pruning, benchmarks."""

from .export import OnnxModel, export_checkpoint
from .prune import prune_checkpoint, prune_model, sparsity_report

__all__ = ["OnnxModel", "export_checkpoint", "prune_checkpoint", "prune_model", "sparsity_report"]
