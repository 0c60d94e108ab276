"""Hand-shape image classifiers for small grayscale images (Sign-MNIST 28x28).

Every image model takes ``in_chans`` (1 grayscale, 3 RGB) and ``img_size`` (side in pixels), as in
timm, and maps ``x (B, in_chans, img_size, img_size)`` to logits ``(B, K)``.
"""

from __future__ import annotations

import torch
from torch import nn

from .registry import register_model


def check_image_input(in_chans: int, img_size: int, smallest: int = 1) -> None:
    """Raise ValueError unless ``in_chans`` >= 1 and ``img_size`` >= ``smallest`` (integers)."""
    if not (isinstance(in_chans, int) and in_chans >= 1 and isinstance(img_size, int) and img_size >= smallest):
        raise ValueError(f"expected in_chans >= 1 and img_size >= {smallest} pixels; found in_chans={in_chans!r}, "
                         f"img_size={img_size!r}")


class MLP(nn.Module):
    """Flatten -> Linear(hidden) -> ReLU -> dropout -> ... -> Linear(K). ``x (B, C, H, W)`` -> ``(B, K)``."""

    def __init__(self, num_classes: int, in_chans: int = 1, img_size: int = 28, hidden=(512, 256), dropout: float = 0.2):
        super().__init__()
        check_image_input(in_chans, img_size)
        c, h, w = in_chans, img_size, img_size
        layers, d = [nn.Flatten()], c * h * w
        for k in hidden:
            layers += [nn.Linear(d, k), nn.ReLU(), nn.Dropout(dropout)]
            d = k
        layers.append(nn.Linear(d, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x)


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998) for 28x28: conv5(6, pad 2) -> pool -> conv5(16) -> pool -> 120 -> 84 -> K."""

    def __init__(self, num_classes: int, in_chans: int = 1, img_size: int = 28):
        super().__init__()
        check_image_input(in_chans, img_size, 12)
        c, h, w = in_chans, img_size, img_size
        self.features = nn.Sequential(nn.Conv2d(c, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        with torch.no_grad():
            n = self.features(torch.zeros(1, c, h, w)).numel()
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(n, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, num_classes))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.classifier(self.features(x))


class BasicBlock(nn.Module):
    """ResNet basic block: two 3x3 convolutions with batch norm; an identity shortcut, or a 1x1
    stride-2 projection ("convolutional block") where the width doubles."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + idt)


class ResNet18Small(nn.Module):
    """ResNet-18 adapted to 28x28 grayscale (the Sign-MNIST ResNet-18 source work): a 3x3 stem,
    four stages of two blocks with 64 -> 128 -> 256 -> 512 filters, stride-2 convolutions with a
    projection shortcut where the width doubles, **no max or average pooling** (28 -> 28 -> 14 -> 7
    -> 4, never below 1x1), flatten, dense layer (softmax in the loss).

    ``x (B, C, H, W)`` -> logits ``(B, K)``.
    """

    def __init__(self, num_classes: int, in_chans: int = 1, img_size: int = 28, width: int = 64):
        super().__init__()
        check_image_input(in_chans, img_size)
        c, h, w = in_chans, img_size, img_size
        self.stem = nn.Sequential(nn.Conv2d(c, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        chans = [width, 2 * width, 4 * width, 8 * width]
        stages, cin = [], width
        for i, co in enumerate(chans):
            stages.append(nn.Sequential(BasicBlock(cin, co, 1 if i == 0 else 2), BasicBlock(co, co, 1)))
            cin = co
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        with torch.no_grad():
            n = self.features(torch.zeros(1, c, h, w)).numel()
        self.fc = nn.Linear(n, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.fc(torch.flatten(self.features(x), 1))


register_model("mlp", MLP, "multilayer perceptron baseline for small images (512-256)", kind="image")
register_model("lenet5", LeNet5, "LeNet-5 baseline (LeCun et al. 1998)", kind="image")
register_model("resnet18_28px", ResNet18Small, "ResNet-18 adapted to 28x28 (no pooling, 64-128-256-512)", kind="image")
