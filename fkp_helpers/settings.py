"""Run-wide settings read from the environment: quick mode, and where generated files
go."""

from __future__ import annotations

import os
from pathlib import Path


def quick_mode() -> bool:
    """True when ``$FKP_QUICK`` is ``1``, ``true`` or ``yes``.

    The notebooks then train on fewer rows for fewer epochs, so the whole book
    runs under the test suite in minutes; their stored outputs come from a full
    run (``FKP_QUICK`` unset).
    """
    return os.environ.get("FKP_QUICK", "").strip().lower() in {"1", "true", "yes"}


def cache_dir() -> Path:
    """The project's cache folder (created on demand by its users).

    ``$FKP_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/fkp``, else ``~/.cache/fkp``.
    """
    explicit = os.environ.get("FKP_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "fkp"
