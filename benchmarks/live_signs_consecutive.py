"""Out-of-vocabulary false emissions against the number of agreeing windows (`consecutive`) and the
rejection threshold, for the best model of `benchmarks/live_signs.py` (*filler+islr, balanced*: 6 known
WLASL glosses, a filler class `<other>` of 3 other glosses plus the ISLR training sequences, balanced
class weights). Stream A (one training clip per known gloss) and stream B (every clip of the 3 glosses
the model never saw) are built as in `live_signs.py`.

    .venv/bin/python benchmarks/live_signs_consecutive.py [--checkpoint CKPT] [--epochs 60]

Prints one line per setting: consecutive, threshold, stream A clips with their gloss (of 6), stream A
wrong or stray events, stream B false emissions (and each one's gloss, time and confidence).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from live_signs import clip_of, streams, train


def main() -> None:
    import signkit.api as sk
    from signkit.paths import data_root

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", help="a model trained as below (default: train one)")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--consecutive", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.6, 0.7, 0.8, 0.9])
    a = ap.parse_args()
    wl = data_root() / "videos" / "wlasl"
    glosses = sorted(p.name for p in wl.iterdir() if p.is_dir())
    known, other, unknown = glosses[:6], glosses[6:9], glosses[9:]
    tmp = Path(tempfile.mkdtemp(prefix="signkit-live-consecutive-"))
    ckpt = a.checkpoint
    if ckpt is None:
        ckpt, secs = train(wl, tmp, a.epochs, unknown, other, "filler_data_balanced", ["islr"], balanced=True)
        print(f"trained {ckpt} in {secs:.0f} s", flush=True)
    _, _, spans_a, _ = streams(wl, tmp, known, other, unknown)

    print("| consecutive | threshold | stream A: clips with their gloss | stream A: wrong or stray | stream B: false emissions |")
    print("|---|---|---|---|---|")
    for cons in a.consecutive:
        for th in a.thresholds:
            ra = sk.live(ckpt, str(tmp / "known.mp4"), threshold=th, consecutive=cons)
            rb = sk.live(ckpt, str(tmp / "unknown.mp4"), threshold=th, consecutive=cons)
            ok = sum(any(e.label == g for e in ra.events if clip_of(e, spans_a) == g) for g, _, _ in spans_a)
            bad = sum(e.label != clip_of(e, spans_a) for e in ra.events)
            false = ", ".join(f"{e.label} at {e.emitted_s:.2f} s ({e.confidence:.2f})" for e in rb.events)
            print(f"| {cons} | {th} | {ok} of {len(spans_a)} | {bad} | {len(rb.events)}{f' ({false})' if false else ''} |",
                  flush=True)


if __name__ == "__main__":
    main()
