"""The ``signkit`` command line: a thin layer over :mod:`signkit.api`. Each command parses its
arguments, calls one ``api`` function and prints the result; every :class:`~signkit.errors.SignkitError`
is printed as one line by :func:`main` (exit status 2). ``api`` is imported inside the commands, so
``signkit --help`` does not load torch."""

from __future__ import annotations

import glob
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

os.environ.setdefault("GLOG_minloglevel", "2")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="signkit: train, evaluate and run sign-language recognisers on real data.")
# markup off: paths, glosses and messages are untrusted text and are never parsed as rich markup
console = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


@app.callback()
def _options(verbose: bool = typer.Option(False, "--verbose", help="show third-party log output (Lightning, "
                                                                 "MediaPipe)")):
    """signkit: train, evaluate and run sign-language recognisers on real data."""
    if verbose:
        os.environ["SIGNKIT_VERBOSE"] = "1"
    else:
        _api().quiet_native_logs()


def _api():
    from . import api

    return api


def _clean(s) -> str:
    """Untrusted text (paths, glosses, messages) with control characters (terminal escape codes)
    shown as escapes."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(s))


def _t(s) -> Text:
    """Untrusted text for rich: never parsed as markup."""
    return Text(_clean(s))


def _say(s: str) -> None:
    console.print(_clean(s))


def _json(obj) -> None:
    """Print strict JSON (no NaN or Infinity); a non-finite number is an error, not invalid JSON."""
    try:
        text = json.dumps(obj, allow_nan=False, indent=2)
    except ValueError:
        err.print(Text.assemble(("error: ", "bold red"), "the result holds a non-finite number (NaN or infinity); "
                                "expected finite values (check the input for non-finite coordinates)"))
        raise typer.Exit(2)
    print(text, flush=True)  # plain: strict JSON, control characters escaped by json


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
    api = _api()
    result = api.train(*api.split_config_args(args))
    if result is None:  # a DDP worker process
        return
    m = result["metrics"]
    _print_metrics(m, f"{m['dataset']} test ({m['split']} split), best epoch {m['best_epoch']}/{m['epochs']}")
    _say(f"test top-1: {m['top1']:.4f}")
    _say(f"checkpoint: {result['checkpoint']}")
    _say(f"confusion matrix: {result['confusion_matrix_png']} ({result['confusion_matrix_csv']})")
    _say(f"training curves: {result['training_curves_png']}; per-epoch CSV: {result['epoch_csv']}")


@app.command()
def evaluate(checkpoint: str, split: str = typer.Option("test", help="split of the checkpoint's dataset"),
             data_root: Optional[str] = typer.Option(None, help="data root (default $SIGNKIT_DATA or ../shared/data)"),
             out: Optional[str] = typer.Option(None, help="folder for metrics JSON and confusion matrix"),
             as_json: bool = typer.Option(False, "--json", help="print metrics as JSON"),
             overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file"),
             ensemble: Optional[list[str]] = typer.Option(None, "--ensemble",
                                                          help="more checkpoints: evaluate the ensemble"),
             average: str = typer.Option("logits", "--average",
                                         help="ensemble: mean of the members' logits, or of their probabilities (probs)"),
             tta: int = typer.Option(0, "--tta", min=0, max=64,
                                     help="test-time augmentation: average in N views augmented as in training")):
    """Evaluate a checkpoint on its dataset with its own preprocessing (with --ensemble, the ensemble)."""
    if ensemble:
        if tta:
            raise typer.BadParameter("--tta evaluates one checkpoint; not available with --ensemble")
        if out is not None:
            raise typer.BadParameter("--out writes one checkpoint's report; not available with --ensemble")
        m = _api().evaluate_ensemble([checkpoint, *ensemble], split, data_root, average)
        if not as_json:
            _say("members' top-1: " + ", ".join(f"{x:.4f}" for x in m["members"]))
    else:
        if average != "logits":
            raise typer.BadParameter("--average combines the members of an ensemble; give --ensemble CKPT2 ...")
        m = _api().evaluate(checkpoint, split, data_root, out, overwrite, tta)
    if as_json:
        _json({k: v for k, v in m.items() if k not in ("confusion_matrix", "per_class")})
        return
    _print_metrics(m, f"{m['dataset']} {split}")
    _say(f"{split} top-1: {m['top1']:.4f}")


@app.command()
def predict(checkpoint: str = typer.Argument(..., help="checkpoint, ONNX file or pretrained name"),
            files: List[str] = typer.Argument(..., help="input files, folders (walked) or globs: keypoint files "
                                                        "(skeleton.txt, .npz, .pose, .parquet), images or videos"),
            top_k: int = typer.Option(5, "--top-k", min=1),
            as_json: bool = typer.Option(False, "--json")):
    """Predict glosses for keypoint files (skeleton.txt, .npz, .pose, .parquet), images or videos
    (extracted with the checkpoint's layout); with several inputs, a folder or a glob, one row per
    input and the failures listed at the end (the rest are still done)."""
    one = files[0]
    if len(files) == 1 and not Path(one).is_dir() and (Path(one).exists() or not glob.glob(one, recursive=True)):
        # one file (or one that is missing, with its error): its top-k
        top = _api().predict(checkpoint, one, top_k)
        if as_json:
            _json([{"gloss": g, "probability": p} for g, p in top])
            return
        t = Table(title=_t(one))
        t.add_column("rank", justify="right"); t.add_column("gloss"); t.add_column("probability", justify="right")
        for i, (g, p) in enumerate(top, 1):
            t.add_row(str(i), _t(g), f"{p:.4f}")
        console.print(t)
        return
    r = _api().predict_files(checkpoint, files, top_k, progress=not as_json)
    if as_json:
        _json(r)
    else:
        t = Table(title=_t(f"{len(r['predictions'])} input(s) in {r['seconds']:.1f} s"))
        t.add_column("file", overflow="fold", ratio=3); t.add_column("gloss", overflow="fold", ratio=1)
        t.add_column("probability", justify="right", no_wrap=True)
        if top_k > 1:
            t.add_column("next", overflow="fold", ratio=2)
        for p in r["predictions"]:
            (g, q), rest = (p["top"][0]["gloss"], p["top"][0]["probability"]), p["top"][1:]
            nxt = [_t(", ".join(f"{x['gloss']} {x['probability']:.2f}" for x in rest))] if top_k > 1 else []
            t.add_row(_t(p["file"]), _t(g), f"{q:.4f}", *nxt)
        console.print(t)
    if r["failed"]:
        err.print(Text(f"{len(r['failed'])} input(s) failed:", style="bold red"))
        for f in r["failed"]:
            err.print(_t(f"  {f['file']}: {f['reason']}"))
        raise typer.Exit(1)
    if not r["predictions"]:
        err.print(Text.assemble(("error: ", "bold red"), _t(f"no inputs found in {files}; expected keypoint files, "
                                                             f"images or videos of the checkpoint's kind")))
        raise typer.Exit(1)


@app.command()
def spell(checkpoint: str = typer.Argument(..., help="hand-shape checkpoint: an image or landmark model"),
          video: str = typer.Argument(..., help="fingerspelling video (mp4, ...)"),
          smooth: float = typer.Option(0.3, help="moving-average window (s)"),
          min_letter: float = typer.Option(0.3, "--min-letter", help="shortest held letter (s); shorter runs are glitches"),
          min_gap: float = typer.Option(0.2, "--min-gap", help="shortest 'nothing' gap (s) that splits a double letter"),
          min_confidence: float = typer.Option(0.4, "--min-confidence", help="smallest probability for a frame to count"),
          as_json: bool = typer.Option(False, "--json", help="print text and letters as JSON")):
    """Spell a fingerspelling video: a hand-shape model on every frame, smoothed, held letters
    segmented, repeats collapsed, 'no hand' stretches dropped; prints the text with per-letter times."""
    sp = _api().spell(checkpoint, video, smooth, min_letter, min_gap, min_confidence)
    if as_json:
        _json(sp.to_dict())
        return
    t = Table(title=_t(f"{video}: {sp.text or '(nothing spelled)'}"))
    for c in ("letter", "start (s)", "end (s)", "confidence"):
        t.add_column(c, justify="right" if c != "letter" else "left")
    for x in sp.letters:
        t.add_row(_t(x.letter), f"{x.start_s:.2f}", f"{x.end_s:.2f}", f"{x.confidence:.3f}")
    console.print(t)
    console.print(_t(f"text: {sp.text}"))


@app.command()
def live(checkpoint: str = typer.Argument("asl_fingerspelling", help="checkpoint, ONNX file or pretrained name "
                                          "(default: the shipped fingerspelling model)"),
         source: str = typer.Option("0", "--source", help="webcam index (0), URL (rtsp://, http://) or video file"),
         realtime: bool = typer.Option(False, "--realtime", help="play a file at its own frame rate, as a camera "
                                       "would deliver it (frames dropped when processing falls behind)"),
         show: bool = typer.Option(False, "--show", help="show a window when a display exists (q quits)"),
         out: Optional[str] = typer.Option(None, "--out", help="write the annotated stream (.mp4 or .gif)"),
         overwrite: bool = typer.Option(False, "--overwrite", help="let --out replace an existing file"),
         as_json: bool = typer.Option(False, "--json", help="events as JSON lines, then a JSON summary"),
         no_filter: bool = typer.Option(False, "--no-filter", help="turn the One Euro landmark filter off"),
         min_cutoff: float = typer.Option(1.5, "--min-cutoff", help="One Euro filter: cut-off at rest (Hz)"),
         beta: float = typer.Option(0.01, "--beta", help="One Euro filter: speed coefficient (per pixel)"),
         threshold: float = typer.Option(0.6, "--threshold", help="isolated signs: rejection threshold"),
         window: float = typer.Option(2.0, "--window", help="isolated signs: window (s)"),
         hop: float = typer.Option(0.25, "--hop", help="isolated signs: hop (s)"),
         consecutive: int = typer.Option(2, "--consecutive", min=1, max=100,
                                         help="isolated signs: windows in a row that must agree before a gloss is emitted"),
         timeout: float = typer.Option(10.0, "--timeout", help="seconds to wait for a URL to answer"),
         max_frames: Optional[int] = typer.Option(None, "--max-frames", help="stop after so many frames"),
         mirrored: bool = typer.Option(False, help="selfie view: keep MediaPipe's handedness labels"),
         runtime: str = typer.Option("auto", "--runtime", help="what runs a torch checkpoint's model: auto (ONNX "
                                     "Runtime for hand shapes, torch for sign windows), onnx or torch")):
    """Recognise signing as it happens: letters (hand-shape checkpoints) or isolated signs (keypoint
    checkpoints) from a webcam, a stream or a video file; prints each event as it is emitted and the
    latency per stage at the end."""
    def emit(e) -> None:
        if as_json:
            print(json.dumps(e.to_dict(), allow_nan=False), flush=True)
        else:
            console.print(_t(f"{e.emitted_s:7.2f} s  {e.kind} {e.label}  ({e.start_s:.2f}-{e.end_s:.2f} s, "
                             f"confidence {e.confidence:.2f})"))

    src = int(source) if source.isdigit() and len(source) <= 3 else source
    r = _api().live(checkpoint, src, realtime=realtime, overlay=out, overwrite=overwrite, show=show, on_event=emit,
                    filter=not no_filter, min_cutoff=min_cutoff, beta=beta, threshold=threshold, window_s=window,
                    hop_s=hop, consecutive=consecutive, timeout_s=timeout, max_frames=max_frames, mirrored=mirrored, runtime=runtime)
    if as_json:
        d = r.to_dict()
        d.pop("events")
        _json(d)
        return
    t = Table(title=_t(f"live: {r.text or '(nothing recognised)'}"))
    for c in ("stage", "p50 (ms)", "p95 (ms)", "mean (ms)"):
        t.add_column(c, justify="right" if c != "stage" else "left")
    for k, v in r.latency["stages"].items():
        t.add_row(k, f"{v['p50_ms']:.2f}", f"{v['p95_ms']:.2f}", f"{v['mean_ms']:.2f}")
    console.print(t)
    lat = r.latency
    console.print(_t(f"text: {r.text}"))
    console.print(_t(f"frames {lat['frames']}, dropped {lat['dropped']}, {lat['fps']:.1f} frames/s "
                     f"sustained over {lat['wall_s']:.1f} s; model run by {r.source.get('runtime')}"
                     + (f"; overlay {r.overlay}" if r.overlay else "")))
    if r.source.get("error"):
        err.print(Text.assemble(("warning: ", "bold yellow"), _clean(r.source["error"])))


@app.command()
def pretrained():
    """List the pretrained models shipped inside the package (each takes the place of a checkpoint)."""
    _name_table("pretrained models", _api().list_pretrained())


@app.command()
def extract(inputs: List[str] = typer.Argument(..., help="video files, folders (recursive) or globs"),
            out: str = typer.Option(..., "--out", help="output folder (relative layout kept)"),
            layout: str = typer.Option("hands", help="hands | holistic | pose"),
            fmt: str = typer.Option("pose", "--format", help="pose (pose-format) | npz"),
            workers: int = typer.Option(1, help="worker processes"),
            mirrored: bool = typer.Option(False, help="selfie footage: keep MediaPipe's handedness labels"),
            complexity: int = typer.Option(1, help="MediaPipe model complexity 0 or 1")):
    """Extract MediaPipe keypoints from videos into .pose/.npz files (resumable; failures listed at the end)."""
    r = _api().extract(inputs, out, layout, fmt, workers, complexity, mirrored, progress=True)
    _say(f"extracted {len(r['done'])} video(s), {r['frames']} frames in {r['seconds']:.1f} s "
                  f"({r['fps']:.1f} frames/s); skipped {len(r['skipped'])} already done; failed {len(r['failed'])}")
    if r["failed"]:
        err.print(Text(f"{len(r['failed'])} video(s) failed:", style="bold red"))
        for f in r["failed"]:
            err.print(_t(f"  {f['video']}: {f['reason']}"))
        raise typer.Exit(1)


@app.command()
def show(file: str = typer.Argument(..., help="keypoints: .pose, .npz, .parquet or skeleton.txt"),
         out: str = typer.Option(..., "--out", help="overlay.png (2x2 sheet) | .gif | .mp4"),
         video: Optional[str] = typer.Option(None, help="draw over this video (same frames)"),
         layout: Optional[str] = typer.Option(None, help="layout to read the file into (default: auto)"),
         overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file")):
    """Draw a keypoint file over its video (or alone) to check extraction quality."""
    path = _api().show(file, out, video, layout, overwrite)
    _say(f"wrote {path}")


@app.command()
def distill(teacher: str = typer.Argument(..., help="teacher checkpoint (.safetensors)"),
            args: Optional[List[str]] = typer.Argument(None, help="STUDENT_CONFIG.yaml [key=value ...]"),
            temperature: float = typer.Option(4.0, "--temperature", "-T", help="softmax temperature T"),
            alpha: float = typer.Option(0.9, help="weight of the distillation term (1 - alpha: cross-entropy)"),
            mode: str = typer.Option("consistent", help="consistent: the teacher sees the student's augmented batch; "
                                                        "cached: teacher logits computed once, un-augmented"),
            ensemble: Optional[List[str]] = typer.Option(None, "--ensemble", help="more teacher checkpoints (mean logits; teachers trained with "
                                                                          "data.folds=K data.fold=k: each sample taught by "
                                                                          "the one that left it out)"),
            teacher_bf16: bool = typer.Option(False, "--teacher-bf16", help="run the teacher in bfloat16")):
    """Train a student with a teacher's soft targets (Hinton et al. 2015; consistent teacher as in Beyer
    et al. 2022)."""
    api = _api()
    config, overrides = api.split_config_args(args)
    teachers = [teacher, *ensemble] if ensemble else teacher
    result = api.distill(teachers, config, overrides, temperature, alpha, mode=mode, teacher_bf16=teacher_bf16)
    if result is None:
        return
    m = result["metrics"]
    _print_metrics(m, f"student {m['dataset']} test, best epoch {m['best_epoch']}/{m['epochs']} ({mode}, "
                      f"T={temperature}, alpha={alpha})")
    _say(f"test top-1: {m['top1']:.4f}")
    _say(f"checkpoint: {result['checkpoint']}")


@app.command()
def prune(checkpoint: str,
          threshold: Optional[float] = typer.Option(None, help="zero every weight with |w| <= threshold"),
          sparsity: Optional[float] = typer.Option(None, help="fraction of weights to zero (global L1), e.g. 0.8"),
          finetune: int = typer.Option(0, help="epochs of fine-tuning with the pruning masks on"),
          lr: Optional[float] = typer.Option(None, help="fine-tuning learning rate (default: a tenth of training's)"),
          out: Optional[str] = typer.Option(None, help="output checkpoint (default <name>-pruned.safetensors)"),
          data_root: Optional[str] = typer.Option(None, help="data root (default $SIGNKIT_DATA or ../shared/data)"),
          overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file")):
    """Magnitude-prune a checkpoint (torch.nn.utils.prune, made permanent); report sparsity and test top-1."""
    r = _api().prune(checkpoint, out, sparsity=sparsity, threshold=threshold, finetune=finetune,
                     finetune_lr=lr, data_root=data_root, overwrite=overwrite)
    t = Table(title="pruned weights per layer")
    for c in ("layer", "weights", "zeros", "sparsity"):
        t.add_column(c, justify="right" if c != "layer" else "left")
    for row in r["report"]["layers"]:
        t.add_row(row["name"], f"{row['weights']:,}", f"{row['zeros']:,}", f"{row['sparsity']:.1%}")
    rep = r["report"]
    t.add_row("total", f"{rep['weights']:,}", f"{rep['zeros']:,}", f"{rep['sparsity']:.1%}")
    console.print(t)
    _say(f"test top-1 before {r['top1_before']:.4f}, after {r['top1_after']:.4f} "
                  f"({100 * (r['top1_after'] - r['top1_before']):+.2f} points); sparsity of all parameters "
                  f"{rep['all_parameters_sparsity']:.1%}")
    _say(f"wrote {r['path']}")


@app.command()
def export(checkpoint: str,
           fmt: str = typer.Option("onnx", "--format", help="onnx | torchscript"),
           fp16: bool = typer.Option(False, "--fp16", help="store weights in half precision"),
           sparse: bool = typer.Option(False, "--sparse", help="ONNX: store mostly-zero (pruned) weights sparsely"),
           int8: bool = typer.Option(False, "--int8", help="ONNX: static int8 quantization calibrated on training data"),
           out: Optional[str] = typer.Option(None, help="output file (default beside the checkpoint)"),
           overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file")):
    """Export a checkpoint to ONNX (usable by `signkit predict`) or TorchScript; prints the file size."""
    r = _api().export(checkpoint, out, fmt, fp16, sparse, int8, overwrite=overwrite)
    _say(f"wrote {r['path']}: {r['bytes'] / 1e6:.3f} MB (checkpoint {r['checkpoint_bytes'] / 1e6:.3f} MB, "
                  f"ratio {r['bytes'] / r['checkpoint_bytes']:.2f})" +
                  (f"; {r['sparse_tensors']} sparse tensor(s)" if sparse else ""))


@app.command()
def bench(checkpoint: str, batch: int = typer.Option(256, help="batch size for throughput"),
          repeats: int = typer.Option(300, help="timed batch-1 runs"),
          threads: int = typer.Option(1, help="CPU threads for PyTorch and ONNX Runtime"),
          as_json: bool = typer.Option(False, "--json")):
    """Latency at batch 1 (median, p95) and throughput, PyTorch vs ONNX Runtime, fp32 vs fp16."""
    r = _api().bench(checkpoint, batch, repeats, threads)
    if as_json:
        _json(r)
        return
    t = Table(title=f"{r['model']} ({r['parameters']:,} parameters), input {r['input_shape']}, {threads} thread(s); "
                    f"{r['machine']}")
    for c in ("runtime", "precision", "latency ms (median)", "p95", f"throughput /s (batch {batch})", "file MB"):
        t.add_column(c, justify="right")
    for row in r["rows"]:
        if "error" in row:
            t.add_row(row["runtime"], row["precision"], row["error"], "", "", "")
        else:
            t.add_row(row["runtime"], row["precision"], f"{row['latency_ms_median']:.3f}", f"{row['latency_ms_p95']:.3f}",
                      f"{row['throughput_per_s']:.0f}", f"{row['file_bytes'] / 1e6:.2f}")
    console.print(t)


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
    _name_table("models", _api().list_models())


@app.command()
def datasets():
    """List the registered datasets."""
    _name_table("datasets", _api().list_datasets())


def main() -> None:
    """Run the command line; a SignkitError (bad input, unknown name, missing data) is printed as one
    line, never as markup (file names may hold ``[...]``), with exit status 2."""
    try:
        app()
    except Exception as e:
        if not isinstance(e, _api().SignkitError):
            raise
        err.print(Text.assemble(("error: ", "bold red"), " ".join(str(e).split())))
        sys.exit(2)


if __name__ == "__main__":
    main()
