"""Every chapter: its .ipynb and py:percent pair agree, and it has the book's sections
and links."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REQUIRED_HEADINGS = (
    "## Overview",
    "## Prerequisites",
    "## Setup",
    "## Summary",
    "## What's next",
    "## Exercises",
)


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
        f"{notebook.name} and {pair.name} differ: edit the .py, then run `make sync` "
        "and re-run the notebook"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_structure(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    markdown = "\n".join(
        cell.source for cell in nb.cells if cell.cell_type == "markdown"
    )
    markdown = re.sub(
        r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL
    )  # code in the prose
    titles = re.findall(r"^# \S.*$", markdown, flags=re.MULTILINE)
    assert len(titles) == 1, f"expected one H1 title, found {titles}"
    for heading in REQUIRED_HEADINGS:
        assert re.search(rf"^{re.escape(heading)}\s*$", markdown, flags=re.MULTILINE), (
            f"missing {heading!r}"
        )
    assert "**Time to learn**" in markdown
    colab = f"https://colab.research.google.com/github/{repository_url().split('github.com/')[1]}/blob/main/notebooks/{notebook.name}"
    assert colab in markdown, f"the Open-in-Colab link must be {colab}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_complete(notebook: Path):
    """Outputs come from one full top-to-bottom run: every code cell ran, in order,
    without errors."""
    nb = nbformat.read(notebook, as_version=4)
    counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        "re-run the notebook from the top (make outputs)"
    )
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], (
                cell.source[:80]
            )
            assert not [o for o in cell.outputs if o.get("name") == "stderr"], (
                cell.source[:80]
            )


EXERCISE = re.compile(r"\*\*Exercise (\d+)\.\*\*")
CODE_LINE_LIMIT = 88  # characters of the rendered code box


def without_fenced_blocks(markdown: str) -> str:
    """``markdown`` without its fenced blocks (code, admonitions), so that their
    ``#`` lines are not taken for headings."""
    return re.sub(r"^(`{3,}).*?^\1\s*$", "", markdown, flags=re.MULTILINE | re.DOTALL)


def has_heading(cell: nbformat.NotebookNode, pattern: str) -> bool:
    """Whether a markdown cell holds a heading line matching ``pattern``."""
    if cell.cell_type != "markdown":
        return False
    prose = without_fenced_blocks(cell.source)
    return re.search(pattern, prose, flags=re.MULTILINE) is not None


def exercise_section(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The cells after the ``## Exercises`` cell, up to the next H1 or H2 heading."""
    starts = [
        i for i, cell in enumerate(nb.cells) if has_heading(cell, r"^## Exercises\s*$")
    ]
    assert len(starts) == 1, f"expected one '## Exercises' heading, found {len(starts)}"
    section = []
    for cell in nb.cells[starts[0] + 1 :]:
        if has_heading(cell, r"^##? \S"):
            break
        section.append(cell)
    return section


def is_solution(cell: nbformat.NotebookNode, number: int) -> bool:
    """A markdown cell holding a dropdown admonition ``Solution N``, or a code cell
    tagged ``hide-cell`` whose first line is ``# Solution to exercise N``."""
    lines = cell.source.strip().splitlines()
    if not lines:
        return False
    if cell.cell_type == "markdown":
        title = rf"(`{{3,}})\{{admonition\}} Solution {number}\s*"
        opening = re.fullmatch(title, lines[0])
        return (
            opening is not None
            and ":class: dropdown" in (line.strip() for line in lines[1:])
            and lines[-1].strip() == opening.group(1)
        )
    return (
        cell.cell_type == "code"
        and "hide-cell" in cell.metadata.get("tags", [])
        and lines[0].rstrip() == f"# Solution to exercise {number}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_worked_solution(notebook: Path):
    """Each ``**Exercise N.**`` cell of ``## Exercises`` is directly followed by its
    solution, and the exercises are numbered 1..k with k >= 1."""
    section = exercise_section(nbformat.read(notebook, as_version=4))
    numbers = []
    for i, cell in enumerate(section):
        match = EXERCISE.match(cell.source.strip())
        if cell.cell_type != "markdown" or match is None:
            continue
        number = int(match.group(1))
        numbers.append(number)
        following = section[i + 1] if i + 1 < len(section) else None
        assert following is not None and is_solution(following, number), (
            f"Exercise {number} must be followed directly by its solution: a markdown "
            f"cell '```{{admonition}} Solution {number}' with ':class: dropdown', or a "
            f"code cell tagged hide-cell whose first line is "
            f"'# Solution to exercise {number}'"
        )
    assert numbers, "no '**Exercise N.**' cells in '## Exercises' (one cell each)"
    expected = list(range(1, len(numbers) + 1))
    assert numbers == expected, f"exercises numbered {numbers}, expected {expected}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(notebook: Path):
    """No code line is wider than the rendered code box (no sideways scrolling)."""
    nb = nbformat.read(notebook, as_version=4)
    too_long = [
        f"cell {index}: {len(line)} characters: {line[:60]}"
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > CODE_LINE_LIMIT
    ]
    limit = f"code lines over {CODE_LINE_LIMIT} characters"
    assert not too_long, limit + ":\n" + "\n".join(too_long)
