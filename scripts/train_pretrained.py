"""Train the pretrained models that ship inside signkit, from ../shared/data, and write their model cards.

    .venv/bin/python scripts/train_pretrained.py [--only asl_fingerspelling|tsl_digits|islr_signs] [--folds]

``islr_signs``: ``configs/islr/gru.yaml`` (whole body, ``sign_body57``) on the ISLR competition files,
fold 0 (18 participants train, 3 test); its card quotes ``docs/islr_cv.json`` (run
``benchmarks/islr_cv.py --epochs 40`` first) for the 7-fold leave-participants-out figures.

``asl_fingerspelling``: ``configs/fingerspelling_static/landmark_mlp.yaml`` with ``hold_out: none``
(every corpus trains; SILFA's second halves are its test split) is the shipped checkpoint. With
``--folds`` the same recipe is also trained once per held-out person, for the model card: leave one
Massey person out (5 folds), leave one asl_letters_users folder out (7 folds), SILFA's second halves
with and without SILFA's first halves in training. Writes ``src/signkit/pretrained/<name>.safetensors``
and ``<name>.md`` (and ``docs/pretrained_folds.json`` with every fold's numbers).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRE = ROOT / "src" / "signkit" / "pretrained"
CONFIG = ROOT / "configs" / "fingerspelling_static" / "landmark_mlp.yaml"


DIGITS = ROOT / "configs" / "sign_language_digits" / "landmark_mlp.yaml"
ISLR = ROOT / "configs" / "islr" / "gru.yaml"
ISLR_EPOCHS = 40  # as in docs/islr_cv.md (benchmarks/islr_cv.py --epochs 40), so the card's folds are this recipe


def _train(runs: Path, overrides: list[str], config: Path = CONFIG) -> dict:
    import signkit.api as sk

    r = sk.train(str(config), [f"output_dir={runs}", *overrides], verbose=False)
    m = r["metrics"]
    return {"checkpoint": str(r["checkpoint"]), "top1": m["top1"], "n": m.get("n"), "parameters": m.get("parameters"),
            "top1_all_images": m.get("top1_all_images", m["top1"]), "test_images": m.get("test_images"),
            "test_no_hand": m.get("test_no_hand", 0)}


def ship(checkpoint: str, name: str) -> None:
    """Copy a trained checkpoint into the package with its metadata's ``output_dir`` made relative to
    the repository (no machine path ships); the weights are copied unchanged."""
    import json

    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    with safe_open(checkpoint, framework="pt") as f:
        meta = json.loads(f.metadata()["signkit"])
    out = Path(meta["config"].get("output_dir", "runs"))
    meta["config"]["output_dir"] = str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else "runs"
    save_file(load_file(checkpoint), str(PRE / f"{name}.safetensors"), metadata={"signkit": json.dumps(meta)})


def _relative(d: dict) -> dict:
    return {**d, "checkpoint": str(Path(d["checkpoint"]).relative_to(ROOT)) if Path(d["checkpoint"]).is_relative_to(ROOT)
            else Path(d["checkpoint"]).name}


def machine() -> str:
    import torch

    return f"{platform.node() or 'vm'}: {torch.get_num_threads()} threads, torch {torch.__version__}, Python {platform.python_version()}"


def folds(runs: Path) -> dict:
    out: dict = {"massey": {}, "users": {}, "silfa": {}}
    for p in range(1, 6):
        out["massey"][f"hand{p}"] = _train(runs, [f"data.options.hold_out=asl_massey:hand{p}"])
        print("massey", p, out["massey"][f"hand{p}"]["top1"], flush=True)
    for u in (3, 4, 5, 6, 7, 9, 10):
        out["users"][f"user_{u}"] = _train(runs, [f"data.options.hold_out=asl_letters_users:user_{u}"])
        print("users", u, out["users"][f"user_{u}"]["top1"], flush=True)
    out["silfa"]["with_silfa_first_halves"] = _train(runs, ["data.options.hold_out=silfa_letters"])
    out["silfa"]["without_silfa"] = _train(runs, ["data.options.hold_out=silfa_letters",
                                                  "data.options.sources=[asl_letters_users, asl_massey]"])
    print("silfa", {k: v["top1"] for k, v in out["silfa"].items()}, flush=True)
    return out


def _mean(d: dict, key: str) -> float:
    return sum(v[key] for v in d.values()) / len(d)


def seeds_paragraph() -> str:
    """The recipe's held-out-people figures over seeds, from ``benchmarks/fingerspelling_recipes.py``
    (``docs/fingerspelling_recipes.jsonl``), or '' when that has not run."""
    import statistics

    rows_file = ROOT / "docs" / "fingerspelling_recipes.jsonl"
    if not rows_file.is_file():
        return ""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fingerspelling_recipes import MASSEY, USERS, load, seed_means

    rows = load(rows_file)
    m, u = list(seed_means(rows, "current", MASSEY).values()), list(seed_means(rows, "current", USERS).values())
    if len(m) < 2 or len(u) < 2:
        return ""
    return (f"Over {len(m)} seeds (1 torch thread per run; `benchmarks/fingerspelling_recipes.py`, "
            f"`docs/fingerspelling_recipes.md`) the same recipe scores **{statistics.mean(m):.2%} ± "
            f"{statistics.stdev(m):.2%}** on Massey (leave one person out) and {statistics.mean(u):.2%} ± "
            f"{statistics.stdev(u):.2%} on asl_letters_users (leave one folder out); the single run above is one "
            "draw of that spread. Variants chosen on asl_letters_users alone (more epochs, stronger augmentation, "
            "wider layers, mixup, no distance features) did not beat it beyond the seed spread.\n")


def card(shipped: dict, fold: dict | None, seconds: float) -> str:
    rows = ""
    if fold:
        rows = (
            "| held-out people | folds | top-1 (images with a hand) | top-1 (all images; no hand = wrong) |\n|---|---|---|---|\n"
            f"| Massey, leave one person out (24 static letters) | 5 | {_mean(fold['massey'], 'top1'):.2%} | "
            f"{_mean(fold['massey'], 'top1_all_images'):.2%} |\n"
            f"| asl_letters_users, leave one folder out | 7 | {_mean(fold['users'], 'top1'):.2%} | "
            f"{_mean(fold['users'], 'top1_all_images'):.2%} |\n"
            f"| SILFA second halves, SILFA first halves in training | 1 | "
            f"{fold['silfa']['with_silfa_first_halves']['top1']:.2%} | "
            f"{fold['silfa']['with_silfa_first_halves']['top1_all_images']:.2%} |\n"
            f"| SILFA second halves, no SILFA in training | 1 | {fold['silfa']['without_silfa']['top1']:.2%} | "
            f"{fold['silfa']['without_silfa']['top1_all_images']:.2%} |\n\n"
            "Per fold: " + "; ".join(f"{k} {v['top1']:.1%}" for k, v in fold["massey"].items()) + " (Massey); "
            + "; ".join(f"{k} {v['top1']:.1%}" for k, v in fold["users"].items()) + " (asl_letters_users).\n"
        )
    return f"""# Model card: `asl_fingerspelling`

