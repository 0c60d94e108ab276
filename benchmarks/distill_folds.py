"""Distillation measured over folds of people never seen: the shipped fingerspelling recipe's students.

For each fold (by default: leave one `asl_massey` person out, the 5 folds of issue 15's point 2), a
teacher is trained with the teacher config (default: the shipped `asl_fingerspelling` recipe,
`configs/fingerspelling_static/landmark_mlp.yaml`, seed 0); then each student config is trained on the same fold and seeds
without a teacher (cross-entropy), with the *consistent* teacher (the teacher runs on the student's
augmented batch inside each step; Beyer et al., CVPR 2022) and with the *cached* teacher (its logits
on the un-augmented training split, computed once), with the loss of Hinton et al. 2015
(``--temperature``, ``--alpha``). Every cell of the table is the mean test top-1 over the folds;
mean ± sd are over seeds of those fold means, so the spread is that of the whole protocol.

    .venv/bin/python benchmarks/distill_folds.py [--students A.yaml B.yaml] [--seeds 0 1 2] \
        [--folds asl_massey:hand1 ...] [--fold-key data.options.hold_out] [--temperature 2 --alpha 0.5] \
        [--teacher-config C.yaml --overrides key=value ...] [--name NAME]

Each run is its own process (`benchmarks/distill.py`'s child). Rows are appended to
``docs/distillation_<out>.jsonl`` as they finish (a rerun skips rows it has) and
``docs/distillation_<out>.md`` is rewritten each time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from distill import CHILD
from train_table import _rel, machine

ROOT = Path(__file__).resolve().parents[1]
FS = ROOT / "configs" / "fingerspelling_static"
MASSEY = [f"asl_massey:hand{i}" for i in range(1, 6)]


def run_child(args: list[str]) -> dict:
    p = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                       env={**os.environ, "GLOG_minloglevel": "2"})
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1:] or p.returncode)
    return json.loads(next(ln for ln in p.stdout.splitlines() if ln.startswith("RESULT "))[7:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teacher-config", default=str(FS / "landmark_mlp.yaml"))
    ap.add_argument("--students", nargs="+", default=[str(FS / "landmark_mlp_tiny.yaml"), str(FS / "landmark_mlp_micro.yaml")])
    ap.add_argument("--fold-key", default="data.options.hold_out")
    ap.add_argument("--folds", nargs="+", default=MASSEY)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--modes", nargs="+", default=["ce", "kd:consistent", "kd:cached"])
    ap.add_argument("--overrides", nargs="*", default=[], help="key=value for the teacher and every student")
    ap.add_argument("--name", default="fingerspelling_massey_folds", help="docs/distillation_<name>.md/.jsonl")
    ap.add_argument("--out-dir", default=str(ROOT / "runs" / "distill_folds"))
    a = ap.parse_args()
    jsonl = ROOT / "docs" / f"distillation_{a.name}.jsonl"
    rows = [json.loads(ln) for ln in jsonl.read_text().splitlines()] if jsonl.exists() else []
    key = lambda r: (r["role"], r["config"], r["mode"], r["fold"], r["seed"], r.get("T"), r.get("alpha"))  # noqa: E731

    def add(row: dict) -> None:
        rows.append(row)
        with open(jsonl, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)
        write_markdown(rows, a)

    done = {key(r): r for r in rows}
    teachers = {}
    for fold in a.folds:
        tag = fold.replace(":", "_")
        probe = {"role": "teacher", "config": _rel(a.teacher_config), "mode": "ce", "fold": fold, "seed": 0}
        if key(probe) in done:
            teachers[fold] = done[key(probe)]
            continue
        t0 = time.perf_counter()
        r = run_child(["ce", "-", a.teacher_config, "0", "0", f"{a.fold_key}={fold}", "train.seed=0", "train.progress=none",
                       f"output_dir={a.out_dir}", f"name=teacher_{tag}", *a.overrides])
        teachers[fold] = {**probe, "top1": r["metrics"]["top1"], "parameters": r["metrics"]["parameters"],
                          "checkpoint": _rel(str(r["checkpoint"])), "wall_s": round(time.perf_counter() - t0, 1)}
        add(teachers[fold])
    for seed in a.seeds:
        for student in a.students:
            for mode in a.modes:
                for fold in a.folds:
                    row = {"role": "student", "config": _rel(student), "mode": mode, "fold": fold, "seed": seed,
                           **({"T": a.temperature, "alpha": a.alpha} if mode != "ce" else {})}
                    if key(row) in done:
                        continue
                    t = teachers[fold]
                    t0 = time.perf_counter()
                    try:
                        r = run_child([mode, str(ROOT / t["checkpoint"]), student, str(a.temperature), str(a.alpha),
                                       f"{a.fold_key}={fold}", f"train.seed={seed}", "train.progress=none",
                                       f"output_dir={a.out_dir}",
                                       f"name={Path(student).stem}_{mode.replace(':', '_')}_{fold.replace(':', '_')}_s{seed}",
                                       *a.overrides])
                    except RuntimeError as e:
                        print(f"{student} {mode} {fold} seed {seed} failed: {e}", flush=True)
                        continue
                    add({**row, "top1": r["metrics"]["top1"], "parameters": r["metrics"]["parameters"],
                         "teacher_top1": t["top1"], "teacher_parameters": t["parameters"],
                         "wall_s": round(time.perf_counter() - t0, 1)})
    write_markdown(rows, a)


def write_markdown(rows: list[dict], a) -> None:
    folds = a.folds
    teachers = {r["fold"]: r for r in rows if r["role"] == "teacher" and r["fold"] in folds}
    label = {"ce": "without teacher", "kd:consistent": f"consistent teacher (T={a.temperature:g}, alpha={a.alpha:g})",
             "kd:cached": f"cached teacher (T={a.temperature:g}, alpha={a.alpha:g})"}
    tparams = next(iter(teachers.values()))["parameters"] if teachers else 0
    tmean = np.mean([teachers[f]["top1"] for f in folds]) if len(teachers) == len(folds) else float("nan")
    lines = [f"# Distillation over folds of unseen people: `{_rel(a.teacher_config)}` and its students", "",
             f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}.", "",
             f"Command: `.venv/bin/python benchmarks/distill_folds.py --seeds {' '.join(map(str, a.seeds))} "
             f"--temperature {a.temperature:g} --alpha {a.alpha:g}"
             + (f" --teacher-config {_rel(a.teacher_config)} --students {' '.join(_rel(s) for s in a.students)} --fold-key "
                f"{a.fold_key} --folds {' '.join(a.folds)} --name {a.name}" if a.name != "fingerspelling_massey_folds" else "")
             + (f" --overrides {' '.join(a.overrides)}" if a.overrides else "") + "` (each run alone, 2 torch threads). Folds "
             f"(`{a.fold_key}`): {', '.join(folds)}; one teacher per fold (seed 0, {tparams:,} parameters), test top-1 "
             + ", ".join(f"{teachers[f]['top1']:.2%}" for f in folds if f in teachers)
             + f"; **mean over folds {tmean:.2%}**. Each cell below is a student's test top-1 averaged over the "
             f"{len(folds)} folds; mean ± sd over seeds of those fold means. *Consistent*: the teacher runs in eval mode "
             "on the student's augmented batch inside each step (Beyer et al. 2022); *cached*: its logits on the "
             "un-augmented training split, computed once (inconsistent under augmentation). Loss: Hinton et al. 2015.", ""]
    for student in sorted({r["config"] for r in rows if r["role"] == "student"}):
        mine = [r for r in rows if r["role"] == "student" and r["config"] == student and r["fold"] in folds
                and (r["mode"] == "ce" or (r.get("T") == a.temperature and r.get("alpha") == a.alpha))]
        if not mine:
            continue
        params = mine[0]["parameters"]
        seeds = sorted({r["seed"] for r in mine})
        lines += [f"## `{student}` ({params:,} parameters, 1/{tparams / params:.1f} of the teacher)", "",
                  "| setting | " + " | ".join(f"seed {s}" for s in seeds) + " | mean ± sd | change vs none | "
                  "2 × sd (none) | below teacher |", "|---|" + "---|" * (len(seeds) + 4)]
        means = {}
        for mode in a.modes:
            per = {}
            for s in seeds:
                got = {r["fold"]: r["top1"] for r in mine if r["mode"] == mode and r["seed"] == s}
                if len(got) == len(folds):
                    per[s] = float(np.mean(list(got.values())))
            means[mode] = per
            if not per:
                continue
            v = np.array(list(per.values()))
            ce = np.array([means["ce"][s] for s in per if s in means.get("ce", {})])
            change = f"{(v.mean() - ce.mean()) * 100:+.2f}" if mode != "ce" and len(ce) == len(v) else "–"
            spread = f"{2 * ce.std(ddof=1) * 100:.2f}" if mode == "ce" and len(ce) > 1 else ""
            lines.append(f"| {label.get(mode, mode)} | " + " | ".join(f"{per[s]:.2%}" if s in per else "–" for s in seeds)
                         + f" | {v.mean():.2%} ± {v.std(ddof=1) * 100 if len(v) > 1 else 0:.2f} | {change} | {spread} | "
                         f"{(tmean - v.mean()) * 100:.2f} |")
        lines.append("")
    out = ROOT / "docs" / f"distillation_{a.name}.md"
    out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
