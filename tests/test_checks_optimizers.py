"""lib.checks.check_optimizer_step (optimizers.py): a correct one-tensor Adam passes; each classic
mistake fails with a message naming the step, the quantity and what is off."""

import math

import pytest
import torch

from lib import checks, optim

# ----- check_optimizer_step: a learner's one-tensor Adam against torch.optim.Adam -------------------------------

ADAM = {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8}


def _adam(param, grad, state, lr, betas, eps, *, bias_correction=True, eps_inside_root=False):
    """Adam written the textbook way, with switches for two classic mistakes."""
    if not state:
        state.update(step=0, exp_avg=torch.zeros_like(param), exp_avg_sq=torch.zeros_like(param))
    beta1, beta2 = betas
    state["step"] += 1
    t = state["step"] if bias_correction else math.inf  # β^∞ = 0: no correction
    state["exp_avg"].mul_(beta1).add_((1 - beta1) * grad)
    state["exp_avg_sq"].mul_(beta2).add_((1 - beta2) * grad**2)
    m_hat = state["exp_avg"] / (1 - beta1**t)
    v_hat = state["exp_avg_sq"] / (1 - beta2**t)
    denom = (v_hat + eps).sqrt() if eps_inside_root else v_hat.sqrt() + eps
    param.sub_(lr * m_hat / denom)


def adam_right(param, grad, state, *, lr, betas, eps):
    _adam(param, grad, state, lr, betas, eps)


def adam_returning_the_new_value(param, grad, state, *, lr, betas, eps):
    param = param.clone()
    _adam(param, grad, state, lr, betas, eps)
    return param


def adam_without_bias_correction(param, grad, state, *, lr, betas, eps):
    _adam(param, grad, state, lr, betas, eps, bias_correction=False)


def adam_eps_inside_the_root(param, grad, state, *, lr, betas, eps):
    _adam(param, grad, state, lr, betas, eps, eps_inside_root=True)


def adam_with_a_reduced_moment(param, grad, state, *, lr, betas, eps):
    _adam(param, grad, state, lr, betas, eps)
    state["exp_avg_sq"] = state["exp_avg_sq"].mean()  # one number for the whole tensor: wrong shape


def adam_that_forgets_its_momentum(param, grad, state, *, lr, betas, eps):
    _adam(param, grad, state, lr, betas, eps)
    state["exp_avg"].fill_(0.0)  # the step used m, but m is lost for the next one


def test_a_correct_adam_passes_and_names_the_state_entries_it_compared():
    result = checks.check_optimizer_step(adam_right, torch.optim.Adam, options=ADAM)
    expected = "✓ adam_right matches torch.optim.Adam for 10 steps on a (3, 4) tensor "
    assert repr(result) == expected + "(the parameter, state['exp_avg'], state['exp_avg_sq'], state['step'])."


def test_a_rule_may_return_the_new_parameter_instead_of_changing_it_in_place():
    assert "✓" in repr(checks.check_optimizer_step(adam_returning_the_new_value, torch.optim.Adam, options=ADAM))


def test_a_correct_rule_passes_against_lib_optim_as_well():
    result = checks.check_optimizer_step(adam_right, optim.Adam, options=ADAM, steps=30, shape=(7,))
    assert "✓ adam_right matches lib.optim.Adam for 30 steps on a (7,) tensor" in repr(result)


def test_adam_without_bias_correction_fails_at_step_1_on_the_parameter_with_its_factor():
    with pytest.raises(AssertionError, match=r"^At step 1 \(of 10\), the parameter differs from the reference") as info:
        checks.check_optimizer_step(adam_without_bias_correction, torch.optim.Adam, options=ADAM)
    assert "Your step is 3.162 times the reference's" in str(info.value)  # (1 - beta1) / sqrt(1 - beta2)


def test_a_mistake_that_is_not_a_constant_factor_gets_no_factor_hint():
    with pytest.raises(AssertionError) as info:
        checks.check_optimizer_step(adam_eps_inside_the_root, torch.optim.Adam, options=ADAM)
    assert "times the reference's" not in str(info.value)


