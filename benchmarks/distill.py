"""Knowledge distillation table: a small student trained with and without the teacher, same seeds.

    .venv/bin/python benchmarks/distill.py --teacher runs/fpha_tcn/<stamp>/model.safetensors \
        --student configs/fpha/tcn_tiny.yaml --seeds 0 1 2

Each run is its own process (`signkit train` / `signkit distill` through the Python API). Rows are
appended to docs/distillation_<dataset>.jsonl as they finish (a rerun skips the rows it has), and
the markdown table (mean, standard deviation, margin vs seed-to-seed spread) is rewritten each time.
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

from train_table import _rel, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, signkit
from signkit.training.distill import distill
mode, teacher, config, T, alpha, *ov = sys.argv[1:]
if mode.startswith("kd"):  # kd:cached or kd:consistent; teachers joined by commas (an ensemble)
    teachers = teacher.split(",")
    r = distill(teachers if len(teachers) > 1 else teachers[0], config, ov, float(T), float(alpha), verbose=False,
                mode=mode.split(":", 1)[1])
else:
    r = signkit.train(config, ov, verbose=False)
print("RESULT " + json.dumps(r))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher", required=True, help="a checkpoint, or several joined by commas (an ensemble)")
    ap.add_argument("--kd-modes", nargs="+", default=["consistent"], choices=["consistent", "cached"],
                    help="teacher modes to run beside the no-teacher baseline")
    ap.add_argument("--student", default=str(ROOT / "configs/fpha/tcn_tiny.yaml"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--alpha", type=float, default=0.9)
    ap.add_argument("--overrides", nargs="*", default=[])
    ap.add_argument("--skip-ce", action="store_true",
                    help="run only the teacher modes (the no-teacher rows come from another, concurrent run)")
    ap.add_argument("--ce-from", default=None,
                    help="a train_table rows file (docs/results_<dataset>.jsonl): take the no-teacher rows from its "
                         "runs of the student config (no overrides) for these seeds instead of training them again; "
                         "for a student whose config is a teacher's own (self-distillation, born-again networks)")
    ap.add_argument("--out-dir", default=str(ROOT / "runs" / "distill"))
    a = ap.parse_args()
    from signkit.checkpoint import read_checkpoint_meta

    tmeta = read_checkpoint_meta(a.teacher.split(",")[0])
    dataset = tmeta["config"]["data"]["name"]
    n_teachers = len(a.teacher.split(","))
    from signkit.training.distill import teacher_folds

    oof = any(teacher_folds(read_checkpoint_meta(c)) >= 2 for c in a.teacher.split(","))
    ens_top1 = None
    if n_teachers > 1:  # the ensemble's own test top-1 (mean of the members' logits), for the table
        import signkit

        ens = signkit.evaluate_ensemble(a.teacher.split(","))
        ens_top1 = ens["top1"]
        print(f"ensemble of {n_teachers}: test top-1 {ens_top1:.2%} (members "
              f"{', '.join(f'{x:.2%}' for x in ens['members'])})", flush=True)
    jsonl = ROOT / "docs" / f"distillation_{dataset}.jsonl"
    rows = [json.loads(ln) for ln in jsonl.read_text().splitlines()] if jsonl.exists() else []
    done = {(r["student"], _setting(r), r["seed"]) for r in rows}
    student = Path(a.student).stem
    if a.ce_from:
        rows += import_ce_rows(Path(a.ce_from), student, a, tmeta, n_teachers, done, jsonl)
        done = {(r["student"], _setting(r), r["seed"]) for r in rows}
    for seed in a.seeds:
        for mode in ([] if a.skip_ce else ["ce"]) + [f"kd:{m}" for m in a.kd_modes]:
            probe = {"mode": mode.split(":")[0], "kd_mode": mode.split(":")[-1], "T": a.temperature, "alpha": a.alpha,
                     "teachers": n_teachers, "out_of_fold": oof, "teacher_run": tmeta["config"]["name"]}
            if (student, _setting(probe), seed) in done:
                continue
            cmd = [sys.executable, "-c", CHILD, mode, a.teacher, a.student, str(a.temperature), str(a.alpha),
                   f"train.seed={seed}", "train.progress=none", f"output_dir={a.out_dir}",
                   f"name={student}_{mode.replace(':', '_')}{f'_oof{n_teachers}' if oof else f'_ens{n_teachers}' if n_teachers > 1 else ''}_s{seed}", *a.overrides]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "GLOG_minloglevel": "2"})
            if p.returncode != 0:
                print(f"{mode} seed {seed} failed: {p.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            r = json.loads(next(ln for ln in p.stdout.splitlines() if ln.startswith("RESULT "))[7:])
            row = {"student": student, "mode": mode.split(":")[0], "seed": seed, "top1": r["metrics"]["top1"],
                   "kd_mode": mode.split(":")[-1] if mode != "ce" else None, "teachers": n_teachers,
                   "out_of_fold": oof if mode != "ce" else None,
                   "parameters": r["metrics"]["parameters"], "teacher_top1": tmeta["metrics"]["top1"],
                   "teacher_parameters": tmeta["metrics"]["parameters"], "teacher": tmeta["model"],
                   **({"teacher_run": tmeta["config"]["name"]} if mode != "ce" else {}),
                   "T": a.temperature, "alpha": a.alpha, "wall_s": round(time.perf_counter() - t0, 1)}
            if ens_top1 is not None and mode != "ce":
                row["ensemble_top1"] = ens_top1
            rows.append(row)
            with open(jsonl, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
            write_markdown(jsonl, dataset, a)
    write_markdown(jsonl, dataset, a)  # also when every row was there already


def import_ce_rows(rows_file: Path, student: str, a, tmeta: dict, n_teachers: int, done: set, jsonl: Path) -> list:
    """No-teacher rows of ``student`` taken from a train_table rows file (its newest row per seed, runs without
    overrides only), appended to ``jsonl``; a seed the file lacks is trained as usual. Raises SystemExit when
    overrides are given (those rows were trained without them)."""
    if a.overrides:
        raise SystemExit(f"--ce-from takes rows trained without overrides; found overrides {a.overrides}")
    newest = {}
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        extra = [w for w in r.get("command", "").split()[3:] if not w.startswith("train.seed=")]
        if r.get("config") == student and "top1" in r and not extra and r.get("seed") in a.seeds:
            newest[r["seed"]] = r
    out = []
    for seed, r in sorted(newest.items()):
        if (student, "ce", seed) in done:
            continue
        row = {"student": student, "mode": "ce", "seed": seed, "top1": r["top1"], "kd_mode": None,
               "teachers": n_teachers, "out_of_fold": None, "parameters": r["parameters"],
               "teacher_top1": tmeta["metrics"]["top1"], "teacher_parameters": tmeta["metrics"]["parameters"],
               "teacher": tmeta["model"], "T": a.temperature, "alpha": a.alpha, "wall_s": round(r["wall_s"], 1),
               "ce_from": _rel(str(rows_file))}
        out.append(row)
        with open(jsonl, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"no-teacher seed {seed}: {r['top1']:.2%} from {rows_file.name}", flush=True)
    return out


LEGACY_TEACHER_RUNS = {"fpha_tcn"}  # the teacher of the rows written before teacher_run was recorded


def _setting(r: dict) -> str:
    """A row's setting; rows written before consistent distillation existed were cached; rows written
    before ``teacher_run`` was recorded had a ``<dataset>_tcn`` (or fold) teacher."""
    if r["mode"] == "ce":
        return "ce"
    run = r.get("teacher_run")
    who = f", teacher run {run}" if run and run not in LEGACY_TEACHER_RUNS and not r.get("out_of_fold") else ""
    if r.get("out_of_fold"):
        ens = f", out-of-fold (each sample taught by the 1 of {r['teachers']} fold teachers that never saw it)"
    else:
        ens = f", ensemble of {r['teachers']}" if r.get("teachers", 1) > 1 else ""
    return f"kd {r.get('kd_mode') or 'cached'} T={r['T']:g} alpha={r['alpha']:g}{ens}{who}"


def write_markdown(jsonl: Path, dataset: str, a) -> None:
    """Rewrite docs/distillation_<dataset>.md from every row of ``jsonl`` (concurrent runs append to it)."""
    rows = [json.loads(ln) for ln in jsonl.read_text().splitlines()] if jsonl.exists() else []
    lines = [f"# Knowledge distillation on {dataset}", "",
             f"Machine: {machine()}.", "",
             f"Command: `.venv/bin/python benchmarks/distill.py --teacher <teacher checkpoint> --student {_rel(a.student)} "
             f"--seeds {' '.join(map(str, a.seeds))} [--kd-modes consistent cached] [--temperature T --alpha A]` "
             "(Hinton et al. 2015 loss; *cached*: teacher logits computed once on the un-augmented training split; "
             "*consistent*: the teacher runs on the student's augmented batch, Beyer et al. 2022). Each student trains with its "
             "config's schedule, with (`kd`) and without (`ce`) the teacher, on the same seeds; test split once, at "
             "the end, after model selection on the validation hold-out (configs with `data.val_fraction: 0`: the last "
             "epoch).", "",
             ]
    for student in sorted({r["student"] for r in rows if r.get("ce_from")}):
        src = sorted({r["ce_from"] for r in rows if r["student"] == student and r.get("ce_from")})
        lines += [f"Student `{student}`: its no-teacher rows are that config's own runs in {', '.join(src)} (same "
                  "config, same seeds, `--ce-from`), not trained again; when the teacher is an ensemble of those very "
                  "runs this is self-distillation (born-again networks, Furlanello et al. 2018).", ""]
    summary = []
    for student in sorted({r["student"] for r in rows}):
        mine = [r for r in rows if r["student"] == student]
        t = mine[0]
        settings = ["ce"] + sorted({_setting(r) for r in mine} - {"ce"})
        seeds = sorted({r["seed"] for r in mine})
        cell = {(_setting(r), r["seed"]): r["top1"] for r in mine}
        kinds = {}  # each distinct teacher (model, number of members): its parameters in all
        for r in mine:
            n = r.get("teachers", 1) if not r.get("out_of_fold") else 1
            kinds.setdefault((r["teacher"], n), n * r["teacher_parameters"])
        who = ", ".join(f"`{m}`" + (f" × {n} (an ensemble)" if n > 1 else "") + f" ({p:,} parameters, "
                        f"1/{p / t['parameters']:.1f})" for (m, n), p in kinds.items())
        lines += [f"Student `{student}` ({t['parameters']:,} parameters); teachers {who}; each setting's teacher "
                  "and its test top-1 in the summary below:", "",
                  "| seed | " + " | ".join("without teacher (cross-entropy)" if s == "ce" else f"with teacher, {s}"
                                          for s in settings) + " |", "|---|" + "---|" * len(settings)]
        for seed in seeds:
            lines.append(f"| {seed} | " + " | ".join(f"{cell[(s, seed)]:.2%}" if (s, seed) in cell else "–"
                                                     for s in settings) + " |")
        lines.append("")
        for s in settings[1:]:
            both = [seed for seed in seeds if ("ce", seed) in cell and (s, seed) in cell]
            if len(both) < 2:
                continue
            ce_a = np.array([cell[("ce", x)] for x in both])
            kd_a = np.array([cell[(s, x)] for x in both])
            diff = kd_a - ce_a
            sd = max(ce_a.std(ddof=1), kd_a.std(ddof=1))
            rng = max(ce_a.max() - ce_a.min(), kd_a.max() - kd_a.min())
            teacher = next((r.get("ensemble_top1") for r in mine if _setting(r) == s and r.get("ensemble_top1")),
                           None) or next(r["teacher_top1"] for r in mine if _setting(r) == s)
            gap = teacher - kd_a.mean()
            summary.append(
                f"- `{student}`, {s} ({len(both)} seeds): without teacher {ce_a.mean():.2%} ± {ce_a.std(ddof=1):.2%}, "
                f"with teacher {kd_a.mean():.2%} ± {kd_a.std(ddof=1):.2%} (mean ± sd); mean change "
                f"{100 * diff.mean():+.2f} points (per seed {', '.join(f'{100 * d:+.2f}' for d in diff)}). "
                f"Seed-to-seed spread: sd {100 * sd:.2f} points, range {100 * rng:.2f} points; a change above "
                f"twice the sd: {'yes' if diff.mean() > 2 * sd else 'no'}, above twice the range: "
                f"{'yes' if diff.mean() > 2 * rng else 'no'}. Teacher "
                f"{'(ensemble) ' if 'ensemble' in s else '(fold teachers, mean on test) ' if 'out-of-fold' in s else ''}{teacher:.2%}: the student ends {100 * abs(gap):.2f} points "
                f"{'below' if gap >= 0 else 'above'} it ({'within' if gap <= 0.02 else 'NOT within'} 2 points).")
    lines += ["", *summary, ""]
    (ROOT / "docs" / f"distillation_{dataset}.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
