"""Conv1D + Transformer keypoint classifier, after the winning solution of Google's Isolated Sign
Language Recognition competition (Kaggle ``asl-signs``, 2023, 1st place, Hoyeol Sohn): per-frame
landmark positions and their first and second temporal differences -> linear embedding -> stages of
three depthwise Conv1D blocks (kernel 17, expansion 2, efficient channel attention) followed by one
Transformer block -> a wider projection -> masked average pooling -> *late* dropout -> classifier.

Differences from the original (TensorFlow) and why:
- The depthwise convolutions are centred ('same' padding) instead of causal; padded frames are zeroed
  before every convolution and batch normalisation uses the real frames only, so that padding never
  changes the output (the original trained on fixed-length crops).
- Late dropout is switched on at a fraction of training (``late_dropout_start`` of the epochs),
  told to the model by the training loop through :meth:`ISLRTransformer.set_progress`.
- Stochastic depth (Huang et al. 2016; per sample, as the original's dropout with noise shape
  ``(B, 1, 1)`` on each residual branch) is :class:`DropPath` here: torchvision, which has it,
  does not import beside signkit's CPU torch (see ``../shared/docs/STACK.md``).
Efficient channel attention: Wang et al., "ECA-Net", CVPR 2020. Transformer: Vaswani et al. 2017.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..keypoints import get_layout
from .registry import register_model


class DropPath(nn.Module):
    """Stochastic depth: in training, zero a residual branch for a whole sample with probability
    ``p`` and scale the kept ones by ``1 / (1 - p)``; the identity in eval mode. ``(B, ...)``."""

    def __init__(self, p: float = 0.0):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"drop path rate must be in [0, 1); found {p}")
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = torch.empty((x.shape[0],) + (1,) * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)


class _MaskedBatchNorm(nn.Module):
    """BatchNorm over channels of ``(B, T, C)`` whose statistics use the real frames only; padded
    frames come out as zeros. In eval mode (running statistics, a per-channel affine map) it runs on
    every frame and masks after: the same values, without the boolean indexing that exports to
    NonZero/ScatterND and costs time at batch 1."""

    def __init__(self, c: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return self.bn(x.transpose(1, 2)).transpose(1, 2) * mask[..., None].to(x.dtype)
        out = torch.zeros_like(x)
        out[mask] = self.bn(x[mask])
        return out


class _ECA(nn.Module):
    """Efficient channel attention over ``(B, T, C)``: a 1D convolution across the channels of the
    masked temporal mean, then a sigmoid gate per channel (Wang et al. 2020)."""

    def __init__(self, kernel: int = 5):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        mean = (x * m).sum(1) / m.sum(1).clamp_min(1.0)  # (B, C)
        return x * torch.sigmoid(self.conv(mean[:, None, :]))[:, 0, None, :]


class _ConvBlock(nn.Module):
    def __init__(self, dim: int, kernel: int, expand: int, dropout: float, drop_path: float):
        super().__init__()
        hidden = dim * expand
        self.expand = nn.Linear(dim, hidden)
        self.act = nn.SiLU()
        self.dw = nn.Conv1d(hidden, hidden, kernel, padding=kernel // 2, groups=hidden, bias=False)
        self.bn = _MaskedBatchNorm(hidden)
        self.eca = _ECA()
        self.project = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(dropout)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        h = self.act(self.expand(x)) * m
        h = self.dw(h.transpose(1, 2)).transpose(1, 2)
        h = self.eca(self.bn(h, mask), m)
        h = self.drop(self.project(h))
        return (x + self.drop_path(h)) * m


class _TransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, expand: int, dropout: float, drop_path: float):
        super().__init__()
        self.n1, self.n2 = _MaskedBatchNorm(dim), _MaskedBatchNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(dim, dim * expand), nn.SiLU(), nn.Linear(dim * expand, dim), nn.Dropout(dropout))
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        h = self.n1(x, mask)
        h, _ = self.attn(h, h, h, key_padding_mask=~mask, need_weights=False)
        x = (x + self.drop_path(h)) * m
        x = x + self.drop_path(self.ffn(self.n2(x, mask)))
        return x * m


class ISLRTransformer(nn.Module):
    """``x (B, T, J, C)``, ``mask (B, T)`` -> logits ``(B, K)``; any layout (J, C from ``layout``).

    Args:
        dim: width (the winner's: 192); stages: repetitions of (``convs`` Conv1D blocks + 1
        Transformer block); kernel: depthwise kernel (17); heads: attention heads; expand: block
        expansion (2); dropout: inside blocks; drop_path: largest stochastic-depth rate (linearly
        increasing over blocks); late_dropout: dropout before the classifier, active only from
        ``late_dropout_start`` (fraction of the epochs) on.

    Padded frames (``mask`` False) never change the output; a sequence with no real frame gets
    the logits of an all-zero pooled feature.
    """

    def __init__(self, num_classes: int, layout: str, dim: int = 192, stages: int = 2, convs: int = 3,
                 kernel: int = 17, heads: int = 4, expand: int = 2, dropout: float = 0.2, drop_path: float = 0.2,
                 late_dropout: float = 0.8, late_dropout_start: float = 0.25):
        super().__init__()
        if kernel % 2 != 1:
            raise ValueError(f"kernel must be odd; found {kernel}")
        if dim % heads:
            raise ValueError(f"dim ({dim}) must be a multiple of heads ({heads})")
        lay = get_layout(layout)
        self.num_joints, self.dims = lay.num_joints, lay.dims
        in_dim = 3 * lay.num_joints * lay.dims  # positions, first and second differences
        self.embed = nn.Linear(in_dim, dim, bias=False)
        self.embed_bn = _MaskedBatchNorm(dim)
        n = stages * (convs + 1)
        rates = [drop_path * i / max(1, n - 1) for i in range(n)]
        blocks: list[nn.Module] = []
        for s in range(stages):
            for c in range(convs):
                blocks.append(_ConvBlock(dim, kernel, expand, dropout, rates[len(blocks)]))
            blocks.append(_TransformerBlock(dim, heads, expand, dropout, rates[len(blocks)]))
        self.blocks = nn.ModuleList(blocks)
        self.top = nn.Linear(dim, 2 * dim)
        self.late_dropout = nn.Dropout(late_dropout)
        self.late_dropout_start = float(late_dropout_start)
        self.register_buffer("progress", torch.zeros(()), persistent=False)
        self.head = nn.Linear(2 * dim, num_classes)
        self.reset_head()

    def reset_head(self) -> None:
        nn.init.zeros_(self.head.bias)
        nn.init.normal_(self.head.weight, std=1.0 / math.sqrt(self.head.in_features))

    def set_progress(self, fraction: float) -> None:
        """Tell the model how far training is (epoch / epochs, 0..1): late dropout starts at
        ``late_dropout_start``."""
        self.progress.fill_(float(fraction))

    def features(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Per-frame positions, ``x[t] - x[t-1]`` and ``x[t] - x[t-2]`` (zero where a frame is
        missing), ``(B, T, 3*J*C)``."""
        if x.dim() != 4 or x.shape[2] != self.num_joints or x.shape[3] != self.dims:
            raise ValueError(f"expected keypoints (B, T, {self.num_joints}, {self.dims}); found {tuple(x.shape)}")
        b, t = x.shape[:2]
        m = mask.to(x.dtype)[..., None, None]
        x = x * m

        def diff(k: int) -> torch.Tensor:  # x[t] - x[t-k] where both frames are real, zero elsewhere
            d = (x[:, k:] - x[:, :-k]) * m[:, :-k] * m[:, k:]
            return torch.cat([torch.zeros_like(x[:, :k]), d], 1)

        return torch.cat([x, diff(1), diff(2)], dim=-1).reshape(b, t, -1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if mask is None:
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        mask = mask.bool()
        m = mask.to(x.dtype)[..., None]  # (B, T, 1)
        h = self.embed_bn(self.embed(self.features(x, mask)), mask)
        # a sequence without real frames would give attention nothing to attend to: let it attend
        # to its first (zero) frame, whose output is masked away anyway
        first = torch.zeros_like(mask)
        first[:, 0] = True
        attend = mask | (first & ~mask.any(1, keepdim=True))
        for blk in self.blocks:
            h = blk(h, attend, m) if isinstance(blk, _TransformerBlock) else blk(h, mask, m)
            h = h * m
        h = self.top(h) * m
        pooled = h.sum(1) / m.sum(1).clamp_min(1.0)
        if self.training and float(self.progress) >= self.late_dropout_start:
            pooled = self.late_dropout(pooled)
        return self.head(pooled)


register_model("islr_transformer", ISLRTransformer,
               "Conv1D (ECA, kernel 17) + Transformer blocks, late dropout (ISLR 2023 winner), width 192")
register_model("islr_transformer_small", ISLRTransformer,
               "islr_transformer at width 96 (4 heads), for real time", dim=96)
# distillation students of islr_transformer_small: about 1/16 and 1/64 of its parameters
register_model("islr_transformer_tiny", ISLRTransformer, "distillation student: width 32, 1 stage of 1 conv block "
               "+ 1 Transformer block (~1/16 of islr_transformer_small)", dim=32, stages=1, convs=1)
register_model("islr_transformer_micro", ISLRTransformer, "distillation student: width 12, 1 stage of 1 conv block "
               "+ 1 Transformer block, 2 heads (~1/64 of islr_transformer_small)", dim=12, stages=1, convs=1, heads=2)
