"""MobileNetV2 (Sandler et al. 2018) in plain torch with torchvision's parameter names, so that
torchvision-format ``state_dict``s (e.g. ``mobilenet_v2-b0353104.pth`` or the shared ImageNet
features in ``../shared/weights``) load strictly. Transfer learning: frozen backbone, last N
blocks unfrozen, new classifier head.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..errors import CheckpointError
from ..paths import data_root
from .image_cnn import parse_image_layout
from .registry import register_model

# t (expansion), c (channels), n (repeats), s (stride): torchvision's inverted_residual_setting
_SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


class ConvBNReLU(nn.Sequential):
    """torchvision's Conv2dNormActivation: keys ``0`` (conv), ``1`` (bn), ReLU6."""

    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1):
        super().__init__(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = int(round(cin * expand))
        self.use_res = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNReLU(cin, hidden, 1))
        layers += [ConvBNReLU(hidden, hidden, 3, stride, groups=hidden), nn.Conv2d(hidden, cout, 1, bias=False),
                   nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


def default_weights() -> Path | None:
    """``<data root>/../weights/mobilenet_v2_imagenet_features.safetensors`` when present."""
    try:
        p = data_root().parent / "weights" / "mobilenet_v2_imagenet_features.safetensors"
    except Exception:
        return None
    return p if p.is_file() else None


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state_dict from ``.safetensors`` or ``.pth``/``.pt`` (``weights_only=True``: no code runs).
    Unwraps ``{"state_dict": ...}``. Raises CheckpointError."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"weights file {str(path)!r} not found")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise CheckpointError(f"{path}: cannot be read as a weights-only torch file ({e})") from e
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise CheckpointError(f"{path}: expected a state_dict of tensors")
    return sd


class MobileNetV2(nn.Module):
    """MobileNetV2 with torchvision's names (``features.0`` ... ``features.18``, ``classifier.1``).

    Args:
        width_mult: width multiplier (1.0 = torchvision's default).
        weights: path to a torchvision-format state_dict (whole model or ``features.*`` only);
            ``"default"`` = the shared ImageNet features (``../shared/weights``), None = random init.
        freeze_backbone: freeze ``features``; ``unfreeze_last``: then unfreeze the last N blocks.
        dropout: before the new classifier.
    ``x (B, 3, H, W)`` ImageNet-normalised -> logits ``(B, K)``.
    """

    def __init__(self, num_classes: int, layout: str = "image:3x96x96", width_mult: float = 1.0,
                 weights: str | None = None, freeze_backbone: bool = False, unfreeze_last: int = 0,
                 dropout: float = 0.2):
        super().__init__()
        c, _, _ = parse_image_layout(layout)
        cin = _make_divisible(32 * width_mult)
        last = _make_divisible(1280 * max(1.0, width_mult))
        feats: list[nn.Module] = [ConvBNReLU(c, cin, 3, 2)]
        for t, ch, n, s in _SETTING:
            cout = _make_divisible(ch * width_mult)
            for i in range(n):
                feats.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        feats.append(ConvBNReLU(cin, last, 1))
        self.features = nn.Sequential(*feats)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))
        if weights:
            path = default_weights() if weights == "default" else Path(weights)
            if path is None:
                raise CheckpointError("weights='default' but ../shared/weights/mobilenet_v2_imagenet_features"
                                      ".safetensors was not found; pass weights=PATH")
            self.load_torchvision(path)
        if freeze_backbone:
            for p in self.features.parameters():
                p.requires_grad = False
            for blk in list(self.features)[len(self.features) - unfreeze_last:] if unfreeze_last else []:
                for p in blk.parameters():
                    p.requires_grad = True

    def train(self, mode: bool = True) -> "MobileNetV2":
        """As ``nn.Module.train``, except that batch-norm layers whose parameters are frozen stay in
        eval mode: a frozen backbone keeps its ImageNet running statistics instead of drifting to
        the new data's (Keras's transfer-learning guide does the same)."""
        super().train(mode)
        if mode:
            for m in self.features.modules():
                if isinstance(m, nn.BatchNorm2d) and not any(p.requires_grad for p in m.parameters()):
                    m.eval()
        return self

    def load_torchvision(self, path: str | Path) -> None:
        """Load a torchvision-format state_dict strictly: the whole model (a classifier of another
        size is skipped) or ``features.*`` only. Raises CheckpointError naming missing, unexpected
        or mis-shaped keys."""
        sd = read_state_dict(path)
        feats = {k[len("features."):]: v for k, v in sd.items() if k.startswith("features.")}
        other = [k for k in sd if not k.startswith(("features.", "classifier."))]
        if other:
            raise CheckpointError(f"{path}: unexpected keys {other[:5]} ({len(other)}); expected torchvision "
                                  f"MobileNetV2 keys features.* / classifier.*")
        own = self.features.state_dict()
        missing = sorted(set(own) - set(feats))
        unexpected = sorted(set(feats) - set(own))
        shapes = [f"features.{k}: file {tuple(v.shape)} vs model {tuple(own[k].shape)}"
                  for k, v in feats.items() if k in own and own[k].shape != v.shape]
        if missing or unexpected or shapes:
            raise CheckpointError(f"{path}: does not fit this MobileNetV2 (width_mult?): missing "
                                  f"{['features.' + k for k in missing[:5]]} ({len(missing)}), unexpected "
                                  f"{['features.' + k for k in unexpected[:5]]} ({len(unexpected)}), mis-shaped "
                                  f"{shapes[:3]} ({len(shapes)})")
        self.features.load_state_dict(feats, strict=True)
        head = {k[len("classifier."):]: v for k, v in sd.items() if k.startswith("classifier.")}
        if head and all(head[k].shape == v.shape for k, v in self.classifier.state_dict().items() if k in head):
            self.classifier.load_state_dict(head, strict=True)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1).flatten(1)
        return self.classifier(x)


register_model("mobilenetv2", MobileNetV2, "MobileNetV2, torchvision names, optional pretrained backbone", kind="image")
register_model("mobilenetv2_frozen", MobileNetV2, "MobileNetV2, shared ImageNet backbone frozen, new head", kind="image",
               weights="default", freeze_backbone=True)
