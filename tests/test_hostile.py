"""Hostile and careless inputs: each case ends in one line on stderr and a non-zero exit (or a correct
answer), never a traceback, a hang, a silent wrong answer or a lost file (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import ROOT, signkit


def _one_error_line(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    lines = [ln for ln in r.stderr.strip().splitlines() if not ln.startswith(("W0000", "INFO:", "WARNING:"))]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr[-2000:]
    for n in needles:
        assert n in lines[0], lines[0]


def _craft(src, dst, change):
    """A copy of checkpoint ``src`` whose metadata is ``change(meta)`` (a dict or raw text)."""
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    with safe_open(str(src), framework="pt") as f:
        meta = json.loads(f.metadata()["signkit"])
    new = change(meta)
    save_file(load_file(str(src)), str(dst), metadata={"signkit": new if isinstance(new, str) else json.dumps(new)})
    return str(dst)


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    import signkit as sk

    out = tmp_path_factory.mktemp("hostile")
    r = sk.train(str(ROOT / "configs/fpha/tcn.yaml"), ["model.name=tcn_tiny", "data.num_frames=16", "train.epochs=1",
                                                         "train.progress=none", f"output_dir={out}", "name=h"],
                 verbose=False)
    return r["checkpoint"]


@pytest.fixture(scope="module")
def skeleton(data_root):
    return str(sorted((data_root / "fpha").rglob("skeleton.txt"))[0])


def test_outputs_never_replace_inputs_or_existing_files(ckpt, tmp_path):
    before = open(ckpt, "rb").read()
    _one_error_line(signkit("export", ckpt, "--out", ckpt), "is the input")
    assert open(ckpt, "rb").read() == before  # the checkpoint is intact
    existing = tmp_path / "mine.onnx"
    existing.write_text("my file")
    _one_error_line(signkit("export", ckpt, "--out", str(existing)), "exists; pass --overwrite")
    assert existing.read_text() == "my file"
    r = signkit("export", ckpt, "--out", str(existing), "--overwrite")
    assert r.returncode == 0 and existing.stat().st_size > 1000, r.stderr[-1000:]
    r = signkit("export", ckpt, "--out", str(tmp_path / "new" / "folder" / "m.onnx"))  # a missing folder is made
    assert r.returncode == 0 and (tmp_path / "new/folder/m.onnx").is_file(), r.stderr[-1000:]
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "test_metrics.json").write_text("{}")
    _one_error_line(signkit("evaluate", ckpt, "--out", str(tmp_path / "ev")), "test_metrics.json", "exists")
    assert (tmp_path / "ev" / "test_metrics.json").read_text() == "{}"
    _one_error_line(signkit("prune", ckpt, "--sparsity", "0.5", "--out", ckpt), "is the input")
    assert open(ckpt, "rb").read() == before


def test_run_names_stay_inside_output_dir(tmp_path):
    for name in ("../../escaped", str(tmp_path / "abs"), "a/b", ".."):
        _one_error_line(signkit("train", f"name={name}", f"output_dir={tmp_path / 'runs'}", "train.epochs=1"),
                        "expected one folder name")
    assert not (tmp_path / "runs").exists() and not (tmp_path / "abs").exists()


@pytest.mark.parametrize("override,needle", [
    ("train.epochs=0", "train.epochs: expected 1..100000"),
    ("train.epochs=abc", "train.epochs: expected int; found 'abc'"),
    ("data.num_frames=0", "data.num_frames: expected 1..100000"),
    ("train.lr=.nan", "train.lr: expected"),
    ("train.optimizer=lbfgs", "expected one of ['adam', 'adamw', 'sgd']"),
    ("data.options.protocl=loso", "takes no option(s) ['protocl']"),
    ("model.args.chanels=8", "takes no argument(s) ['chanels']"),
    ("data.augment={spin: 1}", "unknown key(s) ['spin'] for keypoints input"),
    ("train.epochs=[1", "not valid YAML"),
])
def test_bad_config_values_are_one_line_errors(override, needle, tmp_path):
    _one_error_line(signkit("train", override, f"output_dir={tmp_path}"), needle)
    assert not any(tmp_path.rglob("*.safetensors"))  # nothing trained, nothing written


def test_hostile_yaml(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("name: !!python/object/apply:os.system ['touch pwned']\n")
    _one_error_line(signkit("train", str(p)), "not valid YAML")
    assert not (tmp_path / "pwned").exists() and not (ROOT / "pwned").exists()
    p.write_text("- just\n- a list\n")
    _one_error_line(signkit("train", str(p)), "must be a YAML mapping")
    p.write_bytes(b"\xff\xfe\x00garbage")
    _one_error_line(signkit("train", str(p)))


def test_crafted_checkpoint_metadata(ckpt, skeleton, tmp_path):
    cases = {
        "not_json": (lambda m: "{not json", "not valid JSON"),
        "a_list": (lambda m: "[1, 2]", "expected an object"),
        "no_model": (lambda m: {k: v for k, v in m.items() if k != "model"}, "'model' is NoneType"),
        "short_vocabulary": (lambda m: {**m, "vocabulary": m["vocabulary"][:3]}, "vocabulary of 3 entries"),
        "bad_args": (lambda m: {**m, "model_args": {"channels": "wide"}}, "cannot be rebuilt"),
        "unknown_arg": (lambda m: {**m, "model_args": {"colour": 1}}, "takes no argument(s) ['colour']"),
        "huge_model": (lambda m: {**m, "model_args": {"channels": 200_000}}, "expected at most"),
        "huge_frames": (lambda m: {**m, "input": {**m["input"], "frames": 10 ** 12}}, "expected an integer in"),
        "huge_resample": (lambda m: {**m, "preprocessing": {**m["preprocessing"], "num_frames": 10 ** 9}},
                          "num_frames: expected 1..100000"),
        "bad_kind": (lambda m: {**m, "input": {"kind": "smell"}}, "expected kind one of"),
        "bad_layout": (lambda m: {**m, "input": {**m["input"], "layout": "octopus"}}, "octopus"),
    }
    for name, (change, needle) in cases.items():
        bad = _craft(ckpt, tmp_path / f"{name}.safetensors", change)
        _one_error_line(signkit("predict", bad, skeleton), needle)


def test_non_finite_and_empty_keypoints(ckpt, skeleton, tmp_path):
    from signkit.data import read_skeleton_txt

    seq = read_skeleton_txt(skeleton)
    data = seq.data.copy()
    data[3, 5, 0] = np.inf  # one overflowing coordinate: treated as missing, the answer stays finite
    np.savez(tmp_path / "inf.npz", data=data, layout="fpha_hand21")
    r = signkit("predict", ckpt, str(tmp_path / "inf.npz"), "--json")
    assert r.returncode == 0, r.stderr[-1000:]
    top = json.loads(r.stdout)  # strict JSON
    assert all(np.isfinite(t["probability"]) for t in top) and sum(t["probability"] for t in top) <= 1 + 1e-6
    data[3, 5, 0] = np.nan  # the documented meaning: the same answer as a missing coordinate
    np.savez(tmp_path / "nan.npz", data=data, layout="fpha_hand21")
    assert json.loads(signkit("predict", ckpt, str(tmp_path / "nan.npz"), "--json").stdout) == top
    for name, arr in (("nan", np.full_like(data, np.nan)), ("inf", np.full_like(data, np.inf))):
        np.savez(tmp_path / f"all_{name}.npz", data=arr, layout="fpha_hand21")
        _one_error_line(signkit("predict", ckpt, str(tmp_path / f"all_{name}.npz")), "no landmarks in any")
    np.savez(tmp_path / "masked.npz", data=data, mask=np.zeros(len(data), bool), layout="fpha_hand21")
    _one_error_line(signkit("predict", ckpt, str(tmp_path / "masked.npz")), "no landmarks in any")


def test_untrusted_text_is_never_markup(ckpt, skeleton, tmp_path):
    odd = tmp_path / "x[/]y[bold].npz"
    _one_error_line(signkit("predict", ckpt, str(odd)), "x[/]y[bold].npz")
    evil = _craft(ckpt, tmp_path / "evil.safetensors",
                  lambda m: {**m, "vocabulary": ["\x1b[31mRED\x1b[0m" + g for g in m["vocabulary"]]})
    r = signkit("predict", evil, skeleton)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\\x1b[31mRED" in r.stdout, r.stderr[-500:]
    r = signkit("predict", evil, skeleton, "--json")
    assert r.returncode == 0 and "\x1b" not in r.stdout and json.loads(r.stdout)[0]["gloss"].startswith("\x1b[31m")


def test_more_hostile_files(ckpt, tmp_path, data_root):
    import pandas as pd

    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "\n")
    _one_error_line(signkit("train", str(deep)), "not valid YAML")
    df = pd.read_parquet(sorted((data_root / "islr_sample/train_landmark_files").rglob("*.parquet"))[0])
    for name, d, needle in (("text_x", df.assign(x="left"), "column 'x'"),
                            ("far_index", df.assign(landmark_index=df["landmark_index"] + 1000), "landmark_index outside"),
                            ("negative", df.assign(landmark_index=-1 - df["landmark_index"]), "landmark_index outside")):
        d.to_parquet(tmp_path / f"{name}.parquet")
        _one_error_line(signkit("show", str(tmp_path / f"{name}.parquet"), "--out", str(tmp_path / f"{name}.png")),
                        needle)
    np.savez(tmp_path / "fps.npz", data=np.zeros((4, 21, 3), np.float32), layout="fpha_hand21", fps=np.arange(3.0))
    _one_error_line(signkit("predict", ckpt, str(tmp_path / "fps.npz")), "'fps' must be a single number")
    (tmp_path / "a_file").write_text("x")
    _one_error_line(signkit("export", ckpt, "--out", str(tmp_path / "a_file" / "m.onnx")), "is a file, not a folder")
    _one_error_line(signkit("evaluate", ckpt, "--out", str(tmp_path / "a_file")), "is a file, not a folder")
    assert (tmp_path / "a_file").read_text() == "x"


def test_help_imports_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, signkit.cli; heavy = [m for m in ('torch', 'lightning', 'torchmetrics', 'mediapipe', 'cv2') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_catalog_matches_the_registries():
    """`signkit models` / `datasets` answer from signkit.catalog without importing torch; it must list
    exactly what the registries hold."""
    from signkit.catalog import DATASETS, MODELS
    from signkit.data import list_datasets
    from signkit.models import list_models, model_kind

    assert {k: (model_kind(k), d) for k, d in list_models().items()} == MODELS
    assert list_datasets() == DATASETS
    r = signkit("models")
    assert r.returncode == 0 and all(name in r.stdout for name in MODELS)
