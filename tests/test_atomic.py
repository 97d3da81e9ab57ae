"""Tests for fkp_helpers.atomic: a file appears complete or not at all, with a new
file's mode."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from fkp_helpers import atomic
from fkp_helpers.atomic import atomic_path, atomic_write, signals_deferred


@pytest.fixture
def umask_022():
    """Run the test with umask 022 (new files 0644), then restore the caller's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_and_bytes_land_complete_with_no_temporary_file(tmp_path):
    with atomic_write(tmp_path / "a.csv", newline="\n") as out:
        out.write("RowId,Location\n1,2.5\n")
    with atomic_write(tmp_path / "b.bin", "wb", fsync=True) as out:
        out.write(b"\x00\xff")
    assert (tmp_path / "a.csv").read_text() == "RowId,Location\n1,2.5\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.bin"]


@pytest.mark.parametrize("before", [0o600, 0o644, 0o640])
def test_the_file_gets_a_new_files_mode_whatever_it_replaces(
    tmp_path, umask_022, before
):
    path = tmp_path / "submission.csv"
    path.write_text("old\n")
    path.chmod(before)
    with atomic_write(path) as out:
        out.write("new\n")
    assert mode(path) == 0o644 and path.read_text() == "new\n"
    with atomic_path(tmp_path / "model.keras") as temporary:
        temporary.write_bytes(b"PK")
    assert mode(tmp_path / "model.keras") == 0o644


def test_the_mode_follows_the_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        with atomic_write(tmp_path / "private.json") as out:
            out.write("{}")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "private.json") == 0o600


@pytest.mark.parametrize("error", [KeyboardInterrupt, ValueError, OSError])
def test_any_exception_keeps_the_old_file_and_removes_the_temporary_one(
    tmp_path, error
):
    path = tmp_path / "keep.csv"
    path.write_text("old\n")
    with pytest.raises(error):
        with atomic_write(path) as out:
            out.write("half")
            raise error()
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_temporary_names_are_hidden_and_end_in_tmp(tmp_path):
    seen: list[Path] = []
    with atomic_write(tmp_path / "a.csv") as out:
        seen += list(tmp_path.iterdir())
        out.write("x")
    with atomic_path(tmp_path / "model.keras") as temporary:
        seen.append(temporary)
        temporary.write_bytes(b"x")
    assert [p.parent for p in seen] == [tmp_path, tmp_path]
    plain, keras_file = (p.name for p in seen)
    assert plain.startswith(".a.csv.") and plain.endswith(".tmp")
    assert keras_file.startswith(".model.keras.") and keras_file.endswith(".tmp.keras")
    assert atomic.temporary_name(tmp_path / "x.csv") != atomic.temporary_name(
        tmp_path / "x.csv"
    )


def test_errors_name_the_target_not_the_temporary_file(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as caught, atomic_write(folder):
        pass
    assert caught.value.filename == str(folder)
    with (
        pytest.raises(FileNotFoundError) as caught,
        atomic_write(tmp_path / "no-such-folder" / "a.csv"),
    ):
        pass
    assert caught.value.filename == str(tmp_path / "no-such-folder" / "a.csv")
    with pytest.raises(IsADirectoryError) as caught, atomic_path(folder):
        pass
    assert caught.value.filename == str(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_path_replaces_the_target_only_when_the_writer_made_a_file(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")
    with (
        pytest.raises(FileNotFoundError, match="the writer made no file"),
        atomic_path(target),
    ):
        pass
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    with atomic_path(target, fsync=True) as temporary:
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_a_sigterm_during_deferred_steps_is_delivered_after_them():
    received: list[str] = []

    def handler(signum, frame):
        received.append("signal")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            received.append("step")
        received.append("after")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert received == ["step", "signal", "after"]
