"""Per-frame input features computed inside a model from ``(B, T, J, C)`` keypoints.

Every feature looks only at the current frame (``pos``, ``rel``, ``dist``) or the current and
previous frame (``vel``), so appending padded frames never changes the features of real frames.
"""

from __future__ import annotations

import torch
from torch import nn

FEATURES = ("pos", "rel", "vel", "dist")


class KinematicFeatures(nn.Module):
    """Concatenate per-frame features of ``(B, T, J, C)`` keypoints into ``(B, T, F)``.

    - ``pos``: the coordinates as given (J*C).
    - ``rel``: coordinates relative to the root joint of the same frame (J*C), i.e. the hand shape.
    - ``vel``: ``x[t] - x[t-1]`` (J*C; zero at t=0), the motion (as in Sabater et al. 2021).
    - ``dist``: Euclidean distances between all joint pairs (J*(J-1)/2), invariant to rotation.
    Padded frames (``mask`` False) are set to zero.
    """

    def __init__(self, num_joints: int, dims: int, features=("pos",), root: int = 0):
        super().__init__()
        unknown = set(features) - set(FEATURES)
        if unknown or not features:
            raise ValueError(f"unknown input features {sorted(unknown)}; expected a non-empty subset of {FEATURES}")
        self.features = tuple(features)
        self.root = root
        self.num_joints, self.dims = num_joints, dims
        iu = torch.triu_indices(num_joints, num_joints, offset=1)
        self.register_buffer("iu", iu, persistent=False)
        per = {"pos": num_joints * dims, "rel": num_joints * dims, "vel": num_joints * dims,
               "dist": num_joints * (num_joints - 1) // 2}
        self.out_dim = sum(per[f] for f in self.features)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[2] != self.num_joints or x.shape[3] != self.dims:
            raise ValueError(f"expected keypoints (B, T, {self.num_joints}, {self.dims}); found {tuple(x.shape)}")
        b, t = x.shape[:2]
        m = mask.to(x.dtype)[..., None, None]
        x = x * m
        out = []
        for f in self.features:
            if f == "pos":
                out.append(x.reshape(b, t, -1))
            elif f == "rel":
                out.append((x - x[:, :, self.root : self.root + 1]).reshape(b, t, -1))
            elif f == "vel":
                v = torch.zeros_like(x)
                v[:, 1:] = (x[:, 1:] - x[:, :-1]) * m[:, :-1]
                out.append(v.reshape(b, t, -1))
            elif f == "dist":
                d = (x[:, :, self.iu[0]] - x[:, :, self.iu[1]]).pow(2).sum(-1).clamp_min(1e-12).sqrt()
                out.append(d)
        return torch.cat(out, dim=-1) * mask.to(x.dtype)[..., None]
