"""Learning curves of a training run: article B's per-epoch table and its log-scale
plot.

A *history* is what :func:`fkp_helpers.nn.training.train` writes to a run folder's
``history.csv`` (Keras's ``CSVLogger``): a header line, then one row per epoch with
``epoch`` (0-based), ``loss``, ``val_loss`` and the metrics (``rmse_px``,
``val_rmse_px``, sometimes ``learning_rate``). Every function here accepts any of:

- a run folder (its ``history.csv`` is read), or the path of a history CSV file;
- a pandas ``DataFrame`` that :func:`read_history` returned;
- the ``history`` dict of a ``keras.callbacks.History`` (a list of floats per key;
  without an ``epoch`` key the epochs are numbered in order, with one it counts
  from 0 as in the file).

:func:`read_history` turns each into one ``DataFrame`` with a **1-based** ``epoch``
column (as Keras prints "Epoch 1/20"). pandas and matplotlib are imported inside the
functions that need them.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HISTORY_FILE = "history.csv"
"""The history's file name in a run folder (the same
as :data:`fkp_helpers.nn.training.HISTORY_FILE`)."""

REQUIRED_COLUMNS = ("loss", "val_loss")
"""Every history must hold the training and the validation loss."""

MISSING_VALUES = frozenset({"", "NA"})
"""Fields read as NaN: empty, or ``NA`` (what ``CSVLogger`` writes for a value it was
not given)."""

HistorySource = Union[str, os.PathLike, "pd.DataFrame", Mapping[str, Sequence[float]]]
"""A run folder, a history CSV file, a ``DataFrame`` from :func:`read_history`, or a
Keras ``History.history`` dict."""


def read_history(source: HistorySource) -> pd.DataFrame:
    """The history as a ``DataFrame``: ``epoch`` (int, 1-based), then one float64 column
    per logged value.

    Column order follows the source (``CSVLogger`` sorts them: ``loss``, ``rmse_px``,
    ``val_loss``, ``val_rmse_px``, …). A ``DataFrame`` is taken to be one this
    function returned, so ``read_history(read_history(x))`` equals ``read_history(x)``.
    A history CSV with a missing file, a header without ``loss`` or ``val_loss``, a
    row of the wrong length, or a field that is not a number raises
    :class:`~fkp_helpers.errors.DataError` naming the file, line and column; an
    unusable ``DataFrame`` or dict raises ``ValueError``.
    """
    import pandas as pd

    if isinstance(source, (str, os.PathLike)):
        return _read_history_csv(Path(source))
    if isinstance(source, pd.DataFrame):
        table, first_epoch = source.copy(), 1
    elif isinstance(source, Mapping):
        lengths = {key: len(values) for key, values in source.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"history: every key needs one value per epoch, got lengths {lengths}"
            )
        table, first_epoch = (
            pd.DataFrame({key: list(values) for key, values in source.items()}),
            0,
        )
    else:
        raise TypeError(
            "history: expected a run folder, a CSV path, a DataFrame or a dict, got "
            f"{type(source).__name__}"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in table.columns]
    if missing:
        raise ValueError(
            f"history: expected columns {', '.join(REQUIRED_COLUMNS)}; missing "
            f"{', '.join(missing)}"
        )
    if len(table) == 0:
        raise ValueError("history: no epochs recorded")
    if "epoch" not in table.columns:
        table.insert(0, "epoch", range(first_epoch, first_epoch + len(table)))
    return _numbered(table, add=1 - first_epoch)


def history_table(source: HistorySource, *, every: int = 1) -> pd.DataFrame:
    """Article B's per-epoch table: ``Epoch | Train loss | Valid loss | Train / Val``,
    plus RMSE in pixels.

    Rows: epoch 1, every epoch that is a multiple of ``every``, and the last epoch.
    ``Train / Val`` is the training loss divided by the validation loss (above 1:
    the model does better on faces it does not train on — dropout, or an average over
    an epoch that was still improving; well below 1: overfitting). ``Train RMSE (px)``
    and ``Valid RMSE (px)`` are added when the history logged ``rmse_px`` and
    ``val_rmse_px``. For display, losses and the ratio are rounded to 6 decimals (as
    in article B) and pixels to 3. Print it with ``table.to_string(index=False)``.
    """
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a whole number >= 1, got {every!r}")
    import pandas as pd

    history = read_history(source)
    epochs = history["epoch"]
    shown = history[(epochs == 1) | (epochs % every == 0) | (epochs == epochs.iloc[-1])]
    columns = {
        "Epoch": shown["epoch"],
        "Train loss": shown["loss"].round(6),
        "Valid loss": shown["val_loss"].round(6),
        "Train / Val": (shown["loss"] / shown["val_loss"]).round(6),
    }
    for name, column in (
        ("Train RMSE (px)", "rmse_px"),
        ("Valid RMSE (px)", "val_rmse_px"),
    ):
        if column in shown.columns:
            columns[name] = shown[column].round(3)
    return pd.DataFrame(columns).reset_index(drop=True)


def plot_learning_curves(
    history: HistorySource,
    *,
    metric: str = "loss",
    log_y: bool = True,
    log_x: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Training and validation curves of one run, by epoch; returns the ``Figure``.

    ``metric`` names the logged value: ``"loss"`` (the model's own loss, in its
    target units) or ``"rmse_px"`` (RMSE in pixels); the history needs both
    ``metric`` and ``val_<metric>``. Log y-axis unless ``log_y=False``, a grid, a
    legend, and a dot on the best validation epoch (the one a best-only checkpoint
    keeps); ``log_x=True`` also puts the epochs on a log scale. Draws into ``ax``
    if given, else a new ``(8, 4)`` figure.
    """
    table = read_history(history)
    train_column, valid_column = _metric_columns(table, metric)
    fig, ax = _figure_and_axes(ax)
    epochs = table["epoch"]
    ax.plot(epochs, table[train_column], label="train", color="C0")
    ax.plot(epochs, table[valid_column], label="valid", color="C1")
    if table[valid_column].notna().any():
        best = table[valid_column].idxmin()
        best_epoch, best_value = int(epochs[best]), float(table[valid_column][best])
        ax.plot(
            best_epoch,
            best_value,
            "o",
            color="C1",
            label=f"best valid: epoch {best_epoch}",
        )
    _finish(ax, metric, log_y=log_y, log_x=log_x, title=title)
    return fig


