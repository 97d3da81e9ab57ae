"""A cache of parsed CSV files, so that the second load of ``training.csv`` is instant.

Each entry is one uncompressed ``.npz`` file (read with ``allow_pickle=False``)
under ``fkp_helpers.settings.cache_dir() / "parsed"``, named after

- what was parsed (``kind``, e.g. ``"training"``) and a hash of the CSV's resolved
  path: entries of the same file share this prefix, and an entry is replaced,
  not added to, when the file changes;
- a hash of the CSV's size, modification time (ns), first and last 64 KiB, and
  :data:`FORMAT_VERSION`.

The same key is also stored inside the entry and checked on reading. An entry
that is unreadable, truncated, fails its zip checksums, or does not match the
expected names, dtypes and shapes is ignored (and rebuilt), never trusted.
Entries are written atomically (:func:`fkp_helpers.atomic.atomic_write`: a
temporary file in the same folder, moved into place); a parse that fails
writes nothing, and a file that changes while it is being parsed is not
cached. The folder may be deleted at any time.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..settings import cache_dir

FORMAT_VERSION = 1
"""Bump when the parsers or the stored arrays change: older entries are then ignored."""

_FINGERPRINT_BYTES = 64 * 1024
_KEY_NAME = "cache_key"

Schema = Mapping[str, tuple[type[np.generic], tuple[int, ...]]]
"""Array name -> (dtype, shape after the first axis); all arrays share their first
axis."""


def load_or_parse(
    csv_path: Path,
    *,
    kind: str,
    parse: Callable[[Path], dict[str, np.ndarray]],
    schema: Schema,
    cache: bool = True,
) -> dict[str, np.ndarray]:
    """``parse(csv_path)``, or its result from the cache when the file has not changed.

    ``parse`` must return arrays named and shaped as ``schema`` says; its errors
    propagate and nothing is cached. With ``cache=False`` the cache is neither read
    nor written. A cache folder that cannot be written only costs a warning.
    """
    if not cache:
        return parse(csv_path)
    try:
        key = _source_key(csv_path, kind)
    except OSError:
        return parse(csv_path)  # unreadable: let the parser report it
    entry = _entry_path(csv_path, kind, key)
    arrays = _read_entry(entry, key, schema)
    if arrays is not None:
        return arrays
    arrays = parse(csv_path)
    if _source_key(csv_path, kind) == key:  # the file did not change while being parsed
        try:
            _write_entry(entry, key, arrays)
            _remove_other_entries(entry)
        except OSError as err:
            warnings.warn(
                f"could not write the parsed-data cache {entry}: {err}", stacklevel=3
            )
    return arrays


def _source_key(csv_path: Path, kind: str) -> str:
    """A hex digest that changes when the file at ``csv_path`` (or the format)
    changes."""
    with open(csv_path, "rb") as file:
        stat = os.fstat(file.fileno())
        head = file.read(_FINGERPRINT_BYTES)
        file.seek(max(stat.st_size - _FINGERPRINT_BYTES, 0))
        tail = file.read(_FINGERPRINT_BYTES)
    digest = hashlib.blake2b(
        f"{FORMAT_VERSION}|{kind}|{stat.st_size}|{stat.st_mtime_ns}|".encode(),
        digest_size=16,
    )
    digest.update(head)
    digest.update(tail)
    return digest.hexdigest()


def _entry_path(csv_path: Path, kind: str, key: str) -> Path:
    """Where the entry for ``csv_path`` with ``key`` lives:
    ``<kind>-<path hash>-<key>.npz``."""
    return cache_dir() / "parsed" / f"{_entry_prefix(csv_path, kind)}{key}.npz"


def _entry_prefix(csv_path: Path, kind: str) -> str:
    path_hash = hashlib.blake2b(
        str(Path(csv_path).resolve()).encode(), digest_size=8
    ).hexdigest()
    return f"{kind}-{path_hash}-"


def _read_entry(entry: Path, key: str, schema: Schema) -> dict[str, np.ndarray] | None:
    """The arrays of ``entry`` if it exists, is intact and matches ``key`` and
    ``schema``; else None."""
    try:
        with np.load(entry, allow_pickle=False) as stored:
            if (
                set(stored.files) != {*schema, _KEY_NAME}
                or str(stored[_KEY_NAME]) != key
            ):
                return None
            arrays = {name: stored[name] for name in schema}
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is rebuilt
        return None
    return arrays if _matches(arrays, schema) else None


def _matches(arrays: dict[str, np.ndarray], schema: Schema) -> bool:
    lengths = {array.shape[:1] for array in arrays.values()}
    return len(lengths) == 1 and all(
        arrays[name].dtype == dtype and arrays[name].shape[1:] == shape
        for name, (dtype, shape) in schema.items()
    )


def _write_entry(entry: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``key`` to ``entry`` atomically."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(entry, "wb") as file:
        np.savez(file, **arrays, **{_KEY_NAME: np.array(key)})


def _remove_other_entries(entry: Path) -> None:
    """Delete entries for the same CSV file and kind other than ``entry`` (they are
    stale)."""
    prefix = entry.name[: entry.name.rindex("-") + 1]
    for stale in entry.parent.glob(f"{prefix}*.npz"):
        if stale != entry:
            stale.unlink(missing_ok=True)
