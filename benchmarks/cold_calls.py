"""Cold calls: what one batch-1 call of the shipped fingerspelling model costs after the thread waited.

A live stream calls the model once per frame, after waiting for MediaPipe. On a small VM the code
that ran before the wait is no longer warm then, and a call costs several times what it costs in a
tight loop. This benchmark measures the model's forward pass and the recogniser's whole
``proba_from_detections`` (landmark normalisation + model + softmax) in one process, per runtime:
torch eager, torch with BatchNorm folded into the linear layers (``fuse_linear_bn_eval``), TorchScript
(traced, frozen, ``optimize_for_inference``) and ONNX Runtime (1 thread), each after: no wait (a tight
loop), a 5 ms sleep, a 30 ms sleep, and MediaPipe Hands on the next frame of finger.mp4 (as in
``signkit live``). Rounds interleave the runtimes. Writes docs/cold_calls.md.

    .venv/bin/python benchmarks/cold_calls.py [--calls 60] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np

from train_table import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WAITS = ("none", "sleep 5 ms", "sleep 30 ms", "MediaPipe frame")


def folded(model):
    """The landmark MLP with each Linear+BatchNorm1d pair folded and Dropout removed (eval only)."""
    import torch
    from torch.nn.utils.fusion import fuse_linear_bn_eval

    m = copy.deepcopy(model).eval()
    layers, out, i = list(m.net), [], 0
    while i < len(layers):
        a = layers[i]
        if isinstance(a, torch.nn.Linear) and i + 1 < len(layers) and isinstance(layers[i + 1], torch.nn.BatchNorm1d):
            out.append(fuse_linear_bn_eval(a, layers[i + 1]))
            i += 2
        elif isinstance(a, torch.nn.Dropout):
            i += 1
        else:
            out.append(a)
            i += 1
    m.net = torch.nn.Sequential(*out)
    return m


def main() -> None:
    import av
    import torch

    import signkit.api as sk
    from signkit.paths import data_root
    from signkit.video.tracking import HandTracker

    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "docs" / "cold_calls.md"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    rec = sk.load_pretrained("asl_fingerspelling")
    fast = rec.with_onnx_runtime(threads=1)
    model = rec.model.eval()
    x = torch.zeros(1, 21, 3)
    with torch.no_grad():
        script = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, (x,))))
    fold = folded(model)
    r = torch.randn(4, 21, 3)
    with torch.no_grad():
        for m in (fold, script):  # the same function
            assert torch.allclose(m(r), model(r), atol=1e-4)
    video = data_root() / "videos/fingerspelling/finger.mp4"
    with av.open(str(video)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with HandTracker() as tr:  # real detections of the video, for the whole-call rows
        dets = [d for d in (tr.process(f).chosen(rec.hand) for f in frames) if d is not None]
    xs = [rec.kind.from_detections([frames[0]], [d], rec.meta)["x"] for d in dets]
    forward = {"torch eager": lambda i: model(xs[i % len(xs)]), "torch, BatchNorm folded": lambda i: fold(xs[i % len(xs)]),
               "TorchScript frozen": lambda i: script(xs[i % len(xs)]),
               "ONNX Runtime": lambda i: fast.model.run_numpy(xs[i % len(xs)].numpy())}
    whole = {"torch": lambda i: rec.proba_from_detections([frames[0]], [dets[i % len(dets)]]),
             "ONNX Runtime": lambda i: fast.proba_from_detections([frames[0]], [dets[i % len(dets)]])}
    calls = [("forward pass", k, f) for k, f in forward.items()] + [("proba_from_detections", k, f) for k, f in whole.items()]
    ms: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(a.rounds):
        for what, name, fn in calls:
            for wait in WAITS:
                tracker = HandTracker() if wait == "MediaPipe frame" else None
                if tracker is not None:
                    tracker.__enter__()
                    tracker.process(frames[0])
                try:
                    for i in range(5):  # warm-up calls, not timed
                        fn(i)
                    for i in range(a.calls):
                        if wait == "sleep 5 ms":
                            time.sleep(0.005)
                        elif wait == "sleep 30 ms":
                            time.sleep(0.03)
                        elif tracker is not None:
                            tracker.process(frames[(i + 1) % len(frames)])
                        with torch.inference_mode():
                            t0 = time.perf_counter()
                            fn(i)
                            ms.setdefault((what, name, wait), []).append((time.perf_counter() - t0) * 1e3)
                finally:
                    if tracker is not None:
                        tracker.__exit__(None, None, None)
        print("round done", flush=True)
    lines = ["# Cold calls: one batch-1 call of the fingerspelling model after a wait", "",
             f"Machine: {machine()} (1 torch thread). Date: {time.strftime('%Y-%m-%d')}. Command: "
             f"`.venv/bin/python benchmarks/cold_calls.py --calls {a.calls} --rounds {a.rounds}`. Model: the shipped "
             f"`asl_fingerspelling` (landmark MLP), inputs: MediaPipe Hands' detections of finger.mp4. "
             f"ms p50 / p95 over {a.calls} calls x {a.rounds} rounds per cell; rounds interleave the rows.", "",
             "| call | runtime | " + " | ".join(f"after: {w}" for w in WAITS) + " |",
             "|---|---|" + "---|" * len(WAITS)]
    for what, name, _ in calls:
        cells = [np.percentile(ms[(what, name, w)], [50, 95]) for w in WAITS]
        lines.append(f"| {what} | {name} | " + " | ".join(f"{p50:.3f} / {p95:.3f}" for p50, p95 in cells) + " |")
    lines += ["", "*after: MediaPipe frame* = the call right after MediaPipe Hands (tracking mode) returns the next "
              "frame, as in `signkit live`. The gap between *none* and the other columns is the cost of cold code "
              "and data after the thread waited; `signkit live` runs the hand-shape model in ONNX Runtime for this "
              "reason (`docs/live_latency.md`).", ""]
    Path(a.out).write_text("\n".join(lines))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
