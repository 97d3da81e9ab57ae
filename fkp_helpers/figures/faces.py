"""Figures for the book: faces with their keypoints, and what the training data holds.

matplotlib is imported inside each function, so importing this module is cheap.
Every function returns the matplotlib ``Figure``; the ones with an ``ax`` argument
can also draw into an existing axes (a panel of a larger figure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..keypoints import (
    FOUR_KEYPOINT_SOURCE,
    IMAGE_SIZE,
    KEYPOINT_NAMES,
    NUM_KEYPOINTS,
    NUM_TARGETS,
    keypoint_index,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
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

    - ``images``: ``(n, 96, 96)`` or ``(n, 96, 96, 1)``, floats in [0, 1] or uint8
      (0-255).
    - ``keypoints``: true keypoints ``(n, 30)`` in pixels, Kaggle's column order
      (``x, y`` per keypoint), NaN where missing: drawn as small filled dots.
    - ``predicted``: predictions ``(n, 30)`` in pixels: drawn as small ``x`` markers.
      A legend appears when both are given.
    - ``ncols``: faces per row; ``titles``: one short title per face; ``size``:
      inches per face.
    """
    import matplotlib.pyplot as plt

    faces = as_faces(images)
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
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(ncols * size, nrows * size), squeeze=False
    )
    vmax = 255 if faces.dtype == np.uint8 else 1.0
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        ax.imshow(faces[i], cmap="gray", vmin=0, vmax=vmax, interpolation="nearest")
        if true is not None:
            ax.scatter(
                true[i, 0::2],
                true[i, 1::2],
                s=10,
                c=TRUE_COLOUR,
                marker="o",
                linewidths=0,
                label="true",
            )
        if guess is not None:
            ax.scatter(
                guess[i, 0::2],
                guess[i, 1::2],
                s=14,
                c=PREDICTED_COLOUR,
                marker="x",
                linewidths=1.0,
                label="predicted",
            )
        ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
        ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    if true is not None and guess is not None:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="lower center",
            ncol=2,
            frameon=False,
            fontsize=8,
            bbox_to_anchor=(0.5, 0.0),
        )
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.25 / nrows))
    return fig


def show_and_glue(fig: Figure, key: str) -> None:
    """Show ``fig`` below the cell; keep it under ``key`` for other pages of the book.

    Where myst-nb is installed (the book's build environment), the figure is
    displayed through ``myst_nb.glue``: the notebook's stored output then carries
    ``key``, and another page pastes the same figure with the ``{glue}`` directive
    and its ``:doc:`` option. Elsewhere (a notebook opened alone, as in Colab) the
    figure is simply shown. Either way it appears once, and nothing is printed.
    """
    import matplotlib.pyplot as plt

    try:
        from myst_nb import glue
    except ImportError:
        plt.show()
        return
    glue(key, fig, display=True)
    plt.close(fig)  # shown once, by glue: the inline backend must not show it again


def as_faces(images: np.ndarray) -> np.ndarray:
    """``(n, 96, 96)`` uint8 or float images from ``(n, 96, 96)`` or
    ``(n, 96, 96, 1)``."""
    faces = np.asarray(images)
    if faces.ndim == 4 and faces.shape[-1] == 1:
        faces = faces[..., 0]
    if (
        faces.ndim != 3
        or faces.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE)
        or len(faces) == 0
    ):
        raise ValueError(
            f"images: expected shape (n, {IMAGE_SIZE}, {IMAGE_SIZE}) "
            f"or (n, {IMAGE_SIZE}, {IMAGE_SIZE}, 1) with n >= 1, "
            f"got {np.shape(images)}"
        )
    if faces.dtype != np.uint8 and not np.issubdtype(faces.dtype, np.floating):
        raise ValueError(
            "images: expected uint8 (0-255) or floats in [0, 1], got dtype "
            f"{faces.dtype}"
        )
    return faces


