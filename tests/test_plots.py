"""plot_faces: a grid of faces with true and predicted keypoints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from fkp_helpers.figures.faces import (
    PREDICTED_COLOUR,
    TRUE_COLOUR,
    plot_faces,
    show_and_glue,
)


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _faces(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 96, 96), dtype=np.uint8)
    keypoints = rng.uniform(10, 85, size=(n, 30))
    return images, keypoints


def _scatters(fig: Figure) -> list[list[PathCollection]]:
    return [
        [c for c in ax.collections if isinstance(c, PathCollection)] for ax in fig.axes
    ]


def test_one_panel_per_face_without_ticks() -> None:
    images, keypoints = _faces(6)
    fig = plot_faces(images, keypoints, ncols=4)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6 and len(fig.axes) == 8  # 2 rows of 4, the last 2 empty
    assert all(not ax.axison for ax in fig.axes if not ax.images)
    for ax in panels:
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert fig.get_size_inches() == pytest.approx((8.0, 4.0))


def test_true_keypoints_are_dots_at_their_pixels_without_a_legend() -> None:
    images, keypoints = _faces(2)
    keypoints[1, :4] = np.nan  # two missing keypoints
    fig = plot_faces(images, keypoints)
    scatters = _scatters(fig)
    assert [len(s) for s in scatters] == [1, 1]
    offsets = scatters[0][0].get_offsets()
    np.testing.assert_allclose(offsets, keypoints[0].reshape(15, 2))
    assert (
        np.isnan(np.asarray(scatters[1][0].get_offsets())).any(axis=1).sum() == 2
    )  # missing: not drawn
    assert fig.legends == []
    colour = matplotlib.colors.to_rgba(TRUE_COLOUR)
    assert tuple(scatters[0][0].get_facecolor()[0]) == pytest.approx(colour)


def test_predictions_are_crosses_and_both_get_a_legend() -> None:
    images, keypoints = _faces(3)
    predicted = keypoints + 1.5
    fig = plot_faces(
        images / 255.0, keypoints, predicted=predicted, titles=["a", "b", "c"]
    )
    scatters = _scatters(fig)
    assert all(len(s) == 2 for s in scatters)
    np.testing.assert_allclose(
        scatters[2][1].get_offsets(), predicted[2].reshape(15, 2)
    )
    assert scatters[0][1].get_edgecolor()[0] == pytest.approx(
        matplotlib.colors.to_rgba(PREDICTED_COLOUR)
    )
    assert len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["true", "predicted"]
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]


def test_predictions_alone_have_no_legend() -> None:
    images, keypoints = _faces(2)
    fig = plot_faces(images, predicted=keypoints)
    assert fig.legends == []
    assert [len(s) for s in _scatters(fig)] == [1, 1]


def test_channel_axis_and_value_scale_are_understood() -> None:
    images, _ = _faces(2)
    fig_uint8 = plot_faces(images)
    fig_float = plot_faces(images[..., None] / 255.0)
    shown_uint8 = fig_uint8.axes[0].images[0]
    shown_float = fig_float.axes[0].images[0]
    assert shown_uint8.get_array().shape == (96, 96)
    assert shown_uint8.get_clim() == (0, 255)
    assert shown_float.get_clim() == (0, 1.0)
    assert fig_uint8.axes[0].get_xlim() == (-0.5, 95.5)  # pixel i is centred on x = i


@pytest.mark.parametrize(
    ("images", "kwargs", "message"),
    [
        (np.zeros((2, 96, 95)), {}, "images: expected shape"),
        (np.zeros((0, 96, 96)), {}, "images: expected shape"),
        (np.zeros((2, 96, 96), dtype=np.int64), {}, "expected uint8"),
        (
            np.zeros((2, 96, 96)),
            {"keypoints": np.zeros((2, 28))},
            r"keypoints: expected shape \(2, 30\)",
        ),
        (
            np.zeros((2, 96, 96)),
            {"predicted": np.zeros((3, 30))},
            r"predicted: expected shape \(2, 30\)",
        ),
        (np.zeros((2, 96, 96)), {"ncols": 0}, "ncols"),
        (np.zeros((2, 96, 96)), {"titles": ["one"]}, "expected 2 titles"),
    ],
)
def test_bad_input_raises_a_clear_error(
    images: np.ndarray, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plot_faces(images, **kwargs)


def test_importing_plots_does_not_import_matplotlib() -> None:
    code = (
        "import sys, fkp_helpers.figures.faces; assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_show_and_glue_shows_the_figure_once_through_myst_nb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import myst_nb

    glued: list[tuple[str, Figure, bool]] = []
    record = lambda *args, display: glued.append((*args, display))  # noqa: E731
    monkeypatch.setattr(myst_nb, "glue", record)
    monkeypatch.setattr(plt, "show", lambda: pytest.fail("shown twice"))
    fig = plot_faces(*_faces(2))
    show_and_glue(fig, "faces")
    assert glued == [("faces", fig, True)]
    assert not plt.fignum_exists(fig.number), "the inline backend would show it again"


def test_show_and_glue_just_shows_the_figure_without_myst_nb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[bool] = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in Colab: an ImportError
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    show_and_glue(plot_faces(*_faces(2)), "faces")
    assert shown == [True]
