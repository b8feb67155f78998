"""lib.activations against torch.nn.functional: values, first and second derivatives, in float32 and float64, on
ordinary, extreme (up to ±1e4) and empty inputs; the stable forms' accuracy where torch's own formulas lose it."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from lib import activations
from tests.helpers import DTYPES, value_and_grad

# id -> (name in lib.activations, torch twin, options); both are called as f(input, **options)
PAIRS = {
    "sigmoid": ("sigmoid", torch.sigmoid, {}),
    "tanh": ("tanh", torch.tanh, {}),
    "relu": ("relu", F.relu, {}),
    "leaky_relu": ("leaky_relu", F.leaky_relu, {}),
    "leaky_relu_0.2": ("leaky_relu", F.leaky_relu, {"negative_slope": 0.2}),
    "leaky_relu_-0.5": ("leaky_relu", F.leaky_relu, {"negative_slope": -0.5}),
    "elu": ("elu", F.elu, {}),
    "elu_alpha_2": ("elu", F.elu, {"alpha": 2.0}),
    "elu_alpha_0.3": ("elu", F.elu, {"alpha": 0.3}),
    "gelu": ("gelu", F.gelu, {}),
    "gelu_tanh": ("gelu", F.gelu, {"approximate": "tanh"}),
    "silu": ("silu", F.silu, {}),
    "softplus": ("softplus", F.softplus, {}),
    "softplus_beta_2_threshold_5": ("softplus", F.softplus, {"beta": 2.0, "threshold": 5.0}),
    "softplus_beta_0.5": ("softplus", F.softplus, {"beta": 0.5}),
    "softplus_threshold_0": ("softplus", F.softplus, {"threshold": 0.0}),
}
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus"]
SHAPES = [(), (7,), (4, 3), (2, 3, 5)]
# ±1e4 and the places where naive formulas break: float32's exp overflows past 88.7, float64's past 709.8;
# softplus's thresholds (20, and 5/2 for beta=2); the kinks at 0 and -0.0; tiny inputs
EXTREMES = [1e4, 1e3, 710.0, 709.0, 100.0, 89.0, 88.0, 30.0, 20.0, 10.0, 5.0, 2.5, 1.0, 0.5, 1e-3, 1e-8, 1e-30, 0.0]


def _ours_and_twin(id):
    name, twin, options = PAIRS[id]
    ours = getattr(activations, name)
    return (lambda x: ours(x, **options)), (lambda x: twin(x, **options))


def _extremes(dtype):
    return torch.tensor([-v for v in EXTREMES] + EXTREMES, dtype=dtype)


def _ordinary(shape, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (3.0 * torch.randn(shape, generator=g, dtype=torch.float64)).to(dtype)


def _first_and_second(fn, input):
    """``fn(input)``, its elementwise derivative and second derivative, by autograd (``create_graph=True``)."""
    x = input.detach().clone().requires_grad_(True)
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    if not g.requires_grad:  # a piecewise-constant derivative (ReLU's): its derivative is 0
        return y.detach(), g.detach(), torch.zeros_like(x)
    (h,) = torch.autograd.grad(g.sum(), x)
    return y.detach(), g.detach(), h


SECOND_TOLERANCE = {torch.float32: {"rtol": 1e-4, "atol": 1e-4}, torch.float64: {"rtol": 1e-9, "atol": 1e-12}}


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_values_and_gradients_equal_the_torch_twin(id, dtype, shape):
    ours, twin = _ours_and_twin(id)
    x = _ordinary(shape, dtype)
    value, grad = value_and_grad(ours, x)
    twin_value, twin_grad = value_and_grad(twin, x)
    assert value.dtype == dtype and value.shape == twin_value.shape
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_values_and_gradients_equal_the_twin_and_are_finite_for_inputs_up_to_1e4(id, dtype):
    ours, twin = _ours_and_twin(id)
    x = _extremes(dtype)
    value, grad = value_and_grad(ours, x)
    twin_value, twin_grad = value_and_grad(twin, x)
    assert torch.isfinite(twin_value).all() and torch.isfinite(twin_grad).all()
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_second_derivatives_equal_the_twin_including_at_the_kinks_and_extremes(id, dtype):
    ours, twin = _ours_and_twin(id)
    x = torch.cat([_ordinary((50,), dtype), _extremes(dtype)])
    _, _, second = _first_and_second(ours, x)
    _, _, twin_second = _first_and_second(twin, x)
    assert torch.isfinite(second).all()
    assert_close(second, twin_second, **SECOND_TOLERANCE[dtype])


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2, 4)])
def test_empty_input_gives_an_empty_output_and_gradient(id, dtype, shape):
    ours, twin = _ours_and_twin(id)
    x = torch.empty(shape, dtype=dtype)
    value, grad = value_and_grad(ours, x)
    assert value.shape == shape and value.dtype == dtype
    assert grad.shape == shape and grad.dtype == dtype
    assert value.shape == twin(x).shape


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_derivative_is_the_gradient_autograd_gives_the_twin(id, dtype):
    name, twin, options = PAIRS[id]
    x = torch.cat([_ordinary((200,), dtype), _extremes(dtype)])
    slope = activations.derivative(name, x, **options)
    _, twin_grad = value_and_grad(lambda v: twin(v, **options), x)
    assert slope.dtype == dtype and slope.shape == x.shape
    assert not slope.requires_grad
    assert_close(slope, twin_grad)


@pytest.mark.parametrize("id", PAIRS)
def test_gradcheck_and_gradgradcheck_pass_away_from_the_kinks(id):
    ours, _ = _ours_and_twin(id)
    x = torch.tensor([-7.0, -2.2, -0.6, 0.3, 1.7, 6.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(ours, (x,))
    assert torch.autograd.gradgradcheck(ours, (x,))


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_infinite_and_nan_inputs_give_torchs_values_and_nothing_torch_has_finite_is_nonfinite(id, dtype):
    ours, twin = _ours_and_twin(id)
    x = torch.tensor([-math.inf, math.inf, math.nan, 0.0], dtype=dtype)
    value, grad = value_and_grad(ours, x)
    twin_value, twin_grad = value_and_grad(twin, x)
    for mine, theirs in ((value, twin_value), (grad, twin_grad)):
        finite = torch.isfinite(theirs)
        assert torch.isfinite(mine[finite]).all()
        assert_close(mine[finite], theirs[finite])
    assert torch.isnan(value[2])  # nan in, nan out


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(PAIRS)),
    st.sampled_from(DTYPES),
    st.lists(st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False), min_size=1, max_size=20),
)
def test_values_and_gradients_equal_the_twin_on_any_inputs_up_to_1e4(id, dtype, values):
    ours, twin = _ours_and_twin(id)
    x = torch.tensor(values, dtype=torch.float64).to(dtype)
    value, grad = value_and_grad(ours, x)
    twin_value, twin_grad = value_and_grad(twin, x)
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


# ----- where the stable forms are better than the naive formula --------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_elu_gradient_is_finite_where_autograd_through_the_naive_formula_gives_nan(dtype):
    x = torch.tensor([-1e4, 1e4], dtype=dtype)
    _, naive_grad = value_and_grad(lambda v: torch.where(v > 0, v, torch.expm1(v)), x)
    _, grad = value_and_grad(activations.elu, x)
    assert torch.isnan(naive_grad[1])  # 0 · e^{1e4} from the branch torch.where did not pick
    assert_close(grad, torch.tensor([0.0, 1.0], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_accurate_to_1e_6_relative_from_minus_1e4_to_1e4(dtype):
    x = torch.tensor([-1e4, -87.0, -30.0, -1.0, 1e-8, 30.0, 1e4], dtype=dtype)
    exact = torch.sigmoid(x.double())  # 1/(1 + e^{-x}) in float64: no cancellation, e^{1e4} = inf gives 0
    assert_close(activations.sigmoid(x).double(), exact, rtol=1e-6, atol=0.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_is_accurate_to_a_few_ulps_from_1e_30_to_1e4(dtype):
    x = torch.logspace(-30, 4, 341, dtype=torch.float64)
    x = torch.cat([-x, x]).to(dtype)
    ulp = torch.finfo(dtype).eps
    assert_close(activations.tanh(x).double(), torch.tanh(x.double()), rtol=4 * ulp, atol=0.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_keeps_its_relative_accuracy_in_the_left_tail_where_one_plus_erf_cancels(dtype):
    x = torch.linspace(-12.0, -3.0, 91, dtype=dtype)
    exact = x.double() * 0.5 * torch.erfc(-x.double() / math.sqrt(2.0))  # erfc in float64: no cancellation
    # erfc(z) here has condition number ~2z² ≈ 150: a rounded z alone costs ~150 ulps, nothing cancels beyond that
    rtol = {torch.float32: 2e-5, torch.float64: 1e-12}[dtype]
    assert_close(activations.gelu(x).double(), exact, rtol=rtol, atol=0.0)
    if dtype == torch.float32:  # torch's 1 + erf(x/√2) has cancelled to 0 here
        assert (F.gelu(x)[:20] == 0).all() and (activations.gelu(x)[:20] != 0).all()


def test_softplus_with_a_large_threshold_stays_finite_where_exp_overflows_in_float32():
    x = torch.tensor([100.0, 500.0, 1e4], dtype=torch.float32)
    value, grad = value_and_grad(activations.softplus, x, threshold=1e5)
    assert_close(value, x)  # log(1 + e^x) = x to float32's precision here
    assert_close(grad, torch.ones_like(x))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softplus_switches_to_x_strictly_above_the_threshold_as_torch(dtype):
    x = torch.tensor([20.0, 20.5], dtype=dtype)
    value = activations.softplus(x)
    assert value[1] == x[1]  # beta·x > threshold: x itself
    assert_close(value[0], torch.log1p(torch.exp(x[0].double())).to(dtype))  # at the threshold: the formula


@pytest.mark.parametrize("id", PAIRS)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_inputs_are_computed_in_float32_and_rounded_once(id, dtype):
    """Values equal torch's (which also computes in float32); gradients are the float64 ones rounded to ``dtype``.
    (torch's sigmoid and tanh backward use the output already rounded to half precision: tanh x rounds to 1.0
    from x ≈ 3.5 on in bfloat16, so torch's 1 - y² is 0 there, where the true derivative is 0.004.)"""
    ours, twin = _ours_and_twin(id)
    name, _, options = PAIRS[id]
    x = torch.cat([_ordinary((100,), torch.float64), _extremes(torch.float64)]).to(dtype)
    value, grad = value_and_grad(ours, x)
    _, exact_grad = value_and_grad(twin, x.double())
    assert value.dtype == dtype and grad.dtype == dtype
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    assert_close(value, twin(x))
    assert_close(grad, exact_grad.to(dtype))
    slope = activations.derivative(name, x, **options)
    assert slope.dtype == dtype
    assert_close(slope, exact_grad.to(dtype))


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_is_exported(name):
    assert name in activations.__all__ and callable(getattr(activations, name))