**What**: the 24 static letters of the American manual alphabet (A-Y without J and Z, which are
drawn in the air) from the 21 hand landmarks MediaPipe Hands finds in a frame. `landmark_mlp`
(106,904 parameters) over landmarks normalised for position, scale and (by training-time mirroring,
p = 0.5) handedness, so left-handed signers are read too. Used by `signkit live` (the default model)
and `signkit spell`; `signkit predict asl_fingerspelling photo.jpg` classifies one photo.

**Data** (read in place from `../shared/data`, recipe `configs/fingerspelling_static/landmark_mlp.yaml`,
dataset `fingerspelling_static`):
- `asl_letters_users`: 1,680 webcam photos, 7 folders of about 8-12 people (no licence stated;
  research evaluation only; likely the source photos of Sign Language MNIST);
- `asl_massey`: the 24 static letters of the Massey ASL subset, 5 people (Barczak et al. 2011);
- `silfa_letters`: the first half of each letter's frames (by frame id) of SILFA's one signer.
Sign Language MNIST is **not** used: MediaPipe rarely finds a hand in a 28x28 image, and its
photos likely repeat `asl_letters_users`' people. Images where MediaPipe (hand = highest: the raised
hand) finds no hand are left out of training.

**Shipped checkpoint**: every corpus above trains (`hold_out: none`); its test split is SILFA's
second halves: top-1 {shipped['top1']:.2%} on the {shipped['n']} frames with a hand
({shipped['top1_all_images']:.2%} of all {shipped['test_images']}).

