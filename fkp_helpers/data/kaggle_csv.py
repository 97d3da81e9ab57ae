"""Fast, strict readers for the CSV files of Kaggle's "Facial Keypoints Detection".

=====================  =======================================  ======================
file                   columns                                  reader
=====================  =======================================  ======================
``training.csv``       30 keypoint coordinates, then ``Image``  :func:`load_training`
``test.csv``           ``ImageId,Image``                        :func:`load_test`
``IdLookupTable.csv``  ``RowId,ImageId,FeatureName,Location``   :func:`load_lookup`
submissions, solution  ``RowId,Location``                       :func:`load_locations`
=====================  =======================================  ======================

``Image`` holds 9216 integers from 0 to 255 separated by single spaces (a 96x96
image, row-major). The pixels of many rows are decoded at once with numpy over
the raw bytes, every byte checked: more than ten times faster than pandas plus
``np.fromstring`` per row (``benchmarks/load_speed.py`` measures it).

What counts as well-formed:

- a header line naming exactly the expected columns, in order;
- a keypoint coordinate is a plain decimal number (``66.03``, ``-1.5``, ``1e-05``);
  a missing one is an empty field. ``nan``, ``inf`` and the like are refused: Kaggle
  writes a missing keypoint as an empty field, never otherwise;
- a pixel is 1 to 3 digits worth at most 255 (``007`` reads as 7), pixels are
  separated by exactly one space, and every image has 9216 of them;
- ids are non-negative integers written with digits only, each at most once;
- line ends may be ``\\n`` or ``\\r\\n``; a UTF-8 byte order mark is skipped; blank
  lines at the very end are ignored, blank lines between rows are an error; the
  final line end may be missing if the last row is otherwise complete.

Anything else raises :class:`~fkp_helpers.errors.DataError`, whose one-line
message names the file, the 1-based line (the header is line 1), the 1-based
column with its header name, and what was expected.

Parsed ``training.csv`` and ``test.csv`` are cached (see
:mod:`fkp_helpers.data.parse_cache`): the second load takes a fraction of a second.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..keypoints import (
    IMAGE_SIZE,
    KEYPOINT_COLUMNS,
    LOOKUP_COLUMNS,
    NUM_PIXELS,
    NUM_TARGETS,
    SUBMISSION_COLUMNS,
    TEST_COLUMNS,
    TRAINING_COLUMNS,
)
from . import parse_cache
from .files import HOW_TO_GET_DATA

__all__ = ["LookupTable", "load_training", "load_test", "load_lookup", "load_locations"]

# --------------------------------------------------------------------------- public API


def load_training(
    csv_path: str | Path, *, cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Read Kaggle's ``training.csv``: all rows, in file order.

    Returns ``(X, y)``:

    - ``X``: float32 ``(N, 96, 96, 1)``, pixel values divided by 255, so in [0, 1];
    - ``y``: float32 ``(N, 30)``, keypoint coordinates in pixels, columns in the
      order of :data:`~fkp_helpers.keypoints.KEYPOINT_COLUMNS`; NaN where a
      keypoint is missing (dropping incomplete rows is the caller's choice).

    With ``cache=True`` the parsed arrays are kept under
    ``fkp_helpers.settings.cache_dir() / "parsed"`` and reused while the file is
    unchanged. Raises :class:`~fkp_helpers.errors.DataError` for a missing or malformed
    file.
    """
    path = _existing_file(csv_path, usual_name="training.csv")
    arrays = parse_cache.load_or_parse(
        path,
        kind="training",
        parse=_parse_training,
        schema={
            "pixels": (np.uint8, _IMAGE_SHAPE),
            "targets": (np.float32, (NUM_TARGETS,)),
        },
        cache=cache,
    )
    return _to_unit_range(arrays["pixels"]), arrays["targets"]


