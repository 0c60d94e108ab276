"""Compact export of a signkit checkpoint: ONNX (ONNX Runtime) or TorchScript, fp32 or fp16, dense or sparse.

- ONNX inputs are those of the checkpoint's input kind (:mod:`signkit.kinds`): ``x`` (keypoints
  ``(B, T, J, C)``, images ``(B, C, S, S)``, landmarks ``(B, 21, 3)``, clips ``(B, C, T, S, S)``, float32)
  and, for keypoints and clips, ``mask`` ``(B, T)`` bool; output ``logits`` ``(B, K)``. The batch axis
  is dynamic, and for keypoints the frame axis too.
  The checkpoint's metadata (vocabulary, layout, preprocessing) travels in the ONNX file's
  ``metadata_props["signkit"]`` (JSON), so ``signkit predict model.onnx ...`` needs nothing else.
- ``fp16``: weights are *stored* in half precision (half the file size); ONNX Runtime casts them
  back to float32 once, when the session is created, so the arithmetic stays float32 on CPUs
  without half-precision kernels. TorchScript fp16 is a half-precision model (inputs cast to half).
- ``int8`` (ONNX only): static quantization with ONNX Runtime (QDQ, per-channel int8 weights),
  calibrated on real samples of the checkpoint's training split (so it needs the data root).
- ``sparse`` (ONNX only): weight tensors that are mostly zero (pruned, see :mod:`.prune`) are
  stored as ONNX ``sparse_initializer`` (values + int64 indices: 12 bytes per kept fp32 weight, so
  it pays off above about 67 % zeros; 80 % zeros gives about 0.6 of the dense size, with ``fp16`` 0.5).

Loading an exported file with signkit only ever parses ONNX protobuf (never TorchScript, whose
loading runs code from the file); TorchScript files are for deployment (C++/mobile).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..checkpoint import input_spec, load_checkpoint, parse_meta
from ..errors import CheckpointError, SignkitError
from ..kinds import get_kind
from ..storage import atomic_write_bytes, check_output

FORMATS = ("onnx", "torchscript")


class _Logits(nn.Module):
    """``(x[, mask]) -> logits`` with the fixed signature of the input kind, for tracing."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(x, mask)


def example_inputs(meta: dict, batch: int = 1) -> tuple[torch.Tensor, ...]:
    """Zero inputs of the shapes a checkpoint's model takes, in the order of its kind's
    ``input_names`` (see :meth:`signkit.kinds.InputKind.example_inputs`)."""
    spec = input_spec(meta)
    return get_kind(spec.kind).example_inputs(spec, batch)


@contextlib.contextmanager
def _plain_attention():
    """nn.MultiheadAttention's eval fast path (``aten::_native_multi_head_attention``) off: it has no
    ONNX symbolic and traces badly; the plain attention ops compute the same function
    (islr_transformer models need it)."""
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)


def onnx_bytes(model: nn.Module, meta: dict, opset: int = 17, source: str = "") -> bytes:
    """The fp32 ONNX graph of a signkit model (no metadata attached), with the inputs of the
    checkpoint's kind (module docstring): a dynamic batch axis and, for keypoints, a dynamic frame
    axis where the traced graph allows it (else a fixed one, so another length is a clear error).
    ``model`` is put in eval mode; attention is exported as plain ops. ``source`` (a checkpoint path)
    names the model in errors.

    Raises:
        SignkitError: the exporter fails (the model, ``source`` and the reason named).
    """
    import warnings

    kind = get_kind(input_spec(meta).kind)
    wrapper = _Logits(model).eval()
    args = example_inputs(meta, batch=2)
    names = list(kind.input_names)
    axes = kind.dynamic_axes()

    def export(axes: dict) -> bytes:
        buf = io.BytesIO()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript-based exporter's deprecation notice
            torch.onnx.export(wrapper, args, buf, input_names=names, output_names=["logits"],
                              dynamic_axes=axes, opset_version=opset, dynamo=False)
        return buf.getvalue()

    try:
        with _plain_attention():
            data = export(axes)
            if "frames" in axes.get("x", {}).values() and not _runs_at_other_length(data, args):
                # the traced graph fixed the sequence length (nn.MultiheadAttention's reshapes): say so in
                # the graph, a fixed frames axis, so that another length is a clear error, not a crash
                data = export({k: {i: n for i, n in v.items() if n != "frames"} for k, v in axes.items()})
    except Exception as e:  # exporter failures come in many types; name the model and the step
        where = f" from {source}" if source else ""
        raise SignkitError(f"exporting {meta.get('model')!r}{where} to onnx failed: {e}") from e
    return data


def _to_fp16_storage(proto) -> None:
    """Store float32 initializers as float16, each followed by a Cast back to float32 (in place)."""
    import onnx
    from onnx import helper, numpy_helper

    g = proto.graph
    casts, keep = [], []
    for init in g.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or int(np.prod(init.dims)) < 16:
            keep.append(init)
            continue
        arr = numpy_helper.to_array(init).astype(np.float16)
        half = numpy_helper.from_array(arr, init.name + "__fp16")
        keep.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT,
                                      name=init.name + "__cast"))
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)


