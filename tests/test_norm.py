"""lib.norm against torch.nn.functional: values, gradients (input, weight, bias) and running statistics.

Gaps are measured relative to the largest entry of torch's tensor. On ordinary inputs and on inputs of scale 1e4
or 1e-4 (normalisation is scale-invariant, so the result is as well conditioned as at scale 1) both compute the same
formula to round-off: a few units of the dtype's epsilon. A large mean with a small spread (1e4 + N(0, 1)) is
ill-conditioned: the deviations from the mean lose ~log10(1e4) digits in any implementation, so the tolerance there
grows by that factor. A constant channel has zero variance: for values whose mean is computed exactly (2.5, -1e4,
0) ours gives exactly ``bias`` (no deviation at all), while torch's ``x * alpha + beta`` kernels leave round-off of
size eps * |x| * |weight| / sqrt(eps).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from lib import norm
from tests.helpers import DTYPES

TOL = {torch.float32: 2e-6, torch.float64: 1e-14}
BN_SHAPES = [(8, 3), (4, 3, 5), (4, 3, 5, 6), (1, 3, 7), (2, 2, 3, 2, 2)]
LN_CASES = [((8, 6), (6,)), ((8, 6), 6), ((4, 3, 5), (5,)), ((4, 3, 5, 6), (3, 5, 6)), ((2, 4, 5), torch.Size([4, 5]))]
SCALES = [1.0, 1e4, 1e-4]


def draw(shape, dtype, seed=0, scale=1.0, offset=0.0):
    """Normal draws made in float64 (the same on every CPU), then cast."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, dtype=torch.float64, generator=generator) * scale + offset).to(dtype)


def forward_backward(fn, input, *args, weight=None, bias=None, seed=9, **options):
    """``[output, d input, d weight, d bias]`` (the gradients of a random weighting of the output; None for absent)."""
    leaves = [t if t is None else t.detach().clone().requires_grad_(True) for t in (input, weight, bias)]
    output = fn(leaves[0], *args, leaves[1], leaves[2], **options)
    upstream = draw(output.shape, output.dtype, seed)
    wanted = [t for t in leaves if t is not None]
    grads = iter(torch.autograd.grad(output, wanted, upstream))
    return [output.detach()] + [None if t is None else next(grads) for t in leaves]


def relative_gap(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """max |ours - theirs| / max |theirs| (the absolute gap where torch's tensor is all zeros or empty)."""
    if theirs.numel() == 0:
        return 0.0
    gap = (ours - theirs).abs().max().item()
    return gap / max(theirs.abs().max().item(), 1.0 if theirs.abs().max() == 0 else 0.0)


def assert_close(ours, theirs, tol):
    for name, a, b in zip(("output", "input grad", "weight grad", "bias grad"), ours, theirs):
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.shape == b.shape and a.dtype == b.dtype, name
            assert relative_gap(a, b) <= tol, f"{name}: {relative_gap(a, b):.3g} > {tol:.3g}"


def assert_within_torch_roundoff(ours, theirs, value, weight, dtype, eps=1e-5):
    """Torch's kernels compute ``x * alpha + beta`` with ``alpha = weight / sqrt(var + eps)``: on a constant slice of
    value ``v`` (var = 0) they keep round-off of size eps_dtype * |v| * |weight| / sqrt(eps), times the upstream
    gradient (|g| < 5 here) in the backward pass; ours has none. The gap must stay within that bound."""
    roundoff = 8 * torch.finfo(dtype).eps * abs(value) * weight.abs().max().item() * 5 / math.sqrt(eps)
    for a, b in zip(ours, theirs):
        assert (a - b).abs().max().item() <= roundoff + TOL[dtype] * b.abs().max().item()


def channel_params(channels, dtype, affine):
    if not affine:
        return {"weight": None, "bias": None}
    return {"weight": draw(channels, dtype, 1), "bias": draw(channels, dtype, 2)}


def running(channels, dtype):
    return draw(channels, dtype, 3), draw(channels, dtype, 4).abs() + 0.5


# ----- batch_norm ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("scale", SCALES)
def test_batch_norm_equals_torch(scale, affine, training, shape, dtype):
    x, params = draw(shape, dtype, scale=scale), channel_params(shape[1], dtype, affine)
    stats_ours, stats_torch = running(shape[1], dtype), running(shape[1], dtype)
    ours = forward_backward(norm.batch_norm, x, *stats_ours, training=training, **params)
    theirs = forward_backward(F.batch_norm, x, *stats_torch, training=training, **params)
    assert_close(ours, theirs, TOL[dtype])
    for a, b in zip(stats_ours, stats_torch):
        assert relative_gap(a, b) <= TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 6)])
