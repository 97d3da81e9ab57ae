"""Run-wide switches read from the environment."""

from __future__ import annotations

import os


def quick_mode() -> bool:
    """True when ``$FKP_QUICK`` is ``1``, ``true`` or ``yes``.

    The notebooks then train on fewer rows for fewer epochs, so the whole book
    runs under the test suite in minutes; their stored outputs come from a full
    run (``FKP_QUICK`` unset).
    """
    return os.environ.get("FKP_QUICK", "").strip().lower() in {"1", "true", "yes"}
