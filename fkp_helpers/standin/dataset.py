"""The stand-in dataset: generated faces written in Kaggle's exact file format.

Kaggle's data needs an account and may not be redistributed, so the project
generates a realistic stand-in by default. :func:`write_dataset` writes, into
one folder::

    training.csv          <30 keypoint columns>,Image     (7049 rows by default)
    test.csv              ImageId,Image                   (1783 rows)
    IdLookupTable.csv     RowId,ImageId,FeatureName,Location (Location empty)
    SampleSubmission.csv  RowId,Location                  (Location 0)
    solution.csv          RowId,Location                  (the true values: Kaggle
                                                          keeps these secret)
    standin.json          the marker that tells the stand-in from Kaggle's files

The faces come from :mod:`fkp_helpers.standin.faces`. Which keypoints are labelled
mirrors Kaggle's two sources: a third of the rows (first in the file) come from
a source that labels all 15 keypoints (a few rows miss one or two, mostly the
eyebrows' outer ends), the rest from one that labels only the eye centres, the
nose tip and the bottom lip. At the default size the per-keypoint labelled
counts equal Kaggle's and 2140 rows are complete; other sizes scale the pattern.
Everything depends only on the seed: the same arguments give byte-identical files.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import numpy as np

from ..atomic import replace, signals_deferred
from ..data.files import DATA_FILES, STANDIN_MARKER
from ..errors import DataError
from ..keypoints import (
    FOUR_KEYPOINT_SOURCE,
    IMAGE_SIZE,
    KEYPOINT_COLUMNS,
    KEYPOINT_NAMES,
    LOOKUP_COLUMNS,
    NUM_KEYPOINTS,
    NUM_TARGETS,
    SUBMISSION_COLUMNS,
    TEST_COLUMNS,
    TRAINING_COLUMNS,
    keypoint_index,
)
from . import lit_faces
from .faces import render_faces
from .progress import ProgressBar

_Result = TypeVar("_Result")

__all__ = [
    "KAGGLE_LABELLED_COUNTS",
    "KAGGLE_N_TEST",
    "KAGGLE_N_TRAIN",
    "STANDIN_VERSION",
    "StandInSummary",
    "labelled_mask",
    "lookup_features",
    "render_faces",
    "render_in_parallel",
    "write_dataset",
]

MARKER_GENERATOR = "fkp_helpers.synthetic"
"""The ``generator`` that ``standin.json`` names: this module's name before it moved
into ``fkp_helpers.standin``. Kept, because the stand-in's bytes are pinned (a new name
would change every stand-in and the chapters' stored outputs)."""
STANDIN_VERSION = 2
"""Version of the stand-in's bytes: what the renderer draws, the labels, the file
layout.

It names the stand-in's cache folder (``standin-v2-seed0-7049x1783``) and is
recorded in ``standin.json``. Bump it whenever a change makes
:func:`write_dataset` write other bytes for the same arguments (the fingerprint
test in ``tests/test_synthetic.py`` fails until you do), then regenerate the
chapters' stored outputs (``make outputs``): a cache folder written by an older
renderer is then never read again.
"""

KAGGLE_N_TRAIN = 7049
KAGGLE_N_TEST = 1783

KAGGLE_LABELLED_COUNTS: dict[str, int] = {
    "left_eye_center": 7039,
    "right_eye_center": 7036,
    "left_eye_inner_corner": 2271,
    "left_eye_outer_corner": 2267,
    "right_eye_inner_corner": 2268,
    "right_eye_outer_corner": 2268,
    "left_eyebrow_inner_end": 2270,
    "left_eyebrow_outer_end": 2225,
    "right_eyebrow_inner_end": 2270,
    "right_eyebrow_outer_end": 2236,
    "nose_tip": 7049,
    "mouth_left_corner": 2269,
    "mouth_right_corner": 2270,
    "mouth_center_top_lip": 2275,
    "mouth_center_bottom_lip": 7016,
}
"""Rows of Kaggle's ``training.csv`` (7049) in which each keypoint is labelled."""

