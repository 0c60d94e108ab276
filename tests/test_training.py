"""End to end through the CLI on real FPHA: train -> evaluate -> predict, DDP, checkpoints, errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import QUICK, ROOT, free_port, signkit  # noqa: F401  (trained: a conftest fixture)

def test_train_writes_checkpoint_report_and_plots(trained):
    stdout, run = trained
    assert "test top-1:" in stdout
    for f in ("model.safetensors", "test_metrics.json", "test_confusion_matrix.csv", "test_confusion_matrix.png",
              "metrics.csv", "training_curves.png", "config.yaml"):
        assert (run / f).is_file(), f
    m = json.loads((run / "test_metrics.json").read_text())
    assert m["n"] == 575 and 0 <= m["top1"] <= m["top5"] <= 1
    assert m["top5"] > 0.25  # chance is 5/45 = 11 %: six epochs on real data learn something
    assert len(m["per_class"]) == 45
    import pandas as pd

    epochs = pd.read_csv(run / "metrics.csv").groupby("epoch").first()
    assert len(epochs) == 6 and {"train_loss", "train_acc", "val_acc", "val_loss", "epoch_time"} <= set(epochs.columns)
    cm = pd.read_csv(run / "test_confusion_matrix.csv", index_col=0)
    assert cm.shape == (45, 45) and cm.values.sum() == 575


def test_evaluate_reproduces_training_metrics(trained):
    stdout, run = trained
    m = json.loads((run / "test_metrics.json").read_text())
    r = signkit("evaluate", str(run / "model.safetensors"), "--split", "test", "--json")
    assert r.returncode == 0, r.stderr
    ev = json.loads(r.stdout)
    assert ev["top1"] == pytest.approx(m["top1"], abs=1e-6) and ev["top5"] == pytest.approx(m["top5"], abs=1e-6)
    assert f"test top-1: {m['top1']:.4f}" in stdout


def test_predict_skeleton_prints_glosses(trained, data_root):
    _, run = trained
    f = data_root / "fpha/Hand_pose_annotation_v1/Subject_1/open_juice_bottle/1/skeleton.txt"
    r = signkit("predict", str(run / "model.safetensors"), str(f), "--top-k", "5", "--json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)
    assert len(top) == 5 and all(0 <= t["probability"] <= 1 for t in top)
    assert [t["probability"] for t in top] == sorted((t["probability"] for t in top), reverse=True)
    from signkit import Recognizer

    assert {t["gloss"] for t in top} <= set(Recognizer(run / "model.safetensors").vocabulary)
    text = signkit("predict", str(run / "model.safetensors"), str(f))
    assert top[0]["gloss"] in text.stdout


def test_checkpoint_is_safetensors_without_pickle(trained):
    _, run = trained
    raw = (run / "model.safetensors").read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])
    meta = json.loads(header["__metadata__"]["signkit"])
    assert meta["model"] == "tcn_small" and meta["layout"] == "fpha_hand21" and len(meta["vocabulary"]) == 45
    assert meta["preprocessing"]["num_frames"] == 16 and "top1" in meta["metrics"]


def test_checkpoint_errors(tmp_path, trained):
    from signkit.errors import CheckpointError

    pickled = tmp_path / "evil.safetensors"
    torch.save({"a": 1}, pickled)
    r = signkit("evaluate", str(pickled))
    assert r.returncode == 2 and "not a safetensors file" in r.stderr
    with pytest.raises(CheckpointError, match="not found"):
        from signkit.checkpoint import read_checkpoint_meta

        read_checkpoint_meta(tmp_path / "missing.safetensors")


def test_checkpoint_for_another_layout(tmp_path, trained, fpha_train):
    _, run = trained
    track = np.random.default_rng(0).uniform(0, 160, (20, 3, 2)).astype(np.float32)
    np.savez(tmp_path / "boston.npz", data=track, layout="boston104_track3")
    r = signkit("predict", str(run / "model.safetensors"), str(tmp_path / "boston.npz"))
    assert r.returncode == 2 and "expected layout 'fpha_hand21'" in r.stderr
    from signkit import Recognizer
    from signkit.errors import LayoutMismatchError
    from signkit.keypoints import KeypointSequence

    with pytest.raises(LayoutMismatchError, match="expects layout 'fpha_hand21'.*'boston104_track3'"):
        Recognizer(run / "model.safetensors").predict(KeypointSequence(track, "boston104_track3"))


def test_cli_errors_are_clear(tmp_path):
    empty = tmp_path / "skeleton.txt"
    empty.write_text("")
    r = signkit("train", "model.name=nope", "train.epochs=1")
    assert r.returncode == 2 and "unknown model 'nope'" in r.stderr
    r = signkit("train", "data.name=nope")
    assert r.returncode == 2 and "unknown dataset 'nope'" in r.stderr
    r = signkit("train", "train.epochz=3")
    assert r.returncode == 2 and "unknown key(s) ['epochz']" in r.stderr
    r = signkit("train", "train.epochs=1", env={"SIGNKIT_DATA": str(tmp_path / "nowhere")})
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_predict_empty_skeleton(tmp_path, trained):
    _, run = trained
    empty = tmp_path / "skeleton.txt"
    empty.write_text("")
    r = signkit("predict", str(run / "model.safetensors"), str(empty))
    assert r.returncode == 2 and "empty file" in r.stderr


def test_list_commands():
    r = signkit("models")
    assert r.returncode == 0 and "bilstm_3l" in r.stdout and "hier_rnn" in r.stdout
    r = signkit("datasets")
    assert r.returncode == 0 and "fpha" in r.stdout and "rwth_boston104" in r.stdout


def test_two_process_ddp_run(tmp_path):
    env = {"MASTER_PORT": str(free_port()), "MASTER_ADDR": "127.0.0.1"}
    r = signkit("train", str(ROOT / "configs/fpha/tcn.yaml"), "model.name=tcn_small", "data.num_frames=16", "train.epochs=2",
                "train.devices=2", "train.strategy=ddp", "train.progress=lines", f"output_dir={tmp_path}",
                "name=ddp", env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    runs = list((tmp_path / "ddp").iterdir())
    assert len(runs) == 1  # both processes wrote into one run folder
    assert (runs[0] / "model.safetensors").is_file()
    assert "distributed_backend=gloo" in r.stderr + r.stdout or "world_size" in (r.stderr + r.stdout).lower() \
        or "Initializing distributed" in r.stderr + r.stdout
    assert "test top-1:" in r.stdout


def test_main_job_default_is_the_shipped_fpha_config():
    import dataclasses

    import signkit

    shipped = signkit.load_config(ROOT / "configs/fpha/tcn.yaml")
    default = signkit.load_config(None)
    assert dataclasses.replace(shipped, name=default.name) == default
    assert default.data.name == "fpha" and default.data.options == {}  # official split


def test_every_shipped_config_builds(data_root):
    import signkit
    from signkit.models import create_model

    configs = sorted((ROOT / "configs").glob("*/*.yaml"))
    assert {p.parent.name for p in configs} >= {"fpha", "rwth_boston104", "sign_mnist"}
    from signkit.kinds import InputSpec, get_kind

    specs = {"fpha": InputSpec("keypoints", layout="fpha_hand21"),
             "rwth_boston104": InputSpec("keypoints", layout="boston104_track3"),
             "islr": InputSpec("keypoints", layout="sign_body57")}
    for p in configs:
        cfg = signkit.load_config(p)
        d = cfg.data
        spec = specs.get(d.name, InputSpec("image", channels=d.channels, size=d.image_size))
        if d.options.get("view") == "landmarks":
            spec = InputSpec("landmarks", joints=21, dims=3)
        if d.name == "silfa_clips":
            spec = InputSpec("clip", channels=2, size=64, frames=d.num_frames)
        m = cfg.model
        get_kind(spec.kind).create_model(m.name, 10, spec, m.args, m.pretrained, m.checkpoint_path)


def test_balanced_class_weights():
    from signkit.training.module import balanced_class_weights

    w = balanced_class_weights([0, 0, 0, 1, 2, 2], 4)  # n=6, K=4; class 3 absent
    assert torch.allclose(w, torch.tensor([6 / 12, 6 / 4, 6 / 8, 0.0]))
    # every present class then carries the same total weight
    counts = torch.tensor([3.0, 1.0, 2.0])
    assert torch.allclose(w[:3] * counts, torch.full((3,), 1.5))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        balanced_class_weights([0, 4], 4)


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch):
    """Seeds run in parallel used to collide on ``<stamp>`` (exists-then-mkdir race): each call
    must claim a distinct, new folder, even from 16 threads at once within one second."""
    import datetime
    import importlib
    from concurrent.futures import ThreadPoolExecutor

    from signkit.config import load_config

    fit = importlib.import_module("signkit.training.fit")  # the module (the package exports a function of that name)

    class Frozen:  # every run starts in the same second
        @staticmethod
        def now():
            return datetime.datetime(2026, 12, 3, 19, 30, 0)

    monkeypatch.delenv(fit.RUN_DIR_ENV, raising=False)
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    monkeypatch.setattr(fit, "datetime", Frozen)
    cfg = load_config(ROOT / "configs/fpha/tcn.yaml", [f"output_dir={tmp_path}"])
    with ThreadPoolExecutor(16) as pool:
        runs = list(pool.map(lambda _: fit.make_run_dir(cfg), range(16)))
    assert len({r.resolve() for r in runs}) == 16
    assert sorted(p.name for p in (tmp_path / cfg.name).iterdir()) == sorted(r.name for r in runs)
    assert {r.name for r in runs} >= {"20261203-193000", "20261203-193000-15"}
    # the race made certain: another process creates the folder between a look and the mkdir (here
    # every look says "free"); the mkdir itself must be the claim
    monkeypatch.setattr(type(tmp_path), "exists", lambda self, *a, **k: False)
    assert fit.make_run_dir(cfg).name == "20261203-193000-16"
