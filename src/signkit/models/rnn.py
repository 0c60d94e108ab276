"""Recurrent classifiers of keypoint sequences: SimpleRNN / GRU / LSTM, uni- or bidirectional.

Two source designs are presets of :class:`RNNClassifier`:

- deep bidirectional LSTM/GRU of skeleton keypoints: 3 recurrent layers, layer normalisation,
  dropout, two fully connected layers with ReLU, fixed 16-frame input (``bilstm_3l``, ``bigru_3l``);
- masked variable-length RNN/GRU/LSTM of 21-joint 3D hand poses (``rnn``, ``gru``, ``lstm``):
  padded frames are skipped with packed sequences, so they never change the output.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..keypoints import get_layout
from .features import KinematicFeatures
from .registry import register_model

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def run_masked_rnn(rnn: nn.Module, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Run a batch-first RNN over ``x (B, T, F)`` using only the first ``lengths[b]`` frames.

    Returns ``(B, T, H)``; outputs at padded steps are zero.
    """
    packed = pack_padded_sequence(x, lengths.cpu().clamp_min(1), batch_first=True, enforce_sorted=False)
    out, _ = rnn(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out


def last_valid(out: torch.Tensor, lengths: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """Summary of ``out (B, T, H)``: the forward half at the last real frame and, when
    bidirectional, the backward half at frame 0 (the final states of both directions). ``(B, H)``."""
    idx = (lengths - 1).clamp_min(0).to(out.device)
    fwd = out[torch.arange(out.shape[0], device=out.device), idx]
    if not bidirectional:
        return fwd
    h = out.shape[-1] // 2
    return torch.cat([fwd[:, :h], out[:, 0, h:]], dim=-1)


def masked_mean(out: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.to(out.dtype)[..., None]
    return (out * m).sum(1) / m.sum(1).clamp_min(1.0)


class RNNClassifier(nn.Module):
    """Stacked (bi)directional SimpleRNN/GRU/LSTM classifier with masking.

    Input ``x (B, T, J, C)`` and ``mask (B, T)`` (True = real frame, a contiguous prefix);
    output logits ``(B, num_classes)``. Per layer: RNN -> LayerNorm (optional) -> dropout.
    Head: Linear(H, head_hidden) -> ReLU -> dropout -> Linear(head_hidden, K).

    Args:
        cell: ``"rnn"``, ``"gru"`` or ``"lstm"``. hidden: units per direction. layers: depth.
        bidirectional, layer_norm, dropout: as named. features: see :class:`KinematicFeatures`.
        pooling: ``"last"`` (final states) or ``"mean"`` (masked mean over frames).
    """

    def __init__(self, num_classes: int, layout: str, cell: str = "lstm", hidden: int = 128, layers: int = 1,
                 bidirectional: bool = False, layer_norm: bool = False, dropout: float = 0.0,
                 head_hidden: int = 0, features=("pos",), pooling: str = "last"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; expected one of {sorted(CELLS)}")
        if pooling not in ("last", "mean"):
            raise ValueError(f"unknown pooling {pooling!r}; expected 'last' or 'mean'")
        lay = get_layout(layout)
        self.features = KinematicFeatures(lay.num_joints, lay.dims, features, lay.root)
        self.bidirectional, self.pooling = bidirectional, pooling
        d = 2 if bidirectional else 1
        self.rnns = nn.ModuleList()
        self.norms = nn.ModuleList()
        size = self.features.out_dim
        for _ in range(layers):
            self.rnns.append(CELLS[cell](size, hidden, batch_first=True, bidirectional=bidirectional))
            self.norms.append(nn.LayerNorm(hidden * d) if layer_norm else nn.Identity())
            size = hidden * d
        self.dropout = nn.Dropout(dropout)
        if head_hidden:
            self.head = nn.Sequential(nn.Linear(size, head_hidden), nn.ReLU(), nn.Dropout(dropout),
                                      nn.Linear(head_hidden, num_classes))
        else:
            self.head = nn.Linear(size, num_classes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        lengths = mask.sum(1)
        h = self.features(x, mask)
        for rnn, norm in zip(self.rnns, self.norms):
            h = self.dropout(norm(run_masked_rnn(rnn, h, lengths)))
        z = last_valid(h, lengths, self.bidirectional) if self.pooling == "last" else masked_mean(h, mask)
        return self.head(z)


_DEEP = dict(hidden=128, layers=3, bidirectional=True, layer_norm=True, dropout=0.3, head_hidden=128)
register_model("bilstm_3l", RNNClassifier, "deep bidirectional LSTM: 3 layers, layer norm, dropout, 2 FC + ReLU",
               cell="lstm", **_DEEP)
register_model("bigru_3l", RNNClassifier, "deep bidirectional GRU: 3 layers, layer norm, dropout, 2 FC + ReLU",
               cell="gru", **_DEEP)
_MASKED = dict(hidden=128, layers=2, bidirectional=False, layer_norm=False, dropout=0.2, head_hidden=0)
register_model("rnn", RNNClassifier, "masked variable-length SimpleRNN (tanh), 2 layers", cell="rnn", **_MASKED)
register_model("gru", RNNClassifier, "masked variable-length GRU, 2 layers", cell="gru", **_MASKED)
register_model("lstm", RNNClassifier, "masked variable-length LSTM, 2 layers", cell="lstm", **_MASKED)
# distillation students of the shipped whole-body gru (islr_signs): about 1/16 and 1/64 of its parameters
register_model("gru_tiny", RNNClassifier, "distillation student: gru with 1 layer of 24 (~1/16 of gru)",
               cell="gru", **{**_MASKED, "hidden": 24, "layers": 1})
register_model("gru_micro", RNNClassifier, "distillation student: gru with 1 layer of 6 (~1/64 of gru)",
               cell="gru", **{**_MASKED, "hidden": 6, "layers": 1})
