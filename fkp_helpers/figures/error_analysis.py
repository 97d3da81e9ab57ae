"""Where a model goes wrong: its error per face and per keypoint, and figures of both.

Targets and predictions are ``(N, 30)`` arrays in pixels, columns in
:data:`~fkp_helpers.keypoints.KEYPOINT_COLUMNS` order; ``NaN`` in ``y_true``
marks a keypoint that is not labelled and is left out of every error. Errors
are root-mean-square errors in pixels over x and y alike, as Kaggle scores.
matplotlib is imported inside the plotting functions, so importing this module
is cheap; every plotting function returns the matplotlib ``Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..keypoints import IMAGE_SIZE, KEYPOINT_NAMES, NUM_KEYPOINTS, NUM_TARGETS
from ..metrics import rmse_per_keypoint_px, rmse_px, squared_errors
from .faces import as_faces

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Side = Literal["left", "right", "centre"]

SIDE_COLOURS: dict[Side, str] = {
    "left": "#ff8c1a",
    "right": "#2f9bff",
    "centre": "#ffffff",
}
"""Keypoint colours in :func:`plot_keypoint_sides`: the subject's left, right, and the
middle of the face."""

_SIDE_LABELS: dict[Side, str] = {
    "left": "subject's left",
    "right": "subject's right",
    "centre": "middle of the face",
}


def error_per_face_px(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """RMSE in pixels of each face over its labelled values: float64 ``(N,)``.

    ``y_true`` and ``y_pred`` are ``(N, 30)`` in pixels; ``NaN`` in ``y_true`` is
    skipped, and a face with nothing labelled gets ``NaN``. Raises ``ValueError``
    if the shapes differ or a prediction for a labelled value is not finite.
    """
    squared, labelled = squared_errors(y_true, y_pred)
    counts = labelled.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(squared.sum(axis=1) / counts)


def worst_rows(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    """Row indices of the ``n`` faces with the largest :func:`error_per_face_px`, worst
    first.

    Returns int64 ``(min(n, scored faces),)``; equal errors keep the lower index
    first, and a face with nothing labelled is never chosen. ``n`` must be a
    whole number >= 1.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    errors = error_per_face_px(y_true, y_pred)
    scored = np.flatnonzero(~np.isnan(errors))
    order = np.argsort(-errors[scored], kind="stable")
    return scored[order[:n]].astype(np.int64)


