"""Train every shipped config of a dataset and write a results table to docs/.

Each config runs in its own process so that peak memory (max resident set size) is per model.
Columns: test top-1 / top-5 / mean class accuracy, parameters, seconds per epoch (mean of the
training part of each epoch, from metrics.csv), peak memory, epochs, best epoch.

    .venv/bin/python benchmarks/train_table.py fpha            # all configs/fpha/*.yaml
    .venv/bin/python benchmarks/train_table.py rwth_boston104 --configs tcn gru
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
            "wall_s": time.perf_counter() - t0, "checkpoint": r["checkpoint"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--configs", nargs="*", help="config stems (default: all in configs/<dataset>/)")
    ap.add_argument("--out", default=None, help="markdown file (default docs/results_<dataset>.md)")
    ap.add_argument("--runs", default=str(ROOT / "runs" / "bench"))
    ap.add_argument("overrides", nargs="*", default=[])
    a = ap.parse_args()
    if a.configs:  # key=value words after --configs are overrides, not config names
        a.overrides += [w for w in a.configs if "=" in w]
        a.configs = [w for w in a.configs if "=" not in w]
    cfg_dir = ROOT / "configs" / a.dataset
    configs = [cfg_dir / f"{c}.yaml" for c in a.configs] if a.configs else sorted(cfg_dir.glob("*.yaml"))
    out = Path(a.out or ROOT / "docs" / f"results_{a.dataset}.md")
    rows_file = out.with_suffix(".jsonl")  # rows of every invocation; a config's newest row wins
    for c in configs:
        row = run_one(c, a.overrides, Path(a.runs))
        row["command"] = (f"signkit train configs/{a.dataset}/{c.name}" + (" " + " ".join(a.overrides) if a.overrides
                                                                             else ""))
        row["machine"] = machine()
        row["date"] = time.strftime("%Y-%m-%d")
        print(json.dumps(row), flush=True)
        with open(rows_file, "a") as f:
            f.write(json.dumps(row) + "\n")
        write_table(a.dataset, rows_file, out)
    print(f"wrote {out}")


def write_table(dataset: str, rows_file: Path, out: Path) -> None:
    rows: dict[str, dict] = {}
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        rows[r["config"]] = r
    machines = sorted({r.get("machine", "?") for r in rows.values()})
    lines = [f"# {dataset}: test results of the shipped configs", "",
             f"Machine: {'; '.join(machines)}.", "",
             f"Produced by `.venv/bin/python benchmarks/{Path(__file__).name} {dataset} [--configs ...] [overrides]`, "
             "which runs each row's command in its own process (peak memory = that process's max resident set "
             "size). Model selection: best validation top-1 on a per-class 10 % hold-out of the training split; "
             "the test split is used once, at the end. s / epoch = mean wall time of the training part of an "
             "epoch; rows measured while other jobs shared the machine are slower than on an idle one.", "",
             "| config | test top-1 | top-5 | mean class acc. | parameters | s / epoch | peak memory (MiB) | epochs (best) | command |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in sorted(rows):
        r = rows[name]
        if "error" in r:
            lines.append(f"| {name} | failed: {r['error']} | | | | | | | `{r.get('command', '')}` |")
            continue
        lines.append(f"| {name} | {r['top1']:.2%} | {r['top5']:.2%} | {r['mca']:.2%} | {r['parameters']:,} | "
                     f"{r['s_per_epoch']:.2f} | {r['peak_mib']:.0f} | {r['epochs']} ({r['best_epoch']}) | "
                     f"`{r['command']}` |")
    out.parent.mkdir(exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
