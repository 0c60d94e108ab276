"""The hand-landmark classifier: a small network on MediaPipe Hands' 21 landmarks of one image.

Input ``x (B, 21, 3)``: landmarks normalised for position, scale and handedness
(:func:`signkit.data.hand_landmarks.normalise_landmarks`), layout ``"landmarks:21x3"``. Features are
the 63 coordinates plus, optionally, the 210 pairwise 3D distances between landmarks (invariant to
in-plane rotation), followed by an MLP with batch norm, ReLU and dropout. In the spirit of the
MediaPipe-landmark hand-shape classifiers of the fingerspelling literature (e.g. the SILFA source
repository's random forest on landmark coordinates).
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import LayoutMismatchError
from .registry import register_model


class LandmarkMLP(nn.Module):
    """``x (B, 21, 3)`` -> logits ``(B, K)``.

    Raises:
        LayoutMismatchError: ``layout`` is not ``"landmarks:21x3"``.
    """

    def __init__(self, num_classes: int, layout: str = "landmarks:21x3", hidden=(256, 128), dropout: float = 0.2,
                 distances: bool = True):
        super().__init__()
        if layout != "landmarks:21x3":
            raise LayoutMismatchError(f"landmark models need layout 'landmarks:21x3' (a dataset with view: landmarks); "
                                      f"found {layout!r}")
        self.distances = distances
        iu = torch.triu_indices(21, 21, 1)
        self.register_buffer("pairs", iu, persistent=False)
        d = 63 + (iu.shape[1] if distances else 0)
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
