"""The ``signkit`` command line: a thin layer over :mod:`signkit.api`."""

from __future__ import annotations

import json
import os
import sys
from typing import List, Optional

os.environ.setdefault("GLOG_minloglevel", "2")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from .errors import SignkitError  # noqa: E402

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="signkit: train, evaluate and run sign-language recognisers on real data.")
console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(e: Exception) -> None:
    err.print(f"[bold red]error:[/] {e}")
    raise typer.Exit(2)


def _print_metrics(m: dict, title: str) -> None:
    t = Table(title=title)
    for col in ("n", "top-1", "top-5", "mean class acc."):
        t.add_column(col, justify="right")
    t.add_row(str(m["n"]), f"{m['top1']:.2%}", f"{m['top5']:.2%}", f"{m['mean_class_accuracy']:.2%}")
    console.print(t)


@app.command()
def train(args: Optional[List[str]] = typer.Argument(
        None, help="[CONFIG.yaml] [key=value ...]; no CONFIG = the main job (tcn on FPHA, official split)")):
    """Train a model, evaluate it on the test split, write checkpoint, metrics and plots."""
    from . import api

    args = list(args or [])
    config = args.pop(0) if args and "=" not in args[0] else None
    try:
        result = api.train(config, args)
    except SignkitError as e:
        _fail(e)
    if result is None:  # a DDP worker process
        return
    m = result["metrics"]
    _print_metrics(m, f"{m['dataset']} test ({m['split']} split), best epoch {m['best_epoch']}/{m['epochs']}")
    console.print(f"test top-1: {m['top1']:.4f}")
    console.print(f"checkpoint: {result['checkpoint']}")
    console.print(f"confusion matrix: {result['confusion_matrix_png']} ({result['confusion_matrix_csv']})")
    console.print(f"training curves: {result['training_curves_png']}; per-epoch CSV: {result['epoch_csv']}")


@app.command()
def evaluate(checkpoint: str, split: str = typer.Option("test", help="split of the checkpoint's dataset"),
             data_root: Optional[str] = typer.Option(None, help="data root (default $SIGNKIT_DATA or ../shared/data)"),
             out: Optional[str] = typer.Option(None, help="folder for metrics JSON and confusion matrix"),
             as_json: bool = typer.Option(False, "--json", help="print metrics as JSON")):
    """Evaluate a checkpoint on its dataset with its own preprocessing."""
    from . import api

    try:
        m = api.evaluate(checkpoint, split, data_root, out)
    except SignkitError as e:
        _fail(e)
    if as_json:
        console.print_json(json.dumps({k: v for k, v in m.items() if k not in ("confusion_matrix", "per_class")}))
        return
    _print_metrics(m, f"{m['dataset']} {split}")
    console.print(f"{split} top-1: {m['top1']:.4f}")


@app.command()
def predict(checkpoint: str, file: str, top_k: int = typer.Option(5, "--top-k", min=1),
            as_json: bool = typer.Option(False, "--json")):
    """Predict glosses for a keypoint file (skeleton.txt, .npz, .pose, .parquet) or a video (extracted
    with the checkpoint's layout)."""
    from . import api

    try:
        top = api.predict(checkpoint, file, top_k)
    except SignkitError as e:
        _fail(e)
    if as_json:
        console.print_json(json.dumps([{"gloss": g, "probability": p} for g, p in top]))
        return
    t = Table(title=file)
    t.add_column("rank", justify="right"); t.add_column("gloss"); t.add_column("probability", justify="right")
    for i, (g, p) in enumerate(top, 1):
        t.add_row(str(i), g, f"{p:.4f}")
    console.print(t)


@app.command()
def extract(inputs: List[str] = typer.Argument(..., help="video files, folders (recursive) or globs"),
            out: str = typer.Option(..., "--out", help="output folder (relative layout kept)"),
            layout: str = typer.Option("hands", help="hands | holistic | pose"),
            fmt: str = typer.Option("pose", "--format", help="pose (pose-format) | npz"),
            workers: int = typer.Option(1, help="worker processes"),
            mirrored: bool = typer.Option(False, help="selfie footage: keep MediaPipe's handedness labels"),
            complexity: int = typer.Option(1, help="MediaPipe model complexity 0 or 1")):
    """Extract MediaPipe keypoints from videos into .pose/.npz files (resumable; failures listed at the end)."""
    from .video import extract_batch

    try:
        r = extract_batch(inputs, out, layout, fmt, workers, complexity, mirrored, progress=True)
    except SignkitError as e:
        _fail(e)
    console.print(f"extracted {len(r['done'])} video(s), {r['frames']} frames in {r['seconds']:.1f} s "
                  f"({r['fps']:.1f} frames/s); skipped {len(r['skipped'])} already done; failed {len(r['failed'])}")
    if r["failed"]:
        err.print(f"[bold red]{len(r['failed'])} video(s) failed:[/]")
        for f in r["failed"]:
            err.print(f"  {f['video']}: {f['reason']}")
        raise typer.Exit(1)


@app.command()
def show(file: str = typer.Argument(..., help="keypoints: .pose, .npz, .parquet or skeleton.txt"),
         out: str = typer.Option(..., "--out", help="overlay.png (2x2 sheet) | .gif | .mp4"),
         video: Optional[str] = typer.Option(None, help="draw over this video (same frames)"),
         layout: Optional[str] = typer.Option(None, help="layout to read the file into (default: auto)")):
    """Draw a keypoint file over its video (or alone) to check extraction quality."""
    from .api import read_keypoints
    from .video.overlay import detected_frames, render_frames, save_overlay

    try:
        seq = read_keypoints(file, layout)
        path = save_overlay(render_frames(seq, video), out, fps=seq.fps or 25.0,
                            sheet_frames=detected_frames(seq))
    except SignkitError as e:
        _fail(e)
    console.print(f"wrote {path}")


def _name_table(title: str, entries: dict[str, str]) -> None:
    t = Table(title=title)
    t.add_column("name")
    t.add_column("description")
    for k, v in entries.items():
        t.add_row(k, v)
    console.print(t)


@app.command()
def models():
    """List the registered models."""
    from .models import list_models

    _name_table("models", list_models())


@app.command()
def datasets():
    """List the registered datasets."""
    from .data import list_datasets

    _name_table("datasets", list_datasets())


def main() -> None:
    try:
        app()
    except SignkitError as e:  # pragma: no cover - commands catch their own
        err.print(f"[bold red]error:[/] {e}")
        sys.exit(2)


if __name__ == "__main__":
    main()
