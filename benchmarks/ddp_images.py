"""Seconds per epoch of an image model trained with 1 and with 2 Lightning DDP processes (CPU, gloo),
side by side in one run; writes docs/ddp_images.md.

    .venv/bin/python benchmarks/ddp_images.py                       # lenet5 on Sign-MNIST, 2 epochs
    .venv/bin/python benchmarks/ddp_images.py --config configs/sign_mnist/lenet5.yaml configs/silfa_letters/resnet18_28px.yaml --epochs 3

Each process gets half of the machine's threads (signkit.training.fit divides torch's threads by
the number of CPU processes), so on a 2-core machine the comparison is of one process with 2 threads
against two processes with 1 thread each, with the gradient all-reduce over gloo added.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import time
from pathlib import Path

from train_table import ROOT, machine, run_one  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", nargs="+", default=[str(ROOT / "configs/sign_mnist/lenet5.yaml")])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs" / "ddp_images.md"))
    a = ap.parse_args()
    rows = []
    for config in map(Path, a.config):
        for n in (1, 2):
            os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()))
            ov = [f"train.epochs={a.epochs}", f"train.devices={n}", "train.strategy=" + ("ddp" if n > 1 else "auto")]
            r = run_one(config.resolve(), ov, ROOT / "runs" / "ddp")
            r.update(processes=n, command=f"signkit train {config.resolve().relative_to(ROOT)} " + " ".join(ov))
            print(json.dumps(r), flush=True)
            rows.append(r)
    lines = ["# Image model: seconds per epoch with 1 and 2 DDP processes", "",
             f"Machine: {machine()}. No GPU was lent to this task, so there is no GPU row.", "",
             f"Produced by `.venv/bin/python benchmarks/ddp_images.py --config "
             f"{' '.join(str(Path(c).resolve().relative_to(ROOT)) for c in a.config)} "
             f"--epochs {a.epochs}` on {time.strftime('%Y-%m-%d')}. s / epoch = mean wall time of the training part "
             "of an epoch (rank 0); each process sees half of the training batches per epoch, with the config's "
             "batch size per process, so 2 processes take half as many optimiser steps per epoch (an effective "
             "batch twice as large) and reach a lower top-1 after the same few epochs.", "",
             "| model | processes | s / epoch | ratio to 1 process | test top-1 | command |", "|---|---|---|---|---|---|"]
    for i, r in enumerate(rows):
        base = rows[i - i % 2].get("s_per_epoch") or float("nan")
        if "error" in r:
            lines.append(f"| {r['config']} | {r['processes']} | failed: {r['error']} | | | `{r['command']}` |")
            continue
        lines.append(f"| {r['config']} | {r['processes']} | {r['s_per_epoch']:.1f} | {r['s_per_epoch'] / base:.2f} | "
                     f"{r['top1']:.2%} | `{r['command']}` |")
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
