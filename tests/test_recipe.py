"""The training recipe options: shear, time masking, joint/finger dropout (on real FPHA hands),
warm-up, mixup and the exponential moving average of weights."""

import numpy as np
import pytest
import torch

from signkit.config import load_config
from signkit.errors import ConfigError
from signkit.keypoints import build_transforms
from signkit.keypoints.transforms import RandomAffine, RandomJointDropout, RandomTimeMask
from signkit.training.module import SignClassifier


def test_shear_time_mask_and_finger_dropout_on_real_hands(fpha_train):
    seq = fpha_train.samples[3].sequence
    rng = np.random.default_rng(0)
    sheared = RandomAffine(rotation=0.0, scale=(1.0, 1.0), shift=0.0, jitter=0.0, shear=0.3)(seq, rng)
    # a shear is linear and keeps z; x and y change
    m, *_ = np.linalg.lstsq(seq.data.reshape(-1, 3), sheared.data.reshape(-1, 3), rcond=None)
    assert np.allclose(seq.data.reshape(-1, 3) @ m, sheared.data.reshape(-1, 3), atol=1e-2)
    assert np.allclose(sheared.data[..., 2], seq.data[..., 2], atol=1e-3) and not np.allclose(sheared.data, seq.data)
    for i in range(20):
        out = RandomTimeMask(0.25)(seq, np.random.default_rng(i))
        blank = np.isnan(out.data).all(axis=(1, 2))
        assert blank.sum() <= int(len(seq) * 0.25)
        if blank.any():
            idx = np.flatnonzero(blank)
            assert (np.diff(idx) == 1).all()  # one contiguous block
        assert (out.mask == (seq.mask & ~blank)).all()  # blanked frames count as missing
    dropped = RandomJointDropout(joint=0.0, finger=1.0 - 1e-9)(seq, np.random.default_rng(0))
    assert np.isnan(dropped.data[:, 1:]).all() and np.isfinite(dropped.data[:, 0]).all()  # the wrist is no finger
    assert RandomJointDropout(joint=1.0 - 1e-9)(seq, np.random.default_rng(0)) is seq  # never every joint
    some = [RandomJointDropout(finger=0.5)(seq, np.random.default_rng(i)) for i in range(10)]
    for out in some:
        gone = np.isnan(out.data).all(axis=(0, 2))
        for chain in seq.layout.fingers.values():  # a finger goes as a whole or not at all
            assert gone[list(chain)].all() or not gone[list(chain)].any()
    assert any(np.isnan(o.data).any() for o in some)
    tf = build_transforms({"num_frames": 32, "augment": {"time_mask": 0.2, "joint_dropout": 0.1, "shear": 0.1}},
                          train=True)
    assert tf(seq, np.random.default_rng(1)).data.shape == (32, 21, 3)


def test_warmup_then_cosine():
    model = torch.nn.Linear(2, 2)
    m = SignClassifier(model, 2, "adamw", lr=1e-2, schedule="cosine", epochs=10, warmup_epochs=3)
    cfg = m.configure_optimizers()
    opt, sched = cfg["optimizer"], cfg["lr_scheduler"]["scheduler"]
    lrs = []
    for _ in range(10):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1e-4) and lrs[0] < lrs[1] < lrs[2] < lrs[3]
    assert lrs[3] == pytest.approx(1e-2) and lrs[9] < lrs[5] < lrs[3]


class _Recorder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Linear(3, 2)
        self.seen = []

    def forward(self, x, mask):
        self.seen.append((x.detach().clone(), mask.clone()))
        return self.w(x.mean((1, 2)))


def test_mixup_mixes_pairs_of_the_batch_and_their_masks():
    rec = _Recorder()
    m = SignClassifier(rec, 2, mixup=0.4)
    m.log = lambda *a, **k: None
    x = torch.randn(4, 5, 7, 3)
    mask = torch.ones(4, 5, dtype=torch.bool)
    mask[0, 3:] = False
    batch = {"x": x, "mask": mask, "label": torch.tensor([0, 1, 0, 1])}
    torch.manual_seed(0)
    loss = m.training_step(batch, 0)
    mixed, mmask = rec.seen[-1]
    assert torch.isfinite(loss)
    # the same draws by hand: l ~ Beta(0.4, 0.4), then a permutation of the batch
    torch.manual_seed(0)
    lam = float(torch.distributions.Beta(0.4, 0.4).sample())
    perm = torch.randperm(4)
    assert 0 <= lam <= 1 and torch.allclose(mixed, lam * x + (1 - lam) * x[perm], atol=1e-6)
    assert torch.equal(mmask, mask | mask[perm])
    expect = lam * torch.nn.functional.cross_entropy(rec.w(mixed.mean((1, 2))), batch["label"]) + (1 - lam) * \
        torch.nn.functional.cross_entropy(rec.w(mixed.mean((1, 2))), batch["label"][perm])
    assert torch.allclose(loss, expect, atol=1e-6)
    assert (mmask >= mask).all()  # the union of the masks
    plain = SignClassifier(_Recorder(), 2)
    plain.log = lambda *a, **k: None
    plain.training_step(batch, 0)
    assert torch.equal(plain.model.seen[-1][0], x)


def test_ema_keeps_a_moving_average_and_is_what_is_validated():
    model = torch.nn.Linear(2, 2, bias=False)
    torch.nn.init.zeros_(model.weight)
    m = SignClassifier(model, 2, ema=0.5)
    assert m.eval_model is not model and not any(p.requires_grad for p in m.ema.parameters())
    for v in (1.0, 1.0, 1.0):
        with torch.no_grad():
            model.weight.fill_(v)
        m.on_train_batch_end(None, None, 0)
    # the first update copies; then 0.5 * ema + 0.5 * model
    assert torch.allclose(m.eval_model.weight, torch.ones(2, 2))
    with torch.no_grad():
        model.weight.fill_(3.0)
    m.on_train_batch_end(None, None, 0)
    assert torch.allclose(m.eval_model.weight, torch.full((2, 2), 2.0))
    opt = m.configure_optimizers()  # the optimizer trains the model, never the average
    assert opt.param_groups[0]["params"] == list(model.parameters())


def test_recipe_options_are_checked():
    with pytest.raises(ConfigError, match="train.ema"):
        load_config(None, ["train.ema=1.5"])
    with pytest.raises(ConfigError, match="train.mixup"):
        load_config(None, ["train.mixup=-1"])
    cfg = load_config(None, ["train.warmup_epochs=5", "train.mixup=0.2", "train.ema=0.999"])
    assert (cfg.train.warmup_epochs, cfg.train.mixup, cfg.train.ema) == (5, 0.2, 0.999)
