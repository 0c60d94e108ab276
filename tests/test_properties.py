"""Property-based tests (Hypothesis, seeded, a bounded number of examples): the checkpoint and
metadata loader and every file reader, given random bytes, random JSON or truncations of real files,
either return a valid result or raise a SignkitError, never anything else (issue 14)."""

from __future__ import annotations

import json
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from signkit.errors import SignkitError

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                           st.text(max_size=20), lambda c: st.lists(c, max_size=5) |
                           st.dictionaries(st.text(max_size=10), c, max_size=5), max_leaves=30)


@pytest.fixture(scope="module")
def real_checkpoint(tmp_path_factory):
    import signkit as sk

    out = tmp_path_factory.mktemp("prop")
    r = sk.train(None, ["model.name=tcn_tiny", "data.num_frames=8", "train.epochs=1", "train.progress=none",
                        f"output_dir={out}", "name=p"], verbose=False)
    return r["checkpoint"]


@SETTINGS
@given(raw=st.text(max_size=200) | json_values.map(json.dumps))
def test_parse_meta_random_json(raw):
    from signkit.checkpoint import parse_meta

    try:
        meta = parse_meta(raw, "random")
    except SignkitError:
        return
    assert isinstance(meta, dict)  # only a well-formed signkit metadata object gets through


@SETTINGS
@given(change=st.dictionaries(st.sampled_from(["model", "model_args", "num_classes", "vocabulary", "input",
                                                "layout", "preprocessing", "config", "format", "kind"]),
                              json_values, min_size=1, max_size=3))
def test_crafted_metadata_fields(real_checkpoint, change):
    """Real metadata with random values in its fields: parsed and rebuilt, or one SignkitError."""
    from safetensors import safe_open

    from signkit.checkpoint import build_model, parse_meta

    with safe_open(real_checkpoint, framework="pt") as f:
        meta = json.loads(f.metadata()["signkit"])
    meta.update(change)
    try:
        m = parse_meta(json.dumps(meta), "crafted")
        build_model(m)
    except SignkitError:
        pass


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_checkpoint(tmp_path, data):
    from signkit.checkpoint import load_checkpoint

    p = tmp_path / "random.safetensors"
    p.write_bytes(data)
    with pytest.raises(SignkitError):
        load_checkpoint(p)


@SETTINGS
@given(frac=st.floats(0.0, 0.999))
def test_truncated_checkpoint(real_checkpoint, tmp_path, frac):
    from signkit.checkpoint import load_checkpoint

    b = open(real_checkpoint, "rb").read()
    p = tmp_path / "cut.safetensors"
    p.write_bytes(b[: int(len(b) * frac)])
    with pytest.raises(SignkitError):
        load_checkpoint(p)


@SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".npz", ".pose", ".parquet", ".png", ".jpg"]))
def test_random_bytes_in_every_reader(tmp_path, data, suffix):
    from signkit.inference import read_input

    p = tmp_path / f"random{suffix}"
    p.write_bytes(data)
    try:
        x = read_input(p)
    except SignkitError:
        return
    assert x is not None  # a reader may accept bytes that really are a file of its type


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_video(tmp_path, data):
    from signkit.video import probe

    p = tmp_path / "random.mp4"
    p.write_bytes(data)
    with pytest.raises(SignkitError):
        probe(p)


REAL = ["fpha/Hand_pose_annotation_v1/Subject_1/charge_cell_phone/1/skeleton.txt",
        "pose_samples/0ff215ef4f1f111e217e2cefee0adc77.pose", "islr_sample/train_landmark_files/100/1177.parquet",
        "silfa_letters/images/A/frame_0000.jpg"]


@SETTINGS
@given(which=st.sampled_from(REAL), frac=st.floats(0.0, 0.995))
def test_truncated_real_files(data_root, tmp_path, which, frac):
    """A real file cut short: an error, or (for line-based text) exactly the complete lines kept."""
    from signkit.inference import read_input

    src = data_root / which
    b = src.read_bytes()
    p = tmp_path / src.name
    p.write_bytes(b[: int(len(b) * frac)])
    try:
        x = read_input(p)
    except SignkitError:
        return
    if src.suffix == ".txt":  # skeleton.txt is one frame per line: a cut keeps the whole lines before it
        kept = b[: int(len(b) * frac)].decode().splitlines()
        assert len(x) in (len([ln for ln in kept if ln.strip()]), len([ln for ln in kept if ln.strip()]) - 1)
    elif src.suffix == ".pose":
        pytest.fail(f"a truncated .pose file was read ({len(x)} frames) instead of raising")
    elif src.suffix == ".jpg":
        assert x.ndim == 3  # PIL may decode the start of a JPEG (grey below the cut)
    else:
        pytest.fail(f"a truncated {src.suffix} file was read")


@SETTINGS
@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=63, max_size=63 * 4))
def test_non_finite_keypoints_never_reach_the_model(values):
    """Any float32 values, NaN and infinities included: missing frames are masked and everything the
    model sees is finite."""
    from signkit.config import DataConfig
    from signkit.keypoints import KeypointSequence
    from signkit.kinds import get_kind

    arr = np.array(values[: len(values) // 63 * 63], np.float32).reshape(-1, 21, 3)
    seq = KeypointSequence(arr, "fpha_hand21")
    assert np.isfinite(seq.data[~np.isnan(seq.data)]).all()
    meta = {"input": {"kind": "keypoints", "layout": "fpha_hand21", "joints": 21, "dims": 3, "frames": 8},
            "preprocessing": DataConfig(num_frames=8).preprocessing()}
    try:
        b = get_kind("keypoints").preprocess([seq], meta)
    except SignkitError as e:
        assert ("no landmarks in any" in str(e) and seq.valid_frames == 0) or "overflow" in str(e)
        return
    assert b["x"].shape == (1, 8, 21, 3) and bool(np.isfinite(b["x"].numpy()).all())


@seed(0)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(alphabet=string.printable + "\x1b\x00é", max_size=80))
def test_yaml_overrides_never_crash(text):
    from signkit.config import load_config

    try:
        load_config(None, [text])
    except SignkitError:
        pass
