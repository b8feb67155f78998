"""lib.checks.check_loss, check_gradient_formula and check_function (functions.py): a correct learner function
passes; each common mistake fails with a message that explains it."""

import pytest
import torch

from lib import checks, losses
from tests.helpers import reduce


def huber_right(input, target, delta=1.0, reduction="mean"):
    r = (input - target).abs()
    return reduce(torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)), reduction)


def huber_without_the_half(input, target, delta=1.0, reduction="mean"):
    r = (input - target).abs()
    return reduce(torch.where(r <= delta, r**2, 2 * delta * (r - 0.5 * delta)), reduction)


def huber_always_summed(input, target, delta=1.0, reduction="mean"):
    return huber_right(input, target, delta, "sum")


def huber_through_numpy(input, target, delta=1.0, reduction="mean"):
    return torch.as_tensor(huber_right(input, target, delta, reduction).detach().numpy())


def test_a_correct_loss_passes_and_reports_the_number_of_cases():
    result = checks.check_loss(huber_right, losses.huber_loss, options={"delta": 1.0})
    assert "✓ huber_right matches the reference on 9 cases" in repr(result)


def test_a_missing_half_is_reported_as_a_constant_factor_of_two():
    with pytest.raises(AssertionError, match=r"reference times 2 everywhere"):
        checks.check_loss(huber_without_the_half, losses.huber_loss)


def test_ignoring_the_reduction_is_reported_as_a_shape_mistake():
    with pytest.raises(AssertionError, match=r"has shape \(\), expected \(8,\).*reduction='none' must keep"):
        checks.check_loss(huber_always_summed, losses.huber_loss)


def test_leaving_autograd_is_reported():
    with pytest.raises(AssertionError, match="autograd cannot differentiate"):
        checks.check_loss(huber_through_numpy, losses.huber_loss)


def test_an_exception_in_the_learners_code_is_reported_with_the_case():
    def broken(input, target, reduction="mean"):
        raise NameError("name 'resid' is not defined")

    with pytest.raises(AssertionError, match=r"For small residuals .* raised NameError: name 'resid'"):
        checks.check_loss(broken, losses.mse_loss)


def test_an_elementwise_loss_without_reduction_is_compared_with_reduction_none():
    def log_cosh(input, target):
        return torch.log(torch.cosh(input - target))

    assert "✓" in repr(checks.check_loss(log_cosh, losses.log_cosh_loss, reductions=None))


def test_a_wrong_value_names_the_first_index_where_it_differs():
    def mse_off_at_large(input, target, reduction="mean"):
        r = input - target
        return reduce(torch.where(r.abs() > 40, r.abs(), r**2), reduction)

    with pytest.raises(AssertionError, match=r"large residuals .* 2 of 8 value\(s\) differ; first at index \[0\]"):
        checks.check_loss(mse_off_at_large, losses.mse_loss)


def test_gradient_formula_check_accepts_tanh_for_log_cosh_and_explains_a_sign_error():
    assert "✓" in repr(checks.check_gradient_formula(lambda i, t: torch.tanh(i - t), losses.log_cosh_loss))
    with pytest.raises(AssertionError, match="wrong sign"):
        checks.check_gradient_formula(lambda i, t: torch.tanh(t - i), losses.log_cosh_loss)


def test_a_wrong_gradient_with_right_values_is_caught():
    class WrongGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, r):
            return r**2

        @staticmethod
        def backward(ctx, grad):
            return grad  # should be 2 r grad

    def mse(input, target, reduction="mean"):
        return reduce(WrongGrad.apply(input - target), reduction)

    with pytest.raises(AssertionError, match="the gradient of mse"):
        checks.check_loss(mse, losses.mse_loss)


def test_check_function_without_cases_raises_instead_of_passing():
    with pytest.raises(ValueError, match="`cases` must hold at least one Case"):
        checks.check_function(losses.mse_loss, losses.mse_loss, [])
