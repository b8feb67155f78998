"""What several test files share: the dtypes and reductions every loss is tested in, torch's reduction written
out, autograd's value and gradient of a function, a quiet ``fit`` with plain SGD, and the check of one row of a
bad-input table."""

import pytest
import torch

from lib import train

DTYPES = [torch.float32, torch.float64]
REDUCTIONS = ["none", "mean", "sum"]


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """``loss`` reduced as ``torch.nn.functional`` does for ``reduction`` in ``REDUCTIONS``."""
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def value_and_grad(fn, input: torch.Tensor, *args, **options) -> tuple[torch.Tensor, torch.Tensor]:
    """``fn(input, *args, **options)`` (detached) and the gradient of its sum with respect to ``input``."""
    input = input.detach().clone().requires_grad_(True)
    value = fn(input, *args, **options)
    (grad,) = torch.autograd.grad(value.sum(), input)
    return value.detach(), grad


def fit_sgd(model, loss_fn, train_loader, *, lr=0.1, num_epochs=1, **options):
    """``lib.train.fit`` with ``torch.optim.SGD(model.parameters(), lr=lr)`` (progress bars are off in tests)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return train.fit(model, loss_fn, optimizer, train_loader, num_epochs=num_epochs, **options)


def assert_refused(call, error: type, match: str) -> None:
    """``call()`` raises ``error`` (a ValueError or TypeError subclass) whose message contains ``match``."""
    with pytest.raises((ValueError, TypeError)) as raised:
        call()
    assert isinstance(raised.value, error), f"{type(raised.value).__name__}: {raised.value}"
    assert match in str(raised.value)


def call_rule(rule, options: dict, make, overrides: dict):
    """Call an optimizer's update rule on ``make()``'s (param, grad, state) with ``options`` updated by ``overrides``:
    one row of a bad-input table of update rules."""
    param, grad, state = make()
    return rule(param, grad, state, **{**options, **overrides})


def _z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


# Mistakes every optimizer update rule ``rule(param, grad, state, **options)`` must refuse, as rows
# name: (make() -> (param, grad, state), option overrides, message the error must match); see call_rule.
COMMON_RULE_MISTAKES = {
    "grad of another shape": (lambda: (_z(3, 4), _z(4), {}), {}, "`grad` must have the shape, dtype and device"),
    "grad float64": (lambda: (_z(3), _z(3, dtype=torch.float64), {}), {}, "`grad` must have the shape, dtype"),
    "grad a list": (lambda: (_z(2), [0.0, 1.0], {}), {}, "`grad` must be a torch.Tensor"),
    "int param": (lambda: (_z(3, dtype=torch.int64), _z(3, dtype=torch.int64), {}), {}, "`param` must be a floating"),
    "state a list": (lambda: (_z(3), _z(3), []), {}, "`state` must be a dict"),
    "param recording autograd": (lambda: (_z(3).requires_grad_(True), _z(3), {}), {}, "`param` requires grad"),
    "lr -1": (lambda: (_z(3), _z(3), {}), {"lr": -1.0}, "`lr` must be in"),
    "maximize 'no'": (lambda: (_z(3), _z(3), {}), {"maximize": "no"}, "`maximize` must be a bool"),
}