**On people it never saw** (the same recipe, retrained with each group held out; `scripts/train_pretrained.py --folds`):

{rows or '(run with --folds for these figures)'}
{seeds_paragraph()}
SILFA's signer may use another manual alphabet or hand-shape variants for some letters (see its
SOURCE.md), so the SILFA rows measure a different condition, not only a new person. The Massey and
asl_letters_users rows never saw the held-out people; asl_letters_users' folders may share people
(a folder is not one person), so its figure may be optimistic.

**Intended use**: a demonstration and a starting point for live fingerspelling in signkit; static
hand shapes only (no J, Z, no motion), one signing hand, a camera that sees the hand. **Limits**:
trained on a few dozen people, mostly indoor webcams; similar letters (M/N/S/T/E, G/H, U/V/R) are
the usual confusions; not a substitute for an interpreter. Data licences: see each corpus' SOURCE.md;
asl_letters_users states none.

Trained by `.venv/bin/python scripts/train_pretrained.py{' --folds' if fold else ''}` on {machine()}
in {seconds:.0f} s, {time.strftime('%Y-%m-%d')}.
"""


def digits_card(m: dict, seconds: float) -> str:
    return f"""# Model card: `tsl_digits`

**What**: the digits 0-9 of Turkish Sign Language (as photographed in the Sign Language Digits
Dataset, Mavi 2017) from the 21 hand landmarks MediaPipe Hands finds in an image. `landmark_mlp` over
landmarks normalised for position and scale, trained with mirroring (p = 0.5) so that either hand is
read. `signkit predict tsl_digits photo.jpg`; `signkit live tsl_digits --source 0` reads digits held up
to a camera (each held digit is emitted once, like a letter).

**Data**: `../shared/data/sign_language_digits` (2,062 100x100 photos, 218 students, Apache-2.0),
recipe `configs/sign_language_digits/landmark_mlp.yaml` + `data.augment.mirror=0.5`. The dataset has no
participant ids, so the split is the seeded stratified hold-out of 20 % (seed 0): **the test people
may also appear in training**; this is not a signer-independent figure.

**Test split**: top-1 {m['top1']:.2%} on the {m['n']} test images with a hand ({m['top1_all_images']:.2%}
of all {m['test_images']}; {m['test_no_hand']} without a hand).

**Data licence**: Apache-2.0 (the dataset's `LICENSE`).

**Intended use**: a demonstration of digit recognition from landmarks. **Limits**: one photo set
of school students against plain backgrounds, 100x100 px; static hand shapes only; other sign
languages' digits differ. Trained by `.venv/bin/python scripts/train_pretrained.py` on {machine()} in
{seconds:.0f} s, {time.strftime('%Y-%m-%d')}.
"""


def islr_card(m: dict, seconds: float) -> str:
    cv = ROOT / "docs" / "islr_cv.json"
    folds = ""
    if cv.is_file():
        import statistics

        res = json.loads(cv.read_text())
        rows = [f"| {k} | {statistics.mean(v['folds']):.2%} ± {statistics.stdev(v['folds']):.2%} | "
                f"{' / '.join(f'{x:.1%}' for x in v['folds'])} |" for k, v in res.items()]
        folds = ("Leave-participants-out cross-validation of the same recipe and the alternatives "
                 "(`benchmarks/islr_cv.py`, `docs/islr_cv.md`; 7 folds of 3 participants, 24 test sequences each):\n\n"
                 "| model | top-1, mean ± std | per fold |\n|---|---|---|\n" + "\n".join(rows) + "\n")
    return f"""# Model card: `islr_signs`

**What**: two isolated American Sign Language signs, `hello` and `thankyou`, from the whole body:
MediaPipe Holistic landmarks in signkit's `sign_body57` layout (upper body 11, both hands 42, mouth
4). A masked 2-layer GRU (`gru`, {m['parameters']:,} parameters) over every frame of a sign,
trained with mirroring (p = 0.5, left and right joints swapped) so that left-handed signing is read.
`signkit live islr_signs --source 0` runs it on a camera (MediaPipe Holistic in tracking mode,
sliding windows, a gloss when its probability stays above the threshold); `signkit predict
islr_signs clip.mp4` or a competition `.parquet` classifies one clip.

