"""Every registered model: builds, forward/backward finite, permutation-equivariant, padding-invariant."""

import numpy as np
import pytest
import torch

from signkit.data import collate
from signkit.errors import UnknownNameError
from signkit.keypoints import build_transforms
from signkit.models import create_model, list_models


@pytest.fixture(scope="module")
def real_batch(fpha_train):
    tf = build_transforms({"num_frames": None}, train=False)  # variable length: real padding
    ds = fpha_train.with_transform(tf)
    idx = [0, 50, 120, 300, 450, 599]
    b = collate([ds[i] for i in idx])
    b["x"], b["mask"] = b["x"][:, :128], b["mask"][:, :128]  # keep the test fast; masks stay prefixes (33, 64, 88 frames padded)
    return b


@pytest.mark.parametrize("name", sorted(list_models("keypoints")))
def test_model_forward_backward_finite(name, real_batch):
    torch.manual_seed(0)
    model = create_model(name, num_classes=45, layout="fpha_hand21")
    out = model(real_batch["x"], real_batch["mask"])
    assert out.shape == (6, 45) and torch.isfinite(out).all()
    loss = torch.nn.functional.cross_entropy(out, real_batch["label"])
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(g.abs().sum() for g in grads) > 0


@pytest.mark.parametrize("name", sorted(list_models("keypoints")))
def test_permuting_batch_permutes_outputs(name, real_batch):
    torch.manual_seed(0)
    model = create_model(name, num_classes=45, layout="fpha_hand21").eval()
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        a = model(real_batch["x"], real_batch["mask"])
        b = model(real_batch["x"][perm], real_batch["mask"][perm])
    assert torch.allclose(a[perm], b, atol=1e-5)


@pytest.mark.parametrize("name", sorted(list_models("keypoints")))
def test_padding_frames_do_not_change_outputs(name, real_batch):
    torch.manual_seed(0)
    model = create_model(name, num_classes=45, layout="fpha_hand21").eval()
    x, mask = real_batch["x"], real_batch["mask"]
    x2 = torch.cat([x, torch.randn(x.shape[0], 37, 21, 3) * 5], 1)  # garbage in the padded frames
    m2 = torch.cat([mask, torch.zeros(x.shape[0], 37, dtype=torch.bool)], 1)
    with torch.no_grad():
        a, b = model(x, mask), model(x2, m2)
    assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()


def test_boston_layout_models():
    x, mask = torch.randn(2, 12, 3, 2), torch.ones(2, 12, dtype=torch.bool)
    for name in ("bilstm_3l", "bigru_3l", "gru", "tcn"):
        assert create_model(name, 112, "boston104_track3")(x, mask).shape == (2, 112)
    with pytest.raises(ValueError, match="finger groups"):
        create_model("hier_rnn", 112, "boston104_track3")


def test_presets_follow_the_papers():
    m = create_model("bilstm_3l", 45, "fpha_hand21")
    assert len(m.rnns) == 3 and all(r.bidirectional for r in m.rnns)
    assert all(isinstance(n, torch.nn.LayerNorm) for n in m.norms)
    fcs = [l for l in m.head if isinstance(l, torch.nn.Linear)]
    assert len(fcs) == 2 and any(isinstance(l, torch.nn.ReLU) for l in m.head)
    h = create_model("hier_rnn", 45, "fpha_hand21")
    assert len(h.fingers) == 5 and h.groups.shape == (5, 5)  # wrist + 4 joints per finger


def test_unknown_model_lists_known():
    with pytest.raises(UnknownNameError, match="unknown model 'resnet9000'.*bilstm_3l"):
        create_model("resnet9000", 10, "fpha_hand21")


def test_islr_transformer_late_dropout_starts_late():
    torch.manual_seed(0)
    model = create_model("islr_transformer_small", 5, "mp_hands42", dropout=0.0, drop_path=0.0, late_dropout=0.9,
                         late_dropout_start=0.5).train()
    x, mask = torch.randn(4, 10, 42, 3), torch.ones(4, 10, dtype=torch.bool)
    model.set_progress(0.2)  # before the start: training-mode outputs are deterministic
    assert torch.equal(model(x, mask), model(x, mask))
    model.set_progress(0.6)
    assert not torch.equal(model(x, mask), model(x, mask))
    assert model.blocks[3].__class__.__name__ == "_TransformerBlock" and len(model.blocks) == 8  # 2 x (3 conv + 1)


@pytest.mark.parametrize("layout", ["fpha_hand21", "mp_hands42", "boston104_track3", "sign_body57"])
def test_new_models_take_any_layout_and_ignore_padding(layout):
    """The Conv1D+Transformer and graph models on hand, two-hand, BOSTON and whole-body layouts:
    forward/backward, padded frames ignored, permutation-equivariant over the batch."""
    from signkit.keypoints import get_layout

    lay = get_layout(layout)
    torch.manual_seed(0)
    x = torch.randn(3, 16, lay.num_joints, lay.dims)
    mask = torch.ones(3, 16, dtype=torch.bool)
    mask[2, 5:] = False
    for name in ("islr_transformer", "islr_transformer_small", "stgcn_small", "slgcn_small", "slgcn_4s"):
        model = create_model(name, 4, layout)
        out = model(x, mask)
        out.sum().backward()
        assert out.shape == (3, 4) and all(p.grad is not None for p in model.parameters())
        model.eval()
        perm = torch.tensor([2, 0, 1])
        with torch.no_grad():
            a = model(x, mask)
            b = model(torch.cat([x, torch.randn(3, 4, lay.num_joints, lay.dims) * 9], 1),
                      torch.cat([mask, torch.zeros(3, 4, dtype=torch.bool)], 1))
            c = model(x[perm], mask[perm])
        assert torch.allclose(a, b, atol=1e-5) and torch.allclose(a[perm], c, atol=1e-5)


