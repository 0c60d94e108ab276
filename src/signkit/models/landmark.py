"""The hand-landmark classifier: a small network on MediaPipe Hands' 21 landmarks of one image.

Input ``x (B, 21, 3)``: landmarks normalised for position, scale and handedness
(:func:`signkit.data.landmarks.normalise_landmarks`). Features are
the 63 coordinates plus, optionally, the 210 pairwise 3D distances between landmarks (invariant to
in-plane rotation), followed by an MLP with batch norm, ReLU and dropout. In the spirit of the
MediaPipe-landmark hand-shape classifiers of the fingerspelling literature (e.g. the SILFA source
repository's random forest on landmark coordinates).
"""

from __future__ import annotations

import torch
from torch import nn

from .registry import register_model


class LandmarkMLP(nn.Module):
    """``x (B, num_joints, dims)`` -> logits ``(B, K)`` (MediaPipe Hands: 21 landmarks x 3).

    Raises:
        ValueError: ``num_joints`` < 2 or ``dims`` < 1.
    """

    def __init__(self, num_classes: int, num_joints: int = 21, dims: int = 3, hidden=(256, 128), dropout: float = 0.2,
                 distances: bool = True):
        super().__init__()
        if not (isinstance(num_joints, int) and num_joints >= 2 and isinstance(dims, int) and dims >= 1):
            raise ValueError(f"expected num_joints >= 2 and dims >= 1; found {num_joints!r}, {dims!r}")
        self.distances = distances
        iu = torch.triu_indices(num_joints, num_joints, 1)
        self.register_buffer("pairs", iu, persistent=False)
        d = num_joints * dims + (iu.shape[1] if distances else 0)
        layers: list[nn.Module] = []
        for k in hidden:
            layers += [nn.Linear(d, k), nn.BatchNorm1d(k), nn.ReLU(), nn.Dropout(dropout)]
            d = k
        layers.append(nn.Linear(d, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        feats = [x.flatten(1)]
        if self.distances:
            diff = x[:, self.pairs[0]] - x[:, self.pairs[1]]
            feats.append(diff.norm(dim=-1))
        return self.net(torch.cat(feats, 1))


register_model("landmark_mlp", LandmarkMLP, "MLP on MediaPipe Hands' 21 normalised landmarks + pairwise distances",
               kind="landmarks")
# distillation students of the shipped fingerspelling model: about 1/16 and 1/64 of landmark_mlp
register_model("landmark_mlp_tiny", LandmarkMLP, "distillation student: landmark_mlp with one hidden layer of 24 "
               "(~1/16)", kind="landmarks", hidden=(24,))
register_model("landmark_mlp_micro", LandmarkMLP, "distillation student: landmark_mlp with one hidden layer of 6 "
               "(~1/64)", kind="landmarks", hidden=(6,))