def test_running_statistics_equal_torch_after_several_steps(shape, momentum, dtype):
    stats_ours, stats_torch = running(shape[1], dtype), running(shape[1], dtype)
    params = channel_params(shape[1], dtype, True)
    for step in range(6):
        x = draw(shape, dtype, seed=10 + step, scale=2.0, offset=step)
        ours = forward_backward(norm.batch_norm, x, *stats_ours, training=True, momentum=momentum, **params)
        theirs = forward_backward(F.batch_norm, x, *stats_torch, training=True, momentum=momentum, **params)
        assert_close(ours, theirs, TOL[dtype])
    for a, b in zip(stats_ours, stats_torch):
        assert relative_gap(a, b) <= TOL[dtype]
    x = draw(shape, dtype, seed=99)
    assert_close(forward_backward(norm.batch_norm, x, *stats_ours, **params),
                 forward_backward(F.batch_norm, x, *stats_torch, **params), TOL[dtype])


def test_running_var_takes_the_unbiased_variance_and_normalising_the_biased_one():
    x = draw((5, 2, 3), torch.float64)
    mean, var = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = norm.batch_norm(x, mean, var, training=True, momentum=1.0, eps=0.0)
    n = 5 * 3
    torch.testing.assert_close(var, x.var(dim=(0, 2), unbiased=True), rtol=1e-14, atol=0)
    torch.testing.assert_close(mean, x.mean(dim=(0, 2)), rtol=1e-14, atol=1e-15)
    # normalised with the biased variance: the output's biased variance is exactly 1, its unbiased n / (n - 1)
    torch.testing.assert_close(y.var(dim=(0, 2), unbiased=False), torch.ones(2, dtype=torch.float64))
    assert abs(y.var(dim=(0, 2)).mean().item() - n / (n - 1)) < 1e-12


def test_evaluation_uses_the_running_statistics_and_leaves_them_alone():
    x = draw((6, 2), torch.float64)
    mean, var = torch.tensor([1.0, -2.0], dtype=torch.float64), torch.tensor([4.0, 0.25], dtype=torch.float64)
    y = norm.batch_norm(x, mean, var, eps=0.0)
    torch.testing.assert_close(y, (x - mean) / var.sqrt(), rtol=1e-15, atol=1e-15)
    assert mean.tolist() == [1.0, -2.0] and var.tolist() == [4.0, 0.25]


@pytest.mark.parametrize("dtype", DTYPES)
def test_training_without_running_statistics_equals_torch(dtype):
    x, params = draw((4, 3, 5), dtype), channel_params(3, dtype, True)
    assert_close(forward_backward(norm.batch_norm, x, None, None, training=True, **params),
                 forward_backward(F.batch_norm, x, None, None, training=True, **params), TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4)])
@pytest.mark.parametrize("training", [True, False])
def test_an_empty_batch_gives_an_empty_output_and_leaves_the_running_statistics(training, shape, dtype):
    stats_ours, stats_torch = running(3, dtype), running(3, dtype)
    x, params = torch.zeros(shape, dtype=dtype), channel_params(3, dtype, True)
    ours = forward_backward(norm.batch_norm, x, *stats_ours, training=training, **params)
    theirs = forward_backward(F.batch_norm, x, *stats_torch, training=training, **params)
    assert_close(ours, theirs, 0.0)
    for a, b in zip(stats_ours, stats_torch):
        assert torch.equal(a, b)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (1, 3, 1, 1)])
def test_one_value_per_channel_in_training_is_refused_like_torch(shape):
    x = torch.zeros(shape)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(x, None, None, training=True)
    with pytest.raises(ValueError, match="`input` must have more than 1 value per channel when training=True"):
        norm.batch_norm(x, None, None, training=True)
    # in evaluation a single sample is fine: the running statistics need no batch
    assert norm.batch_norm(x, torch.zeros(3), torch.ones(3)).shape == shape


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", [2.5, -1e4, 0.0])
def test_a_constant_channel_gives_exactly_the_bias(value, dtype):
    eps = 1e-5
    x = draw((6, 2, 3), dtype)
    x[:, 1] = value
    params = channel_params(2, dtype, True)
    ours = forward_backward(norm.batch_norm, x, None, None, training=True, eps=eps, **params)
    theirs = forward_backward(F.batch_norm, x, None, None, training=True, eps=eps, **params)
    y, grad_x, grad_w, grad_b = ours
    assert torch.equal(y[:, 1], params["bias"][1].expand(6, 3))
    assert grad_w[1] == 0
    upstream = draw(y.shape, dtype, 9)[:, 1]
    exact_grad = params["weight"][1] / math.sqrt(eps) * (upstream - upstream.mean())
    assert relative_gap(grad_x[:, 1], exact_grad) <= 10 * TOL[dtype]
    assert_within_torch_roundoff(ours, theirs, value, params["weight"], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 6)])
def test_batch_norm_with_a_large_mean_and_a_small_spread(shape, dtype):
    """1e4 + N(0, 1): ill-conditioned (the deviations lose 4 digits), so the tolerance grows by the factor 1e4."""
    x, params = draw(shape, dtype, offset=1e4), channel_params(shape[1], dtype, True)
    tol = 20 * torch.finfo(dtype).eps * 1e4
    assert_close(forward_backward(norm.batch_norm, x, None, None, training=True, **params),
                 forward_backward(F.batch_norm, x, None, None, training=True, **params), tol)


