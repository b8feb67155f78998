"""lib.checks.check_value and check_choice (answers.py): a right answer passes; a wrong one says
which way and roughly how far it is off, never what the answer is."""

import re

import pytest
import torch

from lib import checks


def test_check_choice_explains_right_and_wrong_answers():
    explanations = {"mse": "outliers dominate", "huber": "robust and smooth"}
    assert "robust and smooth" in repr(checks.check_choice("huber", correct="huber", explanations=explanations))
    with pytest.raises(AssertionError, match="Not the best choice: outliers dominate"):
        checks.check_choice("mse", correct="huber", explanations=explanations)
    with pytest.raises(AssertionError, match="not one of the options"):
        checks.check_choice("l2", correct="huber", explanations=explanations)


def test_check_value_uses_a_relative_tolerance_and_shows_the_hint():
    assert "✓" in repr(checks.check_value(1.0004, 1.0, name="coverage"))
    with pytest.raises(AssertionError, match=r"coverage = 0.7 is too low by about 10% .* count both tails"):
        checks.check_value(torch.tensor(0.7), 0.8, name="coverage", hint="count both tails")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), torch.tensor(float("nan"))])
def test_check_value_fails_for_nan_and_inf(value):
    with pytest.raises(AssertionError, match="not a finite number"):
        checks.check_value(value, 0.8, name="coverage")


@pytest.mark.parametrize(
    ("value", "expected", "says"),
    [(0.7, 0.8123, "too low by about 10%"), (0.9, 0.8123, "too high by about 10%"),
     (0.84, 0.8123, "too high by about 3%"), (8.0, 0.8123, "too high: about 10 times"),
     (0.1, 0.8123, "too low: about 1/8 of"), (-0.8, 0.8123, "wrong sign"), (0.0, 0.8123, "the answer is not 0"),
     (0.5, 0.0, "coverage = 0.5 is too high")],
)  # fmt: skip
def test_check_value_says_too_high_or_too_low_and_never_shows_the_expected_number(value, expected, says):
    with pytest.raises(AssertionError) as failure:
        checks.check_value(value, expected, name="coverage")
    assert says in str(failure.value)
    assert "expected" not in str(failure.value) and "0.8123" not in str(failure.value)
    passed = repr(checks.check_value(0.81231, 0.8123, name="coverage"))
    assert passed.startswith("✓ coverage = 0.81231 (within") and "0.8123 " not in passed and "expected" not in passed


@pytest.mark.parametrize(("rtol", "shown"), [(1e-3, "±0.1%"), (1e-4, "±0.01%"), (2e-2, "±2%"), (0.5, "±50%")])
def test_check_value_shows_small_tolerances_without_rounding_them_to_zero(rtol, shown):
    assert shown in repr(checks.check_value(1.0, 1.0, name="x", rtol=rtol))
    with pytest.raises(AssertionError, match=f"tolerance {shown}"):
        checks.check_value(3.0, 1.0, name="x", rtol=rtol)


@pytest.mark.parametrize(("value", "says"), [(torch.ones(2), "should be one number, got a tensor of shape (2,)"),
                                             ("0.8", "should be a number, got str"), (None, "got NoneType"),
                                             (True, "should be a number, got bool")])
def test_check_value_says_what_the_learner_gave_when_it_is_not_one_number(value, says):
    for call in (lambda: checks.check_value(value, 0.8, name="coverage"),
                 lambda: checks.check_value(value, name="coverage", sealed=checks.seal_value(0.8))):
        with pytest.raises(AssertionError, match=re.escape(says)):
            call()
