"""Result tables for notebooks: plain text for tests and terminals, HTML for the book."""

from __future__ import annotations

import html
from collections.abc import Sequence
from numbers import Real

import numpy as np

from lib._validate import check_int


def _cell(value, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    return f"{value:.{digits}f}"


def _is_sequence(value) -> bool:
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str)


class Table:
    """A small table. ``repr`` is aligned plain text; Jupyter and the book show the HTML version."""

    def __init__(self, rows: Sequence[Sequence], *, headers: Sequence[str], digits: int = 3, title: str = ""):
        if not _is_sequence(headers) or not headers or not all(isinstance(h, str) for h in headers):
            raise ValueError(f"`headers` must be a non-empty list of strings, got {headers!r}")
        if not _is_sequence(rows) or not all(_is_sequence(row) for row in rows):
            raise ValueError(f"`rows` must be a list of rows, each a list of cells, got {rows!r}")
        if any(len(row) != len(headers) for row in rows):
            raise ValueError(f"`rows` must each have len(headers) = {len(headers)} entries")
        check_int("digits", digits, low=0)
        if not isinstance(title, str):
            raise ValueError(f"`title` must be a string, got {title!r}")
        self.headers = [str(h) for h in headers]
        self.cells = [[_cell(v, digits) for v in row] for row in rows]
        self.title = title

    def __repr__(self) -> str:
        widths = [max(len(r[i]) for r in [self.headers, *self.cells]) for i in range(len(self.headers))]
        lines = [self.title] if self.title else []
        lines.append("  ".join(h.ljust(w) for h, w in zip(self.headers, widths)))
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
                  for row in self.cells]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.cells)
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