def test_the_input_is_not_modified_and_the_output_is_normalised():
    x = draw((64, 4, 3), torch.float64, scale=3.0, offset=-2.0)
    copy = x.clone()
    y = norm.batch_norm(x, None, None, training=True, eps=0.0)
    assert torch.equal(x, copy)
    assert y.mean(dim=(0, 2)).abs().max() < 1e-14
    assert (y.var(dim=(0, 2), unbiased=False) - 1).abs().max() < 1e-14


# ----- layer_norm ---------------------------------------------------------------------------------------------


def ln_params(normalized_shape, dtype, affine):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return channel_params(shape, dtype, affine)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "normalized_shape"), LN_CASES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("scale", SCALES)
def test_layer_norm_equals_torch(scale, affine, shape, normalized_shape, dtype):
    x, params = draw(shape, dtype, scale=scale), ln_params(normalized_shape, dtype, affine)
    as_tuple = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape  # F wants a tuple
    assert_close(forward_backward(norm.layer_norm, x, normalized_shape, **params),
                 forward_backward(F.layer_norm, x, as_tuple, **params), TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "normalized_shape"), [((8, 6), (6,)), ((4, 3, 5, 6), (3, 5, 6))])
def test_layer_norm_with_a_large_mean_and_a_small_spread(shape, normalized_shape, dtype):
    x, params = draw(shape, dtype, offset=1e4), ln_params(normalized_shape, dtype, True)
    tol = 20 * torch.finfo(dtype).eps * 1e4
    assert_close(forward_backward(norm.layer_norm, x, normalized_shape, **params),
                 forward_backward(F.layer_norm, x, normalized_shape, **params), tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", [2.5, -1e4, 0.0])
def test_a_constant_sample_gives_exactly_the_bias(value, dtype):
    x = draw((3, 5), dtype)
    x[1] = value
    params = ln_params((5,), dtype, True)
    ours = forward_backward(norm.layer_norm, x, (5,), **params)
    theirs = forward_backward(F.layer_norm, x, (5,), **params)
    y, grad_x = ours[0], ours[1]
    assert torch.equal(y[1], params["bias"])
    upstream = draw(y.shape, dtype, 9)[1] * params["weight"]
    exact_grad = (upstream - upstream.mean()) / math.sqrt(1e-5)
    assert relative_gap(grad_x[1], exact_grad) <= 10 * TOL[dtype]
    assert_within_torch_roundoff(ours, theirs, value, params["weight"], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_of_an_empty_batch_equals_torch(dtype):
    x, params = torch.zeros(0, 5, dtype=dtype), ln_params((5,), dtype, True)
    assert_close(forward_backward(norm.layer_norm, x, (5,), **params),
                 forward_backward(F.layer_norm, x, (5,), **params), 0.0)


def test_layer_norm_treats_each_sample_alone():
    x = draw((6, 4, 5), torch.float64)
    whole = norm.layer_norm(x, (4, 5))
    for i in range(6):
        assert torch.equal(norm.layer_norm(x[i : i + 1], (4, 5)), whole[i : i + 1])
    assert whole.mean(dim=(1, 2)).abs().max() < 1e-15


# ----- float16 and bfloat16: computed in float32, rounded once -------------------------------------------------

HALF = [torch.float16, torch.bfloat16]


def _half_case(name, dtype):
    """(our function, torch's, its arguments after the input, options, weight, bias) on a (16, 4, 8, 8) input."""
    if name == "batch_norm":
        stats = (torch.zeros(4, dtype=dtype), torch.ones(4, dtype=dtype))
        return norm.batch_norm, F.batch_norm, stats, {"training": True}, draw(4, dtype, 1), draw(4, dtype, 2)
    return norm.layer_norm, F.layer_norm, ((4, 8, 8),), {}, draw((4, 8, 8), dtype, 1), draw((4, 8, 8), dtype, 2)


@pytest.mark.parametrize("dtype", HALF)
@pytest.mark.parametrize("name", ["batch_norm", "layer_norm"])
def test_half_precision_is_rounded_once_from_the_exact_result(name, dtype):
    """Within one unit of the dtype's epsilon of the float64 result (torch's own kernels: within two)."""
    ours_fn, torch_fn, args, options, weight, bias = _half_case(name, dtype)
    x = draw((16, 4, 8, 8), dtype, scale=3.0, offset=5.0)

    def run(fn, cast):
        copied = [cast(a) if isinstance(a, torch.Tensor) else a for a in args]
        return forward_backward(fn, cast(x), *copied, weight=cast(weight), bias=cast(bias), **options), copied

    (ours, stats), (theirs, _) = run(ours_fn, lambda t: t.clone()), run(torch_fn, lambda t: t.clone())
    truth, truth_stats = run(torch_fn, lambda t: t.double())
    eps = torch.finfo(dtype).eps
    for a, b, c in zip(ours, theirs, truth):
        assert a.dtype == dtype
        assert relative_gap(a.double(), c) <= eps
        assert relative_gap(b.double(), c) <= 2 * eps
    for a, c in zip(stats, truth_stats):
        if isinstance(a, torch.Tensor):
            assert a.dtype == dtype and relative_gap(a.double(), c) <= eps
