"""The book builds from the committed outputs with warnings as errors, and shows what readers need."""

import subprocess

import pytest

from tests.course_tool import ROOT, course

pytestmark = pytest.mark.slow


def test_book_builds_with_zero_warnings_and_hides_solutions(tmp_path):
    result = subprocess.run([str(c) for c in course.book_command(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "WARNING" not in log, log[-5000:]
    html = tmp_path / "_build" / "html"
    page = (html / "chapters" / "01_regression_losses.html").read_text()
    assert "Regression losses" in page and "Learning goals" in page
    assert 'class="solution dropdown' in page or "dropdown" in page.split("solution", 1)[1][:400]
    assert "<img" in page and "math" in page
    assert "Huber" in (html / "index.html").read_text() or "Regression losses" in (html / "index.html").read_text()
