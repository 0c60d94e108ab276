"""Video -> keypoints on the real clips in ../shared/data/videos: extraction, formats, batch behaviour,
overlays, and recognition straight from video."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def signkit(*args, timeout=900):
    env = {**os.environ, "GLOG_minloglevel": "2"}
    return subprocess.run([sys.executable, "-m", "signkit.cli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture(scope="module")
def wlasl_kp(tmp_path_factory, data_root):
    """The 26 WLASL clips extracted once with MediaPipe Hands (2 worker processes)."""
    out = tmp_path_factory.mktemp("kp")
    r = signkit("extract", str(data_root / "videos/wlasl"), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def test_extract_finds_hands_in_most_wlasl_frames(wlasl_kp, data_root):
    from signkit.keypoints.formats import pose_to_sequence, read_pose

    files = sorted(wlasl_kp.rglob("*.pose"))
    clips = sorted((data_root / "videos/wlasl").glob("*/*.mp4"))
    assert len(files) == len(clips) == 26
    with_hand, total = 0, 0
    for f in files:
        seq = pose_to_sequence(read_pose(f), "mp_hands42")
        assert seq.data.shape[1:] == (42, 3)
        undetected = np.isnan(seq.data).all(axis=(1, 2))
        with_hand += int((~undetected).sum())
        total += len(seq)
        # undetected frames are masked NaN, never zeros
        assert not (seq.data[~undetected] == 0).all(axis=(1, 2)).any()
    assert with_hand / total > 0.5, f"hands in {with_hand}/{total} frames"


def test_pose_round_trip(wlasl_kp):
    import io

    from pose_format import Pose

    f = sorted(wlasl_kp.rglob("*.pose"))[0]
    pose = Pose.read(f.read_bytes())
    assert [c.name for c in pose.header.components] == ["LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS"]
    assert pose.header.dimensions.width > 0 and pose.body.fps > 0
    buf = io.BytesIO()
    pose.write(buf)
    back = Pose.read(buf.getvalue())
    assert np.allclose(back.body.data.filled(0), pose.body.data.filled(0))
    assert np.array_equal(back.body.confidence, pose.body.confidence)
    assert np.array_equal(np.ma.getmaskarray(back.body.data), np.ma.getmaskarray(pose.body.data))


def test_bad_videos_are_listed_and_the_batch_goes_on(tmp_path, data_root):
    src = tmp_path / "in"
    src.mkdir()
    good = data_root / "videos/wlasl/deaf/14882.mp4"
    (src / "good.mp4").symlink_to(good)
    (src / "zero.mp4").write_bytes(b"")
    (src / "truncated.mp4").write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    (src / "text.mp4").write_text("this is not a video\n" * 20)
    (src / "bird.mp4").symlink_to(data_root / "videos/no_person/cockatoo.mp4")
    r = signkit("extract", str(src), "--out", str(tmp_path / "out"), "--workers", "2")
    assert r.returncode == 1
    assert (tmp_path / "out/good.pose").is_file()
    assert "4 video(s) failed" in r.stderr
    assert "zero.mp4: " in r.stderr and "empty file (0 bytes)" in r.stderr
    assert "text.mp4: " in r.stderr and "not a readable video" in r.stderr
    assert "truncated.mp4: " in r.stderr and ("truncated" in r.stderr or "not a readable video" in r.stderr)
    assert "bird.mp4: " in r.stderr and "no hand detected in any of 280 frames" in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.pose"]


def test_killed_batch_resumes_without_loss_or_half_written_files(tmp_path, data_root):
    from signkit.keypoints.formats import read_pose

    src = tmp_path / "in"
    clips = sorted((data_root / "videos/wlasl").glob("*/*.mp4"))[:6]
    for c in clips:
        (src / c.parent.name).mkdir(parents=True, exist_ok=True)
        (src / c.parent.name / c.name).symlink_to(c)
    out = tmp_path / "out"
    env = {**os.environ, "GLOG_minloglevel": "2"}
    p = subprocess.Popen([sys.executable, "-m", "signkit.cli", "extract", str(src), "--out", str(out)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(out.rglob("*.pose"))) < 2:
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    first = sorted(out.rglob("*.pose"))
    assert 2 <= len(first) < 6, "the kill should land mid-batch"
    for f in first:
        read_pose(f)  # every file written before the kill is complete
    mtimes = {f: f.stat().st_mtime_ns for f in first}
    r = signkit("extract", str(src), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert f"skipped {len(first)} already done" in r.stdout
    final = sorted(f.relative_to(out).with_suffix(".mp4") for f in out.rglob("*.pose"))
    assert final == sorted(Path(c.parent.name) / c.name for c in clips)  # each video once, none lost
    assert not [f for f in out.rglob("*") if "part" in f.name]  # no temporary file is left behind
    final = sorted(out.rglob("*.pose"))
    assert all(f.stat().st_mtime_ns == t for f, t in mtimes.items())  # finished files were not redone
    for f in final:
        assert read_pose(f).body.data.shape[0] > 0
    # the killed-and-resumed batch is byte for byte the batch an uninterrupted run writes
    clean = tmp_path / "clean"
    r = signkit("extract", str(src), "--out", str(clean))
    assert r.returncode == 0, r.stderr
    resumed = {f.relative_to(out): f.read_bytes() for f in final}
    assert resumed == {f.relative_to(clean): f.read_bytes() for f in sorted(clean.rglob("*.pose"))}


def test_native_log_noise_is_filtered_unless_verbose(tmp_path, data_root):
    """MediaPipe's C++ glog warnings and TF Lite's banner reach fd 2 past GLOG_minloglevel; the CLI
    filters them (errors pass), ``--verbose`` shows them."""
    from signkit.native_logs import is_noise

    clip = sorted((data_root / "videos/wlasl").glob("*/*.mp4"))[0]
    env = {k: v for k, v in os.environ.items() if k not in ("GLOG_minloglevel", "SIGNKIT_VERBOSE")}
    quiet = subprocess.run([sys.executable, "-m", "signkit.cli", "extract", str(clip), "--out", str(tmp_path / "a")],
                           env=env, capture_output=True, text=True, timeout=300)
    loud = subprocess.run([sys.executable, "-m", "signkit.cli", "--verbose", "extract", str(clip), "--out",
                           str(tmp_path / "b")], env=env, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and loud.returncode == 0, quiet.stderr + loud.stderr
    noisy = [ln for ln in loud.stderr.splitlines() if is_noise(ln.encode() + b"\n")]
    assert noisy, "MediaPipe printed nothing to filter: the test would prove nothing"
    assert quiet.stderr.strip() == "", quiet.stderr
    assert (tmp_path / "a" / clip.with_suffix(".pose").name).read_bytes() == \
        (tmp_path / "b" / clip.with_suffix(".pose").name).read_bytes()
    assert not is_noise(b"E0000 00:00:1796190556.567095    2272 calculator_graph.cc:892] INTERNAL: failed\n")
    assert is_noise(b"[W1205 11:36:02.813121833 shape_type_inference.cpp:1994] Warning: The shape inference of "
                    b"prim::PackPadded type is missing\n")  # torch's c10 warning from the ONNX exporter
    assert not is_noise(b"[E1205 11:36:02.813121833 shape_type_inference.cpp:1994] an error\n")
    assert not is_noise(b"error: a.mp4: not a readable video\n")


def test_read_pose_samples(data_root):
    from signkit.keypoints.formats import pose_to_sequence, read_pose

    d = data_root / "pose_samples"
    full = pose_to_sequence(read_pose(d / "6fb01565da31c5500d1ef2cd2906b06b.pose"))
    assert full.layout.name == "sign_body57" and full.data.shape == (5, 57, 3)
    reduced = pose_to_sequence(read_pose(d / "mediapipe.pose"))  # 8 body points: no nose -> body + hands
    assert reduced.layout.name == "body_hands50" and reduced.data.shape == (170, 50, 2)
    assert pose_to_sequence(read_pose(d / "mediapipe.pose"), "mp_hands42").data.shape == (170, 42, 3)
    op = pose_to_sequence(read_pose(d / "openpose.pose"), "native")
    assert op.data.shape == (93, 137, 2)
    from signkit.errors import LayoutMismatchError

    with pytest.raises(LayoutMismatchError, match="needs joints missing from the file"):
        pose_to_sequence(read_pose(d / "openpose.pose"), "sign_body57")


def test_islr_parquet(tmp_path, data_root):
    import pandas as pd

    from signkit.keypoints.formats import read_islr_parquet

    real = read_islr_parquet(data_root / "islr_sample/kaggle_reconstructed/635217.parquet")
    assert real.data.shape == (7, 57, 3) and real.meta["frames"] == list(range(22, 29))
    lay = real.layout
    left = [i for i, j in enumerate(lay.joints) if j.startswith("LEFT_HAND")]
    right = [i for i, j in enumerate(lay.joints) if j.startswith("RIGHT_HAND")]
    assert np.isnan(real.data[:, left]).all()  # the competition file's missing left hand stays NaN
    assert not np.isnan(real.data[:, right]).all()
    files = sorted((data_root / "islr_sample/train_landmark_files").rglob("*.parquet"))
    assert len(files) == 48
    one = read_islr_parquet(files[0], "mp_hands42")
    assert one.data.shape == (1, 42, 3)
    # a multi-frame file made by stacking real frames, with a part blanked
    df = pd.concat([pd.read_parquet(f).assign(frame=k) for k, f in enumerate(files[:3])])
    df.loc[(df["frame"] == 1) & (df["type"] == "right_hand"), ["x", "y", "z"]] = np.nan
    df.to_parquet(tmp_path / "multi.parquet")
    multi = read_islr_parquet(tmp_path / "multi.parquet", "mp_hands42")
    assert multi.data.shape == (3, 42, 3) and np.isnan(multi.data[1, 21:]).all()
    bad = df[df["type"] != "face"]
    bad.to_parquet(tmp_path / "bad.parquet")
    from signkit.errors import KeypointFileError

    with pytest.raises(KeypointFileError, match="expected 543 landmarks per frame"):
        read_islr_parquet(tmp_path / "bad.parquet")


def test_show_draws_an_overlay(wlasl_kp, tmp_path, data_root):
    from PIL import Image

    f = wlasl_kp / "deaf/14882.pose"
    r = signkit("show", str(f), "--video", str(data_root / "videos/wlasl/deaf/14882.mp4"), "--out",
                str(tmp_path / "o.png"))
    assert r.returncode == 0, r.stderr
    im = np.asarray(Image.open(tmp_path / "o.png").convert("RGB"))  # a palette PNG
    assert im.ndim == 3 and im.shape[0] > 100
    # the bones are drawn in saturated colours that the video frames do not contain this much of
    red = (im[..., 0] > 200) & (im[..., 1] < 100) & (im[..., 2] < 100)
    assert red.sum() > 20
    r = signkit("show", str(f), "--out", str(tmp_path / "o.gif"))
    assert r.returncode == 0 and (tmp_path / "o.gif").stat().st_size > 1000


def test_videos_dataset_trains_and_predicts_from_video(wlasl_kp, tmp_path, data_root):
    wl = data_root / "videos/wlasl"
    r = signkit("train", "model.name=gru", "data.name=videos", f"data.options.path={wl}",
                f"data.options.cache={wlasl_kp}", "data.num_frames=32", "data.val_fraction=0", "train.epochs=1",
                f"output_dir={tmp_path}", "name=wlasl", "train.progress=lines")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    ckpt = next((tmp_path / "wlasl").iterdir()) / "model.safetensors"
    m = json.loads((ckpt.parent / "test_metrics.json").read_text())
    assert m["n"] >= 12
    r = signkit("predict", str(ckpt), str(sorted(wl.glob("we/*.mp4"))[0]), "--json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)
    assert len(top) == 5 and {t["gloss"] for t in top} <= {p.name for p in wl.iterdir() if p.is_dir()}


def test_handedness_is_the_signers(data_root, tmp_path):
    """MediaPipe Hands labels hands as if the image were mirrored; signkit swaps its labels so that
    they agree with Holistic, which assigns hands from the body pose (the signer's own left/right)."""
    from signkit.keypoints.formats import pose_to_sequence
    from signkit.video import extract_pose

    clip = data_root / "videos/misc/pose_format_test_video.mp4"
    hands = pose_to_sequence(extract_pose(clip, "hands"), "mp_hands42").data
    body = pose_to_sequence(extract_pose(clip, "holistic"), "sign_body57").data

    def seen(block):
        return int((~np.isnan(block).all(axis=(1, 2))).sum())

    assert seen(body[:, 32:53]) > 10 and seen(body[:, 11:32]) == 0  # Holistic: the signer's right hand signs
    assert seen(hands[:, 21:]) > 10 and seen(hands[:, :21]) <= 2   # Hands, swapped: the same hand


def test_extraction_guards_outputs(tmp_path, data_root):
    """Two inputs with one output name fail before any work; files signkit did not make are never
    removed; a second extraction into a folder in use is refused; an invalid existing output is redone."""
    clips = sorted((data_root / "videos/wlasl").glob("*/*.mp4"))[:2]
    for d, clip in zip(("a", "b"), clips):  # two different videos with the same file name
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.mp4").write_bytes(clip.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / ".notes.part").write_text("mine")
    (out / "keep.part").write_text("mine too")
    r = signkit("extract", str(tmp_path / "a" / "same.mp4"), str(tmp_path / "b" / "same.mp4"), "--out", str(out))
    assert r.returncode == 2 and "would be written by more than one input" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [".notes.part", "keep.part"]  # nothing written, nothing removed
    (out / "same.pose").write_bytes(b"half a file")  # not a finished output: extracted again, not skipped
    from signkit.video.extract import _folder_lock

    with _folder_lock(out):
        r = signkit("extract", str(tmp_path / "a"), "--out", str(out))
        assert r.returncode == 2 and "another signkit extraction is writing to" in r.stderr
    r = signkit("extract", str(tmp_path / "a"), "--out", str(out))
    assert r.returncode == 0 and "extracted 1 video(s)" in r.stdout and "skipped 0" in r.stdout, r.stderr
    from signkit.keypoints.formats import read_pose

    assert read_pose(out / "same.pose").body.data.shape[0] > 0
    assert (out / ".notes.part").read_text() == "mine" and (out / "keep.part").is_file()


def test_holistic_batch_output_does_not_depend_on_the_previous_video(tmp_path, data_root):
    """Pooled MediaPipe Holistic graphs are restarted between videos: a clip extracted after two
    others in one batch is byte for byte the clip extracted alone (so resumed batches and any worker
    order give the same files)."""
    clips = sorted((data_root / "videos/wlasl").glob("*/*.mp4"))[:3]
    src = tmp_path / "in"
    for c in clips:
        (src / c.parent.name).mkdir(parents=True, exist_ok=True)
        (src / c.parent.name / c.name).symlink_to(c)
    r = signkit("extract", str(src), "--out", str(tmp_path / "batch"), "--layout", "holistic")
    assert r.returncode == 0, r.stderr
    last = clips[-1]
    r = signkit("extract", str(last), "--out", str(tmp_path / "alone"), "--layout", "holistic")
    assert r.returncode == 0, r.stderr
    batch = (tmp_path / "batch" / last.parent.name / last.with_suffix(".pose").name).read_bytes()
    assert batch == (tmp_path / "alone" / last.with_suffix(".pose").name).read_bytes()
