"""A masked temporal convolutional network over kinematic features (stronger baseline).

In the spirit of Sabater et al. 2021 ("Domain and View-point Agnostic Hand Action Recognition"):
per-frame hand-shape, motion and joint-distance features -> dilated residual 1D convolutions
over time -> masked mean+max pooling -> 2-layer head. Padded frames are zeroed before every
convolution, which is exactly the convolution's own zero padding at the sequence end, so
padding never changes the output.
"""

from __future__ import annotations

import torch
from torch import nn

from ..keypoints import get_layout
from .features import KinematicFeatures
from .registry import register_model


class _ChannelNorm(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.ln = nn.LayerNorm(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T)
        return self.ln(x.transpose(1, 2)).transpose(1, 2)


def _norm(kind: str, c: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm1d(c)
    if kind == "layer":
        return _ChannelNorm(c)
    raise ValueError(f"unknown norm {kind!r}; expected 'batch' or 'layer'")


class _Block(nn.Module):
    def __init__(self, c: int, kernel: int, dilation: int, dropout: float, norm: str = "batch"):
        super().__init__()
        pad = dilation * (kernel - 1) // 2
        self.conv1 = nn.Conv1d(c, c, kernel, padding=pad, dilation=dilation)
        self.conv2 = nn.Conv1d(c, c, kernel, padding=pad, dilation=dilation)
        self.n1, self.n2 = _norm(norm, c), _norm(norm, c)
        self.act = nn.GELU()
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        h = self.drop(self.act(self.n1(self.conv1(x * m)))) * m
        h = self.n2(self.conv2(h))
        return self.act(x + h) * m


class TCNClassifier(nn.Module):
    """``x (B, T, J, C)``, ``mask (B, T)`` -> logits ``(B, K)``.

    Args:
        channels: width; blocks: residual blocks with dilations 1, 2, 4, ...; kernel: odd size.
        features: see :class:`KinematicFeatures` (default all four).
        norm: ``"batch"`` (BatchNorm over channels; in eval mode padding-invariant, in training
        padded frames enter the batch statistics) or ``"layer"`` (per-frame LayerNorm over channels).
    """

    def __init__(self, num_classes: int, layout: str, channels: int = 128, blocks: int = 4, kernel: int = 5,
                 dropout: float = 0.2, features=("pos", "rel", "vel", "dist"), norm: str = "batch"):
        super().__init__()
        if kernel % 2 != 1:
            raise ValueError(f"kernel must be odd; found {kernel}")
        lay = get_layout(layout)
        self.features = KinematicFeatures(lay.num_joints, lay.dims, features, lay.root)
        self.embed = nn.Conv1d(self.features.out_dim, channels, 1)
        self.blocks = nn.ModuleList(_Block(channels, kernel, 2 ** i, dropout, norm) for i in range(blocks))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * channels, channels), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(channels, num_classes))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.to(x.dtype)[:, None, :]  # (B, 1, T)
        h = self.embed(self.features(x, mask).transpose(1, 2)) * m
        for blk in self.blocks:
            h = blk(h, m)
        mean = h.sum(-1) / m.sum(-1).clamp_min(1.0)
        mx = h.masked_fill(m == 0, float("-inf")).amax(-1)
        return self.head(torch.cat([mean, mx], dim=-1))


register_model("tcn", TCNClassifier, "masked dilated temporal ConvNet over hand-shape, motion and distance features")
register_model("tcn_small", TCNClassifier, "tcn with 64 channels and 3 blocks", channels=64, blocks=3)
register_model("tcn_tiny", TCNClassifier, "tcn with 32 channels and 2 blocks (a distillation student, ~1/20 of tcn)",
               channels=32, blocks=2)
