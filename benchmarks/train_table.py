"""Train every shipped config of a dataset and write a results table to docs/.

Each config runs in its own process so that peak memory (max resident set size) is per model.
Columns: test top-1 / top-5 / mean class accuracy, parameters, seconds per epoch (mean of the
training part of each epoch, from metrics.csv), peak memory, epochs, best epoch.

    .venv/bin/python benchmarks/train_table.py fpha            # all configs/fpha/*.yaml
    .venv/bin/python benchmarks/train_table.py rwth_boston104 --configs tcn gru
    .venv/bin/python benchmarks/train_table.py fpha --configs islr_transformer --seeds 0 1 2

With several seeds (``train.seed``) a config's row gives mean ± std of the test figures over its seeds
(each seed's newest run), and the seeds it has.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

CHILD = Path(__file__).with_name("train_child.py")  # one training run in its own process


def machine() -> str:
    import torch

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), torch {torch.__version__}, Python {platform.python_version()}"


def _rel(path: str) -> str:
    """A path relative to the repository when it lies inside it (no machine paths in docs/)."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else path


def run_one(config: Path, overrides: list[str], out_dir: Path) -> dict:
    # CHILD is a script file, not `python -c`: Lightning's DDP launcher re-runs sys.argv for ranks > 0.
    cmd = [sys.executable, str(CHILD), str(config), f"output_dir={out_dir}", "train.progress=none", *overrides]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "GLOG_minloglevel": "2"})
    if p.returncode != 0:
        return {"config": config.stem, "error": p.stderr.strip().splitlines()[-1] if p.stderr else "failed"}
    r = json.loads(next(ln for ln in p.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    ep = pd.read_csv(r["epoch_csv"]).groupby("epoch").first()
    m = r["metrics"]
    return {"config": config.stem, "top1": m["top1"], "top5": m["top5"], "mca": m["mean_class_accuracy"],
            "parameters": m["parameters"], "s_per_epoch": float(ep["epoch_time"].mean()),
            "peak_mib": r["peak_rss_mib"], "epochs": m["epochs"], "best_epoch": m["best_epoch"],
            "wall_s": time.perf_counter() - t0, "checkpoint": _rel(r["checkpoint"])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--configs", nargs="*", help="config stems (default: all in configs/<dataset>/)")
    ap.add_argument("--out", default=None, help="markdown file (default docs/results_<dataset>.md)")
    ap.add_argument("--runs", default=str(ROOT / "runs" / "bench"))
    ap.add_argument("--seeds", nargs="*", type=int, default=None, help="train.seed values (one run each)")
    ap.add_argument("--note", default=None, help="a note on these rows (e.g. the conditions), printed under the table")
    ap.add_argument("overrides", nargs="*", default=[])
    a = ap.parse_args()
    if a.configs:  # key=value words after --configs are overrides, not config names
        a.overrides += [w for w in a.configs if "=" in w]
        a.configs = [w for w in a.configs if "=" not in w]
    cfg_dir = ROOT / "configs" / a.dataset
    configs = [cfg_dir / f"{c}.yaml" for c in a.configs] if a.configs else sorted(cfg_dir.glob("*.yaml"))
    out = Path(a.out or ROOT / "docs" / f"results_{a.dataset}.md")
    rows_file = out.with_suffix(".jsonl")  # rows of every invocation; a config's newest row wins
    for c, seed in [(c, s) for c in configs for s in (a.seeds if a.seeds is not None else [None])]:
        ov = a.overrides + ([f"train.seed={seed}"] if seed is not None else [])
        row = run_one(c, ov, Path(a.runs))
        row["seed"] = seed if seed is not None else 0
        if a.note:
            row["note"] = a.note
        row["command"] = f"signkit train configs/{a.dataset}/{c.name}" + (" " + " ".join(ov) if ov else "")
        row["machine"] = machine()
        row["date"] = time.strftime("%Y-%m-%d")
        print(json.dumps(row), flush=True)
        with open(rows_file, "a") as f:
            f.write(json.dumps(row) + "\n")
        write_table(a.dataset, rows_file, out)
    print(f"wrote {out}")


def write_table(dataset: str, rows_file: Path, out: Path) -> None:
    import statistics

    runs: dict[str, dict[int, dict]] = {}
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        runs.setdefault(r["config"], {})[int(r.get("seed", 0))] = r  # a (config, seed)'s newest row wins
    machines = sorted({r.get("machine", "?") for rs in runs.values() for r in rs.values()})

    def stat(rs: list[dict], key: str, pct: bool = True) -> str:
        v = [r[key] for r in rs]
        f = (lambda x: f"{x:.2%}") if pct else (lambda x: f"{x:.2f}")
        return f(v[0]) if len(v) == 1 else f"{f(statistics.mean(v))} ± {f(statistics.stdev(v))}"

    lines = [f"# {dataset}: test results of the shipped configs", "",
             f"Machine: {'; '.join(machines)}.", "",
             f"Produced by `.venv/bin/python benchmarks/{Path(__file__).name} {dataset} [--configs ...] [--seeds ...] "
             "[overrides]`, which runs each row's command in its own process (peak memory = that process's max "
             "resident set size). Model selection: best validation top-1 on a per-class 10 % hold-out of the "
             "training split (configs with `data.val_fraction: 0`, such as FPHA's `_full` ones, train on the "
             "whole training split and keep the last epoch); the test split is used once, at the end. With "
             "several seeds a figure is mean ± "
             "std over them. s / epoch = mean wall time of the training part of an epoch; rows measured while "
             "other jobs shared the machine are slower than on an idle one.", "",
             "| config | seeds | test top-1 | top-5 | mean class acc. | parameters | s / epoch | peak memory (MiB) | "
             "epochs (best) | command |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in sorted(runs):
        rs = [runs[name][k] for k in sorted(runs[name])]
        bad = [r for r in rs if "error" in r]
        if bad:
            lines.append(f"| {name} | | failed: {bad[-1]['error']} | | | | | | | `{bad[-1].get('command', '')}` |")
            continue
        r = rs[-1]
        seeds = ", ".join(str(k) for k in sorted(runs[name]))
        command = r["command"].replace(f"train.seed={r.get('seed')}", "train.seed=<seed>")
        lines.append(f"| {name} | {seeds} | {stat(rs, 'top1')} | {stat(rs, 'top5')} | {stat(rs, 'mca')} | "
                     f"{r['parameters']:,} | {stat(rs, 's_per_epoch', False)} | {r['peak_mib']:.0f} | "
                     f"{r['epochs']} ({', '.join(str(x['best_epoch']) for x in rs)}) | "
                     f"`{command}` |")
    notes = sorted({(name, r["note"]) for name, rs in runs.items() for r in rs.values() if r.get("note")})
    if notes:
        lines += ["", "Notes:"] + [f"- {name}: {note}" for name, note in notes]
    out.parent.mkdir(exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
