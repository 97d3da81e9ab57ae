"""Learning curves: reading a run's history.csv strictly, article B's table, and the
plots."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from fkp_helpers.errors import DataError
from fkp_helpers.figures.learning_curves import (
    HISTORY_FILE,
    compare_learning_curves,
    history_table,
    plot_learning_curves,
    read_history,
)

HEADER = "epoch,loss,rmse_px,val_loss,val_rmse_px"


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _write_history(folder: Path, epochs: int, *, header: str = HEADER) -> Path:
    """A CSVLogger-style history of ``epochs`` rows in ``folder``: losses falling as
    1/(epoch+1)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [header]
    for epoch in range(epochs):
        loss, val_loss = 0.1 / (epoch + 1), 0.05 / (epoch + 1) + 0.001 * epoch
        lines.append(
            f"{epoch},{loss},{math.sqrt(loss) * 48},"
            f"{val_loss},{math.sqrt(val_loss) * 48}"
        )
    path = folder / HISTORY_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------- read_history


def test_a_run_folder_and_its_csv_read_the_same_with_epochs_from_one(
    tmp_path: Path,
) -> None:
    path = _write_history(tmp_path / "run", 5)
    from_folder, from_file = read_history(tmp_path / "run"), read_history(str(path))
    pd.testing.assert_frame_equal(from_folder, from_file)
    assert list(from_folder.columns) == HEADER.split(",")
    assert from_folder["epoch"].tolist() == [1, 2, 3, 4, 5]
    assert from_folder["loss"].dtype == np.float64
    assert from_folder["loss"].iloc[0] == pytest.approx(0.1)


def test_reading_its_own_output_changes_nothing(tmp_path: Path) -> None:
    once = read_history(_write_history(tmp_path, 3))
    pd.testing.assert_frame_equal(read_history(once), once)


def test_a_keras_history_dict_is_numbered_from_one() -> None:
    table = read_history({"loss": [0.3, 0.2], "val_loss": [0.4, 0.25]})
    assert table["epoch"].tolist() == [1, 2]
    assert table["val_loss"].tolist() == [0.4, 0.25]


def test_na_and_empty_fields_are_nan(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    path.write_text("epoch,loss,val_loss\n0,0.5,NA\n1,0.4,\n", encoding="utf-8")
    assert read_history(path)["val_loss"].isna().all()


def test_a_missing_file_names_its_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=rf"{HISTORY_FILE}: missing"):
        read_history(tmp_path)


def test_a_header_without_val_loss_names_line_1(tmp_path: Path) -> None:
    path = _write_history(tmp_path, 2, header="epoch,loss,rmse_px,val_los,val_rmse_px")
    with pytest.raises(DataError, match=r"line 1: expected a column 'val_loss'"):
        read_history(path)