def load_test(
    csv_path: str | Path, *, cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Read Kaggle's ``test.csv``.

    Returns ``(image_ids, X)``: ``image_ids`` int64 ``(M,)`` in file order and ``X``
    float32 ``(M, 96, 96, 1)`` in [0, 1]. Caching and errors as in
    :func:`load_training`.
    """
    path = _existing_file(csv_path, usual_name="test.csv")
    arrays = parse_cache.load_or_parse(
        path,
        kind="test",
        parse=_parse_test,
        schema={"image_ids": (np.int64, ()), "pixels": (np.uint8, _IMAGE_SHAPE)},
        cache=cache,
    )
    return arrays["image_ids"], _to_unit_range(arrays["pixels"])


@dataclass(frozen=True, eq=False)
class LookupTable:
    """The rows of ``IdLookupTable.csv``: which coordinate each submission row asks for.

    Row ``r`` asks for coordinate ``feature_names[r]`` of test image ``image_ids[r]``,
    to be written on the submission line with ``RowId`` ``row_ids[r]``.
    The arrays are read-only.
    """

    row_ids: np.ndarray
    """int64 ``(R,)``: the ``RowId`` of each row."""
    image_ids: np.ndarray
    """int64 ``(R,)``: the test image (``ImageId`` of ``test.csv``) each row is
    about."""
    feature_names: tuple[str, ...]
    """``R`` names, each one of :data:`~fkp_helpers.keypoints.KEYPOINT_COLUMNS`."""

    def target_indices(self) -> np.ndarray:
        """int64 ``(R,)``: for each row, the index of its feature among the 30 targets.

        ``predictions[image_row, table.target_indices()]`` picks each requested
        coordinate from a ``(M, 30)`` array of predictions.
        """
        index = {name: i for i, name in enumerate(KEYPOINT_COLUMNS)}
        return np.array([index[name] for name in self.feature_names], dtype=np.int64)


def load_lookup(
    csv_path: str | Path, *, image_ids: np.ndarray | None = None
) -> LookupTable:
    """Read Kaggle's ``IdLookupTable.csv`` (``RowId,ImageId,FeatureName,Location``).

    ``Location`` must be empty (a submission fills it in). When ``image_ids`` (the
    ids of ``test.csv``, as returned by :func:`load_test`) is given, a row naming
    any other image is an error.
    """
    csv = _CsvText.read(csv_path, LOOKUP_COLUMNS, usual_name="IdLookupTable.csv")
    row_ids, lookup_image_ids, feature_names = [], [], []
    for row in range(csv.num_rows):
        row_id, image_id, feature, location = csv.fields(row)
        row_ids.append(csv.integer(row, 1, row_id))
        lookup_image_ids.append(csv.integer(row, 2, image_id))
        if feature not in _KEYPOINT_COLUMN_BYTES:
            expected = "one of the 30 keypoint columns such as 'nose_tip_x'"
            raise csv.error(row, 3, f"expected {expected}, found {_quote(feature)}")
        feature_names.append(feature.decode("ascii"))
        if location:
            expected = "an empty field (a submission fills in Location)"
            raise csv.error(row, 4, f"expected {expected}, found {_quote(location)}")
    table = LookupTable(
        row_ids=_read_only(np.array(row_ids, dtype=np.int64)),
        image_ids=_read_only(np.array(lookup_image_ids, dtype=np.int64)),
        feature_names=tuple(feature_names),
    )
    csv.require_unique(table.row_ids, column=1)
    if image_ids is not None:
        unknown = np.flatnonzero(~np.isin(table.image_ids, np.asarray(image_ids)))
        if unknown.size:
            row = int(unknown[0])
            raise csv.error(
                row,
                2,
                f"ImageId {table.image_ids[row]} is not one of the ImageIds "
                "of test.csv",
            )
    return table


def load_locations(csv_path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``RowId,Location`` file: a submission, ``SampleSubmission.csv`` or
    ``solution.csv``.

    Returns ``(row_ids, locations)``: int64 ``(R,)`` and float64 ``(R,)`` (pixels).
    Every ``Location`` must be a finite number; ``RowId`` values must be unique.
    """
    csv = _CsvText.read(csv_path, SUBMISSION_COLUMNS, usual_name="SampleSubmission.csv")
    row_ids, locations = [], []
    for row in range(csv.num_rows):
        row_id, location = csv.fields(row)
        row_ids.append(csv.integer(row, 1, row_id))
        locations.append(csv.number(row, 2, location))
    row_id_array = np.array(row_ids, dtype=np.int64)
    csv.require_unique(row_id_array, column=1)
    return row_id_array, np.array(locations, dtype=np.float64)


# ------------------------------------------------------------ training.csv and test.csv

_IMAGE_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)
_NUMBER = rb"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_RE = re.compile(_NUMBER)
_KEYPOINT_FIELDS = re.compile(rb"(?:(?:%s)?,){%d}" % (_NUMBER, NUM_TARGETS))
"""The 30 keypoint fields at the start of a ``training.csv`` row, each with its
comma."""
_IMAGE_ID_FIELD = re.compile(rb"[0-9]{1,18},")
"""The ``ImageId`` field at the start of a ``test.csv`` row, with its comma."""
_NOT_A_NUMBER = {
    b"nan",
    b"na",
    b"n/a",
    b"null",
    b"none",
    b"inf",
    b"-inf",
    b"+inf",
    b"infinity",
    b"-infinity",
}
"""Ways of writing a missing value that Kaggle's files never use (they leave the field
empty)."""


