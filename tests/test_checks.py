"""lib.checks: a correct learner function passes; each common mistake fails with a message that explains it."""

import pytest
import torch

from lib import checks, losses


def _reduce(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def huber_right(input, target, delta=1.0, reduction="mean"):
    r = (input - target).abs()
    return _reduce(torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)), reduction)


def huber_without_the_half(input, target, delta=1.0, reduction="mean"):
    r = (input - target).abs()
    return _reduce(torch.where(r <= delta, r**2, 2 * delta * (r - 0.5 * delta)), reduction)


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
        return _reduce(torch.where(r.abs() > 40, r.abs(), r**2), reduction)

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
        return _reduce(WrongGrad.apply(input - target), reduction)

    with pytest.raises(AssertionError, match="the gradient of mse"):
        checks.check_loss(mse, losses.mse_loss)


def test_check_choice_explains_right_and_wrong_answers():
    explanations = {"mse": "outliers dominate", "huber": "robust and smooth"}
    assert "robust and smooth" in repr(checks.check_choice("huber", correct="huber", explanations=explanations))
    with pytest.raises(AssertionError, match="Not the best choice: outliers dominate"):
        checks.check_choice("mse", correct="huber", explanations=explanations)
    with pytest.raises(AssertionError, match="not one of the options"):
        checks.check_choice("l2", correct="huber", explanations=explanations)


def test_check_value_uses_a_relative_tolerance_and_shows_the_hint():
    assert "✓" in repr(checks.check_value(1.0004, 1.0, name="coverage"))
    with pytest.raises(AssertionError, match=r"coverage = 0.7 is too low by about 10% .* count both tails"):
        checks.check_value(torch.tensor(0.7), 0.8, name="coverage", hint="count both tails")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), torch.tensor(float("nan"))])
def test_check_value_fails_for_nan_and_inf(value):
    with pytest.raises(AssertionError, match="not a finite number"):
        checks.check_value(value, 0.8, name="coverage")


@pytest.mark.parametrize(
    ("value", "expected", "says"),
    [(0.7, 0.8123, "too low by about 10%"), (0.9, 0.8123, "too high by about 10%"),
     (0.84, 0.8123, "too high by about 3%"), (8.0, 0.8123, "too high: about 10 times"),
     (0.1, 0.8123, "too low: about 1/8 of"), (-0.8, 0.8123, "wrong sign"), (0.0, 0.8123, "the answer is not 0"),
     (0.5, 0.0, "coverage = 0.5 is too high")],
)  # fmt: skip
def test_check_value_says_too_high_or_too_low_and_never_shows_the_expected_number(value, expected, says):
    with pytest.raises(AssertionError) as failure:
        checks.check_value(value, expected, name="coverage")
    assert says in str(failure.value)
    assert "expected" not in str(failure.value) and "0.8123" not in str(failure.value)
    passed = repr(checks.check_value(0.81231, 0.8123, name="coverage"))
    assert passed.startswith("✓ coverage = 0.81231 (within") and "0.8123 " not in passed and "expected" not in passed


@pytest.mark.parametrize(("rtol", "shown"), [(1e-3, "±0.1%"), (1e-4, "±0.01%"), (2e-2, "±2%"), (0.5, "±50%")])
def test_check_value_shows_small_tolerances_without_rounding_them_to_zero(rtol, shown):
    assert shown in repr(checks.check_value(1.0, 1.0, name="x", rtol=rtol))
    with pytest.raises(AssertionError, match=f"tolerance {shown}"):
        checks.check_value(3.0, 1.0, name="x", rtol=rtol)


def test_check_function_without_cases_raises_instead_of_passing():
    with pytest.raises(ValueError, match="`cases` must hold at least one Case"):
        checks.check_function(losses.mse_loss, losses.mse_loss, [])


def test_max_difference_is_zero_for_the_same_function_and_sees_value_and_gradient_errors():
    x, y = torch.randn(20, dtype=torch.float64), torch.randn(20, dtype=torch.float64)
    same = checks.max_difference(losses.mse_loss, losses.mse_loss, x, y)
    assert same.value == 0 and same.gradient == 0 and repr(same) == "max |difference|: value 0, gradient 0"
    off = checks.max_difference(lambda i, t: losses.mse_loss(i, t) + 1e-3, losses.mse_loss, x, y)
    assert off.value == pytest.approx(1e-3) and off.gradient == 0


def test_differences_are_reported_by_order_of_magnitude():
    assert repr(checks.Differences(3e-17, 2e-13)) == "max |difference|: value ≤ 1e-15, gradient ≤ 1e-12"
    assert repr(checks.Differences(0.5, 0.0)) == "max |difference|: value 5.00e-01, gradient 0"


def test_format_difference_buckets_round_off_and_shows_real_differences():
    assert [checks.format_difference(v) for v in (0.0, 3e-17, 2e-10, 0.25)] == ["0", "≤ 1e-15", "≤ 1e-09", "2.50e-01"]


def test_format_difference_with_a_floor_hides_round_off_below_it_including_zero():
    assert [checks.format_difference(v, floor=1e-12) for v in (0.0, 3e-16, 1e-12)] == ["≤ 1e-12"] * 3
    assert checks.format_difference(2e-10, floor=1e-12) == "≤ 1e-09"
    with pytest.raises(ValueError, match="`floor`"):
        checks.format_difference(1.0, floor=-1.0)
