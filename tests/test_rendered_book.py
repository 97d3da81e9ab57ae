"""Build the book and look at every chapter page in headless Chromium.

Each chapter page must show its figures (tensor basics may have none) and no
error or stderr output. Skipped, with the reason shown, where Chromium is not
installed (`apt-get install chromium`; `.ci/run` installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not installed (apt-get install chromium): rendered pages not checked"
)


class PageSummary(HTMLParser):
    """Counts what matters on a rendered Jupyter Book page."""

    def __init__(self) -> None:
        super().__init__()
        self.output_images: list[str] = []
        self.error_outputs = 0
        self.headings: list[str] = []
        self._in_output = 0
        self._depth = 0
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "cell_output" in classes:
                self._in_output = self._depth
            if {"stderr", "traceback", "error"} & set(classes) or any("traceback" in c for c in classes):
                self.error_outputs += 1
        if tag == "img" and self._in_output:
            self.output_images.append(dict(attrs).get("src") or "")
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self._in_output == self._depth:
                self._in_output = 0
            self._depth -= 1
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1 and data.strip():
            self.headings.append(data.strip())


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("book")
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", "--warningiserror", "--path-output",
               str(out), str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


def rendered_dom(page: Path, profile: Path) -> str:
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_shows_figures_and_no_errors(built_book: Path, chapter: str, tmp_path: Path):
    page = built_book / "notebooks" / f"{chapter}.html"
    assert page.is_file(), f"{page.name} was not built: is {chapter} in _toc.yml?"
    summary = PageSummary()
    summary.feed(rendered_dom(page, tmp_path / "profile"))
    assert summary.headings, "no title rendered"
    assert summary.error_outputs == 0, "the page shows error or stderr output"
    if chapter != "01_tensor_basics":
        assert summary.output_images, "no figure on the page"
    for src in summary.output_images:
        if not re.match(r"^(data:|https?:)", src):
            assert (page.parent / src).is_file(), f"figure {src} missing from the build"
