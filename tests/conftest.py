"""Fixtures shared by every test module.

- Every test gets its own empty cache folder (``$FKP_CACHE_DIR``), so no test reads
  or writes the user's ``~/.cache/fkp``.
- ``fixtures_dir`` and ``kaggle_tiny_dir`` point at committed test data; treat them
  as read-only (copy a file into ``tmp_path`` before changing it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh, empty folder set as ``$FKP_CACHE_DIR`` for the test (created lazily by
    its users)."""
    cache = tmp_path_factory.mktemp("fkp-cache") / "cache"
    monkeypatch.setenv("FKP_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/fixtures`` (read-only)."""
    return FIXTURES_DIR


@pytest.fixture
def kaggle_tiny_dir() -> Path:
    """A tiny dataset in Kaggle's format (read-only): ``training.csv`` (6 rows, 4 of
    them with missing keypoints), ``test.csv`` (ImageIds 1-3), ``IdLookupTable.csv``
    (46 rows) and ``SampleSubmission.csv``."""
    return FIXTURES_DIR / "kaggle_tiny"


@pytest.fixture
def fkp_fails(capsys: pytest.CaptureFixture[str]) -> Callable[[list[str], str], str]:
    """``fkp_fails(argv, message)`` runs ``fkp`` and checks the CLI's error contract.

    Exit status 2 and exactly one stderr line starting with ``fkp: error: `` that
    holds ``message`` and no traceback (stdout may say which data was found
    before the error). Returns that line.
    """
    from fkp_helpers.cli.main import main

    def fails(argv: list[str], message: str) -> str:
        assert main(argv) == 2
        captured = capsys.readouterr()
        err = captured.err
        assert (
            err.startswith("fkp: error: ") and message in err and err.count("\n") == 1
        ), err
        assert "Traceback" not in err
        return err

    return fails
