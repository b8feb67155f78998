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

    tests/test_book.py and tests/test_api_reference.py read the same build, so it runs once.
    """
    import subprocess

    from tests.course_tool import ROOT, course

    course.prepare_book()
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run([str(c) for c in course.book_command(out)], cwd=ROOT, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    return out / "_build" / "html", log
