"""Checks of a single answer: a number a learner computed (:func:`check_value`) or a multiple-choice pick
(:func:`check_choice`). Neither message gives the expected answer away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch

from lib._validate import check_number
from lib.checks.compare import CheckResult


def check_choice(answer, *, correct, explanations: Mapping) -> CheckResult:
    """A multiple-choice check: ``explanations`` maps every option to why it is (or is not) the best one."""
    if not isinstance(explanations, Mapping):
        raise ValueError(f"`explanations` must be a dict from each option to why it is (not) the best one, "
                         f"got {type(explanations).__name__}")
    if correct not in explanations:
        raise ValueError(f"`correct` must be one of the options in `explanations` {sorted(map(str, explanations))}, "
                         f"got {correct!r}")
    if answer not in explanations:
        raise AssertionError(f"Your answer {answer!r} is not one of the options {sorted(map(str, explanations))}.")
    if answer != correct:
        raise AssertionError(f"Not the best choice: {explanations[answer]}")
    return CheckResult(f"✓ Right: {explanations[answer]}")


def _one_digit(x: float) -> str:
    """``x`` > 0 rounded to one significant digit: 0.034 → "0.03", 12.3 → "10", 2.6 → "3"."""
    return f"{round(x, -math.floor(math.log10(x))):g}"


def _tolerance(rtol: float, atol: float) -> str:
    """``±0.1%`` (two significant digits, so that 0.1 % does not read ±0%), with ``atol`` when there is one."""
    relative = f"±{100 * rtol:.2g}%"
    return f"{relative} or ±{atol:g}" if atol > 0 else relative


def _miss(value: float, expected: float) -> str:
    """Which way ``value`` misses ``expected`` and roughly by how much, without giving ``expected`` away."""
    direction = "too high" if value > expected else "too low"
    if expected == 0:
        return f"is {direction}"
    if value == 0:
        return "is wrong: the answer is not 0"
    if (value > 0) != (expected > 0):
        return "has the wrong sign"
    ratio = value / expected
    if ratio >= 2:
        return f"is {direction}: about {_one_digit(ratio)} times the size of the answer"
    if ratio <= 0.5:
        return f"is {direction}: about 1/{_one_digit(1 / ratio)} of the size of the answer"
    return f"is {direction} by about {_one_digit(100 * abs(ratio - 1))}%"


def check_value(value, expected: float, *, name: str, rtol: float = 1e-3, atol: float = 0.0, hint: str = ""):
    """Check a number a learner computed (``value``) against ``expected``; ``hint`` is shown when it differs.

    The messages never show ``expected``: a failure says whether ``value`` is too high or too low and roughly by
    how much (relative), a success says within which tolerance. nan and ±inf always fail.
    """
    if not isinstance(name, str):
        raise ValueError(f"`name` must be a str, got {type(name).__name__}")
    expected = check_number("expected", expected)
    rtol, atol = check_number("rtol", rtol, low=0), check_number("atol", atol, low=0)
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        raise AssertionError(f"{name} should be one number, got a tensor of shape {tuple(value.shape)}.")
    try:
        value = float(value.item() if isinstance(value, torch.Tensor) else value)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"{name} should be a number, got {type(value).__name__}.") from error
    if not math.isfinite(value):
        raise AssertionError(f"{name} = {value}, not a finite number: look for a division by zero, a log of 0 or "
                             f"an overflow. {hint}".rstrip())
    if abs(value - expected) > atol + rtol * abs(expected):
        raise AssertionError(f"{name} = {value:.6g} {_miss(value, expected)} "
                             f"(tolerance {_tolerance(rtol, atol)}). {hint}".rstrip())
    return CheckResult(f"✓ {name} = {value:.6g} (within {_tolerance(rtol, atol)} of the reference).")
