"""Every .pose file of pose-format's own tests (../shared/data/pose_samples) read into a layout that
keeps its points; OpenPose per-frame JSON; OpenPose and MediaPipe onto one body+hands layout; the
dominant-hand estimate against pose-format's expected labels."""

import json

import numpy as np
import pytest

from signkit.keypoints import KeypointSequence
from signkit.keypoints.dominant import estimate_dominant_hand, mirror_to
from signkit.keypoints.formats import pose_to_sequence, read_openpose_json, read_pose

EXPECTED = {  # file -> (layout, points kept)
    "0ff215ef4f1f111e217e2cefee0adc77.pose": ("sign_body57", 57), "6fb01565da31c5500d1ef2cd2906b06b.pose": ("sign_body57", 57),
    "7731febd6afbbe90f806a4434c282016.pose": ("sign_body57", 57), "7bd6dd48722def3cf84258b96371cb1e.pose": ("sign_body57", 57),
    "84322c38ff23406f222641da30d0a49b.pose": ("sign_body57", 57), "mediapipe.pose": ("body_hands50", 50),
    "mediapipe_long.pose": ("body_hands50", 50), "mediapipe_hand_normalized.pose": ("mediapipe_hand21", 21),
    "mediapipe_long_hand_normalized.pose": ("mediapipe_hand21", 21), "openpose.pose": ("openpose137", 137),
    "pose_viewer_example.pose": ("openpose137", 137)}
# pose-format's tests/hand_estimation_test.py, REAL_POSE_CASES (sign-language-processing/pose)
ACTIVE_HAND = {"84322c38ff23406f222641da30d0a49b.pose": "LEFT", "7731febd6afbbe90f806a4434c282016.pose": "RIGHT",
               "6fb01565da31c5500d1ef2cd2906b06b.pose": "RIGHT", "7bd6dd48722def3cf84258b96371cb1e.pose": "LEFT",
               "0ff215ef4f1f111e217e2cefee0adc77.pose": "RIGHT"}


def test_every_pose_sample_reads_into_a_layout(data_root):
    files = sorted(p.name for p in (data_root / "pose_samples").glob("*.pose"))
    assert len(files) >= 10 and set(files) <= set(EXPECTED)
    for name in files:
        pose = read_pose(data_root / "pose_samples" / name)
        seq = pose_to_sequence(pose, path=name)
        layout, points = EXPECTED[name]
        assert (seq.layout.name, seq.data.shape[1]) == (layout, points), name
        assert len(seq) == pose.body.data.shape[0]
        # every point the file has for the layout's joints is kept, where it was detected
        conf = np.asarray(pose.body.confidence)[:, 0]
        assert np.isfinite(seq.data[..., 0]).sum() == (seq.meta["confidence"] > 0).sum() > 0, name
        assert conf.shape[0] == len(seq)
    one = pose_to_sequence(read_pose(data_root / "pose_samples/mediapipe_hand_normalized.pose"))
    assert one.meta["hand"] == "RIGHT"


def test_openpose_and_mediapipe_share_the_body_hands_layout(data_root):
    d = data_root / "pose_samples"
    op, mp = read_pose(d / "openpose.pose"), read_pose(d / "mediapipe.pose")
    a, b = pose_to_sequence(op, "body_hands50"), pose_to_sequence(mp, "body_hands50")
    assert a.layout is b.layout and a.data.shape[1:] == b.data.shape[1:] == (50, 2)
    full = pose_to_sequence(op, "openpose137")
    j = full.layout.joints
    # MediaPipe's LEFT_WRIST is OpenPose's LWrist; the hands keep their order (wrist = BASE)
    assert np.array_equal(a.data[:, 4], full.data[:, j.index("pose_keypoints_2d.LWrist")], equal_nan=True)
    assert np.array_equal(a.data[:, 29], full.data[:, j.index("hand_right_keypoints_2d.BASE")], equal_nan=True)
    mfull = pose_to_sequence(mp, "mp_hands42")
    assert np.allclose(b.data[:, 8:], mfull.data[..., :2], equal_nan=True)


def test_openpose_json_folders(tmp_path, data_root):
    """OpenPose's per-frame JSON (WLASL's published keypoints take this form), written here from the
    real openpose.pose sample: reading it back gives the same points."""
    from signkit.errors import KeypointFileError
    from signkit.inference import read_input
    from signkit.keypoints.layouts import OPENPOSE_COMPONENTS

    pose = read_pose(data_root / "pose_samples/openpose.pose")
    data, conf = np.asarray(pose.body.data.filled(0)), np.asarray(pose.body.confidence)
    for t in range(len(data)):
        person, off = {}, 0
        for comp, pts in OPENPOSE_COMPONENTS:
            arr = np.concatenate([data[t, 0, off : off + len(pts)], conf[t, 0, off : off + len(pts), None]], 1)
            person[comp] = arr.ravel().tolist()
            off += len(pts)
        people = [] if t == 5 else [person]  # a frame where nobody was found
        (tmp_path / f"clip_{t:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": people}))
    seq = read_input(tmp_path)
    ref = pose_to_sequence(pose, "openpose137")
    assert seq.layout.name == "openpose137" and not seq.mask[5]
    keep = np.arange(len(ref)) != 5
    assert np.array_equal(seq.data[keep], ref.data[keep], equal_nan=True)
    (tmp_path / f"clip_{999:012d}_keypoints.json").write_text('{"people": [{"pose_keypoints_2d": [1, 2]}]}')
    with pytest.raises(KeypointFileError, match="pose_keypoints_2d has 2 finite values; expected 75"):
        read_openpose_json(tmp_path)
    (tmp_path / f"clip_{999:012d}_keypoints.json").write_bytes(b"\x00\xff")
    with pytest.raises(KeypointFileError, match="not an OpenPose keypoints file"):
        read_openpose_json(tmp_path)


@pytest.mark.parametrize("name", sorted(ACTIVE_HAND))
def test_dominant_hand_agrees_with_pose_format(name, data_root):
    from pose_format.utils.hand import estimate_active_hand

    pose = read_pose(data_root / "pose_samples" / name)
    want = ACTIVE_HAND[name]
    for layout in ("sign_body57", "mp_hands42", "body_hands50"):
        seq = pose_to_sequence(pose, layout)
        assert estimate_dominant_hand(seq) == want, layout
        other = "LEFT" if want == "RIGHT" else "RIGHT"
        flipped = mirror_to(seq, other)  # mirrored signing: the estimate follows
        assert estimate_dominant_hand(flipped) == other
        assert mirror_to(seq, want) is seq
    assert estimate_active_hand(pose) == want  # the peer agrees too, on the same file


def test_dominant_hand_without_two_hands():
    seq = KeypointSequence(np.zeros((4, 21, 3), np.float32), "fpha_hand21")
    assert estimate_dominant_hand(seq) is None
    with pytest.raises(ValueError, match="must be 'left' or 'right'"):
        mirror_to(seq, "up")


def test_pickles_are_refused_unread(tmp_path):
    """OpenHands ships poses as pickles: signkit never unpickles (it would run the file's code)."""
    import pickle

    from signkit.errors import KeypointFileError
    from signkit.inference import read_input

    marker = tmp_path / "ran"
    f = tmp_path / "poses.pkl"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    f.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(KeypointFileError, match="pickle files are never read"):
        read_input(f)
    assert not marker.exists()
