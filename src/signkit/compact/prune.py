"""Magnitude weight pruning with ``torch.nn.utils.prune``, made permanent, with optional fine-tuning.

Prunable weights are the matrices and kernels (parameters with two or more dimensions: Linear,
Conv and recurrent ``weight_ih``/``weight_hh``); biases and normalisation parameters are kept.
``sparsity`` prunes that fraction of all prunable weights by global L1 magnitude; ``threshold``
zeroes every prunable weight with ``|w| <= threshold``. Fine-tuning keeps the pruning masks on, so
pruned weights stay zero (the thesis on compact gesture models prunes, then retrains).
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from ..checkpoint import input_spec, load_checkpoint, save_checkpoint
from ..config import config_from_dict
from ..errors import SignkitError
from ..evaluation import top1
from ..storage import atomic_path, check_output


def prunable_parameters(model: nn.Module) -> list[tuple[nn.Module, str, str]]:
    """``(module, parameter name, qualified name)`` of every weight with ``dim >= 2``."""
    out = []
    for mname, mod in model.named_modules():
        for pname, p in list(mod.named_parameters(recurse=False)):
            if p.dim() >= 2 and "weight" in pname:
                out.append((mod, pname, f"{mname}.{pname}" if mname else pname))
    return out


def prune_model(model: nn.Module, *, sparsity: float | None = None, threshold: float | None = None) -> None:
    """Attach pruning masks (``weight_orig`` * ``weight_mask``) in place; exactly one of ``sparsity``
    (fraction in [0, 1), global L1) or ``threshold`` (absolute value) must be given.

    Raises:
        SignkitError: both or neither given, a sparsity outside [0, 1), or a threshold that would
        prune every prunable weight.
    """
    if (sparsity is None) == (threshold is None):
        raise SignkitError("give exactly one of sparsity (e.g. 0.8) or threshold (e.g. 1e-6)")
    params = prunable_parameters(model)
    if not params:
        raise SignkitError(f"{type(model).__name__} has no prunable weights (parameters with 2+ dimensions)")
    if sparsity is not None:
        if not 0 <= sparsity < 1:
            raise SignkitError(f"sparsity must be in [0, 1); found {sparsity}")
        prune.global_unstructured([(m, n) for m, n, _ in params], pruning_method=prune.L1Unstructured,
                                  amount=float(sparsity))
        return
    if threshold < 0:
        raise SignkitError(f"threshold must be >= 0; found {threshold}")
    largest = max(float(getattr(m, n).detach().abs().max()) for m, n, _ in params)
    if largest <= threshold:
        total = sum(getattr(m, n).numel() for m, n, _ in params)
        raise SignkitError(f"threshold {threshold:g} prunes all {total:,} prunable weights (the largest |w| is "
                           f"{largest:.3g}); expected a threshold below {largest:.3g}")
    for m, n, _ in params:
        prune.custom_from_mask(m, n, mask=getattr(m, n).detach().abs() > threshold)


def make_permanent(model: nn.Module) -> None:
    """Remove the pruning re-parametrisation so the zeros are in the plain weights (in place)."""
    for m, n, _ in prunable_parameters_with_masks(model):
        prune.remove(m, n)


def prunable_parameters_with_masks(model: nn.Module) -> list[tuple[nn.Module, str, str]]:
    out = []
    for mname, mod in model.named_modules():
        for bname, _ in list(mod.named_buffers(recurse=False)):
            if bname.endswith("_mask"):
                n = bname[: -len("_mask")]
                out.append((mod, n, f"{mname}.{n}" if mname else n))
    return out


def sparsity_report(model: nn.Module) -> dict:
    """``{"layers": [{"name", "weights", "zeros", "sparsity"}], "weights", "zeros", "sparsity",
    "all_parameters_sparsity"}`` over the prunable weights (and over all parameters)."""
    layers, tot, zeros = [], 0, 0
    for m, n, q in prunable_parameters(model):
        w = getattr(m, n).detach()
        z = int((w == 0).sum())
        layers.append({"name": q, "weights": w.numel(), "zeros": z, "sparsity": z / w.numel()})
        tot, zeros = tot + w.numel(), zeros + z
    all_n = sum(p.numel() for p in model.parameters())
    all_z = sum(int((p == 0).sum()) for p in model.parameters())
    return {"layers": layers, "weights": tot, "zeros": zeros, "sparsity": zeros / max(1, tot),
            "all_parameters_sparsity": all_z / max(1, all_n)}


def test_top1(model: nn.Module, data) -> float:
    """Top-1 of ``model`` on the test split of prepared data (:class:`signkit.training.fit.PreparedData`)."""
    return top1(model, data.test, data.collate)


def prune_checkpoint(checkpoint: str | Path, out: str | Path | None = None, *, sparsity: float | None = None,
                     threshold: float | None = None, finetune: int = 0, finetune_lr: float | None = None,
                     data_root: str | None = None, verbose: bool = True, overwrite: bool = False) -> dict:
    """Prune a checkpoint, optionally fine-tune ``finetune`` epochs with the masks on (the
    checkpoint's own config, ``lr`` = ``finetune_lr`` or a tenth of the original), make it permanent,
    and write ``out`` (default ``<name>-pruned.safetensors`` beside it).

    Returns ``{"path", "top1_before", "top1_after", "report"}`` (test split of the checkpoint's dataset).

    Raises:
        CheckpointError: the checkpoint cannot be loaded. SignkitError: see :func:`prune_model`.
        OutputExistsError: ``out`` is the checkpoint, or exists and ``overwrite`` is False.
    """
    from ..training.fit import fit, prepare_data

    checkpoint = Path(checkpoint)
    out = check_output(out or checkpoint.with_name(checkpoint.with_suffix("").name + "-pruned.safetensors"),
                       [checkpoint], overwrite)
    model, meta = load_checkpoint(checkpoint)
    cfg = config_from_dict(meta["config"])
    if data_root:
        cfg.data.root = data_root
    original = copy.deepcopy(model)
    prune_model(model, sparsity=sparsity, threshold=threshold)  # bad arguments fail before any data is read
    data = prepare_data(cfg)
    before = test_top1(original, data)
    if finetune > 0:
        cfg.train.epochs = int(finetune)
        cfg.train.lr = float(finetune_lr or cfg.train.lr / 10)
        cfg.output_dir = str(out.parent / "finetune_runs")
        cfg.train.progress = "lines" if verbose else "none"
        model.train()
        result = fit(cfg, verbose=verbose, model=model, finalize=make_permanent,
                     extra_metrics={"pruned_from": str(checkpoint)})
        with atomic_path(out, ".safetensors") as tmp:
            shutil.copyfile(result["checkpoint"], tmp)
        after = float(result["metrics"]["top1"])
    else:
        make_permanent(model)
        after = test_top1(model, data)
        m = dict(meta.get("metrics", {}), top1=after, pruned_from=str(checkpoint))
        save_checkpoint(out, model, model_name=meta["model"], model_args=meta["model_args"],
                        vocabulary=meta["vocabulary"], spec=input_spec(meta), preprocessing=meta["preprocessing"],
                        config=meta["config"], metrics=m, space=meta.get("space"))
    return {"path": str(out), "top1_before": before, "top1_after": after, "report": sparsity_report(model)}


def weight_histogram(models: dict[str, nn.Module], out: str | Path, bins: int = 120) -> Path:
    """Histogram PNG of the prunable weights of each model (``{label: model}``), log-count axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..storage import atomic_write_bytes

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=90)
    for label, m in models.items():
        w = torch.cat([getattr(mod, n).detach().reshape(-1) for mod, n, _ in prunable_parameters(m)]).numpy()
        lim = np.quantile(np.abs(w), 0.999)
        ax.hist(np.clip(w, -lim, lim), bins=bins, histtype="step", label=label, log=True)
    ax.set_xlabel("weight value (clipped at the 99.9th percentile of |w|)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    out = Path(out)
    atomic_write_bytes(out, buf.getvalue())
    return out