def compare_learning_curves(
    runs: Mapping[str, HistorySource],
    *,
    metric: str = "rmse_px",
    log_y: bool = True,
    log_x: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Several runs on one axes: one colour per run, validation solid, training dashed;
    returns the ``Figure``.

    ``runs`` maps a label (``"MLP"``) to a history (see :func:`read_history`).
    ``metric`` defaults to ``"rmse_px"``: different models' losses are in different
    units, pixels are comparable. ``log_x=True`` spreads out the first epochs when
    one run has many more epochs than another. Same axes, grid and legend as
    :func:`plot_learning_curves`.
    """
    if not runs:
        raise ValueError("runs: expected at least one labelled history")
    fig, ax = _figure_and_axes(ax)
    for i, (label, history) in enumerate(runs.items()):
        table = read_history(history)
        train_column, valid_column = _metric_columns(table, metric)
        colour = f"C{i % 10}"
        ax.plot(
            table["epoch"], table[valid_column], color=colour, label=f"{label}: valid"
        )
        ax.plot(
            table["epoch"],
            table[train_column],
            color=colour,
            linestyle="--",
            label=f"{label}: train",
        )
    _finish(ax, metric, log_y=log_y, log_x=log_x, title=title)
    return fig


def _read_history_csv(path: Path) -> pd.DataFrame:
    """Parse a ``CSVLogger`` file strictly (see :func:`read_history`)."""
    import pandas as pd

    file = path / HISTORY_FILE if path.is_dir() else path
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise DataError(
            file,
            "missing; expected a run folder written by fkp_helpers.nn.training.train",
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(file, f"not a readable CSV file ({error})") from None
    if not lines:
        raise DataError(
            file,
            "empty; expected a header line naming epoch, "
            f"{', '.join(REQUIRED_COLUMNS)}",
            line=1,
        )
    header, rows = lines[0], lines[1:]
    for name in REQUIRED_COLUMNS:
        if name not in header:
            raise DataError(
                file,
                f"expected a column {name!r} in the header, found {', '.join(header)}",
                line=1,
            )
    if not rows:
        raise DataError(
            file, "no epochs: expected at least one row after the header", line=2
        )
    values: dict[str, list[float]] = {name: [] for name in header}
    for line_number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise DataError(
                file,
                f"expected {len(header)} fields, found {len(row)}",
                line=line_number,
            )
        for column, (name, text) in enumerate(zip(header, row, strict=True), start=1):
            values[name].append(_number(text, file, line_number, column, name))
    table = pd.DataFrame(values)
    if "epoch" not in table.columns:
        table.insert(0, "epoch", range(len(table)))
    elif not table["epoch"].map(float.is_integer).all():
        raise DataError(file, "expected whole epoch numbers", column_name="epoch")
    return _numbered(table, add=1)  # CSVLogger counts from 0


def _number(text: str, file: Path, line: int, column: int, name: str) -> float:
    if text.strip() in MISSING_VALUES:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise DataError(
            file,
            f"expected a number, found {text!r}",
            line=line,
            column=column,
            column_name=name,
        ) from None


def _numbered(table: pd.DataFrame, *, add: int) -> pd.DataFrame:
    """``epoch + add`` as ints first, every other column float64, a fresh 0..n-1
    index."""
    epochs = table.pop("epoch").astype("int64") + add
    table = table.astype("float64")
    table.insert(0, "epoch", epochs)
    return table.reset_index(drop=True)


def _metric_columns(table: pd.DataFrame, metric: str) -> tuple[str, str]:
    train_column, valid_column = metric, f"val_{metric}"
    missing = [
        name for name in (train_column, valid_column) if name not in table.columns
    ]
    if missing:
        logged = ", ".join(name for name in table.columns if name != "epoch")
        raise ValueError(
            f"metric {metric!r}: the history has no {', '.join(missing)} (it logged "
            f"{logged})"
        )
    return train_column, valid_column


def _figure_and_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
        return fig, ax
    return ax.figure, ax


def _finish(
    ax: Axes, metric: str, *, log_y: bool, log_x: bool, title: str | None
) -> None:
    """Axis labels, scales with plain-number ticks, grid, legend and title, shared by
    both plots."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(
            FuncFormatter(lambda value, _: _minor_log_label(ax, value))
        )
    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("RMSE (pixels)" if metric == "rmse_px" else metric)
    ax.grid(True, which="major", alpha=0.6)
    ax.grid(True, which="minor", alpha=0.2)
    ax.legend()
    ax.set_title(title if title is not None else f"Learning curves ({metric})")
    ax.figure.tight_layout()


def _minor_log_label(ax: Axes, value: float) -> str:
    """Plain-number labels (``0.04``, ``6``) for some minor ticks of a log axis, so a
    short range still reads.

    All of 2…9 when the axis spans under half a decade, 2, 3 and 5 under 1.5
    decades, none beyond (the powers of ten are labelled then).
    """
    low, high = sorted(ax.get_ylim())
    if value <= 0 or low <= 0:
        return ""
    decades = math.log10(high / low)
    mantissa = round(value / 10 ** math.floor(math.log10(value) + 1e-9))
    shown = range(2, 10) if decades < 0.5 else (2, 3, 5) if decades < 1.5 else ()
    return f"{value:g}" if mantissa in shown else ""