def _as_keypoints(values: np.ndarray | None, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    points = np.asarray(values, dtype=np.float64)
    if points.shape != (n, NUM_TARGETS):
        raise ValueError(
            f"{name}: expected shape ({n}, {NUM_TARGETS}) in pixels, got {points.shape}"
        )
    return points


# --------------------------------------------------------- what the training data holds

LABELLED_COLOUR = "#2a6f97"  # labelled keypoints (bars, mask cells)
MISSING_COLOUR = "#e9ecef"  # missing keypoints (mask cells)
FOUR_SOURCE_COLOUR = "#e07a1f"  # the keypoints that both of Kaggle's sources label


def plot_labelled_counts(
    keypoints: np.ndarray, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """A horizontal bar per keypoint: in how many rows it is labelled; returns the
    ``Figure``.

    - ``keypoints``: ``(n, 30)`` in pixels, Kaggle's column order, NaN where missing
      (a keypoint counts as labelled when both its x and y are).
    - Bars of the keypoints in :data:`~fkp_helpers.keypoints.FOUR_KEYPOINT_SOURCE`
      (labelled by both of Kaggle's sources) stand out in their own colour; each bar
      ends with its count and its share of the ``n`` rows; a dashed line marks ``n``.
    - ``ax``: draw into these axes instead of a new ``(8, 5)``-inch figure.
    """
    labelled = _labelled_keypoints(keypoints)
    n = len(labelled)
    counts = labelled.sum(axis=0)
    fig, ax = _figure_and_axes(ax, (8.0, 5.0))
    colours = [
        FOUR_SOURCE_COLOUR if name in FOUR_KEYPOINT_SOURCE else LABELLED_COLOUR
        for name in KEYPOINT_NAMES
    ]
    positions = np.arange(NUM_KEYPOINTS)
    ax.barh(positions, counts, color=colours, height=0.7)
    for position, count in zip(positions, counts, strict=True):
        ax.text(
            count + 0.01 * n,
            position,
            f"{count} ({100 * count / n:.1f} %)",
            va="center",
            fontsize=9,
        )
    ax.axvline(n, color="0.4", linestyle="--", linewidth=1)
    ax.set_yticks(positions, KEYPOINT_NAMES, fontsize=9)
    ax.invert_yaxis()  # Kaggle's first keypoint on top
    ax.set_xlim(0, 1.25 * n)
    ax.set_xlabel(f"rows in which the keypoint is labelled (dashed line: all {n} rows)")
    ax.set_title(title if title is not None else "Labelled rows per keypoint")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=FOUR_SOURCE_COLOUR, label="labelled by both sources"),
            Patch(
                color=LABELLED_COLOUR, label="labelled by the 15-keypoint source only"
            ),
        ],
        loc="center right",
        fontsize=9,
        framealpha=1.0,
    )
    fig.tight_layout()
    return fig


