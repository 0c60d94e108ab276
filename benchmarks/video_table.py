"""Pixel video models on SILFA letters read as clips: c3d, chunk_lstm, c3d_lstm end to end and with the
3D-CNN encoder pre-trained on 4-frame blocks; test top-1, parameters, size on disk.

    .venv/bin/python benchmarks/video_table.py [--epochs 30] [--variants "" _medium _small] [--streams upper+hand upper hand]

Each row runs `signkit train configs/silfa_clips/<model>.yaml` in its own process. The pre-trained row
first trains `c3d` on the central 4-frame block of each clip (`data.num_frames=4`), then
`c3d_lstm` with `model.checkpoint_path=<that checkpoint>`. Writes docs/results_silfa_clips.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from train_table import machine, run_one  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CFG = ROOT / "configs" / "silfa_clips"


def run_variant(v: str, streams: str, ep: list[str], out: Path, full: bool,
                models=("c3d", "chunk_lstm", "c3d_lstm")) -> list[dict]:
    """Rows of one width variant (``""``, ``_medium``, ``_small``) and one stream choice; ``full`` runs
    every model end to end, else only the pre-trained c3d_lstm pipeline."""
    tag = "" if streams == "upper+hand" else f" [{streams}]"
    so = [] if streams == "upper+hand" else [f"data.options.streams={streams}"]
    sname = "" if streams == "upper+hand" else "_" + streams.replace("+", "")
    rows = []
    if full:
        for model in models:
            r = run_one(CFG / f"{model}.yaml", [f"model.name={model}{v}", *so, *ep, f"name=silfa_{model}{v}{sname}"], out)
            r["row"] = f"{model}{v}{tag} (end to end)"
            rows.append(r)
            print(json.dumps(r), flush=True)
    pre = run_one(CFG / "c3d.yaml", [f"model.name=c3d{v}", "data.num_frames=4", *so, *ep,
                                     f"name=silfa_c3d{v}{sname}_blocks"], out)
    pre["row"] = f"c3d{v}{tag} on 4-frame blocks (encoder pre-training)"
    rows.append(pre)
    if "checkpoint" in pre:
        r = run_one(CFG / "c3d_lstm.yaml", [f"model.name=c3d_lstm{v}", f"model.checkpoint_path={pre['checkpoint']}",
                                            *so, *ep, f"name=silfa_c3d_lstm{v}{sname}_pre"], out)
        r["row"] = f"c3d_lstm{v}{tag} (encoder pre-trained on blocks)"
        rows.append(r)
        print(json.dumps(r), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--variants", nargs="*", default=[""], help="model name suffixes: '' _medium _small")
    ap.add_argument("--streams", nargs="*", default=["upper+hand"],
                    help="upper+hand (all models), upper or hand (pre-trained c3d_lstm only)")
    ap.add_argument("--models", nargs="*", default=["c3d", "chunk_lstm", "c3d_lstm"],
                    help="models trained end to end (the pre-trained c3d_lstm pipeline always runs)")
    ap.add_argument("--out-dir", default=str(ROOT / "runs" / "video_table"))
    a = ap.parse_args()
    out = Path(a.out_dir)
    ep = [f"train.epochs={a.epochs}"]
    jsonl = ROOT / "docs" / "results_silfa_clips.jsonl"
    for v in a.variants:
        for streams in a.streams:
            for r in run_variant(v, streams, ep, out, streams == "upper+hand", a.models):
                r["command"] = (f"benchmarks/video_table.py --epochs {a.epochs} --variants '{v}' --streams {streams}"
                                f" --models {' '.join(a.models)}")
                r["machine"] = machine()
                if "checkpoint" in r:
                    r["size_mb"] = Path(r["checkpoint"]).stat().st_size / 1e6
                    r["checkpoint_file"] = r["checkpoint"]
                    r["checkpoint"] = "/".join(Path(r["checkpoint"]).parts[-3:])  # no machine paths in docs/
                with open(jsonl, "a") as f:
                    f.write(json.dumps({k: v2 for k, v2 in r.items() if k != "checkpoint_file"}) + "\n")
                write_table(jsonl)


ORDER = ["", "_medium", "_small"]


def write_table(jsonl: Path) -> None:
    rows: dict[str, dict] = {}
    for ln in jsonl.read_text().splitlines():
        r = json.loads(ln)
        rows[r["row"]] = r  # a row's newest run wins
    lines = ["# Pixel video models on SILFA letters as clips", "",
             "Machine: " + "; ".join(sorted({r.get("machine", "?") for r in rows.values()})) + ".", "",
             "Rows are produced by `.venv/bin/python benchmarks/video_table.py --epochs 30 --variants <v> --streams <s>` "
             "(the command of each row is in results_silfa_clips.jsonl). "
             "Data: 26 letters, one signer; 8-frame clips (step 2) cut inside id blocks: the first half of each "
             "letter's frames give the 98 training clips, the second half the 92 test clips, so no test clip shares "
             "a frame with a training clip. Input: pose-guided 64x64 grayscale crops, 16 frames (zero-padded); "
             "streams `upper+hand` (2 channels, default), or one of them alone ([upper], [hand]). Width variants: "
             "`_medium` and `_small` have 1/2 and 1/4 of the channels and about 1/4 and 1/16 of the parameters. "
             "No validation hold-out (98 clips): the last epoch is kept.", "",
             "| model | test top-1 | top-5 | parameters | size on disk (MB) | s / epoch |", "|---|---|---|---|---|---|"]

    def key(name: str):
        v = next((i for i, s in enumerate(ORDER[1:], 1) if s + " " in name or s + "[" in name), 0)
        return (v, "[" in name, name)

    for name in sorted(rows, key=key):
        r = rows[name]
        if "error" in r:
            lines.append(f"| {name} | failed: {r['error']} | | | | |")
            continue
        size = r.get("size_mb")
        lines.append(f"| {name} | {r['top1']:.2%} | {r['top5']:.2%} | {r['parameters']:,} | "
                     f"{size:.2f} | {r['s_per_epoch']:.1f} |" if size else
                     f"| {name} | {r['top1']:.2%} | {r['top5']:.2%} | {r['parameters']:,} | | {r['s_per_epoch']:.1f} |")
    lines.append("")
    (ROOT / "docs" / "results_silfa_clips.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
