"""lib.losses.weighted_loss_sum and UncertaintyWeighting against their formulas; the learned log-variances reach
the analytic optimum s_i = log L_i under torch's SGD and Adam."""

import math

import pytest
import torch
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES


@pytest.mark.parametrize("dtype", DTYPES)
def test_weighted_loss_sum_is_the_weighted_sum_with_the_weights_as_gradients(dtype):
    values = torch.tensor([0.3, 2.0, 1e4], dtype=dtype, requires_grad=True)
    weights = [0.5, 0.0, 2.0]
    total = losses.weighted_loss_sum(list(values), weights)
    assert total.dtype == dtype
    assert_close(total, 0.5 * values[0] + 2.0 * values[2])
    (grad,) = torch.autograd.grad(total, values)
    assert_close(grad, torch.tensor(weights, dtype=dtype))
    assert_close(losses.weighted_loss_sum(values, torch.tensor(weights)), total)  # a 1-D tensor works too


@pytest.mark.parametrize("dtype", DTYPES)
def test_uncertainty_weighting_is_the_sum_of_exp_minus_s_times_loss_plus_s_with_its_gradients(dtype):
    weighting = losses.UncertaintyWeighting(3, init_log_variance=0.5).to(dtype)
    with torch.no_grad():
        weighting.log_variance.copy_(torch.tensor([-1.0, 0.0, 2.0]))
    values = torch.tensor([0.2, 1.5, 1e4], dtype=dtype, requires_grad=True)
    total = weighting([values[0], values[1], values[2]])
    s = weighting.log_variance.detach()
    assert_close(total, (torch.exp(-s) * values + s).sum())
    grad_s, grad_losses = torch.autograd.grad(total, (weighting.log_variance, values))
    assert_close(grad_s, 1 - torch.exp(-s) * values.detach())  # zero where s = log L
    assert_close(grad_losses, torch.exp(-s))
    assert_close(weighting.weights(), torch.exp(-s))
    assert not weighting.weights().requires_grad


def test_uncertainty_weighting_starts_at_init_log_variance_with_one_parameter_per_task():
    weighting = losses.UncertaintyWeighting(4, init_log_variance=-0.7)
    assert [name for name, _ in weighting.named_parameters()] == ["log_variance"]
    assert_close(weighting.log_variance.detach(), torch.full((4,), -0.7))
    assert_close(weighting.weights(), torch.full((4,), math.exp(0.7)))


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_learned_log_variances_reach_log_of_each_fixed_loss(dtype, optimizer):
    fixed = torch.tensor([0.5, 2.0, 8.0], dtype=dtype)
    weighting = losses.UncertaintyWeighting(3).to(dtype)
    make = {"SGD": lambda p: torch.optim.SGD(p, lr=0.1), "Adam": lambda p: torch.optim.Adam(p, lr=0.05)}[optimizer]
    opt = make(weighting.parameters())
    for _ in range(600):
        opt.zero_grad()
        weighting(fixed).backward()
        opt.step()
    assert_close(weighting.log_variance.detach(), fixed.log(), atol=1e-3, rtol=0)
    assert_close(weighting.weights() * fixed, torch.ones(3, dtype=dtype), atol=2e-3, rtol=0)  # each contributes 1
    optimum = (1 + fixed.log()).sum()  # the minimum value: e^{-log L} L + log L = 1 + log L per task
    assert_close(weighting(fixed).detach(), optimum, atol=1e-5, rtol=0)
