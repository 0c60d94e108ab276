"""Isolated signs from a live stream: real WLASL clips joined with a second of still frames between
them, fed to `signkit live` with a model trained on those clips (the streaming path is checked, on
training data, said so), and false emissions on clips of glosses the model was not trained on.

1. Train ``gru`` on the ``videos`` dataset over ``../shared/data/videos/wlasl`` (MediaPipe hands,
   ``mp_hands42``), the first ``--known`` glosses (training split = the dataset's seeded per-gloss
   half; no signer ids in WLASL file names); once plain, once with ``--other`` further glosses as
   the filler class ``<other>`` (``data.options.other_glosses``).
2. Stream A: one *training* clip per known gloss, joined with 1 s of the clip's last frame repeated,
   at 25 fps, letterboxed to 640x480. Emitted glosses against the joins.
3. Stream B: every clip of the remaining glosses (in neither model in any form), joined the same
   way: each emission is a false one.

   A third model adds ``--other-data`` (default ``islr``: the ISLR competition sequences of
   ``../shared/data/islr_asl_signs``, 21 signers, in ``mp_hands42``) to ``<other>``.

    .venv/bin/python benchmarks/live_signs.py [--known 6] [--epochs 60] [--other-data islr]

Writes docs/live_signs.md.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
W, H, FPS = 640, 480, 25


def letterbox(img: np.ndarray) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    s = min(W / w, H / h)
    r = cv2.resize(img, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    out = np.zeros((H, W, 3), np.uint8)
    y, x = (H - r.shape[0]) // 2, (W - r.shape[1]) // 2
    out[y : y + r.shape[0], x : x + r.shape[1]] = r
    return out


def join(clips: list[Path], out: Path, still_s: float = 1.0) -> list[tuple[str, float, float]]:
    """Write the clips one after another with ``still_s`` of still frames between; returns
    ``(gloss, start_s, end_s)`` of each clip in the stream."""
    import av

    from signkit.video.decode import read_frames

    spans, n = [], 0
    with av.open(str(out), "w") as c:
        s = c.add_stream("mpeg4", rate=FPS)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.bit_rate = 4_000_000

        def put(img):
            nonlocal n
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
            n += 1

        for clip in clips:
            frames, _ = read_frames(clip)
            frames = [letterbox(f) for f in frames]
            start = n / FPS
            for f in frames:
                put(f)
            spans.append((clip.parent.name, start, n / FPS))
            for _ in range(int(still_s * FPS)):
                put(frames[-1])
        for p in s.encode():
            c.mux(p)
    return spans


def streams(wl: Path, tmp: Path, known: list[str], other: list[str], unknown: list[str]):
    """Write stream A (``tmp/known.mp4``: the first training clip of each known gloss) and stream B
    (``tmp/unknown.mp4``: every clip of the unknown glosses); returns their clips and spans."""
    from signkit.kinds import open_dataset

    train_ids = [s.id for s in open_dataset("videos", "train", path=str(wl), cache=str(tmp / "kp"),
                                            exclude_glosses=other + unknown).samples]
    first = [wl / next(i for i in train_ids if i.startswith(g + "/")) for g in known]
    others = [c for g in unknown for c in sorted((wl / g).glob("*.mp4"))]
    return first, others, join(first, tmp / "known.mp4"), join(others, tmp / "unknown.mp4")


def clip_of(e, spans) -> str:
    """The clip of the stream whose span (± 0.5 s) holds the middle of event ``e``'s window."""
    mid = (e.start_s + e.end_s) / 2
    return next((g for g, s, t in spans if s - 0.5 <= mid <= t + 0.5), "(between clips)")


def train(wl: Path, tmp: Path, epochs: int, exclude: list[str], other: list[str], name: str,
          other_data: list[str] = (), balanced: bool = False) -> tuple[str, float]:
    import signkit.api as sk

    opts = [f"data.options.exclude_glosses=[{', '.join(exclude)}]"]
    if other:
        opts.append(f"data.options.other_glosses=[{', '.join(other)}]")
    if other_data:
        opts.append(f"data.options.other_data=[{', '.join(other_data)}]")
    if balanced:
        opts.append("train.class_weights=balanced")
    t0 = time.time()
    r = sk.train(None, ["model.name=gru", "data.name=videos", f"data.options.path={wl}", f"data.options.cache={tmp / 'kp'}",
                        *opts, "data.num_frames=32", "data.val_fraction=0", f"train.epochs={epochs}",
                        f"output_dir={tmp / 'runs'}", f"name={name}"], verbose=False)
    return r["checkpoint"], time.time() - t0


