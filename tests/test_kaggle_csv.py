"""Tests for fkp_helpers.data.kaggle_csv: what the readers return, and every malformed
input they refuse."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.data import kaggle_csv
from fkp_helpers.data.kaggle_csv import (
    load_locations,
    load_lookup,
    load_test,
    load_training,
)
from fkp_helpers.errors import DataError
from fkp_helpers.keypoints import KEYPOINT_COLUMNS, NUM_PIXELS

NOSE_TIP_X = KEYPOINT_COLUMNS.index("nose_tip_x")


# --------------------------------------------------------------------------- helpers


def parse_plainly(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """training.csv parsed with plain Python, as the reference for the fast parser."""
    images, targets = [], []
    for line in path.read_text().splitlines()[1:]:
        *keypoints, image = line.split(",")
        targets.append([float(v) if v else math.nan for v in keypoints])
        images.append([int(p) for p in image.split(" ")])
    X = (
        (np.array(images, dtype=np.float64) / 255)
        .astype(np.float32)
        .reshape(-1, 96, 96, 1)
    )
    return X, np.array(targets, dtype=np.float32)


def lines_of(path: Path) -> list[bytes]:
    """The lines of ``path`` without their line ends (the file ends with one)."""
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def with_pixel(line: bytes, pixel: int, token: bytes) -> bytes:
    """``line`` (of training.csv or test.csv) with pixel number ``pixel`` (1-based)
    replaced by ``token``."""
    head, image = line.rsplit(b",", 1)
    tokens = image.split(b" ")
    tokens[pixel - 1] = token
    return head + b"," + b" ".join(tokens)


def changed_copy(
    source: Path, folder: Path, change: Callable[[list[bytes]], None]
) -> Path:
    """A copy of ``source`` in ``folder`` whose list of lines went through
    ``change``."""
    lines = lines_of(source)
    change(lines)
    return write_lines(folder / source.name, lines)


def raises_data_error(
    load: Callable[[], object], *, line: int | None, column: int | None, says: str
) -> DataError:
    """Run ``load``, check the DataError's place and one-line message; return it."""
    with pytest.raises(DataError) as caught:
        load()
    error = caught.value
    message = str(error)
    assert (error.line, error.column) == (line, column), message
    assert says in message, message
    assert "\n" not in message and len(message) < 400, message
    return error


@pytest.fixture
def training_csv(kaggle_tiny_dir: Path) -> Path:
    return kaggle_tiny_dir / "training.csv"


@pytest.fixture
def test_csv(kaggle_tiny_dir: Path) -> Path:
    return kaggle_tiny_dir / "test.csv"


@pytest.fixture
def lookup_csv(kaggle_tiny_dir: Path) -> Path:
    return kaggle_tiny_dir / "IdLookupTable.csv"


# -------------------------------------------------------------- what the readers return


def test_load_training_returns_every_row_as_plain_python_parses_it(training_csv):
    X, y = load_training(training_csv)
    X_plain, y_plain = parse_plainly(training_csv)
    assert X.dtype == np.float32 and X.shape == (6, 96, 96, 1)
    assert y.dtype == np.float32 and y.shape == (6, 30)
    np.testing.assert_array_equal(X, X_plain)
    np.testing.assert_array_equal(y, y_plain)
    assert X.min() == 0.0 and X.max() == 1.0


def test_missing_keypoints_are_nan_and_kept(training_csv):
    _, y = load_training(training_csv)
    assert np.isnan(y).sum(axis=1).tolist() == [0, 0, 22, 22, 24, 22]
    assert y[5, NOSE_TIP_X] == 48.0  # written "48", without a decimal point


def test_load_test_returns_ids_and_images(test_csv):
    image_ids, X = load_test(test_csv)
    assert image_ids.dtype == np.int64 and image_ids.tolist() == [1, 2, 3]
    assert X.dtype == np.float32 and X.shape == (3, 96, 96, 1)
    first_line = lines_of(test_csv)[1]
    expected = np.array(first_line.split(b",")[1].split(b" "), dtype=np.float64) / 255
    np.testing.assert_array_equal(X[0].ravel(), expected.astype(np.float32))


