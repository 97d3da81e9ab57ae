"""Every chapter: its .ipynb and py:percent pair agree, and it has the book's sections and links."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REQUIRED_HEADINGS = ("## Overview", "## Prerequisites", "## Setup", "## Summary", "## What's next", "## Exercises")


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_ipynb_and_py_are_in_sync(notebook: Path):
    pair = notebook.with_suffix(".py")
    assert pair.is_file(), f"{pair.name} is missing: run `make sync`"
    expected = jupytext.writes(jupytext.read(notebook), fmt="py:percent")
    assert pair.read_text(encoding="utf-8") == expected, (
        f"{notebook.name} and {pair.name} differ: edit the .py, then run `make sync` and re-run the notebook"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_structure(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)  # code in the prose
    titles = re.findall(r"^# \S.*$", markdown, flags=re.MULTILINE)
    assert len(titles) == 1, f"expected one H1 title, found {titles}"
    for heading in REQUIRED_HEADINGS:
        assert re.search(rf"^{re.escape(heading)}\s*$", markdown, flags=re.MULTILINE), f"missing {heading!r}"
    assert "**Time to learn**" in markdown
    colab = f"https://colab.research.google.com/github/{repository_url().split('github.com/')[1]}/blob/main/notebooks/{notebook.name}"
    assert colab in markdown, f"the Open-in-Colab link must be {colab}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_complete(notebook: Path):
    """Outputs come from one full top-to-bottom run: every code cell ran, in order, without errors."""
    nb = nbformat.read(notebook, as_version=4)
    counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook from the top (make outputs)"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
            assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.source[:80]
