"""What a distillation teacher tells the student: the teacher's top-1 and confidence on the views the
student trains on (the training split as evaluated, its augmented views, and their mixup mixes, made
by the training module's own ``training_view``), beside the test split.

    .venv/bin/python benchmarks/teacher_views.py --config configs/fpha/islr_transformer_tiny.yaml \
        --teachers runs/.../model.safetensors [...] [--epochs 3]

A teacher that is right and confident on every training view gives targets close to the (smoothed)
labels: little for the student to learn beyond them. Out-of-fold teachers (``data.folds``) score each
training sample with the teacher that never saw it, as distillation does. Writes docs/distillation_teacher_views_<dataset>.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from train_table import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from signkit.checkpoint import load_checkpoint
    from signkit.config import load_config
    from signkit.training.distill import DistillClassifier, out_of_fold_route
    from signkit.training.fit import prepare_data

    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="the student's config (its augmentation and mixup)")
    ap.add_argument("--teachers", nargs="+", required=True)
    ap.add_argument("--epochs", type=int, default=3, help="passes over the augmented training split")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="markdown file (default docs/distillation_teacher_views_<dataset>.md)")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    cfg = load_config(a.config, [])
    data = prepare_data(cfg)
    loaded = [load_checkpoint(p) for p in a.teachers]
    teachers = [m.eval() for m, _ in loaded]
    route = out_of_fold_route([meta for _, meta in loaded], data, a.teachers)  # fold teachers: who teaches whom
    # the distillation module itself makes the views and the teacher's logits, as in a student's training step
    mixer = DistillClassifier(torch.nn.Identity(), len(data.vocabulary), teachers, 1.0, 1.0, route=route,
                              mixup=cfg.train.mixup or 0.5)

    def logits(view, test=False):
        with torch.no_grad():
            if test or route is None:  # the test split: the mean of every teacher
                return torch.stack([t(view["x"], view.get("mask")) for t in teachers]).mean(0)
            return mixer.teacher_logits(view)

    rows = []
    for name, ds, passes in (("training split, evaluated as is", data.train_full, 1),
                             ("training split, augmented views", data.train, a.epochs),
                             ("training split, augmented + mixup views", data.train, a.epochs),
                             ("test split", data.test, 1)):
        right = conf = n = 0
        for _ in range(passes):
            for b in DataLoader(ds, batch_size=64, collate_fn=data.collate, shuffle=True):
                if "mixup" in name:
                    v = mixer.training_view(b)
                    y = v["label"] if v["lam"] >= 0.5 else v["label_b"]  # the mix's dominant label
                else:
                    v, y = b, b["label"]
                p = logits(v, test=ds is data.test).softmax(-1)
                right += (p.argmax(-1) == y).sum().item()
                conf += p.max(-1).values.sum().item()
                n += len(y)
        rows.append((name, n, right / n, conf / n))
        print(rows[-1], flush=True)
    who = f"an ensemble of {len(teachers)} (mean logits)" if len(teachers) > 1 else "one checkpoint"
    if route is not None:
        who = (f"{len(teachers)} out-of-fold teachers (data.folds): each training sample scored by the teacher that "
               f"never saw it, the test split by the mean of all")
    lines = [f"# What the teacher says on the student's training views ({cfg.data.name})", "",
             f"Machine: {machine()}.", "",
             f"Command: `.venv/bin/python benchmarks/teacher_views.py --config {Path(a.config).resolve().relative_to(ROOT)} "
             f"--teachers <{len(teachers)} checkpoint(s)> --epochs {a.epochs}`. Teacher: {who}, "
             f"`{load_checkpoint(a.teachers[0])[1]['model']}`. Views as the student's training step makes them "
             f"(its augmentation; mixup alpha {cfg.train.mixup or 0.5}: top-1 against the mix's dominant label).", "",
             "| views | n | teacher top-1 | teacher mean max-probability |", "|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]:.2%} | {r[3]:.3f} |" for r in rows]
    out = Path(a.out) if a.out else ROOT / "docs" / f"distillation_teacher_views_{cfg.data.name}.md"
    out.write_text("\n".join(lines) + "\n")
    print(out)


if __name__ == "__main__":
    main()
