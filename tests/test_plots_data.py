"""Figures of what the training data holds: labelled counts, the missing-value map,
named keypoints, the mean shape."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Ellipse, Rectangle

from fkp_helpers.figures.faces import (
    FOUR_SOURCE_COLOUR,
    LABELLED_COLOUR,
    plot_keypoint_spread,
    plot_labelled_counts,
    plot_labelled_mask,
    plot_mean_shape,
    plot_named_keypoints,
)
from fkp_helpers.keypoints import FOUR_KEYPOINT_SOURCE, KEYPOINT_NAMES, keypoint_index


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


TYPICAL_FACE = np.array(
    # x, y of the 15 keypoints in Kaggle's order: eye centres, eye corners, eyebrow
    # ends, nose, mouth
    [66.2, 37.9, 30.4, 37.9, 59.5, 38.1, 73.1, 37.6, 37.3, 38.1,
     23.6, 37.7, 56.6, 29.0, 79.8, 29.2, 40.1, 29.0, 16.9, 29.4,
     48.3, 62.6, 63.2, 75.8, 33.7, 75.8, 48.5, 74.0, 48.3, 79.8]
)  # fmt: skip


def _keypoints(n: int, seed: int = 0) -> np.ndarray:
    """``(n, 30)`` plausible keypoints in pixels, all labelled."""
    rng = np.random.default_rng(seed)
    return rng.uniform(10, 85, size=(n, 30))


def _missing(keypoints: np.ndarray, row: int, name: str) -> None:
    k = keypoint_index(name)
    keypoints[row, 2 * k : 2 * k + 2] = np.nan


def _bars(ax: plt.Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_labelled_counts_one_bar_per_keypoint_with_its_count() -> None:
    keypoints = _keypoints(10)
    _missing(keypoints, 0, "left_eye_inner_corner")
    _missing(keypoints, 3, "left_eye_inner_corner")
    keypoints[5, 2 * keypoint_index("nose_tip")] = (
        np.nan
    )  # x alone missing: not labelled
    fig = plot_labelled_counts(keypoints)
    ax = fig.axes[0]
    bars = _bars(ax)
    widths = {
        label.get_text(): bar.get_width()
        for label, bar in zip(ax.get_yticklabels(), bars, strict=True)
    }
    assert list(widths) == list(KEYPOINT_NAMES)
    assert (
        widths["left_eye_inner_corner"] == 8
        and widths["nose_tip"] == 9
        and widths["left_eye_center"] == 10
    )
    texts = [t.get_text() for t in ax.texts]
    assert "8 (80.0 %)" in texts and "10 (100.0 %)" in texts
    four = matplotlib.colors.to_rgba(FOUR_SOURCE_COLOUR)
    assert [bar.get_facecolor() == pytest.approx(four) for bar in bars] == [
        name in FOUR_KEYPOINT_SOURCE for name in KEYPOINT_NAMES
    ]
    assert ax.get_title() and ax.get_xlabel()


def test_labelled_counts_draws_into_given_axes() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_labelled_counts(_keypoints(3), ax=right, title="mine") is fig
    assert right.get_title() == "mine" and not left.patches


def test_labelled_mask_shows_every_row_while_they_fit() -> None:
    keypoints = _keypoints(6)
    _missing(keypoints, 2, "mouth_left_corner")
    _missing(keypoints, 5, "left_eye_center")
    fig = plot_labelled_mask(keypoints)
    shown = np.asarray(fig.axes[0].images[0].get_array())
    assert shown.shape == (15, 6)
    expected = np.ones((15, 6))
    expected[keypoint_index("mouth_left_corner"), 2] = 0
    expected[keypoint_index("left_eye_center"), 5] = 0
    np.testing.assert_array_equal(shown, expected)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(KEYPOINT_NAMES)


def test_labelled_mask_groups_many_rows_into_shares() -> None:
    keypoints = _keypoints(10)
    _missing(keypoints, 0, "nose_tip")
    for row in range(5, 10):
        _missing(keypoints, row, "left_eyebrow_outer_end")
    shown = np.asarray(
        plot_labelled_mask(keypoints, max_columns=2).axes[0].images[0].get_array()
    )
    assert shown.shape == (15, 2)  # rows 0-4 and rows 5-9
    assert shown[keypoint_index("nose_tip")].tolist() == [0.8, 1.0]
    assert shown[keypoint_index("left_eyebrow_outer_end")].tolist() == [1.0, 0.0]
    left, right, _, _ = (
        plot_labelled_mask(keypoints, max_columns=2).axes[0].images[0].get_extent()
    )
    assert (left, right) == (-0.5, 9.5)  # the x axis still counts rows


@pytest.mark.parametrize("max_columns", [0, 2.5, True])
def test_labelled_mask_refuses_a_bad_column_count(max_columns: object) -> None:
    with pytest.raises(ValueError, match="max_columns"):
        plot_labelled_mask(_keypoints(3), max_columns=max_columns)  # type: ignore[arg-type]


def test_named_keypoints_label_each_labelled_point_without_crossing_lines() -> None:
    keypoints = TYPICAL_FACE.copy()[np.newaxis]
    # the left eye's outer corner, inner corner and centre, top to bottom: labels in
    # that order would cross
    keypoints[0, 0:8] = [66.2, 38.4, 30.4, 37.9, 59.5, 38.0, 73.1, 37.6]
    _missing(keypoints, 0, "mouth_center_top_lip")
    keypoints = keypoints[0]
    fig = plot_named_keypoints(np.zeros((96, 96, 1)), keypoints, title="one face")
    ax = fig.axes[0]
    notes = {note.get_text(): note for note in ax.texts}
    assert set(notes) == set(KEYPOINT_NAMES) - {"mouth_center_top_lip"}
    for name, note in notes.items():
        k = keypoint_index(name)
        assert note.xy == pytest.approx(tuple(keypoints[2 * k : 2 * k + 2]))
    left = [n for n in notes.values() if n.get_position()[0] < 0]
    right = [n for n in notes.values() if n.get_position()[0] > 1]
    assert (len(left), len(right)) == (7, 7)
    assert max(n.xy[0] for n in left) <= min(
        n.xy[0] for n in right
    )  # the image's left half on the left
    for column in (left, right):
        heights = sorted(n.get_position()[1] for n in column)
        assert (
            min(np.diff(heights)) >= 0.07 - 1e-9
            and 0 <= heights[0]
            and heights[-1] <= 1
        )
        segments = [_segment(n) for n in column]
        for i in range(len(segments)):
            for j in range(i + 1, len(segments)):
                assert not _cross(*segments[i], *segments[j]), (
                    column[i].get_text(),
                    column[j].get_text(),
                )
    assert ax.get_title() == "one face"


def _segment(note: matplotlib.text.Annotation) -> tuple[np.ndarray, np.ndarray]:
    x, h = note.get_position()
    return np.array(note.xy), np.array([x * 96 - 0.5, (1 - h) * 96 - 0.5])


def _cross(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> bool:
    def turn(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> float:
        return float((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0


def test_named_keypoints_checks_its_input() -> None:
    with pytest.raises(ValueError, match=r"keypoints: expected shape \(1, 30\)"):
        plot_named_keypoints(np.zeros((96, 96)), np.zeros(28))
    with pytest.raises(ValueError, match="images: expected shape"):
        plot_named_keypoints(np.zeros((95, 96)), np.zeros(30))


def test_mean_shape_draws_means_and_one_std_ellipses_over_the_mean_image() -> None:
    rng = np.random.default_rng(1)
    keypoints = np.tile(np.linspace(20, 70, 30), (400, 1))
    k = keypoint_index("nose_tip")
    keypoints[:, 2 * k] += rng.normal(
        0, 3.0, 400
    )  # x spread 3 px, y spread 1 px, independent
    keypoints[:, 2 * k + 1] += rng.normal(0, 1.0, 400)
    keypoints[:200, 2 * k : 2 * k + 2] = np.nan  # means over the labelled rows only
    keypoints[1:, 0:2] = (
        np.nan
    )  # left_eye_center labelled in one row only: a dot, no ellipse
    images = np.zeros((400, 96, 96), dtype=np.uint8)
    images[:200] = 255
    fig = plot_mean_shape(images, keypoints)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), 127.5)
    dots = [c for c in ax.collections if isinstance(c, PathCollection)][0].get_offsets()
    np.testing.assert_allclose(
        dots[k], np.nanmean(keypoints[:, 2 * k : 2 * k + 2], axis=0)
    )
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 14
    nose = [e for e in ellipses if np.allclose(e.center, dots[k])][0]
    xy = keypoints[200:, 2 * k : 2 * k + 2]
    larger, smaller = sorted(
        np.sqrt(np.linalg.eigvalsh(np.cov(xy, rowvar=False))), reverse=True
    )
    assert (nose.width, nose.height) == pytest.approx((2 * larger, 2 * smaller))
    assert (
        min(nose.angle % 180, 180 - nose.angle % 180) < 10
    )  # the wide axis is horizontal
    assert ax.get_xlabel() == "x (pixels)" and ax.get_ylim() == (95.5, -0.5)


def test_keypoint_spread_plots_every_labelled_position() -> None:
    keypoints = _keypoints(20)
    _missing(keypoints, 4, "nose_tip")
    fig = plot_keypoint_spread(keypoints, ["nose_tip", "left_eye_center"])
    ax = fig.axes[0]
    clouds = [
        c
        for c in ax.collections
        if isinstance(c, PathCollection) and len(c.get_offsets())
    ]
    assert [len(c.get_offsets()) for c in clouds] == [19, 20]
    k = keypoint_index("left_eye_center")
    np.testing.assert_allclose(clouds[1].get_offsets(), keypoints[:, 2 * k : 2 * k + 2])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "nose_tip (19)",
        "left_eye_center (20)",
    ]


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (lambda: plot_keypoint_spread(np.zeros((3, 28))), r"expected shape \(n, 30\)"),
        (lambda: plot_keypoint_spread(np.zeros((3, 30)), []), "at least one keypoint"),
        (lambda: plot_labelled_counts(np.zeros((0, 30))), "n >= 1"),
        (lambda: plot_labelled_mask(np.zeros(30)), r"expected shape \(n, 30\)"),
        (
            lambda: plot_mean_shape(np.zeros((2, 96, 96)), np.zeros((3, 30))),
            r"expected shape \(2, 30\)",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(function: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        function()  # type: ignore[operator]


def test_unknown_keypoint_name_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown keypoint 'chin'"):
        plot_keypoint_spread(_keypoints(2), ["chin"])


def test_bar_colours_are_the_named_constants() -> None:
    bars = _bars(plot_labelled_counts(_keypoints(2)).axes[0])
    assert bars[
        keypoint_index("left_eye_inner_corner")
    ].get_facecolor() == pytest.approx(matplotlib.colors.to_rgba(LABELLED_COLOUR))
