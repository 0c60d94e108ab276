"""Inference speed of a checkpoint: batch-1 latency (median, p95) and large-batch throughput, for
PyTorch eager and ONNX Runtime, fp32 and fp16 (and ONNX Runtime int8), measured side by side in one process.

Inputs are random tensors of the checkpoint's input shape (``(B, T, J, C)`` keypoints with T = the
preprocessing's ``num_frames``, or ``(B, C, H, W)`` images): the models here do the same arithmetic
whatever the values. Timings are wall-clock (``time.perf_counter``), after warm-up runs.
"""

from __future__ import annotations

import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ..checkpoint import load_checkpoint
from .export import OnnxModel, example_inputs, export_checkpoint


def _time(fn, repeats: int, warmup: int) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - t0
    return out


def benchmark(checkpoint: str | Path, batch: int = 256, repeats: int = 300, threads: int = 1,
              runtimes: tuple[str, ...] = ("pytorch", "onnxruntime"), precisions: tuple[str, ...] = ("fp32", "fp16", "int8"),
              seed: int = 0) -> dict:
    """Benchmark a checkpoint; returns ``{"rows": [...], "machine": str, "threads", "batch", "input_shape"}``.

    Each row: ``runtime``, ``precision``, ``latency_ms_median``, ``latency_ms_p95`` (batch 1),
    ``throughput_per_s`` (samples per second at ``batch``), ``file_bytes`` (the file that runtime
    loads), or ``error`` when that combination cannot run here (e.g. no fp16 kernel on this CPU).

    Raises:
        CheckpointError: the checkpoint cannot be loaded.
    """
    checkpoint = Path(checkpoint)
    model, meta = load_checkpoint(checkpoint)
    prev_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(seed)
    one = tuple(a if a.dtype == torch.bool else torch.randn(a.shape, generator=g) for a in example_inputs(meta, 1))
    big = tuple(a if a.dtype == torch.bool else torch.randn(a.shape, generator=g) for a in example_inputs(meta, batch))
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="signkit-bench-"))
    try:
        for rt in runtimes:
            for prec in precisions:
                if rt == "pytorch" and prec == "int8":
                    continue  # int8 is the ONNX Runtime static quantization of `signkit export --int8`
                row = {"runtime": rt, "precision": prec}
                try:
                    if rt == "pytorch":
                        m = model.half() if prec == "fp16" else model.float()
                        cast = (lambda a: a.half() if a.is_floating_point() else a) if prec == "fp16" else (lambda a: a)
                        a1, ab = tuple(map(cast, one)), tuple(map(cast, big))
                        mask1 = a1[1] if len(a1) > 1 else None
                        maskb = ab[1] if len(ab) > 1 else None

                        def run1():
                            with torch.inference_mode():
                                m(a1[0], mask1)

                        def runb():
                            with torch.inference_mode():
                                m(ab[0], maskb)

                        ckpt_bytes = checkpoint.stat().st_size
                        row["file_bytes"] = ckpt_bytes // 2 if prec == "fp16" else ckpt_bytes
                    elif rt == "onnxruntime":
                        r = export_checkpoint(checkpoint, tmp / f"m-{prec}.onnx", "onnx", fp16=prec == "fp16",
                                              int8=prec == "int8", overwrite=True)
                        om = OnnxModel(r["path"], threads=threads)
                        n1 = [a.numpy() for a in one]
                        nb = [a.numpy() for a in big]

                        def run1():
                            om.run_numpy(*n1)

                        def runb():
                            om.run_numpy(*nb)

                        row["file_bytes"] = r["bytes"]
                    else:
                        raise ValueError(f"unknown runtime {rt!r}; expected 'pytorch' or 'onnxruntime'")
                    lat = _time(run1, repeats, warmup=max(10, repeats // 10))
                    thr = _time(runb, max(3, repeats // 50), warmup=2)
                    row.update(latency_ms_median=float(np.median(lat) * 1e3),
                               latency_ms_p95=float(np.quantile(lat, 0.95) * 1e3),
                               throughput_per_s=float(batch / np.median(thr)))
                except Exception as e:  # report and go on: one runtime/precision failing must not stop the rest
                    row["error"] = f"{type(e).__name__}: {e}"[:200]
                rows.append(row)
        model.float()
    finally:
        torch.set_num_threads(prev_threads)
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()
    shape = tuple(one[0].shape[1:])
    return {"rows": rows, "threads": threads, "batch": batch, "input_shape": shape, "model": meta["model"],
            "parameters": sum(p.numel() for p in model.parameters()),
            "machine": f"{platform.machine()} {platform.processor() or ''} torch {torch.__version__}".strip()}
