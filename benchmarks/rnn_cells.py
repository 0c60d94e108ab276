"""LSTM vs GRU on the same data (the comparison of the LSTM-vs-GRU sign recognition paper): seconds
per epoch, peak memory, GPU utilisation, test top-1, for uni/bidirectional cells with 1-3 layers,
with and without mixed precision on a GPU. Writes docs/rnn_cells_<device>.md.

    .venv/bin/python benchmarks/rnn_cells.py --epochs 3                  # CPU (here)
    .venv/bin/python benchmarks/rnn_cells.py --epochs 5 --amp            # on a GPU machine (device tool)

Each configuration trains `configs/fpha/<cell>.yaml` (masked variable-length RNN, FPHA official
split) with `model.args.layers=<n> model.args.bidirectional=<b>` in its own process. On CUDA, peak
memory is `torch.cuda.max_memory_allocated` and utilisation is sampled every 0.2 s with NVML
(`pynvml`, else `nvidia-smi`); on CPU, peak memory is the process's max resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from train_table import ROOT, machine  # noqa: E402

CHILD = r"""
import json, resource, statistics, subprocess, sys, threading, time
import torch, signkit
samples, done = [], threading.Event()
def sample():
    try:
        import pynvml
        pynvml.nvmlInit(); h = pynvml.nvmlDeviceGetHandleByIndex(0)
        get = lambda: float(pynvml.nvmlDeviceGetUtilizationRates(h).gpu)
    except Exception:
        get = lambda: float(subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                                           capture_output=True, text=True).stdout.split()[0])
    while not done.is_set():
        samples.append(get()); time.sleep(0.2)
cuda = torch.cuda.is_available()
if cuda:
    threading.Thread(target=sample, daemon=True).start()
r = signkit.train(sys.argv[1], sys.argv[2:], verbose=False)
done.set()
r["peak_mib"] = (torch.cuda.max_memory_allocated() / 2**20 if cuda
                 else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
r["gpu_util"] = statistics.mean(samples) if samples else None
print("RESULT " + json.dumps(r))
"""


def run(cell: str, layers: int, bi: bool, amp: bool, epochs: int, out: Path, accel: str) -> dict:
    ov = [f"model.args.layers={layers}", f"model.args.bidirectional={str(bi).lower()}", f"train.epochs={epochs}",
          f"train.accelerator={accel}", "train.progress=none", f"output_dir={out}",
          f"name={cell}_{layers}{'bi' if bi else 'uni'}{'_amp' if amp else ''}"]
    if amp:
        ov.append("train.precision=16-mixed")
    cmd = [sys.executable, "-c", CHILD, str(ROOT / "configs" / "fpha" / f"{cell}.yaml"), *ov]
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "GLOG_minloglevel": "2"})
    row = {"cell": cell, "layers": layers, "bidirectional": bi, "amp": amp,
           "command": f"signkit train configs/fpha/{cell}.yaml " + " ".join(o for o in ov if not o.startswith("output_dir"))}
    if p.returncode != 0:
        return {**row, "error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    r = json.loads(next(ln for ln in p.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    ep = pd.read_csv(r["epoch_csv"]).groupby("epoch").first()
    times = ep["epoch_time"].dropna()
    return {**row, "s_per_epoch": float(times.iloc[1:].mean() if len(times) > 1 else times.mean()),
            "peak_mib": r["peak_mib"], "gpu_util": r["gpu_util"], "top1": r["metrics"]["top1"],
            "parameters": r["metrics"]["parameters"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--amp", action="store_true", help="also run each configuration with 16-bit mixed precision (GPU)")
    ap.add_argument("--layers", type=int, nargs="*", default=[1, 2, 3])
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    import torch

    accel = "gpu" if torch.cuda.is_available() else "cpu"
    device = torch.cuda.get_device_name(0) if accel == "gpu" else machine()
    out = Path(a.out or ROOT / "docs" / f"rnn_cells_{accel}.md")
    rows = []
    for layers in a.layers:
        for bi in (False, True):
            for amp in ((False, True) if a.amp and accel == "gpu" else (False,)):
                for cell in ("lstm", "gru"):
                    r = run(cell, layers, bi, amp, a.epochs, ROOT / "runs" / "rnn_cells", accel)
                    print(json.dumps(r), flush=True)
                    rows.append(r)
    mem = "peak GPU memory (MiB, torch.cuda.max_memory_allocated)" if accel == "gpu" else "peak RSS (MiB)"
    lines = [f"# LSTM vs GRU on FPHA ({accel.upper()})", "", f"Device: {device}. Date: {time.strftime('%Y-%m-%d')}.", "",
             f"Produced by `.venv/bin/python benchmarks/rnn_cells.py --epochs {a.epochs}{' --amp' if a.amp else ''}`. "
             "Masked variable-length cells (configs/fpha/lstm.yaml, gru.yaml: 128 units per direction, batch 32, "
             "up to 64 frames), FPHA official split. s / epoch = mean training wall time of the epochs after the "
             f"first. Test top-1 after only {a.epochs} epochs is a sanity check, not a result (the configs train 100).",
             "" if accel == "gpu" else "\nNo GPU was lent to this task: this is the CPU table (2 cores); the GPU table "
             "(peak GPU memory, NVML utilisation, mixed precision) comes from the same script on a GPU machine.", "",
             f"| cell | layers | direction | AMP | s / epoch | GRU / LSTM time | {mem} | GPU util (%) | parameters | test top-1 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    by = {(r["cell"], r["layers"], r["bidirectional"], r["amp"]): r for r in rows}
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['cell']} | {r['layers']} | {'bi' if r['bidirectional'] else 'uni'} | {r['amp']} | "
                         f"failed: {r['error']} | | | | | |")
            continue
        lstm = by.get(("lstm", r["layers"], r["bidirectional"], r["amp"]), {})
        ratio = f"{r['s_per_epoch'] / lstm['s_per_epoch']:.2f}" if r["cell"] == "gru" and "s_per_epoch" in lstm else ""
        util = f"{r['gpu_util']:.0f}" if r.get("gpu_util") is not None else "n/a"
        lines.append(f"| {r['cell']} | {r['layers']} | {'bi' if r['bidirectional'] else 'uni'} | "
                     f"{'yes' if r['amp'] else 'no'} | {r['s_per_epoch']:.2f} | {ratio} | {r['peak_mib']:.0f} | {util} | "
                     f"{r['parameters']:,} | {r['top1']:.2%} |")
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