def plot_labelled_mask(
    keypoints: np.ndarray,
    *,
    max_columns: int = 400,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Which keypoint is labelled in which row, as an image; returns the ``Figure``.

    - ``keypoints``: ``(n, 30)`` in pixels, NaN where missing.
    - The rows of ``keypoints`` run left to right in file order, the 15 keypoints
      top to bottom in Kaggle's order: dark where labelled, light where missing.
    - With more than ``max_columns`` rows, consecutive rows are grouped into
      ``max_columns`` image columns of (nearly) equal size, each showing the share
      of its rows that label the keypoint: a few scattered missing values show as
      a lighter shade instead of vanishing or flickering with the figure's size.
    - ``ax``: draw into these axes instead of a new ``(8, 4)``-inch figure.
    """
    labelled = _labelled_keypoints(keypoints)
    if (
        isinstance(max_columns, bool)
        or not isinstance(max_columns, (int, np.integer))
        or max_columns < 1
    ):
        raise ValueError(
            f"max_columns must be a whole number >= 1, got {max_columns!r}"
        )
    n = len(labelled)
    starts = np.linspace(0, n, min(n, max_columns) + 1).astype(np.int64)[:-1]
    shares = (
        np.add.reduceat(labelled.astype(np.float64), starts, axis=0)
        / np.diff(np.append(starts, n))[:, None]
    )
    fig, ax = _figure_and_axes(ax, (8.0, 4.0))
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Patch

    cmap = LinearSegmentedColormap.from_list(
        "missing_to_labelled", [MISSING_COLOUR, LABELLED_COLOUR]
    )
    ax.imshow(
        shares.T,
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, n - 0.5, NUM_KEYPOINTS - 0.5, -0.5),
    )
    ax.set_yticks(np.arange(NUM_KEYPOINTS), KEYPOINT_NAMES, fontsize=9)
    ax.set_xlabel("row of the file")
    ax.set_title(
        title if title is not None else "Labelled and missing keypoints, row by row"
    )
    ax.legend(
        handles=[
            Patch(color=LABELLED_COLOUR, label="labelled"),
            Patch(color=MISSING_COLOUR, label="missing"),
        ],
        loc="upper right",
        bbox_to_anchor=(1.0, -0.08),
        ncol=2,
        fontsize=9,
        frameon=False,
    )
    fig.tight_layout()
    return fig


def plot_named_keypoints(
    image: np.ndarray,
    keypoints: np.ndarray,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """One face with each labelled keypoint's name beside it; returns the ``Figure``.

    - ``image``: ``(96, 96)`` or ``(96, 96, 1)``, floats in [0, 1] or uint8.
    - ``keypoints``: ``(30,)`` in pixels, Kaggle's column order; missing (NaN)
      keypoints are left out.
    - The names stand in two columns outside the image, joined to their points by
      thin lines: the keypoints on the image's left in the left column, the others
      in the right one, each column in top-to-bottom order. Give ``ax`` room on
      both sides; without ``ax`` the figure is ``(8, 5)`` inches.
    """
    face = as_faces(np.asarray(image)[np.newaxis])[0]
    points = _as_keypoints(np.asarray(keypoints)[np.newaxis], 1, "keypoints")[
        0
    ].reshape(NUM_KEYPOINTS, 2)
    shown = [k for k in range(NUM_KEYPOINTS) if np.isfinite(points[k]).all()]
    if ax is None:
        fig, ax = _figure_and_axes(None, (8.0, 4.6))
        fig.subplots_adjust(left=0.24, right=0.76, top=0.93, bottom=0.02)
    else:
        fig = ax.figure
    ax.imshow(
        face,
        cmap="gray",
        vmin=0,
        vmax=255 if face.dtype == np.uint8 else 1.0,
        interpolation="nearest",
    )
    ax.scatter(
        points[shown, 0],
        points[shown, 1],
        s=18,
        c=TRUE_COLOUR,
        edgecolors="black",
        linewidths=0.5,
        zorder=3,
    )
    by_x = sorted(shown, key=lambda k: points[k, 0])
    half = len(by_x) // 2
    for side, column in (("left", by_x[:half]), ("right", by_x[half:])):
        column = sorted(column, key=lambda k: points[k, 1])
        wanted = [
            1 - (points[k, 1] + 0.5) / IMAGE_SIZE for k in column
        ]  # beside the point, in axes fraction
        label_x = -0.04 if side == "left" else 1.04
        heights = _untangled(points[column], label_x, _spread_out(wanted, gap=0.07))
        for k, height in zip(column, heights, strict=True):
            ax.annotate(
                KEYPOINT_NAMES[k],
                xy=tuple(points[k]),
                xytext=(label_x, height),
                textcoords="axes fraction",
                ha="right" if side == "left" else "left",
                va="center",
                fontsize=9,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#0077b6",
                    "linewidth": 0.8,
                    "shrinkA": 1,
                    "shrinkB": 3,
                },
                annotation_clip=False,
            )
    ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
    ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=11)
    return fig


def plot_mean_shape(
    images: np.ndarray,
    keypoints: np.ndarray,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The average face: mean image, mean keypoints and their ±1 std ellipses; returns
    the ``Figure``.

    - ``images``: ``(n, 96, 96)`` or ``(n, 96, 96, 1)``, floats in [0, 1] or uint8;
      ``keypoints``: ``(n, 30)`` in pixels, NaN where missing.
    - Each keypoint's mean and covariance come from the rows that label it; the
      ellipse is its 1-standard-deviation contour (drawn when it has two or more
      labels). Axes in pixels, y pointing down as in the image.
    - ``ax``: draw into these axes instead of a new ``(5, 5)``-inch figure.
    """
    faces = as_faces(images)
    points = _as_keypoints(keypoints, len(faces), "keypoints")
    fig, ax = _figure_and_axes(ax, (5.0, 5.0))
    from matplotlib.patches import Ellipse

    vmax = 255 if faces.dtype == np.uint8 else 1.0
    ax.imshow(
        faces.mean(axis=0, dtype=np.float64),
        cmap="gray",
        vmin=0,
        vmax=vmax,
        interpolation="nearest",
    )
    means = np.full((NUM_KEYPOINTS, 2), np.nan)
    for k in range(NUM_KEYPOINTS):
        xy = points[:, 2 * k : 2 * k + 2]
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) == 0:
            continue
        means[k] = xy.mean(axis=0)
        if len(xy) < 2:
            continue
        variances, axes = np.linalg.eigh(np.cov(xy, rowvar=False))
        angle = np.degrees(
            np.arctan2(axes[1, 1], axes[0, 1])
        )  # direction of the larger spread
        width, height = 2 * np.sqrt(np.maximum(variances[::-1], 0.0))
        ax.add_patch(
            Ellipse(
                tuple(means[k]),
                width,
                height,
                angle=angle,
                fill=False,
                edgecolor=FOUR_SOURCE_COLOUR,
                linewidth=1,
            )
        )
    ax.scatter(
        means[:, 0],
        means[:, 1],
        s=14,
        c=TRUE_COLOUR,
        edgecolors="black",
        linewidths=0.4,
        zorder=3,
    )
    from matplotlib.lines import Line2D

    ax.legend(
        handles=[
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=5,
                markerfacecolor=TRUE_COLOUR,
                markeredgecolor="black",
                markeredgewidth=0.4,
                label="mean position",
            ),
            Line2D(
                [],
                [],
                color=FOUR_SOURCE_COLOUR,
                linewidth=1,
                label="±1 standard deviation",
            ),
        ],
        loc="lower left",
        fontsize=8,
        framealpha=0.9,
    )
    ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
    ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    ax.set_title(title if title is not None else f"Average of {len(faces)} faces")
    return fig


