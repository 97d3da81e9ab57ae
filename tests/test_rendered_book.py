"""Build the book and look at every chapter page in headless Chromium.

Each chapter page must show its figures (tensor basics may have none) and no
error or stderr output; no page (chapters and ``book/*.md``) may show raw
Markdown: a table's ``| --- |`` separator row or a ``$$`` outside code, as a
``text/markdown`` output rendered as CommonMark does. Skipped, with the reason
shown, where Chromium is not installed (`apt-get install chromium`; `.ci/run`
installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
BOOK_PAGES = sorted(f"book/{p.stem}" for p in (ROOT / "book").glob("*.md"))
PAGES = [f"notebooks/{chapter}" for chapter in CHAPTERS] + BOOK_PAGES
CHROMIUM = next(
    (
        shutil.which(n)
        for n in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(n)
    ),
    None,
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed (apt-get install chromium): "
    "rendered pages not checked",
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
            if {"stderr", "traceback", "error"} & set(classes) or any(
                "traceback" in c for c in classes
            ):
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


class ProseText(HTMLParser):
    """The text a reader sees outside code: ``<pre>``, ``<code>``, scripts and styles
    left out."""

    SKIPPED = frozenset({"pre", "code", "script", "style"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


RAW_MARKDOWN = {
    # Sphinx's smart quotes turn an unparsed "---" into an em dash and "--" into an en
    # dash.
    "a Markdown table's separator row (| --- |)": re.compile(
        r"\|\s*:?[-\u2013\u2014]+:?\s*\|"
    ),
    "display maths left as $$": re.compile(r"\$\$"),
}


def raw_markdown(dom: str) -> list[str]:
    """What of ``RAW_MARKDOWN`` the page's prose shows, each with the text around it."""
    parser = ProseText()
    parser.feed(dom)
    text = "".join(parser.parts)
    found = []
    for what, pattern in RAW_MARKDOWN.items():
        match = pattern.search(text)
        if match:
            context = " ".join(
                text[max(0, match.start() - 80) : match.end() + 40].split()
            )
            found.append(f"{what}: ...{context}...")
    return found


def test_raw_markdown_is_found_outside_code_only():
    table = "<p>| Model | RMSE |\n| :--- | ---: |\n| cnn | 1.3 |</p>"
    assert len(raw_markdown(table)) == 1
    assert (
        len(raw_markdown("<p>| Model | RMSE |\n| :\u2014 | \u2014: |</p>")) == 1
    )  # as Sphinx renders it
    assert len(raw_markdown("<p>$$x^2$$</p>")) == 1
    assert (
        raw_markdown(
            "<pre>| --- | --- |\n$$</pre><p>a <code>| --- |</code></p>"
            "<script>x='$$'</script>"
        )
        == []
    )
    assert (
        raw_markdown(
            "<table><tr><th>Model</th></tr></table><div class='math'>\\[x^2\\]</div>"
        )
        == []
    )


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("book")
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        "--warningiserror",
        "--path-output",
        str(out),
        str(ROOT),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


def rendered_dom(page: Path, profile: Path) -> str:
    result = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def page_dom(
    built_book: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """``page_dom("notebooks/04_cnn")``: that page's DOM after Chromium ran it (each
    page loaded once)."""
    doms: dict[str, str] = {}

    def dom(page_name: str) -> str:
        if page_name not in doms:
            page = built_book / f"{page_name}.html"
            assert page.is_file(), (
                f"{page.name} was not built: is {page_name} in _toc.yml?"
            )
            doms[page_name] = rendered_dom(page, tmp_path_factory.mktemp("profile"))
        return doms[page_name]

    return dom


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_shows_figures_and_no_errors(
    built_book: Path, page_dom: Callable[[str], str], chapter: str
):
    page = built_book / "notebooks" / f"{chapter}.html"
    summary = PageSummary()
    summary.feed(page_dom(f"notebooks/{chapter}"))
    assert summary.headings, "no title rendered"
    assert summary.error_outputs == 0, "the page shows error or stderr output"
    if chapter != "01_tensor_basics":
        assert summary.output_images, "no figure on the page"
    for src in summary.output_images:
        if not re.match(r"^(data:|https?:)", src):
            assert (page.parent / src).is_file(), f"figure {src} missing from the build"


@pytest.mark.parametrize("page_name", PAGES)
def test_page_shows_no_raw_markdown(page_dom: Callable[[str], str], page_name: str):
    found = raw_markdown(page_dom(page_name))
    assert not found, "raw Markdown on the page: " + "; ".join(found)
