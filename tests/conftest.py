"""Shared fixtures for the plot tests: a non-interactive backend and a fresh Axes that is closed afterwards."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The strict book build (``course.py book``'s command: -W -n), run once per test session: (html folder, log).

    Several test files read the same build (the book's pages, the API reference, the glossary), so it runs once.
    """
    import subprocess

    from tests.course_tool import ROOT, course

    build_dir = tmp_path_factory.mktemp("book")
    result = subprocess.run([str(c) for c in course.book_command(build_dir)], cwd=ROOT, capture_output=True,
                            text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "WARNING" not in log, log[-5000:]
    return build_dir / "_build" / "html", log