def plot_error_per_keypoint(
    y_true: np.ndarray,
    predictions: np.ndarray | Mapping[str, np.ndarray],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A horizontal bar per keypoint: its RMSE in pixels
    (:func:`~fkp_helpers.metrics.rmse_per_keypoint_px`).

    - ``y_true``: ``(N, 30)`` in pixels, NaN where missing.
    - ``predictions``: one model's ``(N, 30)`` in pixels, or several as
      ``{name: (N, 30)}``, drawn as a group of bars per keypoint in the
      mapping's order, one colour per model. A dashed line per model marks its
      overall RMSE (:func:`~fkp_helpers.metrics.rmse_px`), given in the legend.
      With a single model each bar ends with its value.
    - Keypoints run top to bottom in Kaggle's order; a keypoint that is never
      labelled has no bar. ``ax``: draw into these axes instead of a new
      ``(8, 5.5)``-inch figure.
    """
    import matplotlib.pyplot as plt

    models = (
        {"model": predictions}
        if isinstance(predictions, np.ndarray)
        else dict(predictions)
    )
    if not models:
        raise ValueError(
            "predictions: expected an (N, 30) array or a non-empty {name: (N, 30)} "
            "mapping"
        )
    per_keypoint = {
        name: rmse_per_keypoint_px(y_true, pred) for name, pred in models.items()
    }
    overall = {name: rmse_px(y_true, pred) for name, pred in models.items()}
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 5.5))
    else:
        fig = ax.figure
    single = len(models) == 1
    height = 0.8 / len(models)
    positions = np.arange(NUM_KEYPOINTS)
    colours = plt.get_cmap("tab10").colors
    for m, name in enumerate(models):
        colour = colours[m % len(colours)]
        values = np.array([per_keypoint[name][k] for k in KEYPOINT_NAMES])
        offsets = positions - 0.4 + height * (m + 0.5)
        ax.barh(offsets, values, height=height * 0.9, color=colour)
        label = (
            f"overall {overall[name]:.2f} px"
            if single
            else f"{name}: overall {overall[name]:.2f} px"
        )
        ax.axvline(
            overall[name], color=colour, linestyle="--", linewidth=1.2, label=label
        )
        if single:
            for offset, value in zip(offsets, values, strict=True):
                if np.isfinite(value):
                    ax.text(value, offset, f" {value:.2f}", va="center", fontsize=8)
    largest = max(np.nanmax(list(values.values())) for values in per_keypoint.values())
    ax.set_xlim(0, 1.15 * largest)
    ax.set_yticks(positions, KEYPOINT_NAMES, fontsize=9)
    ax.invert_yaxis()  # Kaggle's first keypoint on top
    ax.set_xlabel("RMSE (pixels)")
    ax.set_title(title if title is not None else "Error per keypoint")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=min(len(models), 3),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    return fig


def keypoint_side(name: str) -> Side:
    """Which side of the face a keypoint's name puts it on: the subject's ``"left"``,
    ``"right"``, or ``"centre"``."""
    if name not in KEYPOINT_NAMES:
        raise ValueError(
            f"unknown keypoint {name!r}; expected one of {', '.join(KEYPOINT_NAMES)}"
        )
    if "left" in name:
        return "left"
    if "right" in name:
        return "right"
    return "centre"


def plot_keypoint_sides(
    images: np.ndarray,
    keypoints: np.ndarray,
    *,
    titles: Sequence[str] | None = None,
    size: float = 2.7,
) -> Figure:
    """Faces side by side, each keypoint coloured by the side its *name* says
    (:data:`SIDE_COLOURS`).

    - ``images``: ``(n, 96, 96)`` or ``(n, 96, 96, 1)``, floats in [0, 1] or uint8.
    - ``keypoints``: ``(n, 30)`` in pixels, NaN where missing (not drawn).
    - ``titles``: one per face; ``size``: inches per face.

    On an upright face the subject's left keypoints sit on the image's right. A
    mirrored face whose keypoints were moved (``x → 95 − x``) but not renamed
    shows them on the wrong side: that is what the colours make visible.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    faces = as_faces(images)
    points = np.asarray(keypoints, dtype=np.float64)
    if points.shape != (len(faces), NUM_TARGETS):
        raise ValueError(
            f"keypoints: expected shape ({len(faces)}, {NUM_TARGETS}) in pixels, got "
            f"{points.shape}"
        )
    if titles is not None and len(titles) != len(faces):
        raise ValueError(
            f"expected {len(faces)} titles (one per image), got {len(titles)}"
        )
    if size <= 0:
        raise ValueError(f"size must be > 0 inches, got {size}")

    colours = [SIDE_COLOURS[keypoint_side(name)] for name in KEYPOINT_NAMES]
    fig, axes = plt.subplots(
        1, len(faces), figsize=(len(faces) * size, size + 0.6), squeeze=False
    )
    vmax = 255 if faces.dtype == np.uint8 else 1.0
    for i, ax in enumerate(axes.flat):
        ax.imshow(faces[i], cmap="gray", vmin=0, vmax=vmax, interpolation="nearest")
        ax.scatter(
            points[i, 0::2],
            points[i, 1::2],
            s=22,
            c=colours,
            edgecolors="black",
            linewidths=0.5,
            zorder=3,
        )
        ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
        ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=6,
            markerfacecolor=colour,
            markeredgecolor="black",
            markeredgewidth=0.5,
            label=_SIDE_LABELS[side],
        )
        for side, colour in SIDE_COLOURS.items()
    ]
    fig.tight_layout()
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 0.0),
    )
    fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.12))
    return fig
