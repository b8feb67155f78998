"""lib.losses.kl_div against torch.nn.functional.kl_div, and distillation_loss against its composition of
torch's kl_div, log_softmax and cross_entropy; the T² scaling of the soft term checked numerically."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES

KL_REDUCTIONS = ["none", "mean", "sum", "batchmean"]


def _torch_kl(input, target, **options):
    with warnings.catch_warnings():  # torch warns that "mean" is not the KL divergence
        warnings.simplefilter("ignore", UserWarning)
        return F.kl_div(input, target, **options)


def _pair(shape, dtype, seed, scale=3.0, zeros=True):
    g = torch.Generator().manual_seed(seed)
    input = torch.log_softmax(scale * torch.randn(shape, generator=g, dtype=torch.float64), dim=-1)
    target = torch.softmax(2 * torch.randn(shape, generator=g, dtype=torch.float64), dim=-1)
    if zeros and len(shape) == 2 and shape[0] > 1:
        target[0] = 0
        target[0, 0] = 1  # a one-hot row: 0 · log 0 = 0 in every other class
    return input.to(dtype), target.to(dtype)


def _grads(fn, input, target, **options):
    input, target = input.detach().clone().requires_grad_(True), target.detach().clone().requires_grad_(True)
    value = fn(input, target, **options)
    return (value.detach(), *torch.autograd.grad(value.sum(), (input, target)))


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,), (0, 4)], ids=str)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div_equals_torch_in_value_and_both_gradients(dtype, reduction, log_target, shape):
    for scale in (3.0, 1e4):  # 1e4: log-probabilities of about -2e4 and exactly 0
        input, target = _pair(shape, dtype, seed=len(shape), scale=scale)
        target = target.log() if log_target else target
        if log_target and len(shape) == 2 and shape[0] > 1:
            target[0] = torch.log_softmax(torch.tensor([9.0, 0, 0, 0], dtype=dtype), 0)  # no -inf (see docstring)
        options = dict(reduction=reduction, log_target=log_target)
        ours = _grads(losses.kl_div, input, target, **options)
        theirs = _grads(_torch_kl, input, target, **options)
        for mine, twin in zip(ours, theirs):
            assert_close(mine, twin, equal_nan=True)  # nan: d/dt of t·log t at t = 0, as torch's


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div_of_a_one_hot_target_is_the_cross_entropy_and_of_equal_distributions_zero(dtype):
    input, target = _pair((6, 5), dtype, seed=1, zeros=False)
    hard = torch.zeros_like(target)
    hard[torch.arange(6), torch.arange(6) % 5] = 1
    assert_close(losses.kl_div(input, hard, reduction="batchmean"),
                 F.nll_loss(input, torch.arange(6) % 5))  # entropy of a one-hot target is 0
    assert_close(losses.kl_div(target.log(), target, reduction="sum"), torch.tensor(0.0, dtype=dtype))
    assert losses.kl_div(input, target, reduction="batchmean") > 0
    assert_close(losses.kl_div(input, target, reduction="mean") * 5,
                 losses.kl_div(input, target, reduction="batchmean"))  # "mean" also divides by the 5 classes


def _twin_distillation(student, teacher, target, temperature, alpha):
    soft = F.kl_div(F.log_softmax(student / temperature, dim=1), F.log_softmax(teacher.detach() / temperature, dim=1),
                    reduction="batchmean", log_target=True)
    return alpha * temperature**2 * soft + (1 - alpha) * F.cross_entropy(student, target)


@pytest.mark.parametrize("temperature, alpha", [(4.0, 0.9), (1.0, 0.5), (20.0, 1.0), (0.5, 0.0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_distillation_loss_equals_the_composition_of_torch_losses_and_the_teacher_gets_no_gradient(
        dtype, temperature, alpha):
    g = torch.Generator().manual_seed(2)
    for scale in (3.0, 1e4):
        student, teacher = (scale * torch.randn((8, 5), generator=g, dtype=torch.float64)).to(dtype), (
            scale * torch.randn((8, 5), generator=g, dtype=torch.float64)).to(dtype)
        target = torch.randint(0, 5, (8,), generator=g)
        results = []
        for fn in (losses.distillation_loss, _twin_distillation):
            s, t = student.clone().requires_grad_(True), teacher.clone().requires_grad_(True)
            value = fn(s, t, target, temperature=temperature, alpha=alpha)
            value.backward()
            assert t.grad is None
            results.append((value.detach(), s.grad))
        # logits of 1e4 in float32: the two log-softmaxes round differently by a few ulps of ~1e4 / T
        tolerance = dict(rtol=2e-5, atol=1e-4) if scale > 1 and dtype == torch.float32 else {}
        assert_close(results[0][0], results[1][0], **tolerance)
        assert_close(results[0][1], results[1][1], **tolerance)


def test_distillation_loss_of_an_empty_batch_is_nan_like_torch_mean_losses():
    empty = torch.zeros((0, 3))
    assert torch.isnan(losses.distillation_loss(empty, empty, torch.zeros(0, dtype=torch.int64)))


def _soft_gradient(student, teacher, temperature, scaled):
    student = student.clone().requires_grad_(True)
    soft = losses.distillation_loss(student, teacher, torch.zeros(len(student), dtype=torch.int64),
                                    temperature=temperature, alpha=1.0)  # alpha=1: the soft term alone, times T²
    (grad,) = torch.autograd.grad(soft if scaled else soft / temperature**2, student)
    return grad


@pytest.mark.parametrize("dtype", DTYPES)
def test_t_squared_keeps_the_soft_gradient_scale_independent_of_the_temperature(dtype):
    g = torch.Generator().manual_seed(3)
    student, teacher = (torch.randn((16, 10), generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
    temperatures = [8.0, 16.0, 32.0, 64.0]
    scaled = [_soft_gradient(student, teacher, t, scaled=True).norm() for t in temperatures]
    unscaled = [_soft_gradient(student, teacher, t, scaled=False).norm() for t in temperatures]
    for t, norm, bare in zip(temperatures, scaled, unscaled):
        assert abs(norm / scaled[-1] - 1) < 0.05  # roughly constant with T²
        assert abs(bare * t**2 / (unscaled[-1] * 64.0**2) - 1) < 0.05  # without it: falls like 1/T²
    assert unscaled[0] / unscaled[-1] > 50  # 8² : 64² would be 64
    # the high-temperature limit of T² (q - p) / T: (z - v) / C per logit, centred, averaged over the batch of 16;
    # the next term of the expansion is O(|z - v| / T) relative, under 1 % at T = 512
    centred = (student - student.mean(1, keepdim=True)) - (teacher - teacher.mean(1, keepdim=True))
    assert_close(_soft_gradient(student, teacher, 512.0, scaled=True), centred / (10 * 16), rtol=0.01, atol=1e-4)
