"""Hierarchical per-finger RNN for 21-joint hands.

Each finger's joints plus the wrist go through that finger's own RNN; the five per-frame outputs
are concatenated and fed to a hand-level RNN; its final state -> dropout -> dense
(the design of the hierarchical per-finger RNN paper for 3D hand-pose action recognition).
Padded frames are skipped with packed sequences.
"""

from __future__ import annotations

import torch
from torch import nn

from ..keypoints import get_layout
from .rnn import CELLS, last_valid, run_masked_rnn
from .registry import register_model


class HierarchicalFingerRNN(nn.Module):
    """``x (B, T, J, C)``, ``mask (B, T)`` -> logits ``(B, K)``.

    Args:
        layout: a layout with ``fingers`` (FPHA or MediaPipe hand); raises ValueError otherwise.
        cell: ``"rnn"``, ``"gru"`` or ``"lstm"``; finger_hidden / hand_hidden: units of the finger
        and hand RNNs; dropout before the dense layer.
    """

    def __init__(self, num_classes: int, layout: str, cell: str = "gru", finger_hidden: int = 32,
                 hand_hidden: int = 128, dropout: float = 0.3, velocity: bool = True):
        super().__init__()
        lay = get_layout(layout)
        if not lay.fingers:
            raise ValueError(f"hierarchical per-finger RNN needs a hand layout with finger groups; "
                             f"layout {lay.name!r} has none")
        groups = [[lay.root, *chain] for chain in lay.fingers.values()]
        self.register_buffer("groups", torch.tensor(groups), persistent=False)
        self.velocity = velocity
        in_dim = len(groups[0]) * lay.dims * (2 if velocity else 1)
        self.fingers = nn.ModuleList(CELLS[cell](in_dim, finger_hidden, batch_first=True) for _ in groups)
        self.hand = CELLS[cell](finger_hidden * len(groups), hand_hidden, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(hand_hidden, num_classes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        lengths = mask.sum(1)
        x = x * mask.to(x.dtype)[..., None, None]
        b, t = x.shape[:2]
        outs = []
        for g, rnn in zip(self.groups, self.fingers):
            f = x[:, :, g]
            f = f - f[:, :, :1]  # finger joints relative to the wrist of the same frame
            feats = [f.reshape(b, t, -1)]
            if self.velocity:
                v = torch.zeros_like(x[:, :, g])
                v[:, 1:] = x[:, 1:, g] - x[:, :-1, g]
                feats.append(v.reshape(b, t, -1) * mask.to(x.dtype)[..., None])
            outs.append(run_masked_rnn(rnn, torch.cat(feats, -1), lengths))
        h = run_masked_rnn(self.hand, torch.cat(outs, -1), lengths)
        return self.dense(self.dropout(last_valid(h, lengths, False)))


register_model("hier_rnn", HierarchicalFingerRNN, "hierarchical per-finger GRU -> hand GRU -> dropout -> dense",
               cell="gru")
register_model("hier_lstm", HierarchicalFingerRNN, "hierarchical per-finger LSTM -> hand LSTM -> dropout -> dense",
               cell="lstm")
