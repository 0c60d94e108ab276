"""Transfer learning as the MobileNetV2 fingerspelling work measured it: the ImageNet backbone frozen
with a new head (``mobilenetv2_frozen``, weights from ../shared/weights) against the same network
trained from scratch (``mobilenetv2_scratch``), same data, epochs and seeds.

Settings: Sign Language Digits with all training images and with 10 and 50 images per class
(``data.options.per_class``), ASL Massey with person 1 held out, SILFA letters (id blocks).
Seeds 0..N-1 (``train.seed`` and the per-class draw). Writes docs/transfer_learning.md.

    .venv/bin/python benchmarks/transfer.py --seeds 3
    .venv/bin/python benchmarks/transfer.py --settings digits_10 --seeds 3 train.epochs=30
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from train_table import ROOT, machine, run_one  # noqa: E402

SETTINGS = {
    "digits_all": ("sign_language_digits", []),
    "digits_50": ("sign_language_digits", ["data.options.per_class=50"]),
    "digits_10": ("sign_language_digits", ["data.options.per_class=10"]),
    "massey_p1": ("asl_massey", ["data.options.test_person=1"]),
    "silfa": ("silfa_letters", []),
}
MODELS = ["mobilenetv2_frozen", "mobilenetv2_scratch"]
OUT = ROOT / "docs" / "transfer_learning.md"


def write_table(rows_file: Path, out: Path) -> None:
    rows: dict[tuple, dict] = {}
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        rows[(r["setting"], r["model"], r["seed"])] = r
    machines = sorted({r["machine"] for r in rows.values() if "machine" in r})
    lines = ["# Transfer learning: MobileNetV2 with a frozen ImageNet backbone vs from scratch", "",
             f"Machine: {'; '.join(machines)}. CPU only (no GPU was lent to this task).", "",
             "Produced by `.venv/bin/python benchmarks/transfer.py --seeds N [overrides]`: for each setting and "
             "seed, `signkit train configs/<dataset>/mobilenetv2_frozen.yaml` and `.../mobilenetv2_scratch.yaml` "
             "with `train.seed=<seed>` (and `data.options.per_class_seed=<seed>` for the per-class subsets). "
             "96x96 RGB, ImageNet normalisation, the configs' augmentation, AdamW lr 1e-3 cosine, "
             f"{sorted({r['epochs'] for r in rows.values() if 'epochs' in r})} epochs (overrides in the rows' commands, "
             "docs/transfer_learning.jsonl). "
             "Test top-1 mean ± standard deviation over seeds; *gain* = frozen − scratch, and whether it exceeds "
             "the larger of the two seed spreads (max − min).", "",
             "| setting | frozen backbone | from scratch | gain (points) | larger than seed spread? | seeds | s / epoch (frozen, scratch) |",
             "|---|---|---|---|---|---|---|"]
    for name in SETTINGS:
        got = {m: [rows[k] for k in sorted(rows) if k[0] == name and k[1] == m and "top1" in rows[k]] for m in MODELS}
        if not all(got.values()):
            continue
        a, b = (np.array([r["top1"] for r in got[m]]) * 100 for m in MODELS)
        spread = max(np.ptp(a), np.ptp(b))
        gain = a.mean() - b.mean()
        verdict = "yes: the backbone helped" if gain > spread else (
            "no: it hurt" if -gain > spread else "no: within the seed spread")
        sp = ", ".join(f"{np.mean([r['s_per_epoch'] for r in got[m]]):.1f}" for m in MODELS)
        lines.append(f"| {name} | {a.mean():.2f} ± {a.std():.2f} | {b.mean():.2f} ± {b.std():.2f} | {gain:+.2f} | "
                     f"{verdict} (spread {spread:.2f}) | {min(len(a), len(b))} | {sp} |")
    errors = [r for r in rows.values() if "error" in r]
    for r in errors:
        lines.append(f"\nFailed: {r['setting']} {r['model']} seed {r['seed']}: {r['error']}")
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", nargs="*", default=list(SETTINGS))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--runs", default=str(ROOT / "runs" / "transfer"))
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("overrides", nargs="*", default=[])
    a = ap.parse_args()
    out = Path(a.out)
    rows_file = out.with_suffix(".jsonl")
    for name in a.settings:
        dataset, extra = SETTINGS[name]
        for seed in range(a.seeds):
            for model in MODELS:
                ov = [*extra, f"train.seed={seed}", *a.overrides]
                if any(o.startswith("data.options.per_class=") for o in extra):
                    ov.append(f"data.options.per_class_seed={seed}")
                r = run_one(ROOT / "configs" / dataset / f"{model}.yaml", ov, Path(a.runs))
                r.update(setting=name, model=model, seed=seed, machine=machine(), date=time.strftime("%Y-%m-%d"),
                         command=f"signkit train configs/{dataset}/{model}.yaml " + " ".join(ov))
                print(json.dumps(r), flush=True)
                with open(rows_file, "a") as f:
                    f.write(json.dumps(r) + "\n")
                write_table(rows_file, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
