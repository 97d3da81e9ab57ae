"""Where the data comes from: one function that every notebook and command uses.

:func:`find_data` looks, in this order, at

1. the folder you pass it;
2. the folder in ``$FKP_DATA_DIR``;
3. ``./data`` (or ``../data``, for notebooks run from ``notebooks/``), if it holds
   Kaggle's files;
4. (only with ``download=True``, and only when Kaggle credentials and the ``kaggle``
   command exist) a fresh download of the competition's archive into ``./data``;
5. otherwise the generated stand-in, made once into the cache folder.

It prints one line saying which source it used. Kaggle's archives
(``facial-keypoints-detection.zip``, ``training.zip``, ``test.zip``) found in a
folder are unpacked in place. A folder must hold the files the caller
``needs``: ``training.csv`` by default, the test set for predicting.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..atomic import atomic_write
from ..errors import DataError
from ..settings import cache_dir
from ..standin.dataset import STANDIN_VERSION, write_dataset
from .files import (  # noqa: F401  re-exported: callers find every file name here
    ARCHIVE_CONTENTS,
    COMPETITION,
    DATA_FILES,
    HOW_TO_GET_DATA,
    KAGGLE_FILES,
    SOLUTION_FILE,
    STANDIN_MARKER,
    TEST_FILES,
    TRAINING_FILES,
)

DEFAULT_DATA_DIR = Path("data")
LOCAL_DATA_DIRS = (DEFAULT_DATA_DIR, Path("..") / "data")


@dataclass(frozen=True)
class DataSource:
    """A folder holding the competition's files, and where it came from.

    ``kind`` is ``"kaggle"`` for Kaggle's own files and ``"stand-in"`` for the
    generated ones (recognised by their ``standin.json`` marker); ``origin`` says
    how the folder was chosen, e.g. ``"FKP_DATA_DIR"``.
    """

    path: Path
    kind: Literal["kaggle", "stand-in"]
    origin: str

    @property
    def training_csv(self) -> Path:
        return self.path / "training.csv"

    @property
    def test_csv(self) -> Path:
        return self.path / "test.csv"

    @property
    def lookup_csv(self) -> Path:
        return self.path / "IdLookupTable.csv"

    @property
    def solution_csv(self) -> Path | None:
        """The stand-in's true test values (Kaggle keeps its own secret), if present."""
        path = self.path / SOLUTION_FILE
        return path if path.is_file() else None

    def describe(self) -> str:
        """One line for the reader: which data this is, and where it lives."""
        if self.kind == "kaggle":
            return (
                "Data: Kaggle's facial-keypoints-detection files in "
                f"{self.path} ({self.origin})"
            )
        info = standin_info(self.path)
        return (
            f"Data: the generated stand-in (seed {info.get('seed')}, "
            f"{info.get('n_train')} training / {info.get('n_test')} test images) "
            f"in {self.path} ({self.origin})"
        )


def find_data(
    data_dir: str | Path | None = None,
    *,
    download: bool = False,
    standin_seed: int = 0,
    standin_size: tuple[int, int] | None = None,
    verbose: bool = True,
    needs: Sequence[str] = TRAINING_FILES,
) -> DataSource:
    """Find the competition's files (see the module docstring for the order).

    ``standin_size`` is ``(n_train, n_test)`` for a generated stand-in (default:
    Kaggle's 7049 and 1783). ``verbose=False`` skips the one-line report.
    ``needs``: the files the folder must hold (:data:`TRAINING_FILES` or
    :data:`TEST_FILES`). Raises :class:`DataError` if a folder you named does not
    hold them.
    """
    source = _locate(
        data_dir,
        download=download,
        seed=standin_seed,
        size=standin_size,
        needs=tuple(needs),
    )
    if verbose:
        print(source.describe(), flush=True)
    return source


