"""`signkit predict` over many inputs: files, folders and globs expanded into the inputs a checkpoint's
kind reads, on real Sign Language Digits photos and FPHA skeletons; bad inputs listed at the end,
the rest still done, nothing walked forever."""

from __future__ import annotations

import json
import os
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import signkit


@pytest.fixture(scope="module")
def digits(data_root):
    return data_root / "sign_language_digits/Dataset"


def test_folders_and_globs_of_real_photos_give_one_prediction_each(digits):
    import signkit.api as sk

    threes = sorted((digits / "3").glob("IMG_11*.JPG"))
    sevens = sorted((digits / "7").glob("IMG_59*.JPG"))
    assert len(threes) >= 5 and len(sevens) >= 5
    r = sk.predict_files("tsl_digits", [str(digits / "3" / "IMG_11*.JPG"), str(digits / "7" / "IMG_59*.JPG"),
                                        str(threes[0])], top_k=3)
    files = [p["file"] for p in r["predictions"]]
    assert files == [str(f) for f in threes + sevens]  # argument order, name order inside, each file once
    assert r["failed"] == []
    assert all(len(p["top"]) == 3 and p["top"][0]["probability"] >= p["top"][1]["probability"] for p in r["predictions"])
    right = sum(p["top"][0]["gloss"] == ("3" if "/3/" in p["file"] else "7") for p in r["predictions"])
    assert right >= 0.9 * len(files), (right, len(files))
    one = sk.predict("tsl_digits", str(threes[1]), top_k=3)  # the same as one file at a time
    assert [(x["gloss"], x["probability"]) for x in r["predictions"][1]["top"]] == pytest.approx(one)


def test_bad_inputs_are_listed_and_the_rest_done(digits, tmp_path):
    """Truncated and random images fail with their reason; a file of another type is not walked; a
    link cycle does not loop; a glob that matches nothing is listed; the CLI exits 1 after the table."""
    good = sorted((digits / "3").glob("*.JPG"))[:2]
    top = tmp_path / "in"
    (top / "sub").mkdir(parents=True)
    shutil.copy(good[0], top / "a.jpg")
    shutil.copy(good[1], top / "sub" / "b.JPG")
    (top / "c_truncated.jpg").write_bytes(good[0].read_bytes()[:300])
    (top / "d_random.png").write_bytes(os.urandom(4096))
    (top / "notes.txt").write_text("not an image")
    os.symlink(top, top / "sub" / "loop")  # a cycle: never followed
    os.symlink(tmp_path / "gone.jpg", top / "e_broken.jpg")  # a link to nothing
    os.symlink(top / "f_self.jpg", top / "f_self.jpg")  # a link to itself
    missing = str(tmp_path / "nothing_*.jpg")

    import signkit.api as sk

    r = sk.predict_files("tsl_digits", [str(top), missing], top_k=1)
    assert [p["file"] for p in r["predictions"]] == [str(top / "a.jpg"), str(top / "sub" / "b.JPG")]
    assert all(p["top"][0]["gloss"] == "3" for p in r["predictions"])
    failed = {f["file"]: f["reason"] for f in r["failed"]}
    assert set(failed) == {missing, str(top / "c_truncated.jpg"), str(top / "d_random.png"), str(top / "e_broken.jpg"),
                           str(top / "f_self.jpg")}
    assert "no such file, folder or matching glob" in failed[missing]
    assert all(reason for reason in failed.values())

    cli = signkit("predict", "tsl_digits", str(top), missing, "--json", "--top-k", "1")
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    assert "5 input(s) failed" in cli.stderr and "c_truncated.jpg" in cli.stderr
    out = json.loads(cli.stdout)
    assert [p["file"] for p in out["predictions"]] == [p["file"] for p in r["predictions"]]
    empty = tmp_path / "empty"
    empty.mkdir()
    cli = signkit("predict", "tsl_digits", str(empty))
    assert cli.returncode == 1 and "no inputs found" in cli.stderr and "Traceback" not in cli.stderr


def test_a_keypoint_checkpoint_walks_skeleton_files(trained, data_root, tmp_path):
    """A folder of FPHA sequences: every skeleton.txt is one input (other .txt files are not), each
    predicted as `signkit predict` does it one file at a time."""
    import signkit.api as sk
    from signkit.inference import Recognizer

    folder = data_root / "fpha/Hand_pose_annotation_v1/Subject_1/charge_cell_phone"
    skeletons = sorted(folder.rglob("skeleton.txt"))
    assert len(skeletons) >= 3
    rec = Recognizer(trained[1] / "model.safetensors")
    r = sk.predict_files(rec, [str(folder)], top_k=2)
    assert [p["file"] for p in r["predictions"]] == [str(s) for s in skeletons] and r["failed"] == []
    for p, s in zip(r["predictions"], skeletons):
        assert [(x["gloss"], x["probability"]) for x in p["top"]] == pytest.approx(rec.predict_file(s, 2))
    (tmp_path / "notes.txt").write_text("0 1 2\n")
    shutil.copy(skeletons[0], tmp_path / "skeleton.txt")
    r = sk.predict_files(rec, [str(tmp_path)], top_k=1)
    assert [p["file"] for p in r["predictions"]] == [str(tmp_path / "skeleton.txt")]


names = st.text(alphabet=string.ascii_letters + string.digits + " []*?-_.\n", min_size=1, max_size=12).filter(
    lambda s: s not in (".", "..") and "/" not in s)
trees = st.lists(st.tuples(st.lists(names, max_size=3), names, st.sampled_from([".jpg", ".PNG", ".txt", ""])),
                 max_size=12)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees, link=st.booleans())
def test_expanding_a_folder_finds_each_accepted_file_once_in_name_order(tmp_path_factory, tree, link):
    """Random folder trees (names with spaces, glob characters and newlines; a link back to the top):
    exactly the accepted files, each once, sorted, none reached through a link to a folder."""
    from signkit.paths import IMAGE_EXTENSIONS, expand_inputs

    top = tmp_path_factory.mktemp("tree")
    for dirs, name, ext in tree:
        d = top.joinpath(*dirs)
        if any(p.is_file() for p in [d, *d.parents] if p != top and top in p.parents):
            continue  # a file already stands where a folder would go
        d.mkdir(parents=True, exist_ok=True)
        if not (d / (name + ext)).is_dir():
            (d / (name + ext)).write_bytes(b"x")
    if link:
        (top / "loop").symlink_to(top, target_is_directory=True)
    accept = lambda p: p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS  # noqa: E731
    pairs, missing, unreadable = expand_inputs([str(top)], accept)
    expected = sorted(p for p in top.rglob("*") if accept(p) and "loop" not in p.relative_to(top).parts)
    assert [p for p, _ in pairs] == expected and missing == [] and unreadable == []
    assert all(b == top for _, b in pairs)
