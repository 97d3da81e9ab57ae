"""The library's exceptions: one small family, each a one-line message saying where and
how to fix it.

* :class:`FkpError` — the base; catch it to handle every failure a user can fix.
* :class:`DataError` — a bad or missing data file or folder (file, line, column).
* :class:`ConfigError` — settings that cannot work together
  (a :class:`~fkp_helpers.nn.training.TrainConfig`, a model name, a split too large for
  the data).
* :class:`RunError` — a run folder or saved model that cannot be used (missing, damaged,
  another network, nothing to resume).
* :class:`PhotoError` — a photo that cannot be read, or OpenCV missing.

``str(error)`` reads, for example::

  data/training.csv, line 12, column 31 (Image): expected 9216 pixel values, found 9215

Parts that do not apply are left out, so a caller can print the message as it
is. The library never exits: the command line (:mod:`fkp_helpers.cli`) turns
these errors into ``fkp: error: <message>`` and exit status 2.
"""

from __future__ import annotations

from pathlib import Path


class FkpError(Exception):
    """A failure the user can fix: ``where: what went wrong; how to fix it``, on one
    line.

    ``path`` is the file or folder concerned, ``line`` the 1-based line of the
    file (the header is line 1), ``column`` the 1-based field number and
    ``column_name`` the header's name for it; ``fix`` says what to do. Each is
    kept as an attribute (``reason`` holds the bare message).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.column_name = column_name
        self.reason = message
        self.fix = fix
        where = [self.path] if self.path is not None else []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(
                f"column {column}" + (f" ({column_name})" if column_name else "")
            )
        elif column_name:
            where.append(f"column {column_name}")
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(f"{text}; {fix}" if fix else text)


class DataError(FkpError, ValueError):
    """Bad or missing input data:
    ``DataError(path, message, line=…, column=…, column_name=…, fix=…)``."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(
            message,
            path=path,
            line=line,
            column=column,
            column_name=column_name,
            fix=fix,
        )


class ConfigError(FkpError, ValueError):
    """Settings that cannot work: a bad value, two options that exclude each other, too
    few rows."""


class RunError(FkpError):
    """A run folder or saved model that cannot be used as asked (``path`` names it)."""


class PhotoError(FkpError):
    """A photo that cannot be read or written, or OpenCV missing or broken."""
