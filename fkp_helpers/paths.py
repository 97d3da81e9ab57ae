"""Where the project keeps generated files: the stand-in dataset and parsed-data caches."""

from __future__ import annotations

import os
from pathlib import Path


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
