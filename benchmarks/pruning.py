"""Magnitude pruning on FPHA: accuracy against sparsity for the same model trained with AdamW (weight
decay) and with SGD + momentum, fine-tuned pruning of the AdamW model, and weight histograms.

    .venv/bin/python benchmarks/pruning.py [--adam CKPT] [--sgd CKPT] [--finetune 40] [--finetune-lr 1e-3]

Without --adam / --sgd the two models are trained first (configs/fpha/tcn.yaml; SGD: lr 0.01,
momentum 0.9, weight decay 5e-4, same schedule and epochs). The thesis on compact gesture models
claims that Adam with weight decay yields sparser models; "prunable at equal accuracy" below is the
largest swept sparsity whose test top-1 (no fine-tuning) stays within 1 point of the unpruned model.
Writes docs/pruning_fpha.md and docs/pruning_weights_fpha.png.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

from train_table import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPARSITIES = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
SGD = ["train.optimizer=sgd", "train.lr=0.01", "train.weight_decay=5e-4"]  # lr 0.05 diverged (loss stuck at ln 45)


def main() -> None:
    import signkit
    from signkit.checkpoint import load_checkpoint
    from signkit.compact.prune import test_top1, prune_checkpoint, prune_model, sparsity_report, weight_histogram
    from signkit.config import config_from_dict
    from signkit.training.fit import prepare_data

    ap = argparse.ArgumentParser()
    ap.add_argument("--adam")
    ap.add_argument("--sgd")
    ap.add_argument("--finetune", type=int, default=40)
    ap.add_argument("--finetune-lr", type=float, default=1e-3)
    ap.add_argument("--out-dir", default=str(ROOT / "runs" / "pruning"))
    a = ap.parse_args()
    cfg_path = str(ROOT / "configs/fpha/tcn.yaml")
    ckpts = {}
    for label, given, ov in (("AdamW (wd 1e-2)", a.adam, []), ("SGD + momentum (wd 5e-4)", a.sgd, SGD)):
        if given is None:
            r = signkit.train(cfg_path, [*ov, f"output_dir={a.out_dir}", "train.progress=none",
                                         f"name=tcn_{'sgd' if ov else 'adamw'}"], verbose=False)
            given = r["checkpoint"]
        ckpts[label] = given
    models, sweep = {}, {}
    data = None
    for label, path in ckpts.items():
        model, meta = load_checkpoint(path)
        models[label] = model
        if data is None:
            data = prepare_data(config_from_dict(meta["config"]))
        sweep[label] = []
        for s in SPARSITIES:
            m = copy.deepcopy(model)
            if s > 0:
                prune_model(m, sparsity=s)
            sweep[label].append((s, test_top1(m, data)))
        print(label, sweep[label], flush=True)
    weight_histogram(models, ROOT / "docs" / "pruning_weights_fpha.png")
    adam = ckpts["AdamW (wd 1e-2)"]
    finetuned = []
    for s in (0.8, 0.9):
        r = prune_checkpoint(adam, Path(a.out_dir) / f"adamw-pruned-{s}.safetensors", sparsity=s,
                             finetune=a.finetune, finetune_lr=a.finetune_lr, verbose=False)
        finetuned.append((s, r["top1_before"], r["top1_after"], r["report"]["all_parameters_sparsity"]))
        print("finetuned", finetuned[-1], flush=True)

    lines = ["# Weight pruning on FPHA (official split, `tcn`)", "", f"Machine: {machine()}.", "",
             "Command: `.venv/bin/python benchmarks/pruning.py` (global L1 magnitude pruning of all weight matrices "
             "and kernels with `torch.nn.utils.prune`, made permanent; biases and norm parameters kept). "
             f"Checkpoints: {', '.join(f'{k}: `{Path(v).parent.name}`' for k, v in ckpts.items())}.", "",
             "## Test top-1 against sparsity, no fine-tuning", "",
             "| sparsity | " + " | ".join(sweep) + " |", "|---|" + "---|" * len(sweep)]
    for i, s in enumerate(SPARSITIES):
        lines.append(f"| {s:.0%} | " + " | ".join(f"{sweep[k][i][1]:.2%}" for k in sweep) + " |")
    lines += ["", "Largest swept sparsity with test top-1 within 1 point of the unpruned model (no fine-tuning):", ""]
    for k, rows in sweep.items():
        base = rows[0][1]
        ok = [s for s, acc in rows if acc >= base - 0.01]
        lines.append(f"- {k}: {max(ok):.0%} (unpruned {base:.2%})")
    lines += ["", f"## Pruned, then fine-tuned {a.finetune} epochs with the masks on (AdamW model, lr {a.finetune_lr:g}, "
              "cosine)", "",
              "| sparsity of weights | sparsity of all parameters | top-1 before | top-1 after | change (points) |",
              "|---|---|---|---|---|"]
    for s, b, aft, allp in finetuned:
        lines.append(f"| {s:.0%} | {allp:.1%} | {b:.2%} | {aft:.2%} | {100 * (aft - b):+.2f} |")
    lines += ["", "Fine-tuning selects its epoch on the validation hold-out; the test split is evaluated once.", "",
              "![weights](pruning_weights_fpha.png)", ""]
    (ROOT / "docs" / "pruning_fpha.md").write_text("\n".join(lines))
    (ROOT / "docs" / "pruning_fpha.json").write_text(json.dumps({"sweep": sweep, "finetuned": finetuned,
                                                                 "checkpoints": {k: "/".join(Path(v).parts[-3:]) for k, v in ckpts.items()}},
                                                                indent=1))


if __name__ == "__main__":
    main()
