"""Bad input to lib.init and lib.norm, one row per mistake.

Every row calls a function with one wrong argument and expects a ``ValueError`` (or ``TypeError``) whose message
names that argument: never an error from deep inside torch, never a silently accepted value.
"""

from __future__ import annotations

import pytest
import torch

from lib import init, norm
from tests.helpers import assert_refused

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
    row(f"{name}: generator of another device type",
        (lambda f=f: f(torch.empty(3, 2, device="meta"), generator=torch.Generator())),
        "`generator` must be on the device type of `tensor`")
    for name, f in INITS.items()
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
    assert_refused(call, error, match)


def test_torch_refuses_what_these_rows_refuse_for_the_tensor_shape():
    """The 0-d and 1-d rows are input torch refuses too (so the refusal is torch's semantics, with a clearer name)."""
    for tensor in (torch.tensor(1.0), w(5)):
        with pytest.raises(ValueError):
            torch.nn.init.xavier_uniform_(tensor)
        with pytest.raises(ValueError):
            torch.nn.init.kaiming_normal_(tensor)


# ----- lib.norm -----------------------------------------------------------------------------------------------


def bn(x=None, rm="default", rv="default", **options):
    """``norm.batch_norm`` on a (4, 3) input with running statistics, any one argument replaced."""
    x = w(4, 3).normal_() if x is None else x
    rm = torch.zeros(3) if isinstance(rm, str) and rm == "default" else rm
    rv = torch.ones(3) if isinstance(rv, str) and rv == "default" else rv
    return norm.batch_norm(x, rm, rv, **options)


def ln(x=None, normalized_shape=(3,), **options):
    return norm.layer_norm(w(4, 3).normal_() if x is None else x, normalized_shape, **options)


