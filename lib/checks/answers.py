"""Checks of a single answer: a number a learner computed (:func:`check_value`) or a multiple-choice pick
(:func:`check_choice`). Neither message gives the expected answer away.

Each has two forms. The plain one (``expected=``, ``correct=`` with ``explanations=``) holds the answer in the
call: it belongs in an exercise's hidden tests. The sealed one (``sealed=`` a string from
:func:`~lib.checks.sealed.seal_value` or :func:`~lib.checks.sealed.seal_choice`) holds only digests: it belongs
in the public check that learners see.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch

from lib._validate import check_number
from lib.checks.compare import CheckResult
from lib.checks.sealed import open_choice, open_value

_UNSET = object()


def check_choice(answer, *, correct=_UNSET, explanations: Mapping | None = None, sealed: str | None = None):
    """A multiple-choice check. Plain form: ``explanations`` maps every option to why it is (or is not) the best
    one and ``correct`` names the best. Sealed form: ``sealed`` from ``seal_choice(correct, explanations)``.
    A wrong pick shows the explanation of that pick; a right one shows its own."""
    if sealed is not None:
        if correct is not _UNSET or explanations is not None:
            raise ValueError("give either `sealed` or `correct` with `explanations`, not both")
        right, note = open_choice(answer, sealed)
    else:
        if not isinstance(explanations, Mapping):
            raise ValueError(f"`explanations` must be a dict from each option to why it is (not) the best one, "
                             f"got {type(explanations).__name__}")
        if correct is _UNSET or correct not in explanations:
            shown = "nothing" if correct is _UNSET else repr(correct)
            raise ValueError(f"`correct` must be one of the options in `explanations` "
                             f"{sorted(map(str, explanations))}, got {shown}")
        if answer not in explanations:
            raise AssertionError(f"Your answer {answer!r} is not one of the options {sorted(map(str, explanations))}.")
        right, note = answer == correct, explanations[answer]
    if not right:
        raise AssertionError(f"Not the best choice: {note}")
    return CheckResult(f"✓ Right: {note}")


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


def _learner_number(value, name: str, hint: str) -> float:
    """``value`` (a number or a one-element tensor) as a finite float; an AssertionError saying what it is not."""
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        raise AssertionError(f"{name} should be one number, got a tensor of shape {tuple(value.shape)}.")
    if isinstance(value, (str, bytes, bool)):  # float("0.8") and float(True) would pass as numbers
        raise AssertionError(f"{name} should be a number, got {type(value).__name__}.")
    try:
        value = float(value.item() if isinstance(value, torch.Tensor) else value)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"{name} should be a number, got {type(value).__name__}.") from error
    if not math.isfinite(value):
        raise AssertionError(f"{name} = {value}, not a finite number: look for a division by zero, a log of 0 or "
                             f"an overflow. {hint}".rstrip())
    return value


def check_value(value, expected: float | None = None, *, name: str, rtol: float = 1e-3, atol: float = 0.0,
                hint: str = "", sealed: str | None = None):
    """Check a number a learner computed (``value``); ``hint`` is shown when it is wrong.

    Plain form: compared with ``expected`` within ``rtol``/``atol``; a failure says whether ``value`` is too high
    or too low and roughly by how much (relative). Sealed form: ``sealed`` from ``seal_value(expected, digits=...)``;
    ``value`` must round to the same significant digits, and a failure names a known mistake (a sealed one, a
    factor of 2 or 10, the sign) when it recognises one. Neither form shows ``expected``; nan and ±inf always fail.
    """
    if not isinstance(name, str):
        raise ValueError(f"`name` must be a str, got {type(name).__name__}")
    if not isinstance(hint, str):
        raise ValueError(f"`hint` must be a str, got {type(hint).__name__}")
    if sealed is not None:
        if expected is not None:
            raise ValueError("give either `expected` or `sealed`, not both")
        value = _learner_number(value, name, hint)
        right, digits, wrong = open_value(value, sealed)
        if not right:
            raise AssertionError(f"{name} = {value:.6g} {wrong or 'is not the answer'} (compared to {digits} "
                                 f"significant digits). {hint}".rstrip())
        return CheckResult(f"✓ {name} = {value:.6g} (right to {digits} significant digits).")
    if expected is None:
        raise ValueError("give `expected` (a number) or `sealed` (a string from lib.checks.seal_value)")
    expected = check_number("expected", expected)
    rtol, atol = check_number("rtol", rtol, low=0), check_number("atol", atol, low=0)
    value = _learner_number(value, name, hint)
    if abs(value - expected) > atol + rtol * abs(expected):
        raise AssertionError(f"{name} = {value:.6g} {_miss(value, expected)} "
                             f"(tolerance {_tolerance(rtol, atol)}). {hint}".rstrip())
    return CheckResult(f"✓ {name} = {value:.6g} (within {_tolerance(rtol, atol)} of the reference).")