_KAGGLE_FULL_SOURCE_ROWS = (
    2284  # rows from the 15-keypoint source (>= the largest of its counts)
)
_KAGGLE_COMPLETE_ROWS = 2140  # rows with all 15 keypoints
_KAGGLE_TEST_FULL_SOURCE = (
    585  # test images asked for all 30 features: 585*30 + 1198*8 = 27134 lookup rows
)

TRAIN_STREAM, TEST_STREAM, LABEL_STREAM = 0, 1, 2
"""Random streams of a seed: training faces, test faces, and which keypoints are
labelled."""

_CHUNK = 128  # faces per rendering job
_PARALLEL_FROM = 1024  # images; fewer are rendered in this process


@dataclass(frozen=True)
class StandInSummary:
    """What :func:`write_dataset` wrote."""

    path: Path
    seed: int
    n_train: int
    n_test: int
    n_complete: int  # training rows with all 15 keypoints
    n_lookup_rows: int  # rows of IdLookupTable.csv (and of the two submissions)


# --------------------------------------------------------- which keypoints are labelled


def labelled_mask(n_train: int = KAGGLE_N_TRAIN, *, seed: int = 0) -> np.ndarray:
    """Which keypoints each training row labels: bool ``(n_train, 15)``, Kaggle's
    keypoint order.

    Rows ``0 .. n_full - 1`` come from the 15-keypoint source (``n_full`` is
    2284 at Kaggle's size): all but a few of them are complete, and those miss
    the keypoints Kaggle's rows miss, in the same numbers. The other rows label
    only the eye centres, the nose tip and the bottom lip, a few of them missing
    an eye centre or the bottom lip, again in Kaggle's numbers. At another size
    every count is scaled by ``n_train / 7049`` and rounded.
    """
    _check_int("n_train", n_train, minimum=1)
    _check_int("seed", seed, minimum=0)
    rng = np.random.default_rng([seed, LABEL_STREAM, n_train])
    scale = n_train / KAGGLE_N_TRAIN
    n_full = min(n_train, max(1, round(_KAGGLE_FULL_SOURCE_ROWS * scale)))
    four = np.array([keypoint_index(name) for name in FOUR_KEYPOINT_SOURCE])
    mask = np.zeros((n_train, NUM_KEYPOINTS), dtype=bool)
    mask[:n_full] = True
    mask[n_full:, four] = True

    # the full source: a few incomplete rows, each missing at least one keypoint
    others = [k for k in range(NUM_KEYPOINTS) if k not in four]
    wanted_incomplete = round(
        (_KAGGLE_FULL_SOURCE_ROWS - _KAGGLE_COMPLETE_ROWS) * scale
    )
    misses = {
        k: round(
            (_KAGGLE_FULL_SOURCE_ROWS - KAGGLE_LABELLED_COUNTS[KEYPOINT_NAMES[k]])
            * scale
        )
        for k in others
    }
    total_misses = sum(misses.values())
    n_incomplete = min(
        max(wanted_incomplete, 1 if total_misses else 0), n_full, total_misses
    )
    if n_incomplete:
        rows = rng.choice(n_full, size=n_incomplete, replace=False)
        occurrences = np.repeat(others, [min(misses[k], n_incomplete) for k in others])
        rng.shuffle(occurrences)
        for row, k in zip(
            rows, occurrences[:n_incomplete], strict=True
        ):  # one miss per incomplete row first
            mask[row, k] = False
        for k in occurrences[
            n_incomplete:
        ]:  # then the rest, among the rows that still have k
            candidates = rows[mask[rows, k]]
            mask[rng.choice(candidates), k] = False

    # the four-keypoint source: a few rows without an eye centre or the bottom lip
    n_four = n_train - n_full
    for k in four:
        count = min(
            n_four,
            round((KAGGLE_N_TRAIN - KAGGLE_LABELLED_COUNTS[KEYPOINT_NAMES[k]]) * scale),
        )
        if count:
            mask[n_full + rng.choice(n_four, size=count, replace=False), k] = False
    return mask


