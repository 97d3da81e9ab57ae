"""Figures for the book: faces with their keypoints.

matplotlib is imported inside each function, so importing this module is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .keypoints import IMAGE_SIZE, NUM_TARGETS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

TRUE_COLOUR = "#00d0ff"  # cyan dots: the labels
PREDICTED_COLOUR = "#ff3030"  # red crosses: a model's predictions


def plot_faces(
    images: np.ndarray,
    keypoints: np.ndarray | None = None,
    *,
    predicted: np.ndarray | None = None,
    ncols: int = 4,
    titles: Sequence[str] | None = None,
    size: float = 2.0,
) -> Figure:
    """A grid of faces with their keypoints; returns the matplotlib ``Figure``.

    - ``images``: ``(n, 96, 96)`` or ``(n, 96, 96, 1)``, floats in [0, 1] or uint8 (0-255).
    - ``keypoints``: true keypoints ``(n, 30)`` in pixels, Kaggle's column order
      (``x, y`` per keypoint), NaN where missing: drawn as small filled dots.
    - ``predicted``: predictions ``(n, 30)`` in pixels: drawn as small ``x`` markers.
      A legend appears when both are given.
    - ``ncols``: faces per row; ``titles``: one short title per face; ``size``:
      inches per face.
    """
    import matplotlib.pyplot as plt

    faces = _as_faces(images)
    n = len(faces)
    true = _as_keypoints(keypoints, n, "keypoints")
    guess = _as_keypoints(predicted, n, "predicted")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a whole number >= 1, got {ncols!r}")
    if titles is not None and len(titles) != n:
        raise ValueError(f"expected {n} titles (one per image), got {len(titles)}")
    if size <= 0:
        raise ValueError(f"size must be > 0 inches, got {size}")

    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size), squeeze=False)
    vmax = 255 if faces.dtype == np.uint8 else 1.0
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        ax.imshow(faces[i], cmap="gray", vmin=0, vmax=vmax, interpolation="nearest")
        if true is not None:
            ax.scatter(true[i, 0::2], true[i, 1::2], s=10, c=TRUE_COLOUR, marker="o", linewidths=0, label="true")
        if guess is not None:
            ax.scatter(
                guess[i, 0::2], guess[i, 1::2], s=14, c=PREDICTED_COLOUR, marker="x", linewidths=1.0, label="predicted"
            )
        ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
        ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    if true is not None and guess is not None:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, fontsize=8, bbox_to_anchor=(0.5, 0.0))
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.25 / nrows))
    return fig


def _as_faces(images: np.ndarray) -> np.ndarray:
    """``(n, 96, 96)`` uint8 or float images from ``(n, 96, 96)`` or ``(n, 96, 96, 1)``."""
    faces = np.asarray(images)
    if faces.ndim == 4 and faces.shape[-1] == 1:
        faces = faces[..., 0]
    if faces.ndim != 3 or faces.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE) or len(faces) == 0:
        raise ValueError(
            f"images: expected shape (n, {IMAGE_SIZE}, {IMAGE_SIZE}) or (n, {IMAGE_SIZE}, {IMAGE_SIZE}, 1) "
            f"with n >= 1, got {np.shape(images)}"
        )
    if faces.dtype != np.uint8 and not np.issubdtype(faces.dtype, np.floating):
        raise ValueError(f"images: expected uint8 (0-255) or floats in [0, 1], got dtype {faces.dtype}")
    return faces


def _as_keypoints(values: np.ndarray | None, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    points = np.asarray(values, dtype=np.float64)
    if points.shape != (n, NUM_TARGETS):
        raise ValueError(f"{name}: expected shape ({n}, {NUM_TARGETS}) in pixels, got {points.shape}")
    return points
