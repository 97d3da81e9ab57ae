"""Tests for fkp_helpers.data.parse_cache: reuse, invalidation, corrupt entries, atomic
writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.data import kaggle_csv, parse_cache
from fkp_helpers.data.kaggle_csv import load_test, load_training
from fkp_helpers.errors import DataError
from fkp_helpers.settings import cache_dir


def cache_files() -> list[Path]:
    """Everything in the parsed-data cache folder, temporary files included."""
    folder = cache_dir() / "parsed"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def training_csv(kaggle_tiny_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny training.csv (tests change it)."""
    return Path(
        shutil.copy(kaggle_tiny_dir / "training.csv", tmp_path / "training.csv")
    )


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths kaggle_csv actually parses (rather than reads from the cache), in
    order."""
    calls: list[Path] = []
    parse = kaggle_csv._parse_training

    def counting_parse(path: Path) -> dict[str, np.ndarray]:
        calls.append(path)
        return parse(path)

    monkeypatch.setattr(kaggle_csv, "_parse_training", counting_parse)
    return calls


def change_pixel_keeping_size(path: Path, *, keep_mtime: bool, at: int) -> None:
    """Change the pixel digit at byte offset ``at`` (to 0, or from 0 to 1: the value
    stays within 0-255)."""
    data = bytearray(path.read_bytes())
    assert chr(data[at]).isdigit()
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(
        path,
        ns=(
            stat.st_atime_ns,
            stat.st_mtime_ns if keep_mtime else stat.st_mtime_ns + 10**9,
        ),
    )


def digit_offset(path: Path, near: int) -> int:
    """Offset of a pixel digit at or after byte ``near`` (negative: from the end)."""
    data = path.read_bytes()
    at = near % len(data)
    while not chr(data[at]).isdigit():
        at += 1
    return at


def test_second_load_comes_from_the_cache(training_csv, parse_calls):
    X1, y1 = load_training(training_csv)
    X2, y2 = load_training(training_csv)
    assert parse_calls == [training_csv]
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    [entry] = cache_files()
    assert entry.suffix == ".npz" and entry.name.startswith("training-")
    with np.load(entry, allow_pickle=False) as stored:
        assert stored["pixels"].dtype == np.uint8 and stored["pixels"].shape == (
            6,
            96,
            96,
            1,
        )


def test_cache_false_neither_reads_nor_writes(training_csv, parse_calls):
    load_training(training_csv, cache=False)
    assert cache_files() == []
    load_training(training_csv)
    load_training(training_csv, cache=False)
    assert len(parse_calls) == 3


@pytest.mark.parametrize(
    ("near", "keep_mtime"),
    [(40_000, False), (3_000, True), (-10, True)],
    ids=["newer-mtime", "same-mtime-changed-head", "same-mtime-changed-tail"],
)
def test_changed_file_is_parsed_again_and_its_old_entry_removed(
    training_csv, parse_calls, near, keep_mtime
):
    load_training(training_csv)
    [old_entry] = cache_files()
    change_pixel_keeping_size(
        training_csv, keep_mtime=keep_mtime, at=digit_offset(training_csv, near)
    )
    X, _ = load_training(training_csv)
    assert len(parse_calls) == 2
    np.testing.assert_array_equal(X, load_training(training_csv, cache=False)[0])
    [new_entry] = cache_files()
    assert new_entry != old_entry


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not a zip file" * 100, id="garbage"),
        pytest.param(
            lambda data: data[:30_000] + bytes([data[30_000] ^ 1]) + data[30_001:],
            id="one-bit-flipped",
        ),
    ],
)
def test_corrupt_entry_is_ignored_and_rebuilt(training_csv, parse_calls, corrupt):
    X, y = load_training(training_csv)
    [entry] = cache_files()
    entry.write_bytes(corrupt(entry.read_bytes()))
    X2, y2 = load_training(training_csv)
    assert len(parse_calls) == 2
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    load_training(training_csv)
    assert len(parse_calls) == 2  # the rebuilt entry is good


def test_entry_with_unexpected_arrays_is_ignored(training_csv, parse_calls):
    load_training(training_csv)
    [entry] = cache_files()
    with np.load(entry, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["pixels"] = arrays["pixels"].astype(np.float32)
    np.savez(entry, **arrays)
    load_training(training_csv)
    assert len(parse_calls) == 2


def test_an_entry_gets_a_new_files_mode(training_csv):
    previous = os.umask(0o027)
    try:
        load_training(training_csv)
    finally:
        os.umask(previous)
    [entry] = cache_files()
    assert entry.suffix == ".npz" and entry.stat().st_mode & 0o777 == 0o640


def test_failed_parse_writes_nothing(training_csv):
    training_csv.write_bytes(training_csv.read_bytes().replace(b" 0 ", b" 0  ", 1))
    with pytest.raises(DataError):
        load_training(training_csv)
    assert cache_files() == []


def test_unwritable_cache_folder_only_warns(training_csv, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("FKP_CACHE_DIR", str(blocker))
    with pytest.warns(UserWarning, match="could not write the parsed-data cache"):
        X, _ = load_training(training_csv)
    assert X.shape == (6, 96, 96, 1)


def test_file_changed_while_being_parsed_is_not_cached(training_csv):
    def parse_while_someone_writes(path: Path) -> dict[str, np.ndarray]:
        arrays = {"values": np.arange(3)}
        path.write_bytes(path.read_bytes() + b"\n")
        return arrays

    schema = {"values": (np.int64, ())}
    parse_cache.load_or_parse(
        training_csv, kind="demo", parse=parse_while_someone_writes, schema=schema
    )
    assert cache_files() == []


def test_new_format_version_ignores_old_entries(training_csv, parse_calls, monkeypatch):
    load_training(training_csv)
    [old_entry] = cache_files()
    monkeypatch.setattr(parse_cache, "FORMAT_VERSION", parse_cache.FORMAT_VERSION + 1)
    load_training(training_csv)
    assert len(parse_calls) == 2
    assert cache_files() != [old_entry] and len(cache_files()) == 1


def test_each_file_and_kind_has_its_own_entry(
    training_csv, kaggle_tiny_dir, tmp_path, parse_calls
):
    other = Path(shutil.copy(training_csv, tmp_path / "other.csv"))
    load_training(training_csv)
    load_training(other)
    load_test(kaggle_tiny_dir / "test.csv")
    load_training(training_csv)
    load_training(other)
    assert parse_calls == [training_csv, other]
    assert sorted(entry.name.split("-")[0] for entry in cache_files()) == [
        "test",
        "training",
        "training",
    ]