**Data**: `../shared/data/islr_asl_signs`, real files of Google's Isolated Sign Language Recognition
competition (Kaggle `asl-signs`, 2023): 168 sequences of 21 Deaf signers filmed with phones, 4 per
signer and sign, in the competition's layout (dataset `islr`, recipe `configs/islr/gru.yaml`,
{ISLR_EPOCHS} epochs). x, y are normalised by the image size, as in the competition files; live and
video input in pixels is converted the same way (the checkpoint records `space: normalised`).

**Shipped checkpoint**: trained on 18 participants (fold 0; 10 % of their sequences per sign held
out for model selection) and tested on the 3 it never saw (participants 2044, 4718, 16069): top-1
{m['top1']:.2%} on {m['n']} sequences.

{folds}
**Data licence**: the competition's data rules (research and non-commercial use).

**Intended use**: a demonstration of whole-body isolated-sign recognition in signkit, live and on
files, and a starting point for training on the full competition data (250 signs; point
`data.options.path` at it). **Limits**: a vocabulary of two signs, so any other signing is read as
one of them unless the rejection threshold holds it back (see `docs/live_signs.md`: out-of-vocabulary
rejection is not solved); phone videos of one competition; short sequences (2-48 frames).

Trained by `.venv/bin/python scripts/train_pretrained.py --only islr_signs` on {machine()} in
{seconds:.0f} s, {time.strftime('%Y-%m-%d')}.
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", action="store_true", help="also the held-out-people figures of the model card")
    ap.add_argument("--only", choices=["asl_fingerspelling", "tsl_digits", "islr_signs"], default=None)
    ap.add_argument("--runs", default=str(ROOT / "runs" / "pretrained"))
    a = ap.parse_args()
    runs = Path(a.runs)
    PRE.mkdir(parents=True, exist_ok=True)
    if a.only in (None, "islr_signs"):
        t0 = time.time()
        d = _train(runs, [f"train.epochs={ISLR_EPOCHS}"], ISLR)
        ship(d["checkpoint"], "islr_signs")
        (PRE / "islr_signs.md").write_text(islr_card(d, time.time() - t0), encoding="utf-8")
        print(f"wrote {PRE / 'islr_signs.safetensors'} (top-1 {d['top1']:.4f} on held-out participants)")
        if a.only:
            return
    if a.only in (None, "tsl_digits"):
        t0 = time.time()
        d = _train(runs, ["data.augment.mirror=0.5"], DIGITS)
        ship(d["checkpoint"], "tsl_digits")
        (PRE / "tsl_digits.md").write_text(digits_card(d, time.time() - t0), encoding="utf-8")
        print(f"wrote {PRE / 'tsl_digits.safetensors'} (top-1 {d['top1']:.4f})")
        if a.only:
            return
    t0 = time.time()
    shipped = _train(runs, ["data.options.hold_out=none"])
    fold = folds(runs) if a.folds else None
    ship(shipped["checkpoint"], "asl_fingerspelling")
    (PRE / "asl_fingerspelling.md").write_text(card(shipped, fold, time.time() - t0), encoding="utf-8")
    if fold:
        rel = {k: {f: _relative(v) for f, v in d.items()} for k, d in fold.items()}
        (ROOT / "docs" / "pretrained_folds.json").write_text(json.dumps({"shipped": _relative(shipped), **rel}, indent=1))
    print(f"wrote {PRE / 'asl_fingerspelling.safetensors'} (top-1 {shipped['top1']:.4f} on SILFA's second halves)")


if __name__ == "__main__":
    sys.exit(main())
