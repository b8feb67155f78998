"""The book builds from the committed outputs with warnings as errors, and shows what readers need."""

import pytest

pytestmark = pytest.mark.slow


def test_book_builds_with_zero_warnings_hides_solutions_and_hidden_tests_and_shows_points(built_book):
    html, _ = built_book  # the fixture (tests/conftest.py) builds with -W -n and fails on any warning
    page = (html / "chapters" / "01_regression_losses.html").read_text()
    assert "Regression losses" in page and "Learning goals" in page
    assert page.count('class="solution dropdown admonition"') >= 3  # solutions collapsed until clicked
    assert "<img" in page and "math" in page
    intro = (html / "intro.html").read_text()
    assert "Regression losses" in intro and "colab.research.google.com" in page
    for chapter in sorted((html / "chapters").glob("*.html")):
        text = chapter.read_text()
        assert "HIDDEN TESTS" not in text, f"{chapter.name} shows hidden tests (tag the cell remove-cell)"
        assert "points)" in text, f"{chapter.name} does not show the exercises' points"
    assert "Teaching with this course" in (html / "teaching.html").read_text()