def main() -> None:
    import signkit.api as sk
    from signkit.paths import data_root

    ap = argparse.ArgumentParser()
    ap.add_argument("--known", type=int, default=6)
    ap.add_argument("--other", type=int, default=3, help="glosses of the filler class <other> (second model)")
    ap.add_argument("--other-data", default="islr",
                    help="datasets whose training sequences join <other> in a third model (comma-separated; '' for none)")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--out", default=str(ROOT / "docs" / "live_signs.md"))
    a = ap.parse_args()
    wl = data_root() / "videos" / "wlasl"
    glosses = sorted(p.name for p in wl.iterdir() if p.is_dir())
    known, other = glosses[: a.known], glosses[a.known : a.known + a.other]
    unknown = glosses[a.known + a.other :]
    tmp = Path(tempfile.mkdtemp(prefix="signkit-live-signs-"))
    plain, plain_s = train(wl, tmp, a.epochs, other + unknown, [], "plain")
    filler, filler_s = train(wl, tmp, a.epochs, unknown, other, "filler")
    extra = [d for d in a.other_data.split(",") if d]
    models = [("plain", plain), ("filler", filler)]
    if extra:
        big, big_s = train(wl, tmp, a.epochs, unknown, other, "filler_data", extra)
        models.append((f"filler+{'+'.join(extra)}", big))
        bal, bal_s = train(wl, tmp, a.epochs, unknown, other, "filler_data_balanced", extra, balanced=True)
        models.append((f"filler+{'+'.join(extra)}, balanced", bal))
    first, others, spans_a, spans_b = streams(wl, tmp, known, other, unknown)

    lines = ["# Isolated signs from a live stream: joined WLASL clips", "",
             f"Machine: {platform.node() or 'vm'}, Python {platform.python_version()}. Date: {time.strftime('%Y-%m-%d')}. "
             f"Command: `.venv/bin/python benchmarks/live_signs.py --known {a.known} --other {a.other} --epochs {a.epochs} --other-data {a.other_data}`. "
             f"gru models on MediaPipe hands (`mp_hands42`, the `videos` dataset's training half, no signer ids): "
             f"*plain* = the {len(known)} known glosses ({', '.join(known)}; {plain_s:.0f} s); *filler* = the same plus "
             f"a filler class `<other>` made of {len(other)} other glosses ({', '.join(other)}; "
             f"`data.options.other_glosses`; {filler_s:.0f} s)"
             + (f"; *filler+{'+'.join(extra)}* = *filler* with the training sequences of {', '.join(extra)} added to "
                f"`<other>` (`data.options.other_data`: real signing by other signers, in the same layout; {big_s:.0f} s); *filler+{'+'.join(extra)}, balanced* = the same with "
                f"`train.class_weights=balanced` (the large `<other>` class weighs as much as one gloss; {bal_s:.0f} s)"
                if extra else "") + ". `signkit live` defaults: window 2 s, hop 0.25 s, "
             f"threshold {a.threshold}, 2 agreeing windows, One Euro filter on. **Stream A is training data** "
             "(one training clip of each known gloss): it checks the streaming path (windows, gating, emission, "
             "repeat suppression), not generalisation. Stream B holds every clip of the "
             f"{len(unknown)} glosses neither model saw in any form ({', '.join(unknown)}): every emission there is false.", ""]
    for label, ckpt in models:
        res_a = sk.live(ckpt, str(tmp / "known.mp4"), threshold=a.threshold)
        res_b = sk.live(ckpt, str(tmp / "unknown.mp4"), threshold=a.threshold)
        lines += [f"## Model *{label}*", "",
                  f"Stream A: {len(first)} clips, 1 s of still frames between ({spans_a[-1][2]:.1f} s)", "",
                  "| clip | in stream (s) | emitted | emitted at (s) | window (s) | confidence |", "|---|---|---|---|---|---|"]
        for g, s, t in spans_a:
            evs = [e for e in res_a.events if clip_of(e, spans_a) == g]
            if not evs:
                lines.append(f"| {g} | {s:.2f}-{t:.2f} | (nothing) | | | |")
            for e in evs:
                lines.append(f"| {g} | {s:.2f}-{t:.2f} | {'**' + e.label + '**' if e.label == g else e.label} | "
                             f"{e.emitted_s:.2f} | {e.start_s:.2f}-{e.end_s:.2f} | {e.confidence:.2f} |")
        stray = [e for e in res_a.events if clip_of(e, spans_a) == "(between clips)"]
        correct = sum(any(e.label == g for e in res_a.events if clip_of(e, spans_a) == g) for g, _, _ in spans_a)
        wrong = sum(e.label != clip_of(e, spans_a) for e in res_a.events)
        lines += ["", f"Emitted in order: {' '.join(e.label for e in res_a.events) or '(nothing)'}. "
                  f"**{correct} of {len(spans_a)}** clips emitted their gloss; {wrong} wrong or stray events "
                  f"({len(stray)} between clips).", "",
                  f"Stream B ({len(others)} clips, {spans_b[-1][2]:.1f} s): **{len(res_b.events)} false emissions** "
                  f"({', '.join(f'{e.label} at {e.emitted_s:.1f} s ({e.confidence:.2f})' for e in res_b.events) or 'none'}).", ""]
        print(label, correct, wrong, len(res_b.events), flush=True)
    lines += ["## Rejection threshold sweep", "", "| model | threshold | stream A: clips with their gloss | stream A: wrong or stray | "
              "stream B: false emissions |", "|---|---|---|---|---|"]
    for label, ckpt in models:
        for th in (0.6, 0.8, 0.9, 0.95):
            ra = sk.live(ckpt, str(tmp / "known.mp4"), threshold=th)
            rb = sk.live(ckpt, str(tmp / "unknown.mp4"), threshold=th)
            ok = sum(any(e.label == g for e in ra.events if clip_of(e, spans_a) == g) for g, _, _ in spans_a)
            bad = sum(e.label != clip_of(e, spans_a) for e in ra.events)
            lines.append(f"| {label} | {th} | {ok} of {len(spans_a)} | {bad} | {len(rb.events)} |")
    lines.append("")
    Path(a.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