def _to_sparse(proto, min_zero_fraction: float = 0.5) -> int:
    """Move initializers with at least ``min_zero_fraction`` zeros to ``sparse_initializer``; returns
    how many were moved."""
    from onnx import helper, numpy_helper

    g = proto.graph
    keep, moved = [], 0
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if arr.ndim < 2 or arr.size < 64 or np.count_nonzero(arr) > (1 - min_zero_fraction) * arr.size:
            keep.append(init)
            continue
        flat = arr.reshape(-1)
        idx = np.flatnonzero(flat).astype(np.int64)
        values = numpy_helper.from_array(flat[idx], init.name)
        indices = numpy_helper.from_array(idx, init.name + "__indices")
        g.sparse_initializer.append(helper.make_sparse_tensor(values, indices, list(arr.shape)))
        moved += 1
    del g.initializer[:]
    g.initializer.extend(keep)
    return moved


def _calibration_batches(meta: dict, n: int, data_root: str | None) -> list[dict]:
    """``n`` evenly spaced samples of the checkpoint's training split (eval transform), batch 1 each."""
    from ..config import config_from_dict
    from ..training.fit import prepare_data

    cfg = config_from_dict(meta["config"])
    if data_root:
        cfg.data.root = data_root
    data = prepare_data(cfg)
    ds = data.train_full
    names = data.kind.input_names
    out = []
    for i in np.linspace(0, len(ds) - 1, min(n, len(ds))).astype(int):
        b = data.collate([ds[int(i)]])
        feed = {"x": b["x"].numpy().astype(np.float32)}
        if "mask" in names:
            feed["mask"] = b["mask"].numpy()
        out.append(feed)
    return out


def _runs_at_other_length(data: bytes, args: tuple[torch.Tensor, ...]) -> bool:
    """Whether an exported keypoint graph runs on sequences 3 frames longer than it was traced with."""
    import onnxruntime as ort

    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    feeds = {n: torch.cat([a, a[:, :3]], 1).numpy() for n, a in zip(names, args)}
    try:
        sess.run(["logits"], feeds)
    except Exception:  # onnxruntime's Fail / InvalidArgument: the length is baked into the graph
        return False
    return True


