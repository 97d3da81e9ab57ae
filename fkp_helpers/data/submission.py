"""Kaggle submissions: write one, check one, and score one against the true values.

A submission is a ``RowId,Location`` CSV file with one row per row of
``IdLookupTable.csv``, in the same order: row ``r`` gives, in pixels, the
coordinate ``FeatureName`` of test image ``ImageId`` that lookup row ``r`` asks
for. Kaggle scores it with the root-mean-square error in pixels over all rows.

NumPy only (no TensorFlow, no pandas): predictions from any model can be
written and scored. Files are read with :mod:`fkp_helpers.data.kaggle_csv`, so a
malformed file raises :class:`~fkp_helpers.errors.DataError` naming the line
and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..errors import DataError
from ..keypoints import IMAGE_SIZE, NUM_TARGETS, SUBMISSION_COLUMNS
from .kaggle_csv import LookupTable, load_locations

MIN_LOCATION_PX = 0.0
MAX_LOCATION_PX = float(IMAGE_SIZE)
"""Submitted coordinates are clipped to, and checked against, [0, 96] pixels."""

_DECIMALS = 4
"""Digits after the point in a written ``Location`` (1/10000 of a pixel)."""

_ROW_ID_COLUMN, _LOCATION_COLUMN = 1, 2


def write_submission(
    path: str | Path,
    lookup: LookupTable,
    image_ids: np.ndarray,
    predictions_px: np.ndarray,
) -> int:
    """Write the submission for ``lookup`` from one prediction per test image; return
    the rows written.

    ``image_ids`` is int ``(M,)`` (the ``ImageId`` of each test image, e.g. from
    :func:`~fkp_helpers.data.kaggle_csv.load_test`) and ``predictions_px`` is
    ``(M, 30)`` in pixels, columns in :data:`~fkp_helpers.keypoints.KEYPOINT_COLUMNS`
    order, row ``i`` for image ``image_ids[i]``. One ``RowId,Location`` line is written
    per lookup row, in the lookup's order, each value clipped to [0, 96] and
    written with 4 decimals. The file appears complete or not at all.

    Raises ``ValueError`` if the shapes disagree, an image id repeats, a lookup
    row asks for an image without a prediction, or a requested value is not finite.
    """
    image_ids = np.asarray(image_ids)
    predictions_px = np.asarray(predictions_px, dtype=np.float64)
    if image_ids.ndim != 1 or predictions_px.shape != (len(image_ids), NUM_TARGETS):
        raise ValueError(
            "expected image_ids of shape (M,) and "
            f"predictions_px of shape (M, {NUM_TARGETS}), "
            f"got {image_ids.shape} and {predictions_px.shape}"
        )
    locations = _clip(
        predictions_px[_prediction_rows(lookup, image_ids), lookup.target_indices()],
        lookup,
    )
    lines = [",".join(SUBMISSION_COLUMNS)]
    lines += [
        f"{row_id},{location:.{_DECIMALS}f}"
        for row_id, location in zip(lookup.row_ids.tolist(), locations, strict=True)
    ]
    _write_atomically(Path(path), "\n".join(lines) + "\n")
    return len(locations)


def validate_submission(path: str | Path, lookup: LookupTable) -> None:
    """Check that ``path`` is a submission for ``lookup`` that Kaggle would accept and
    score.

    The file must have the header ``RowId,Location``, one row per lookup row with
    the same ``RowId`` in the same order, and a finite ``Location`` in [0, 96]
    pixels on every row. Raises :class:`~fkp_helpers.errors.DataError` naming
    the first offending line and column.
    """
    row_ids, locations = load_locations(path)
    expected = lookup.row_ids
    for row, (found, wanted) in enumerate(
        zip(row_ids.tolist(), expected.tolist(), strict=False)
    ):
        if found != wanted:
            raise _row_error(
                path,
                row,
                _ROW_ID_COLUMN,
                f"expected RowId {wanted} (row {row + 1} of the lookup table), "
                f"found {found}",
            )
    if len(row_ids) < len(expected):
        raise DataError(
            path,
            f"file ends after {len(row_ids)} rows; expected {len(expected)}, "
            "one per lookup row "
            f"(next RowId {expected[len(row_ids)]})",
            line=len(row_ids) + 2,
        )
    if len(row_ids) > len(expected):
        raise _row_error(
            path,
            len(expected),
            _ROW_ID_COLUMN,
            f"unexpected extra row (RowId {row_ids[len(expected)]}); "
            f"the lookup table has {len(expected)} rows",
        )
    _check_inside_the_image(path, locations)


def score_submission(submission_path: str | Path, solution_path: str | Path) -> float:
    """Kaggle's score of a submission: RMSE in pixels over all rows of the solution.

    Both files are ``RowId,Location``; rows are matched by ``RowId`` (their
    order may differ), and the two files must hold exactly the same ``RowId``
    values. Raises :class:`~fkp_helpers.errors.DataError` for a malformed file
    or a ``RowId`` found in one file only.
    """
    submitted_ids, submitted = load_locations(submission_path)
    _check_inside_the_image(submission_path, submitted)
    solution_ids, truth = load_locations(solution_path)
    matched, found = _find(submitted_ids, solution_ids)
    if not found.all():
        row = int(np.flatnonzero(~found)[0])
        raise DataError(
            submission_path,
            f"no row for RowId {solution_ids[row]} "
            f"(line {row + 2} of {solution_path}); "
            f"expected the {len(solution_ids)} RowIds of the solution",
        )
    if len(submitted_ids) > len(solution_ids):
        row = int(np.flatnonzero(~np.isin(submitted_ids, solution_ids))[0])
        raise _row_error(
            submission_path,
            row,
            _ROW_ID_COLUMN,
            f"RowId {submitted_ids[row]} is not in {solution_path}",
        )
    return float(np.sqrt(np.mean((submitted[matched] - truth) ** 2)))


def _prediction_rows(lookup: LookupTable, image_ids: np.ndarray) -> np.ndarray:
    """int ``(R,)``: for each lookup row, the row of ``image_ids`` (and of the
    predictions) it needs."""
    order = np.argsort(image_ids, kind="stable")
    repeated = np.flatnonzero(image_ids[order][1:] == image_ids[order][:-1])
    if repeated.size:
        raise ValueError(
            f"ImageId {image_ids[order][repeated[0]]} "
            "has more than one row of predictions"
        )
    rows, found = _find(image_ids, lookup.image_ids)
    if not found.all():
        r = int(np.flatnonzero(~found)[0])
        raise ValueError(
            f"lookup row {r + 1} (RowId {lookup.row_ids[r]}) "
            f"asks for ImageId {lookup.image_ids[r]}, "
            f"which has no prediction; predictions cover {len(image_ids)} images"
        )
    return rows


def _find(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each id of ``wanted`` sits in ``keys`` (unique ids): positions, and a mask
    of those found.

    Both are ``wanted``'s shape; a position means nothing where the mask is False.
    """
    if len(keys) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    order = np.argsort(keys, kind="stable")
    position = np.searchsorted(keys[order], wanted).clip(max=len(keys) - 1)
    return order[position], keys[order[position]] == wanted


