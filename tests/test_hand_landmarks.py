"""MediaPipe Hands on real still images: detection, normalisation, the landmark and hand-crop views."""

import numpy as np
import pytest

from signkit.kinds import open_dataset as load_dataset
from signkit.data.landmarks import hand_box, normalise_landmarks
from signkit.video.hands import HandDetector
from signkit.errors import SignkitError, UnknownNameError


@pytest.fixture(scope="module")
def letters(data_root):
    return load_dataset("silfa_letters", "test")


def test_detector_on_real_frames(letters):
    with HandDetector() as det:
        out = det.detect(letters.image(0))
        assert out is not None
        lm, hand, score = out
        h, w = letters.image(0).shape[:2]
        assert lm.shape == (21, 3) and hand in (-1, 1) and 0.5 <= score <= 1
        assert (lm[:, 0] >= -5).all() and (lm[:, 0] <= w + 5).all() and (lm[:, 1] <= h + 5).all()
        # a uniform image has no hand; grayscale (H, W) input is accepted
        assert det.detect(np.full((120, 160, 3), 128, np.uint8)) is None
        assert det.detect(np.full((120, 160), 128, np.uint8)) is None
        with pytest.raises(SignkitError, match="uint8"):
            det.detect(np.zeros((50, 50, 3), np.float32))


def test_normalisation_position_scale_handedness():
    rng = np.random.default_rng(0)
    lm = rng.uniform(0, 300, (2, 21, 3)).astype(np.float32)
    n = normalise_landmarks(lm, np.array([1, -1]), mirror_left=True)
    assert np.allclose(n[:, 0], 0, atol=1e-6)  # wrist at the origin
    assert np.allclose(np.linalg.norm(n[:, 9, :2], axis=-1), 1, atol=1e-5)  # wrist-middle MCP = 1
    moved = normalise_landmarks(lm * 3 + 40, np.array([1, -1]), mirror_left=True)  # shift and scale
    assert np.allclose(moved, n, atol=1e-4)
    mirrored_input = lm.copy()
    mirrored_input[1, :, 0] *= -1  # the left hand's mirror image, labelled right
    m2 = normalise_landmarks(mirrored_input, np.array([1, 1]))
    assert np.allclose(m2[1], n[1], atol=1e-4)
    with pytest.raises(SignkitError, match=r"\(\.\.\., 21, 3\)"):
        normalise_landmarks(np.zeros((5, 20, 3)), 1)


def test_landmark_and_hand_crop_views(letters):
    lv = load_dataset("silfa_letters", "test", view="landmarks")
    assert lv.kind == "landmarks" and lv.info["images"] == len(letters)
    assert len(lv) + len(lv.info["no_hand"]) == len(letters) and len(lv) > 0.9 * len(letters)
    item = lv[0]
    assert item["x"].shape == (21, 3) and abs(float(item["x"][0].abs().sum())) < 1e-6
    cv = load_dataset("silfa_letters", "test", view="hand_crop")
    crop, full = cv.image(0), letters.image(0)
    assert crop.shape[0] == crop.shape[1] and crop.shape[0] < full.shape[0]  # a square around the hand
    box = cv.crop_boxes[cv.samples[0].id]
    assert box is not None and 0 <= box[0] < box[2] <= full.shape[1] and 0 <= box[1] < box[3] <= full.shape[0]
    assert (crop == full[box[1]:box[3], box[0]:box[2]]).all()
    assert cv.subset([0, 1]).image(0).shape == crop.shape  # the view survives subsets
    with pytest.raises(UnknownNameError, match="hand_crop"):
        load_dataset("silfa_letters", "test", view="pixels")
    with pytest.raises(SignkitError, match="image dataset"):
        load_dataset("fpha", "test", view="landmarks")
    with pytest.raises(SignkitError, match="positive"):
        load_dataset("silfa_letters", "train", per_class=0)
    few = load_dataset("silfa_letters", "train", per_class=3)
    assert len(few) == 3 * len(few.vocabulary) and np.bincount(few.labels).max() == 3


def test_hand_box_is_clipped():
    lm = np.array([[5, 5, 0], [30, 40, 0]] + [[10, 10, 0]] * 19, np.float32)
    x0, y0, x1, y1 = hand_box(lm, width=32, height=32)
    assert 0 <= x0 < x1 <= 32 and 0 <= y0 < y1 <= 32


def test_highest_hand_is_the_signing_hand(letters):
    """SILFA's signer rests her other hand low in the frame; on letter X MediaPipe's most confident
    hand ("first") is often that resting hand, while "highest" takes the raised, fingerspelling hand."""
    idx = [i for i, s in enumerate(letters.samples) if s.gloss == "X"]
    h = letters.image(idx[0]).shape[0]
    mean_y = {}
    for hand in ("first", "highest"):
        with HandDetector(hand=hand) as det:
            dets = [det.detect(letters.image(i)) for i in idx]
        assert all(d is not None for d in dets)
        mean_y[hand] = np.array([d[0][:, 1].mean() / h for d in dets])
    assert (mean_y["first"] > 0.7).sum() >= len(idx) // 2  # the resting hand, near the bottom edge
    assert (mean_y["highest"] < 0.7).all()
    crops = load_dataset("silfa_letters", "test", view="hand_crop", hand="highest")
    assert crops.info["hand"] == "highest"
    with pytest.raises(SignkitError, match="highest"):
        HandDetector(hand="left")
    with pytest.raises(SignkitError, match="highest"):
        load_dataset("silfa_letters", "test", view="landmarks", hand="biggest")


def test_exclude_glosses(letters):
    static = load_dataset("silfa_letters", "test", exclude_glosses=["J", "Z"])
    assert static.vocabulary == [g for g in letters.vocabulary if g not in ("J", "Z")] and len(static.vocabulary) == 24
    n_jz = sum(s.gloss in ("J", "Z") for s in letters.samples)
    assert len(static) == len(letters) - n_jz and n_jz == 51  # J 26 + Z 25 test frames
    assert static.labels.max() == 23 and static.info["excluded_glosses"] == ["J", "Z"]
    with pytest.raises(UnknownNameError, match="not in the vocabulary"):
        load_dataset("silfa_letters", "test", exclude_glosses=["Ñ"])
