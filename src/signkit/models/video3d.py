"""Pixel models for video clips, after the thesis on deep and compact gesture models: a 3D-CNN
without pooling (``c3d``), an LSTM over flattened 4-frame blocks (``chunk_lstm``) and the joint
model, the 3D-CNN as an encoder of 4-frame blocks followed by an LSTM (``c3d_lstm``).

Input ``x (B, C, T, S, S)`` (C = ``in_chans`` streams/channels, T = ``frames``, S = ``img_size`` = 64
pixels), ``mask (B, T)`` (real frames first, zero-padded after); output logits ``(B, K)``. ``medium`` / ``small`` variants have
about 1/4 and 1/16 of the parameters (half / quarter width).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from .registry import register_model


def _check(in_chans: int, img_size: int, frames: int, block: int = 1) -> None:
    """Raise ValueError unless the clip shape can be built: in_chans >= 1, img_size >= 8 pixels,
    ``frames`` >= 1 and a multiple of ``block``."""
    for name, v, lo in (("in_chans", in_chans, 1), ("img_size", img_size, 8), ("frames", frames, 1)):
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise ValueError(f"expected {name} >= {lo} (an integer); found {v!r}")
    if frames % block:
        raise ValueError(f"data.num_frames={frames} is not a multiple of the {block}-frame block; expected a "
                         f"multiple of {block}")


def _conv(cin: int, cout: int, halve: bool, halve_time: bool) -> nn.Sequential:
    if halve:  # kernel 4, stride 2, padding 1 halves a size; time is halved only while it is >= 2
        kt, st, pt = (4, 2, 1) if halve_time else (1, 1, 0)
        conv = nn.Conv3d(cin, cout, (kt, 4, 4), (st, 2, 2), (pt, 1, 1), bias=False)
    else:  # kernel 3, stride 1, padding 1 keeps the size
        conv = nn.Conv3d(cin, cout, 3, 1, 1, bias=False)
    return nn.Sequential(conv, nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class C3DEncoder(nn.Module):
    """Six 3D convolutions with batch norm and ReLU, no pooling: halve, keep, halve, keep, halve, keep.
    ``(B, C, T, S, S)`` -> flattened ``(B, 4w * T/8 * S/8 * S/8)`` (time stops halving at 1)."""

    def __init__(self, in_channels: int, frames: int, size: int, width: int = 16):
        super().__init__()
        chans = [width, width, 2 * width, 2 * width, 4 * width, 4 * width]
        layers, cin, t, s = [], in_channels, frames, size
        for i, c in enumerate(chans):
            halve = i % 2 == 0
            layers.append(_conv(cin, c, halve, halve and t >= 2))
            if halve:
                t, s = (t // 2 if t >= 2 else t), s // 2
            cin = c
        self.net = nn.Sequential(*layers)
        self.out_dim = cin * t * s * s

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten(1)


class C3D(nn.Module):
    """``c3d``: :class:`C3DEncoder` over the whole clip -> FC ``hidden`` -> ReLU -> dropout -> FC K.
    Padded frames are zeros (the thesis zero-pads clips shorter than 32 frames)."""

    def __init__(self, num_classes: int, in_chans: int = 2, img_size: int = 64, frames: int = 32, width: int = 16,
                 hidden: int = 256, dropout: float = 0.5):
        super().__init__()
        _check(in_chans, img_size, frames)
        c, s = in_chans, img_size
        self.frames = frames
        self.encoder = C3DEncoder(c, frames, s, width)
        self.head = nn.Sequential(nn.Linear(self.encoder.out_dim, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                  nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if x.dim() != 5 or x.shape[2] != self.frames:
            raise ValueError(f"expected clips (B, C, {self.frames}, S, S); found {tuple(x.shape)}")
        if mask is not None:
            x = x * mask[:, None, :, None, None].to(x.dtype)
        return self.head(self.encoder(x))


def _blocks(x: torch.Tensor, mask: torch.Tensor | None, block: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, C, T, S, S)`` -> blocks ``(B, N, C, block, S, S)`` (padded frames zeroed) and block lengths
    ``(B,)`` (blocks with at least one real frame; the LSTM stops at the last of them)."""
    b, c, t, s, _ = x.shape
    if t % block:
        raise ValueError(f"the clip has {t} frames; expected a multiple of the {block}-frame block")
    n = t // block
    if mask is not None:  # padded frames are zeros whatever they held
        x = x * mask[:, None, :, None, None].to(x.dtype)
    xb = x.reshape(b, c, n, block, s, s).permute(0, 2, 1, 3, 4, 5)
    if mask is None:
        lengths = torch.full((b,), n, dtype=torch.long)
    else:
        lengths = mask.reshape(b, n, block).any(-1).sum(-1).clamp_min(1).cpu()
    return xb, lengths