def _parse_training(path: Path) -> dict[str, np.ndarray]:
    """Parse ``training.csv`` into ``pixels`` uint8 ``(N, 96, 96, 1)`` and ``targets``
    float32 ``(N, 30)``."""
    csv = _CsvText.read(path, TRAINING_COLUMNS, usual_name="training.csv")
    keypoint_text = []
    image_spans = np.empty((csv.num_rows, 2), dtype=np.int64)
    for row, (start, end) in enumerate(csv.line_spans.tolist()):
        fields = _KEYPOINT_FIELDS.match(csv.text, start, end)
        if fields is None:
            raise _keypoint_error(csv, row)
        keypoint_text.append(fields.group())
        image_spans[row] = fields.end(), end
    values = b"".join(keypoint_text).split(b",")[
        :-1
    ]  # each row's text ends with a comma
    targets = np.array([float(v) if v else np.nan for v in values], dtype=np.float32)
    targets = targets.reshape(csv.num_rows, NUM_TARGETS)
    too_large = np.flatnonzero(np.isinf(targets))
    if too_large.size:
        row, column = divmod(int(too_large[0]), NUM_TARGETS)
        raise csv.error(
            row,
            column + 1,
            f"expected a finite number, found {_quote(values[too_large[0]])}",
        )
    pixels = _decode_images(csv, image_spans, column=len(TRAINING_COLUMNS))
    return {"pixels": pixels, "targets": targets}


def _keypoint_error(csv: _CsvText, row: int) -> DataError:
    """The error for a ``training.csv`` row whose 30 keypoint fields do not parse."""
    fields = csv.fields(row)
    for column, value in enumerate(fields[:NUM_TARGETS], start=1):
        if value and not _NUMBER_RE.fullmatch(value):
            hint = (
                " (write a missing keypoint as an empty field)"
                if value.lower() in _NOT_A_NUMBER
                else ""
            )
            return csv.error(
                row,
                column,
                f"expected a number or an empty field, found {_quote(value)}{hint}",
            )
    raise AssertionError(f"{csv.path}: row {row} has valid keypoints but did not match")


def _parse_test(path: Path) -> dict[str, np.ndarray]:
    """Parse ``test.csv`` into ``image_ids`` int64 ``(M,)`` and ``pixels`` uint8
    ``(M, 96, 96, 1)``."""
    csv = _CsvText.read(path, TEST_COLUMNS, usual_name="test.csv")
    image_ids = np.empty(csv.num_rows, dtype=np.int64)
    image_spans = np.empty((csv.num_rows, 2), dtype=np.int64)
    for row, (start, end) in enumerate(csv.line_spans.tolist()):
        id_field = _IMAGE_ID_FIELD.match(csv.text, start, end)
        if id_field is None:
            image_id = csv.fields(row)[
                0
            ]  # (raises first if the row has the wrong number of fields)
            raise csv.error(
                row, 1, f"expected a non-negative integer, found {_quote(image_id)}"
            )
        image_ids[row] = int(id_field.group()[:-1])
        image_spans[row] = id_field.end(), end
    csv.require_unique(image_ids, column=1)
    pixels = _decode_images(csv, image_spans, column=len(TEST_COLUMNS))
    return {"image_ids": image_ids, "pixels": pixels}


def _to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """uint8 pixels -> float32 in [0, 1] (``pixel / 255``, correctly rounded), same
    shape."""
    return np.divide(pixels, np.float32(255), dtype=np.float32)


# -------------------------------------------------------------------- the pixel decoder

_SPACE, _ZERO = ord(" "), ord("0")
_ROWS_PER_CHUNK = 32
_MAX_THREADS = 4


