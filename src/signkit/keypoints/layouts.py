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
