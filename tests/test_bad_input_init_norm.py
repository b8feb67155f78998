"""Bad input to lib.init and lib.norm, one row per mistake.

Every row calls a function with one wrong argument and expects a ``ValueError`` (or ``TypeError``) whose message
names that argument: never an error from deep inside torch, never a silently accepted value.
"""

from __future__ import annotations

import pytest
import torch

from lib import init

NAN = float("nan")


def w(*shape, dtype=torch.float32):
    return torch.empty(shape, dtype=dtype)


def row(id, call, match, error=ValueError):
    """``call`` is a thunk, so that the inputs are built when the row runs, not when the module is collected."""
    return pytest.param(call, error, match, id=id)


# ----- lib.init -----------------------------------------------------------------------------------------------

INITS = {name: getattr(init, name) for name in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                                 "kaiming_normal_")}
TENSOR_MISTAKES = {
    "0-d tensor": (lambda: torch.tensor(1.0), "`tensor` must have at least 2 dimensions"),
    "1-d tensor": (lambda: w(5), "`tensor` must have at least 2 dimensions"),
    "a list": (lambda: [[0.0, 1.0]], "`tensor` must be a torch.Tensor"),
    "int64 tensor": (lambda: w(3, 2, dtype=torch.int64), "`tensor` must be a floating-point tensor"),
}
ROWS = [
    row(f"{name}: {mistake}", (lambda f=f, make=make: f(make())), match)
    for name, f in INITS.items()
    for mistake, (make, match) in TENSOR_MISTAKES.items()
]
ROWS += [
    row(f"{name}: generator {bad!r}", (lambda f=f, bad=bad: f(w(3, 2), generator=bad)), "`generator` must be",
        TypeError)
    for name, f in INITS.items()
    for bad in (0, "cpu", torch.Generator)
]
ROWS += [
    row(f"{name}: gain={gain!r}", (lambda f=f, gain=gain: f(w(3, 2), gain=gain)), "`gain` must be")
    for name, f in list(INITS.items())[:2]
    for gain in (-1.0, NAN, float("inf"), "1", None, True)
]
ROWS += [
    row(f"{name}: mode={mode!r}", (lambda f=f, mode=mode: f(w(3, 2), mode=mode)), "`mode` must be one of")
    for name, f in list(INITS.items())[2:]
    for mode in ("fan_avg", "in", None, 1)
]
ROWS += [
    row(f"{name}: nonlinearity={bad!r}", (lambda f=f, bad=bad: f(w(3, 2), nonlinearity=bad)),
        "`nonlinearity` must be one of")
    for name, f in list(INITS.items())[2:]
    for bad in ("ReLU", "gelu", "softmax", None, torch.relu)
]
ROWS += [
    row(f"{name}: a={a!r}", (lambda f=f, a=a: f(w(3, 2), a=a)), "`a` must be")
    for name, f in list(INITS.items())[2:]
    for a in (None, "0.1", NAN, True)
]
ROWS += [
    row(f"calculate_gain: nonlinearity={bad!r}", (lambda bad=bad: init.calculate_gain(bad)),
        "`nonlinearity` must be one of")
    for bad in ("Tanh", "elu", "", None, 3)
]
ROWS += [
    row(f"calculate_gain: param={bad!r}", (lambda bad=bad: init.calculate_gain("leaky_relu", bad)), "`param` must be")
    for bad in ("0.2", True, NAN, float("-inf"), [0.2])
]
ROWS += [
    row("fan_in_and_fan_out: 1-d", lambda: init.fan_in_and_fan_out(w(4)), "`tensor` must have at least 2 dimensions"),
    row("fan_in_and_fan_out: 0-d", lambda: init.fan_in_and_fan_out(torch.tensor(0.0)),
        "`tensor` must have at least 2 dimensions"),
    row("fan_in_and_fan_out: a shape", lambda: init.fan_in_and_fan_out((3, 4)), "`tensor` must be a torch.Tensor"),
]


@pytest.mark.parametrize(("call", "error", "match"), ROWS)
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, match):
    with pytest.raises((ValueError, TypeError)) as raised:
        call()
    assert isinstance(raised.value, error), f"{type(raised.value).__name__}: {raised.value}"
    assert match in str(raised.value)


def test_torch_refuses_what_these_rows_refuse_for_the_tensor_shape():
    """The 0-d and 1-d rows are input torch refuses too (so the refusal is torch's semantics, with a clearer name)."""
    for tensor in (torch.tensor(1.0), w(5)):
        with pytest.raises(ValueError):
            torch.nn.init.xavier_uniform_(tensor)
        with pytest.raises(ValueError):
            torch.nn.init.kaiming_normal_(tensor)
