"""Pixel video models on SILFA letters read as clips: c3d, chunk_lstm, c3d_lstm end to end and with the
3D-CNN encoder pre-trained on 4-frame blocks; test top-1, parameters, size on disk.

    .venv/bin/python benchmarks/video_table.py [--epochs 30] [--variants "" _small]

Each row runs `signkit train configs/silfa_clips/<model>.yaml` in its own process. The pre-trained row
first trains `c3d` on the central 4-frame block of each clip (`data.options.num_frames=4`), then
`c3d_lstm` with `model.args.encoder_weights=<that checkpoint>`. Writes docs/results_silfa_clips.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_table import machine, run_one  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CFG = ROOT / "configs" / "silfa_clips"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--variants", nargs="*", default=[""], help="model name suffixes: '' _medium _small")
    ap.add_argument("--out-dir", default=str(ROOT / "runs" / "video_table"))
    a = ap.parse_args()
    out = Path(a.out_dir)
    rows = []
    ep = [f"train.epochs={a.epochs}"]
    for v in a.variants:
        for model in ("c3d", "chunk_lstm", "c3d_lstm"):
            r = run_one(CFG / f"{model}.yaml", [f"model.name={model}{v}", *ep, f"name=silfa_{model}{v}"], out)
            r["row"] = f"{model}{v} (end to end)"
            rows.append(r)
            print(json.dumps(r), flush=True)
        pre = run_one(CFG / "c3d.yaml", [f"model.name=c3d{v}", "model.args.frames=4", "data.options.num_frames=4", *ep,
                                         f"name=silfa_c3d{v}_blocks"], out)
        pre["row"] = f"c3d{v} on 4-frame blocks (encoder pre-training)"
        rows.append(pre)
        if "checkpoint" in pre:
            r = run_one(CFG / "c3d_lstm.yaml", [f"model.name=c3d_lstm{v}", f"model.args.encoder_weights={pre['checkpoint']}",
                                                *ep, f"name=silfa_c3d_lstm{v}_pre"], out)
            r["row"] = f"c3d_lstm{v} (encoder pre-trained on blocks)"
            rows.append(r)
            print(json.dumps(r), flush=True)
    lines = ["# Pixel video models on SILFA letters as clips", "", f"Machine: {machine()}.", "",
             f"Command: `.venv/bin/python benchmarks/video_table.py --epochs {a.epochs}"
             + (f" --variants {' '.join(repr(v) for v in a.variants)}" if a.variants != [''] else "") + "`. "
             "Data: 26 letters, one signer; 8-frame clips (step 2) cut inside id blocks: the first half of each "
             "letter's frames give the 98 training clips, the second half the 92 test clips, so no test clip shares "
             "a frame with a training clip. Input: pose-guided 64x64 grayscale upper-body and dominant-hand crops "
             "(2 channels), 16 frames (zero-padded). No validation hold-out (98 clips): the last epoch is kept.", "",
             "| model | test top-1 | top-5 | parameters | size on disk (MB) | s / epoch |", "|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['row']} | failed: {r['error']} | | | | |")
            continue
        size = Path(r["checkpoint"]).stat().st_size / 1e6
        lines.append(f"| {r['row']} | {r['top1']:.2%} | {r['top5']:.2%} | {r['parameters']:,} | {size:.2f} | "
                     f"{r['s_per_epoch']:.1f} |")
    lines.append("")
    (ROOT / "docs" / "results_silfa_clips.md").write_text("\n".join(lines))
    rel = [{**r, "checkpoint": "/".join(Path(r["checkpoint"]).parts[-3:])} if "checkpoint" in r else r for r in rows]
    (ROOT / "docs" / "results_silfa_clips.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rel))  # no machine paths


if __name__ == "__main__":
    main()