def plot_keypoint_spread(
    keypoints: np.ndarray,
    names: Sequence[str] = FOUR_KEYPOINT_SOURCE,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Every labelled position of a few keypoints, one colour each; returns the
    ``Figure``.

    - ``keypoints``: ``(n, 30)`` in pixels, NaN where missing;
      ``names``: keypoints to draw (default: the four that both sources label).
    - Axes span the 96x96 image in pixels, y pointing down; small translucent
      dots, so dense regions look darker.
    - ``ax``: draw into these axes instead of a new ``(5, 5)``-inch figure.
    """
    points = np.asarray(keypoints, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != NUM_TARGETS:
        raise ValueError(
            f"keypoints: expected shape (n, {NUM_TARGETS}) in pixels, got "
            f"{points.shape}"
        )
    indices = [keypoint_index(name) for name in names]
    if not indices:
        raise ValueError("names: expected at least one keypoint name")
    fig, ax = _figure_and_axes(ax, (5.0, 5.0))
    for colour, k in enumerate(indices):
        xy = points[:, 2 * k : 2 * k + 2]
        xy = xy[np.isfinite(xy).all(axis=1)]
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=2,
            alpha=0.15,
            color=f"C{colour}",
            linewidths=0,
            rasterized=True,
        )
        ax.scatter(
            [], [], s=12, color=f"C{colour}", label=f"{KEYPOINT_NAMES[k]} ({len(xy)})"
        )
    ax.set_xlim(-0.5, IMAGE_SIZE - 0.5)
    ax.set_ylim(IMAGE_SIZE - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_title(title if title is not None else "Every labelled position")
    return fig


def _labelled_keypoints(keypoints: np.ndarray) -> np.ndarray:
    """bool ``(n, 15)``: which keypoints each row labels (both x and y present).

    ``keypoints``: ``(n, 30)`` in pixels, Kaggle's column order, NaN where missing.
    """
    points = np.asarray(keypoints, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != NUM_TARGETS or len(points) == 0:
        raise ValueError(
            f"keypoints: expected shape (n, {NUM_TARGETS}) with n >= 1, got "
            f"{points.shape}"
        )
    return np.isfinite(points[:, 0::2]) & np.isfinite(points[:, 1::2])


def _spread_out(wanted: Sequence[float], *, gap: float) -> list[float]:
    """Heights in [0, 1] as close to ``wanted`` (descending) as keeps them ``gap``
    apart.

    Labels move down where they would overlap the one above, then back up where
    that pushed them below 0. ``wanted`` holds at most ``1 / gap + 1`` values.
    """
    heights = [min(float(h), 1.0) for h in wanted]
    for i in range(1, len(heights)):
        heights[i] = min(heights[i], heights[i - 1] - gap)
    if heights:
        heights[-1] = max(heights[-1], 0.0)
    for i in range(len(heights) - 2, -1, -1):
        heights[i] = max(heights[i], heights[i + 1] + gap)
    return heights


def _untangled(points: np.ndarray, label_x: float, heights: list[float]) -> list[float]:
    """``heights`` reordered so that no two lines from ``points`` to their labels cross.

    ``points``: ``(m, 2)`` in pixels; the labels stand at ``label_x`` (axes fraction)
    and ``heights[i]`` (axes fraction, ``points[i]``'s label). Neighbouring labels
    whose lines cross swap places until none do.
    """

    def end(h: float) -> np.ndarray:  # a label's position in pixels (y pointing down)
        return np.array([label_x * IMAGE_SIZE - 0.5, (1 - h) * IMAGE_SIZE - 0.5])

    def cross(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> bool:
        def turn(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> float:
            return float((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

        return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0

    order = sorted(range(len(heights)), key=lambda i: -heights[i])  # top to bottom
    slots = sorted(heights, reverse=True)
    for _ in range(len(order) ** 2):
        swapped = False
        for j in range(len(order) - 1):
            i, k = order[j], order[j + 1]
            if cross(points[i], end(slots[j]), points[k], end(slots[j + 1])):
                order[j], order[j + 1] = k, i
                swapped = True
        if not swapped:
            break
    result = list(heights)
    for slot, i in zip(slots, order, strict=True):
        result[i] = slot
    return result


def _figure_and_axes(
    ax: Axes | None, figsize: tuple[float, float]
) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure of ``figsize`` inches with one axes."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=figsize)
    return fig, new_ax
