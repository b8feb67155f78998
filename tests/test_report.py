"""lib.report.Table: aligned text, escaped HTML, fixed rounding, and clear errors."""

import pytest

from lib.report import Table


def test_text_is_aligned_and_numbers_are_rounded_to_the_requested_digits():
    table = Table([["mse", 0.12345, 2], ["huber", 10.5, 3]], headers=["loss", "error", "n"], digits=2)
    lines = repr(table).splitlines()
    assert lines[0].split() == ["loss", "error", "n"]
    assert lines[2].split() == ["mse", "0.12", "2.00"] and lines[3].split() == ["huber", "10.50", "3.00"]
    assert len({len(line) for line in lines}) == 1  # every line padded to the same width


def test_html_escapes_text_and_has_a_caption():
    html = Table([["<b>", 1.0]], headers=["a&b", "x"], title="T")._repr_html_()
    assert "&lt;b&gt;" in html and "a&amp;b" in html and "<caption>T</caption>" in html


def test_a_row_of_the_wrong_length_is_rejected():
    with pytest.raises(ValueError, match="`rows`"):
        Table([[1, 2, 3]], headers=["a", "b"])
