"""Benchmark result pages (``benchmarks/results/*.md``) shown inside a chapter."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{1,4}) ", flags=re.MULTILINE)


def nested_markdown(path: str | Path, levels: int = 2) -> str:
    """The Markdown file at ``path`` with every heading ``levels`` deeper (``#`` → ``###`` by default).

    A results page starts with its own ``#`` title; shown as is inside a
    chapter, it would become a second page title. Raises ``FileNotFoundError``
    if there is no such file.
    """
    if levels < 0:
        raise ValueError(f"levels must be 0 or more, got {levels}")
    text = Path(path).read_text(encoding="utf-8")
    return _HEADING.sub(lambda match: "#" * (len(match.group(1)) + levels) + " ", text)
