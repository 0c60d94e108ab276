"""Hand-shape image results: every model on every image dataset, one table (docs/results_images.md).

Each row runs ``signkit train configs/<dataset>/<model>.yaml [overrides]`` in its own process (via
benchmarks/train_table.py's runner). ``asl_massey`` is leave-one-person-out: one run per held-out
person (``data.options.test_person=1..5``) and the row gives the mean and the per-person top-1.
Landmark rows also give how many test images had a hand and the top-1 over all test images
(an image without a hand counted as wrong).

    .venv/bin/python benchmarks/image_table.py --datasets silfa_letters --models lenet5 landmark_mlp
    .venv/bin/python benchmarks/image_table.py --datasets asl_massey --models lenet5 train.epochs=10
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from train_table import ROOT, machine, run_one  # noqa: E402

DATASETS = ["sign_mnist", "asl_massey", "sign_language_digits", "silfa_letters"]
MODELS = ["mlp", "lenet5", "resnet18_28px", "lenet5_handcrop", "resnet18_28px_handcrop", "lenet5_shift",
          "resnet18_28px_shift", "mobilenetv2_frozen", "mobilenetv2_scratch", "landmark_mlp",
          "resnet18_28px_handcrop_static", "landmark_mlp_static"]
MOTION_LETTERS = ("J", "Z")  # drawn in the air: one frame cannot show them (Sign-MNIST leaves them out)
SPLITS = {"sign_mnist": "official test set (7,172)", "asl_massey": "leave-one-person-out (5 people), mean",
          "sign_language_digits": "seeded stratified 80/20 (no signer ids)",
          "silfa_letters": "id blocks: first half of each letter trains"}
OUT = ROOT / "docs" / "results_images.md"


def run_row(dataset: str, model: str, overrides: list[str], runs: Path) -> dict:
    cfg = ROOT / "configs" / dataset / f"{model}.yaml"
    folds = [1, 2, 3, 4, 5] if dataset == "asl_massey" else [None]
    parts = []
    for f in folds:
        ov = list(overrides) + ([f"data.options.test_person={f}"] if f else [])
        r = run_one(cfg, ov, runs)
        if "error" in r:
            return {"dataset": dataset, "model": model, "error": r["error"], "overrides": overrides}
        if r.get("checkpoint"):
            from signkit.checkpoint import load_checkpoint

            r["metrics_full"] = load_checkpoint(r["checkpoint"])[1]["metrics"]
            per_class = json.loads((Path(r["checkpoint"]).parent / "test_metrics.json").read_text()).get("per_class", {})
            if dataset == "silfa_letters" and per_class:  # top-1 over the test frames of the 24 static letters
                static = {k: v for k, v in per_class.items() if k not in MOTION_LETTERS}
                r["top1_static"] = (sum(v["accuracy"] * v["support"] for v in static.values())
                                    / sum(v["support"] for v in static.values()))
        parts.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "metrics_full"}), flush=True)
    top1 = [p["top1"] for p in parts]
    row = {"dataset": dataset, "model": model, "overrides": overrides, "top1": float(np.mean(top1)),
           "top1_sd": float(np.std(top1)) if len(top1) > 1 else None, "top1_folds": top1,
           "parameters": parts[0]["parameters"], "s_per_epoch": float(np.mean([p["s_per_epoch"] for p in parts])),
           "epochs": parts[0]["epochs"], "machine": machine(), "date": time.strftime("%Y-%m-%d"),
           "command": f"signkit train configs/{dataset}/{model}.yaml" + "".join(" " + o for o in overrides)
                      + (" data.options.test_person=<1..5>" if len(folds) > 1 else "")}
    if "top1_static" in parts[0]:
        row["top1_static"] = parts[0]["top1_static"]
    m = parts[0]["metrics_full"]
    if "test_images" in m:
        images = sum(p["metrics_full"]["test_images"] for p in parts)
        no_hand = sum(p["metrics_full"]["test_no_hand"] for p in parts)
        row.update(test_images=images, test_no_hand=no_hand,
                   top1_all_images=float(np.mean([p["metrics_full"]["top1_all_images"] for p in parts])))
    return row


TRANSFER = {"digits_all": "sign_language_digits", "silfa": "silfa_letters", "massey_p1": "asl_massey"}


def transfer_rows() -> dict[tuple, dict]:
    """MobileNetV2 rows from benchmarks/transfer.py (docs/transfer_learning.jsonl): mean over its seeds."""
    f = ROOT / "docs" / "transfer_learning.jsonl"
    if not f.is_file():
        return {}
    runs: dict[tuple, dict] = {}
    for ln in f.read_text().splitlines():
        r = json.loads(ln)
        if r.get("setting") in TRANSFER and "top1" in r:
            runs[(r["setting"], r["model"], r["seed"])] = r
    out = {}
    for (setting, model, _), _r in runs.items():
        sel = [v for k, v in runs.items() if k[0] == setting and k[1] == model]
        t = [v["top1"] for v in sel]
        note = " data.options.test_person=1 (person 1 only)" if setting == "massey_p1" else ""
        out[(TRANSFER[setting], model)] = {
            "dataset": TRANSFER[setting], "model": model, "top1": float(np.mean(t)), "top1_sd": float(np.std(t)),
            "top1_folds": t, "parameters": sel[0]["parameters"], "s_per_epoch": float(np.mean([v["s_per_epoch"] for v in sel])),
            "epochs": sel[0]["epochs"], "machine": sel[0]["machine"], "seeds": len(sel),
            "command": f"benchmarks/transfer.py: signkit train configs/{TRANSFER[setting]}/{model}.yaml "
                       f"train.seed=<0..{len(sel) - 1}>{note}"}
    return out


def write_table(rows_file: Path, out: Path) -> None:
    rows: dict[tuple, dict] = transfer_rows()
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        rows[(r["dataset"], r["model"])] = r
    machines = sorted({r.get("machine", "?") for r in rows.values() if "machine" in r})
    lines = ["# Hand shapes from images: results", "",
             f"Machine: {'; '.join(machines)}. CPU only (no GPU was lent to this task).", "",
             "Produced by `.venv/bin/python benchmarks/image_table.py --datasets ... --models ... [overrides]`; "
             "each row's command is given. Model selection on a per-class 10 % hold-out of the training split; "
             "the test split is used once. `s / epoch` = mean wall time of the training part of an epoch on "
             "2 CPU cores. MobileNetV2 rows come from `benchmarks/transfer.py` (mean ± sd over its seeds; on "
             "asl_massey only person 1 is held out there). Landmark rows: top-1 over the test images where MediaPipe Hands found a hand, "
             "then the coverage and the top-1 over all test images (no hand = wrong).", ""]
    for ds in DATASETS:
        sel = [rows[k] for k in sorted(rows) if k[0] == ds]
        if not sel:
            continue
        static = ds == "silfa_letters"
        lines += [f"## {ds} ({SPLITS[ds]})", ""]
        if static:
            lines += ["`static letters` = top-1 over the test frames of the 24 letters other than J and Z, which are "
                      "drawn in the air (Sign-MNIST leaves them out for that reason). `_static` models are trained "
                      "and tested on those 24 letters only (`data.options.exclude_glosses: [J, Z]`). Hand views use "
                      "`hand: highest` (the raised, signing hand; MediaPipe's most confident hand is often the "
                      "signer's resting hand here).", ""]
        lines += ["| model | test top-1 | hand found (test) | top-1, all images |" + (" static letters |" if static else "")
                  + " parameters | s / epoch | epochs | command |",
                  "|---|---|---|---|" + ("---|" if static else "") + "---|---|---|---|"]
        for r in sorted(sel, key=lambda r: MODELS.index(r["model"]) if r["model"] in MODELS else 99):
            if "error" in r:
                lines.append(f"| {r['model']} | failed: {r['error']} | | | | | | |" + (" |" if static else ""))
                continue
            what = "seeds" if "seeds" in r else "people"
            t = f"{r['top1']:.2%}" + (f" ± {r['top1_sd']:.2%} ({what}: " + ", ".join(f"{v:.1%}" for v in r["top1_folds"])
                                      + ")" if r.get("top1_sd") is not None else "")
            cov = (f"{r['test_images'] - r['test_no_hand']:,} / {r['test_images']:,}" if "test_images" in r else "n/a")
            allimg = f"{r['top1_all_images']:.2%}" if "top1_all_images" in r else t.split(" ")[0]
            st = ((f" {r['top1_static']:.2%} |" if "top1_static" in r else " n/a |") if static else "")
            lines.append(f"| {r['model']} | {t} | {cov} | {allimg} |{st} {r['parameters']:,} | {r['s_per_epoch']:.2f} | "
                         f"{r['epochs']} | `{r['command']}` |")
        lines.append("")
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", nargs="*", default=DATASETS)
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--runs", default=str(ROOT / "runs" / "bench"))
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("overrides", nargs="*", default=[])
    a = ap.parse_args()
    # key=value words after --models/--datasets are overrides, not names
    a.overrides += [w for w in a.models + a.datasets if "=" in w]
    a.models = [w for w in a.models if "=" not in w]
    a.datasets = [w for w in a.datasets if "=" not in w]
    out = Path(a.out)
    rows_file = out.with_suffix(".jsonl")
    for ds in a.datasets:
        for m in a.models:
            if not (ROOT / "configs" / ds / f"{m}.yaml").is_file():
                print(f"skip {ds}/{m}: no config", flush=True)
                continue
            row = run_row(ds, m, a.overrides, Path(a.runs))
            with open(rows_file, "a") as f:
                f.write(json.dumps(row) + "\n")
            write_table(rows_file, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
