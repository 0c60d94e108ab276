"""Ablation of the training recipe on FPHA (issue 16, point 4): each augmentation and option of the
best model's recipe removed in turn (and the recipe options it does not use added in turn), one
training run per row, test top-1 against the full recipe's, written to ``docs/ablation_<dataset>.md``.

    .venv/bin/python benchmarks/ablation.py                       # every row, seed 0, 2 jobs at a time
    .venv/bin/python benchmarks/ablation.py --rows full no_crop --seeds 0 1 2 --jobs 1

Each row runs ``signkit train CONFIG <its overrides>`` in its own process (``train_child.py``); rows
are appended to ``docs/ablation_<dataset>.jsonl`` as they finish, so an interrupted run keeps what it
measured and the table is rebuilt from that file (a (row, seed)'s newest result wins). With
``--jobs 2`` each process gets one torch thread (``OMP_NUM_THREADS=1``).

The default ``--config``, ``configs/fpha/islr_transformer_small.yaml`` (hold-out recipe; the best single
model, ``islr_transformer_small_full_mix300``, adds the whole training split, mixup and 300 epochs): the keypoint augmentation signkit uses when a config gives none
(temporal crop to >= 80 %, speed +-20 %, rotation +-15 deg, scale +-10 %, shift 0.1, jitter 0.01;
:data:`signkit.config.KEYPOINT_AUGMENT`), label smoothing 0.1 (Szegedy et al. 2016), AdamW with
weight decay 0.05 (Loshchilov & Hutter 2019) and a cosine schedule (Loshchilov & Hutter 2017), and
the model's own regularisers (late dropout 0.8 from a quarter of training and drop path 0.2, as the
ISLR 2023 winner's solution).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from train_table import machine, run_one  # noqa: E402

from signkit.config import load_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

_NO_AUG = [f"data.augment.{k}=0" for k in ("crop", "speed", "rotation", "scale", "shift", "jitter")]

# name: (what changes, overrides). Order = the order they run in (most telling first).
ROWS: dict[str, tuple[str, list[str]]] = {
    "full": ("the full recipe", []),
    "no_augmentation": ("− all keypoint augmentation", _NO_AUG),
    "no_crop": ("− temporal crop (≥ 80 %)", ["data.augment.crop=0"]),
    "no_speed": ("− speed (±20 %)", ["data.augment.speed=0"]),
    "no_rotation": ("− rotation (±15°)", ["data.augment.rotation=0"]),
    "no_label_smoothing": ("− label smoothing (0.1)", ["train.label_smoothing=0"]),
    "no_late_dropout": ("− late dropout (0.8)", ["model.args.late_dropout=0"]),
    "no_drop_path": ("− drop path (0.2)", ["model.args.drop_path=0"]),
    "mixup": ("+ mixup (α 0.5)", ["train.mixup=0.5"]),
    "no_scale": ("− scale (±10 %)", ["data.augment.scale=0"]),
    "no_shift": ("− shift (0.1)", ["data.augment.shift=0"]),
    "no_weight_decay": ("− weight decay (0.05)", ["train.weight_decay=0"]),
    "no_cosine": ("− cosine schedule (constant rate)", ["train.schedule=none"]),
    "no_jitter": ("− jitter (0.01)", ["data.augment.jitter=0"]),
    "ema": ("+ EMA of weights (0.999)", ["train.ema=0.999"]),
    "time_mask": ("+ time masking (≤ 20 %)", ["data.augment.time_mask=0.2"]),
    "joint_dropout": ("+ joint dropout (0.1)", ["data.augment.joint_dropout=0.1"]),
    "epochs_200": ("200 epochs (cosine over all of them)", ["train.epochs=200"]),
    # rows for recipes that already use mixup (configs/fpha/islr_transformer_small_full_mix300.yaml)
    "no_mixup": ("− mixup (α 0.5)", ["train.mixup=0"]),
    "epochs_300": ("300 epochs (cosine over all of them)", ["train.epochs=300"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "fpha" / "islr_transformer_small.yaml"))
    ap.add_argument("--rows", nargs="*", default=None, choices=list(ROWS),
                    help="rows to train (default: every row that changes something in the config)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0])
    ap.add_argument("--jobs", type=int, default=2, help="trainings at a time (each with 1 torch thread when > 1)")
    ap.add_argument("--out", default=None, help="markdown file (default docs/ablation_<dataset>.md)")
    ap.add_argument("--runs", default=str(ROOT / "runs" / "ablation"))
    ap.add_argument("--import-row", nargs="*", default=[], metavar="ROW=CONFIG_STEM",
                    help="take a row's runs from docs/results_<dataset>.jsonl instead of training again: the "
                         "seeds of CONFIG_STEM, which must be this config with the row's overrides (e.g. "
                         "full=islr_transformer_small_full_mix epochs_300=islr_transformer_small_full_mix300)")
    ap.add_argument("overrides", nargs="*", default=[], help="key=value for every row (e.g. train.epochs=50)")
    a = ap.parse_args()
    config = Path(a.config)
    dataset = config.parent.name
    out = Path(a.out or ROOT / "docs" / f"ablation_{dataset}.md")
    rows_file = out.with_suffix(".jsonl")
    for spec in a.import_row:
        name, _, stem = spec.partition("=")
        if name not in ROWS or not stem:
            ap.error(f"--import-row expects ROW=CONFIG_STEM with ROW one of {', '.join(ROWS)}; got {spec!r}")
        results = ROOT / "docs" / f"results_{dataset}.jsonl"
        got = [r for r in map(json.loads, results.read_text().splitlines()) if r.get("config") == stem]
        if not got:
            ap.error(f"--import-row {spec}: no rows of config {stem!r} in {results}")
        with open(rows_file, "a") as f:
            for r in got:
                r.update(row=name, imported_from=f"{results.name}: {stem}", jobs=r.get("jobs", 3),
                         threads=r.get("threads", "1"))
                f.write(json.dumps(r) + "\n")
        print(f"imported {len(got)} run(s) of {stem} as row {name}")
    if a.import_row:
        write_table(config, rows_file, out)
        if a.rows is None:  # importing only: no training
            return
    if a.jobs > 1:
        os.environ["OMP_NUM_THREADS"] = "1"
    rows = a.rows if a.rows is not None else applicable(config)
    todo = [(name, seed) for name in rows for seed in a.seeds]

    def one(job: tuple[str, int]) -> dict:
        name, seed = job
        ov = [*a.overrides, *ROWS[name][1], f"train.seed={seed}"]
        row = run_one(config, ov, Path(a.runs) / name)
        row.update(row=name, seed=seed, overrides=ov, machine=machine(), date=time.strftime("%Y-%m-%d"),
                   threads=os.environ.get("OMP_NUM_THREADS", "default"), jobs=a.jobs,
                   command=f"signkit train {config.relative_to(ROOT) if config.is_relative_to(ROOT) else config} "
                           + " ".join(ov))
        return row

    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for fut in as_completed([pool.submit(one, job) for job in todo]):  # written as each finishes
            row = fut.result()
            print(json.dumps(row), flush=True)
            with open(rows_file, "a") as f:
                f.write(json.dumps(row) + "\n")
            write_table(config, rows_file, out)
    print(f"wrote {out}")


def applicable(config: Path) -> list[str]:
    """The rows that change something in this config (``mixup`` is no change where the recipe has mixup)."""
    base = load_config(config)
    return [n for n, (_, ov) in ROWS.items() if n == "full" or load_config(config, ov) != base]


def write_table(config: Path, rows_file: Path, out: Path) -> None:
    runs: dict[str, dict[int, dict]] = {}
    for ln in rows_file.read_text().splitlines():
        r = json.loads(ln)
        runs.setdefault(r["row"], {})[int(r["seed"])] = r
    ok = {n: [r for r in rs.values() if "error" not in r] for n, rs in runs.items()}

    def mean(name: str) -> float | None:
        v = [r["top1"] for r in ok.get(name, [])]
        return statistics.mean(v) if v else None

    def fmt(v: list[float]) -> str:
        return f"{v[0]:.2%}" if len(v) == 1 else f"{statistics.mean(v):.2%} ± {statistics.stdev(v):.2%}"

    base = mean("full")
    held_out = load_config(config).data.val_fraction > 0
    selection = ("model selection on a per-class 10 % hold-out of the training split" if held_out else
                 "trained on the whole training split, no hold-out, the last epoch's weights kept")
    machines = sorted({r["machine"] for rs in runs.values() for r in rs.values() if "machine" in r})
    lines = [f"# {config.parent.name}: ablation of the `{config.stem}` recipe", "",
             f"Machine: {'; '.join(machines)}.", "",
             f"Produced by `.venv/bin/python benchmarks/{Path(__file__).name} --config "
             f"{config.relative_to(ROOT) if config.is_relative_to(ROOT) else config} [--rows ...] [--seeds ...]`: "
             "one training run per row and seed, each the full recipe with one thing changed, test top-1 on the "
             f"official 1:1 split ({selection}). "
             "Δ is against the full recipe's run(s) in this table. A single seed's Δ within about twice the "
             "full recipe's seed spread is noise.", "",
             "| row | change | seeds | test top-1 | Δ vs full (points) | Δ vs full, same seeds (points) | epochs (best) "
             "| s / epoch | command |",
             "|---|---|---|---|---|---|---|---|---|"]
    full_by_seed = {int(r["seed"]): r["top1"] for r in ok.get("full", [])}
    for name in [n for n in ROWS if n in runs] + sorted(set(runs) - set(ROWS)):
        rs = sorted(ok.get(name, []), key=lambda r: int(r["seed"]))
        label = ROWS.get(name, (name, []))[0]
        if not rs:
            err = next(iter(runs[name].values())).get("error", "failed")
            lines.append(f"| {name} | {label} | | failed: {err} | | | | | |")
            continue
        top = [r["top1"] for r in rs]
        d = "" if base is None or name == "full" else f"{100 * (statistics.mean(top) - base):+.2f}"
        paired = [r["top1"] - full_by_seed[int(r["seed"])] for r in rs if int(r["seed"]) in full_by_seed]
        dp = "" if name == "full" or not paired else f"{100 * statistics.mean(paired):+.2f}"
        cmd = rs[-1]["command"].replace(f"train.seed={rs[-1]['seed']}", "train.seed=<seed>")
        lines.append(f"| {name} | {label} | {', '.join(str(r['seed']) for r in rs)} | {fmt(top)} | {d} | {dp} | "
                     f"{rs[-1]['epochs']} ({', '.join(str(r['best_epoch']) for r in rs)}) | "
                     f"{statistics.mean(r['s_per_epoch'] for r in rs):.1f} | `{cmd}` |")
    imported = sorted({f"`{n}` ({r['imported_from']})" for n, rs in ok.items() for r in rs if "imported_from" in r})
    if imported:
        lines += ["", "Rows taken from the same trainings in the results table (`--import-row`): "
                  + "; ".join(imported) + "."]
    missing = [n for n in applicable(config) if n not in runs]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(f"`{n}` ({ROWS[n][0]})" for n in missing) + "."]
    threads = sorted({f"{r.get('jobs')} jobs at a time, OMP_NUM_THREADS={r.get('threads')}"
                      for rs in runs.values() for r in rs.values()})
    lines += ["", "Conditions: " + "; ".join(threads) + " (s / epoch is slower than on an idle machine)."]
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
