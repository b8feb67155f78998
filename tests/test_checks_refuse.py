"""lib.checks.refuse through the checks that use it: a learner's function that calls the reference it is checked
against (or a refused twin) fails with a message saying so, however the learner reached it; the names are back to
normal after the check, and a learner's own implementation is unaffected."""

import pytest
import torch
import torch.nn.functional as F

import lib.losses
from lib import checks, losses
from lib.losses import huber_loss as imported_huber


def own_huber(input, target, delta=1.0, reduction="mean"):
    r = (input - target).abs()
    loss = torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


def via_module(input, target, delta=1.0, reduction="mean"):
    return losses.huber_loss(input, target, delta=delta, reduction=reduction)


def via_imported_name(input, target, delta=1.0, reduction="mean"):
    return imported_huber(input, target, delta=delta, reduction=reduction)


def via_torch_twin(input, target, delta=1.0, reduction="mean"):
    return F.huber_loss(input, target, delta=delta, reduction=reduction)


def test_own_implementation_passes_while_the_reference_is_refused():
    assert "✓" in repr(checks.check_loss(own_huber, losses.huber_loss, options={"delta": 1.5}))


@pytest.mark.parametrize("learner", [via_module, via_imported_name])
def test_calling_the_reference_fails_and_says_why(learner):
    with pytest.raises(checks.RefusedCall, match=f"{learner.__name__} calls lib.losses.huber_loss: the exercise "
                                                 "is to write it yourself"):
        checks.check_loss(learner, losses.huber_loss)
    assert lib.losses.huber_loss is imported_huber  # restored after the check
    assert via_module(torch.ones(2), torch.zeros(2)).item() == 0.5


def test_a_twin_passes_unless_it_is_forbidden():
    assert "✓" in repr(checks.check_loss(via_torch_twin, losses.huber_loss))
    with pytest.raises(checks.RefusedCall, match="calls torch.nn.functional.huber_loss"):
        checks.check_loss(via_torch_twin, losses.huber_loss, forbid=(F.huber_loss,))
    assert F.huber_loss(torch.ones(1), torch.zeros(1)).item() == 0.5


def test_a_gradient_formula_may_not_differentiate_the_loss_with_autograd():
    def by_autograd(input, target):
        input = input.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(losses.log_cosh_loss(input, target, reduction="sum"), input)
        return grad

    def by_hand(input, target):
        return torch.tanh(input - target)

    assert "✓" in repr(checks.check_gradient_formula(by_hand, losses.log_cosh_loss))
    with pytest.raises(checks.RefusedCall, match="by_autograd calls lib.losses.log_cosh_loss"):
        checks.check_gradient_formula(by_autograd, losses.log_cosh_loss)


def test_an_update_rule_may_not_build_the_reference_optimizer():
    def via_torch(param, grad, state, *, lr):
        if "opt" not in state:
            state["p"] = param.detach().clone().requires_grad_(True)
            state["opt"] = torch.optim.SGD([state["p"]], lr=lr)
        state["p"].grad = grad
        state["opt"].step()
        param.copy_(state["p"].detach())

    def by_hand(param, grad, state, *, lr):
        param.sub_(lr * grad)

    assert "✓" in repr(checks.check_optimizer_step(by_hand, torch.optim.SGD, options={"lr": 0.1}))
    with pytest.raises(checks.RefusedCall, match="via_torch calls torch.optim.SGD"):
        checks.check_optimizer_step(via_torch, torch.optim.SGD, options={"lr": 0.1})
    assert torch.optim.SGD.__name__ == "SGD"


def test_check_function_refuses_its_reference_and_the_listed_twins():
    def square(x):
        return x**2

    def mine(x):
        return torch.square(x)

    cases = [checks.Case("a vector", (torch.arange(3.0),))]
    assert "✓" in repr(checks.check_function(mine, square, cases))
    with pytest.raises(checks.RefusedCall, match="mine calls torch.square"):
        checks.check_function(mine, square, cases, forbid=(torch.square,))
    assert torch.square(torch.tensor(3.0)).item() == 9.0


@pytest.mark.parametrize("forbid", [F.huber_loss, "F.huber_loss", 3, (F.huber_loss, 3)])
def test_forbid_must_be_a_tuple_of_callables(forbid):
    with pytest.raises(ValueError, match="`forbid"):
        checks.check_loss(own_huber, losses.huber_loss, forbid=forbid)


def test_a_refused_tensor_method_is_refused_as_a_method_and_inside_its_functional_twin():
    def by_method(input, dim):
        return input.log_softmax(dim)

    def by_functional(input, dim):
        return F.log_softmax(input, dim)

    def by_hand(input, dim):
        shifted = input - input.amax(dim, keepdim=True)
        return shifted - shifted.exp().sum(dim, keepdim=True).log()

    cases = [checks.Case("a (2, 3) batch", (torch.randn(2, 3, dtype=torch.float64),), {"dim": 1})]
    forbid = (torch.Tensor.log_softmax,)
    assert "✓" in repr(checks.check_function(by_hand, torch.log_softmax, cases, forbid=forbid))
    for learner in (by_method, by_functional):
        with pytest.raises(checks.RefusedCall, match=f"{learner.__name__} calls the tensor method .log_softmax()"):
            checks.check_function(learner, torch.log_softmax, cases, forbid=forbid)
    assert "log_softmax" not in vars(torch.Tensor)  # the class is as it was
    assert torch.tensor([0.0, 0.0]).log_softmax(0).allclose(torch.full((2,), -0.6931471805599453))


def test_a_tensor_method_defined_in_python_is_refused_and_then_restored():
    original = torch.Tensor.norm  # defined on torch.Tensor itself, not on its C base class

    def by_method(x):
        return x.norm()

    def by_hand(x):
        return (x**2).sum().sqrt()

    cases = [checks.Case("a vector", (torch.tensor([3.0, 4.0]),))]
    with pytest.raises(checks.RefusedCall, match="the tensor method .norm()"):
        checks.check_function(by_method, by_hand, cases, forbid=(torch.Tensor.norm,))
    assert torch.Tensor.norm is original
    assert "✓" in repr(checks.check_function(by_method, by_hand, cases, forbid=None))
