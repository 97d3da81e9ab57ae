"""RMSE in pixels: overall, per keypoint, and how missing keypoints are skipped."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from fkp_helpers.keypoints import KEYPOINT_NAMES
from fkp_helpers.metrics import rmse_per_keypoint_px, rmse_px


def _targets(rows: int, value: float = 40.0) -> np.ndarray:
    return np.full((rows, 30), value, dtype=np.float32)


def test_rmse_px_is_the_root_of_the_mean_squared_error_over_all_values():
    y_true = _targets(2)
    y_pred = y_true.copy()
    y_pred[0, 0] += 3.0
    y_pred[1, 1] -= 4.0
    assert rmse_px(y_true, y_pred) == pytest.approx(math.sqrt((9 + 16) / 60))


def test_missing_values_are_left_out_of_the_mean():
    y_true = _targets(2)
    y_true[1, 4:] = np.nan  # row 1 labels only 2 of its 15 keypoints
    y_pred = y_true.copy()
    y_pred[np.isnan(y_pred)] = (
        1000.0  # a wild guess where nothing is labelled must not count
    )
    y_pred[0, 0] += 2.0
    assert rmse_px(y_true, y_pred) == pytest.approx(math.sqrt(4 / (30 + 4)))


def test_per_keypoint_rmse_combines_x_and_y_of_each_keypoint():
    y_true = _targets(2)
    y_pred = y_true.copy()
    y_pred[:, 0] += 3.0  # left_eye_center_x off by 3 in both rows
    y_pred[0, 21] += 2.0  # nose_tip_y off by 2 in one row
    per_point = rmse_per_keypoint_px(y_true, y_pred)
    assert list(per_point) == list(KEYPOINT_NAMES)
    assert per_point["left_eye_center"] == pytest.approx(math.sqrt(18 / 4))
    assert per_point["nose_tip"] == pytest.approx(1.0)
    assert per_point["right_eye_center"] == 0.0


def test_a_keypoint_never_labelled_gets_nan_and_the_rest_are_scored():
    y_true = _targets(3)
    y_true[:, 2:4] = np.nan  # right_eye_center missing everywhere
    y_true[0, 0] = np.nan  # left_eye_center_x missing in one row
    y_pred = y_true.copy() + 1.0
    y_pred[np.isnan(y_pred)] = 0.0
    per_point = rmse_per_keypoint_px(y_true, y_pred)
    assert math.isnan(per_point["right_eye_center"])
    assert per_point["left_eye_center"] == pytest.approx(1.0)
    assert rmse_px(y_true, y_pred) == pytest.approx(1.0)


def test_nothing_labelled_is_an_error():
    y_true = np.full((2, 30), np.nan)
    with pytest.raises(ValueError, match="no labelled keypoints"):
        rmse_px(y_true, np.zeros((2, 30)))


def test_shapes_must_match_and_have_30_columns():
    with pytest.raises(ValueError, match="same"):
        rmse_px(_targets(2), _targets(3))
    with pytest.raises(ValueError, match="30"):
        rmse_px(np.zeros((2, 28)), np.zeros((2, 28)))


def test_a_nan_prediction_for_a_labelled_value_is_an_error():
    y_pred = _targets(1)
    y_pred[0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rmse_px(_targets(1), y_pred)


def test_metrics_do_not_import_tensorflow():
    code = "import fkp_helpers.metrics, sys; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