@pytest.mark.parametrize("name", ["islr_transformer_small", "stgcn_small", "slgcn_small", "slgcn_4s"])
def test_new_models_save_and_load_as_checkpoints(name, tmp_path):
    """A trained model must survive the checkpoint format (safetensors refuses tensors that share
    storage: the graph models' blocks once shared one adjacency tensor, so training crashed at its end)."""
    from signkit.checkpoint import load_checkpoint, save_checkpoint
    from signkit.kinds import InputSpec

    torch.manual_seed(0)
    model = create_model(name, 4, "fpha_hand21").eval()
    spec = InputSpec("keypoints", layout="fpha_hand21", joints=21, dims=3)
    path = save_checkpoint(tmp_path / "m.safetensors", model, model_name=name, model_args={}, vocabulary=list("abcd"),
                           spec=spec, preprocessing={}, config={})
    loaded, meta = load_checkpoint(path)
    x, mask = torch.randn(2, 12, 21, 3), torch.ones(2, 12, dtype=torch.bool)
    with torch.no_grad():
        assert torch.equal(model(x, mask), loaded(x, mask))
    assert meta["model"] == name


def test_graph_from_the_layout_and_streams():
    from dataclasses import replace

    from signkit.keypoints import get_layout, register_layout
    from signkit.models.gcn import skeleton_graph

    a, parent = skeleton_graph("fpha_hand21")
    assert a.shape == (3, 21, 21) and (np.diag(a[0]) > 0).all()
    # FPHA: the index MCP's parent is the wrist, the index tip's is its DIP (bones from the root out)
    assert parent[2] == 0 and parent[17] == 12 and parent[0] == 0
    assert a[1, 2, 0] > 0 and a[2, 0, 2] > 0 and a[1, 0, 2] == 0  # wrist is nearer the root than IMCP
    m = create_model("slgcn_4s", 3, "fpha_hand21")
    x = torch.randn(1, 5, 21, 3)
    mask = torch.ones(1, 5, dtype=torch.bool)
    bone = m.stream_input(x, mask, "bone")
    assert torch.allclose(bone[0, :, 17], x[0, :, 17] - x[0, :, 12]) and torch.all(bone[0, :, 0] == 0)
    motion = m.stream_input(x, mask, "joint_motion")
    assert torch.allclose(motion[0, 1:], x[0, 1:] - x[0, :-1]) and torch.all(motion[0, 0] == 0)
    register_layout(replace(get_layout("fpha_hand21"), name="no_bones_21", bones=()))
    with pytest.raises(ValueError, match="layout 'no_bones_21' has no bones; graph models"):
        create_model("stgcn", 3, "no_bones_21")
    with pytest.raises(ValueError, match="unknown streams"):
        create_model("stgcn", 3, "fpha_hand21", streams=("rgb",))


@pytest.mark.parametrize("teacher, student, layout, k, ratio", [
    ("islr_transformer_small", "islr_transformer_tiny", "fpha_hand21", 45, 16),
    ("islr_transformer_small", "islr_transformer_micro", "fpha_hand21", 45, 64),
    ("gru", "gru_tiny", "sign_body57", 2, 16), ("gru", "gru_micro", "sign_body57", 2, 64),
    ("landmark_mlp", "landmark_mlp_tiny", None, 24, 16), ("landmark_mlp", "landmark_mlp_micro", None, 24, 64)])
def test_student_presets_are_about_a_16th_and_a_64th(teacher, student, layout, k, ratio):
    def n(name):
        kw = {"layout": layout} if layout else {"num_joints": 21, "dims": 3}
        return sum(p.numel() for p in create_model(name, k, **kw).parameters())

    assert ratio * 0.85 <= n(teacher) / n(student) <= ratio * 1.2


def test_masked_batchnorm_eval_path_equals_the_masked_statistics_path():
    """islr_transformer's masked BatchNorm in eval mode runs on every frame and masks after (no
    boolean indexing, for fast ONNX graphs): the same values as normalising the real frames only."""
    import torch

    from signkit.models.islr_transformer import _MaskedBatchNorm

    torch.manual_seed(0)
    bn = _MaskedBatchNorm(8)
    x = torch.randn(3, 10, 8)
    mask = torch.ones(3, 10, dtype=torch.bool)
    mask[1, 4:] = False
    mask[2] = False  # no real frame at all
    bn.train()(x, mask)  # running statistics from the real frames
    bn.eval()
    want = torch.zeros_like(x)
    want[mask] = bn.bn(x[mask])
    got = bn(x, mask)
    assert torch.allclose(got, want, atol=1e-6) and not got[~mask].any()