def lookup_features(n_test: int = KAGGLE_N_TEST) -> list[tuple[int, str]]:
    """The rows of ``IdLookupTable.csv``: ``(ImageId, FeatureName)`` in RowId order.

    The first images (585 of Kaggle's 1783, scaled for other sizes) are asked for
    all 30 features; the others for the 8 of the four-keypoint source.
    """
    _check_int("n_test", n_test, minimum=1)
    n_full = min(
        n_test, max(1, round(_KAGGLE_TEST_FULL_SOURCE * n_test / KAGGLE_N_TEST))
    )
    four = [
        column
        for column in KEYPOINT_COLUMNS
        if column.rsplit("_", 1)[0] in FOUR_KEYPOINT_SOURCE
    ]
    rows: list[tuple[int, str]] = []
    for image_id in range(1, n_test + 1):
        rows.extend(
            (image_id, feature)
            for feature in (KEYPOINT_COLUMNS if image_id <= n_full else four)
        )
    return rows


# ------------------------------------------------------------------------ text encoding


def _pixel_table() -> tuple[np.ndarray, np.ndarray]:
    """For each value 0..255: its digits and a space, zero-padded to 4 bytes, and which
    bytes count."""
    codes = np.zeros((256, 4), dtype=np.uint8)
    keep = np.zeros((256, 4), dtype=bool)
    for value in range(256):
        text = f"{value} ".encode("ascii")
        codes[value, : len(text)] = np.frombuffer(text, dtype=np.uint8)
        keep[value, : len(text)] = True
    return codes, keep


_PIXEL_CODES, _PIXEL_KEEP = _pixel_table()
_PIXEL_LENGTHS = _PIXEL_KEEP.sum(axis=1)


def _pixel_fields(images: np.ndarray) -> list[bytes]:
    """The ``Image`` field of each image: 9216 space-separated integers, row-major.

    ``images``: uint8 ``(m, 96, 96)``. Vectorised: every pixel becomes its
    digits and a space through a lookup table, one buffer for the whole chunk.
    """
    flat = images.reshape(len(images), -1)
    text = _PIXEL_CODES[flat][_PIXEL_KEEP[flat]].tobytes()
    ends = np.cumsum(_PIXEL_LENGTHS[flat].sum(axis=1))
    starts = np.concatenate(([0], ends[:-1]))
    return [
        text[start : end - 1]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]  # drop the last space


def _format_coordinate(value: float) -> str:
    """A coordinate as Kaggle writes it: 12 significant digits, e.g.
    ``66.0335639098``."""
    return repr(float(f"{value:.12g}"))


# --------------------------------------------------------------------------- writing


def write_dataset(
    out_dir: str | Path,
    *,
    n_train: int = KAGGLE_N_TRAIN,
    n_test: int = KAGGLE_N_TEST,
    seed: int = 0,
    progress: bool | None = None,
    workers: int | None = None,
) -> StandInSummary:
    """Write the stand-in dataset into ``out_dir`` (created if needed) and return a
    summary.

    ``n_train``/``n_test``: training rows and test images (Kaggle's 7049 and 1783
    by default); ``seed``: the same seed gives byte-identical files, training and
    test faces come from different streams of it. ``progress``: a bar on stderr
    (``None``: only if stderr is a terminal). ``workers``: processes that render
    faces (``None``: two on Linux for a large set, else one); the files do not
    depend on it.

    The files are written into a temporary sibling folder, which is renamed to
    ``out_dir``; if ``out_dir`` exists, each file is moved into it atomically
    (:func:`fkp_helpers.atomic.replace`), the marker last. An interrupted run leaves no
    partial file. A folder without ``standin.json`` that holds any of the files this
    writes (Kaggle's, or a ``solution.csv``) is never overwritten.
    """
    _check_int("n_train", n_train, minimum=1)
    _check_int("n_test", n_test, minimum=1)
    _check_int("seed", seed, minimum=0)
    if workers is not None:
        _check_int("workers", workers, minimum=1)
    out_dir = Path(out_dir)
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    workers = workers if workers is not None else _default_workers(n_train + n_test)

    mask = labelled_mask(n_train, seed=seed)
    lookup = lookup_features(n_test)
    build = out_dir.parent / f".{out_dir.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # (not mkdtemp: the folder becomes out_dir, so it keeps the usual permissions)
    build.mkdir()
    try:
        with ProgressBar(n_train + n_test, "stand-in", enabled=progress) as bar:
            test_keypoints = _write_images(build, mask, n_test, seed, workers, bar)
        _write_lookup_files(build, lookup, test_keypoints)
        marker = {
            "generator": MARKER_GENERATOR,
            "standin_version": STANDIN_VERSION,
            "seed": seed,
            "n_train": n_train,
            "n_test": n_test,
        }
        (build / STANDIN_MARKER).write_text(
            json.dumps(marker, indent=2) + "\n", encoding="utf-8"
        )
        with signals_deferred():  # a Ctrl-C or SIGTERM now would mix old and new files
            _move_into_place(build, out_dir)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return StandInSummary(
        out_dir, seed, n_train, n_test, int(mask.all(axis=1).sum()), len(lookup)
    )


