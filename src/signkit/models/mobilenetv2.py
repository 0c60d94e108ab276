"""MobileNetV2 (Sandler et al. 2018) in plain torch with torchvision's parameter names, so that
torchvision-format ``state_dict``s (e.g. ``mobilenet_v2-b0353104.pth`` or the shared ImageNet
features in ``../shared/weights``) load strictly. Transfer learning: frozen backbone, last N
blocks unfrozen, new classifier head.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import CheckpointError
from .registry import register_model

IMAGENET_FEATURES = "mobilenet_v2_imagenet_features.safetensors"  # in the shared weights folder

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


class MobileNetV2(nn.Module):
    """MobileNetV2 with torchvision's names (``features.0`` ... ``features.18``, ``classifier.1``).

    Args:
        in_chans: input channels (3 for ImageNet weights). img_size: any (global average pooling).
        width_mult: width multiplier (1.0 = torchvision's default).
        freeze_backbone: freeze ``features``; ``unfreeze_last``: then unfreeze the last N blocks.
        dropout: before the new classifier.
    ``x (B, 3, H, W)`` ImageNet-normalised -> logits ``(B, K)``.

    Weights: ``create_model("mobilenetv2", pretrained=True)`` (the shared ImageNet features) or
    ``checkpoint_path=`` a torchvision-format state dict, through :meth:`load_pretrained`.
    """

    def __init__(self, num_classes: int, in_chans: int = 3, img_size: int = 96, width_mult: float = 1.0,
                 freeze_backbone: bool = False, unfreeze_last: int = 0, dropout: float = 0.2):
        super().__init__()
        if not (isinstance(in_chans, int) and in_chans >= 1 and isinstance(img_size, int) and img_size >= 8):
            raise ValueError(f"expected in_chans >= 1 and img_size >= 8; found {in_chans!r}, {img_size!r}")
        c = in_chans
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

    def load_pretrained(self, sd: dict[str, torch.Tensor], path: str = "state dict") -> None:
        """Load a torchvision-format state_dict strictly: the whole model (a classifier of another
        size is skipped) or ``features.*`` only. Raises CheckpointError naming missing, unexpected
        or mis-shaped keys. Frozen parameters stay frozen."""
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


register_model("mobilenetv2", MobileNetV2, "MobileNetV2, torchvision names, optional pretrained backbone", kind="image",
               pretrained_file=IMAGENET_FEATURES)
register_model("mobilenetv2_frozen", MobileNetV2, "MobileNetV2, shared ImageNet backbone frozen, new head", kind="image",
               pretrained_file=IMAGENET_FEATURES, pretrained=True, freeze_backbone=True)
