"""A pytest plugin: how long each notebook took under nbval (kernel start included), as a table at the end."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

BUDGET_S = 30.0
_start: dict[str, float] = {}
_elapsed: dict[str, float] = defaultdict(float)


def _notebook(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".ipynb") else None


def pytest_runtest_logstart(nodeid, location):
    notebook = _notebook(nodeid)
    if notebook is not None:
        _start[nodeid] = time.perf_counter()


def pytest_runtest_logfinish(nodeid, location):
    notebook = _notebook(nodeid)
    if notebook is not None and nodeid in _start:
        _elapsed[notebook] += time.perf_counter() - _start.pop(nodeid)


def pytest_terminal_summary(terminalreporter):
    if not _elapsed:
        return
    terminalreporter.section("notebook execution time")
    for notebook, seconds in sorted(_elapsed.items()):
        verdict = "ok" if seconds <= BUDGET_S else f"OVER THE {BUDGET_S:.0f} s BUDGET"
        terminalreporter.write_line(f"{seconds:7.1f} s  {Path(notebook).name:45s} {verdict}")
