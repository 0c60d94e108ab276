"""The `islr` dataset (Google ISLR / Kaggle asl-signs layout) on the real competition files in
../shared/data/islr_asl_signs, its participant folds, and bad rows listed and skipped."""

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from signkit.data import load_dataset
from signkit.data.islr import participant_folds
from signkit.errors import DataRootError, SignkitError


@pytest.fixture(scope="module")
def islr_all():
    return load_dataset("islr", split="all")


def test_islr_counts_and_whole_body_layout(islr_all):
    ds = islr_all
    assert len(ds) == 168 and ds.vocabulary == ["hello", "thankyou"]  # the official index order
    assert len({s.signer for s in ds.samples}) == 21
    assert (np.bincount(ds.labels) == 84).all()
    assert ds.info["skipped"] == [] and len(ds.info["prediction_index"]) == 250
    assert ds.layout.name == "sign_body57"
    frames = sum(len(s.sequence) for s in ds.samples)
    assert frames == 2811  # SOURCE.md: 2,811 frames in all
    # x, y normalised by the image size; the pose is always found, hands often not
    d = np.concatenate([s.sequence.data for s in ds.samples])
    body = d[:, :11, :2]
    assert np.isfinite(body).all() and -0.5 < np.nanmedian(body) < 1.5
    right = ds.layout.joints.index("RIGHT_HAND_LANDMARKS.WRIST")
    assert 0.2 < np.isnan(d[:, right, 0]).mean() < 0.9


def test_islr_folds_are_signer_independent_and_cover_everyone(islr_all):
    everyone = sorted({s.signer for s in islr_all.samples})
    groups = participant_folds(everyone, 7)
    assert [len(g) for g in groups] == [3] * 7 and sorted(sum(groups, [])) == everyone
    seen_test = []
    for k in range(7):
        tr = load_dataset("islr", split="train", fold=k)
        te = load_dataset("islr", split="test", fold=k)
        assert len(tr) + len(te) == 168 and len(te) == 24
        assert not {s.signer for s in tr.samples} & {s.signer for s in te.samples}
        seen_test += sorted({s.signer for s in te.samples})
    assert sorted(seen_test) == everyone
    te = load_dataset("islr", split="test", test_participants=["2044", "16069"])
    assert {s.signer for s in te.samples} == {"2044", "16069"} and len(te) == 16
    with pytest.raises(SignkitError, match="not in train.csv"):
        load_dataset("islr", split="test", test_participants=["99999"])
    with pytest.raises(SignkitError, match="fold must be 0..6"):
        load_dataset("islr", split="test", fold=7)


def _copy(tmp_path, data_root, n=6):
    src = data_root / "islr_asl_signs"
    dst = tmp_path / "islr"
    table = pd.read_csv(src / "train.csv").head(n)
    for p in table["path"]:
        (dst / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / p, dst / p)
    shutil.copy(src / "sign_to_prediction_index_map.json", dst)
    table.to_csv(dst / "train.csv", index=False)
    return dst, table


def test_islr_bad_rows_are_listed_and_skipped(tmp_path, data_root):
    dst, table = _copy(tmp_path, data_root)
    # a row whose parquet is missing, one escaping the folder, and a parquet without the landmark rows
    extra = pd.DataFrame([
        {"path": "train_landmark_files/1/404.parquet", "participant_id": 1, "sequence_id": 404, "sign": "hello"},
        {"path": "../../etc/passwd", "participant_id": 1, "sequence_id": 405, "sign": "hello"},
        {"path": "train_landmark_files/1/406.parquet", "participant_id": 1, "sequence_id": 406, "sign": "hello"}])
    (dst / "train_landmark_files/1").mkdir(parents=True)
    df = pd.read_parquet(dst / table["path"][0])
    df[df["type"] != "right_hand"].to_parquet(dst / "train_landmark_files/1/406.parquet")
    pd.concat([table, extra]).to_csv(dst / "train.csv", index=False)
    with pytest.warns(UserWarning, match="skipped 3 of 9"):
        ds = load_dataset("islr", split="all", path=str(dst))
    assert len(ds) == 6
    skipped = " ".join(ds.info["skipped"])
    assert "404.parquet: file not found" in skipped and "outside the dataset folder" in skipped
    assert "406.parquet: expected 543 landmarks per frame; found [522]" in skipped
    assert str(tmp_path) not in skipped  # paths as train.csv gives them


def test_islr_bad_folders_are_clear_errors(tmp_path, data_root):
    with pytest.raises(DataRootError, match="train.csv not found"):
        load_dataset("islr", split="all", path=str(tmp_path))
    (tmp_path / "train.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataRootError, match=r"lacks columns \['path', 'participant_id', 'sequence_id', 'sign'\]"):
        load_dataset("islr", split="all", path=str(tmp_path))
    dst, table = _copy(tmp_path / "x", data_root, 2)
    for p in table["path"]:
        (dst / p).write_bytes(b"\x00" * 100)  # truncated/random files
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SignkitError, match="no readable sequence among the 2 rows"):
            load_dataset("islr", split="all", path=str(dst))


def test_other_data_joins_the_training_split_as_the_filler_class():
    """data.options.other_data: another corpus' training sequences become <other> in the training
    split only, opened in the main dataset's layout; every split's vocabulary ends with <other>."""
    from signkit.data.wrappers import OTHER
    from signkit.errors import ConfigError
    from signkit.kinds import open_dataset

    opts = dict(layout="mp_hands42", exclude_glosses=["thankyou"])
    plain = open_dataset("islr", "train", **opts)
    train = open_dataset("islr", "train", other_data=["islr"], **opts)
    test = open_dataset("islr", "test", other_data="islr", **opts)
    other = open_dataset("islr", "train", layout="mp_hands42")
    assert plain.vocabulary == ["hello"]
    assert train.vocabulary == test.vocabulary == ["hello", OTHER]
    assert len(train) == len(plain) + len(other) and train.info["other_data"] == {"islr": len(other)}
    added = train.samples[len(plain):]
    assert {s.gloss for s in added} == {OTHER} and all(s.id.startswith("islr:") for s in added)
    assert all(s.signer.startswith("islr:") for s in added)
    assert added[0].sequence.layout.name == "mp_hands42" and added[0].sequence.data.shape[1] == 42
    assert OTHER not in {s.gloss for s in test.samples}  # evaluation keeps its own samples
    assert plain.samples[0].gloss == "hello"  # the wrapped copies, not the originals, were relabelled
    with pytest.raises(ConfigError, match="expected keypoints of layout 'mp_hands42'"):
        open_dataset("islr", "train", other_data=["rwth_boston104"], **opts)
    with pytest.raises(ConfigError, match="dataset name or a list of names"):
        open_dataset("islr", "train", other_data=[3], **opts)
