"""Pretrained models shipped inside the package: listed, loadable by name wherever a checkpoint is
taken, with a model card, and right on real images they were not trained on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import signkit

CARD_SECTIONS = ("**What**", "**Data**", "**Intended use**", "**Limits**", "icence")


def test_shipped_models_are_listed_and_carry_a_model_card():
    import signkit.api as sk
    from signkit.pretrained import model_card, pretrained_path

    names = sk.list_pretrained()
    assert set(names) == {"asl_fingerspelling", "tsl_digits", "islr_signs"}
    for n in names:
        p = pretrained_path(n)
        assert p.stat().st_size < 2_000_000  # a few MB in all
        card = model_card(n)
        assert all(s in card for s in CARD_SECTIONS), n
        assert "%" in card  # measured figures
        rec = sk.load_pretrained(n)
        assert rec.spec.kind == ("keypoints" if n == "islr_signs" else "landmarks")
    with pytest.raises(sk.SignkitError, match="unknown pretrained model 'nope'"):
        sk.load_pretrained("nope")
    import signkit  # the top-level names of issue 15: signkit.load_pretrained(name)

    assert signkit.load_pretrained("tsl_digits").vocabulary == sk.load_pretrained("tsl_digits").vocabulary
    assert signkit.list_pretrained() == names


def test_fingerspelling_model_reads_silfa_frames_it_never_saw(data_root):
    """SILFA's second halves (by frame id) are never in the shipped model's training data."""
    import signkit.api as sk
    from signkit.data.fingerspelling import STATIC_LETTERS
    from signkit.data.images import load_silfa_letters

    rec = sk.load_pretrained("asl_fingerspelling")
    test = [s for s in load_silfa_letters("test", str(data_root)).samples if s.gloss in STATIC_LETTERS][::10]
    right = sum(rec.predict_file(s.image, 1)[0][0] == s.gloss for s in test)
    assert right >= 0.85 * len(test), (right, len(test))


def test_onnx_runtime_copy_gives_the_same_probabilities(data_root):
    """What `signkit live` runs by default for hand shapes: the model exported in memory to ONNX Runtime,
    the same probabilities as torch on real SILFA frames; the original recogniser is left in torch."""
    import signkit.api as sk
    from signkit.data.images import load_silfa_letters
    from signkit.errors import SignkitError

    rec = sk.load_pretrained("asl_fingerspelling")
    fast = rec.with_onnx_runtime()
    assert (rec.runtime, fast.runtime) == ("torch", "onnxruntime") and fast.with_onnx_runtime() is fast
    images = [rec.read(s.image) for s in load_silfa_letters("test", str(data_root)).samples[::60][:6]]
    p, q = rec.predict_proba(images), fast.predict_proba(images)
    assert p.shape == q.shape == (len(images), 24) and np.allclose(p, q, atol=1e-5)
    with pytest.raises(SignkitError, match="unknown runtime 'gpu'; expected one of"):
        sk.live("asl_fingerspelling", str(data_root / "videos/fingerspelling/finger.mp4"), runtime="gpu")


def test_digits_model_on_its_test_split(data_root):
    import signkit.api as sk
    from signkit.kinds import open_dataset

    rec = sk.load_pretrained("tsl_digits")
    test = open_dataset("sign_language_digits", "test", str(data_root)).samples[::8]
    right = sum(rec.predict_file(s.image, 1)[0][0] == s.gloss for s in test)
    assert right >= 0.9 * len(test), (right, len(test))


def test_whole_body_model_on_participants_it_never_saw(data_root):
    """islr_signs trained on 18 ISLR participants (fold 0); its 3 test participants are never seen."""
    import signkit.api as sk
    from signkit.data import load_dataset
    from signkit.keypoints.formats import read_islr_parquet

    rec = sk.load_pretrained("islr_signs")
    assert rec.spec.layout == "sign_body57" and rec.meta["space"] == "normalised"
    test = load_dataset("islr", split="test", fold=0)
    assert {s.signer for s in test.samples} == {"2044", "4718", "16069"}
    pred = rec.predict([s.sequence for s in test.samples])
    right = sum(p == s.gloss for p, s in zip(pred, test.samples))
    assert right >= 0.8 * len(test), (right, len(test))
    # the competition's own file form, by path
    f = data_root / "islr_asl_signs" / "train_landmark_files" / "2044"
    one = sorted(f.glob("*.parquet"))[0]
    assert rec.predict([read_islr_parquet(one)])[0] in ("hello", "thankyou")


def test_pixel_input_is_normalised_for_an_islr_checkpoint():
    import numpy as np

    from signkit.errors import LayoutMismatchError
    from signkit.keypoints import KeypointSequence
    from signkit.kinds import to_space

    d = np.array([[[640.0, 240.0, 0.1]]], np.float32)
    seq = KeypointSequence(np.repeat(np.repeat(d, 21, 1), 2, 0), "fpha_hand21", space="image_px",
                           meta={"width": 640, "height": 480})
    out = to_space(seq, "normalised")
    assert out.space == "normalised" and np.allclose(out.data[0, 0], [1.0, 0.5, 0.1])
    assert to_space(seq, "image_px") is seq and to_space(seq, None) is seq
    bare = KeypointSequence(seq.data, "fpha_hand21", space="image_px")
    with pytest.raises(LayoutMismatchError, match="without its image size"):
        to_space(bare, "normalised")


def test_a_pretrained_name_works_wherever_a_checkpoint_is_taken(tmp_path, data_root):
    img = sorted((data_root / "sign_language_digits/Dataset/3").iterdir())[0]
    r = signkit("predict", "tsl_digits", str(img), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["gloss"] == "3"
    import subprocess
    import sys

    # export of a shipped name writes into the current folder, never into the installed package
    r = subprocess.run([sys.executable, "-m", "signkit.cli", "export", "tsl_digits"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "tsl_digits.onnx").is_file()
    from signkit.pretrained import HERE

    assert not list(HERE.glob("*.onnx"))
    r = signkit("predict", str(tmp_path / "tsl_digits.onnx"), str(img), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["gloss"] == "3", r.stderr


def test_a_loaded_recognizer_is_taken_where_a_checkpoint_is_and_other_objects_are_refused(data_root):
    """The Python API takes a loaded Recognizer wherever it takes a checkpoint (live runs that very
    object); anything that is neither a path, a pretrained name nor a Recognizer is a clear error."""
    import pytest

    import signkit.api as sk
    from signkit.errors import SignkitError

    rec = sk.load_pretrained("asl_fingerspelling")
    finger = data_root / "videos/fingerspelling/finger.mp4"
    r = sk.live(rec, str(finger), max_frames=12)
    assert r.source["frames"] == 12 and r.latency["frames"] == 12
    digits = sk.load_pretrained("tsl_digits")
    img = sorted((data_root / "sign_language_digits/Dataset/3").iterdir())[0]
    assert sk.predict(digits, str(img))[0][0] == "3"
    for bad in (5, 2.5, None, ["a.safetensors"]):
        with pytest.raises(SignkitError, match="expected a checkpoint path, a pretrained name or a Recognizer"):
            sk.evaluate(bad)