def _write_images(
    build: Path,
    mask: np.ndarray,
    n_test: int,
    seed: int,
    workers: int,
    bar: ProgressBar,
) -> np.ndarray:
    """Write ``training.csv`` and ``test.csv``; return the test keypoints
    ``(n_test, 30)``."""
    n_train = len(mask)
    jobs = [
        (seed, TRAIN_STREAM, start, min(_CHUNK, n_train - start))
        for start in range(0, n_train, _CHUNK)
    ]
    jobs += [
        (seed, TEST_STREAM, start, min(_CHUNK, n_test - start))
        for start in range(0, n_test, _CHUNK)
    ]
    coordinate_mask = np.repeat(mask, 2, axis=1)
    test_keypoints = np.empty((n_test, len(KEYPOINT_COLUMNS)), dtype=np.float32)
    with (
        open(build / "training.csv", "wb") as train,
        open(build / "test.csv", "wb") as test,
    ):
        train.write(_header(TRAINING_COLUMNS))
        test.write(_header(TEST_COLUMNS))
        for (_, stream, start, n), (keypoints, pixels) in zip(
            jobs, _rendered(jobs, workers), strict=True
        ):
            if stream == TRAIN_STREAM:
                _write_training_rows(
                    train, keypoints, coordinate_mask[start : start + n], pixels
                )
            else:
                test_keypoints[start : start + n] = keypoints
                test.writelines(
                    b"%d,%s\n" % (start + i + 1, field)
                    for i, field in enumerate(pixels)
                )
            bar.update(n)
    return test_keypoints


def _write_training_rows(
    out: BinaryIO, keypoints: np.ndarray, labelled: np.ndarray, pixels: list[bytes]
) -> None:
    for row, row_labelled, field in zip(
        keypoints.tolist(), labelled, pixels, strict=True
    ):
        coordinates = ",".join(
            _format_coordinate(v) if keep else ""
            for v, keep in zip(row, row_labelled, strict=True)
        )
        out.write(coordinates.encode("ascii") + b"," + field + b"\n")


def _write_lookup_files(
    build: Path, lookup: list[tuple[int, str]], test_keypoints: np.ndarray
) -> None:
    column = {name: i for i, name in enumerate(KEYPOINT_COLUMNS)}
    with (
        open(build / "IdLookupTable.csv", "w", encoding="ascii", newline="\n") as table,
        open(
            build / "SampleSubmission.csv", "w", encoding="ascii", newline="\n"
        ) as sample,
        open(build / "solution.csv", "w", encoding="ascii", newline="\n") as solution,
    ):
        table.write(",".join(LOOKUP_COLUMNS) + "\n")
        sample.write(",".join(SUBMISSION_COLUMNS) + "\n")
        solution.write(",".join(SUBMISSION_COLUMNS) + "\n")
        for row_id, (image_id, feature) in enumerate(lookup, start=1):
            table.write(f"{row_id},{image_id},{feature},\n")
            sample.write(f"{row_id},0\n")
            value = float(test_keypoints[image_id - 1, column[feature]])
            solution.write(f"{row_id},{_format_coordinate(value)}\n")