def test_load_lookup_reads_every_row(lookup_csv, test_csv):
    image_ids, _ = load_test(test_csv)
    table = load_lookup(lookup_csv, image_ids=image_ids)
    assert table.row_ids.dtype == np.int64 and table.row_ids.tolist() == list(
        range(1, 47)
    )
    assert table.image_ids.dtype == np.int64 and np.bincount(
        table.image_ids
    ).tolist() == [0, 30, 8, 8]
    assert table.feature_names[:2] == ("left_eye_center_x", "left_eye_center_y")
    indices = table.target_indices()
    assert indices.dtype == np.int64
    assert [KEYPOINT_COLUMNS[i] for i in indices] == list(table.feature_names)
    assert not table.row_ids.flags.writeable


def test_load_locations_reads_a_submission_like_file(kaggle_tiny_dir):
    row_ids, locations = load_locations(kaggle_tiny_dir / "SampleSubmission.csv")
    assert row_ids.dtype == np.int64 and row_ids.tolist() == list(range(1, 47))
    assert locations.dtype == np.float64 and locations.tolist() == [0.0] * 46


def test_load_locations_reads_numbers_as_written(tmp_path):
    path = tmp_path / "submission.csv"
    path.write_text("RowId,Location\n1,37.25\n2,-0.5\n3,1e-05\n4,96\n")
    assert load_locations(path)[1].tolist() == [37.25, -0.5, 1e-05, 96.0]


def test_many_rows_decoded_in_chunks_and_threads(training_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(kaggle_csv, "_ROWS_PER_CHUNK", 4)
    header, *rows = lines_of(training_csv)
    shifted = [
        with_pixel(rows[i % 6], 1 + i, b"%d" % (i % 256)) for i in range(40)
    ]  # every row different
    path = write_lines(tmp_path / "training.csv", [header, *shifted])
    X, y = load_training(path, cache=False)
    X_plain, y_plain = parse_plainly(path)
    np.testing.assert_array_equal(X, X_plain)
    np.testing.assert_array_equal(y, y_plain)


def test_pixel_tokens_of_every_width_and_leading_zeros(training_csv, tmp_path):
    header, first, *_ = lines_of(training_csv)
    for pixel, token in enumerate(
        [b"0", b"9", b"10", b"99", b"100", b"255", b"007", b"00", b"250"], start=1
    ):
        first = with_pixel(first, pixel, token)
    X, _ = load_training(
        write_lines(tmp_path / "training.csv", [header, first]), cache=False
    )
    assert np.rint(X[0].ravel()[:9] * 255).tolist() == [
        0,
        9,
        10,
        99,
        100,
        255,
        7,
        0,
        250,
    ]


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="utf8-bom"),
        pytest.param(lambda data: data[:-1], id="no-final-newline"),
        pytest.param(lambda data: data + b"\n\n", id="blank-lines-at-end"),
        pytest.param(
            lambda data: data.replace(b"\n", b"\r\n") + b"\r\n",
            id="crlf-blank-line-at-end",
        ),
    ],
)
def test_harmless_variants_read_the_same(
    variant, training_csv, test_csv, lookup_csv, tmp_path
):
    for source, load in (
        (training_csv, load_training),
        (test_csv, load_test),
        (lookup_csv, load_lookup),
    ):
        path = tmp_path / source.name
        path.write_bytes(variant(source.read_bytes()))
        expected, got = load(source), load(path)
        if isinstance(expected, tuple):
            for want, have in zip(expected, got, strict=True):
                np.testing.assert_array_equal(have, want)
        else:
            assert got.feature_names == expected.feature_names
            np.testing.assert_array_equal(got.row_ids, expected.row_ids)


