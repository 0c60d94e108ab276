"""Batch extraction against its peer: `signkit extract --layout holistic --workers N` and pose-format's
own `videos_to_poses --format mediapipe --num-workers N`, on the same WLASL clips, same run, wall
clock, rounds interleaved, the order alternating (peer then signkit, signkit then peer, ...). Each run starts from an empty output
(a fresh copy of the clips for the peer, which writes `.pose` files beside the videos).

    .venv/bin/python benchmarks/extraction_peer.py [--workers 2] [--rounds 2]

Writes docs/extraction_peer.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def copy_clips(src: Path, dst: Path) -> int:
    n = 0
    for f in sorted(src.glob("*/*.mp4")):
        (dst / f.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dst / f.parent.name / f.name)
        n += 1
    return n


def timed(cmd: list[str], cwd: Path) -> float:
    env = {**os.environ, "GLOG_minloglevel": "2"}
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr[-2000:]}")
    return took


def main() -> None:
    from signkit.paths import data_root

    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs" / "extraction_peer.md"))
    a = ap.parse_args()
    wl = data_root() / "videos" / "wlasl"
    rows = []
    for r in range(a.rounds):
        with tempfile.TemporaryDirectory(prefix="signkit-peer-") as d:
            d = Path(d)
            n = copy_clips(wl, d / "peer")
            peer_cmd = [str(BIN / "videos_to_poses"), "--format", "mediapipe", "-d", str(d / "peer"), "-r",
                        "--num-workers", str(a.workers)]
            ours_cmd = [str(BIN / "signkit"), "extract", str(wl), "--out", str(d / "ours"), "--layout", "holistic",
                        "--workers", str(a.workers)]
            if r % 2 == 0:  # alternate who goes first, so drift in the machine's speed cancels
                peer, ours = timed(peer_cmd, d), timed(ours_cmd, d)
            else:
                ours, peer = timed(ours_cmd, d), timed(peer_cmd, d)
            n_peer = len(list((d / "peer").rglob("*.pose")))
            n_ours = len(list((d / "ours").rglob("*.pose")))
            rows.append((r + 1, n, peer, n_peer, ours, n_ours))
            print(rows[-1], flush=True)
    lines = ["# Batch extraction against pose-format's `videos_to_poses`", "",
             f"Machine: {platform.node() or 'vm'}: {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"Date: {time.strftime('%Y-%m-%d')}. Command: `.venv/bin/python benchmarks/extraction_peer.py --workers "
             f"{a.workers} --rounds {a.rounds}`. Same {rows[0][1]} WLASL clips (`../shared/data/videos/wlasl`), MediaPipe "
             "Holistic (model complexity 1) in both, wall clock of the whole command (start-up included), from an "
             "empty output each time.", "",
             f"| round | `videos_to_poses --num-workers {a.workers}` (s) | .pose files | `signkit extract --layout holistic "
             f"--workers {a.workers}` (s) | .pose files | signkit speed / peer speed |", "|---|---|---|---|---|---|"]
    for r, n, peer, n_peer, ours, n_ours in rows:
        lines.append(f"| {r} | {peer:.1f} | {n_peer} | {ours:.1f} | {n_ours} | **{peer / ours:.2f}** |")
    tp, to = sum(x[2] for x in rows), sum(x[4] for x in rows)
    lines += ["", f"All rounds: {tp:.1f} s against {to:.1f} s: signkit at **{tp / to:.2f} x** the peer's speed "
              "(goal, issue 15: >= 1.0).", ""]
    Path(a.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
