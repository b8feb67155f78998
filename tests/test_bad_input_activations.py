"""Bad input to lib.activations, one row per mistake: each call has one wrong argument and must raise a
``ValueError`` (or ``TypeError``) whose message names that argument, never an error from inside torch."""

from __future__ import annotations

import pytest
import torch

from lib import activations
from tests.helpers import assert_refused

NAN, INF = float("nan"), float("inf")
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus"]


def z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


def row(id, call, match, error=ValueError):
    """``call`` is a thunk, so that the inputs are built when the row runs, not when the module is collected."""
    return pytest.param(call, error, match, id=id)


INPUT_MISTAKES = {
    "a list": (lambda: [0.0, 1.0], "`input` must be a torch.Tensor"),
    "a float": (lambda: 0.5, "`input` must be a torch.Tensor"),
    "a NumPy array": (lambda: z(3).numpy(), "`input` must be a torch.Tensor"),
    "int64": (lambda: z(3, dtype=torch.int64), "`input` must be a floating-point tensor"),
    "bool": (lambda: z(3, dtype=torch.bool), "`input` must be a floating-point tensor"),
    "complex64": (lambda: z(3, dtype=torch.complex64), "`input` must be a floating-point tensor"),
}
ROWS = [
    row(f"{name}: input {mistake}", (lambda n=name, make=make: getattr(activations, n)(make())), match)
    for name in NAMES
    for mistake, (make, match) in INPUT_MISTAKES.items()
]
ROWS += [
    row(f"derivative({name!r}): input {mistake}", (lambda n=name, make=make: activations.derivative(n, make())), match)
    for name in ("relu", "gelu")
    for mistake, (make, match) in INPUT_MISTAKES.items()
]
ROWS += [
    row(f"leaky_relu: negative_slope={v!r}", (lambda v=v: activations.leaky_relu(z(3), negative_slope=v)),
        "`negative_slope` must be a finite real number")
    for v in (NAN, INF, -INF, "0.1", None, True, torch.tensor(0.1))
]
ROWS += [
    row(f"elu: alpha={v!r}", (lambda v=v: activations.elu(z(3), alpha=v)), "`alpha` must be a finite real number")
    for v in (NAN, INF, -INF, "1", None, False)
]
ROWS += [
    row(f"gelu: approximate={v!r}", (lambda v=v: activations.gelu(z(3), approximate=v)),
        "`approximate` must be one of ('none', 'tanh')")
    for v in ("exact", "Tanh", "", None, True, 1, ["tanh"])
]
ROWS += [
    row(f"softplus: beta={v!r}", (lambda v=v: activations.softplus(z(3), beta=v)), "`beta` must be")
    for v in (0.0, -1.0, NAN, INF, "1", None, True)
]
ROWS += [
    row(f"softplus: threshold={v!r}", (lambda v=v: activations.softplus(z(3), threshold=v)),
        "`threshold` must be a finite real number")
    for v in (NAN, INF, -INF, "20", None, True)
]
ROWS += [
    row(f"derivative: name={v!r}", (lambda v=v: activations.derivative(v, z(3))), "`name` must be one of")
    for v in ("swish", "ReLU", "", None, activations.relu)
]
ROWS += [
    row("derivative: an option relu lacks", lambda: activations.derivative("relu", z(3), alpha=1.0),
        "`alpha` is not an option of relu", TypeError),
    row("derivative: softplus's option given to elu", lambda: activations.derivative("elu", z(3), beta=2.0),
        "`beta` is not an option of elu", TypeError),
    row("derivative: elu alpha nan", lambda: activations.derivative("elu", z(3), alpha=NAN), "`alpha` must be"),
    row("derivative: softplus beta 0", lambda: activations.derivative("softplus", z(3), beta=0), "`beta` must be"),
    row("derivative: gelu approximate 'exact'", lambda: activations.derivative("gelu", z(3), approximate="exact"),
        "`approximate` must be one of"),
    row("derivative: leaky_relu negative_slope inf",
        lambda: activations.derivative("leaky_relu", z(3), negative_slope=INF), "`negative_slope` must be"),
]


@pytest.mark.parametrize(("call", "error", "match"), ROWS)
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, match):
    assert_refused(call, error, match)


@pytest.mark.parametrize("name", NAMES)
def test_the_defaults_and_float16_inputs_are_accepted(name):
    assert getattr(activations, name)(z(3, dtype=torch.float16)).dtype == torch.float16
    assert activations.derivative(name, z(3)).shape == (3,)
