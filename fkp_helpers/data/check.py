"""Validate a folder of Kaggle-format files and summarise it (``fkp data info``).

Kaggle's archives in the folder are unpacked first, as ``fkp train`` and
``fkp predict`` do, so their contents are checked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..keypoints import KEYPOINT_NAMES
from .sources import (
    DATA_FILES,
    HOW_TO_GET_DATA,
    KAGGLE_FILES,
    SOLUTION_FILE,
    STANDIN_MARKER,
    unpack_kaggle_archives,
)

LOCATION_FILES = ("SampleSubmission.csv", SOLUTION_FILE)


@dataclass
class FolderReport:
    """What :func:`check_folder` found; :meth:`render` makes the text ``fkp data info``
    prints."""

    folder: Path
    is_standin: bool
    training_rows: int | None = None
    complete_rows: int | None = None
    labelled_per_keypoint: dict[str, int] = field(default_factory=dict)
    test_images: int | None = None
    lookup_rows: int | None = None
    lookup_values_per_image: dict[int, int] = field(default_factory=dict)
    location_files: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    """Kaggle's files (and the stand-in's ``solution.csv``) that the folder lacks."""

    def render(self) -> str:
        kind = "generated stand-in" if self.is_standin else "Kaggle's files"
        if self.missing:
            missing = ", ".join(self.missing)
            valid = f"the files present are valid; missing: {missing}"
            lines = [f"{self.folder}: {kind}, {valid}"]
        else:
            lines = [f"{self.folder}: {kind}, all files valid"]
        if self.training_rows is not None:
            lines.append(
                f"training.csv: {self.training_rows} rows, {self.complete_rows} with "
                "all 15 keypoints"
            )
            lines.append(f"  {'keypoint':<26} labelled")
            lines += [
                f"  {name:<26} {count:>8}"
                for name, count in self.labelled_per_keypoint.items()
            ]
        if self.test_images is not None:
            lines.append(f"test.csv: {self.test_images} images")
        if self.lookup_rows is not None:
            split = ", ".join(
                f"{images} image asks for {values}"
                if images == 1
                else f"{images} images ask for {values}"
                for values, images in sorted(self.lookup_values_per_image.items())
            )
            lines.append(f"IdLookupTable.csv: {self.lookup_rows} rows ({split})")
        for name, rows in self.location_files.items():
            lines.append(f"{name}: {rows} rows, RowIds match IdLookupTable.csv")
        return "\n".join(lines)


def check_folder(folder: Path) -> FolderReport:
    """Unpack Kaggle's archives in ``folder``, then parse and cross-check its files.

    Raises :class:`DataError` (file, line, column) at the first problem, for an
    archive that is not a complete zip file, or if the folder holds none of the
    files. The report lists the files that are missing.
    """
    from .kaggle_csv import load_locations, load_lookup, load_test, load_training

    if not folder.exists():
        raise DataError(folder, f"folder not found; {HOW_TO_GET_DATA}")
    if not folder.is_dir():
        raise DataError(folder, "expected a folder holding the competition's CSV files")
    unpack_kaggle_archives(folder)
    present = {name for name in DATA_FILES if (folder / name).exists()}
    if not present:
        raise DataError(
            folder,
            "none of training.csv, test.csv, IdLookupTable.csv here; "
            f"{HOW_TO_GET_DATA}",
        )

    is_standin = (folder / STANDIN_MARKER).is_file()
    expected = DATA_FILES if is_standin else KAGGLE_FILES
    missing = tuple(name for name in expected if name not in present)
    report = FolderReport(folder=folder, is_standin=is_standin, missing=missing)
    if "training.csv" in present:
        _, y = load_training(folder / "training.csv")
        labelled = ~np.isnan(y[:, 0::2])
        report.training_rows = len(y)
        report.complete_rows = int(labelled.all(axis=1).sum())
        report.labelled_per_keypoint = dict(
            zip(KEYPOINT_NAMES, labelled.sum(axis=0).tolist(), strict=True)
        )

    test_ids = None
    if "test.csv" in present:
        test_ids, _ = load_test(folder / "test.csv")
        report.test_images = len(test_ids)

    if "IdLookupTable.csv" in present:
        lookup = load_lookup(folder / "IdLookupTable.csv", image_ids=test_ids)
        report.lookup_rows = len(lookup.row_ids)
        _, values_per_image = np.unique(lookup.image_ids, return_counts=True)
        sizes, images = np.unique(values_per_image, return_counts=True)
        report.lookup_values_per_image = dict(
            zip(sizes.tolist(), images.tolist(), strict=True)
        )
        for name in LOCATION_FILES:
            if name in present:
                row_ids, _ = load_locations(folder / name)
                _check_same_row_ids(folder / name, row_ids, lookup.row_ids)
                report.location_files[name] = len(row_ids)
    elif present & set(LOCATION_FILES):
        for name in sorted(present & set(LOCATION_FILES)):
            row_ids, _ = load_locations(folder / name)
            report.location_files[name] = len(row_ids)
    return report


def _check_same_row_ids(path: Path, row_ids: np.ndarray, expected: np.ndarray) -> None:
    """``row_ids`` must equal the lookup table's, in order (line 1 is the header)."""
    n = min(len(row_ids), len(expected))
    mismatch = np.flatnonzero(row_ids[:n] != expected[:n])
    if mismatch.size:
        i = int(mismatch[0])
        raise DataError(
            path,
            f"expected RowId {expected[i]} (as in IdLookupTable.csv), found "
            f"{row_ids[i]}",
            line=i + 2,
            column=1,
            column_name="RowId",
        )
    if len(row_ids) != len(expected):
        raise DataError(
            path,
            f"expected {len(expected)} rows like IdLookupTable.csv, found "
            f"{len(row_ids)}",
            line=n + 2,
        )
