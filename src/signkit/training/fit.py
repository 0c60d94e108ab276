"""Train a model from a :class:`~signkit.config.Config` with Lightning, then evaluate on the test split."""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import RichProgressBar
from lightning.pytorch.loggers import CSVLogger
from torch.utils.data import DataLoader

from ..checkpoint import save_checkpoint
from ..config import Config, dump_yaml
from ..data import holdout_split, kfold_assignment
from ..errors import ConfigError, SignkitError
from ..evaluation import classification_metrics, plot_training_curves, predict_logits, write_report
from ..kinds import InputKind, InputSpec, kind_of, open_config_dataset
from ..storage import atomic_write_text, ensure_dir
from .callbacks import BestWeights, EpochSeed, EpochTimer, LineProgress
from .module import SignClassifier, balanced_class_weights

RUN_DIR_ENV = "SIGNKIT_RUN_DIR"  # shared by DDP worker processes, which re-run the same command


def verbose_libraries() -> bool:
    """Whether third-party log output is wanted (``signkit --verbose`` sets ``SIGNKIT_VERBOSE=1``)."""
    return os.environ.get("SIGNKIT_VERBOSE", "") not in ("", "0")


def quiet_lightning() -> None:
    """Silence Lightning's information lines (devices found, tips, "fit stopped") unless verbose; the
    line naming each DDP process is kept."""
    import logging

    if not verbose_libraries():
        for name in ("lightning.pytorch", "lightning.fabric", "pytorch_lightning", "lightning_fabric"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # kept: the line naming each DDP process ("Initializing distributed: GLOBAL_RANK: 0, MEMBER: 1/2")
        logging.getLogger("lightning.fabric.utilities.distributed").setLevel(logging.INFO)


def make_run_dir(cfg: Config) -> Path:
    """``<output_dir>/<name>/<YYYYmmdd-HHMMSS>[-<n>]``, a new folder: runs of one config started in
    the same second (e.g. seeds in parallel) each claim their own, since ``mkdir`` itself is the
    claim. DDP children reuse the parent's folder.

    Raises:
        FileExistsError: 1000 folders of this name and second already exist.
    """
    if os.environ.get(RUN_DIR_ENV) and os.environ.get("LOCAL_RANK", "0") != "0":
        return Path(os.environ[RUN_DIR_ENV])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    parent = Path(cfg.output_dir) / cfg.name
    ensure_dir(parent)
    for n in range(1000):
        run = parent / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            run.mkdir()
        except FileExistsError:
            continue
        os.environ[RUN_DIR_ENV] = str(run.resolve())
        return run
    raise FileExistsError(f"{parent}: 1000 run folders named {stamp}[-n] already exist")


def _progress_callbacks(mode: str) -> tuple[list, bool]:
    if mode == "auto":
        mode = "rich" if sys.stdout.isatty() else "lines"
    if mode == "rich":
        return [RichProgressBar()], True
    if mode == "lines":
        return [LineProgress()], False
    return [], False


def _space(ds) -> str | None:
    """The coordinate space of a keypoint dataset's sequences (None for other kinds)."""
    s = ds.samples[0] if len(ds.samples) else None
    seq = getattr(s, "sequence", None)
    return getattr(seq, "space", None)


@dataclass
class PreparedData:
    """The splits of a run, with transforms applied: ``train_full`` (the whole training split, eval
    transform, in file order), ``train`` (minus the hold-out and, with ``data.folds``, minus the
    left-out fold; augmenting), ``val`` (or None), ``test``;
    the input ``kind`` and ``spec`` (what the model takes)."""

    train_full: object
    train: object
    val: object | None
    test: object
    vocabulary: list[str]
    kind: InputKind
    spec: InputSpec
    n_val: int

    @property
    def layout(self) -> str:
        """The input's one-word name (``meta["layout"]``)."""
        return self.spec.name

    @property
    def collate(self) -> Callable:
        return self.kind.collate


def prepare_data(cfg: Config) -> PreparedData:
    """Load the dataset of ``cfg.data``, split off the validation hold-out, attach transforms.

    Raises:
        DataRootError / UnknownNameError / ConfigError: see :func:`signkit.kinds.open_dataset`; also an
        augmentation key the input kind does not know.
    """
    d, t = cfg.data, cfg.train
    train_full = open_config_dataset(cfg, "train")
    test = open_config_dataset(cfg, "test")
    for part, ds in (("train", train_full), ("test", test)):
        if len(ds) == 0:
            raise SignkitError(f"dataset {d.name!r} has an empty {part} split ({ds.info.get('split', 'no split info')}); "
                               f"expected at least one sample")
    kind = kind_of(train_full)
    prep = d.preprocessing()
    train_tf, eval_tf = kind.transforms(prep, kind.augment(d)), kind.transforms(prep, None)
    base = np.arange(len(train_full))
    if d.folds >= 2:  # out-of-fold training: fold ``d.fold`` of the training split is never seen
        base = np.flatnonzero(kfold_assignment(train_full.labels, d.folds) != d.fold)
    if d.val_fraction > 0:
        keep, held = holdout_split(np.asarray(train_full.labels)[base], d.val_fraction, t.seed)
        keep, held = base[keep], base[held]
    else:
        keep, held = base, np.array([], dtype=int)
    train_ds = train_full.subset(keep.tolist(), "train").with_transform(train_tf)
    train_ds.seed = t.seed
    val_ds = train_full.subset(held.tolist(), "val").with_transform(eval_tf) if len(held) else None
    return PreparedData(train_full.with_transform(eval_tf), train_ds, val_ds, test.with_transform(eval_tf),
                        train_full.vocabulary, kind, kind.spec(train_full, d), len(held))


def fit(cfg: Config, verbose: bool = True, model: torch.nn.Module | None = None,
        module_fn: Callable[[torch.nn.Module, PreparedData], L.LightningModule] | None = None,
        finalize: Callable[[torch.nn.Module], None] | None = None, extra_metrics: dict | None = None) -> dict | None:
    """Train, select the best epoch on the validation hold-out, evaluate on the test split, and write
    ``model.safetensors``, ``metrics.csv`` (per epoch), ``training_curves.png``, ``test_metrics.json``,
    ``test_confusion_matrix.{csv,png}`` and ``config.yaml`` into the run folder.

    Hooks (used by distillation and pruning): ``model`` replaces ``create_model(cfg.model)``;
    ``module_fn(model, data)`` builds the LightningModule instead of :class:`SignClassifier`;
    ``finalize(model)`` runs on the best weights before the test evaluation and saving.

    Returns the result dict on the main process (``None`` on other DDP ranks).
    """
    d, t = cfg.data, cfg.train
    L.seed_everything(t.seed, workers=True, verbose=False)
    torch.set_num_threads(max(1, torch.get_num_threads() // max(1, t.devices if t.accelerator == "cpu" else 1)))
    if t.epochs < 1:
        raise ConfigError(f"train.epochs must be at least 1; found {t.epochs}")
    data = prepare_data(cfg)
    vocab, collate_fn = data.vocabulary, data.collate
    train_ds, val_ds, test_ds = data.train, data.val, data.test

    if model is None:
        m = cfg.model
        model = data.kind.create_model(m.name, len(vocab), data.spec, m.args, m.pretrained, m.checkpoint_path)
    n_params = sum(p.numel() for p in model.parameters())
    if t.class_weights not in ("none", "balanced"):
        raise SignkitError(f"train.class_weights must be 'none' or 'balanced'; found {t.class_weights!r}")
    if module_fn is not None:
        module = module_fn(model, data)
    else:
        weight = balanced_class_weights(train_ds.labels, len(vocab)) if t.class_weights == "balanced" else None
        module = SignClassifier(model, len(vocab), t.optimizer, t.lr, t.weight_decay, t.schedule, t.epochs,
                                t.label_smoothing, class_weight=weight, warmup_epochs=t.warmup_epochs,
                                mixup=t.mixup, ema=t.ema)
    run_dir = make_run_dir(cfg)
    rank0 = os.environ.get("LOCAL_RANK", "0") == "0"
    if verbose and rank0:
        print(f"signkit: {cfg.model.name} ({n_params:,} parameters) on {train_ds.summary()}; "
              f"val {data.n_val}; {test_ds.summary()}", flush=True)
        print(f"signkit: run folder {run_dir}", flush=True)

    loader_kw = dict(collate_fn=collate_fn, num_workers=t.num_workers, persistent_workers=t.num_workers > 0)
    train_loader = DataLoader(train_ds, batch_size=t.batch_size, shuffle=True, drop_last=len(train_ds) > t.batch_size,
                              **loader_kw)
    val_loader = DataLoader(val_ds, batch_size=64, **loader_kw) if val_ds is not None else None
    best = BestWeights()
    quiet_lightning()
    progress, bar = _progress_callbacks(t.progress if verbose else "none")
    trainer = L.Trainer(
        max_epochs=t.epochs, accelerator=t.accelerator, devices=t.devices, strategy=t.strategy,
        precision=t.precision, logger=CSVLogger(str(run_dir), name="", version=""),
        callbacks=[best, EpochTimer(), EpochSeed(train_ds), *progress], enable_checkpointing=False,
        enable_model_summary=False, enable_progress_bar=bar, num_sanity_val_steps=0, log_every_n_steps=1,
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*sync_dist=True.*")
        if not verbose_libraries():
            warnings.simplefilter("ignore")  # Lightning's and torch's advice; SIGNKIT_VERBOSE=1 shows it
        trainer.fit(module, train_loader, val_loader)
    train_seconds = time.perf_counter() - t0
    is_global_zero = trainer.is_global_zero
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        # Every rank closes the process group once communication is over (PyTorch's "Shutdown" advice): a gloo
        # group left to interpreter exit can abort a rank ("terminate called without an active exception").
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    if not is_global_zero:
        return None

    model = module.model.cpu()
    if best.state is not None:
        model.load_state_dict(best.state)
    elif getattr(module, "ema", None) is not None:  # no validation split: the final moving average
        model.load_state_dict(module.eval_model.cpu().state_dict())
    if finalize is not None:
        finalize(model)
    logits, labels = predict_logits(model, test_ds, collate_fn=collate_fn)
    metrics = classification_metrics(logits, labels, vocab)
    summary = {k: metrics[k] for k in ("n", "top1", "top5", "mean_class_accuracy")}
    summary.update(best_epoch=best.epoch + 1 if best.state is not None else t.epochs, epochs=t.epochs,
                   train_seconds=round(train_seconds, 1), parameters=n_params, dataset=d.name, split="test",
                   **(extra_metrics or {}))
    if "no_hand" in test_ds.info:  # landmark view: images without a hand are left out of ``n`` and counted here
        n_img = test_ds.info.get("images", summary["n"])
        summary.update(test_images=n_img, test_no_hand=len(test_ds.info["no_hand"]),
                       top1_all_images=metrics["top1"] * summary["n"] / max(1, n_img))
    ckpt = save_checkpoint(run_dir / "model.safetensors", model, model_name=cfg.model.name, model_args=cfg.model.args,
                           vocabulary=vocab, spec=data.spec, preprocessing=d.preprocessing(),
                           config=cfg.to_dict(), metrics=summary, space=_space(train_ds))
    paths = write_report({**metrics, **summary}, vocab, run_dir, "test",
                         title=f"{cfg.name}: test top-1 {metrics['top1']:.2%}")
    atomic_write_text(run_dir / "config.yaml", dump_yaml(cfg.to_dict()))
    csv = run_dir / "metrics.csv"
    curves = plot_training_curves(csv, run_dir / "training_curves.png") if csv.exists() else None
    result = {"run_dir": str(run_dir), "checkpoint": str(ckpt), "metrics": summary,
              "confusion_matrix_png": str(paths["confusion_png"]), "confusion_matrix_csv": str(paths["confusion_csv"]),
              "training_curves_png": str(curves) if curves else None, "epoch_csv": str(csv)}
    atomic_write_text(run_dir / "result.json", json.dumps(result, indent=2))
    return result
