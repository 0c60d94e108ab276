"""Extraction speed: signkit's full path vs MediaPipe alone on the same decoded frames, same run.

For each clip, interleaved so that machine load affects both sides alike:
  A. MediaPipe alone: frames decoded beforehand (not timed), one fresh solution per clip, process() per frame;
  B. signkit: extract_pose(video) + save_extraction(.pose): decoding, MediaPipe, conversion, atomic write.
Reports frames/s of both and the ratio B/A (goal >= 0.9: I/O, conversion and writing must not dominate).

    .venv/bin/python benchmarks/extraction.py [--clips N] [--holistic-clips N]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from signkit.paths import data_root
    from signkit.video import extract_pose, read_frames, save_extraction
    from signkit.video.extract import mediapipe_solution

    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=26)
    ap.add_argument("--holistic-clips", type=int, default=8)
    ap.add_argument("--out", default=str(ROOT / "docs" / "extraction_benchmark.md"))
    a = ap.parse_args()
    clips = sorted((data_root() / "videos" / "wlasl").glob("*/*.mp4"))
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for kind, n in (("hands", a.clips), ("holistic", a.holistic_clips)):
        t_alone = t_full = 0.0
        frames_total = 0
        for clip in clips[:n]:
            frames, info = read_frames(clip)
            t0 = time.perf_counter()
            with mediapipe_solution(kind) as sol:
                for f in frames:
                    sol.process(f)
            t_alone += time.perf_counter() - t0
            t0 = time.perf_counter()
            pose = extract_pose(clip, kind)
            save_extraction(pose, tmp / f"{clip.stem}.pose")
            t_full += time.perf_counter() - t0
            frames_total += len(frames)
        rows.append((kind, n, frames_total, frames_total / t_alone, frames_total / t_full, t_alone / t_full))
        print(rows[-1], flush=True)
    import torch

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    lines = ["# Extraction speed: signkit vs MediaPipe alone", "",
             f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, torch {torch.__version__}, "
             f"MediaPipe 0.10.21 (model complexity 1, tracking mode), one process. Date: {time.strftime('%Y-%m-%d')}.",
             "", "Command: `.venv/bin/python benchmarks/extraction.py`. Clips: the first N WLASL clips of "
             "`../shared/data/videos/wlasl` (sorted by path). Per clip, interleaved: MediaPipe alone on frames decoded "
             "beforehand, then signkit's `extract_pose` + `.pose` write (decoding, MediaPipe, conversion and atomic "
             "write all timed).", "",
             "| layout | clips | frames | MediaPipe alone (frames/s) | signkit end to end (frames/s) | ratio |",
             "|---|---|---|---|---|---|"]
    for kind, n, fr, fa, ff, ratio in rows:
        lines.append(f"| {kind} | {n} | {fr} | {fa:.1f} | {ff:.1f} | {ratio:.2f} |")
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
