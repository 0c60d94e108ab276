"""The corpus readers in their publishers' layouts: WLASL (nslt_*.json and WLASL_v0.3.json) on the
real clips of ../shared/data/videos/wlasl, and AUTSL and LSA64 on small folders written here in
exactly their layouts from those real clips (said so: they are WLASL clips under AUTSL/LSA64 names).
MediaPipe runs once, on the shared clips; the fixtures reuse its outputs as the extraction cache."""

import json
import shutil
import warnings

import pytest

from signkit.errors import DataRootError, SignkitError
from signkit.kinds import open_dataset

WLASL_SPLIT = {"train": 17, "val": 7, "test": 2}


@pytest.fixture(scope="module")
def wlasl(data_root):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return open_dataset("wlasl", "all")


def _cached_pose(wlasl, video_id):
    from signkit.data.videos import default_cache

    from conftest import DATA

    base = DATA / "videos" / "wlasl"
    hit = sorted(default_cache(base, "mp_hands42").glob(f"*/{video_id}.pose"))
    assert hit, video_id
    return hit[0]


def test_wlasl_official_split_from_nslt(wlasl, data_root):
    ds = wlasl
    assert len(ds) == 26 and len(ds.vocabulary) == 12 and ds.info["split_file"] == "nslt_2000.json"
    assert ds.vocabulary[0] == "deaf"  # WLASL class 10, the lowest index present
    assert len(ds.info["missing"]) == 21095 - 26 and ds.info["failed"] == {}
    nslt = json.loads((data_root / "videos/wlasl/nslt_2000.json").read_text())
    for s in ds.samples:  # each clip cut to its entry's frame range (1-based, inclusive end)
        assert len(s.sequence) <= nslt[s.id]["action"][2]
    with pytest.warns(UserWarning, match=r"21069 of the 21095 entries of nslt_2000.json have no clip"):
        for split, n in WLASL_SPLIT.items():
            part = open_dataset("wlasl", split)
            assert len(part) == n and {s.sequence.meta["subset"] for s in part.samples} == {split}