def quantize_int8(data: bytes, meta: dict, calibration: int = 100, data_root: str | None = None) -> bytes:
    """Static int8 quantization (ONNX Runtime, QDQ format, per-channel int8 weights, uint8
    activations) calibrated on ``calibration`` real training samples of the checkpoint's dataset."""
    import tempfile

    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    feeds = _calibration_batches(meta, calibration, data_root)

    class _Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(feeds)

        def get_next(self):
            return next(self.it, None)

    with tempfile.TemporaryDirectory(prefix="signkit-int8-") as d:
        src, pre, dst = Path(d) / "m.onnx", Path(d) / "pre.onnx", Path(d) / "int8.onnx"
        src.write_bytes(data)
        try:
            quant_pre_process(str(src), str(pre))
        except AssertionError:  # ONNX Runtime's symbolic shape inference cannot follow every graph
            # (islr_transformer's masked attention reshapes): ONNX's own shape inference instead
            quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        quantize_static(str(pre), str(dst), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        proto = onnx.load(str(dst))
    return proto


def export_checkpoint(checkpoint: str | Path, out: str | Path | None = None, fmt: str = "onnx",
                      fp16: bool = False, sparse: bool = False, opset: int = 17, int8: bool = False,
                      calibration: int = 100, data_root: str | None = None, overwrite: bool = False) -> dict:
    """Export a signkit checkpoint; returns ``{"path", "bytes", "checkpoint_bytes", "format", "fp16",
    "sparse_tensors"}``. ``out`` defaults to the checkpoint's name with ``.onnx``/``.pt`` (``-fp16``,
    ``-sparse`` added). The file is written atomically; it never replaces the checkpoint, nor an
    existing file unless ``overwrite``.

    Raises:
        CheckpointError: the checkpoint cannot be loaded (missing, not signkit, weights mismatch).
        SignkitError: an unknown format, ``sparse``/``int8`` with TorchScript, or an export failure.
        OutputExistsError: ``out`` is the checkpoint, or exists and ``overwrite`` is False.
        DataRootError: ``int8`` without the checkpoint's dataset (calibration data).
    """
    if fmt not in FORMATS:
        raise SignkitError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    if sparse and fmt != "onnx":
        raise SignkitError("--sparse is supported for ONNX only (sparse_initializer); found format 'torchscript'")
    if int8 and (fmt != "onnx" or fp16 or sparse):
        raise SignkitError("--int8 is an ONNX-only option and excludes --fp16 and --sparse")
    checkpoint = Path(checkpoint)
    if out is None:
        stem = (checkpoint.with_suffix("").name + ("-fp16" if fp16 else "") + ("-sparse" if sparse else "")
                + ("-int8" if int8 else ""))
        out = checkpoint.with_name(stem + (".onnx" if fmt == "onnx" else ".pt"))
    out = check_output(out, [checkpoint], overwrite)
    model, meta = load_checkpoint(checkpoint)  # raises CheckpointError with the reason
    moved = 0
    try:
        if fmt == "onnx":
            import onnx

            raw = onnx_bytes(model, meta, opset, source=str(checkpoint))
            proto = quantize_int8(raw, meta, calibration, data_root) if int8 else onnx.load_from_string(raw)
            if fp16:
                _to_fp16_storage(proto)
            if sparse:
                moved = _to_sparse(proto)
            entry = proto.metadata_props.add()
            entry.key, entry.value = "signkit", json.dumps({**meta, "export": {"fp16": fp16, "sparse": sparse,
                                                                                "int8": int8}})
            onnx.checker.check_model(proto)
            data = proto.SerializeToString()
        else:
            m = _Logits(model).eval()
            m = m.half() if fp16 else m
            targs = tuple(a.half() if a.is_floating_point() and fp16 else a for a in example_inputs(meta, batch=2))
            with torch.no_grad(), _plain_attention():
                traced = torch.jit.trace(m, targs, check_trace=False)
            buf = io.BytesIO()
            torch.jit.save(traced, buf, _extra_files={"signkit.json": json.dumps(meta)})
            data = buf.getvalue()
    except SignkitError:
        raise
    except Exception as e:  # exporter failures come in many types; name the model and the step
        raise SignkitError(f"exporting {meta['model']!r} from {checkpoint} to {fmt} failed: {e}") from e
    atomic_write_bytes(out, data)
    return {"path": str(out), "bytes": len(data), "checkpoint_bytes": checkpoint.stat().st_size, "format": fmt,
            "fp16": fp16, "int8": int8, "sparse_tensors": moved}


class OnnxModel:
    """An exported ONNX file run by ONNX Runtime, callable like a signkit model:
    ``model(x, mask) -> logits (B, K)`` (torch tensors in and out). ``meta`` is the checkpoint metadata.

    Raises:
        CheckpointError: the file is not an ONNX file exported by signkit.
    """

    def __init__(self, path: str | Path, threads: int | None = None):
        import onnx

        path = Path(path)
        if not path.is_file():
            raise CheckpointError(f"{path} not found; expected an ONNX file exported by `signkit export`")
        try:
            proto = onnx.load(str(path), load_external_data=False)
        except Exception as e:
            raise CheckpointError(f"{path}: not an ONNX file ({e}); expected one exported by `signkit export`") from e
        raw = {p.key: p.value for p in proto.metadata_props}.get("signkit")
        if raw is None:
            raise CheckpointError(f"{path}: ONNX file without signkit metadata; expected one made by `signkit export`")
        self._start(proto.SerializeToString(), parse_meta(raw, path), threads)

    def _start(self, data: bytes, meta: dict, threads: int | None) -> None:
        import onnxruntime as ort

        self.meta = meta
        self.kind = get_kind(input_spec(meta).kind)
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    @classmethod
    def from_model(cls, model: nn.Module, meta: dict, threads: int | None = 1) -> "OnnxModel":
        """A loaded torch model run by ONNX Runtime instead (exported in memory, fp32, about 0.1 s for
        the landmark MLP): the same logits (to float rounding) at a lower per-call cost, which is what
        a stream's batch-1 calls pay (measured in ``docs/live_latency.md``).

        Raises:
            SignkitError: the model cannot be exported (:func:`onnx_bytes`).
        """
        obj = cls.__new__(cls)
        obj._start(onnx_bytes(model, meta), meta, threads)
        return obj

    def eval(self) -> "OnnxModel":  # the torch-model protocol used by predict_logits
        return self

    def run_numpy(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Logits ``(B, K)`` of a batch ``x`` (and ``mask``) as the checkpoint's model takes it.

        Raises:
            SignkitError: the export fixes the number of frames (its graph has a constant length) and
            ``x`` has another.
        """
        want = self.session.get_inputs()[0].shape
        if len(want) > 1 and len(x.shape) > 1 and isinstance(want[1], int) and self.kind.name == "keypoints" \
                and x.shape[1] != want[1]:
            raise SignkitError(f"this ONNX export takes sequences of exactly {want[1]} frames (its graph fixes the "
                               f"length); found {x.shape[1]}; resample to {want[1]} frames, as the checkpoint's "
                               f"preprocessing (num_frames) does")
        feeds = {"x": np.ascontiguousarray(x, dtype=np.float32)}
        if "mask" in self.input_names:
            if mask is None:
                mask = self.kind.full_mask(x)
            feeds["mask"] = np.ascontiguousarray(mask, dtype=bool)
        return self.session.run(["logits"], feeds)[0]

    def __call__(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return torch.from_numpy(self.run_numpy(x.numpy(), None if mask is None else mask.numpy()))