NORM_ROWS = [
    row("batch_norm: input a list", lambda: bn([[0.0, 1.0, 2.0]]), "`input` must be a torch.Tensor"),
    row("batch_norm: input int64", lambda: bn(w(4, 3, dtype=torch.int64)), "`input` must be a floating-point"),
    row("batch_norm: input 1-d", lambda: bn(w(3)), "`input` must have at least 2 dimensions"),
    row("batch_norm: input 0-d", lambda: bn(torch.tensor(1.0)), "`input` must have at least 2 dimensions"),
    row("batch_norm: one value per channel in training", lambda: bn(w(1, 3), training=True),
        "`input` must have more than 1 value per channel"),
    row("batch_norm: one value per channel in training, 4-d", lambda: bn(w(1, 3, 1, 1), training=True),
        "`input` must have more than 1 value per channel"),
    row("batch_norm: running_mean of 4 channels", lambda: bn(rm=torch.zeros(4)), "`running_mean` must have shape (3,)"),
    row("batch_norm: running_mean (1, 3)", lambda: bn(rm=torch.zeros(1, 3)), "`running_mean` must have shape (3,)"),
    row("batch_norm: running_mean float64", lambda: bn(rm=torch.zeros(3, dtype=torch.float64)),
        "`running_mean` must have the same dtype as `input`"),
    row("batch_norm: running_mean a list", lambda: bn(rm=[0.0, 0.0, 0.0]), "`running_mean` must be a torch.Tensor"),
    row("batch_norm: running_mean on another device", lambda: bn(rm=torch.zeros(3, device="meta")),
        "`running_mean` must be on the same device as `input`"),
    row("batch_norm: running_mean None in evaluation", lambda: bn(rm=None), "`running_mean` must be a tensor when"),
    row("batch_norm: running_var of 2 channels", lambda: bn(rv=torch.ones(2)), "`running_var` must have shape (3,)"),
    row("batch_norm: running_var int64", lambda: bn(rv=torch.ones(3, dtype=torch.int64)),
        "`running_var` must be a floating-point"),
    row("batch_norm: running_var None in evaluation", lambda: bn(rv=None), "`running_var` must be a tensor when"),
    row("batch_norm: weight of 4 channels", lambda: bn(weight=torch.ones(4)), "`weight` must have shape (3,)"),
    row("batch_norm: weight float64", lambda: bn(weight=torch.ones(3, dtype=torch.float64)),
        "`weight` must have the same dtype as `input`"),
    row("batch_norm: weight a number", lambda: bn(weight=1.0), "`weight` must be a torch.Tensor"),
    row("batch_norm: bias (3, 1)", lambda: bn(bias=torch.zeros(3, 1)), "`bias` must have shape (3,)"),
    row("batch_norm: bias float16", lambda: bn(bias=torch.zeros(3, dtype=torch.float16)),
        "`bias` must have the same dtype as `input`"),
    row("batch_norm: training 'True'", lambda: bn(training="True"), "`training` must be True or False"),
    row("batch_norm: training 1", lambda: bn(training=1), "`training` must be True or False"),
    row("batch_norm: training None", lambda: bn(training=None), "`training` must be True or False"),
]
NORM_ROWS += [
    row(f"batch_norm: momentum={m!r}", (lambda m=m: bn(training=True, momentum=m)), "`momentum` must be")
    for m in (-0.1, 1.5, NAN, None, "0.1", True)
]
NORM_ROWS += [
    row(f"batch_norm: eps={e!r}", (lambda e=e: bn(eps=e)), "`eps` must be") for e in (-1e-5, NAN, None, "1e-5")
]
NORM_ROWS += [
    row("layer_norm: input a list", lambda: ln([[0.0, 1.0, 2.0]]), "`input` must be a torch.Tensor"),
    row("layer_norm: input int64", lambda: ln(w(4, 3, dtype=torch.int64)), "`input` must be a floating-point"),
    row("layer_norm: input not ending in normalized_shape", lambda: ln(w(3, 4)), "`input` must end with"),
    row("layer_norm: input of fewer dims than normalized_shape", lambda: ln(w(3), (2, 3)), "`input` must end with"),
    row("layer_norm: normalized_shape of the leading dims", lambda: ln(w(4, 3), (4,)), "`input` must end with"),
    row("layer_norm: weight of another shape", lambda: ln(weight=torch.ones(4)), "`weight` must have shape (3,)"),
    row("layer_norm: weight float64", lambda: ln(weight=torch.ones(3, dtype=torch.float64)),
        "`weight` must have the same dtype as `input`"),
    row("layer_norm: weight a list", lambda: ln(weight=[1.0, 1.0, 1.0]), "`weight` must be a torch.Tensor"),
    row("layer_norm: bias (1, 3)", lambda: ln(bias=torch.zeros(1, 3)), "`bias` must have shape (3,)"),
    row("layer_norm: bias int64", lambda: ln(bias=torch.zeros(3, dtype=torch.int64)),
        "`bias` must be a floating-point"),
]
NORM_ROWS += [
    row(f"layer_norm: normalized_shape={bad!r}", (lambda bad=bad: ln(normalized_shape=bad)),
        "`normalized_shape` must be an int or a non-empty sequence")
    for bad in ((), [], "3", 3.0, (3.0,), (-3,), None, True, (True,))
]
NORM_ROWS += [
    row(f"layer_norm: eps={e!r}", (lambda e=e: ln(eps=e)), "`eps` must be") for e in (-1.0, float("inf"), None)
]


@pytest.mark.parametrize(("call", "error", "match"), NORM_ROWS)
def test_bad_input_to_norm_raises_a_clear_error_naming_the_argument(call, error, match):
    assert_refused(call, error, match)


def test_every_argument_of_the_norm_functions_has_a_row():
    ids = " ".join(p.id for p in NORM_ROWS)
    for name in ("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"):
        assert f"batch_norm: {name}" in ids
    for name in ("input", "normalized_shape", "weight", "bias", "eps"):
        assert f"layer_norm: {name}" in ids