def _decode_images(csv: _CsvText, spans: np.ndarray, *, column: int) -> np.ndarray:
    """Decode the ``Image`` field of every row into uint8 ``(N, 96, 96, 1)``.

    ``spans[r]`` is the ``(start, end)`` byte offset of row ``r``'s pixel text in
    ``csv.text``. Chunks of rows are decoded in worker threads: numpy releases
    the GIL, and (with glibc) threads reuse their scratch memory better than the
    main thread does. If a chunk holds anything malformed, its rows are checked
    one by one to raise a precise error for the first bad row.
    """
    pixels = np.empty((len(spans), NUM_PIXELS), dtype=np.uint8)
    chunks = [
        slice(i, i + _ROWS_PER_CHUNK) for i in range(0, len(spans), _ROWS_PER_CHUNK)
    ]

    def decode(chunk: slice) -> bool:
        return _decode_pixel_rows(csv.text, spans[chunk], pixels[chunk])

    if len(chunks) > 1:
        from concurrent.futures import (
            ThreadPoolExecutor,
        )  # here, not at the top: a cached load needs no threads

        with ThreadPoolExecutor(
            min(len(chunks), _MAX_THREADS, os.cpu_count() or 1)
        ) as pool:
            chunk_ok = list(pool.map(decode, chunks))
    else:
        chunk_ok = [decode(chunk) for chunk in chunks]
    for chunk, ok in zip(chunks, chunk_ok, strict=True):
        if not ok:
            for row in range(len(spans))[chunk]:
                csv.fields(
                    row
                )  # a comma too many shows up in the pixels: report it as such
                _check_pixel_text(
                    csv, row, column, csv.text[spans[row, 0] : spans[row, 1]].tobytes()
                )
            raise AssertionError(
                f"{csv.path}: the fast and the slow pixel checks disagree"
            )
    return pixels.reshape(len(spans), *_IMAGE_SHAPE)


def _decode_pixel_rows(text: np.ndarray, spans: np.ndarray, out: np.ndarray) -> bool:
    """Decode the pixel text of a few rows into ``out`` (uint8 ``(rows, 9216)``).

    ``text`` is the whole file as uint8 and ``spans`` the ``(start, end)`` of each
    row's pixel text in it. Returns False, leaving ``out`` partly written, if any
    row is malformed: a byte other than a digit or a space, a token that is empty
    or longer than 3 digits, a value above 255, or a count other than 9216.
    """
    # The rows one after another, each closed by a space, after 4 spaces of padding.
    pad = np.full(4, _SPACE, dtype=np.uint8)
    pieces = [pad]
    for start, end in spans:
        pieces += [text[start:end], pad[:1]]
    joined = np.concatenate(pieces)
    row_ends = (
        np.cumsum(spans[:, 1] - spans[:, 0] + 1) - 1
    )  # each row's closing space, in joined[4:]

    token_ends = np.flatnonzero(joined[4:] == _SPACE)
    num_digits = np.count_nonzero(
        joined - np.uint8(_ZERO) < 10
    )  # bytes below '0' wrap around
    if num_digits + len(pad) + token_ends.size != joined.size:
        return False  # some byte is neither a digit nor a space
    if token_ends.size != out.size or not np.array_equal(
        token_ends[NUM_PIXELS - 1 :: NUM_PIXELS], row_ends
    ):
        return False  # some row has more or fewer than 9216 tokens

    # The 4 bytes before each closing space: joined[k:][token_ends] is 4 - k bytes back.
    ones, tens, hundreds, thousands = (
        joined[k:].take(token_ends) for k in (3, 2, 1, 0)
    )
    if np.any(ones == _SPACE):
        return False  # an empty token (two spaces in a row)
    three_digits = (tens != _SPACE) & (hundreds != _SPACE)
    if np.any(three_digits & (thousands != _SPACE)):
        return False  # a token of 4 digits or more
    for digits in (ones, tens, hundreds):
        digits &= 0x0F  # ASCII digit -> its value; a space -> 0
    # a one-digit token's "hundreds" is the previous token's last digit
    hundreds *= three_digits
    values = hundreds.astype(np.uint16)
    values *= 100
    values += tens * np.uint8(10)
    values += ones
    if values.max() > 255:
        return False
    np.copyto(out, values.reshape(out.shape), casting="unsafe")
    return True


