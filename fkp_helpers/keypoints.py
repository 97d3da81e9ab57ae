"""Keypoint metadata for Kaggle's "Facial Keypoints Detection" data, in one place.

"Left" and "right" are the *subject's*: ``left_eye_center`` sits on the image's
right-hand side (x ≈ 66 of 96). Coordinates are pixel indices: the pixel in
column ``i``, row ``j`` has ``x = i``, ``y = j``.
"""

from __future__ import annotations

IMAGE_SIZE: int = 96
"""Width and height of every image, in pixels."""

NUM_PIXELS: int = IMAGE_SIZE * IMAGE_SIZE
"""Pixels per image (9216), stored row-major in the ``Image`` column."""

KEYPOINT_NAMES: tuple[str, ...] = (
    "left_eye_center",
    "right_eye_center",
    "left_eye_inner_corner",
    "left_eye_outer_corner",
    "right_eye_inner_corner",
    "right_eye_outer_corner",
    "left_eyebrow_inner_end",
    "left_eyebrow_outer_end",
    "right_eyebrow_inner_end",
    "right_eyebrow_outer_end",
    "nose_tip",
    "mouth_left_corner",
    "mouth_right_corner",
    "mouth_center_top_lip",
    "mouth_center_bottom_lip",
)
"""The 15 keypoints, in Kaggle's column order."""

NUM_KEYPOINTS: int = len(KEYPOINT_NAMES)

KEYPOINT_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_{axis}" for name in KEYPOINT_NAMES for axis in ("x", "y")
)
"""The 30 target columns of ``training.csv``: ``<name>_x, <name>_y`` per keypoint."""

NUM_TARGETS: int = len(KEYPOINT_COLUMNS)

TRAINING_COLUMNS: tuple[str, ...] = (*KEYPOINT_COLUMNS, "Image")
"""Header of ``training.csv``."""

TEST_COLUMNS: tuple[str, ...] = ("ImageId", "Image")
"""Header of ``test.csv``."""

LOOKUP_COLUMNS: tuple[str, ...] = ("RowId", "ImageId", "FeatureName", "Location")
"""Header of ``IdLookupTable.csv`` (``Location`` is empty)."""

SUBMISSION_COLUMNS: tuple[str, ...] = ("RowId", "Location")
"""Header of a submission file (and of ``SampleSubmission.csv`` and
``solution.csv``)."""

FOUR_KEYPOINT_SOURCE: tuple[str, ...] = (
    "left_eye_center",
    "right_eye_center",
    "nose_tip",
    "mouth_center_bottom_lip",
)
"""Keypoints labelled in the larger of Kaggle's two sources (~70 % of rows)."""

FLIP_PAIRS: tuple[tuple[str, str], ...] = (
    ("left_eye_center", "right_eye_center"),
    ("left_eye_inner_corner", "right_eye_inner_corner"),
    ("left_eye_outer_corner", "right_eye_outer_corner"),
    ("left_eyebrow_inner_end", "right_eyebrow_inner_end"),
    ("left_eyebrow_outer_end", "right_eyebrow_outer_end"),
    ("mouth_left_corner", "mouth_right_corner"),
)
"""Left/right keypoint pairs that a horizontal flip swaps (nose and lip centres
stay)."""


def keypoint_index(name: str) -> int:
    """Index (0–14) of keypoint ``name`` in :data:`KEYPOINT_NAMES`."""
    try:
        return KEYPOINT_NAMES.index(name)
    except ValueError:
        raise KeyError(
            f"unknown keypoint {name!r}; expected one of {', '.join(KEYPOINT_NAMES)}"
        ) from None


def flip_permutation() -> tuple[int, ...]:
    """Column permutation of the 30 targets that a horizontal flip applies.

    ``y_flipped = y[:, flip_permutation()]`` swaps every left/right pair (x and y
    columns alike); the flipped x values must still be mapped to ``95 - x``.
    """
    perm = list(range(NUM_TARGETS))
    for left, right in FLIP_PAIRS:
        i, j = keypoint_index(left), keypoint_index(right)
        for axis in (0, 1):
            perm[2 * i + axis], perm[2 * j + axis] = 2 * j + axis, 2 * i + axis
    return tuple(perm)
