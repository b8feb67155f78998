"""lib._validate: the shared argument checks accept what they promise and name the argument when they refuse."""

import numpy as np
import pytest
import torch

from lib._validate import check_bool, check_int, check_number, check_seed


@pytest.mark.parametrize("value", [0, 3, np.int64(3), np.int32(3), np.uint8(3)])
def test_check_int_accepts_python_and_numpy_ints_and_returns_a_python_int(value):
    result = check_int("n", value, low=0)
    assert result == int(value) and type(result) is int


@pytest.mark.parametrize("value", [True, False, np.bool_(True), 1.0, np.float64(1.0), "1", None, torch.tensor(1)])
def test_check_int_refuses_bools_floats_strings_and_tensors(value):
    with pytest.raises(ValueError, match="`n` must be an int"):
        check_int("n", value)


@pytest.mark.parametrize(
    ("bounds", "value", "message"),
    [
        ({"low": 1}, 0, "`n` must be a positive int, got 0"),
        ({"low": 0}, -1, "`n` must be a non-negative int, got -1"),
        ({"low": 2}, 1, r"`n` must be an int in \[2, inf\), got 1"),
        ({"low": 0, "high": 3}, 4, r"`n` must be an int in \[0, 3\], got 4"),
    ],
)
def test_check_int_says_which_interval_it_wanted(bounds, value, message):
    with pytest.raises(ValueError, match=message):
        check_int("n", value, **bounds)


def test_an_unbounded_interval_is_written_with_an_open_end():
    with pytest.raises(ValueError, match=r"`x` must be in \[0, inf\), got -1"):
        check_number("x", -1, low=0)
    with pytest.raises(ValueError, match=r"`x` must be in \(-inf, 1\], got 2"):
        check_number("x", 2, high=1)


@pytest.mark.parametrize("value", ["False", "no", 0, 1, None, np.int64(1)])
def test_check_bool_refuses_strings_and_numbers_that_are_truthy_or_falsy(value):
    with pytest.raises(ValueError, match="`flag` must be True or False"):
        check_bool("flag", value)


def test_check_bool_accepts_python_and_numpy_bools():
    assert check_bool("flag", np.bool_(False)) is False and check_bool("flag", True) is True


@pytest.mark.parametrize("value", [-1, 2**64, 0.5, True])
def test_check_seed_refuses_what_torch_manual_seed_cannot_take(value):
    with pytest.raises(ValueError, match="`seed` must be a non-negative int"):
        check_seed("seed", value)