def test_a_field_that_is_not_a_number_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    path.write_text("epoch,loss,val_loss\n0,0.5,0.4\n1,0.4,oops\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_history(path)
    assert (caught.value.line, caught.value.column, caught.value.column_name) == (
        3,
        3,
        "val_loss",
    )
    assert str(caught.value).endswith(
        "line 3, column 3 (val_loss): expected a number, found 'oops'"
    )


def test_a_short_row_and_an_empty_history_are_refused(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    path.write_text("epoch,loss,val_loss\n0,0.5\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2: expected 3 fields, found 2"):
        read_history(path)
    path.write_text("epoch,loss,val_loss\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2: no epochs"):
        read_history(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="line 1: empty"):
        read_history(path)


def test_unusable_dicts_are_refused() -> None:
    with pytest.raises(ValueError, match="missing val_loss"):
        read_history({"loss": [0.1]})
    with pytest.raises(ValueError, match="one value per epoch"):
        read_history({"loss": [0.1, 0.2], "val_loss": [0.1]})
    with pytest.raises(TypeError):
        read_history(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ history_table


def test_the_table_shows_epoch_1_every_nth_and_the_last(tmp_path: Path) -> None:
    _write_history(tmp_path, 7)
    table = history_table(tmp_path, every=3)
    assert table["Epoch"].tolist() == [1, 3, 6, 7]
    assert list(table.columns) == [
        "Epoch",
        "Train loss",
        "Valid loss",
        "Train / Val",
        "Train RMSE (px)",
        "Valid RMSE (px)",
    ]
    assert list(table.index) == [0, 1, 2, 3]
    assert history_table(tmp_path)["Epoch"].tolist() == list(range(1, 8))


def test_the_table_holds_article_b_ratio_rounded_for_display(tmp_path: Path) -> None:
    _write_history(tmp_path, 4)
    history = read_history(tmp_path)
    table = history_table(tmp_path, every=1)
    np.testing.assert_allclose(
        table["Train / Val"], (history["loss"] / history["val_loss"]).round(6)
    )
    assert table["Valid RMSE (px)"].tolist() == history["val_rmse_px"].round(3).tolist()
    assert table["Train loss"].iloc[2] == round(0.1 / 3, 6)


def test_the_table_leaves_out_rmse_columns_that_were_not_logged() -> None:
    table = history_table({"loss": [0.2, 0.1], "val_loss": [0.4, 0.2]})
    assert list(table.columns) == ["Epoch", "Train loss", "Valid loss", "Train / Val"]
    assert table["Train / Val"].tolist() == [0.5, 0.5]


@pytest.mark.parametrize("every", [0, -2, 1.5, True])
def test_every_must_be_a_whole_number_of_at_least_one(
    tmp_path: Path, every: object
) -> None:
    _write_history(tmp_path, 3)
    with pytest.raises(ValueError, match="every must be"):
        history_table(tmp_path, every=every)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- plots


def test_learning_curves_draw_train_and_valid_on_a_log_axis(tmp_path: Path) -> None:
    _write_history(tmp_path, 6)
    history = read_history(tmp_path)
    fig = plot_learning_curves(tmp_path, title="net1")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert (
        ax.get_yscale() == "log"
        and ax.get_title() == "net1"
        and ax.get_xlabel() == "epoch"
    )
    train, valid, best = ax.get_lines()
    np.testing.assert_allclose(train.get_xdata(), history["epoch"])
    np.testing.assert_allclose(train.get_ydata(), history["loss"])
    np.testing.assert_allclose(valid.get_ydata(), history["val_loss"])
    best_row = history["val_loss"].idxmin()
    assert best.get_xdata()[0] == history["epoch"][best_row]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "train",
        "valid",
        f"best valid: epoch {history['epoch'][best_row]}",
    ]
    assert any(line.get_visible() for line in ax.get_xgridlines())
    fig.canvas.draw()
    labels = [
        label.get_text()
        for label in ax.get_yticklabels() + ax.get_yticklabels(minor=True)
    ]
    assert "0.01" in labels and not [
        text for text in labels if "e" in text or "$" in text
    ]  # plain numbers
    assert all(float(tick).is_integer() for tick in ax.get_xticks())  # whole epochs


def test_learning_curves_in_pixels_on_a_linear_axis_into_a_given_axes(
    tmp_path: Path,
) -> None:
    _write_history(tmp_path, 3)
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_learning_curves(tmp_path, metric="rmse_px", log_y=False, ax=right)
    assert returned is fig and not left.lines
    assert right.get_yscale() == "linear" and right.get_ylabel() == "RMSE (pixels)"
    np.testing.assert_allclose(
        right.get_lines()[1].get_ydata(), read_history(tmp_path)["val_rmse_px"]
    )


def test_an_unlogged_metric_says_what_was_logged() -> None:
    with pytest.raises(
        ValueError, match=r"no rmse_px, val_rmse_px \(it logged loss, val_loss\)"
    ):
        plot_learning_curves({"loss": [0.2], "val_loss": [0.3]}, metric="rmse_px")


def test_compared_runs_share_one_colour_each_valid_solid_train_dashed(
    tmp_path: Path,
) -> None:
    _write_history(tmp_path / "a", 4)
    _write_history(tmp_path / "b", 9)
    fig = compare_learning_curves(
        {"MLP": tmp_path / "a", "CNN": tmp_path / "b"}, title="MLP vs CNN"
    )
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == [
        "MLP: valid",
        "MLP: train",
        "CNN: valid",
        "CNN: train",
    ]
    assert (
        lines[0].get_color()
        == lines[1].get_color()
        != lines[2].get_color()
        == lines[3].get_color()
    )
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    assert len(lines[2].get_xdata()) == 9
    assert ax.get_ylabel() == "RMSE (pixels)" and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="at least one"):
        compare_learning_curves({})


def test_a_log_epoch_axis_keeps_plain_labels(tmp_path: Path) -> None:
    _write_history(tmp_path / "long", 200)
    _write_history(tmp_path / "short", 5)
    fig = compare_learning_curves(
        {"long": tmp_path / "long", "short": tmp_path / "short"}, log_x=True
    )
    (ax,) = fig.axes
    fig.canvas.draw()
    assert ax.get_xscale() == "log"
    assert {"1", "10", "100"} <= {label.get_text() for label in ax.get_xticklabels()}


# --------------------------------------------------------------------------- a real run


def test_the_history_of_a_real_training_run_reads_and_plots(tmp_path: Path) -> None:
    from fkp_helpers.nn.training import HISTORY_FILE as TRAINING_HISTORY_FILE
    from fkp_helpers.nn.training import TrainConfig, train
    from fkp_helpers.standin.faces import render_faces

    assert HISTORY_FILE == TRAINING_HISTORY_FILE
    images, keypoints = render_faces(24, seed=1)
    images = (images[..., None] / 255.0).astype(np.float32)
    train(
        images,
        keypoints,
        tmp_path / "run",
        TrainConfig("mlp", epochs=3, valid_rows=8),
        verbose=0,
    )
    table = history_table(tmp_path / "run")
    assert table["Epoch"].tolist() == [1, 2, 3]
    assert {"Train RMSE (px)", "Valid RMSE (px)"} <= set(table.columns)
    assert np.isfinite(table.drop(columns="Epoch").to_numpy()).all()
    plot_learning_curves(tmp_path / "run")
