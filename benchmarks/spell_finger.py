"""`signkit spell` on the real fingerspelling video (../shared/data/videos/fingerspelling/finger.mp4,
H-O-L-A built from the second halves of SILFA letters) against its ground truth finger.json, for one
or more hand-shape checkpoints trained on the first halves only. Writes docs/fingerspelling.md.

    .venv/bin/python benchmarks/spell_finger.py runs/bench/silfa_letters_landmark_mlp/<stamp>/model.safetensors ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from train_table import ROOT, machine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--video", default=None)
    ap.add_argument("--out", default=str(ROOT / "docs" / "fingerspelling.md"))
    a = ap.parse_args()
    from signkit.checkpoint import read_checkpoint_meta
    from signkit.paths import data_root
    from signkit.spelling import spell_video

    video = Path(a.video) if a.video else data_root() / "videos" / "fingerspelling" / "finger.mp4"
    truth = json.loads(video.with_name("finger.json").read_text())
    lines = ["# Fingerspelling video to text: `signkit spell` on finger.mp4", "",
             f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}.", "",
             f"Video: `videos/fingerspelling/finger.mp4` (64 frames at 10 fps; the second halves of the SILFA letters "
             f"H, O, L, A; ground truth `finger.json`: {truth['text']}, "
             + ", ".join(f"{s['letter']} {s['start_s']}-{s['end_s']} s" for s in truth["segments"]) + "). "
             "Each checkpoint was trained on the first half of each letter's frames only "
             "(`silfa_letters` id-block split). Produced by `.venv/bin/python benchmarks/spell_finger.py <checkpoints>`, "
             "which calls the same code as `signkit spell CKPT finger.mp4 --json` with default decoder settings.", "",
             "| checkpoint (model) | SILFA test top-1 | text | letters (start-end s, confidence) | largest time error (s) | seconds |",
             "|---|---|---|---|---|---|"]
    for ck in a.checkpoints:
        meta = read_checkpoint_meta(ck)
        t0 = time.perf_counter()
        sp = spell_video(ck, video)
        dt = time.perf_counter() - t0
        err = max((max(abs(g.start_s - w["start_s"]), abs(g.end_s - w["end_s"]))
                   for g, w in zip(sp.letters, truth["segments"])), default=float("nan"))
        if len(sp.letters) != len(truth["segments"]):
            err_s = f"{err:.2f} (over the first {min(len(sp.letters), len(truth['segments']))} letters)"
        else:
            err_s = f"{err:.2f}"
        letters = "; ".join(f"{x.letter} {x.start_s:.1f}-{x.end_s:.1f} ({x.confidence:.2f})" for x in sp.letters)
        name = "/".join(Path(ck).resolve().parts[-3:-1])
        lines.append(f"| {name} ({meta['model']}{', ' + meta['config']['data'].get('options', {}).get('view', '') if meta['config']['data'].get('options', {}).get('view') else ''}) | "
                     f"{meta['metrics']['top1']:.2%} | **{sp.text or '(none)'}** | {letters} | {err_s} | {dt:.1f} |")
        print(lines[-1], flush=True)
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
