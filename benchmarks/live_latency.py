"""Live latency: the whole `signkit live` pipeline against MediaPipe alone, on the same frames, same run.

For each video: (1) MediaPipe alone: decode with PyAV and run MediaPipe Hands in tracking mode on
every frame (what any MediaPipe app pays); (2) signkit live: the same file through
:func:`signkit.live.run_live` as fast as possible (decode, landmarks, One Euro filter, model,
decoder, events). Reports per-stage p50/p95 ms, sustained frames/s and the ratio live / MediaPipe
alone, interleaved (alone, live, alone, live, ...) over ``--repeats`` rounds. Writes docs/live_latency.md.

    .venv/bin/python benchmarks/live_latency.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def mediapipe_alone(video: Path) -> tuple[float, list[float]]:
    """(frames/s over decode + MediaPipe, per-frame MediaPipe ms)."""
    import av

    from signkit.video.tracking import HandTracker

    ms = []
    t0 = time.perf_counter()
    with av.open(str(video)) as c, HandTracker() as tr:
        for fr in c.decode(video=0):
            img = fr.to_ndarray(format="rgb24")
            a = time.perf_counter()
            tr.process(img)
            ms.append((time.perf_counter() - a) * 1e3)
    return len(ms) / (time.perf_counter() - t0), ms


def main() -> None:
    import torch

    import signkit.api as sk
    from signkit.paths import data_root

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--checkpoint", default="asl_fingerspelling")
    ap.add_argument("--out", default=str(ROOT / "docs" / "live_latency.md"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    root = data_root()
    videos = [root / "videos/fingerspelling/finger.mp4", root / "videos/misc/pose_format_test_video.mp4"]
    videos += sorted((root / "videos/wlasl").glob("*/*.mp4"))[:4]
    rows = []
    for v in videos:
        alone_fps, alone_ms, live_fps, stages = [], [], [], {}
        for _ in range(a.repeats):
            f, ms = mediapipe_alone(v)
            alone_fps.append(f)
            alone_ms += ms
            r = sk.live(a.checkpoint, str(v), realtime=False)
            live_fps.append(r.latency["fps"])
            for k, s in r.latency["stages"].items():
                stages.setdefault(k, []).append(s)
        med = lambda xs: float(np.median(xs))  # noqa: E731
        st = {k: {q: med([s[q] for s in ss]) for q in ("p50_ms", "p95_ms")} for k, ss in stages.items()}
        small = st["model"]["p95_ms"] + st["filter"]["p95_ms"] + st["decoder"]["p95_ms"]
        rows.append((v.relative_to(root).as_posix(), r.latency["frames"], med(alone_fps), float(np.percentile(alone_ms, 50)),
                     float(np.percentile(alone_ms, 95)), med(live_fps), st, small))
        print(rows[-1][0], f"alone {med(alone_fps):.1f} fps, live {med(live_fps):.1f} fps", flush=True)
    lines = [
        "# Live latency: `signkit live` against MediaPipe alone, same frames, same run", "",
        f"Machine: {platform.node() or 'vm'}: {__import__('os').cpu_count()} cores, torch {torch.__version__} "
        f"(1 thread), Python {platform.python_version()}. Date: {time.strftime('%Y-%m-%d')}. Command: "
        f"`.venv/bin/python benchmarks/live_latency.py --repeats {a.repeats}` (checkpoint `{a.checkpoint}`; "
        "hands path: MediaPipe Hands, tracking mode, complexity 1). Medians over the rounds; rounds interleave "
        "MediaPipe alone and live. *MediaPipe alone* = PyAV decode + MediaPipe Hands per frame, nothing else. "
        "*live* = the whole pipeline on the file as fast as possible (decode in a reader thread, landmarks, "
        "One Euro filter, model, online decoder, events).", "",
        "| video | frames | MediaPipe alone fps | MediaPipe ms p50 / p95 | live fps | live / alone | landmarks p50 / p95 | "
        "filter p95 | model p95 | decoder p95 | model+filter+decoder p95 | total p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, n, af, a50, a95, lf, st, small in rows:
        lines.append(f"| {name} | {n} | {af:.1f} | {a50:.1f} / {a95:.1f} | {lf:.1f} | **{lf / af:.2f}** | "
                     f"{st['landmarks']['p50_ms']:.1f} / {st['landmarks']['p95_ms']:.1f} | {st['filter']['p95_ms']:.2f} | "
                     f"{st['model']['p95_ms']:.2f} | {st['decoder']['p95_ms']:.2f} | **{small:.2f}** | "
                     f"{st['total']['p50_ms']:.1f} / {st['total']['p95_ms']:.1f} |")
    lines += ["", "Goal (issue 15): live >= 0.9 x MediaPipe alone, model + filter + decoder <= 2 ms per frame at p95. "
              "The holistic path is not measured: `signkit live` has no holistic (whole-body) stage yet.", ""]
    Path(a.out).write_text("\n".join(lines))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
