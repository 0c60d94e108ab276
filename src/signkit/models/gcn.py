"""Spatial-temporal graph convolution over a layout's bones: ST-GCN and SL-GCN, with joint, bone and
motion streams and their late fusion.

- **ST-GCN** (Yan, Xiong & Lin, AAAI 2018): each block is a graph convolution over the skeleton with
  the *spatial configuration* partition (the joint itself, its neighbours nearer the root, those
  farther from it), a learnable edge importance per partition, then a temporal convolution (kernel
  9), batch norm, ReLU and a residual connection.
- **SL-GCN** (Jiang et al., "Skeleton Aware Multi-modal Sign Language Recognition", CVPRW 2021,
  SAM-SLR; the model OpenHands also ships): *decoupled* graph convolution (each group of channels
  learns its own adjacency, initialised from the skeleton's), and spatial, temporal and channel
  attention after each block.
- **Streams** (SAM-SLR): ``joint`` (coordinates), ``bone`` (each joint minus its parent along the
  layout's bones), ``joint_motion`` and ``bone_motion`` (differences between consecutive frames).
  A model with several streams runs one network per stream and averages their logits (late fusion).

The graph comes from the layout (:attr:`~signkit.keypoints.Layout.bones`); a layout without bones is
a clear error. Padded frames are zeroed before every temporal convolution and batch norm uses real
frames only, so padding never changes the output.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import torch
from torch import nn

from ..keypoints import get_layout
from .registry import register_model

STREAMS = ("joint", "bone", "joint_motion", "bone_motion")


def skeleton_graph(layout) -> tuple[np.ndarray, np.ndarray]:
    """The spatial-configuration partition of a layout's skeleton (Yan et al. 2018).

    Returns:
        ``A (3, J, J)``: self links, links towards the root (centripetal) and away from it
        (centrifugal), each column-normalised by the node degree; and ``parent (J,)``: each joint's
        neighbour nearer the root (itself for a root), for the bone stream. Distances are hops from
        the layout's root, or from the first joint of a part of the skeleton that does not reach it.

    Raises:
        ValueError: a layout with no bones (graph models need a skeleton).
    """
    lay = get_layout(layout)
    j = lay.num_joints
    if not lay.bones:
        raise ValueError(f"layout {lay.name!r} has no bones; graph models (stgcn, slgcn) need the skeleton's "
                         f"bones (Layout.bones); use another model, e.g. tcn or islr_transformer")
    adj = [[] for _ in range(j)]
    for a, b in lay.bones:
        adj[a].append(b)
        adj[b].append(a)
    hops = np.full(j, -1)
    parent = np.arange(j)
    for start in [lay.root] + list(range(j)):
        if hops[start] >= 0:
            continue
        hops[start] = 0
        q = deque([start])
        while q:
            u = q.popleft()
            for v in adj[u]:
                if hops[v] < 0:
                    hops[v], parent[v] = hops[u] + 1, u
                    q.append(v)
    a = np.zeros((3, j, j), np.float32)
    a[0] = np.eye(j)
    for u in range(j):
        for v in adj[u]:  # message from v to u
            a[1 if hops[v] < hops[u] else 2, u, v] = 1.0
    deg = a.sum(0).sum(0)  # in-degree incl. self, per source column
    a = a / np.maximum(deg, 1.0)[None, None, :]
    return a, parent


def masked_batch_norm(x: torch.Tensor, m: torch.Tensor, bn: nn.BatchNorm1d) -> torch.Tensor:
    """Batch norm over dim 1 (channels) of ``x (B, C, ...)`` whose statistics count only the
    elements where the 0/1 weight ``m`` (broadcastable to ``x``, constant over channels) is 1; those
    elsewhere come out as zeros. The values are those of ``bn`` applied to the selected elements.

    Three paths with the same values: eval mode is the running statistics' per-channel affine map,
    then the mask (no boolean indexing, so it exports); training with nothing padded (batches
    resampled to ``data.num_frames``, the usual case) is ``bn`` on the whole tensor; training with
    padding selects the real elements by boolean indexing.
    """
    if not bn.training and bn.running_mean is not None:
        return bn(x.flatten(2)).view_as(x) * m.to(x.dtype)
    if bool((m != 0).all()):
        return bn(x.flatten(2)).view_as(x)
    c = x.shape[1]
    keep = (m != 0).expand_as(x[:, :1]).squeeze(1)  # (B, ...) without the channel dim
    flat = x.movedim(1, -1)  # (B, ..., C)
    out = torch.zeros_like(flat)
    out[keep] = bn(flat[keep].reshape(-1, c))
    return out.movedim(-1, 1)


class _MaskedBN2d(nn.Module):
    """BatchNorm over channels of ``(B, C, T, V)`` whose statistics use the real frames only
    (:func:`masked_batch_norm`; parameters and buffers are those of the inner ``bn``)."""

    def __init__(self, c: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(c)

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:  # m (B, 1, T, 1)
        return masked_batch_norm(x, m, self.bn)


class _GraphConv(nn.Module):
    """``(B, C, T, V)`` -> ``(B, C', T, V)``: a 1x1 convolution per partition, then aggregation over
    the partition's adjacency. ``decoupled``: ``groups`` channel groups each learn their own
    adjacency (SL-GCN); otherwise one learnable edge importance per partition scales the fixed
    adjacency (ST-GCN)."""

    def __init__(self, cin: int, cout: int, a: np.ndarray, decoupled: bool, groups: int = 8):
        super().__init__()
        k, v, _ = a.shape
        self.k, self.cout = k, cout
        self.conv = nn.Conv2d(cin, cout * k, 1)
        self.register_buffer("a", torch.tensor(a), persistent=False)  # a copy: blocks share no storage (safetensors)
        self.decoupled = decoupled
        if decoupled:
            if cout % groups:
                raise ValueError(f"channels ({cout}) must be a multiple of the decoupling groups ({groups})")
            self.groups = groups
            self.adj = nn.Parameter(torch.from_numpy(a)[:, None].repeat(1, groups, 1, 1).clone())  # (K, G, V, V)
        else:
            self.importance = nn.Parameter(torch.ones(k, v, v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, t, v = x.shape
        h = self.conv(x).view(b, self.k, self.cout, t, v)
        if self.decoupled:
            g = self.groups
            h = h.view(b, self.k, g, self.cout // g, t, v)
            return torch.einsum("bkgctv,kguv->bgctu", h, self.adj).reshape(b, self.cout, t, v)
        return torch.einsum("bkctv,kuv->bctu", h, self.a * self.importance)


class _STCAttention(nn.Module):
    """Spatial, temporal and channel attention of SL-GCN (each a sigmoid gate, applied as
    ``x * (1 + gate)``), with masked means over time."""

    def __init__(self, c: int, v: int):
        super().__init__()
        self.spatial = nn.Conv1d(c, 1, v if v % 2 else v - 1, padding=(v if v % 2 else v - 1) // 2)
        self.temporal = nn.Conv1d(c, 1, 9, padding=4)
        self.channel = nn.Sequential(nn.Linear(c, max(4, c // 2)), nn.ReLU(), nn.Linear(max(4, c // 2), c))

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:  # x (B, C, T, V), m (B, 1, T, 1)
        n = m.sum(2).clamp_min(1.0)  # (B, 1, 1)
        s = torch.sigmoid(self.spatial((x * m).sum(2) / n))  # (B, 1, V)
        x = x * (1 + s[:, :, None, :])
        tg = torch.sigmoid(self.temporal(x.mean(3)))  # (B, 1, T)
        x = x * (1 + tg[..., None]) * m
        c = torch.sigmoid(self.channel((x * m).sum((2, 3)) / (n[..., 0] * x.shape[3])))  # (B, C)
        return x * (1 + c[..., None, None])


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, a: np.ndarray, decoupled: bool, kernel: int, dropout: float):
        super().__init__()
        self.gcn = _GraphConv(cin, cout, a, decoupled)
        self.bn1, self.bn2 = _MaskedBN2d(cout), _MaskedBN2d(cout)
        self.tcn = nn.Conv2d(cout, cout, (kernel, 1), padding=(kernel // 2, 0))
        self.drop = nn.Dropout(dropout)
        self.att = _STCAttention(cout, a.shape[1]) if decoupled else None
        self.res = None if cin == cout else nn.Conv2d(cin, cout, 1)
        self.res_bn = None if cin == cout else _MaskedBN2d(cout)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor, mask: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        r = x if self.res is None else self.res_bn(self.res(x), m)
        h = self.act(self.bn1(self.gcn(x), m)) * m
        h = self.bn2(self.tcn(self.drop(h)), m)
        if self.att is not None:
            h = self.att(h, m)
        return self.act(h + r) * m


class _Backbone(nn.Module):
    def __init__(self, num_classes: int, a: np.ndarray, dims: int, channels, decoupled: bool, kernel: int,
                 dropout: float):
        super().__init__()
        v = a.shape[1]
        self.data_bn = nn.BatchNorm1d(v * dims)
        cs = [dims, *channels]
        self.blocks = nn.ModuleList(_Block(cs[i], cs[i + 1], a, decoupled, kernel, dropout if i else 0.0)
                                    for i in range(len(channels)))
        self.head = nn.Linear(cs[-1], num_classes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # x (B, T, V, C)
        b, t, v, c = x.shape
        flat = masked_batch_norm(x.reshape(b, t, v * c).transpose(1, 2), mask.to(x.dtype)[:, None, :], self.data_bn)
        h = flat.transpose(1, 2).reshape(b, t, v, c).permute(0, 3, 1, 2)  # (B, C, T, V)
        m = mask.to(x.dtype)[:, None, :, None]
        for blk in self.blocks:
            h = blk(h, mask, m)
        pooled = h.sum((2, 3)) / (m.sum((2, 3)) * v).clamp_min(1.0)
        return self.head(pooled)


class GraphConvClassifier(nn.Module):
    """``x (B, T, J, C)``, ``mask (B, T)`` -> logits ``(B, K)``: ST-GCN (``decoupled=False``) or
    SL-GCN (``decoupled=True``) over ``layout``'s skeleton, one network per stream in ``streams``
    (``joint``, ``bone``, ``joint_motion``, ``bone_motion``), logits averaged (late fusion).

    Args:
        channels: output channels of the blocks (temporal stride 1 everywhere, so masks stay exact);
        kernel: temporal kernel (9, as both papers); dropout: inside blocks.

    Raises:
        ValueError: a layout without bones, an unknown stream.
    """

    def __init__(self, num_classes: int, layout: str, streams=("joint",), decoupled: bool = False,
                 channels=(64, 64, 64, 64, 128, 128, 128, 256, 256, 256), kernel: int = 9, dropout: float = 0.1):
        super().__init__()
        lay = get_layout(layout)
        a, parent = skeleton_graph(lay)
        streams = tuple(streams)
        unknown = [s for s in streams if s not in STREAMS]
        if unknown or not streams:
            raise ValueError(f"unknown streams {unknown}; expected a non-empty subset of {STREAMS}")
        self.streams, self.num_joints, self.dims = streams, lay.num_joints, lay.dims
        self.register_buffer("parent", torch.from_numpy(parent).long(), persistent=False)
        self.nets = nn.ModuleList(_Backbone(num_classes, a, lay.dims, tuple(channels), decoupled, kernel, dropout)
                                  for _ in streams)

    def stream_input(self, x: torch.Tensor, mask: torch.Tensor, stream: str) -> torch.Tensor:
        """The input of one stream ``(B, T, J, C)`` (zero in padded frames)."""
        m = mask.to(x.dtype)[..., None, None]
        x = x * m
        if stream.startswith("bone"):
            x = x - x[:, :, self.parent]
        if stream.endswith("motion"):
            d = torch.zeros_like(x)
            d[:, 1:] = (x[:, 1:] - x[:, :-1]) * m[:, :-1] * m[:, 1:]
            x = d
        return x

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if x.dim() != 4 or x.shape[2] != self.num_joints or x.shape[3] != self.dims:
            raise ValueError(f"expected keypoints (B, T, {self.num_joints}, {self.dims}); found {tuple(x.shape)}")
        if mask is None:
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        mask = mask.bool()
        logits = [net(self.stream_input(x, mask, s), mask) for s, net in zip(self.streams, self.nets)]
        return torch.stack(logits).mean(0)


_SMALL = (64, 64, 128, 128)
register_model("stgcn", GraphConvClassifier, "ST-GCN (Yan et al. 2018): spatial-configuration graph conv over the "
               "layout's bones, 10 blocks 64-256, joint stream")
register_model("stgcn_small", GraphConvClassifier, "stgcn with 4 blocks 64-128, for CPU training", channels=_SMALL)
register_model("slgcn", GraphConvClassifier, "SL-GCN (SAM-SLR, Jiang et al. 2021): decoupled graph conv + "
               "spatial/temporal/channel attention, joint stream", decoupled=True)
register_model("slgcn_small", GraphConvClassifier, "slgcn with 4 blocks 64-128, for CPU training", decoupled=True,
               channels=_SMALL)
register_model("slgcn_4s", GraphConvClassifier, "slgcn_small on joint, bone, joint-motion and bone-motion streams, "
               "late fusion of logits (SAM-SLR)", decoupled=True, channels=_SMALL, streams=STREAMS)
