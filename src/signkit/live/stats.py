"""Latency accounting of a live session: milliseconds per frame per stage, p50/p95, frames processed
and dropped, sustained frames per second."""

from __future__ import annotations

import time

import numpy as np

STAGES = ("decode", "landmarks", "filter", "model", "decoder", "total")
# isolated signs add "window_model": the classification time of the frames where a window was classified


class LatencyStats:
    """Per-frame stage times in ms (``add(stage, ms)``; the last ``keep`` frames are kept, so memory is
    bounded), the count of frames processed and dropped, and the wall time from :meth:`start`."""

    def __init__(self, keep: int = 100_000):
        self.keep = keep
        self.ms: dict[str, list[float]] = {s: [] for s in STAGES}
        self.frames = self.dropped = 0
        self.t0 = self.t1 = None

    def start(self) -> None:
        self.t0 = time.perf_counter()

    def add(self, stage: str, ms: float) -> None:
        xs = self.ms.setdefault(stage, [])
        xs.append(float(ms))
        if len(xs) > self.keep:
            del xs[: len(xs) - self.keep]

    def stop(self) -> None:
        self.t1 = time.perf_counter()

    @property
    def wall_s(self) -> float:
        if self.t0 is None:
            return 0.0
        return (self.t1 or time.perf_counter()) - self.t0

    def summary(self) -> dict:
        """``{"frames", "dropped", "wall_s", "fps", "stages": {stage: {"p50_ms", "p95_ms", "mean_ms"}}}``."""
        st = {}
        for k, xs in self.ms.items():
            if xs:
                a = np.asarray(xs)
                st[k] = {"p50_ms": round(float(np.percentile(a, 50)), 3), "p95_ms": round(float(np.percentile(a, 95)), 3),
                         "mean_ms": round(float(a.mean()), 3)}
        wall = self.wall_s
        return {"frames": self.frames, "dropped": self.dropped, "wall_s": round(wall, 3),
                "fps": round(self.frames / wall, 2) if wall > 0 else 0.0, "stages": st}
