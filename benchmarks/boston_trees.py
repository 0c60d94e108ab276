"""RWTH-BOSTON-104 with extremely randomised trees on hand-crafted trajectory features, beside the deep
models and mixed with them (issue 16, point 2: what else was tried for 75 %).

Features of a word segment (``(T, 3, 2)`` pixel tracks of left hand, right hand, nose; signkit's
``rwth_boston104`` loader, official split): the hands relative to the nose, the left hand relative to the
right, and the three absolute positions (12 channels), resampled to ``--frames`` frames by linear
interpolation; their frame-to-frame differences; the segment's length in frames; each channel's mean,
std, min and max. Classifier: scikit-learn's ``ExtraTreesClassifier`` (Geurts, Ernst & Wehenkel 2006),
1,000 trees, one run per seed.

With deep checkpoints (``--deep A B C``, e.g. the 3 seeds of ``islr_transformer_small_mix300``), the
deep ensemble (mean of softmax probabilities) and the mix of the two families with equal weight
(0.5 × deep ensemble + 0.5 × trees, fixed before looking at the test split) are reported, with the
per-segment overlap of their errors.

    .venv/bin/python benchmarks/boston_trees.py [--deep runs/.../model.safetensors ...] [--out docs/boston104_trees.md]

Not a shipped model: scikit-learn trees cannot be saved without pickle, which signkit does not load.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from train_table import _rel, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def trajectory_features(ds, frames: int = 8) -> np.ndarray:
    """``(N, F)`` features of every segment of a BOSTON-104 dataset (see the module docstring); pixels."""
    from scipy.interpolate import interp1d

    rows = []
    for s in ds.samples:
        a = s.sequence.data.reshape(len(s.sequence.data), 6).astype(np.float64)  # lx ly rx ry nx ny
        nose = a[:, 4:6]
        ch = np.concatenate([a[:, 0:2] - nose, a[:, 2:4] - nose, a[:, 0:2] - a[:, 2:4], a], axis=1)
        if len(ch) == 1:
            ch = np.repeat(ch, 2, axis=0)
        r = interp1d(np.linspace(0, 1, len(ch)), ch, axis=0)(np.linspace(0, 1, frames))
        rows.append(np.concatenate([r.ravel(), np.diff(r, axis=0).ravel(), [len(a)],
                                    ch.mean(0), ch.std(0), ch.min(0), ch.max(0)]))
    return np.asarray(rows)


def boston_splits():
    """The official training and test splits of RWTH-BOSTON-104, their vocabulary (the training split's) and
    the label indices ``(N,)`` of each split's segments."""
    from signkit.data.boston104 import load_boston104

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one test word unseen in training is dropped, as everywhere
        tr, te = load_boston104("train"), load_boston104("test")
    voc = tr.vocabulary
    return (tr, te, voc, np.array([voc.index(s.gloss) for s in tr.samples]),
            np.array([voc.index(s.gloss) for s in te.samples]))


def main() -> None:
    import torch
    from sklearn.ensemble import ExtraTreesClassifier

    from signkit.inference import Recognizer

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--trees", type=int, default=1000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--deep", nargs="*", default=[], help="deep checkpoints of rwth_boston104 to mix with")
    ap.add_argument("--out", default=str(ROOT / "docs" / "boston104_trees.md"))
    a = ap.parse_args()

    tr, te, voc, ytr, yte = boston_splits()
    xtr, xte = trajectory_features(tr, a.frames), trajectory_features(te, a.frames)
    top1 = lambda p: 100.0 * float((p.argmax(1) == yte).mean())  # noqa: E731

    probs, accs, secs = [], [], []
    for seed in a.seeds:
        t0 = time.perf_counter()
        m = ExtraTreesClassifier(a.trees, random_state=seed, n_jobs=1).fit(xtr, ytr)
        p = np.zeros((len(yte), len(voc)))
        p[:, m.classes_] = m.predict_proba(xte)
        secs.append(time.perf_counter() - t0)
        probs.append(p)
        accs.append(top1(p))
        print(f"trees seed {seed}: {accs[-1]:.2f} % ({secs[-1]:.1f} s)", flush=True)
    trees = np.mean(probs, axis=0)
    lines = ["# RWTH-BOSTON-104: extremely randomised trees on trajectory features, and mixed with the deep models", "",
             f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}. Command: `.venv/bin/python benchmarks/boston_trees.py"
             + (f" --deep {' '.join(_rel(d) for d in a.deep)}" if a.deep else "") + "`. Test split: 177 word segments "
             "(official sentence-level split; the one segment whose word never occurs in training is dropped, as in every "
             "BOSTON row). Features and classifier: the script's docstring.", "",
             "| what | test top-1 |", "|---|---|",
             f"| `ExtraTreesClassifier` ({a.trees} trees, {a.frames} resampled frames), seeds {', '.join(map(str, a.seeds))} | "
             f"{np.mean(accs):.2f} % ± {np.std(accs, ddof=1) if len(accs) > 1 else 0:.2f} ({', '.join(f'{x:.2f}' for x in accs)}; "
             f"{np.mean(secs):.1f} s to fit, 1 core) |",
             f"| the {len(a.seeds)} tree seeds' mean probabilities | {top1(trees):.2f} % |"]
    out = {"trees": accs, "trees_mean_prob": top1(trees)}
    if a.deep:
        deep = []
        for c in a.deep:
            lg, lb = Recognizer(c).split_logits("test")
            if not np.array_equal(lb.numpy(), yte):
                raise SystemExit(f"{c}: its test labels differ from the loader's order")
            deep.append(torch.softmax(lg.float(), 1).numpy())
            lines.append(f"| deep `{_rel(c)}` | {top1(deep[-1]):.2f} % |")
        d = np.mean(deep, axis=0)
        mix = 0.5 * d + 0.5 * trees
        ok_d, ok_t = d.argmax(1) == yte, trees.argmax(1) == yte
        lines += [f"| deep ensemble ({len(deep)} checkpoints, mean probabilities) | {top1(d):.2f} % |",
                  f"| **deep ensemble and trees, equal weight** | **{top1(mix):.2f} %** |", "",
                  f"Errors per segment (deep ensemble vs trees): both right {int((ok_d & ok_t).sum())}, only the deep "
                  f"ensemble {int((ok_d & ~ok_t).sum())}, only the trees {int((~ok_d & ok_t).sum())}, both wrong "
                  f"{int((~ok_d & ~ok_t).sum())} of {len(yte)} (an oracle choosing the right one of the two: "
                  f"{100 * float((ok_d | ok_t).mean()):.2f} %)."]
        out.update(deep=[top1(p) for p in deep], deep_ensemble=top1(d), mix=top1(mix))
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
