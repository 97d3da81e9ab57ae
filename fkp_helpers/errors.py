"""The one exception type for bad or missing input data."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """Bad or missing input data, with a one-line message naming where and why.

    ``str(error)`` reads, for example::

        data/training.csv, line 12, column 31 (Image): expected 9216 pixel values, found 9215

    ``line`` is the 1-based line of the file (the header is line 1) and
    ``column`` the 1-based field number; ``column_name`` is the header's name for
    it. Parts that do not apply are left out, so a command-line tool can print
    the message as it is.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.column_name = column_name
        self.reason = message
        where = [self.path]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}" + (f" ({column_name})" if column_name else ""))
        elif column_name:
            where.append(f"column {column_name}")
        super().__init__(f"{', '.join(where)}: {message}")


class CommandError(Exception):
    """A user-facing failure that is not about a data file: bad arguments, missing run folder, …

    The command line prints ``str(error)`` on one line and exits with status 2.
    """
