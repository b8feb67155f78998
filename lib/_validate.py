"""Argument checks shared by every `lib` module.

Each check raises :class:`ValueError` whose message names the argument and says what was expected, so that a
learner who passes the wrong thing learns which argument to fix.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import torch

REDUCTIONS = ("none", "mean", "sum")


def check_tensor(name: str, value) -> None:
    """Raise unless ``value`` is a ``torch.Tensor``."""
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"`{name}` must be a torch.Tensor, got {type(value).__name__}")


def check_floating(name: str, value) -> None:
    """Raise unless ``value`` is a floating-point ``torch.Tensor``."""
    check_tensor(name, value)
    if not value.is_floating_point():
        raise ValueError(
            f"`{name}` must be a floating-point tensor (e.g. torch.float32), got dtype {value.dtype}"
        )


def check_same_shape(input: torch.Tensor, target: torch.Tensor, names=("input", "target")) -> None:
    """Raise unless the two tensors have exactly the same shape (no broadcasting)."""
    if input.shape != target.shape:
        a, b = names
        raise ValueError(
            f"`{b}` must have the same shape as `{a}` ({tuple(input.shape)}), got {tuple(target.shape)}; "
            "shapes are not broadcast, because (N, 1) against (N,) would silently compare every pair"
        )


def check_same_dtype(input: torch.Tensor, target: torch.Tensor, names=("input", "target")) -> None:
    """Raise unless the two tensors share a dtype."""
    if input.dtype != target.dtype:
        a, b = names
        raise ValueError(f"`{b}` must have the same dtype as `{a}` ({input.dtype}), got {target.dtype}")


def check_pair(input, target) -> None:
    """The checks every elementwise loss makes: two floating tensors of one shape and one dtype."""
    check_floating("input", input)
    check_floating("target", target)
    check_same_shape(input, target)
    check_same_dtype(input, target)


def check_reduction(reduction) -> None:
    """Raise unless ``reduction`` is one of ``'none'``, ``'mean'``, ``'sum'``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply a torch-style reduction to an elementwise loss."""
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def check_number(name: str, value, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Raise unless ``value`` is a finite real number in the given interval; return it as a float.

    ``low_open=True`` excludes ``low`` itself (so ``low=0, low_open=True`` means "> 0").
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite real number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ValueError(f"`{name}` must be in {_interval(low, high, low_open, high_open)}, got {value!r}")
    return float(value)


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    """``[low, high]`` with round brackets at open ends; an infinite end is always open: ``[0, inf)``."""
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    return f"{left}{lo}, {hi}{right}"


def is_int(value) -> bool:
    """Whether ``value`` is an integer: a Python int or an integral NumPy scalar, but not a bool."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """Raise unless ``value`` is an int (a Python int or an integral NumPy scalar such as ``np.int64``; never a
    bool) in ``[low, high]``; return it as a Python int.

    The message says what was expected: "a positive int" (``low=1``), "a non-negative int" (``low=0``), or "an int
    in [low, high]".
    """
    if not is_int(value) or (low is not None and value < low) or (high is not None and value > high):
        if high is None and low == 1:
            expected = "a positive int"
        elif high is None and low == 0:
            expected = "a non-negative int"
        elif low is None and high is None:
            expected = "an int"
        else:
            expected = f"an int in {_interval(low, high, False, False)}"
        raise ValueError(f"`{name}` must be {expected}, got {value!r}")
    return int(value)


SEED_MAX = 2**64 - 1
"""The largest seed ``torch.manual_seed`` accepts."""


def check_seed(name: str, value) -> int:
    """Raise unless ``value`` is a seed ``torch.manual_seed`` takes: an int in [0, 2**64 - 1]; return it."""
    if not is_int(value) or not 0 <= value <= SEED_MAX:
        raise ValueError(f"`{name}` must be a non-negative int (at most 2**64 - 1), got {value!r}")
    return int(value)


def check_bool(name: str, value) -> bool:
    """Raise unless ``value`` is ``True`` or ``False`` (a NumPy bool too). Strings such as ``"False"`` or
    ``"no"`` are refused rather than read as true, which is what ``bool("False")`` would do."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def check_callable(name: str, value, expected: str) -> None:
    """Raise unless ``value`` is callable; ``expected`` says how it will be called, e.g. "fn(output, target)"."""
    if not callable(value):
        raise ValueError(f"`{name}` must be a callable {expected}, got {type(value).__name__}")


def check_device(name: str, value) -> torch.device:
    """``value`` (a ``torch.device`` or a name such as ``"cpu"``, ``"cuda:0"``) as a ``torch.device``."""
    try:
        return torch.device(value)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"`{name}` must be a torch.device or a name such as 'cpu' or 'cuda', got {value!r}") from error


def check_dtype_floating(name: str, value) -> torch.dtype:
    """Raise unless ``value`` is a floating-point ``torch.dtype`` (``torch.float32``, ``torch.float64``, ...)."""
    if not isinstance(value, torch.dtype) or not value.is_floating_point:
        raise ValueError(f"`{name}` must be a floating-point torch.dtype such as torch.float32, got {value!r}")
    return value
