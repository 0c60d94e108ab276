"""Hand-shape images: datasets in their publishers' layouts, the 28x28 ResNet-18, MobileNetV2 weights."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT
from signkit.data import load_dataset
from signkit.data.images import load_image, read_sign_mnist_csv
from signkit.errors import CheckpointError, KeypointFileError
from signkit.models import create_model, list_models

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_sign_mnist_counts_and_labels(data_root):
    train, test = load_dataset("sign_mnist", "train"), load_dataset("sign_mnist", "test")
    assert len(train) == 27455 and len(test) == 7172
    assert len(train.vocabulary) == 24 and "J" not in train.vocabulary and "Z" not in train.vocabulary
    assert set(s.gloss for s in test.samples) <= set(train.vocabulary)
    img = train.image(0)
    assert img.shape == (28, 28) and img.dtype == np.uint8 and img.max() > 100


def test_sign_mnist_plain_csv_with_and_without_header(tmp_path, data_root):
    import gzip

    lines = gzip.open(data_root / "sign_mnist/sign_mnist_test.csv.gz", "rt").read().splitlines()[:6]
    (tmp_path / "h.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "n.csv").write_text("\n".join(lines[1:]) + "\n")
    a, la = read_sign_mnist_csv(tmp_path / "h.csv")
    b, lb = read_sign_mnist_csv(tmp_path / "n.csv")
    assert a.shape == b.shape == (5, 28, 28) and np.array_equal(a, b) and np.array_equal(la, lb)
    (tmp_path / "bad.csv").write_text("label,p1,p2\n1,2,3\n")
    with pytest.raises(KeypointFileError, match="expected 785"):
        read_sign_mnist_csv(tmp_path / "bad.csv")


def test_augmentation_translate_and_unknown_keys(data_root):
    from signkit.data.image_transforms import ImageTransform, image_transform_from

    img = load_dataset("sign_mnist", "test").image(0)  # (28, 28) uint8
    plain = ImageTransform(train=True, crop=1.0, rotation=0.0, color=0.0)
    moved = ImageTransform(train=True, crop=1.0, rotation=0.0, color=0.0, translate=0.2)
    a, b = plain(img, np.random.default_rng(0)), moved(img, np.random.default_rng(0))
    assert a.shape == b.shape == (1, 28, 28)
    assert torch.allclose(a, ImageTransform()(img), atol=1e-6)  # no crop/rotation/colour: the image itself
    assert (a - b).abs().mean() > 0.05  # shifted by up to 20 % of the side
    cfg = {"image_size": 28, "augment": {"crop": 0.9, "translate": 0.1}}
    assert image_transform_from(cfg, True).translate == 0.1 and not image_transform_from(cfg, False).train
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['shift'\].*expected crop"):
        image_transform_from({"augment": {"shift": 0.1}}, True)


def test_image_dataset_splits(data_root):
    digits_tr, digits_te = load_dataset("sign_language_digits", "train"), load_dataset("sign_language_digits", "test")
    assert len(digits_tr) + len(digits_te) == 2062 and len(digits_tr.vocabulary) == 10
    assert {s.id for s in digits_tr.samples}.isdisjoint({s.id for s in digits_te.samples})
    tr, te = load_dataset("silfa_letters", "train"), load_dataset("silfa_letters", "test")
    assert len(tr) + len(te) == 706 and len(tr.vocabulary) == 26

    def frame_id(s):
        return int(s.id.split("frame_")[1].split(".")[0])

    for g in tr.vocabulary:  # id blocks: every training frame precedes every test frame of a letter
        assert max(frame_id(s) for s in tr.samples if s.gloss == g) < min(frame_id(s) for s in te.samples if s.gloss == g)
    m_tr, m_te = load_dataset("asl_massey", "train", test_person=2), load_dataset("asl_massey", "test", test_person=2)
    assert {s.signer for s in m_te.samples} == {"hand2"} and "hand2" not in {s.signer for s in m_tr.samples}
    assert len(m_tr.vocabulary) == 36


def test_asl_alphabet_layout(tmp_path, data_root):
    src = sorted((data_root / "silfa_letters/images").glob("*/*.jpg"))
    for letter in ("A", "B"):
        d = tmp_path / "asl_alphabet_train" / letter
        d.mkdir(parents=True)
        for f in [p for p in src if p.parent.name == letter][:3]:
            (d / f.name).write_bytes(f.read_bytes())
    (tmp_path / "asl_alphabet_test").mkdir()
    (tmp_path / "asl_alphabet_test/A_test.jpg").write_bytes(src[-1].read_bytes())
    tr = load_dataset("asl_alphabet", "train", path=str(tmp_path))
    te = load_dataset("asl_alphabet", "test", path=str(tmp_path))
    assert len(tr) == 6 and tr.vocabulary == ["A", "B"] and len(te) == 1 and te.samples[0].gloss == "A"


def test_resnet18_28px_block_shapes():
    m = create_model("resnet18_28px", 24, in_chans=1, img_size=28).eval()
    x = torch.randn(2, 1, 28, 28)
    shapes = []
    h = m.stem(x)
    shapes.append(tuple(h.shape[1:]))
    for stage in (m.layer1, m.layer2, m.layer3, m.layer4):
        for blk in stage:
            h = blk(h)
            shapes.append(tuple(h.shape[1:]))
    assert shapes == [(64, 28, 28), (64, 28, 28), (64, 28, 28), (128, 14, 14), (128, 14, 14), (256, 7, 7),
                      (256, 7, 7), (512, 4, 4), (512, 4, 4)]
    assert all(s[1] >= 1 and s[2] >= 1 for s in shapes)
    assert not any(isinstance(l, (torch.nn.MaxPool2d, torch.nn.AvgPool2d, torch.nn.AdaptiveAvgPool2d))
                   for l in m.modules())
    projections = [blk for st in (m.layer2, m.layer3, m.layer4) for blk in st if blk.downsample is not None]
    assert len(projections) == 3 and all(blk.conv1.stride == (2, 2) for blk in projections)
    assert m(x).shape == (2, 24)


@pytest.mark.parametrize("name", sorted(list_models("image")))
def test_image_models_forward_backward(name):
    c, s = (3, 64) if name.startswith("mobilenet") else (1, 28)
    m = create_model(name, 10, in_chans=c, img_size=s, pretrained=False)
    x = torch.randn(4, c, s, s)
    out = m(x)
    out.sum().backward()
    assert out.shape == (4, 10) and torch.isfinite(out).all()


def test_mobilenetv2_loads_shared_weights_strictly(data_root, tmp_path):
    from safetensors.torch import load_file, save_file

    w = data_root.parent / "weights/mobilenet_v2_imagenet_features.safetensors"
    m = create_model("mobilenetv2_frozen", 5, in_chans=3, img_size=96)
    sd = load_file(str(w))
    own = m.state_dict()
    assert all(torch.equal(own[k], v) for k, v in sd.items())  # every tensor landed where it belongs
    assert not any(p.requires_grad for p in m.features.parameters()) and m.classifier[1].weight.requires_grad
    # round trip of a whole torchvision-format state_dict, through .pth (weights_only) and .safetensors
    full = create_model("mobilenetv2", 7, in_chans=3, img_size=96).state_dict()
    torch.save(full, tmp_path / "tv.pth")
    save_file({k: v.contiguous() for k, v in full.items()}, str(tmp_path / "tv.safetensors"))
    for f in ("tv.pth", "tv.safetensors"):
        m2 = create_model("mobilenetv2", 7, in_chans=3, img_size=96, checkpoint_path=str(tmp_path / f))
        assert all(torch.equal(m2.state_dict()[k], v) for k, v in full.items())
    bad = dict(sd)
    bad["features.0.0.weight"] = torch.zeros(8, 3, 3, 3)
    save_file(bad, str(tmp_path / "bad.safetensors"))
    with pytest.raises(CheckpointError, match="mis-shaped"):
        create_model("mobilenetv2", 5, in_chans=3, img_size=96, checkpoint_path=str(tmp_path / "bad.safetensors"))
    with pytest.raises(CheckpointError, match="missing"):
        create_model("mobilenetv2", 5, in_chans=3, img_size=96, width_mult=0.5, checkpoint_path=str(w))


def test_bad_images(tmp_path, data_root):
    from PIL import Image

    (tmp_path / "a.png").write_text("not an image")
    with pytest.raises(KeypointFileError, match="not a readable image"):
        load_image(tmp_path / "a.png")
    Image.new("L", (1, 1)).save(tmp_path / "tiny.png")
    with pytest.raises(KeypointFileError, match="1x1 pixels; expected at least 2x2"):
        load_image(tmp_path / "tiny.png")
    Image.new("LA", (30, 20)).save(tmp_path / "gray_alpha.png")
    Image.new("RGBA", (30, 20)).save(tmp_path / "rgba.png")
    assert load_image(tmp_path / "gray_alpha.png").shape == (20, 30, 3)
    assert load_image(tmp_path / "rgba.png").shape == (20, 30, 3)


def test_train_image_model_and_predict_an_image(tmp_path, data_root):
    env = {**os.environ, "GLOG_minloglevel": "2"}
    r = subprocess.run([sys.executable, "-m", "signkit.cli", "train", "model.name=lenet5", "data.name=silfa_letters",
                        "data.image_size=28", "data.channels=1", "data.val_fraction=0", "train.epochs=3",
                        "train.progress=lines", f"output_dir={tmp_path}", "name=letters", "data.augment={}"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    run = next((tmp_path / "letters").iterdir())
    m = json.loads((run / "test_metrics.json").read_text())
    assert m["n"] == len(load_dataset("silfa_letters", "test"))
    img = sorted((data_root / "silfa_letters/images/H").glob("*.jpg"))[-1]
    r = subprocess.run([sys.executable, "-m", "signkit.cli", "predict", str(run / "model.safetensors"), str(img),
                        "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)
    assert len(top) == 5 and all(len(t["gloss"]) == 1 for t in top)
    ev = subprocess.run([sys.executable, "-m", "signkit.cli", "evaluate", str(run / "model.safetensors"), "--json"],
                        capture_output=True, text=True, env=env, timeout=300)
    assert ev.returncode == 0 and json.loads(ev.stdout)["top1"] == pytest.approx(m["top1"], abs=1e-6)


def test_two_process_ddp_run_of_an_image_model(tmp_path, data_root):
    from conftest import free_port, signkit

    env = {"MASTER_PORT": str(free_port()), "MASTER_ADDR": "127.0.0.1"}
    r = signkit("train", str(ROOT / "configs/silfa_letters/lenet5.yaml"), "train.epochs=2", "train.devices=2",
                "train.strategy=ddp", "train.progress=lines", f"output_dir={tmp_path}", "name=ddp_img", env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    runs = list((tmp_path / "ddp_img").iterdir())
    assert len(runs) == 1 and (runs[0] / "model.safetensors").is_file()  # one run folder for both processes
    m = json.loads((runs[0] / "test_metrics.json").read_text())
    assert m["n"] == len(load_dataset("silfa_letters", "test"))  # rank 0 evaluates the whole test split
    assert "MEMBER: 1/2" in r.stdout + r.stderr  # Lightning: "Initializing distributed: GLOBAL_RANK: 0, MEMBER: 1/2"


def test_frozen_backbone_keeps_its_batchnorm_statistics(data_root):
    from signkit.models import create_model

    m = create_model("mobilenetv2_frozen", 10, in_chans=3, img_size=64).train()
    bn = m.features[0][1]
    before = bn.running_mean.clone()
    m(torch.randn(4, 3, 64, 64) * 3 + 1).sum().backward()
    assert not bn.training and torch.equal(bn.running_mean, before)  # frozen: ImageNet statistics kept
    assert m.classifier.training and m.classifier[1].weight.grad is not None
    s = create_model("mobilenetv2", 10, in_chans=3, img_size=64).train()
    assert s.features[0][1].training  # trained from scratch: batch norm trains as usual
