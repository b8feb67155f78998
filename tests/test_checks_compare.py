"""lib.checks' shared comparison (compare.py): mismatch finds the first or the largest differing value, nan equal to
nan; max_difference, Differences and format_difference report a difference by its order of magnitude."""

import math

import pytest
import torch

from lib import checks, losses
from lib.checks.compare import mismatch


def test_mismatch_is_none_when_the_values_agree_nan_included():
    a = torch.tensor([1.0, math.nan, 3.0], dtype=torch.float64)
    assert mismatch(a, a.clone() + 1e-12, atol=1e-9, rtol=0) is None


def test_mismatch_reports_the_first_or_the_largest_difference_with_its_count():
    want = torch.zeros(2, 3, dtype=torch.float64)
    got = torch.tensor([[0.0, 0.1, 0.0], [5.0, 0.0, 0.0]], dtype=torch.float64)
    first = mismatch(got, want, atol=1e-9, rtol=0)
    largest = mismatch(got, want, atol=1e-9, rtol=0, largest=True)
    assert (first.count, first.total, first.index, first.got) == (2, 6, (0, 1), 0.1)
    assert (largest.index, largest.got, largest.want) == ((1, 0), 5.0, 0.0)
    assert largest.values() == "yours 5, expected 0"


def test_a_nan_where_a_number_is_expected_is_the_largest_difference():
    want = torch.zeros(3, dtype=torch.float64)
    got = torch.tensor([1.0, math.nan, 0.0], dtype=torch.float64)
    assert mismatch(got, want, atol=1e-9, rtol=0, largest=True).index == (1,)


def test_max_difference_is_zero_for_the_same_function_and_sees_value_and_gradient_errors():
    x, y = torch.randn(20, dtype=torch.float64), torch.randn(20, dtype=torch.float64)
    same = checks.max_difference(losses.mse_loss, losses.mse_loss, x, y)
    assert same.value == 0 and same.gradient == 0 and repr(same) == "max |difference|: value 0, gradient 0"
    off = checks.max_difference(lambda i, t: losses.mse_loss(i, t) + 1e-3, losses.mse_loss, x, y)
    assert off.value == pytest.approx(1e-3) and off.gradient == 0


def test_differences_are_reported_by_order_of_magnitude():
    assert repr(checks.Differences(3e-17, 2e-13)) == "max |difference|: value ≤ 1e-15, gradient ≤ 1e-12"
    assert repr(checks.Differences(0.5, 0.0)) == "max |difference|: value 5.00e-01, gradient 0"


def test_format_difference_buckets_round_off_and_shows_real_differences():
    assert [checks.format_difference(v) for v in (0.0, 3e-17, 2e-10, 0.25)] == ["0", "≤ 1e-15", "≤ 1e-09", "2.50e-01"]


def test_format_difference_with_a_floor_hides_round_off_below_it_including_zero():
    assert [checks.format_difference(v, floor=1e-12) for v in (0.0, 3e-16, 1e-12)] == ["≤ 1e-12"] * 3
    assert checks.format_difference(2e-10, floor=1e-12) == "≤ 1e-09"
    with pytest.raises(ValueError, match="`floor`"):
        checks.format_difference(1.0, floor=-1.0)
