"""Hostile inputs against every entry point of the command line, counted by outcome.

Builds a workspace of real files (a 1-epoch FPHA checkpoint and its ONNX export, a 1-epoch Sign-MNIST
image checkpoint, real keypoint files, images and videos from the shared data), then runs `signkit`
commands in this process (``signkit.cli.main`` with its arguments, stdout/stderr captured, a time-out
per command) on hundreds of damaged, random, crafted and careless inputs: checkpoints, ONNX files,
configs and overrides, keypoint files, images, videos and output paths.

Outcomes: ``ok`` (exit 0 with a valid result), ``error`` (a non-zero exit with one ``error:`` line),
``traceback`` (an exception other than SignkitError), ``hang`` (the time-out), ``lost file`` (a file
that existed before the command changed or vanished, other than the command's own new output),
``wrong`` (exit 0 but invalid JSON or non-finite numbers). Writes docs/hostile_inputs.md.

    .venv/bin/python benchmarks/hostile_inputs.py [--timeout 120]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import signal
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from train_table import ROOT, machine  # noqa: E402

os.environ.setdefault("GLOG_minloglevel", "2")


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def sha(p: Path) -> str:
    return hashlib.sha1(p.read_bytes()).hexdigest() if p.is_file() else "dir" if p.is_dir() else "missing"


def run_cli(argv: list[str], timeout: int) -> tuple[int | str, str, str]:
    """(exit status or 'traceback'/'hang', stdout, stderr) of ``signkit <argv>`` in this process."""
    import signkit.cli as cli

    out, err = io.StringIO(), io.StringIO()
    old = sys.argv
    sys.argv = ["signkit", *argv]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    code: int | str = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.console.file, cli.err.file = out, err
            try:
                cli.main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Hang:
        code = "hang"
    except Exception as e:  # anything that escaped the CLI's error handler
        code = "traceback"
        err.write(f"{type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
        sys.argv = old
        cli.console.file, cli.err.file = sys.stdout, sys.stderr
    return code, out.getvalue(), err.getvalue()


def classify(code, out: str, err: str, json_out: bool) -> str:
    if code in ("traceback", "hang"):
        return code
    if code == 0:
        if json_out:
            try:
                obj = json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except ValueError:
                return "wrong"
            nums = []

            def walk(o):
                if isinstance(o, dict):
                    [walk(v) for v in o.values()]
                elif isinstance(o, list):
                    [walk(v) for v in o]
                elif isinstance(o, float):
                    nums.append(o)
            walk(obj)
            if not all(np.isfinite(nums)):
                return "wrong"
        return "ok"
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if len(lines) == 1 and lines[0].startswith("error: "):
        return "error"
    if "failed:" in err and code == 1:  # extract: the batch's failure list (one line per video)
        return "error"
    return "traceback" if "Traceback" in err else "error (several lines)"


def craft_meta(src: Path, dst: Path, change) -> Path:
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    with safe_open(str(src), framework="pt") as f:
        meta = json.loads(f.metadata()["signkit"])
    new = change(meta)
    save_file(load_file(str(src)), str(dst), metadata={"signkit": new if isinstance(new, str) else json.dumps(new)})
    return dst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "docs" / "hostile_inputs.md"))
    a = ap.parse_args()
    import resource

    # a safety net for the machine: an allocation signkit fails to bound raises MemoryError here
    # (counted as a traceback) instead of swapping until the time-out
    resource.setrlimit(resource.RLIMIT_AS, (16 * 2 ** 30, resource.RLIM_INFINITY))
    rng = random.Random(a.seed)
    import signkit as sk
    from signkit.paths import data_root

    data = data_root()
    ws = Path(tempfile.mkdtemp(prefix="signkit-hostile-"))
    t_start = time.perf_counter()
    kp = sk.train(None, ["model.name=tcn_tiny", "data.num_frames=16", "train.epochs=1", "train.progress=none",
                         f"output_dir={ws / 'runs'}", "name=kp"], verbose=False)["checkpoint"]
    img = sk.train(str(ROOT / "configs/sign_mnist/lenet5.yaml"), ["data.options.per_class=5", "train.epochs=1",
                   "train.progress=none", f"output_dir={ws / 'runs'}", "name=img"], verbose=False)["checkpoint"]
    onnx = sk.export(kp, ws / "kp.onnx")["path"]
    skel = sorted((data / "fpha").rglob("skeleton.txt"))[0]
    pose = sorted((data / "pose_samples").glob("*.pose"))[0]
    parquet = sorted((data / "islr_sample/train_landmark_files").rglob("*.parquet"))[0]
    jpg = sorted((data / "silfa_letters/images/A").glob("*.jpg"))[0]
    video = sorted((data / "videos/wlasl").rglob("*.mp4"))[0]
    h = ws / "hostile"
    h.mkdir()
    cases: list[tuple[str, list[str], bool]] = []  # (entry point, argv, --json?)

    def add(kind, argv, js=False):
        cases.append((kind, [str(x) for x in argv], js))

    def rbytes(n):
        return bytes(rng.getrandbits(8) for _ in range(n))

    # --- checkpoints ----------------------------------------------------------------------------
    kb = Path(kp).read_bytes()
    for i in range(12):
        p = h / f"random{i}.safetensors"
        p.write_bytes(rbytes(rng.choice([0, 1, 8, 64, 500, 5000])))
        add("checkpoint", ["predict", p, skel, "--json"], True)
    for i, frac in enumerate([0.0, 0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999]):
        p = h / f"cut{i}.safetensors"
        p.write_bytes(kb[: int(len(kb) * frac)])
        add("checkpoint", ["predict", p, skel, "--json"], True)
    p = h / "header_len.safetensors"
    p.write_bytes(struct.pack("<Q", 2 ** 62) + kb[8:])
    add("checkpoint", ["predict", p, skel], False)
    fields = ["model", "model_args", "num_classes", "vocabulary", "input", "layout", "preprocessing", "config",
              "format", "kind", "metrics"]
    values = [None, 0, -1, 10 ** 12, "x", "\x1b[2J", [], {}, [1, 2], {"a": {"b": []}}, 1e308, True]
    for f in fields:
        for v in rng.sample(values, 4):
            p = h / f"meta_{f}_{abs(hash(repr(v))) % 10 ** 6}.safetensors"
            craft_meta(Path(kp), p, lambda m, f=f, v=v: {**m, f: v})
            add("checkpoint", ["predict", p, skel, "--json"], True)
    for name, change in {
        "not_json": lambda m: "{not json", "list": lambda m: "[]", "deep": lambda m: "[" * 100000,
        "huge_text": lambda m: json.dumps({**m, "pad": "x" * 5_000_000}),
        "huge_model": lambda m: {**m, "model_args": {"channels": 10 ** 6}},
        "huge_frames": lambda m: {**m, "input": {**m["input"], "frames": 10 ** 9}},
        "huge_prep_frames": lambda m: {**m, "preprocessing": {**m["preprocessing"], "num_frames": 10 ** 9}},
        "neg_frames": lambda m: {**m, "preprocessing": {**m["preprocessing"], "num_frames": -5}},
        "vocab_short": lambda m: {**m, "vocabulary": m["vocabulary"][:2]},
        "vocab_dupes": lambda m: {**m, "vocabulary": ["a"] * len(m["vocabulary"])},
        "vocab_escape": lambda m: {**m, "vocabulary": ["\x1b[31m" + g for g in m["vocabulary"]]},
        "vocab_markup": lambda m: {**m, "vocabulary": ["[bold]" + g + "[/]" for g in m["vocabulary"]]},
        "unknown_model": lambda m: {**m, "model": "resnet9000"},
        "model_of_other_kind": lambda m: {**m, "model": "lenet5"},
        "args_wrong_type": lambda m: {**m, "model_args": {"channels": "many"}},
        "args_unknown": lambda m: {**m, "model_args": {"colour": "red"}},
        "kind_unknown": lambda m: {**m, "input": {"kind": "smell"}},
        "layout_unknown": lambda m: {**m, "input": {**m["input"], "layout": "octopus"}},
        "image_kind": lambda m: {**m, "input": {"kind": "image", "channels": 1, "size": 28}},
    }.items():
        p = h / f"crafted_{name}.safetensors"
        craft_meta(Path(kp), p, change)
        add("checkpoint", ["predict", p, skel, "--json"], True)
        add("checkpoint", ["export", p, "--out", h / f"crafted_{name}.onnx"], False)
    # --- ONNX files -----------------------------------------------------------------------------
    ob = Path(onnx).read_bytes()
    for i in range(8):
        p = h / f"random{i}.onnx"
        p.write_bytes(rbytes(rng.choice([0, 10, 300, 4000])))
        add("onnx", ["predict", p, skel, "--json"], True)
    for i, frac in enumerate([0.01, 0.1, 0.5, 0.9, 0.999]):
        p = h / f"cut{i}.onnx"
        p.write_bytes(ob[: int(len(ob) * frac)])
        add("onnx", ["predict", p, skel, "--json"], True)
    import onnx as onnx_lib

    for name, value in {"not_json": "{nope", "list": "[1]", "no_format": "{}", "short_vocab": None,
                        "huge_frames": None, "markup": None}.items():
        proto = onnx_lib.load(onnx)
        meta = json.loads({p.key: p.value for p in proto.metadata_props}["signkit"])
        if name == "short_vocab":
            value = json.dumps({**meta, "vocabulary": meta["vocabulary"][:1]})
        elif name == "huge_frames":
            value = json.dumps({**meta, "input": {**meta["input"], "frames": 10 ** 10}})
        elif name == "markup":
            value = json.dumps({**meta, "vocabulary": ["[/]" + g for g in meta["vocabulary"]]})
        for prop in proto.metadata_props:
            if prop.key == "signkit":
                prop.value = value
        p = h / f"meta_{name}.onnx"
        p.write_bytes(proto.SerializeToString())
        add("onnx", ["predict", p, skel, "--json"], True)
        add("onnx", ["evaluate", p, "--json"], True)
    proto = onnx_lib.load(onnx)
    del proto.metadata_props[:]
    (h / "no_meta.onnx").write_bytes(proto.SerializeToString())
    add("onnx", ["predict", h / "no_meta.onnx", skel], False)
    # --- configs and overrides ------------------------------------------------------------------
    yamls = {"tag": "name: !!python/object/apply:os.system ['touch pwned']\n", "list": "- a\n- b\n",
             "scalar": "42\n", "empty": "", "binary": None, "deep": "a: " + "[" * 5000 + "\n",
             "unknown_section": "datta: {name: fpha}\n", "section_scalar": "data: 5\n",
             "bad_type": "train: {epochs: many}\n", "bad_range": "train: {epochs: -3}\n",
             "nan_lr": "train: {lr: .nan}\n", "inf_frames": "data: {num_frames: .inf}\n",
             "bad_option": "data: {options: {protocl: loso}}\n", "bad_model": "model: {name: gpt}\n",
             "bad_aug": "data: {augment: {spin: 3}}\n", "name_escape": "name: ../../../escaped\n",
             "anchors": "a: &a [*a]\n", "dup_keys": "train: {epochs: 1}\ntrain: {epochs: 2}\nname: ok\n"
                                                     "model: {name: nothing}\n",
             "unicode": "name: \"\\u202egnp.exe\"\nmodel: {name: tcn_tiny}\ntrain: {epochs: 0}\n"}
    for name, text in yamls.items():
        p = h / f"{name}.yaml"
        if text is None:
            p.write_bytes(rbytes(300))
        else:
            p.write_text(text)
        add("config", ["train", p, f"output_dir={ws / 'cfg_runs'}"], False)
    overrides = ["train.epochs=abc", "train.epochs=0", "train.epochs=-1", "train.epochs=1e12", "train.lr=-1",
                 "train.lr=.inf", "data.num_frames=0", "data.num_frames=-4", "data.num_frames=abc",
                 "data.val_fraction=2", "data.name=../../etc", "data.name=nope", "data.root=/nonexistent",
                 "model.name=nope", "model.args.hidden=[[[]]]", "model.args={a: 1}", "data.options=[1, 2]",
                 "data.options.test_subject=99", "data.options.protocol=sideways", "train.batch_size=0",
                 "train.devices=0", "train.num_workers=-2", "name=", "name=a/b", "name=/abs/path", "name=..",
                 "output_dir=/proc/nope", "noequals", "=5", "a..b=1", "train.epochs=[1", "train=5",
                 "data.augment={crop: wide}", "model.pretrained=maybe", "model.checkpoint_path=/nonexistent.pth",
                 "data.channels=7", "data.image_size=100000"]
    for ov in overrides:
        add("config", ["train", "model.name=tcn_tiny", "data.num_frames=8", "train.epochs=1",
                       f"output_dir={ws / 'cfg_runs'}", "train.progress=none", ov], False)  # the hostile one last
    # --- keypoint files -------------------------------------------------------------------------
    good = sk.read_keypoints(skel)
    arrays = {"inf_one": None, "all_nan": np.full_like(good.data, np.nan), "all_inf": np.full_like(good.data, np.inf),
              "huge_values": np.full_like(good.data, 3e38), "zeros": np.zeros_like(good.data),
              "one_frame": good.data[:1], "empty": good.data[:0], "wrong_joints": good.data[:, :20],
              "wrong_dims": good.data[..., :2], "flat": good.data.reshape(len(good.data), -1),
              "strings": np.array([["a"]]), "complex": good.data.astype(np.complex64)}
    arrays["inf_one"] = good.data.copy()
    arrays["inf_one"][2, 3, 1] = -np.inf
    for name, arr in arrays.items():
        p = h / f"{name}.npz"
        np.savez(p, data=arr, layout="fpha_hand21")
        add("keypoints", ["predict", kp, p, "--json"], True)
    for name, extra in {"fps_array": {"fps": np.arange(3.0)}, "fps_zero": {"fps": 0.0}, "fps_nan": {"fps": np.nan},
                        "layout_array": {"layout": np.array(["a", "b"])}, "layout_other": {"layout": "mp_hands42"},
                        "mask_short": {"mask": np.ones(3, bool)}, "mask_float": {"mask": np.full(len(good.data), 0.5)},
                        "all_masked": {"mask": np.zeros(len(good.data), bool)}}.items():
        p = h / f"{name}.npz"
        np.savez(p, **{"data": good.data, "layout": "fpha_hand21", **extra})
        add("keypoints", ["predict", kp, p, "--json"], True)
    np.savez(h / "no_data.npz", other=np.zeros(3))
    add("keypoints", ["predict", kp, h / "no_data.npz"], False)
    (h / "pickled.npz").write_bytes(b"PK\x03\x04" + rbytes(200))
    add("keypoints", ["predict", kp, h / "pickled.npz"], False)
    txt = skel.read_text().splitlines()
    for name, text in {"random": None, "empty": "", "text": "hello world\n", "short_rows": "1 2 3\n4 5 6\n",
                       "nan_rows": "\n".join(["0 " + " ".join(["nan"] * 63)] * 5), "inf_rows":
                       "\n".join(["0 " + " ".join(["inf"] * 63)] * 5), "half": "\n".join(txt[: len(txt) // 2]),
                       "cut_line": "\n".join(txt)[: len("\n".join(txt)) // 3], "huge_numbers":
                       "\n".join(["0 " + " ".join(["1e39"] * 63)] * 5)}.items():
        p = h / name / "skeleton.txt"
        p.parent.mkdir()
        p.write_bytes(rbytes(400)) if text is None else p.write_text(text)
        add("keypoints", ["predict", kp, p, "--json"], True)
    pb = pose.read_bytes()
    for i, frac in enumerate([0.0, 0.01, 0.3, 0.5, 0.9, 0.999]):
        p = h / f"cut{i}.pose"
        p.write_bytes(pb[: int(len(pb) * frac)])
        add("keypoints", ["show", p, "--out", h / f"cut{i}.png"], False)
    for i in range(4):
        p = h / f"random{i}.pose"
        p.write_bytes(rbytes(rng.choice([10, 200, 3000])))
        add("keypoints", ["show", p, "--out", h / f"random{i}_show.png"], False)
    import pandas as pd

    df = pd.read_parquet(parquet)
    variants = {"index_out_of_range": df.assign(landmark_index=df["landmark_index"] + 1000),
                "negative_index": df.assign(landmark_index=-df["landmark_index"] - 1),
                "no_columns": df[["frame", "x"]], "text_x": df.assign(x="left"), "unknown_type": df.assign(type="tail"),
                "missing_rows": df.iloc[: len(df) // 2 + 7], "empty": df.iloc[:0]}
    for name, d in variants.items():
        p = h / f"{name}.parquet"
        d.to_parquet(p)
        add("keypoints", ["show", p, "--out", h / f"{name}_parquet.png"], False)
    (h / "random.parquet").write_bytes(rbytes(500))
    add("keypoints", ["show", h / "random.parquet", "--out", h / "random_parquet.png"], False)
    for ext in (".xyz", ".exe", ""):
        p = h / f"unknown{ext}"
        p.write_bytes(b"data")
        add("keypoints", ["predict", kp, p], False)
    add("keypoints", ["predict", kp, h / "does_not_exist.txt"], False)
    add("keypoints", ["predict", kp, h], False)
    # --- images -----------------------------------------------------------------------------------
    jb = jpg.read_bytes()
    from PIL import Image

    for name, make in {"random": lambda p: p.write_bytes(rbytes(800)), "empty": lambda p: p.write_bytes(b""),
                       "cut_jpg": lambda p: p.write_bytes(jb[: len(jb) // 3]),
                       "tiny": lambda p: Image.new("RGB", (1, 1)).save(p, "PNG"),
                       "one_row": lambda p: Image.new("L", (500, 1)).save(p, "PNG"),
                       "rgba": lambda p: Image.new("RGBA", (40, 40)).save(p, "PNG"),
                       "cmyk_jpg": lambda p: Image.new("CMYK", (40, 40)).save(p, "JPEG"),
                       "text_as_png": lambda p: p.write_text("not an image"),
                       "png_header_only": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n"),
                       "bomb_header": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" +
                                                              struct.pack(">II", 100000, 100000) + b"\x08\x02\x00\x00\x00")
                       }.items():
        p = h / f"{name}.png"
        make(p)
        add("image", ["predict", img, p, "--json"], True)
        add("image", ["predict", kp, p], False)  # an image for a keypoint checkpoint
    add("image", ["predict", img, skel], False)  # keypoints for an image checkpoint
    add("image", ["spell", kp, video], False)  # a keypoint checkpoint cannot spell
    # --- videos -----------------------------------------------------------------------------------
    vb = video.read_bytes()
    vdir = h / "videos"
    vdir.mkdir()
    for name, data_ in {"random": rbytes(2000), "empty": b"", "cut_half": vb[: len(vb) // 2],
                        "cut_head": vb[:100], "text": b"hello", "tail": vb[len(vb) // 2:]}.items():
        p = vdir / f"{name}.mp4"
        p.write_bytes(data_)
        add("video", ["extract", p, "--out", h / f"ex_{name}"], False)
        add("video", ["predict", kp, p], False)
        add("video", ["spell", img, p], False)
    # --- output paths ---------------------------------------------------------------------------
    keep = h / "keep.onnx"
    keep.write_text("the user's file")
    (h / "keep_dir").mkdir()
    (h / "ev").mkdir()
    (h / "ev" / "test_metrics.json").write_text("{}")
    (h / "a_file").write_text("x")
    for argv in (["export", kp, "--out", kp], ["export", kp, "--out", keep], ["export", kp, "--out", h / "keep_dir"],
                 ["export", kp, "--out", h / "a_file" / "x.onnx"], ["export", kp, "--out", h / "new\x1b[31m.onnx"],
                 ["export", kp, "--format", "torchscript", "--out", kp], ["export", kp, "--out", skel],
                 ["prune", kp, "--sparsity", "0.5", "--out", kp], ["prune", kp, "--sparsity", "0.5", "--out", keep],
                 ["prune", kp, "--sparsity", "2"], ["prune", kp, "--threshold", "-1"],
                 ["evaluate", kp, "--out", h / "ev"], ["evaluate", kp, "--out", h / "a_file"],
                 ["show", skel, "--out", skel], ["show", skel, "--out", keep], ["show", skel, "--out", h / "x.bmp"],
                 ["extract", video, "--out", h / "a_file"], ["extract", video, video, "--out", h / "twice"],
                 ["train", "name=../../../escaped", "train.epochs=1"], ["train", f"name={h}", "train.epochs=1"],
                 ["distill", kp, str(ROOT / "configs/sign_mnist/lenet5.yaml"), "train.epochs=1"],
                 ["distill", h / "random0.safetensors", "train.epochs=1"]):
        add("output path", argv, False)

    # --- run ------------------------------------------------------------------------------------
    protected = {p: sha(p) for p in [*h.rglob("*"), Path(kp), Path(img), Path(onnx)] if p.is_file()}
    counts: dict[str, Counter] = {}
    examples: dict[str, list] = {}
    for kind, argv, js in cases:
        t0 = time.perf_counter()
        code, out, err = run_cli(argv, a.timeout)
        outcome = classify(code, out, err, js)
        lost = [p for p, d in protected.items() if sha(p) != d]
        if lost:
            outcome = "lost file"
            for p in lost:
                protected[p] = sha(p)
        for p in h.rglob("*"):  # outputs of this command are protected from the next ones
            if p.is_file() and p not in protected:
                protected[p] = sha(p)
        counts.setdefault(kind, Counter())[outcome] += 1
        if outcome not in ("ok", "error"):
            examples.setdefault(outcome, []).append(
                f"`signkit {' '.join(x.replace(str(ws), '<ws>') for x in argv)[:160]}`: "
                f"{(err.strip().splitlines() or [''])[-1][:200]}")
        print(f"{outcome:>10}  {time.perf_counter() - t0:6.1f}s  {kind}: {' '.join(argv)[:120]}", flush=True)
    outcomes = ["ok", "error", "traceback", "wrong", "hang", "lost file", "error (several lines)"]
    total = Counter()
    for c in counts.values():
        total.update(c)
    lines = ["# Hostile inputs: every entry point, counted by outcome", "",
             f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}. Command: `.venv/bin/python "
             f"benchmarks/hostile_inputs.py` (seed {a.seed}, time-out {a.timeout} s per command; "
             f"{time.perf_counter() - t_start:.0f} s in all).", "",
             f"{len(cases)} hostile inputs: random bytes, truncations of real files (a trained checkpoint and its "
             "ONNX export, an FPHA skeleton.txt, a pose-format file, an ISLR parquet, a SILFA JPEG, a WLASL video), "
             "crafted checkpoint and ONNX metadata, broken YAML and overrides, non-finite and empty keypoints, "
             "hostile output paths. `error` = non-zero exit with one `error:` line; `lost file` = a file that "
             "existed before the command changed or vanished; `wrong` = exit 0 with invalid JSON or "
             "non-finite numbers.", "",
             "| entry point | inputs | " + " | ".join(outcomes) + " |", "|---|---|" + "---|" * len(outcomes)]
    for kind, c in counts.items():
        lines.append(f"| {kind} | {sum(c.values())} | " + " | ".join(str(c.get(o, 0)) for o in outcomes) + " |")
    lines.append(f"| **all** | **{sum(total.values())}** | " + " | ".join(f"**{total.get(o, 0)}**" for o in outcomes)
                 + " |")
    if examples:
        lines += ["", "## Outcomes other than ok / error", ""]
        for o, ex in examples.items():
            lines += [f"- {o}: {len(ex)}"] + [f"  - {e}" for e in ex[:12]]
    Path(a.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
