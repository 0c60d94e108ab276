"""Named keypoint layouts: joint names, bones, finger groups and left/right pairs.

A layout fixes the meaning of the ``J`` axis of a ``(T, J, C)`` keypoint array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UnknownNameError


@dataclass(frozen=True)
class Layout:
    """A keypoint layout.

    Attributes:
        name: registry name, e.g. ``"fpha_hand21"``.
        joints: joint names, in array order (length ``J``).
        dims: coordinates per joint ``C`` (2 for image tracks, 3 for 3D hands).
        bones: pairs of joint indices drawn as the skeleton.
        fingers: finger name -> joint indices from the base to the tip (wrist excluded).
        lr_pairs: (left, right) joint index pairs swapped by a mirror.
        root: index of the reference joint for centring (e.g. the wrist).
        scale_pair: two joint indices whose distance normalises scale, or None.
        units: coordinate units of the source (``"mm"``, ``"pixels"``).
        source: where the joint order comes from.
    """

    name: str
    joints: tuple[str, ...]
    dims: int
    bones: tuple[tuple[int, int], ...] = ()
    fingers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    lr_pairs: tuple[tuple[int, int], ...] = ()
    root: int = 0
    scale_pair: tuple[int, int] | None = None
    units: str = ""
    source: str = ""

    @property
    def num_joints(self) -> int:
        return len(self.joints)

    def index(self, joint: str) -> int:
        """Index of a joint by name; raises UnknownNameError listing the names."""
        try:
            return self.joints.index(joint)
        except ValueError:
            raise UnknownNameError(
                f"joint {joint!r} is not in layout {self.name!r}; expected one of {list(self.joints)}"
            ) from None

    def __hash__(self) -> int:
        return hash(self.name)


def _chain_bones(root: int, fingers: dict[str, tuple[int, ...]]) -> tuple[tuple[int, int], ...]:
    bones = []
    for chain in fingers.values():
        prev = root
        for j in chain:
            bones.append((prev, j))
            prev = j
    return tuple(bones)


# FPHA (Garcia-Hernando et al., CVPR 2018): wrist, MCPs, PIPs, DIPs, TIPs, each thumb -> pinky.
_FPHA_JOINTS = ("Wrist", "TMCP", "IMCP", "MMCP", "RMCP", "PMCP", "TPIP", "IPIP", "MPIP", "RPIP",
                "PPIP", "TDIP", "IDIP", "MDIP", "RDIP", "PDIP", "TTIP", "ITIP", "MTIP", "RTIP", "PTIP")
_FPHA_FINGERS = {f: (1 + i, 6 + i, 11 + i, 16 + i)
                 for i, f in enumerate(("thumb", "index", "middle", "ring", "pinky"))}

FPHA_HAND21 = Layout(
    name="fpha_hand21", joints=_FPHA_JOINTS, dims=3, fingers=_FPHA_FINGERS,
    bones=_chain_bones(0, _FPHA_FINGERS), root=0, scale_pair=(0, 3), units="mm",
    source="FPHA Hand_pose_annotation_v1 joint order (Garcia-Hernando et al. 2018)",
)

# MediaPipe Hands (Zhang et al. 2020): wrist, then 4 joints per finger from thumb to pinky.
_MP_NAMES = ["WRIST"]
for _f, _parts in (("THUMB", ("CMC", "MCP", "IP", "TIP")), ("INDEX_FINGER", ("MCP", "PIP", "DIP", "TIP")),
                   ("MIDDLE_FINGER", ("MCP", "PIP", "DIP", "TIP")), ("RING_FINGER", ("MCP", "PIP", "DIP", "TIP")),
                   ("PINKY", ("MCP", "PIP", "DIP", "TIP"))):
    _MP_NAMES += [f"{_f}_{p}" for p in _parts]
_MP_FINGERS = {f: tuple(range(1 + 4 * i, 5 + 4 * i))
               for i, f in enumerate(("thumb", "index", "middle", "ring", "pinky"))}

MEDIAPIPE_HAND21 = Layout(
    name="mediapipe_hand21", joints=tuple(_MP_NAMES), dims=3, fingers=_MP_FINGERS,
    bones=_chain_bones(0, _MP_FINGERS), root=0, scale_pair=(0, 9), units="normalised image",
    source="MediaPipe Hands HandLandmark enum order",
)

# RWTH-BOSTON-104 tracks (Dreuw et al. 2007): 2D pixel positions in 195x165 frames.
BOSTON104_TRACK3 = Layout(
    name="boston104_track3", joints=("left_hand", "right_hand", "nose"), dims=2,
    bones=((0, 2), (1, 2)), lr_pairs=((0, 1),), root=2, scale_pair=None, units="pixels",
    source="RWTH-BOSTON-104 hand positions (left hand, right hand, nose)",
)

LAYOUTS: dict[str, Layout] = {l.name: l for l in (FPHA_HAND21, MEDIAPIPE_HAND21, BOSTON104_TRACK3)}


def get_layout(name: str | Layout) -> Layout:
    """Return a registered layout by name; raises UnknownNameError listing the known names."""
    if isinstance(name, Layout):
        return name
    try:
        return LAYOUTS[name]
    except KeyError:
        raise UnknownNameError(f"unknown layout {name!r}; expected one of {sorted(LAYOUTS)}") from None


def register_layout(layout: Layout) -> Layout:
    """Add a user layout to the registry (e.g. for a folder dataset of custom keypoints)."""
    LAYOUTS[layout.name] = layout
    return layout


# --- MediaPipe video layouts: joint names are "<pose-format component>.<point>" -----------------------
# Component and point names follow pose-format's MediaPipe Holistic header (POSE_LANDMARKS with
# BlazePose names, LEFT_/RIGHT_HAND_LANDMARKS with HandLandmark names, FACE_LANDMARKS "0".."467"),
# so a layout maps onto any .pose file by name. LEFT/RIGHT are the signer's own hands.
_HAND_POINTS = ["WRIST"] + [n for n in _MP_NAMES[1:]]
_POSE33 = ("NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE", "RIGHT_EYE_OUTER",
           "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT", "LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW",
           "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST", "LEFT_PINKY", "RIGHT_PINKY", "LEFT_INDEX", "RIGHT_INDEX",
           "LEFT_THUMB", "RIGHT_THUMB", "LEFT_HIP", "RIGHT_HIP", "LEFT_KNEE", "RIGHT_KNEE", "LEFT_ANKLE",
           "RIGHT_ANKLE", "LEFT_HEEL", "RIGHT_HEEL", "LEFT_FOOT_INDEX", "RIGHT_FOOT_INDEX")


def _hand_block(offset: int) -> tuple[tuple[int, int], ...]:
    return tuple((a + offset, b + offset) for a, b in _chain_bones(0, _MP_FINGERS))


def _lr_pairs(joints: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    pairs = []
    for i, j in enumerate(joints):
        if "LEFT" in j:
            other = j.replace("LEFT", "RIGHT")
            if other in joints:
                pairs.append((i, joints.index(other)))
    return tuple(pairs)


_HANDS42 = tuple(f"LEFT_HAND_LANDMARKS.{p}" for p in _HAND_POINTS) + tuple(
    f"RIGHT_HAND_LANDMARKS.{p}" for p in _HAND_POINTS)
MP_HANDS42 = Layout(
    name="mp_hands42", joints=_HANDS42, dims=3, bones=_hand_block(0) + _hand_block(21), lr_pairs=_lr_pairs(_HANDS42),
    root=0, scale_pair=(0, 9), units="pixels (x, y); z relative",
    source="MediaPipe Hands, both hands (signer's left then right), HandLandmark order",
)

_P = {n: i for i, n in enumerate(_POSE33)}
_POSE_BONES = tuple((_P[a], _P[b]) for a, b in (
    ("LEFT_SHOULDER", "RIGHT_SHOULDER"), ("LEFT_SHOULDER", "LEFT_ELBOW"), ("LEFT_ELBOW", "LEFT_WRIST"),
    ("RIGHT_SHOULDER", "RIGHT_ELBOW"), ("RIGHT_ELBOW", "RIGHT_WRIST"), ("LEFT_SHOULDER", "LEFT_HIP"),
    ("RIGHT_SHOULDER", "RIGHT_HIP"), ("LEFT_HIP", "RIGHT_HIP"), ("NOSE", "LEFT_EYE"), ("NOSE", "RIGHT_EYE"),
    ("LEFT_EYE", "LEFT_EAR"), ("RIGHT_EYE", "RIGHT_EAR"), ("MOUTH_LEFT", "MOUTH_RIGHT"), ("LEFT_HIP", "LEFT_KNEE"),
    ("LEFT_KNEE", "LEFT_ANKLE"), ("RIGHT_HIP", "RIGHT_KNEE"), ("RIGHT_KNEE", "RIGHT_ANKLE"),
    ("LEFT_WRIST", "LEFT_INDEX"), ("RIGHT_WRIST", "RIGHT_INDEX"), ("LEFT_WRIST", "LEFT_THUMB"),
    ("RIGHT_WRIST", "RIGHT_THUMB"), ("LEFT_WRIST", "LEFT_PINKY"), ("RIGHT_WRIST", "RIGHT_PINKY")))
_POSE_JOINTS = tuple(f"POSE_LANDMARKS.{p}" for p in _POSE33)
MP_POSE33 = Layout(
    name="mp_pose33", joints=_POSE_JOINTS, dims=3, bones=_POSE_BONES, lr_pairs=_lr_pairs(_POSE_JOINTS),
    root=_P["NOSE"], scale_pair=(_P["LEFT_SHOULDER"], _P["RIGHT_SHOULDER"]), units="pixels (x, y); z relative",
    source="MediaPipe Pose (BlazePose) 33 landmarks",
)

# Whole-body layout for sign recognition, in the spirit of the 44 selected whole-body keypoints of
# the source paper: 11 upper-body points, both hands (42) and 4 mouth points (face mesh 61/291 mouth
# corners, 13/14 inner upper/lower lip) = 57 points.
_SB_BODY = ("NOSE", "LEFT_EYE", "RIGHT_EYE", "LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW",
            "LEFT_WRIST", "RIGHT_WRIST", "LEFT_HIP", "RIGHT_HIP")
_SB_FACE = ("61", "291", "13", "14")
_SB_JOINTS = tuple(f"POSE_LANDMARKS.{p}" for p in _SB_BODY) + _HANDS42 + tuple(f"FACE_LANDMARKS.{p}" for p in _SB_FACE)
_S = {n.split(".", 1)[1]: i for i, n in enumerate(_SB_JOINTS[:11])}
SIGN_BODY57 = Layout(
    name="sign_body57", joints=_SB_JOINTS, dims=3,
    bones=tuple((_S[a], _S[b]) for a, b in (
        ("LEFT_SHOULDER", "RIGHT_SHOULDER"), ("LEFT_SHOULDER", "LEFT_ELBOW"), ("LEFT_ELBOW", "LEFT_WRIST"),
        ("RIGHT_SHOULDER", "RIGHT_ELBOW"), ("RIGHT_ELBOW", "RIGHT_WRIST"), ("LEFT_SHOULDER", "LEFT_HIP"),
        ("RIGHT_SHOULDER", "RIGHT_HIP"), ("LEFT_HIP", "RIGHT_HIP"), ("NOSE", "LEFT_EYE"), ("NOSE", "RIGHT_EYE")))
    + _hand_block(11) + _hand_block(32) + ((53, 55), (55, 54), (54, 56), (56, 53)),
    lr_pairs=_lr_pairs(_SB_JOINTS), root=0, scale_pair=(_S["LEFT_SHOULDER"], _S["RIGHT_SHOULDER"]),
    units="pixels (x, y); z relative",
    source="signkit whole-body sign layout from MediaPipe Holistic: upper body 11 + hands 42 + mouth 4",
)

for _l in (MP_HANDS42, MP_POSE33, SIGN_BODY57):
    LAYOUTS[_l.name] = _l

# --- OpenPose (Cao et al., TPAMI 2019): BODY_25 + face 70 + both hands 21, 2D ------------------------
# Joint names are "<component>.<point>" as pose-format names OpenPose files (and as signkit reads
# OpenPose's per-frame *_keypoints.json, see signkit.keypoints.formats.read_openpose_json).
OPENPOSE_BODY25 = ("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip",
                   "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar", "LBigToe",
                   "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel")
OPENPOSE_HAND21 = ("BASE", "T_STT", "T_BCMC", "T_MCP", "T_IP", "I_CMC", "I_MCP", "I_PIP", "I_DIP", "M_CMC", "M_MCP",
                   "M_PIP", "M_DIP", "R_CMC", "R_MCP", "R_PIP", "R_DIP", "P_CMC", "P_MCP", "P_PIP", "P_DIP")
OPENPOSE_FACE70 = tuple([f"FB_{i}" for i in range(17)] + [f"FEB_{i}" for i in range(17, 27)]
                        + [f"FN_{i}" for i in range(27, 36)] + [f"FE_{i}" for i in range(36, 48)]
                        + [f"FLO_{i}" for i in range(48, 60)] + [f"FLI_{i}" for i in range(60, 68)] + ["FP_68", "FP_69"])
OPENPOSE_COMPONENTS = (("pose_keypoints_2d", OPENPOSE_BODY25), ("face_keypoints_2d", OPENPOSE_FACE70),
                       ("hand_left_keypoints_2d", OPENPOSE_HAND21), ("hand_right_keypoints_2d", OPENPOSE_HAND21))
_BODY25_BONES = ((1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (0, 16), (0, 15), (0, 18), (0, 17), (1, 0),
                 (8, 9), (9, 10), (10, 11), (8, 12), (12, 13), (13, 14), (11, 24), (11, 22), (22, 23), (14, 21),
                 (14, 19), (19, 20))
_OP_JOINTS = tuple(f"{c}.{p}" for c, pts in OPENPOSE_COMPONENTS for p in pts)


def _op_lr_pairs(joints: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    pairs = []
    for i, j in enumerate(joints):
        comp, p = j.split(".", 1)
        if comp == "hand_left_keypoints_2d":
            pairs.append((i, joints.index(f"hand_right_keypoints_2d.{p}")))
        elif comp == "pose_keypoints_2d" and p.startswith("L") and f"{comp}.R{p[1:]}" in joints:
            pairs.append((i, joints.index(f"{comp}.R{p[1:]}")))
    return tuple(pairs)


def _op_hand_bones(offset: int) -> tuple[tuple[int, int], ...]:
    return tuple((a + offset, b + offset) for a, b in _chain_bones(0, {f: tuple(range(1 + 4 * i, 5 + 4 * i))
                                                                        for i, f in enumerate("TIMRP")}))


OPENPOSE137 = Layout(
    name="openpose137", joints=_OP_JOINTS, dims=2,
    bones=_BODY25_BONES + _op_hand_bones(95) + _op_hand_bones(116) + ((4, 116), (7, 95)),
    lr_pairs=_op_lr_pairs(_OP_JOINTS), root=1, scale_pair=(2, 5), units="pixels",
    source="OpenPose BODY_25 + face 70 + hands 21 + 21 (pose-format's OpenPose header names)",
)

# --- one body + hands layout that both MediaPipe and OpenPose files map onto, by name --------------
# 8 upper-body points (shoulders, elbows, wrists, hips) + both hands (21 each, MediaPipe order, which
# is also OpenPose's hand order) = 50 points, x/y only, named as MediaPipe names them; ALIASES gives
# the OpenPose name of each joint. Models trained on it read either source.
_BH_BODY = ("LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST", "LEFT_HIP",
            "RIGHT_HIP")
_BH_JOINTS = tuple(f"POSE_LANDMARKS.{p}" for p in _BH_BODY) + _HANDS42
_OP_BODY_OF = {"LEFT_SHOULDER": "LShoulder", "RIGHT_SHOULDER": "RShoulder", "LEFT_ELBOW": "LElbow",
               "RIGHT_ELBOW": "RElbow", "LEFT_WRIST": "LWrist", "RIGHT_WRIST": "RWrist", "LEFT_HIP": "LHip",
               "RIGHT_HIP": "RHip"}
ALIASES: dict[str, tuple[str, ...]] = {
    **{f"POSE_LANDMARKS.{k}": (f"pose_keypoints_2d.{v}",) for k, v in _OP_BODY_OF.items()},
    **{f"{side}_HAND_LANDMARKS.{mp}": (f"hand_{side.lower()}_keypoints_2d.{op}",)
       for side in ("LEFT", "RIGHT") for mp, op in zip(_HAND_POINTS, OPENPOSE_HAND21)},
}
_B = {n.split(".", 1)[1]: i for i, n in enumerate(_BH_JOINTS[:8])}
BODY_HANDS50 = Layout(
    name="body_hands50", joints=_BH_JOINTS, dims=2,
    bones=tuple((_B[a], _B[b]) for a, b in (
        ("LEFT_SHOULDER", "RIGHT_SHOULDER"), ("LEFT_SHOULDER", "LEFT_ELBOW"), ("LEFT_ELBOW", "LEFT_WRIST"),
        ("RIGHT_SHOULDER", "RIGHT_ELBOW"), ("RIGHT_ELBOW", "RIGHT_WRIST"), ("LEFT_SHOULDER", "LEFT_HIP"),
        ("RIGHT_SHOULDER", "RIGHT_HIP"), ("LEFT_HIP", "RIGHT_HIP"))) + _hand_block(8) + _hand_block(29)
    + ((_B["LEFT_WRIST"], 8), (_B["RIGHT_WRIST"], 29)),
    lr_pairs=_lr_pairs(_BH_JOINTS), root=0, scale_pair=(_B["LEFT_SHOULDER"], _B["RIGHT_SHOULDER"]),
    units="pixels (x, y)",
    source="signkit: upper body 8 + hands 42, from MediaPipe or OpenPose files by name (ALIASES)",
)

for _l in (OPENPOSE137, BODY_HANDS50):
    LAYOUTS[_l.name] = _l
