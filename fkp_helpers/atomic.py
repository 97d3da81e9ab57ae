"""Write files so that each appears complete or not at all: how this package writes.

:func:`atomic_write` yields a file object on a temporary file in the target's
folder, named ``.<name>.<pid>-<random>.tmp``. When the ``with`` block ends
without an exception the file is closed (and, with ``fsync=True``, flushed to
disk) and moved over the target with ``os.replace``, a single step on every
file system. On any exception, Ctrl-C (``KeyboardInterrupt``) included, the
temporary file is removed and the target is left as it was.

>>> with atomic_write("submission.csv", newline="\\n") as out:  # doctest: +SKIP
...     out.write("RowId,Location\\n")

:func:`atomic_path` does the same for a writer that wants a file name rather
than a file object (Keras's ``model.save`` insists on a name ending ``.keras``):
it yields the temporary path, which keeps the target's suffix
(``.model.keras.<pid>-<random>.tmp.keras``). :func:`replace` moves a file or
folder built elsewhere into place, for writers that build whole folders.

The written file gets the permissions of any new file, ``0o666`` less the
umask (``tempfile.mkstemp`` would leave ``0o600``), also when it replaces a
file that had others. An ``OSError`` names the target, never the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

TEMPORARY_MARK = ".tmp"
"""Every temporary name starts with ``.`` and ends with this (or with this and the
target's suffix, for :func:`atomic_path`)."""


@contextlib.contextmanager
def atomic_write(
    path: str | Path,
    mode: Literal["w", "wb"] = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    fsync: bool = False,
) -> Iterator[IO[Any]]:
    """A file object whose contents replace ``path`` when the ``with`` block succeeds.

    ``mode`` is ``"w"`` (text, in ``encoding``, with ``newline`` as for
    :func:`open`) or ``"wb"`` (bytes). ``fsync=True`` also forces the file and
    its folder's entry to disk before returning. The folder must exist.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    _check_not_a_folder(path)
    temporary = temporary_name(path)
    text = {"encoding": encoding, "newline": newline} if mode == "w" else {}
    # "x": a new file (O_EXCL), created with mode 0o666 less the umask
    new_file = "xb" if mode == "wb" else "x"
    with _replacing(path, temporary, fsync=fsync):
        with open(temporary, new_file, **text) as file:
            yield file
            if fsync:
                file.flush()
                os.fsync(file.fileno())


@contextlib.contextmanager
def atomic_path(path: str | Path, *, fsync: bool = False) -> Iterator[Path]:
    """A temporary path (same folder and suffix) to replace ``path`` after the block.

    The block must create a file at the yielded path; if it raises, or creates
    nothing, whatever it wrote there is removed and ``path`` is left as it was.
    """
    path = Path(path)
    _check_not_a_folder(path)
    temporary = temporary_name(path, keep_suffix=True)
    with _replacing(path, temporary, fsync=fsync):
        yield temporary
        if not temporary.is_file():
            raise FileNotFoundError(errno.ENOENT, "the writer made no file", str(path))
        if fsync:
            with open(temporary, "rb+") as file:
                os.fsync(file.fileno())


def temporary_name(path: Path, *, keep_suffix: bool = False) -> Path:
    """A fresh hidden name beside ``path``: ``.<name>.<pid>-<random>.tmp``.

    ``keep_suffix`` adds ``path``'s suffix (``.tmp.keras``).
    """
    suffix = path.suffix if keep_suffix else ""
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{path.name}.{token}{TEMPORARY_MARK}{suffix}")


def _check_not_a_folder(path: Path) -> None:
    if path.is_dir():
        message = "a folder; name a file to write"
        raise IsADirectoryError(errno.EISDIR, message, str(path))


@contextlib.contextmanager
def _replacing(path: Path, temporary: Path, *, fsync: bool) -> Iterator[None]:
    """Move ``temporary`` over ``path`` after the block; on an exception, remove it."""
    try:
        yield
        replace(temporary, path, fsync=fsync)
    except OSError as error:
        _remove(temporary)
        if _about_temporary(error, temporary):
            reason = error.strerror or str(error)
            raise OSError(error.errno, reason, str(path)) from error
        raise
    except BaseException:
        _remove(temporary)
        raise


def replace(source: str | Path, target: str | Path, *, fsync: bool = False) -> None:
    """Move the finished file or folder ``source`` over ``target`` in one step
    (``os.replace``).

    For writers that build a whole folder beside its target (the stand-in, a
    cached run) and then put it in place. ``target`` must not be a non-empty
    folder. ``fsync=True`` also forces the rename to disk (POSIX).
    """
    path = Path(target)
    os.replace(source, path)
    if fsync and hasattr(os, "O_DIRECTORY"):  # the rename itself, on POSIX
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _remove(temporary: Path) -> None:
    with contextlib.suppress(OSError):  # never hide the error that got us here
        temporary.unlink(missing_ok=True)


def _about_temporary(error: OSError, temporary: Path) -> bool:
    """Whether ``error`` names the temporary file or none: then it names the target."""
    return error.filename is None or str(error.filename) == str(temporary)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and ``SIGTERM`` back during quick steps that must not be cut short.

    A signal that arrives meanwhile is delivered, to the handler that was in
    place, when the block ends (so ``KeyboardInterrupt`` is raised then). The
    handlers are swapped for ones that only take note, rather than the signals
    blocked: a process-wide signal may be delivered to any thread (NumPy's and
    TensorFlow's native threads included), and Python then runs its handler in
    the main thread at once. Outside the main thread the block runs as it is.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    held = [signal.SIGINT, signal.SIGTERM]
    previous = {
        signum: signal.signal(signum, lambda signum, frame: arrived.append(signum))
        for signum in held
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if (
                handler is not None
            ):  # None: a handler set outside Python, which cannot be restored
                signal.signal(signum, handler)
        for signum in dict.fromkeys(
            arrived
        ):  # each signal once, in the order they came
            signal.raise_signal(signum)
