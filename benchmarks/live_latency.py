"""Live latency: the whole `signkit live` pipeline against MediaPipe alone, on the same frames, same run.

For each video: (1) MediaPipe alone: decode with PyAV and run MediaPipe Hands in tracking mode on
every frame (what any MediaPipe app pays); (2) signkit live: the same file through
:func:`signkit.live.run_live` as fast as possible (decode, landmarks, One Euro filter, model,
decoder, events), with the model in ONNX Runtime (the default for hand shapes) and, on the hands
rows, once more in torch (``runtime="torch"``) for comparison. Reports per-stage p50/p95 ms,
sustained frames/s and the ratio live / MediaPipe alone, interleaved (alone, live, live in torch,
alone, ...) over ``--repeats`` rounds. Writes docs/live_latency.md.

    .venv/bin/python benchmarks/live_latency.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def mediapipe_alone(video: Path, kind: str = "hands") -> tuple[float, list[float]]:
    """(frames/s over decode + MediaPipe, per-frame MediaPipe ms): the bare MediaPipe solution
    (Hands or Holistic, tracking mode), nothing converted."""
    import av

    from signkit.video.extract import mediapipe_solution

    ms = []
    t0 = time.perf_counter()
    with av.open(str(video)) as c, mediapipe_solution(kind) as sol:
        for fr in c.decode(video=0):
            img = fr.to_ndarray(format="rgb24")
            a = time.perf_counter()
            sol.process(img)
            ms.append((time.perf_counter() - a) * 1e3)
    return len(ms) / (time.perf_counter() - t0), ms


def quick_holistic_checkpoint(root: Path) -> str:
    """A 3-epoch gru on MediaPipe Holistic (`sign_body57`) of 4 WLASL glosses (a latency subject, not a
    result)."""
    import tempfile

    import signkit.api as sk

    tmp = Path(tempfile.mkdtemp(prefix="signkit-latency-"))
    glosses = sorted(p.name for p in (root / "videos/wlasl").iterdir() if p.is_dir())
    r = sk.train(None, ["model.name=gru", "data.name=videos", f"data.options.path={root / 'videos/wlasl'}",
                        "data.options.layout=sign_body57", f"data.options.cache={tmp / 'kp'}", "data.options.workers=2",
                        f"data.options.exclude_glosses=[{', '.join(glosses[4:])}]", "data.num_frames=32",
                        "data.val_fraction=0", "train.epochs=3", f"output_dir={tmp}", "name=holistic"], verbose=False)
    return str(r["checkpoint"])


def main() -> None:
    import torch

    import signkit.api as sk
    from signkit.paths import data_root

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--checkpoint", default="asl_fingerspelling")
    ap.add_argument("--holistic-checkpoint", default=None,
                    help="a sign_body57 keypoint checkpoint for the holistic path (default: train a quick one)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "live_latency.md"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    root = data_root()
    videos = [root / "videos/fingerspelling/finger.mp4", root / "videos/misc/pose_format_test_video.mp4"]
    videos += sorted((root / "videos/wlasl").glob("*/*.mp4"))[:4]
    hol = a.holistic_checkpoint or quick_holistic_checkpoint(root)
    rows = []
    for path, ckpt, v in [("hands", a.checkpoint, v) for v in videos] + [("holistic", hol, v) for v in videos[1:4]]:
        alone_fps, alone_ms, live_fps, stages, torch_small = [], [], [], {}, []
        for _ in range(a.repeats):
            f, ms = mediapipe_alone(v, path)
            alone_fps.append(f)
            alone_ms += ms
            r = sk.live(ckpt, str(v), realtime=False)
            runtime = r.source["runtime"]
            live_fps.append(r.latency["fps"])
            for k, s in r.latency["stages"].items():
                stages.setdefault(k, []).append(s)
            if path == "hands":
                t = sk.live(ckpt, str(v), realtime=False, runtime="torch").latency["stages"]
                torch_small.append(sum(t[k]["p95_ms"] for k in ("model", "filter", "decoder")))
        med = lambda xs: float(np.median(xs))  # noqa: E731
        st = {k: {q: med([s[q] for s in ss]) for q in ("p50_ms", "p95_ms")} for k, ss in stages.items()}
        small = st["model"]["p95_ms"] + st["filter"]["p95_ms"] + st["decoder"]["p95_ms"]
        rows.append((f"{path}: {v.relative_to(root).as_posix()}", r.latency["frames"], med(alone_fps), float(np.percentile(alone_ms, 50)),
                     float(np.percentile(alone_ms, 95)), med(live_fps), st, small, runtime,
                     med(torch_small) if torch_small else None))
        print(rows[-1][0], f"alone {med(alone_fps):.1f} fps, live {med(live_fps):.1f} fps, m+f+d p95 {small:.2f} ms "
              f"({runtime})", flush=True)
    lines = [
        "# Live latency: `signkit live` against MediaPipe alone, same frames, same run", "",
        f"Machine: {platform.node() or 'vm'}: {__import__('os').cpu_count()} cores, torch {torch.__version__} "
        f"(1 thread), Python {platform.python_version()}. Date: {time.strftime('%Y-%m-%d')}. Command: "
        f"`.venv/bin/python benchmarks/live_latency.py --repeats {a.repeats}` (checkpoint `{a.checkpoint}`; "
        "hands path: MediaPipe Hands; holistic path: MediaPipe Holistic into `sign_body57` with a quick gru "
        "checkpoint (isolated signs); tracking mode, complexity 1). Medians over the rounds; rounds interleave "
        "MediaPipe alone and live. *MediaPipe alone* = PyAV decode + the bare MediaPipe solution per frame, nothing else. "
        "*live* = the whole pipeline on the file as fast as possible (decode in a reader thread, landmarks, "
        "One Euro filter, model, online decoder, events) with the default runtime (`auto`: ONNX Runtime for the "
        "hand-shape model, torch for sign windows); *torch: m+f+d p95* = the same stages of a live run with the "
        "model in torch (`--runtime torch`), same rounds.", "",
        "| path: video | frames | MediaPipe alone fps | MediaPipe ms p50 / p95 | live fps | live / alone | landmarks p50 / p95 | "
        "filter p95 | model p95 | decoder p95 | model+filter+decoder p95 | runtime | torch: m+f+d p95 | total p50 / p95 | "
        "window_model p50 / p95 (windows) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, n, af, a50, a95, lf, st, small, runtime, tsmall in rows:
        lines.append(f"| {name} | {n} | {af:.1f} | {a50:.1f} / {a95:.1f} | {lf:.1f} | **{lf / af:.2f}** | "
                     f"{st['landmarks']['p50_ms']:.1f} / {st['landmarks']['p95_ms']:.1f} | {st['filter']['p95_ms']:.2f} | "
                     f"{st['model']['p95_ms']:.2f} | {st['decoder']['p95_ms']:.2f} | **{small:.2f}** | {runtime} | "
                     f"{'-' if tsmall is None else f'{tsmall:.2f}'} | "
                     f"{st['total']['p50_ms']:.1f} / {st['total']['p95_ms']:.1f} | "
                     + (f"{st['window_model']['p50_ms']:.2f} / {st['window_model']['p95_ms']:.2f} |" if "window_model" in st
                        else "- |"))
    lines += ["", "Goal (issue 15): live >= 0.9 x MediaPipe alone, model + filter + decoder <= 2 ms per frame at p95. "
              "Isolated signs (holistic rows) run the model only every hop (0.25 s), so their model p95 is mostly 0; "
              "`window_model` is the classification time of the frames where a window was classified (every hop, while the hands move).", ""]
    Path(a.out).write_text("\n".join(lines))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
