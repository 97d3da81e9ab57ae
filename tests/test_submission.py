"""Tests for fkp_helpers.data.submission: writing, validating and scoring Kaggle
submissions."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.data.kaggle_csv import LookupTable, load_lookup
from fkp_helpers.data.submission import (
    score_submission,
    validate_submission,
    write_submission,
)
from fkp_helpers.errors import DataError
from fkp_helpers.keypoints import KEYPOINT_COLUMNS

NOSE_X = KEYPOINT_COLUMNS.index("nose_tip_x")
LEFT_EYE_Y = KEYPOINT_COLUMNS.index("left_eye_center_y")
MOUTH_LEFT_X = KEYPOINT_COLUMNS.index("mouth_left_corner_x")


def make_lookup(rows: list[tuple[int, int, str]]) -> LookupTable:
    """A lookup table from ``(RowId, ImageId, FeatureName)`` rows."""
    return LookupTable(
        row_ids=np.array([r[0] for r in rows], dtype=np.int64),
        image_ids=np.array([r[1] for r in rows], dtype=np.int64),
        feature_names=tuple(r[2] for r in rows),
    )


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lookup() -> LookupTable:
    # Image 3 is asked for first although it is the second prediction row.
    return make_lookup(
        [
            (1, 3, "nose_tip_x"),
            (2, 7, "left_eye_center_y"),
            (3, 7, "nose_tip_x"),
            (4, 3, "mouth_left_corner_x"),
        ]
    )


@pytest.fixture
def predictions() -> tuple[np.ndarray, np.ndarray]:
    image_ids = np.array([7, 3], dtype=np.int64)
    predictions_px = np.full((2, 30), 50.0, dtype=np.float32)
    predictions_px[0, LEFT_EYE_Y] = 37.25
    predictions_px[0, NOSE_X] = 48.5
    predictions_px[1, NOSE_X] = 47.125
    predictions_px[1, MOUTH_LEFT_X] = 63.0
    return image_ids, predictions_px


# --- write_submission ------------------------------------------------------------


def test_write_submission_walks_the_lookup_table_in_order(
    tmp_path, lookup, predictions
):
    path = tmp_path / "submission.csv"
    written = write_submission(path, lookup, *predictions)
    assert written == 4
    assert (
        path.read_text()
        == "RowId,Location\n1,47.1250\n2,37.2500\n3,48.5000\n4,63.0000\n"
    )


def test_write_submission_clips_to_the_image(tmp_path, lookup, predictions):
    image_ids, predictions_px = predictions
    predictions_px[1, NOSE_X] = -3.5
    predictions_px[0, LEFT_EYE_Y] = 101.0
    path = tmp_path / "submission.csv"
    write_submission(path, lookup, image_ids, predictions_px)
    assert path.read_text().splitlines()[1:3] == ["1,0.0000", "2,96.0000"]


def test_write_submission_ignores_nan_in_columns_nobody_asks_for(
    tmp_path, lookup, predictions
):
    image_ids, predictions_px = predictions
    predictions_px[:, KEYPOINT_COLUMNS.index("right_eyebrow_outer_end_y")] = np.nan
    assert write_submission(tmp_path / "s.csv", lookup, image_ids, predictions_px) == 4


def test_write_submission_names_a_lookup_image_without_prediction(tmp_path, lookup):
    path = tmp_path / "submission.csv"
    with pytest.raises(
        ValueError,
        match=r"lookup row 2 \(RowId 2\) asks for ImageId 7, which has no prediction",
    ):
        write_submission(path, lookup, np.array([3]), np.zeros((1, 30)))
    assert list(tmp_path.iterdir()) == []


def test_write_submission_refuses_non_finite_requested_values(
    tmp_path, lookup, predictions
):
    image_ids, predictions_px = predictions
    predictions_px[0, NOSE_X] = np.inf
    with pytest.raises(ValueError, match=r"RowId 3, ImageId 7, nose_tip_x\) is inf"):
        write_submission(tmp_path / "s.csv", lookup, image_ids, predictions_px)


@pytest.mark.parametrize(
    ("image_ids", "predictions_px", "message"),
    [
        (np.array([3, 7]), np.zeros((2, 15)), r"predictions_px of shape \(M, 30\)"),
        (np.array([3, 7, 9]), np.zeros((2, 30)), r"got \(3,\) and \(2, 30\)"),
        (np.array([3, 7, 3]), np.zeros((3, 30)), r"ImageId 3 has more than one row"),
    ],
)
def test_write_submission_checks_its_arrays(
    tmp_path, lookup, image_ids, predictions_px, message
):
    with pytest.raises(ValueError, match=message):
        write_submission(tmp_path / "s.csv", lookup, image_ids, predictions_px)


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path, lookup, predictions):
    path = write_text(tmp_path / "submission.csv", "old contents\n")
    with pytest.raises(ValueError):
        write_submission(path, lookup, np.array([3]), np.zeros((1, 30)))
    assert path.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]


def test_written_submission_validates_against_the_parsed_lookup_file(
    tmp_path, predictions
):
    lookup_csv = write_text(
        tmp_path / "IdLookupTable.csv",
        "RowId,ImageId,FeatureName,Location\n1,3,nose_tip_x,\n2,7,left_eye_center_y,\n3,7,nose_tip_x,\n",
    )
    lookup = load_lookup(lookup_csv)
    path = tmp_path / "submission.csv"
    assert write_submission(path, lookup, *predictions) == 3
    validate_submission(path, lookup)


# --- validate_submission ------------------------------------------------------------

GOOD = "RowId,Location\n1,47.1\n2,37.2\n3,48.5\n4,63\n"


def test_validate_accepts_a_good_submission(tmp_path, lookup):
    validate_submission(write_text(tmp_path / "s.csv", GOOD), lookup)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("RowId,Loc\n1,1\n2,2\n3,3\n4,4\n", 1, 2, "expected column 'Location'"),
        (
            "RowId,Location\n1,47.1\n3,48.5\n2,37.2\n4,63\n",
            3,
            1,
            "expected RowId 2 (row 2 of the lookup table), found 3",
        ),
        (
            "RowId,Location\n1,47.1\n2,37.2\n",
            4,
            None,
            "file ends after 2 rows; expected 4",
        ),
        (GOOD + "5,1.0\n", 6, 1, "unexpected extra row (RowId 5)"),
        (
            "RowId,Location\n1,47.1\n2,-0.5\n3,48.5\n4,63\n",
            3,
            2,
            "expected a coordinate from 0 to 96 pixels, found -0.5",
        ),
        ("RowId,Location\n1,47.1\n2,37.2\n3,96.01\n4,63\n", 4, 2, "found 96.01"),
        (
            "RowId,Location\n1,47.1\n2,abc\n3,48.5\n4,63\n",
            3,
            2,
            "expected a finite number",
        ),
        (
            "RowId,Location\n1,47.1\n2,37.2\n3,nan\n4,63\n",
            4,
            2,
            "expected a finite number",
        ),
    ],
)
def test_validate_names_the_line_and_column_of_the_first_problem(
    tmp_path, lookup, text, line, column, message
):
    path = write_text(tmp_path / "s.csv", text)
    with pytest.raises(DataError) as caught:
        validate_submission(path, lookup)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


# --- score_submission -------------------------------------------------------------

SOLUTION = "RowId,Location\n1,10\n2,20\n3,30\n4,40\n"


def test_score_is_kaggles_rmse_in_pixels(tmp_path):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    # errors 3, -4, 0, 0: sqrt((9 + 16) / 4) = 2.5
    submission = write_text(
        tmp_path / "s.csv", "RowId,Location\n1,13\n2,16\n3,30\n4,40\n"
    )
    assert score_submission(submission, solution) == pytest.approx(2.5, abs=1e-12)
    # errors 1 on every row: exactly 1
    submission = write_text(
        tmp_path / "s.csv", "RowId,Location\n1,11\n2,19\n3,31\n4,39\n"
    )
    assert score_submission(submission, solution) == pytest.approx(1.0, abs=1e-12)


def test_score_matches_rows_by_row_id_not_by_position(tmp_path):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    submission = write_text(
        tmp_path / "s.csv", "RowId,Location\n4,40\n3,30\n2,16\n1,13\n"
    )
    assert score_submission(submission, solution) == pytest.approx(2.5, abs=1e-12)
    assert score_submission(solution, solution) == 0.0


def test_score_of_a_written_submission(tmp_path, lookup, predictions):
    solution = write_text(
        tmp_path / "solution.csv", "RowId,Location\n1,46.125\n2,37.25\n3,48.5\n4,65.0\n"
    )
    path = tmp_path / "submission.csv"
    write_submission(path, lookup, *predictions)
    assert score_submission(path, solution) == pytest.approx(math.sqrt((1.0 + 4.0) / 4))


def test_score_refuses_a_submission_missing_a_row(tmp_path):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    submission = write_text(tmp_path / "s.csv", "RowId,Location\n1,13\n2,16\n4,40\n")
    with pytest.raises(
        DataError, match=r"no row for RowId 3 \(line 4 of .*solution.csv\)"
    ):
        score_submission(submission, solution)


def test_score_refuses_a_row_id_the_solution_lacks(tmp_path):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    submission = write_text(
        tmp_path / "s.csv", "RowId,Location\n1,13\n2,16\n3,30\n9,1\n4,40\n"
    )
    with pytest.raises(DataError) as caught:
        score_submission(submission, solution)
    assert (caught.value.line, caught.value.column) == (5, 1)
    assert "RowId 9 is not in" in str(caught.value)


def test_score_reports_a_malformed_file_with_its_line(tmp_path):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    submission = write_text(
        tmp_path / "s.csv", "RowId,Location\n1,13\n2,\n3,30\n4,40\n"
    )
    with pytest.raises(DataError) as caught:
        score_submission(submission, solution)
    assert (caught.value.line, caught.value.column) == (3, 2)


@pytest.mark.parametrize(
    ("location", "shown"), [("-0.5", "-0.5"), ("96.01", "96.01"), ("1e6", "1e+06")]
)
def test_score_refuses_a_coordinate_outside_the_image_like_the_validator(
    tmp_path, location, shown
):
    solution = write_text(tmp_path / "solution.csv", SOLUTION)
    submission = write_text(
        tmp_path / "s.csv", f"RowId,Location\n1,13\n2,16\n3,{location}\n4,40\n"
    )
    with pytest.raises(DataError) as caught:
        score_submission(submission, solution)
    assert (caught.value.line, caught.value.column) == (4, 2)
    assert str(caught.value).startswith(str(submission))
    assert f"expected a coordinate from 0 to 96 pixels, found {shown}" in str(
        caught.value
    )


def test_a_rewritten_submission_gets_a_new_files_mode_not_mkstemps(
    tmp_path, lookup, predictions
):
    path = tmp_path / "submission.csv"
    path.write_text("old\n")
    path.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        write_submission(path, lookup, *predictions)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text().startswith("RowId,Location\n")
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]
