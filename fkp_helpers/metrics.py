"""Root-mean-square error in pixels, the competition's score, ignoring missing
keypoints.

Pure NumPy (no TensorFlow), so it scores predictions from any model. Targets
are ``(N, 30)`` arrays in pixels, columns
in :data:`fkp_helpers.keypoints.KEYPOINT_COLUMNS` order; ``NaN`` in ``y_true`` marks a
keypoint that is not labelled, and such entries are left out of every mean.
"""

from __future__ import annotations

import numpy as np

from .keypoints import KEYPOINT_NAMES, NUM_TARGETS


def rmse_px(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """RMSE in pixels over every labelled value of ``y_true`` (x and y alike, as Kaggle
    scores).

    ``y_true`` and ``y_pred`` are ``(N, 30)`` in pixels; ``NaN`` in ``y_true`` is
    skipped. Raises ``ValueError`` if the shapes differ, nothing is labelled, or a
    prediction for a labelled value is not finite.
    """
    errors, observed = squared_errors(y_true, y_pred)
    count = int(observed.sum())
    if count == 0:
        raise ValueError("no labelled keypoints to score: every value of y_true is NaN")
    return float(np.sqrt(errors.sum() / count))


def rmse_per_keypoint_px(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE in pixels of each of the 15 keypoints (over its x and y values), by name.

    Same inputs as :func:`rmse_px`. A keypoint that is never labelled gets ``nan``.
    The dict follows :data:`~fkp_helpers.keypoints.KEYPOINT_NAMES` order.
    """
    errors, observed = squared_errors(y_true, y_pred)
    per_point_sum = errors.reshape(len(errors), -1, 2).sum(axis=(0, 2))
    per_point_count = observed.reshape(len(observed), -1, 2).sum(axis=(0, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(per_point_sum / per_point_count)
    return {
        name: float(value) for name, value in zip(KEYPOINT_NAMES, rmse, strict=True)
    }


def squared_errors(
    y_true: np.ndarray, y_pred: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Squared errors (0 where unlabelled) and the boolean mask of labelled values, both
    ``(N, 30)``."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim != 2 or y_true.shape[1] != NUM_TARGETS:
        raise ValueError(
            f"expected y_true of shape (N, {NUM_TARGETS}), got {y_true.shape}"
        )
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_pred has shape {y_pred.shape}, y_true {y_true.shape}: expected the same"
        )
    observed = ~np.isnan(y_true)
    if not np.isfinite(y_pred[observed]).all():
        raise ValueError("y_pred holds NaN or infinite values where y_true is labelled")
    errors = np.where(observed, y_pred - np.where(observed, y_true, 0.0), 0.0) ** 2
    return errors, observed
