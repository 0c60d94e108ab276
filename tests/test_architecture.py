"""The architecture of issue 13: one shape for every input kind.

- export (ONNX fp32, fp16, int8 where it applies), bench and ``predict`` of the ONNX file work for a
  checkpoint of every kind (FPHA keypoints, Sign-MNIST image, SILFA landmarks, SILFA clips), with
  ONNX Runtime's logits within 1e-4 of PyTorch's on real inputs;
- the epoch reaches persistent DataLoader workers, so two epochs draw different augmentations;
- config values keep their YAML types, unknown keys list the allowed ones, and a second frame count
  cannot be written.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from conftest import ROOT, signkit

# one quick checkpoint per input kind: (config, overrides) trained for one epoch on real data
KIND_RUNS = {
    "keypoints": ("configs/fpha/tcn.yaml", ["model.name=tcn_small", "data.num_frames=16"]),
    "image": ("configs/sign_mnist/lenet5.yaml", ["data.options.per_class=20"]),
    "landmarks": ("configs/silfa_letters/landmark_mlp.yaml", []),
    "clip": ("configs/silfa_clips/c3d.yaml", ["model.name=c3d_small", "data.num_frames=4",
                                              "data.options.letters=ABJ"]),
}


def _inputs(kind: str, data_root, tmp_path) -> list[str]:
    """Two real input files of each kind."""
    if kind == "keypoints":
        return [str(p) for p in sorted((data_root / "fpha").rglob("skeleton.txt"))[:2]]
    if kind == "image":
        from PIL import Image

        from signkit.data import load_dataset

        ds = load_dataset("sign_mnist", "test")
        out = []
        for i in (0, 1):
            p = tmp_path / f"sign_mnist_{i}.png"
            Image.fromarray(ds.image(i)).save(p)
            out.append(str(p))
        return out
    if kind == "landmarks":
        return [str(sorted((data_root / "silfa_letters/images" / g).glob("*.jpg"))[-1]) for g in ("A", "L")]
    return [str(data_root / "videos/fingerspelling/finger.mp4"),
            str(data_root / "silfa_letters/images/B")]  # a video and a folder of frames


@pytest.fixture(scope="module", params=sorted(KIND_RUNS))
def kind_checkpoint(request, tmp_path_factory, data_root):
    import signkit as sk

    kind = request.param
    config, ov = KIND_RUNS[kind]
    out = tmp_path_factory.mktemp(f"runs_{kind}")
    r = sk.train(str(ROOT / config), [*ov, "train.epochs=1", "train.progress=none", f"output_dir={out}",
                                      f"name={kind}"], verbose=False)
    return kind, r["checkpoint"], _inputs(kind, data_root, out)


def test_export_bench_predict_for_every_kind(kind_checkpoint):
    from signkit import api
    from signkit.inference import Recognizer

    kind, ckpt, files = kind_checkpoint
    rec = Recognizer(ckpt)
    assert rec.spec.kind == kind and type(rec).__name__.lower().startswith(kind[:5])
    x = [rec.read(f) for f in files]
    batch = rec.kind.preprocess(x, rec.meta)
    with torch.no_grad():
        ref = rec.model(batch["x"], batch.get("mask")).numpy()
    assert ref.shape == (2, len(rec.vocabulary)) and np.isfinite(ref).all()

    exported = {}
    for label, kw in (("fp32", {}), ("fp16", {"fp16": True}), ("int8", {"int8": True})):
        r = api.export(ckpt, **kw)
        exported[label] = r["path"]
        onnx_rec = Recognizer(r["path"])
        assert type(onnx_rec) is type(rec) and onnx_rec.vocabulary == rec.vocabulary
        got = onnx_rec.model(batch["x"], batch.get("mask")).numpy()
        if label == "fp32":
            assert np.abs(got - ref).max() < 1e-4, f"{kind}: ONNX fp32 logits differ by {np.abs(got - ref).max()}"
        elif label == "fp16":  # weights stored in half precision: close, and mostly the same prediction
            assert np.abs(got - ref).max() < 5e-2 * max(1.0, np.abs(ref).max())
        else:
            assert got.shape == ref.shape and np.isfinite(got).all()
        if label == "fp32":
            assert r["bytes"] > 0
    # the CLI predicts with the ONNX file exactly as with the checkpoint
    for f in files[:1]:
        a = signkit("predict", ckpt, f, "--json", "--top-k", "3")
        b = signkit("predict", exported["fp32"], f, "--json", "--top-k", "3")
        assert a.returncode == 0 and b.returncode == 0, a.stderr[-2000:] + b.stderr[-2000:]
        ta, tb = json.loads(a.stdout), json.loads(b.stdout)
        assert [t["gloss"] for t in ta] == [t["gloss"] for t in tb]
        assert all(abs(p["probability"] - q["probability"]) < 1e-4 for p, q in zip(ta, tb))
    # bench: both runtimes, fp32 and fp16, run for this kind (int8 export is checked above; bench's int8 row
    # repeats that calibration)
    res = api.bench(ckpt, batch=4, repeats=5, precisions=("fp32", "fp16"))
    rows = {(row["runtime"], row["precision"]): row for row in res["rows"]}
    assert set(rows) == {("pytorch", "fp32"), ("pytorch", "fp16"), ("onnxruntime", "fp32"), ("onnxruntime", "fp16")}
    for key in (("pytorch", "fp32"), ("onnxruntime", "fp32"), ("onnxruntime", "fp16")):
        assert "error" not in rows[key], (kind, key, rows[key])
        assert rows[key]["latency_ms_median"] > 0
    assert res["input_shape"] == tuple(rec.kind.example_inputs(rec.spec, 1)[0].shape[1:])


def test_evaluate_prune_distill_for_every_kind(kind_checkpoint, tmp_path):
    from signkit import api
    from signkit.checkpoint import read_checkpoint_meta

    kind, ckpt, _ = kind_checkpoint
    m = api.evaluate(ckpt)
    assert m["top1"] == pytest.approx(read_checkpoint_meta(ckpt)["metrics"]["top1"]) and m["n"] > 0
    onnx = api.export(ckpt, tmp_path / "m.onnx")["path"]
    assert api.evaluate(onnx)["top1"] == pytest.approx(m["top1"], abs=1.5 / m["n"])  # at most one sample flips
    r = api.prune(ckpt, tmp_path / "pruned.safetensors", sparsity=0.5, verbose=False)
    assert r["top1_before"] == pytest.approx(m["top1"]) and 0.45 < r["report"]["sparsity"] < 0.55
    meta = read_checkpoint_meta(r["path"])
    assert meta["kind"] == kind and meta["input"] == read_checkpoint_meta(ckpt)["input"]
    config, ov = KIND_RUNS[kind]
    d = api.distill(ckpt, str(ROOT / config), [*ov, "train.epochs=1", "train.progress=none",
                                                f"output_dir={tmp_path}", "name=student"], verbose=False)
    assert d["metrics"]["teacher"] == str(ckpt) and read_checkpoint_meta(d["checkpoint"])["kind"] == kind


def test_read_input_dispatch(data_root, tmp_path):
    from PIL import Image

    from signkit.errors import KeypointFileError
    from signkit.inference import read_input
    from signkit.keypoints import KeypointSequence

    skel = sorted((data_root / "fpha").rglob("skeleton.txt"))[0]
    assert isinstance(read_input(skel), KeypointSequence) and read_input(skel).layout.name == "fpha_hand21"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    assert read_input(tmp_path / "a.png").shape == (8, 8, 3)
    video = data_root / "videos/fingerspelling/finger.mp4"
    assert read_input(video) == video  # a clip: recognisers read it their way
    with pytest.raises(KeypointFileError, match=r"unsupported file type '.xyz'; expected keypoints"):
        read_input(tmp_path / "a.xyz")
    with pytest.raises(KeypointFileError, match="file not found"):
        read_input(tmp_path / "missing.mp4")


def test_epoch_reaches_persistent_workers(fpha_train):
    """Two epochs draw different augmentations in worker processes (num_workers=2, persistent), and
    each worker draws what the main process would draw for that epoch."""
    from torch.utils.data import DataLoader

    from signkit.config import DataConfig
    from signkit.kinds import get_kind

    kind = get_kind("keypoints")
    d = DataConfig(num_frames=16)
    ds = fpha_train.subset(list(range(8))).with_transform(kind.transforms(d.preprocessing(), kind.augment(d)))
    loader = DataLoader(ds, batch_size=4, num_workers=2, persistent_workers=True, collate_fn=kind.collate)
    seen = []
    for epoch in (0, 1):
        ds.set_epoch(epoch)
        seen.append(torch.cat([b["x"] for b in loader]))
    assert seen[0].shape == seen[1].shape == (8, 16, 21, 3)
    assert not torch.allclose(seen[0], seen[1])  # a new augmentation in the second epoch
    ds.set_epoch(1)  # the workers drew exactly what the main process draws for epoch 1
    main = kind.collate([ds[i] for i in range(8)])["x"]
    assert torch.equal(seen[1], main)


def test_epoch_seed_callback_in_lightning_with_workers(fpha_train, tmp_path):
    """The same through Lightning: EpochSeed sets the epoch before each epoch's workers draw."""
    import lightning as L
    from torch.utils.data import DataLoader

    from signkit.config import DataConfig
    from signkit.kinds import get_kind
    from signkit.training.callbacks import EpochSeed

    kind = get_kind("keypoints")
    d = DataConfig(num_frames=8)
    ds = fpha_train.subset(list(range(4))).with_transform(kind.transforms(d.preprocessing(), kind.augment(d)))

    class Recorder(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.batches = []

        def training_step(self, batch, i):
            self.batches.append((self.current_epoch, batch["x"].clone()))
            return (self.w * batch["x"].mean()).sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

    m = Recorder()
    loader = DataLoader(ds, batch_size=4, num_workers=2, persistent_workers=True, collate_fn=kind.collate)
    L.Trainer(max_epochs=2, accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False,
              enable_model_summary=False, callbacks=[EpochSeed(ds)], default_root_dir=str(tmp_path)).fit(m, loader)
    (e0, x0), (e1, x1) = m.batches
    assert (e0, e1) == (0, 1) and not torch.allclose(x0, x1)


def test_config_values_keep_their_yaml_types(tmp_path):
    from signkit.config import load_config
    from signkit.errors import ConfigError, UnknownNameError

    p = tmp_path / "c.yaml"
    p.write_text('data:\n  name: sign_language_digits\n  options: {exclude_glosses: ["1", "1e3", "0.5"], '
                 'path: "2024.01"}\ntrain:\n  lr: 1e-3\n  weight_decay: 5e-4\n')
    cfg = load_config(p)
    assert cfg.data.options["exclude_glosses"] == ["1", "1e3", "0.5"]  # glosses stay strings
    assert cfg.data.options["path"] == "2024.01"  # so does a path
    assert cfg.train.lr == 1e-3 and isinstance(cfg.train.lr, float) and cfg.train.weight_decay == 5e-4  # YAML 1.2
    from signkit.config import dump_yaml, parse_yaml

    assert parse_yaml(dump_yaml(cfg.to_dict()), "run config.yaml") == cfg.to_dict()  # config.yaml of a run reads back
    cfg = load_config(p, ["data.options.exclude_glosses=['7']", "train.epochs=3", "train.lr=2"])
    assert cfg.data.options["exclude_glosses"] == ["7"] and cfg.train.epochs == 3 and cfg.train.lr == 2.0
    with pytest.raises(UnknownNameError, match=r"unknown key\(s\) \['frames'\] in config section 'data'; "
                                               r"expected \[.*'num_frames'.*\]"):
        load_config(None, ["data.frames=4"])
    with pytest.raises(ConfigError, match=r"train.epochs: expected int; found 'abc'"):
        load_config(None, ["train.epochs=abc"])
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(None, ["train.epochs=[1"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: !!python/object/apply:os.system [echo hi]\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_exclude_glosses_string_one_on_digits(data_root):
    from signkit.kinds import open_dataset

    ds = open_dataset("sign_language_digits", "test", exclude_glosses=["1"])
    assert "1" not in ds.vocabulary and len(ds.vocabulary) == 9 and ds.info["excluded_glosses"] == ["1"]
    assert all(s.gloss != "1" for s in ds.samples)


def test_unknown_options_and_one_frame_count(data_root):
    from signkit.config import load_config
    from signkit.errors import ConfigError, LayoutMismatchError
    from signkit.kinds import InputSpec, get_kind, open_config_dataset

    with pytest.raises(ConfigError, match=r"dataset 'fpha' takes no option\(s\) \['protocl'\].*"
                                          r"it takes \['protocol', 'test_subject'\]"):
        open_config_dataset(load_config(None, ["data.options.protocl=loso"]), "train")
    cfg = load_config(ROOT / "configs/silfa_clips/c3d.yaml", ["data.options.num_frames=8"])
    with pytest.raises(ConfigError, match="data.options.num_frames: the frame count of a run is data.num_frames"):
        open_config_dataset(cfg, "train")
    clip = get_kind("clip")
    spec = InputSpec("clip", channels=2, size=64, frames=16)
    with pytest.raises(ConfigError, match=r"model.args \['frames'\] are set by the data \(data.num_frames\)"):
        clip.create_model("c3d", 3, spec, {"frames": 8})
    with pytest.raises(ConfigError, match="not a multiple of the 4-frame block"):
        clip.create_model("c3d_lstm", 3, InputSpec("clip", channels=2, size=64, frames=6))
    with pytest.raises(ConfigError, match=r"model 'c3d' takes no argument\(s\) \['widht'\]; it takes \["):
        clip.create_model("c3d", 3, spec, {"widht": 8})
    with pytest.raises(LayoutMismatchError, match="model 'lenet5' takes image input; the dataset gives clip"):
        clip.create_model("lenet5", 3, spec)
    img = get_kind("image")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['speed'\] for image input; expected crop"):
        img.augment(load_config(None, ["data.augment={speed: 0.2}"]).data)
    with pytest.raises(ConfigError, match=r"data.augment.crop: expected float \| None; found 'abc'"):
        img.augment(load_config(None, ["data.augment={crop: abc}"]).data)
    # the keypoint default augmentation counts as unset for other kinds (their own default applies)
    assert img.augment(load_config(None).data) == img.default_augment


def test_cli_rejects_a_second_frame_count():
    r = signkit("train", "configs/silfa_clips/c3d.yaml", "model.args.frames=8", "train.epochs=1")
    assert r.returncode == 2 and "set by the data (data.num_frames)" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