def standin_info(folder: Path) -> dict[str, object]:
    """The stand-in's marker (seed and sizes), or ``{}`` for a folder without one."""
    marker = folder / STANDIN_MARKER
    try:
        return dict(json.loads(marker.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _locate(
    data_dir: str | Path | None,
    *,
    download: bool,
    seed: int,
    size: tuple[int, int] | None,
    needs: tuple[str, ...] = TRAINING_FILES,
) -> DataSource:
    if data_dir is not None:
        return _checked_folder(Path(data_dir), "folder given", needs)
    env = os.environ.get("FKP_DATA_DIR")
    if env:
        return _checked_folder(Path(env), "from FKP_DATA_DIR", needs)
    for local in LOCAL_DATA_DIRS:
        if _has_kaggle_files(local, needs):
            return _checked_folder(local, f"found in {local}", needs)
    if download and kaggle_download_possible():
        download_competition(DEFAULT_DATA_DIR)
        return _checked_folder(DEFAULT_DATA_DIR, "downloaded from Kaggle", needs)
    return _standin(seed, size)


def _has_kaggle_files(folder: Path, needs: tuple[str, ...]) -> bool:
    """``folder`` holds the first file needed, or an archive that unpacks to it."""
    first = needs[0]
    archives = [  # the competition's archive (no CSV listed) holds every file
        name for name, holds in ARCHIVE_CONTENTS.items() if not holds or first in holds
    ]
    return any((folder / name).is_file() for name in (first, *archives))


def _checked_folder(folder: Path, origin: str, needs: tuple[str, ...]) -> DataSource:
    if not folder.exists():
        raise DataError(folder, f"folder not found; {HOW_TO_GET_DATA}")
    if not folder.is_dir():
        raise DataError(
            folder,
            "expected a folder holding training.csv, test.csv and IdLookupTable.csv",
        )
    unpack_kaggle_archives(folder)
    missing = [name for name in needs if not (folder / name).is_file()]
    if missing:
        names = " or ".join(missing)
        raise DataError(folder, f"no {names} in this folder; {HOW_TO_GET_DATA}")
    kind: Literal["kaggle", "stand-in"] = (
        "stand-in" if (folder / STANDIN_MARKER).is_file() else "kaggle"
    )
    return DataSource(path=folder, kind=kind, origin=origin)


def unpack_kaggle_archives(folder: Path) -> None:
    """Unpack Kaggle's downloaded archives in ``folder``, each file once and atomically.

    The competition download is ``facial-keypoints-detection.zip``, which holds
    ``training.zip`` and ``test.zip`` (one CSV each) beside the two small CSVs.
    Raises :class:`DataError` naming the archive if it is not a complete zip
    file or lacks the CSV file it should hold.
    """
    for archive, holds in ARCHIVE_CONTENTS.items():
        path = folder / archive
        if path.is_file():
            _extract_missing(path, folder)
            for name in holds:
                if not (folder / name).is_file():
                    raise DataError(path, f"holds no {name}; download it again")


def _extract_missing(archive: Path, folder: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                name = Path(member.filename).name
                if member.is_dir() or not name or (folder / name).exists():
                    continue
                with atomic_write(folder / name, "wb") as out, zf.open(member) as src:
                    shutil.copyfileobj(src, out, length=1 << 20)
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise DataError(
            archive, f"not a readable zip archive ({error}); download it again"
        ) from None


def kaggle_credentials_present() -> bool:
    """True if the ``kaggle`` command would find credentials (without importing
    ``kaggle``)."""
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    config_dir = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle"))
    return (config_dir / "kaggle.json").is_file()


def kaggle_download_possible() -> bool:
    """Kaggle credentials exist and the ``kaggle`` command is installed."""
    return kaggle_credentials_present() and shutil.which("kaggle") is not None


def download_competition(folder: Path) -> None:
    """Download and unpack the competition's files into ``folder`` with the ``kaggle``
    command."""
    folder.mkdir(parents=True, exist_ok=True)
    command = ["kaggle", "competitions", "download", COMPETITION, "-p", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise DataError(
            folder,
            f"`{' '.join(command)}` failed ({last}); accept the rules at "
            f"https://www.kaggle.com/c/{COMPETITION}/rules and check "
            "~/.kaggle/kaggle.json",
        )
    unpack_kaggle_archives(folder)


def standin_folder(seed: int = 0, size: tuple[int, int] | None = None) -> Path:
    """Cache folder of the stand-in for ``seed`` and ``(n_train, n_test)``.

    Its name holds :data:`fkp_helpers.standin.dataset.STANDIN_VERSION`, so a folder
    written by another version of the renderer is never taken for this one.
    """
    n_train, n_test = size or (7049, 1783)
    return cache_dir() / f"standin-v{STANDIN_VERSION}-seed{seed}-{n_train}x{n_test}"


def _standin(seed: int, size: tuple[int, int] | None) -> DataSource:
    folder = standin_folder(seed, size)
    if not (folder / STANDIN_MARKER).is_file():
        n_train, n_test = size or (7049, 1783)
        write_dataset(folder, n_train=n_train, n_test=n_test, seed=seed)
    return DataSource(path=folder, kind="stand-in", origin="no Kaggle data found")
