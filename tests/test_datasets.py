"""Loaders return the documented shapes and counts of the real datasets."""

import warnings

import numpy as np
import pytest

from signkit.data import collate, load_dataset, load_folder, load_fpha, read_skeleton_txt
from signkit.errors import DataRootError, KeypointFileError, UnknownNameError


def test_fpha_official_split_counts(fpha_train, fpha_test):
    assert len(fpha_train) == 600 and len(fpha_test) == 575
    assert len(fpha_train.vocabulary) == 45 and fpha_train.vocabulary == fpha_test.vocabulary
    assert {s.id for s in fpha_train.samples}.isdisjoint({s.id for s in fpha_test.samples})
    assert {s.signer for s in fpha_train.samples} == {f"Subject_{i}" for i in range(1, 7)}
    # labels follow the publisher's split file
    assert fpha_train.vocabulary[0] == "open_juice_bottle" and fpha_train.vocabulary[1] == "close_juice_bottle"


def test_fpha_sequences_are_mm_hands(fpha_train):
    seq = fpha_train.samples[0].sequence
    assert seq.data.ndim == 3 and seq.data.shape[1:] == (21, 3) and seq.data.dtype == np.float32
    bone = np.linalg.norm(seq.data[:, 0] - seq.data[:, 3], axis=-1)  # wrist -> middle MCP
    assert 40 < bone.mean() < 150  # millimetres, a human hand


def test_fpha_all_skips_three_empty_files_with_warning(data_root):
    with pytest.warns(UserWarning, match="skipped 3"):
        ds = load_fpha("all")
    assert len(ds) == 1175


def test_fpha_leave_one_subject_out(data_root):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = load_fpha("test", protocol="loso", test_subject=3)
        train = load_fpha("train", protocol="loso", test_subject=3)
    assert {s.signer for s in test.samples} == {"Subject_3"}
    assert "Subject_3" not in {s.signer for s in train.samples}
    assert len(test) + len(train) == 1175


def test_boston104_official_split(data_root):
    train = load_dataset("rwth_boston104", "train")
    with pytest.warns(UserWarning, match="unseen in training"):
        test = load_dataset("rwth_boston104", "test")
    assert len(train) == 710 and len(test) == 177 and len(train.vocabulary) == 112
    seq = train.samples[0].sequence
    assert seq.data.shape[1:] == (3, 2) and seq.space == "image_px"
    assert 0 <= seq.data.min() and seq.data.max() < 300  # pixels of 195x165 frames (tracks may leave it)
    assert {s.signer for s in train.samples} == {"woman-1", "woman-2", "man-1"}


def test_collate_shapes(fpha_train):
    b = collate([fpha_train[i] for i in range(3)])
    assert b["x"].shape[0] == 3 and b["x"].shape[2:] == (21, 3)
    assert b["mask"].shape == b["x"].shape[:2] and b["label"].shape == (3,)


def test_folder_dataset_signer_independent_split(tmp_path, fpha_train):
    for s in fpha_train.samples[::10]:
        d = tmp_path / s.gloss
        d.mkdir(exist_ok=True)
        seq = s.sequence
        np.savez(d / (s.id.replace("/", "_") + ".npz"), data=seq.data, layout="fpha_hand21", signer=s.signer)
    train = load_folder("train", path=str(tmp_path))
    test = load_folder("test", path=str(tmp_path))
    assert len(train) + len(test) == 60
    assert {s.signer for s in train.samples}.isdisjoint({s.signer for s in test.samples})
    assert "signer-independent" in test.info["split"]


def test_folder_dataset_errors(tmp_path):
    with pytest.raises(DataRootError, match="does not exist"):
        load_folder("train", path=str(tmp_path / "nope"))
    with pytest.raises(DataRootError, match="holds no"):
        load_folder("train", path=str(tmp_path))


def test_unknown_dataset_and_missing_root(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown dataset 'ASL-X'.*fpha"):
        load_dataset("ASL-X")
    with pytest.raises(DataRootError, match="does not exist"):
        load_dataset("fpha", root=str(tmp_path / "missing"))
    with pytest.raises(DataRootError, match="fpha"):
        load_dataset("fpha", root=str(tmp_path))


def test_bad_skeleton_files(tmp_path, data_root):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(KeypointFileError, match="empty file; expected .* 64 numbers"):
        read_skeleton_txt(empty)
    real = sorted((data_root / "fpha" / "Hand_pose_annotation_v1").glob("Subject_1/*/1/skeleton.txt"))[0]
    lines = real.read_text().splitlines()
    short = tmp_path / "20joints.txt"
    short.write_text("\n".join(" ".join(ln.split()[:61]) for ln in lines))
    with pytest.raises(KeypointFileError, match="expected 64 .* found 60 coordinates .*20 joints"):
        read_skeleton_txt(short)
    bad = tmp_path / "text.txt"
    bad.write_text(lines[0] + "\n" + lines[1].replace(lines[1].split()[5], "abc", 1))
    with pytest.raises(KeypointFileError, match="line 2: 'abc' is not a number"):
        read_skeleton_txt(bad)
    with pytest.raises(KeypointFileError, match="not found"):
        read_skeleton_txt(tmp_path / "missing.txt")