def _clip(values: np.ndarray, lookup: LookupTable) -> np.ndarray:
    """``values`` (one per lookup row) clipped to [0, 96]; ``ValueError`` if one is NaN
    or infinite."""
    not_finite = np.flatnonzero(~np.isfinite(values))
    if not_finite.size:
        r = int(not_finite[0])
        raise ValueError(
            f"the prediction for lookup row {r + 1} (RowId {lookup.row_ids[r]}, "
            f"ImageId {lookup.image_ids[r]}, "
            f"{lookup.feature_names[r]}) is {values[r]}; "
            "expected a finite number of pixels"
        )
    return np.clip(values, MIN_LOCATION_PX, MAX_LOCATION_PX)


def _check_inside_the_image(path: str | Path, locations: np.ndarray) -> None:
    """:class:`DataError` naming the first row whose ``Location`` is off the image."""
    outside = (locations < MIN_LOCATION_PX) | (locations > MAX_LOCATION_PX)
    if outside.any():
        row = int(np.argmax(outside))
        found = f"found {locations[row]:g}"
        message = f"expected a coordinate from 0 to {IMAGE_SIZE} pixels, {found}"
        raise _row_error(path, row, _LOCATION_COLUMN, message)


def _row_error(path: str | Path, row: int, column: int, message: str) -> DataError:
    """A :class:`DataError` for data row ``row`` (0-based; the header is line 1) of a
    ``RowId,Location`` file."""
    return DataError(
        path,
        message,
        line=row + 2,
        column=column,
        column_name=SUBMISSION_COLUMNS[column - 1],
    )


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (folder created if needed), complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, newline="\n") as out:
        out.write(text)
