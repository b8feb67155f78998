"""lib.losses (regression) against torch.nn.functional: values, gradients, reductions, extremes, bad input."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES, REDUCTIONS, reduce, value_and_grad

SHAPES = [(), (7,), (4, 3), (2, 3, 5)]


def _log_cosh_twin(input, target, reduction="mean"):
    """log(cosh(r)) computed directly: exact wherever cosh does not overflow."""
    loss = torch.log(torch.cosh(input - target))
    return reduce(loss, reduction)


def _quantile_twin(q):
    """The pinball loss as max(q·u, (q−1)·u), u = target − input: the other common way of writing it."""

    def twin(input, target, reduction="mean"):
        u = target - input
        loss = torch.maximum(q * u, (q - 1) * u)
        return reduce(loss, reduction)

    return twin


# (ours, torch twin, options); both are called as f(input, target, reduction=..., **options)
PAIRS = {
    "mse": (losses.mse_loss, F.mse_loss, {}),
    "l1": (losses.l1_loss, F.l1_loss, {}),
    "huber_default": (losses.huber_loss, F.huber_loss, {}),
    "huber_delta_0.3": (losses.huber_loss, F.huber_loss, {"delta": 0.3}),
    "huber_delta_5": (losses.huber_loss, F.huber_loss, {"delta": 5.0}),
    "smooth_l1_default": (losses.smooth_l1_loss, F.smooth_l1_loss, {}),
    "smooth_l1_beta_0.3": (losses.smooth_l1_loss, F.smooth_l1_loss, {"beta": 0.3}),
    "smooth_l1_beta_0": (losses.smooth_l1_loss, F.smooth_l1_loss, {"beta": 0.0}),
    "log_cosh": (losses.log_cosh_loss, _log_cosh_twin, {}),
    "quantile_0.1": (losses.quantile_loss, _quantile_twin(0.1), {"q": 0.1}),
    "quantile_0.9": (losses.quantile_loss, _quantile_twin(0.9), {"q": 0.9}),
}


def _ours_and_twin(name):
    ours, twin, options = PAIRS[name]
    if name.startswith("quantile"):
        return (lambda i, t, **kw: ours(i, t, **options, **kw)), (lambda i, t, **kw: twin(i, t, **kw))
    return (lambda i, t, **kw: ours(i, t, **options, **kw)), (lambda i, t, **kw: twin(i, t, **options, **kw))


def _pair(shape, dtype, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    input = (scale * torch.randn(shape, generator=g, dtype=torch.float64)).to(dtype)
    target = torch.randn(shape, generator=g, dtype=torch.float64).to(dtype)
    return input, target


@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_values_and_gradients_equal_the_torch_twin(name, dtype, reduction, shape):
    ours, twin = _ours_and_twin(name)
    input, target = _pair(shape, dtype)
    value, grad = value_and_grad(ours, input, target, reduction=reduction)
    twin_value, twin_grad = value_and_grad(twin, input, target, reduction=reduction)
    assert value.dtype == dtype and value.shape == twin_value.shape
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("name", [n for n in PAIRS if n != "log_cosh"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_values_and_gradients_equal_the_twin_for_residuals_of_1e4(name, dtype):
    ours, twin = _ours_and_twin(name)
    input = torch.tensor([-1e4, -250.0, -1.0, 0.5, 3.0, 1e4], dtype=dtype)
    target = torch.zeros_like(input)
    value, grad = value_and_grad(ours, input, target, reduction="none")
    twin_value, twin_grad = value_and_grad(twin, input, target, reduction="none")
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_cosh_is_finite_and_exact_for_residuals_of_1e4(dtype):
    r = torch.tensor([-1e4, -100.0, 100.0, 1e4], dtype=dtype, requires_grad=True)
    loss = losses.log_cosh_loss(r, torch.zeros_like(r), reduction="none")
    loss.sum().backward()
    assert torch.isfinite(torch.log(torch.cosh(r.detach()))).logical_not().any()  # the naive form overflows
    assert_close(loss.detach(), r.detach().abs() - math.log(2.0))  # exact: e^{-2|r|} underflows to 0 here
    assert_close(r.grad, torch.tanh(r.detach()))


def _log_cosh_reference(r: torch.Tensor) -> torch.Tensor:
    """log cosh r in float64 by formulas that are exact where each is used: the series r²/2 − r⁴/12 + r⁶/45
    (next term ~r⁸, below 1e-24 relative) for |r| < 1e-3, log(cosh r) up to 20 (cosh r − 1 ≥ 5e-7 there, so the
    log loses at most 1e-9 relative), |r| − log 2 + log1p(e^{−2|r|}) beyond."""
    r = r.double()
    a = r.abs()
    series = r**2 / 2 - r**4 / 12 + r**6 / 45
    direct = torch.log(torch.cosh(a.clamp(max=20.0)))
    far = a - math.log(2.0) + torch.log1p(torch.exp(-2 * a))
    return torch.where(a < 1e-3, series, torch.where(a <= 20.0, direct, far))


def _log_spaced_residuals(dtype):
    r = torch.logspace(-8, 4, 481, dtype=torch.float64)
    return torch.cat([-r.flip(0), r]).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_cosh_is_accurate_to_1e_6_relative_for_residuals_from_1e_8_to_1e4(dtype):
    r = _log_spaced_residuals(dtype)
    loss = losses.log_cosh_loss(r, torch.zeros_like(r), reduction="none")
    assert (loss > 0).all()
    assert_close(loss.double(), _log_cosh_reference(r), rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_cosh_gradient_is_tanh_of_the_residual_for_residuals_from_1e_8_to_1e4(dtype):
    r = _log_spaced_residuals(dtype).requires_grad_(True)
    losses.log_cosh_loss(r, torch.zeros_like(r), reduction="sum").backward()
    assert_close(r.grad.double(), torch.tanh(r.detach().double()), rtol=1e-6, atol=0)


def test_log_cosh_gradcheck_in_float64_at_small_residuals_and_around_1():
    input = torch.tensor([-3e-5, 1e-3, -0.999, 0.9999, 1.0001, -1.3], dtype=torch.float64, requires_grad=True)
    target = torch.zeros(6, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda i: losses.log_cosh_loss(i, target, reduction="sum"), (input,))
    assert torch.autograd.gradgradcheck(lambda i: losses.log_cosh_loss(i, target, reduction="sum"), (input,))


@pytest.mark.parametrize("name", PAIRS)
def test_gradcheck_in_float64(name):
    ours, _ = _ours_and_twin(name)
    # residuals kept away from the kinks (0, ±delta, ±beta) where finite differences are not defined
    input = torch.tensor([-4.2, -0.77, -0.13, 0.21, 0.52, 2.9], dtype=torch.float64, requires_grad=True)
    target = torch.zeros(6, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda i: ours(i, target, reduction="sum"), (input,))


# huber_loss and smooth_l1_loss are autograd Functions whose backward is the gradient formula, for both arguments
FUNCTIONS = ["huber_default", "huber_delta_0.3", "huber_delta_5", "smooth_l1_default", "smooth_l1_beta_0.3"]


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_the_gradient_with_respect_to_the_target_equals_the_torch_twin(name, dtype, reduction):
    ours, twin = _ours_and_twin(name)
    input, target = _pair((4, 3), dtype)
    grads = []
    for fn in (ours, twin):
        i, t = input.clone().requires_grad_(True), target.clone().requires_grad_(True)
        grads.append(torch.autograd.grad(fn(i, t, reduction=reduction).sum(), (i, t)))
    assert_close(grads[0], grads[1])


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_and_gradgradcheck_with_respect_to_input_and_target_in_float64(name, reduction):
    ours, _ = _ours_and_twin(name)
    # residuals kept away from the kinks (±delta, ±beta) where finite differences are not defined
    input = torch.tensor([-4.2, -0.77, -0.13, 0.21, 0.52, 2.9], dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0.1, -0.2, 0.05, 0.0, -0.1, 0.3], dtype=torch.float64, requires_grad=True)

    def loss(i, t):
        return ours(i, t, reduction=reduction)

    assert torch.autograd.gradcheck(loss, (input, target))
    assert torch.autograd.gradgradcheck(loss, (input, target))


def test_huber_second_derivative_is_one_inside_delta_and_zero_beyond():
    input = torch.tensor([-4.2, -0.77, 0.21, 2.9], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(losses.huber_loss(input, torch.zeros(4, dtype=torch.float64), reduction="sum"),
                                  input, create_graph=True)  # fmt: skip
    (second,) = torch.autograd.grad(grad.sum(), input)
    assert second.tolist() == [0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("name,expected", [("l1", 0.0), ("smooth_l1_beta_0", 0.0), ("huber_default", 0.0),
                                           ("quantile_0.1", -0.1), ("quantile_0.9", -0.9), ("log_cosh", 0.0)])
def test_gradient_at_a_zero_residual_follows_the_documented_convention(name, expected):
    ours, _ = _ours_and_twin(name)
    input = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    ours(input, torch.zeros(1, dtype=torch.float64), reduction="sum").backward()
    assert input.grad.item() == pytest.approx(expected)


@pytest.mark.parametrize("beta", [0.1, 1.0, 2.5])
def test_smooth_l1_equals_huber_with_delta_beta_divided_by_beta(beta):
    input, target = _pair((50,), torch.float64, scale=5.0)
    smooth = losses.smooth_l1_loss(input, target, beta=beta, reduction="none")
    huber = losses.huber_loss(input, target, delta=beta, reduction="none")
    assert_close(smooth, huber / beta)


residuals = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=20)


@settings(max_examples=50, deadline=None)
@given(residuals, st.sampled_from([k for k in PAIRS if k != "quantile_0.1"]))
def test_every_loss_is_non_negative_and_zero_at_a_perfect_prediction(values, name):
    ours, _ = _ours_and_twin(name)
    r = torch.tensor(values, dtype=torch.float64)
    assert (ours(r, torch.zeros_like(r), reduction="none") >= 0).all()
    assert ours(r, r.clone(), reduction="sum").item() == 0.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e-3, 1e-3, allow_nan=False), min_size=1, max_size=20))
def test_huber_and_log_cosh_approach_half_the_squared_error_for_small_residuals(values):
    r = torch.tensor(values, dtype=torch.float64)
    half_mse = 0.5 * losses.mse_loss(r, torch.zeros_like(r), reduction="none")
    assert_close(losses.huber_loss(r, torch.zeros_like(r), reduction="none"), half_mse)
    assert_close(losses.log_cosh_loss(r, torch.zeros_like(r), reduction="none"), half_mse, rtol=1e-6, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-100, 100), min_size=3, max_size=30), st.sampled_from([0.1, 0.5, 0.9]))
def test_the_best_constant_under_the_pinball_loss_is_a_q_quantile(values, q):
    y = torch.tensor(values, dtype=torch.float64)  # integers: exact sums, so ties are real ties
    candidates = torch.cat([y, torch.linspace(-100, 100, 401, dtype=torch.float64)])
    totals = torch.stack([losses.quantile_loss(c.expand_as(y), y, q=q, reduction="sum") for c in candidates])
    best = candidates[totals.argmin()]
    below, above = (y < best).double().mean().item(), (y > best).double().mean().item()
    assert below <= q + 1e-9 and above <= 1 - q + 1e-9  # the definition of a q-quantile


def test_quantile_loss_with_q_one_half_is_half_the_l1_loss():
    input, target = _pair((30,), torch.float64)
    assert_close(losses.quantile_loss(input, target, q=0.5), 0.5 * losses.l1_loss(input, target))


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------

ALL_LOSSES = [losses.mse_loss, losses.l1_loss, losses.huber_loss, losses.smooth_l1_loss, losses.log_cosh_loss,
              lambda i, t, **kw: losses.quantile_loss(i, t, q=0.5, **kw)]


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_a_column_against_a_vector_is_rejected_instead_of_broadcast(loss):
    with pytest.raises(ValueError, match=r"`target` must have the same shape as `input` \(\(5, 1\)\)"):
        loss(torch.zeros(5, 1), torch.zeros(5))


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_integer_tensors_are_rejected(loss):
    with pytest.raises(ValueError, match="`target` must be a floating-point tensor"):
        loss(torch.zeros(3), torch.zeros(3, dtype=torch.int64))


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_mixed_dtypes_are_rejected(loss):
    with pytest.raises(ValueError, match="`target` must have the same dtype as `input`"):
        loss(torch.zeros(3), torch.zeros(3, dtype=torch.float64))


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_numpy_arrays_are_rejected(loss):
    import numpy as np

    with pytest.raises(ValueError, match="`input` must be a torch.Tensor"):
        loss(np.zeros(3), torch.zeros(3))


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_an_unknown_reduction_is_rejected(loss):
    with pytest.raises(ValueError, match="`reduction` must be one of"):
        loss(torch.zeros(3), torch.zeros(3), reduction="avg")


@pytest.mark.parametrize("delta", [0.0, -1.0, float("nan"), float("inf")])
def test_huber_rejects_a_delta_that_is_not_positive_and_finite(delta):
    with pytest.raises(ValueError, match="`delta`"):
        losses.huber_loss(torch.zeros(3), torch.zeros(3), delta=delta)


@pytest.mark.parametrize("beta", [-0.5, float("nan")])
def test_smooth_l1_rejects_a_negative_beta(beta):
    with pytest.raises(ValueError, match="`beta`"):
        losses.smooth_l1_loss(torch.zeros(3), torch.zeros(3), beta=beta)


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5, "0.5"])
def test_quantile_rejects_q_outside_the_open_unit_interval(q):
    with pytest.raises(ValueError, match=r"`q` must be"):
        losses.quantile_loss(torch.zeros(3), torch.zeros(3), q=q)
