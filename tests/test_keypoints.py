"""Layouts, the sequence type and transforms, on real FPHA and RWTH-BOSTON-104 sequences."""

import numpy as np
import pytest
import torch

from signkit.errors import LayoutMismatchError, UnknownNameError
from signkit.keypoints import (BOSTON104_TRACK3, FPHA_HAND21, MEDIAPIPE_HAND21, KeypointSequence, Mirror, Normalize,
                               RandomAffine, RandomSpeed, RandomTemporalCrop, Resample, build_transforms, get_layout,
                               pad_batch)


@pytest.mark.parametrize("layout", [FPHA_HAND21, MEDIAPIPE_HAND21])
def test_hand_layouts_have_five_fingers_of_four_joints(layout):
    assert layout.num_joints == 21 and layout.dims == 3
    assert list(layout.fingers) == ["thumb", "index", "middle", "ring", "pinky"]
    joints = sorted(j for chain in layout.fingers.values() for j in chain)
    assert joints == list(range(1, 21))  # every joint but the wrist in exactly one finger
    assert len(layout.bones) == 20  # a tree over 21 joints
    assert layout.joints[layout.root].lower() == "wrist"


def test_fpha_finger_tips_are_named_tips():
    tips = [FPHA_HAND21.joints[c[-1]] for c in FPHA_HAND21.fingers.values()]
    assert tips == ["TTIP", "ITIP", "MTIP", "RTIP", "PTIP"]
    mp_tips = [MEDIAPIPE_HAND21.joints[c[-1]] for c in MEDIAPIPE_HAND21.fingers.values()]
    assert all(t.endswith("_TIP") for t in mp_tips)


def test_boston_layout_pairs_and_unknown_layout():
    assert BOSTON104_TRACK3.lr_pairs == ((0, 1),)
    assert BOSTON104_TRACK3.joints[BOSTON104_TRACK3.root] == "nose"
    with pytest.raises(UnknownNameError, match="expected one of"):
        get_layout("openpose_137")


def test_sequence_rejects_wrong_joint_count():
    with pytest.raises(LayoutMismatchError, match=r"expects \(T, 21, 3\).*J=20"):
        KeypointSequence(np.zeros((5, 20, 3)), "fpha_hand21")


def test_normalize_centres_on_wrist_and_scales_by_hand_size(fpha_train):
    seq = fpha_train.samples[0].sequence
    out = Normalize()(seq)
    assert np.allclose(out.data[:, 0].mean(0), 0, atol=1e-4)  # mean wrist at the origin
    hand = np.linalg.norm(out.data[:, 0] - out.data[:, 3], axis=-1).mean()
    assert hand == pytest.approx(1.0, rel=1e-4)  # wrist -> middle MCP is the unit
    per_frame = Normalize(per_frame=True)(seq)
    assert np.allclose(per_frame.data[:, 0], 0, atol=1e-5)


def test_resample_keeps_endpoints_and_duration(fpha_train):
    seq = fpha_train.samples[3].sequence
    out = Resample(16)(seq)
    assert out.data.shape == (16, 21, 3) and out.mask.all()
    assert np.allclose(out.data[0], seq.data[0]) and np.allclose(out.data[-1], seq.data[-1])
    assert out.duration == pytest.approx(seq.duration, rel=1e-6)


def test_random_augmentations_are_seeded_and_bounded(fpha_train):
    seq = Normalize()(fpha_train.samples[5].sequence)
    crop = RandomTemporalCrop(0.5)(seq, np.random.default_rng(0))
    assert len(seq) // 2 - 1 <= len(crop) <= len(seq)
    fast = RandomSpeed(2.0, 2.0)(seq, np.random.default_rng(0))
    assert abs(len(fast) - len(seq) / 2) <= 1
    rot = RandomAffine(rotation=30, scale=(1, 1), shift=0, jitter=0)
    a, b = rot(seq, np.random.default_rng(1)), rot(seq, np.random.default_rng(1))
    assert np.array_equal(a.data, b.data)
    assert not np.allclose(a.data, seq.data)
    # a rotation keeps every distance between joints
    d0 = np.linalg.norm(seq.data[:, 0] - seq.data[:, 20], axis=-1)
    d1 = np.linalg.norm(a.data[:, 0] - a.data[:, 20], axis=-1)
    assert np.allclose(d0, d1, atol=1e-4)


def test_mirror_swaps_left_and_right_hands(data_root):
    from signkit.data import load_boston104

    seq = load_boston104("train").samples[0].sequence
    m = Mirror(p=1.0)(seq, np.random.default_rng(0))
    assert np.allclose(m.data[:, 0, 0], -seq.data[:, 1, 0]) and np.allclose(m.data[:, 1, 1], seq.data[:, 0, 1])


def test_mirroring_twice_is_the_identity_and_swaps_whole_body_hands(data_root):
    """On real ISLR whole-body frames: a mirror swaps every left/right pair of sign_body57 (hands,
    shoulders, eyes, mouth corners), and mirroring twice gives the input back."""
    from signkit.data import load_dataset

    seq = next(s.sequence for s in load_dataset("islr", split="all").samples if len(s.sequence) > 10)
    lay = seq.layout
    once = Mirror(p=1.0)(seq, np.random.default_rng(0))
    twice = Mirror(p=1.0)(once, np.random.default_rng(0))
    assert np.array_equal(twice.data, seq.data, equal_nan=True)
    lw, rw = lay.index("LEFT_HAND_LANDMARKS.WRIST"), lay.index("RIGHT_HAND_LANDMARKS.WRIST")
    assert (lw, rw) in lay.lr_pairs or (rw, lw) in lay.lr_pairs
    assert np.array_equal(once.data[:, lw, 0], -seq.data[:, rw, 0], equal_nan=True)
    assert np.array_equal(once.data[:, rw, 1:], seq.data[:, lw, 1:], equal_nan=True)
    ls, rs = lay.index("POSE_LANDMARKS.LEFT_SHOULDER"), lay.index("POSE_LANDMARKS.RIGHT_SHOULDER")
    assert np.array_equal(once.data[:, ls, 1], seq.data[:, rs, 1])
    assert len(lay.lr_pairs) >= 25  # 21 hand joints + shoulders, elbows, wrists, hips, eyes, ...


def test_pad_batch_masks_padding(fpha_train):
    seqs = [fpha_train.samples[i].sequence for i in range(4)]
    x, mask = pad_batch(seqs)
    lengths = [len(s) for s in seqs]
    assert x.shape == (4, max(lengths), 21, 3) and x.dtype == torch.float32
    assert mask.sum(1).tolist() == lengths
    assert torch.all(x[~mask] == 0)


def test_build_transforms_eval_is_deterministic(fpha_train):
    tf = build_transforms({"num_frames": 32, "augment": {"rotation": 20}}, train=False)
    seq = fpha_train.samples[0].sequence
    assert np.array_equal(tf(seq, np.random.default_rng(0)).data, tf(seq, np.random.default_rng(1)).data)


def test_npz_round_trip(tmp_path, fpha_train):
    seq = fpha_train.samples[0].sequence
    seq.save_npz(tmp_path / "a.npz")
    back = KeypointSequence.load_npz(tmp_path / "a.npz")
    assert back.layout is FPHA_HAND21 and np.array_equal(back.data, seq.data) and back.fps == seq.fps