def _check_pixel_text(csv: _CsvText, row: int, column: int, pixel_text: bytes) -> None:
    """Raise a precise :class:`DataError` if one row's pixel text is malformed
    (slow)."""
    if not pixel_text:
        raise csv.error(row, column, f"expected {NUM_PIXELS} pixel values, found none")
    tokens = pixel_text.split(b" ")
    for pixel, token in enumerate(tokens, start=1):
        if not token:
            found = (
                "an empty value (two spaces in a row, or a space at the start or end)"
            )
            raise csv.error(
                row,
                column,
                f"pixel {pixel}: expected an integer from 0 to 255, found {found}",
            )
        if not token.isdigit() or len(token) > 3 or int(token) > 255:
            raise csv.error(
                row,
                column,
                f"pixel {pixel}: expected an integer from 0 to 255, "
                f"found {_quote(token)}",
            )
    if len(tokens) != NUM_PIXELS:
        raise csv.error(
            row, column, f"expected {NUM_PIXELS} pixel values, found {len(tokens)}"
        )


# -------------------------------------------------------- reading and checking CSV text

_KEYPOINT_COLUMN_BYTES = frozenset(name.encode("ascii") for name in KEYPOINT_COLUMNS)
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_ARCHIVE_SIGNATURES = {b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip archive"}


def _existing_file(csv_path: str | Path, *, usual_name: str) -> Path:
    """``csv_path`` as a Path, after checking that it names an existing file."""
    path = Path(csv_path)
    if path.is_dir():
        inside = f"; pass {path / usual_name}" if (path / usual_name).is_file() else ""
        raise DataError(
            path, f"is a folder, expected a CSV file such as {usual_name}{inside}"
        )
    if not path.exists():
        raise DataError(path, f"file not found; {HOW_TO_GET_DATA}")
    return path


@dataclass(frozen=True, repr=False, eq=False)
class _CsvText:
    """A CSV file read into memory, its header checked, its data lines located."""

    path: Path
    text: np.ndarray
    """uint8 ``(file size,)``: the whole file (``re`` matches numpy arrays as well as
    bytes)."""
    columns: tuple[str, ...]
    """The expected header."""
    line_spans: np.ndarray
    """int64 ``(rows, 2)``: ``(start, end)`` byte offsets of each data line in ``text``,
    line end excluded."""
    ends_without_line_end: bool
    """True if the last data line has no line end (the file may be cut off)."""

    @classmethod
    def read(
        cls, csv_path: str | Path, columns: tuple[str, ...], *, usual_name: str
    ) -> _CsvText:
        """Read ``csv_path``; raise :class:`DataError` unless it has the header
        ``columns`` and data rows."""
        path = _existing_file(csv_path, usual_name=usual_name)
        try:
            text = np.fromfile(path, dtype=np.uint8)
        except OSError as err:
            raise DataError(
                path, f"cannot read the file: {err.strerror or err}"
            ) from None
        if not text.size:
            raise DataError(
                path,
                f"empty file; expected a header line {_describe(columns)} "
                "and data rows",
            )
        start = text[:4].tobytes()
        for signature, kind in _ARCHIVE_SIGNATURES.items():
            if start.startswith(signature):
                raise DataError(path, f"is {kind}, not CSV text; unpack it first")
        body = len(_BYTE_ORDER_MARK) if start.startswith(_BYTE_ORDER_MARK) else 0
        line_ends = np.flatnonzero(text == ord("\n"))
        header_end = int(line_ends[0]) if line_ends.size else text.size
        _check_header(
            path, text[body:header_end].tobytes().removesuffix(b"\r"), columns
        )
        spans = _line_spans(text, line_ends)
        if not len(spans):
            raise DataError(
                path, "no data rows after the header; expected at least one row", line=2
            )
        csv = cls(
            path, text, columns, spans, ends_without_line_end=spans[-1, 1] == text.size
        )
        blank = np.flatnonzero(spans[:, 0] == spans[:, 1])
        if blank.size:
            raise csv.error(
                int(blank[0]),
                None,
                f"empty line; expected {len(columns)} comma-separated fields",
            )
        return csv

    @property
    def num_rows(self) -> int:
        return len(self.line_spans)

    def error(self, row: int, column: int | None, message: str) -> DataError:
        """A :class:`DataError` for data row ``row`` (0-based) and ``column``
        (1-based)."""
        if self.ends_without_line_end and row == self.num_rows - 1:
            message += " (the last line has no line end: is the file cut off?)"
        name = (
            self.columns[column - 1]
            if column is not None and column <= len(self.columns)
            else None
        )
        return DataError(
            self.path, message, line=row + 2, column=column, column_name=name
        )

    def fields(self, row: int) -> list[bytes]:
        """The comma-separated fields of data row ``row``; raise unless there are as
        many as columns."""
        start, end = self.line_spans[row]
        fields = self.text[start:end].tobytes().split(b",")
        expected = len(self.columns)
        counts = f"expected {expected} comma-separated fields, found {len(fields)}"
        if len(fields) < expected:
            raise self.error(row, len(fields) + 1, f"missing field; {counts}")
        if len(fields) > expected:
            raise self.error(row, expected + 1, f"unexpected extra field; {counts}")
        return fields

    def integer(self, row: int, column: int, value: bytes) -> int:
        """``value`` (field ``column`` of data row ``row``) as a non-negative
        integer."""
        if not (value.isdigit() and len(value) <= 18):
            raise self.error(
                row, column, f"expected a non-negative integer, found {_quote(value)}"
            )
        return int(value)

    def number(self, row: int, column: int, value: bytes) -> float:
        """``value`` (field ``column`` of data row ``row``) as a finite number."""
        if not _NUMBER_RE.fullmatch(value) or not np.isfinite(number := float(value)):
            raise self.error(
                row, column, f"expected a finite number, found {_quote(value)}"
            )
        return number

    def require_unique(self, ids: np.ndarray, *, column: int) -> None:
        """Raise for the first row whose id (in ``column``) already appeared on an
        earlier row."""
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        repeats = order[1:][
            sorted_ids[1:] == sorted_ids[:-1]
        ]  # rows whose id an earlier row has
        if repeats.size:
            again = int(repeats.min())
            first = int(np.flatnonzero(ids == ids[again])[0])
            message = (
                f"duplicate {self.columns[column - 1]} {ids[again]} "
                f"(first on line {first + 2})"
            )
            raise self.error(again, column, message)


def _check_header(path: Path, header: bytes, columns: tuple[str, ...]) -> None:
    """Raise :class:`DataError` naming the first column where ``header`` differs from
    ``columns``."""
    found = header.split(b",")
    expected = [name.encode("ascii") for name in columns]
    for column, (want, got) in enumerate(zip(expected, found, strict=False), start=1):
        if got != want:
            if want not in found:
                why = "renamed or missing"
            elif got in expected:
                why = "columns out of order"
            else:
                why = "unexpected column"
            message = (
                f"expected column {want.decode()!r}, "
                f"found {_quote(got, limit=40)} ({why})"
            )
            raise DataError(path, message, line=1, column=column)
    if len(found) < len(expected):
        missing = columns[len(found)]
        message = (
            f"missing column {missing!r}; "
            f"expected {len(columns)} columns, found {len(found)}"
        )
        raise DataError(path, message, line=1, column=len(found) + 1)
    if len(found) > len(expected):
        extra = found[len(expected)]
        message = f"unexpected extra column {_quote(extra, limit=40)}; "
        message += f"expected {len(columns)} columns, found {len(found)}"
        raise DataError(path, message, line=1, column=len(expected) + 1)


def _line_spans(text: np.ndarray, line_ends: np.ndarray) -> np.ndarray:
    """int64 ``(lines, 2)``: ``(start, end)`` of each line after the header, line ends
    excluded.

    ``line_ends`` holds the offset of every ``\\n`` in ``text``. A ``\\r`` before a
    ``\\n`` belongs to the line end; blank lines at the end of the file are dropped.
    """
    if not line_ends.size:
        return np.empty((0, 2), dtype=np.int64)
    starts = line_ends + 1
    ends = np.append(line_ends[1:], text.size)
    ends -= (ends > starts) & (text[ends - 1] == ord("\r"))
    non_blank = np.flatnonzero(ends > starts)
    last = non_blank[-1] + 1 if non_blank.size else 0
    return np.stack([starts[:last], ends[:last]], axis=1)


def _describe(columns: tuple[str, ...]) -> str:
    """A header in brief: ``'RowId,Location'``, or
    ``'left_eye_center_x,left_eye_center_y,…,Image' (31 columns)``."""
    if len(columns) <= 4:
        return repr(",".join(columns))
    return f"'{columns[0]},{columns[1]},…,{columns[-1]}' ({len(columns)} columns)"


def _quote(value: bytes, limit: int = 20) -> str:
    """``value`` quoted for a message: control and non-ASCII bytes escaped (``\\x00``),
    ``limit`` characters at most."""
    shown = value[:limit].decode("latin-1").encode("unicode_escape").decode("ascii")
    if len(value) > limit or len(shown) > limit:
        return f"'{shown[:limit]}'…"
    return f"'{shown}'"


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array