def test_wlasl_v03_json_signers_and_absent_videos(tmp_path, wlasl):
    ids = {"deaf": ["14882", "14893"], "we": ["62780", "66755"]}
    for vids in ids.values():
        for v in vids:
            shutil.copy(_cached_pose(wlasl, v), tmp_path / f"{v}.pose")  # WLASL keypoints, by video id
    meta = [{"gloss": g, "instances": [{"video_id": v, "split": "train" if i == 0 else "test", "signer_id": 100 + i,
                                        "frame_start": 1, "frame_end": -1} for i, v in enumerate(vids)]}
            for g, vids in ids.items()]
    meta[1]["instances"].append({"video_id": "99999", "split": "test", "signer_id": 7, "frame_start": 1, "frame_end": -1})
    (tmp_path / "WLASL_v0.3.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match=r"1 of the 5 entries of WLASL_v0.3.json have no clip.*'99999'"):
        ds = open_dataset("wlasl", "all", path=str(tmp_path))
    assert len(ds) == 4 and ds.vocabulary == ["deaf", "we"] and ds.info["missing"] == ["99999"]
    assert {s.signer for s in ds.samples} == {"100", "101"}
    with pytest.warns(UserWarning):
        assert len(open_dataset("wlasl", "test", path=str(tmp_path))) == 2
    (tmp_path / "WLASL_v0.3.json").write_text('{"1": {"subset": "train", "action": [5, 1, 9]}}')
    with pytest.raises(DataRootError, match="expected wlasl_class_list.txt"):
        open_dataset("wlasl", "all", path=str(tmp_path))
    (tmp_path / "WLASL_v0.3.json").write_text("[{")
    with pytest.raises(DataRootError, match="not a readable JSON split file"):
        open_dataset("wlasl", "all", path=str(tmp_path))


def _layout_folder(tmp_path, wlasl, names: dict):
    """Copy real WLASL clips under other names; their MediaPipe outputs pre-fill the cache."""
    clips, cache = tmp_path / "clips", tmp_path / "cache"
    src = {s.id: s for s in wlasl.samples}
    for vid, rel in names.items():
        (clips / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src[vid].sequence.meta["path"], clips / rel)
        out = cache / rel.replace(".mp4", ".pose").replace("_depth.pose", "_depth.pose")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(_cached_pose(wlasl, vid), out)
    return clips, cache


def test_lsa64_layout_signers_and_split(tmp_path, wlasl):
    names = {"14882": "001_001_001.mp4", "14893": "001_002_001.mp4", "62780": "002_001_001.mp4",
             "66755": "002_002_001.mp4", "02233": "003_001_001.mp4", "02238": "003_002_002.mp4"}
    clips, cache = _layout_folder(tmp_path, wlasl, names)
    shutil.copy(_cached_pose(wlasl, "47183"), clips / "notes.pose")  # not an LSA64 name
    opts = {"path": str(clips), "cache": str(cache)}
    with pytest.warns(UserWarning, match=r"1 file\(s\) not named <sign>_<signer>_<rep> were skipped \(e.g. \['notes.pose'\]\)"):
        ds = open_dataset("lsa64", "all", **opts)
    assert len(ds) == 6 and ds.vocabulary == ["001", "002", "003"]
    assert sorted({s.signer for s in ds.samples}) == ["001", "002"]
    (tmp_path / "names.csv").write_text("001,Opaque\n002,Red\n003,Green\n")
    with pytest.warns(UserWarning):
        tr = open_dataset("lsa64", "train", **{**opts, "class_names": str(tmp_path / "names.csv")})
        te = open_dataset("lsa64", "test", **{**opts, "class_names": str(tmp_path / "names.csv")})
    assert {s.signer for s in tr.samples} == {"001"} and {s.signer for s in te.samples} == {"002"}
    assert len(tr) == 3 and len(te) == 3 and tr.vocabulary == ["Green", "Opaque", "Red"]
    with pytest.warns(UserWarning), pytest.raises(SignkitError, match=r"test signers \['009'\] have no clips"):
        open_dataset("lsa64", "test", **{**opts, "test_signers": ["9"]})


def test_autsl_layout_labels_and_official_split(tmp_path, wlasl):
    names = {"14882": "train/signer0_sample1_color.mp4", "62780": "train/signer0_sample2_color.mp4",
             "14893": "train/signer3_sample7_color.mp4", "66755": "test/signer5_sample1_color.mp4",
             "02233": "test/signer5_sample2_color.mp4"}
    clips, cache = _layout_folder(tmp_path, wlasl, names)
    # depth clips sit beside the colour ones and are never read (nor extracted: no cache entry for them)
    shutil.copy(clips / "train/signer0_sample1_color.mp4", clips / "train/signer0_sample1_depth.mp4")
    (clips / "train_labels.csv").write_text("signer0_sample1,0\nsigner0_sample2,1\nsigner3_sample7,0\nsigner9_sample9,1\n")
    (clips / "test_labels.csv").write_text("signer5_sample1,1\n")
    (clips / "SignList_ClassId_TR_EN.csv").write_text("ClassId,TR,EN\n0,sağır,deaf\n1,biz,we\n", encoding="utf-8")
    opts = {"path": str(clips), "cache": str(cache)}
    with pytest.warns(UserWarning, match=r"1 label rows without a clip skipped \(e.g. \['train/signer9_sample9'\]\)"):
        tr = open_dataset("autsl", "train", **opts)
    assert len(tr) == 3 and tr.vocabulary == ["deaf", "we"] and {s.signer for s in tr.samples} == {"0", "3"}
    with pytest.warns(UserWarning, match=r"1 clips without a label skipped \(e.g. \['test/signer5_sample2'\]\)"):
        te = open_dataset("autsl", "test", **opts)
    assert len(te) == 1 and te.samples[0].gloss == "we" and te.samples[0].signer == "5"
    assert not (cache / "train" / "signer0_sample1_depth.pose").exists()
    with pytest.raises(DataRootError, match="no label file for 'val'"):
        open_dataset("autsl", "val", **opts)
    (clips / "train_labels.csv").write_text("signer0_sample1,0\nsigner0_sample2\n")
    with pytest.raises(DataRootError, match="line 2 is \\['signer0_sample2'\\]"):
        open_dataset("autsl", "train", **opts)
