"""Error per face and per keypoint, the worst faces, and the figures of chapters 5 and
6."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from fkp_helpers.figures.error_analysis import (
    SIDE_COLOURS,
    error_per_face_px,
    keypoint_side,
    plot_error_per_keypoint,
    plot_keypoint_sides,
    worst_rows,
)
from fkp_helpers.keypoints import FLIP_PAIRS, KEYPOINT_NAMES
from fkp_helpers.metrics import rmse_per_keypoint_px, rmse_px


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _targets(rows: int, value: float = 40.0) -> np.ndarray:
    return np.full((rows, 30), value, dtype=np.float32)


def _predictions(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.uniform(10, 85, size=(rows, 30))
    y_pred = y_true + rng.normal(0, 2, size=(rows, 30))
    return y_true, y_pred


def _bars(fig: Figure) -> list[Rectangle]:
    return [patch for patch in fig.axes[0].patches if isinstance(patch, Rectangle)]


# ----------------------------------------------------------------------- error per face


def test_error_per_face_is_the_rmse_of_each_row_over_its_labelled_values():
    y_true = _targets(3)
    y_pred = y_true.copy()
    y_pred[0, 0] += 3.0  # row 0: one error of 3 over 30 values
    y_pred[1, :] += 2.0  # row 1: every value off by 2
    y_true[2, 2:] = np.nan  # row 2 labels only its first keypoint...
    y_pred[2, :2] += 4.0  # ...which is off by 4 in x and y
    y_pred[2, 2:] = np.nan  # predictions for unlabelled values are never looked at
    errors = error_per_face_px(y_true, y_pred)
    assert errors.dtype == np.float64 and errors.shape == (3,)
    np.testing.assert_allclose(errors, [math.sqrt(9 / 30), 2.0, 4.0])


def test_error_per_face_agrees_with_rmse_px_row_by_row():
    y_true, y_pred = _predictions(5)
    y_true[1, 10:20] = np.nan
    errors = error_per_face_px(y_true, y_pred)
    expected = [rmse_px(y_true[i : i + 1], y_pred[i : i + 1]) for i in range(5)]
    np.testing.assert_allclose(errors, expected)


def test_a_face_with_nothing_labelled_has_no_error():
    y_true = _targets(2)
    y_true[1] = np.nan
    errors = error_per_face_px(y_true, y_true + 1.0)
    assert errors[0] == pytest.approx(1.0)
    assert np.isnan(errors[1])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        (np.zeros((2, 30)), np.zeros((3, 30)), "expected the same"),
        (np.zeros((2, 28)), np.zeros((2, 28)), r"shape \(N, 30\)"),
        (np.zeros(30), np.zeros(30), r"shape \(N, 30\)"),
        (np.zeros((1, 30)), np.full((1, 30), np.inf), "NaN or infinite"),
    ],
)
def test_error_per_face_rejects_bad_input(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        error_per_face_px(y_true, y_pred)


# --------------------------------------------------------------------------- worst rows


def test_worst_rows_come_worst_first():
    y_true = _targets(5)
    offsets = np.array([1.0, 5.0, 0.0, 3.0, 4.0])
    indices = worst_rows(y_true, y_true + offsets[:, None], 3)
    assert indices.dtype == np.int64
    assert indices.tolist() == [1, 4, 3]


def test_worst_rows_break_ties_by_row_and_skip_faces_without_labels():
    y_true = _targets(4)
    y_true[0] = np.nan  # nothing to score: never chosen
    y_pred = y_true + 2.0
    y_pred[0] = 100.0
    assert worst_rows(y_true, y_pred, 10).tolist() == [1, 2, 3]


@pytest.mark.parametrize("n", [0, -1, True, 2.0, "3"])
def test_worst_rows_needs_a_positive_whole_number(n):
    with pytest.raises(ValueError, match="whole number >= 1"):
        worst_rows(_targets(2), _targets(2), n)


# ------------------------------------------------------------------- error per keypoint


def test_one_bar_per_keypoint_as_long_as_its_rmse():
    y_true, y_pred = _predictions(20)
    y_true[:5, 14:16] = np.nan  # nose tip missing in a few rows
    fig = plot_error_per_keypoint(y_true, y_pred, title="Validation faces")
    ax = fig.axes[0]
    bars = _bars(fig)
    assert len(bars) == 15
    expected = rmse_per_keypoint_px(y_true, y_pred)
    widths = sorted(
        bars, key=lambda bar: bar.get_y()
    )  # top (first keypoint) first after invert_yaxis
    np.testing.assert_allclose(
        [bar.get_width() for bar in widths], [expected[k] for k in KEYPOINT_NAMES]
    )
    assert [label.get_text() for label in ax.get_yticklabels()] == list(KEYPOINT_NAMES)
    assert ax.yaxis_inverted()
    (line,) = ax.get_lines()
    assert line.get_xdata()[0] == pytest.approx(rmse_px(y_true, y_pred))
    assert (
        ax.get_legend().get_texts()[0].get_text()
        == f"overall {rmse_px(y_true, y_pred):.2f} px"
    )
    assert len(ax.texts) == 15  # each bar ends with its value
    assert ax.get_title() == "Validation faces" and ax.get_xlabel() == "RMSE (pixels)"


def test_several_models_get_a_group_of_bars_and_a_line_each():
    y_true, y_pred = _predictions(20)
    better = (y_true + y_pred) / 2
    fig = plot_error_per_keypoint(y_true, {"seed-cnn": y_pred, "cnn": better})
    ax = fig.axes[0]
    bars = _bars(fig)
    assert len(bars) == 30
    colours = {to_rgba(bar.get_facecolor()) for bar in bars}
    assert len(colours) == 2
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == [
        f"seed-cnn: overall {rmse_px(y_true, y_pred):.2f} px",
        f"cnn: overall {rmse_px(y_true, better):.2f} px",
    ]
    assert len(ax.texts) == 0  # no values printed when bars are grouped


def test_error_per_keypoint_draws_into_a_given_axes():
    y_true, y_pred = _predictions(4)
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_error_per_keypoint(y_true, y_pred, ax=right) is fig
    assert len(right.patches) == 15 and len(left.patches) == 0


def test_error_per_keypoint_needs_a_model():
    y_true, _ = _predictions(4)
    with pytest.raises(ValueError, match="non-empty"):
        plot_error_per_keypoint(y_true, {})


# ------------------------------------------------------------ sides and the flip figure


def test_sides_follow_the_names():
    assert keypoint_side("left_eye_center") == "left"
    assert keypoint_side("mouth_right_corner") == "right"
    assert keypoint_side("nose_tip") == "centre"
    with pytest.raises(ValueError, match="unknown keypoint"):
        keypoint_side("left_ear")


def test_the_flip_pairs_are_exactly_the_left_and_right_keypoints():
    paired = {name for pair in FLIP_PAIRS for name in pair}
    for left, right in FLIP_PAIRS:
        assert (keypoint_side(left), keypoint_side(right)) == ("left", "right")
    assert {
        name for name in KEYPOINT_NAMES if keypoint_side(name) != "centre"
    } == paired


def test_keypoint_sides_colours_each_keypoint_by_its_side():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 1, size=(3, 96, 96, 1)).astype(np.float32)
    keypoints = rng.uniform(5, 90, size=(3, 30))
    keypoints[2, :2] = np.nan
    fig = plot_keypoint_sides(images, keypoints, titles=["a", "b", "c"])
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 3
    assert [ax.get_title() for ax in panels] == ["a", "b", "c"]
    for ax, points in zip(panels, keypoints, strict=True):
        (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        np.testing.assert_allclose(scatter.get_offsets(), points.reshape(15, 2))
        colours = [tuple(c) for c in scatter.get_facecolors()]
        assert colours == [
            to_rgba(SIDE_COLOURS[keypoint_side(name)]) for name in KEYPOINT_NAMES
        ]
    assert len(fig.legends) == 1


def test_keypoint_sides_rejects_bad_shapes():
    images = np.zeros((2, 96, 96), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"keypoints: expected shape \(2, 30\)"):
        plot_keypoint_sides(images, np.zeros((2, 28)))
    with pytest.raises(ValueError, match="images: expected shape"):
        plot_keypoint_sides(np.zeros((2, 64, 64)), np.zeros((2, 30)))
    with pytest.raises(ValueError, match="expected 2 titles"):
        plot_keypoint_sides(images, np.zeros((2, 30)), titles=["one"])


def test_importing_the_module_loads_neither_matplotlib_nor_tensorflow():
    code = (
        "import sys, fkp_helpers.figures.error_analysis; "
        "print(any(m in sys.modules for m in ('matplotlib', 'tensorflow', 'pandas')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
