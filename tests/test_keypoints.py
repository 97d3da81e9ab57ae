import numpy as np
import pytest

from fkp_helpers import keypoints as kp


def test_thirty_columns_in_kaggle_order():
    assert len(kp.KEYPOINT_NAMES) == 15
    assert kp.KEYPOINT_COLUMNS[:4] == (
        "left_eye_center_x",
        "left_eye_center_y",
        "right_eye_center_x",
        "right_eye_center_y",
    )
    assert kp.KEYPOINT_COLUMNS[-2:] == (
        "mouth_center_bottom_lip_x",
        "mouth_center_bottom_lip_y",
    )
    assert kp.TRAINING_COLUMNS[-1] == "Image" and len(kp.TRAINING_COLUMNS) == 31


def test_flip_pairs_are_left_right_mirrors():
    for left, right in kp.FLIP_PAIRS:
        assert left.replace("left", "right") == right
    unpaired = set(kp.KEYPOINT_NAMES) - {
        name for pair in kp.FLIP_PAIRS for name in pair
    }
    assert unpaired == {"nose_tip", "mouth_center_top_lip", "mouth_center_bottom_lip"}


def test_flip_permutation_swaps_pairs_and_is_an_involution():
    perm = np.array(kp.flip_permutation())
    assert sorted(perm) == list(range(30))
    assert (perm[perm] == np.arange(30)).all()
    columns = np.array(kp.KEYPOINT_COLUMNS)
    assert columns[perm][0] == "right_eye_center_x"
    assert columns[perm][kp.KEYPOINT_COLUMNS.index("nose_tip_y")] == "nose_tip_y"
    assert (
        columns[perm][kp.KEYPOINT_COLUMNS.index("mouth_left_corner_y")]
        == "mouth_right_corner_y"
    )


def test_unknown_keypoint_name():
    with pytest.raises(KeyError, match="unknown keypoint 'chin'"):
        kp.keypoint_index("chin")
