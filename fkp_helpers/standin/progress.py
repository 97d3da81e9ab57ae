"""A tiny progress bar on stderr, without dependencies.

>>> with ProgressBar(total=8832, label="stand-in") as bar:  # doctest: +SKIP
...     bar.update(128)

draws ``stand-in [#######-------------]  35%  3072/8832  4.1s`` on one line that
it redraws in place. By default it is shown only when the stream is a terminal, so
logs, notebooks and tests stay clean; ``enabled=True`` forces it and
``enabled=False`` silences it.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

_WIDTH = 30  # characters in the bar itself
_MIN_INTERVAL_S = 0.1  # redraw at most this often (the final state is always drawn)


class ProgressBar:
    """Counts work done out of ``total`` and redraws one line on ``stream`` (default
    stderr)."""

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        if total < 0:
            raise ValueError(f"total must be >= 0, got {total}")
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self._stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._start = time.perf_counter()
        self._last_draw = float("-inf")
        self._drawn: int | None = None  # the count last drawn
        self._closed = False

    def update(self, n: int = 1) -> None:
        """Add ``n`` units of work done and redraw (at most ten times a second)."""
        self.done = min(self.total, self.done + n)
        now = time.perf_counter()
        if self.done >= self.total or now - self._last_draw >= _MIN_INTERVAL_S:
            self._draw(now)

    def close(self) -> None:
        """Draw the final state and end the line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            if self._drawn != self.done:
                self._draw(time.perf_counter())
            self._stream.write("\n")
            self._stream.flush()

    def render(self, elapsed_s: float) -> str:
        """The bar's text for the current count, e.g.
        ``label [####----]  50%  4/8  1.2s``."""
        fraction = self.done / self.total if self.total else 1.0
        filled = round(fraction * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        prefix = f"{self.label} " if self.label else ""
        return (
            f"{prefix}[{bar}] {fraction:4.0%}  {self.done}/{self.total}  "
            f"{elapsed_s:.1f}s"
        )

    def _draw(self, now: float) -> None:
        self._last_draw = now
        self._drawn = self.done
        if self.enabled:
            self._stream.write("\r" + self.render(now - self._start))
            self._stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