def test_eps_inside_the_square_root_fails_on_the_parameter_at_step_1():
    # the gradients' scales grow along the tensor, so row 0 holds the tiny ones, where eps matters
    with pytest.raises(AssertionError, match=r"^At step 1 \(of 10\), the parameter differs .* most at index \[0, \d\]"):
        checks.check_optimizer_step(adam_eps_inside_the_root, torch.optim.Adam, options=ADAM)


def test_eps_inside_the_root_passes_only_when_eps_cannot_matter():
    with pytest.raises(AssertionError, match="the parameter differs"):  # gradients as small as 1e-6 see eps
        checks.check_optimizer_step(adam_eps_inside_the_root, torch.optim.Adam, options={**ADAM, "eps": 1e-12})


def test_a_wrong_state_entry_is_named_before_the_parameter():
    with pytest.raises(AssertionError, match=r"^At step 1 \(of 10\), state\['exp_avg'\] differs"):
        checks.check_optimizer_step(adam_that_forgets_its_momentum, torch.optim.Adam, options=ADAM)


def test_a_state_entry_of_the_wrong_shape_is_reported_as_a_shape_mistake():
    with pytest.raises(AssertionError, match=r"state\['exp_avg_sq'\] has shape \(\), expected \(3, 4\)"):
        checks.check_optimizer_step(adam_with_a_reduced_moment, torch.optim.Adam, options=ADAM)


def test_a_returned_parameter_of_the_wrong_shape_is_reported_as_a_shape_mistake():
    def squeezed(param, grad, state, **options):
        return adam_returning_the_new_value(param, grad, state, **options).reshape(-1)

    with pytest.raises(AssertionError, match=r"At step 1 .* the parameter has shape \(12,\), expected \(3, 4\)"):
        checks.check_optimizer_step(squeezed, torch.optim.Adam, options=ADAM)


def test_returning_something_else_than_a_tensor_or_none_is_explained():
    def returns_a_list(param, grad, state, **options):
        return [param]

    with pytest.raises(AssertionError, match="returned a list: return the new parameter tensor"):
        checks.check_optimizer_step(returns_a_list, torch.optim.Adam, options=ADAM)


def test_an_exception_in_the_learners_rule_names_the_step():
    def broken(param, grad, state, *, lr, betas, eps):
        if state.get("step") == 2:
            raise KeyError("exp_avg")
        _adam(param, grad, state, lr, betas, eps)

    with pytest.raises(AssertionError, match=r"At step 3 \(of 10\), your update raised KeyError"):
        checks.check_optimizer_step(broken, torch.optim.Adam, options=ADAM)


def test_the_gradient_sequence_is_fixed_and_spans_seven_decades():
    grads = checks.optimizer_gradients(4, (2, 5), seed=3)
    assert torch.equal(grads, checks.optimizer_gradients(4, (2, 5), seed=3)) and grads.dtype == torch.float64
    scales = torch.logspace(-6, 1, 10, dtype=torch.float64).reshape(2, 5)
    assert (grads.abs() / scales).max() < 6  # |N(0, 1)| < 6 always in practice
    with pytest.raises(ValueError, match="`steps`"):
        checks.optimizer_gradients(0, (3,))


def test_a_state_entry_that_is_not_a_number_is_explained():
    def step_as_text(param, grad, state, *, lr, betas, eps):
        _adam(param, grad, state, lr, betas, eps)
        state["step"] = str(state["step"])

    with pytest.raises(AssertionError, match=r"At step 1 \(of 10\), state\['step'\] is a str, not a number"):
        checks.check_optimizer_step(step_as_text, torch.optim.Adam, options=ADAM)


def test_a_lambda_reference_is_named_plainly():
    result = checks.check_optimizer_step(adam_right, lambda p, **o: torch.optim.Adam(p, **o), options=ADAM, steps=3)
    assert "✓ adam_right matches the reference for 3 steps" in repr(result)


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4)])
def test_an_empty_shape_raises_instead_of_passing_with_nothing_compared(shape):
    with pytest.raises(ValueError, match="`shape` must have at least one element"):
        checks.check_optimizer_step(adam_right, torch.optim.Adam, options=ADAM, shape=shape)