class _BlockLSTM(nn.Module):
    def __init__(self, feat: int, num_classes: int, hidden: int):
        super().__init__()
        self.lstm = nn.LSTM(feat, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, num_classes)

    def forward(self, f: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(f, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.fc(h[-1])


class ChunkLSTM(nn.Module):
    """``chunk_lstm``: 4-frame blocks flattened -> linear ``embed`` -> ReLU -> batch norm -> LSTM
    ``hidden`` (last real block) -> FC K."""

    def __init__(self, num_classes: int, in_chans: int = 2, img_size: int = 64, frames: int = 32, block: int = 4,
                 embed: int = 512, hidden: int = 256):
        super().__init__()
        _check(in_chans, img_size, frames, block)
        c, s = in_chans, img_size
        self.block = block
        self.embed = nn.Linear(c * block * s * s, embed)
        self.bn = nn.BatchNorm1d(embed)
        self.rnn = _BlockLSTM(embed, num_classes, hidden)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        xb, lengths = _blocks(x, mask, self.block)
        b, n = xb.shape[:2]
        f = torch.relu(self.embed(xb.reshape(b * n, -1)))
        f = self.bn(f).reshape(b, n, -1)
        return self.rnn(f, lengths)


class C3DLSTM(nn.Module):
    """``c3d_lstm``: :class:`C3DEncoder` over each 4-frame block -> linear ``feature`` (512) -> ReLU ->
    LSTM ``hidden`` (256) -> FC K. Pre-training: ``model.checkpoint_path`` = a ``c3d`` checkpoint trained
    on 4-frame blocks (``data.num_frames=4``), whose encoder :meth:`load_pretrained` copies in."""

    def __init__(self, num_classes: int, in_chans: int = 2, img_size: int = 64, frames: int = 32, block: int = 4,
                 width: int = 16, feature: int = 512, hidden: int = 256):
        super().__init__()
        _check(in_chans, img_size, frames, block)
        c, s = in_chans, img_size
        self.block = block
        self.encoder = C3DEncoder(c, block, s, width)
        self.proj = nn.Sequential(nn.Linear(self.encoder.out_dim, feature), nn.ReLU(inplace=True))
        self.rnn = _BlockLSTM(feature, num_classes, hidden)

    def load_pretrained(self, sd: dict[str, torch.Tensor], path: str = "state dict") -> None:
        """Copy the ``encoder.*`` tensors of a block-level ``c3d`` (or ``c3d_lstm``) state dict (strict).

        Raises:
            CheckpointError: no encoder tensors, or an encoder that does not match this one.
        """
        from ..errors import CheckpointError

        state = {k[len("encoder."):]: v for k, v in sd.items() if k.startswith("encoder.")}
        if not state:
            raise CheckpointError(f"{path}: no encoder.* tensors; expected a c3d checkpoint trained on "
                                  f"{self.block}-frame blocks")
        try:
            self.encoder.load_state_dict(state, strict=True)
        except RuntimeError as e:
            raise CheckpointError(f"{path}: its encoder does not match c3d_lstm's: {' '.join(str(e).split())[:300]}") from None

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        xb, lengths = _blocks(x, mask, self.block)
        b, n = xb.shape[:2]
        f = self.proj(self.encoder(xb.reshape(b * n, *xb.shape[2:]))).reshape(b, n, -1)
        return self.rnn(f, lengths)


for _suffix, _w in (("", 1), ("_medium", 2), ("_small", 4)):
    register_model(f"c3d{_suffix}", C3D, f"3D-CNN on pixel clips (six 3D convs, no pooling), width 1/{_w}",
                   kind="clip", width=16 // _w, hidden=256 // _w)
    register_model(f"chunk_lstm{_suffix}", ChunkLSTM, f"LSTM over flattened 4-frame pixel blocks, width 1/{_w}",
                   kind="clip", embed=512 // (_w * _w), hidden=256 // _w)
    register_model(f"c3d_lstm{_suffix}", C3DLSTM, f"3D-CNN encoder of 4-frame blocks + LSTM, width 1/{_w}",
                   kind="clip", width=16 // _w, feature=512 // _w, hidden=256 // _w)
