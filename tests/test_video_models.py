"""Pixel video models on real clips: SILFA letters read as clips (3 letters, to keep it quick) and
WLASL videos as a smoke test of the decoding path."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from conftest import signkit

CLIP_MODELS = ["c3d", "c3d_medium", "c3d_small", "chunk_lstm_small", "c3d_lstm", "c3d_lstm_small"]


@pytest.fixture(scope="module")
def silfa3():
    from signkit.kinds import open_dataset as load_dataset

    tr = load_dataset("silfa_clips", "train", letters="ABJ", num_frames=16)
    te = load_dataset("silfa_clips", "test", letters="ABJ", num_frames=16)
    return tr, te


@pytest.fixture(scope="module")
def clip_batch(silfa3):
    from signkit.data.clips import clip_collate

    tr, _ = silfa3
    return clip_collate([tr[i] for i in range(0, len(tr), max(1, len(tr) // 6))][:6])


def test_silfa_clips_split_by_id_blocks(silfa3):
    tr, te = silfa3
    assert tr.vocabulary == ["A", "B", "J"] and len(tr) > 0 and len(te) > 0
    frames = lambda ds: {(s.gloss, j) for s in ds.samples for j in range(s.start, s.start + s.length)}  # noqa: E731
    assert not frames(tr) & frames(te)  # a test clip never shares a frame with a training clip
    assert all(8 >= s.length >= 4 for s in tr.samples + te.samples)
    it = tr[0]
    assert it["x"].shape == (2, 16, 64, 64) and it["x"].dtype == torch.float32
    assert 0 <= float(it["x"].min()) and float(it["x"].max()) <= 1
    assert int(it["mask"].sum()) == tr.samples[0].length and not it["mask"][tr.samples[0].length:].any()
    assert float(it["x"][:, tr.samples[0].length:].abs().sum()) == 0  # zero-padded after the clip
    # the crops are real images: the hand stream of a held letter varies little between neighbouring frames
    a = tr.clip_array(0).astype(np.float32)
    assert a.std() > 10 and np.abs(a[1] - a[0]).mean() < a.std()


def test_crop_boxes_follow_the_thesis():
    from signkit.video.pixels import L_HIP, L_SHOULDER, L_WRIST, NOSE, R_HIP, R_SHOULDER, R_WRIST, crop_boxes

    xy = np.full((3, 33, 2), 100.0, np.float32)
    vis = np.ones((3, 33), np.float32)
    xy[:, NOSE] = (200, 100)
    xy[:, L_HIP], xy[:, R_HIP] = (180, 300), (220, 300)
    xy[:, L_SHOULDER], xy[:, R_SHOULDER] = (170, 160), (230, 160)
    xy[:, L_WRIST], xy[:, R_WRIST] = (150, 120), (250, 280)  # the left hand is higher: dominant
    b = crop_boxes(xy, vis, 400, 400)
    h = 200.0  # |hip centre (200, 300) - head (200, 100)|
    assert b["upper"] == pytest.approx((200 - h, 300 - 1.4 * h, 200 + h, 300 + 0.7 * h))
    assert b["hand_side"] == "left" and b["hips"] == "visible"
    assert b["hand"] == pytest.approx((150 - h / 4, 120 - h / 4, 150 + h / 4, 120 + h / 4))
    vis[:, [L_HIP, R_HIP]] = 0.1  # hips not visible: estimated from shoulders and nose, and said so
    b = crop_boxes(xy, vis, 400, 400)
    assert b["hips"] == "estimated"


@pytest.mark.parametrize("name", CLIP_MODELS)
def test_clip_models_forward_backward(name, clip_batch):
    from signkit.models import create_model

    m = create_model(name, num_classes=3, in_chans=2, img_size=64, frames=16)
    out = m(clip_batch["x"], clip_batch["mask"])
    assert out.shape == (len(clip_batch["x"]), 3) and torch.isfinite(out).all()
    out.logsumexp(-1).mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters() if p.requires_grad)
    m.eval()
    with torch.no_grad():  # what padded frames hold is ignored
        x2 = clip_batch["x"].clone()
        x2[~clip_batch["mask"][:, None, :, None, None].expand_as(x2)] = 0.7
        assert (~clip_batch["mask"]).any()
        assert torch.allclose(m(clip_batch["x"], clip_batch["mask"]), m(x2, clip_batch["mask"]), atol=1e-5)


def test_c3d_architecture_six_convs_no_pooling():
    from signkit.models import create_model

    m = create_model("c3d", num_classes=26, in_chans=1, img_size=64, frames=32)
    convs = [x for x in m.modules() if isinstance(x, nn.Conv3d)]
    assert len(convs) == 6 and not any(isinstance(x, (nn.MaxPool3d, nn.AvgPool3d)) for x in m.modules())
    assert [c.stride for c in convs] == [(2, 2, 2), (1, 1, 1)] * 3
    assert [c.kernel_size for c in convs] == [(4, 4, 4), (3, 3, 3)] * 3
    x = torch.zeros(1, 1, 32, 64, 64)
    for layer in m.encoder.net:
        x = layer(x)
    assert x.shape[2:] == (4, 8, 8)  # 32x64x64 halved three times
    small = create_model("c3d_small", num_classes=26, in_chans=1, img_size=64, frames=32)
    medium = create_model("c3d_medium", num_classes=26, in_chans=1, img_size=64, frames=32)
    n = lambda mod: sum(p.numel() for p in mod.parameters())  # noqa: E731
    assert 3 < n(m) / n(medium) < 5 and 12 < n(m) / n(small) < 20  # about 1/4 and 1/16


def test_train_c3d_lstm_with_pretrained_encoder_and_evaluate(tmp_path, data_root):
    r = signkit("train", "configs/silfa_clips/c3d.yaml", "model.name=c3d_small", "data.num_frames=4",
                "data.options.letters=ABJ", "train.epochs=1", f"output_dir={tmp_path}",
                "name=blocks")
    assert r.returncode == 0, r.stderr[-3000:]
    enc = next((tmp_path / "blocks").glob("*/model.safetensors"))
    r = signkit("train", "configs/silfa_clips/c3d_lstm.yaml", "model.name=c3d_lstm_small",
                f"model.checkpoint_path={enc}", "data.options.letters=ABJ", "train.epochs=1",
                f"output_dir={tmp_path}", "name=joint")
    assert r.returncode == 0, r.stderr[-3000:]
    ck = next((tmp_path / "joint").glob("*/model.safetensors"))
    enc.unlink()  # the trained checkpoint no longer needs the encoder's file
    ev = json.loads(signkit("evaluate", str(ck), "--json").stdout)
    res = json.loads(next((tmp_path / "joint").glob("*/result.json")).read_text())
    assert ev["top1"] == pytest.approx(res["metrics"]["top1"]) and ev["n"] > 0
    r = signkit("predict", str(ck), str(data_root / "videos/fingerspelling/finger.mp4"), "--json", "--top-k", "3")
    assert r.returncode == 0, r.stderr[-2000:]
    top = json.loads(r.stdout)
    assert len(top) == 3 and {t["gloss"] for t in top} == {"A", "B", "J"}
    assert sum(t["probability"] for t in top) == pytest.approx(1.0, abs=1e-4)


def test_wlasl_videos_and_frame_folders_as_clips(tmp_path, data_root):
    from PIL import Image

    from signkit.kinds import open_dataset as load_dataset
    from signkit.video.decode import iter_frames

    root = tmp_path / "clips"
    for g in ("deaf", "abdomen"):
        (root / g).mkdir(parents=True)
        for v in sorted((data_root / "videos/wlasl" / g).glob("*.mp4"))[:2]:
            (root / g / v.name).symlink_to(v)
    frames_dir = root / "deaf" / "as_frames"  # the same kind of clip as a folder of frames
    frames_dir.mkdir()
    src = sorted((data_root / "videos/wlasl/deaf").glob("*.mp4"))[0]
    for k, f in enumerate(iter_frames(src)):
        Image.fromarray(f).save(frames_dir / f"{k:04d}.jpg")
    ds = load_dataset("video_clips", "all", path=str(root), num_frames=32, streams="hand")
    assert len(ds) == 5 and ds.vocabulary == ["abdomen", "deaf"]
    for i in range(len(ds)):
        it = ds[i]
        assert it["x"].shape == (1, 32, 64, 64) and it["mask"].sum() >= 4
    a = ds.crops(str(src))["hand"].astype(np.float32)
    b = ds.crops(str(frames_dir))["hand"].astype(np.float32)
    assert a.shape == b.shape and np.abs(a - b).mean() < 12  # JPEG round trip: nearly the same crops
    r = signkit("train", "configs/silfa_clips/c3d.yaml", "model.name=c3d_small", "data.name=video_clips",
                f"data.options={{path: {root}, streams: hand, test_fraction: 0.5}}", "data.num_frames=16",
                "train.epochs=1", f"output_dir={tmp_path}", "name=wlasl")
    assert r.returncode == 0, r.stderr[-3000:]


def test_clip_errors(tmp_path, silfa3):
    from signkit.kinds import open_dataset as load_dataset
    from signkit.errors import SignkitError

    tr, _ = silfa3
    short = tr.subset([0])
    short.samples[0] = type(short.samples[0])(**{**short.samples[0].__dict__, "length": 2})
    with pytest.raises(SignkitError, match="expected at least 4"):
        short[0]
    with pytest.raises(SignkitError, match="unknown pixel stream"):
        load_dataset("silfa_clips", "train", streams="face")
    with pytest.raises(SignkitError, match="no letter"):
        load_dataset("silfa_clips", "train", letters="A1")
    (tmp_path / "g" / "empty").mkdir(parents=True)
    ds = load_dataset("video_clips", "all", path=str(tmp_path))
    with pytest.raises(SignkitError, match="no frames"):
        ds[0]
