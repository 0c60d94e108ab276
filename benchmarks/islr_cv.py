"""Leave-participants-out cross-validation on the real ISLR competition landmarks
(``../shared/data/islr_asl_signs``: 168 sequences, 21 participants, 2 signs): the seed paper's
whole-body deep bidirectional LSTM/GRU, the masked GRU and the Conv1D+Transformer (the ISLR 2023
winner's design) side by side, with a 1-nearest-neighbour floor, on the same folds.

Folds: the 21 sorted participant ids cut into 7 groups of 3 (``data.options.fold=k``); each model
trains on 18 participants (10 % of them held out per class for model selection) and is tested on
the 3 it never saw.

    .venv/bin/python benchmarks/islr_cv.py [--folds 7] [--models gru,bigru_3l,...] [--epochs N]

Writes docs/islr_cv.md and docs/islr_cv.json.
"""

from __future__ import annotations

import argparse
import os
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"bilstm_3l": "configs/islr/bilstm_3l.yaml", "bigru_3l": "configs/islr/bigru_3l.yaml",
           "gru": "configs/islr/gru.yaml", "islr_transformer": "configs/islr/islr_transformer.yaml",
           "islr_transformer_small": "configs/islr/islr_transformer.yaml",
           "gru_tiny": "configs/islr/gru_tiny.yaml", "gru_micro": "configs/islr/gru_micro.yaml"}  # student presets


def nearest_neighbour(fold: int, folds: int) -> float:
    """1-NN (Euclidean) on normalised sequences resampled to 16 frames, flattened (missing = 0)."""
    from sklearn.neighbors import KNeighborsClassifier

    from signkit.data import load_dataset
    from signkit.keypoints import build_transforms, pad_batch

    tf = build_transforms({"normalize": True, "num_frames": 16}, train=False)

    def xy(split):
        ds = load_dataset("islr", split=split, fold=fold, folds=folds)
        x, _ = pad_batch([tf(s.sequence) for s in ds.samples])
        return x.reshape(len(ds), -1).numpy(), ds.labels

    xtr, ytr = xy("train")
    xte, yte = xy("test")
    return float((KNeighborsClassifier(1).fit(xtr, ytr).predict(xte) == yte).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=7)
    ap.add_argument("--models", default="bilstm_3l,bigru_3l,gru,islr_transformer_small")
    ap.add_argument("--epochs", type=int, default=None, help="override every config's epochs")
    ap.add_argument("--out", default=str(ROOT / "docs" / "islr_cv.md"))
    args = ap.parse_args()

    import torch

    import signkit.api as sk

    models = [m for m in args.models.split(",") if m]
    res: dict = {"1-NN": {"folds": [], "seconds": [], "parameters": 0, "config": "-"}}
    for m in models:
        cfg = CONFIGS[m] + ("" if Path(CONFIGS[m]).stem == m else f" model.name={m}")
        res[m] = {"folds": [], "seconds": [], "parameters": None, "config": cfg}
    with tempfile.TemporaryDirectory() as runs:
        for k in range(args.folds):
            t0 = time.perf_counter()
            res["1-NN"]["folds"].append(nearest_neighbour(k, args.folds))
            res["1-NN"]["seconds"].append(time.perf_counter() - t0)
            for m in models:
                ov = [f"output_dir={runs}", f"data.options.fold={k}", f"data.options.folds={args.folds}",
                      f"model.name={m}", f"name=islr_{m}"]
                if args.epochs:
                    ov.append(f"train.epochs={args.epochs}")
                t0 = time.perf_counter()
                r = sk.train(str(ROOT / CONFIGS[m]), ov, verbose=False)
                res[m]["seconds"].append(time.perf_counter() - t0)
                res[m]["folds"].append(r["metrics"]["top1"])
                res[m]["parameters"] = r["metrics"]["parameters"]
                res[m]["epochs"] = r["metrics"]["epochs"]
            print(f"fold {k}: " + ", ".join(f"{m} {v['folds'][-1]:.3f}" for m, v in res.items()), flush=True)

    from signkit.data import load_dataset
    from signkit.data.islr import participant_folds

    ds = load_dataset("islr", split="all")
    groups = participant_folds(sorted({s.signer for s in ds.samples}), args.folds)
    rows = []
    for m, v in res.items():
        f = v["folds"]
        sd = statistics.stdev(f) if len(f) > 1 else 0.0
        params = f"{v['parameters']:,}" if v["parameters"] else "-"
        rows.append(f"| {m} | {params} | {v.get('epochs', '-')} | "
                    f"**{statistics.mean(f):.2%} ± {sd:.2%}** | {' / '.join(f'{x:.1%}' for x in f)} | "
                    f"{statistics.mean(v['seconds']):.0f} | `{v['config']}` |")
    machine = (f"{platform.machine()} CPU, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads (other jobs ran beside it), torch {torch.__version__}, "
               f"Python {platform.python_version()}")
    text = f"""# ISLR (Kaggle asl-signs) landmarks: leave participants out, {args.folds} folds

Data: `../shared/data/islr_asl_signs`, the competition's own files (MediaPipe Holistic landmarks of
Deaf signers filmed on phones): {len(ds)} sequences, {len({s.signer for s in ds.samples})} participants,
signs {ds.vocabulary}; read by the `islr` dataset into the whole-body layout `sign_body57` (upper
body 11, both hands 42, mouth 4). Folds: the sorted participant ids in {args.folds} groups
(`data.options.fold`), each test fold = participants the model never saw:
{'; '.join(f'fold {i}: {", ".join(g)}' for i, g in enumerate(groups))}.

| model | parameters | epochs | top-1, mean ± std over folds | per fold | s / fold | config |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

- Each test fold holds 24 sequences (3 participants x 2 signs x 4), so one sequence is 4.2 points;
  the spread across folds is mostly which participants are held out.
- 1-NN: Euclidean nearest neighbour on the same normalisation, resampled to 16 frames, flattened
  (the floor any model must beat).
- Only 2 signs: this checks whole-body recognition across signers, not vocabulary size. Users with
  the full competition data (250 signs) point `data.options.path` at it.
- Machine: {machine}.

Command: `.venv/bin/python benchmarks/islr_cv.py --folds {args.folds} --models {args.models}{f' --epochs {args.epochs}' if args.epochs else ''}`
"""
    Path(args.out).write_text(text)
    Path(args.out).with_suffix(".json").write_text(json.dumps(res, indent=1))
    print(text)


if __name__ == "__main__":
    main()