def test_loading_imports_no_pandas(training_csv):
    code = (
        f"import sys, fkp_helpers; fkp_helpers.load_training({str(training_csv)!r}); "
        "print('pandas' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------- the file itself


def test_missing_file_says_how_to_get_the_data(tmp_path):
    error = raises_data_error(
        lambda: load_training(tmp_path / "training.csv"),
        line=None,
        column=None,
        says="not found",
    )
    assert "kaggle competitions download facial-keypoints-detection" in str(error)
    assert "fkp synth --out" in str(error)


def test_folder_instead_of_file(kaggle_tiny_dir):
    raises_data_error(
        lambda: load_training(kaggle_tiny_dir),
        line=None,
        column=None,
        says="is a folder",
    )


def test_empty_file(tmp_path):
    (tmp_path / "training.csv").write_bytes(b"")
    raises_data_error(
        lambda: load_training(tmp_path / "training.csv"),
        line=None,
        column=None,
        says="empty file; expected a header line",
    )


@pytest.mark.parametrize(
    "ending", [b"", b"\n", b"\r\n\r\n"], ids=["no-line-end", "line-end", "blank-lines"]
)
def test_header_only(ending, training_csv, tmp_path):
    path = tmp_path / "training.csv"
    path.write_bytes(lines_of(training_csv)[0] + ending)
    raises_data_error(
        lambda: load_training(path), line=2, column=None, says="no data rows"
    )


def test_zip_archive_instead_of_csv(tmp_path):
    (tmp_path / "training.csv").write_bytes(b"PK\x03\x04" + bytes(100))
    raises_data_error(
        lambda: load_training(tmp_path / "training.csv"),
        line=None,
        column=None,
        says="zip archive",
    )


def test_binary_garbage(tmp_path):
    (tmp_path / "test.csv").write_bytes(
        np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    )
    raises_data_error(
        lambda: load_test(tmp_path / "test.csv"),
        line=1,
        column=1,
        says="expected column 'ImageId'",
    )


# --------------------------------------------------------------------------- the header


def edit_header(
    edit: Callable[[list[bytes]], list[bytes]],
) -> Callable[[list[bytes]], None]:
    def change(lines: list[bytes]) -> None:
        lines[0] = b",".join(edit(lines[0].split(b",")))

    return change


@pytest.mark.parametrize(
    ("edit", "column", "says"),
    [
        pytest.param(
            lambda h: h[:2] + [b"left_eye_inner_x"] + h[3:],
            3,
            "expected column 'right_eye_center_x', found 'left_eye_inner_x' "
            "(renamed or missing)",
            id="renamed",
        ),
        pytest.param(
            lambda h: h[:4] + h[5:],
            5,
            "expected column 'left_eye_inner_corner_x', found "
            "'left_eye_inner_corner_y' (renamed or missing)",
            id="missing",
        ),
        pytest.param(
            lambda h: [h[1], h[0], *h[2:]],
            1,
            "found 'left_eye_center_y' (columns out of order)",
            id="reordered",
        ),
        pytest.param(
            lambda h: h[:6] + [b"extra"] + h[6:],
            7,
            "found 'extra' (unexpected column)",
            id="inserted",
        ),
        pytest.param(
            lambda h: h + [b"extra"],
            32,
            "unexpected extra column 'extra'; expected 31 columns, found 32",
            id="extra-at-end",
        ),
        pytest.param(
            lambda h: h[:-1],
            31,
            "missing column 'Image'; expected 31 columns, found 30",
            id="no-image",
        ),
        pytest.param(
            lambda h: h[:-1] + [b"image"],
            31,
            "expected column 'Image', found 'image'",
            id="image-renamed",
        ),
        pytest.param(
            lambda h: h[:-1] + [b"Image\xff"], 31, "found 'Image\\xff'", id="non-utf8"
        ),
    ],
)
def test_header_errors_name_the_column(edit, column, says, training_csv, tmp_path):
    path = changed_copy(training_csv, tmp_path, edit_header(edit))
    raises_data_error(lambda: load_training(path), line=1, column=column, says=says)


# ----------------------------------------------------------------- rows of training.csv


def edit_row(row: int, edit: Callable[[bytes], bytes]) -> Callable[[list[bytes]], None]:
    """A change of data row ``row`` (0-based; it is on line ``row + 2``)."""

    def change(lines: list[bytes]) -> None:
        lines[row + 1] = edit(lines[row + 1])

    return change


def keypoint(line: bytes, column: int, value: bytes) -> bytes:
    fields = line.split(b",")
    fields[column - 1] = value
    return b",".join(fields)


@pytest.mark.parametrize(
    ("edit", "column", "says"),
    [
        pytest.param(
            lambda line: line + b" 7",
            31,
            f"expected {NUM_PIXELS} pixel values, found 9217",
            id="too-many-pixels",
        ),
        pytest.param(
            lambda line: line.rsplit(b" ", 1)[0],
            31,
            f"expected {NUM_PIXELS} pixel values, found 9215",
            id="too-few-pixels",
        ),
        pytest.param(
            lambda line: line.rsplit(b",", 1)[0] + b",",
            31,
            f"expected {NUM_PIXELS} pixel values, found none",
            id="no-pixels",
        ),
        pytest.param(
            lambda line: with_pixel(line, 17, b"256"),
            31,
            "pixel 17: expected an integer from 0 to 255, found '256'",
            id="256",
        ),
        pytest.param(
            lambda line: with_pixel(line, 9216, b"999"),
            31,
            "pixel 9216: expected an integer from 0 to 255, found '999'",
            id="999",
        ),
        pytest.param(
            lambda line: with_pixel(line, 1, b"0255"),
            31,
            "pixel 1: expected an integer from 0 to 255, found '0255'",
            id="four-digits",
        ),
        pytest.param(
            lambda line: with_pixel(line, 5, b"12.5"),
            31,
            "pixel 5: expected an integer from 0 to 255, found '12.5'",
            id="12.5",
        ),
        pytest.param(
            lambda line: with_pixel(line, 6, b"abc"),
            31,
            "pixel 6: expected an integer from 0 to 255, found 'abc'",
            id="abc",
        ),
        pytest.param(
            lambda line: with_pixel(line, 7, b"-3"),
            31,
            "pixel 7: expected an integer from 0 to 255, found '-3'",
            id="-3",
        ),
        pytest.param(
            lambda line: with_pixel(line, 8, b"1\x002"),
            31,
            "pixel 8: expected an integer from 0 to 255, found '1\\x002'",
            id="nul",
        ),
        pytest.param(
            lambda line: with_pixel(line, 9, b"\xff\xfe"),
            31,
            "pixel 9: expected an integer from 0 to 255, found '\\xff\\xfe'",
            id="non-utf8",
        ),
        pytest.param(
            lambda line: with_pixel(line, 10, b"4\r"),
            31,
            "pixel 10: expected an integer from 0 to 255, found '4\\r'",
            id="stray-cr",
        ),
        pytest.param(
            lambda line: with_pixel(line, 11, b"1,2"),
            32,
            "unexpected extra field; expected 31 comma-separated fields, found 32",
            id="comma",
        ),
        pytest.param(
            lambda line: with_pixel(line, 12, b""),
            31,
            "pixel 12: expected an integer from 0 to 255, found an empty value",
            id="double-space",
        ),
        pytest.param(
            lambda line: line + b" ",
            31,
            "pixel 9217: expected an integer from 0 to 255, found an empty value",
            id="trailing-space",
        ),
        pytest.param(
            lambda line: keypoint(line, 3, b"abc"),
            3,
            "expected a number or an empty field, found 'abc'",
            id="keypoint-abc",
        ),
        pytest.param(
            lambda line: keypoint(line, 4, b"nan"),
            4,
            "found 'nan' (write a missing keypoint as an empty field)",
            id="keypoint-nan",
        ),
        pytest.param(
            lambda line: keypoint(line, 4, b"inf"),
            4,
            "found 'inf' (write a missing keypoint as an empty field)",
            id="keypoint-inf",
        ),
        pytest.param(
            lambda line: keypoint(line, 1, b"1e999"),
            1,
            "expected a finite number, found '1e999'",
            id="keypoint-overflow",
        ),
        pytest.param(
            lambda line: keypoint(line, 2, b" 37.5"),
            2,
            "expected a number or an empty field, found ' 37.5'",
            id="keypoint-space",
        ),
        pytest.param(
            lambda line: keypoint(line, 30, b"\x00"),
            30,
            "found '\\x00'",
            id="keypoint-nul",
        ),
        pytest.param(
            lambda line: b"," + line,
            32,
            "unexpected extra field; expected 31 comma-separated fields, found 32",
            id="comma-too-many",
        ),
        pytest.param(
            lambda line: line.replace(b",", b"", 1),
            31,
            "missing field; expected 31 comma-separated fields, found 30",
            id="comma-too-few",
        ),
        pytest.param(
            lambda line: b"",
            None,
            "empty line; expected 31 comma-separated fields",
            id="blank-line",
        ),
    ],
)
def test_row_errors_name_line_and_column(edit, column, says, training_csv, tmp_path):
    path = changed_copy(training_csv, tmp_path, edit_row(2, edit))
    error = raises_data_error(
        lambda: load_training(path, cache=False), line=4, column=column, says=says
    )
    assert error.column_name == (
        None if column in (None, 32) else (*KEYPOINT_COLUMNS, "Image")[column - 1]
    )
    assert "cut off" not in str(error)


def test_first_bad_row_in_file_order_is_reported(training_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(kaggle_csv, "_ROWS_PER_CHUNK", 2)
    header, *rows = lines_of(training_csv)
    rows = rows * 5
    rows[23] = with_pixel(rows[23], 3, b"300")
    rows[13] = with_pixel(rows[13], 2, b"x")
    rows[12] = with_pixel(rows[12], 9000, b"1.0")
    path = write_lines(tmp_path / "training.csv", [header, *rows])
    raises_data_error(
        lambda: load_training(path), line=14, column=31, says="pixel 9000:"
    )


def test_long_garbage_is_quoted_briefly(training_csv, tmp_path):
    path = changed_copy(
        training_csv,
        tmp_path,
        edit_row(0, lambda line: with_pixel(line, 2, b"x" * 5000)),
    )
    error = raises_data_error(
        lambda: load_training(path),
        line=2,
        column=31,
        says="found 'xxxxxxxxxxxxxxxxxxxx'…",
    )
    assert len(str(error)) < 200


def test_cut_off_last_row_is_reported_as_such(training_csv, tmp_path):
    data = training_csv.read_bytes()
    path = tmp_path / "training.csv"
    path.write_bytes(data[: len(data) - 5000])
    raises_data_error(
        lambda: load_training(path),
        line=7,
        column=31,
        says="found 7816 (the last line has no line end: is the file cut off?)",
    )
    path.write_bytes(data[: data.rindex(b"\n", 0, -1) + 30])  # cut among the keypoints
    raises_data_error(
        lambda: load_training(path),
        line=7,
        column=4,
        says="missing field; expected 31 comma-separated fields, found 3 "
        "(the last line has no line end",
    )
    path.write_bytes(data[: len(data) - 5000] + b"\n")  # cut, then a line end
    error = raises_data_error(
        lambda: load_training(path), line=7, column=31, says="found 7816"
    )
    assert "cut off" not in str(error)


def test_blank_line_between_rows(training_csv, tmp_path):
    path = changed_copy(training_csv, tmp_path, lambda lines: lines.insert(3, b"\r"))
    raises_data_error(
        lambda: load_training(path), line=4, column=None, says="empty line"
    )


# --------------------------------------------------------------------------- test.csv


@pytest.mark.parametrize(
    ("edit", "column", "says"),
    [
        pytest.param(
            lambda line: line.rsplit(b" ", 100)[0],
            2,
            "(Image): expected 9216 pixel values, found 9116",
            id="too-few-pixels",
        ),
        pytest.param(
            lambda line: line + b" 1 2",
            2,
            "(Image): expected 9216 pixel values, found 9218",
            id="too-many-pixels",
        ),
        pytest.param(
            lambda line: with_pixel(line, 4, b"300"),
            2,
            "(Image): pixel 4: expected an integer from 0 to 255, found '300'",
            id="300",
        ),
        pytest.param(
            lambda line: b"1.5" + line[1:],
            1,
            "(ImageId): expected a non-negative integer, found '1.5'",
            id="id-1.5",
        ),
        pytest.param(
            lambda line: b"-2" + line[1:],
            1,
            "(ImageId): expected a non-negative integer, found '-2'",
            id="id-negative",
        ),
        pytest.param(
            lambda line: b"two" + line[1:],
            1,
            "(ImageId): expected a non-negative integer, found 'two'",
            id="id-word",
        ),
        pytest.param(
            lambda line: line[1:],
            1,
            "(ImageId): expected a non-negative integer, found ''",
            id="id-empty",
        ),
        pytest.param(
            lambda line: line.replace(b",", b" ", 1),
            2,
            "(Image): missing field; expected 2 comma-separated fields, found 1",
            id="no-comma",
        ),
        pytest.param(
            lambda line: b"9," + line,
            3,
            "column 3: unexpected extra field; expected 2 comma-separated fields, "
            "found 3",
            id="extra-field",
        ),
    ],
)
def test_test_csv_errors(edit, column, says, test_csv, tmp_path):
    path = changed_copy(test_csv, tmp_path, edit_row(1, edit))
    raises_data_error(lambda: load_test(path), line=3, column=column, says=says)


def test_duplicate_image_id(test_csv, tmp_path):
    path = changed_copy(test_csv, tmp_path, edit_row(2, lambda line: b"1" + line[1:]))
    raises_data_error(
        lambda: load_test(path),
        line=4,
        column=1,
        says="(ImageId): duplicate ImageId 1 (first on line 2)",
    )


# -------------------------------------------------------------------- IdLookupTable.csv


@pytest.mark.parametrize(
    ("edit", "column", "says"),
    [
        pytest.param(
            lambda line: line.replace(b"left_eye_center_y", b"left_eye_y"),
            3,
            "(FeatureName): expected one of the 30 keypoint columns such as "
            "'nose_tip_x', found 'left_eye_y'",
            id="unknown-feature",
        ),
        pytest.param(
            lambda line: b"x" + line,
            1,
            "(RowId): expected a non-negative integer, found 'x2'",
            id="row-id-word",
        ),
        pytest.param(
            lambda line: line.replace(b",1,", b",1.0,"),
            2,
            "(ImageId): expected a non-negative integer, found '1.0'",
            id="image-id-float",
        ),
        pytest.param(
            lambda line: line + b"0",
            4,
            "(Location): expected an empty field (a submission fills in Location), "
            "found '0'",
            id="location-filled",
        ),
        pytest.param(
            lambda line: line + b",",
            5,
            "column 5: unexpected extra field; expected 4 comma-separated fields, "
            "found 5",
            id="extra-field",
        ),
        pytest.param(
            lambda line: line[:-1],
            4,
            "(Location): missing field; expected 4 comma-separated fields, found 3",
            id="missing-field",
        ),
        pytest.param(
            lambda line: b"1" + line[1:],
            1,
            "(RowId): duplicate RowId 1 (first on line 2)",
            id="duplicate-row-id",
        ),
    ],
)
def test_lookup_errors(edit, column, says, lookup_csv, tmp_path):
    path = changed_copy(lookup_csv, tmp_path, edit_row(1, edit))
    raises_data_error(lambda: load_lookup(path), line=3, column=column, says=says)


def test_lookup_row_naming_an_image_absent_from_test_csv(lookup_csv, tmp_path):
    path = changed_copy(
        lookup_csv, tmp_path, edit_row(40, lambda line: line.replace(b",3,", b",4,"))
    )
    assert load_lookup(path).image_ids[40] == 4  # fine without the test ids
    raises_data_error(
        lambda: load_lookup(path, image_ids=np.array([1, 2, 3])),
        line=42,
        column=2,
        says="ImageId 4 is not one of the ImageIds of test.csv",
    )


# ----------------------------------------------------------------- RowId,Location files


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        pytest.param(
            b"2,", 2, "(Location): expected a finite number, found ''", id="empty"
        ),
        pytest.param(
            b"2,abc", 2, "(Location): expected a finite number, found 'abc'", id="word"
        ),
        pytest.param(
            b"2,nan", 2, "(Location): expected a finite number, found 'nan'", id="nan"
        ),
        pytest.param(
            b"2,-inf", 2, "(Location): expected a finite number, found '-inf'", id="inf"
        ),
        pytest.param(
            b"2.0,1",
            1,
            "(RowId): expected a non-negative integer, found '2.0'",
            id="row-id-float",
        ),
        pytest.param(
            b"1,3.5",
            1,
            "(RowId): duplicate RowId 1 (first on line 2)",
            id="duplicate-row-id",
        ),
        pytest.param(b"2", 2, "(Location): missing field", id="missing-field"),
        pytest.param(b"2,1,", 3, "unexpected extra field", id="extra-field"),
    ],
)
def test_location_errors(row, column, says, tmp_path):
    path = tmp_path / "submission.csv"
    path.write_bytes(b"RowId,Location\n1,2.5\n" + row + b"\n3,4\n")
    raises_data_error(lambda: load_locations(path), line=3, column=column, says=says)


def test_location_header_is_checked(tmp_path):
    path = tmp_path / "submission.csv"
    path.write_bytes(b"RowId,Prediction\n1,2.5\n")
    raises_data_error(
        lambda: load_locations(path),
        line=1,
        column=2,
        says="expected column 'Location', found 'Prediction'",
    )
