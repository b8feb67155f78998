"""The book builds from the committed outputs with warnings as errors, shows what readers need, and needs no network:
every script, stylesheet, font and image comes from the book itself, and a real browser typesets its math offline.

The book is built once per test session (``built_book`` in tests/conftest.py) and every test here reads that build.
"""

import re
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser

import pytest

from tests.course_tool import ROOT

pytestmark = pytest.mark.slow

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
SCREENSHOT = ROOT / "_build" / "screenshots" / "01_regression_losses.png"  # for a human to look at


@pytest.fixture(scope="module")
def book(built_book):
    """(the built book's html folder, the build's log): the test session's one build (``built_book`` in
    tests/conftest.py), which tests/test_api_reference.py reads too."""
    return built_book


def test_book_builds_with_zero_warnings_hides_solutions_and_hidden_tests_and_shows_points(book):
    html, log = book
    assert "WARNING" not in log, log[-5000:]
    page = (html / "chapters" / "01_regression_losses.html").read_text()
    assert "Regression losses" in page and "Learning goals" in page
    assert page.count('class="solution dropdown admonition"') >= 3  # solutions collapsed until clicked
    assert "<img" in page and "math" in page
    intro = (html / "intro.html").read_text()
    assert "Regression losses" in intro and "colab.research.google.com" in page and "mybinder.org" in page
    for chapter in sorted((html / "chapters").glob("*.html")):
        text = chapter.read_text()
        assert "HIDDEN TESTS" not in text, f"{chapter.name} shows hidden tests (tag the cell remove-cell)"
        assert "points)" in text, f"{chapter.name} does not show the exercises' points"
    assert "Teaching with this course" in (html / "teaching.html").read_text()


class _Resources(HTMLParser):
    """What a page loads by itself: scripts, stylesheets, preloads, icons, images (links to click are not loaded)."""

    LOADED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon", "manifest"}

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and set((attrs.get("rel") or "").lower().split()) & self.LOADED_RELS:
            self.urls.append(attrs.get("href") or "")


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.IGNORECASE))


def test_every_page_loads_its_scripts_stylesheets_icons_and_images_from_the_book_itself(book):
    html, _ = book
    remote = {}
    pages = [page for page in sorted(html.rglob("*.html")) if "_static" not in page.relative_to(html).parts]
    assert len(pages) >= 8, pages
    for page in pages:
        parser = _Resources()
        parser.feed(page.read_text())
        assert parser.urls or page.name == "index.html", f"{page.name}: no resources found: is the parser wrong?"
        for url in parser.urls:
            if _is_remote(url):
                remote.setdefault(url, page.relative_to(html).as_posix())
            elif not url.startswith("data:"):
                target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
                assert target.is_file(), f"{page.name} loads {url}, which the book does not contain"
    assert not remote, f"loaded from the network: {remote}"
    for sheet in html.rglob("*.css"):  # fonts and @imports inside the stylesheets
        urls = re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", sheet.read_text(errors="replace"))
        assert not [u for u in urls if _is_remote(u)], f"{sheet.relative_to(html)} loads {urls}"
    chapter = (html / "chapters" / "01_regression_losses.html").read_text()
    assert re.search(r'<script[^>]+src="\.\./_static/mathjax/tex-mml-chtml\.js', chapter), "MathJax is not local"


def _browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _headless(browser: str, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with every name lookup failing, so that only the book's own files can load."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-quic",
             "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", "--hide-scrollbars",
             "--virtual-time-budget=20000", *args], capture_output=True, text=True, timeout=120)


def test_a_browser_without_network_typesets_the_math_of_a_chapter(book):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium or Chrome installed, so the offline typesetting of the book's math is not checked "
                    "(Debian/Ubuntu: `sudo apt-get install chromium`)")
    html, _ = book
    page = (html / "chapters" / "01_regression_losses.html").as_uri()
    start = time.perf_counter()
    dom = _headless(browser, "--dump-dom", page).stdout
    text = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.DOTALL)  # what the reader sees
    formulas = (html / "chapters" / "01_regression_losses.html").read_text().count('class="math notranslate')
    typeset = dom.count("<mjx-container")
    assert formulas >= 20 and typeset >= formulas, f"MathJax typeset {typeset} of {formulas} formulas"
    assert "\\(" not in text and "\\[" not in text, "raw TeX is left on the page"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    _headless(browser, f"--screenshot={SCREENSHOT}", "--window-size=1200,1800", page)
    assert SCREENSHOT.stat().st_size > 20_000, "the screenshot is empty"
    print(f"{typeset} formulas typeset offline in {time.perf_counter() - start:.1f} s; screenshot: {SCREENSHOT}")