def render_in_parallel(
    n: int,
    *,
    seed: int = 0,
    stream: int = 0,
    workers: int | None = None,
    lit: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~fkp_helpers.standin.faces.render_faces` ``(n, seed=seed, stream=stream)``
    in ``workers`` processes (default: up to 2): the same faces, sooner. ``lit``
    draws :func:`~fkp_helpers.standin.lit_faces.render_faces`' instead."""
    jobs = [
        (seed, stream, start, min(_CHUNK, n - start)) for start in range(0, n, _CHUNK)
    ]
    if workers is None:
        workers = _default_workers(n)
    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    keypoints = np.empty((n, NUM_TARGETS), dtype=np.float32)
    job = _render_lit_faces_job if lit else _render_faces_job
    for (_, _, start, count), (faces, points) in zip(
        jobs, _in_workers(job, jobs, workers), strict=True
    ):
        images[start : start + count], keypoints[start : start + count] = faces, points
    return images, keypoints


def _render_faces_job(job: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Faces ``start .. start + n - 1`` of a stream, for job ``(seed, stream, start,
    n)``: images and keypoints."""
    seed, stream, start, n = job
    return render_faces(n, seed=seed, start=start, stream=stream)


def _render_lit_faces_job(
    job: tuple[int, int, int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_render_faces_job` for :mod:`~fkp_helpers.standin.lit_faces`."""
    seed, stream, start, n = job
    return lit_faces.render_faces(n, seed=seed, start=start, stream=stream)


def _rendered(
    jobs: list[tuple[int, int, int, int]], workers: int
) -> Iterator[tuple[np.ndarray, list[bytes]]]:
    """:func:`_render_job` for each job, in order, in ``workers`` processes."""
    yield from _in_workers(_render_job, jobs, workers)


def _in_workers(
    function: Callable[[tuple[int, int, int, int]], _Result],
    jobs: list[tuple[int, int, int, int]],
    workers: int,
) -> Iterator[_Result]:
    """``map(function, jobs)`` in ``workers`` processes, results in order."""
    if workers == 1 or len(jobs) == 1:
        yield from map(function, jobs)
        return
    context = None
    if (
        sys.platform == "linux"
    ):  # fork: no re-import of the caller's __main__ in the workers
        import multiprocessing

        context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(function, jobs)


def _render_job(job: tuple[int, int, int, int]) -> tuple[np.ndarray, list[bytes]]:
    """Faces ``start .. start + n - 1`` of a stream: keypoints ``(n, 30)`` and the
    ``Image`` fields."""
    seed, stream, start, n = job
    images, keypoints = render_faces(n, seed=seed, start=start, stream=stream)
    return keypoints, _pixel_fields(images)


def _default_workers(n_images: int) -> int:
    if sys.platform != "linux" or n_images < _PARALLEL_FROM:
        return 1
    return min(2, len(os.sched_getaffinity(0)))


def _header(columns: tuple[str, ...]) -> bytes:
    return (",".join(columns) + "\n").encode("ascii")


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _check_target(out_dir: Path) -> None:
    """Raise :class:`DataError` (a ``ValueError``) unless ``out_dir`` may be written.

    It may if it does not exist, or is a folder that holds ``standin.json``
    (a stand-in) or none of the files this writes. Without the marker the
    folder is Kaggle's or the user's: their ``training.csv``, ``solution.csv``,
    … must stay as they are.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise DataError(out_dir, "exists and is not a folder")
    if (out_dir / STANDIN_MARKER).is_file():
        return
    taken = [name for name in DATA_FILES if (out_dir / name).exists()]
    if taken:
        raise DataError(
            out_dir,
            f"holds {', '.join(taken)} but no {STANDIN_MARKER}, so not a stand-in "
            "(Kaggle's data? yours?); refusing to overwrite it: choose another folder",
        )


def _move_into_place(build: Path, out_dir: Path) -> None:
    """Rename the finished ``build`` folder to ``out_dir``, or move its files into an
    existing one."""
    try:
        build.rename(out_dir)
        return
    except OSError:
        if not out_dir.is_dir():
            raise
    names = sorted(p.name for p in build.iterdir() if p.name != STANDIN_MARKER)
    for name in [*names, STANDIN_MARKER]:
        replace(build / name, out_dir / name)
