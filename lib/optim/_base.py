"""What every optimizer in :mod:`lib.optim` shares: hyperparameter checks and the loop over parameter groups.

An optimizer here is two things. A *pure update rule* ``<name>_update_(param, grad, state, **options)`` changes
one tensor in place and creates its ``state`` on first use; it knows nothing about parameter groups. A thin
:class:`torch.optim.Optimizer` subclass checks the hyperparameters, builds ``defaults`` and, in :meth:`step`,
hands every parameter that has a gradient to the rule, under ``torch.no_grad()``. ``state_dict()``,
``load_state_dict()``, ``zero_grad()``, ``add_param_group()`` and the step hooks come from torch unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from lib._validate import check_number


def check_non_negative(name: str, value) -> float:
    """Raise unless ``value`` is a finite real number ≥ 0 (learning rates, eps, weight decay)."""
    return check_number(name, value, low=0, high_open=True)  # high_open only makes the message read [0, inf)


def check_unit_interval(name: str, value, *, high_open: bool = False) -> float:
    """Raise unless ``value`` lies in [0, 1] (or [0, 1) with ``high_open=True``): decay rates such as rho."""
    return check_number(name, value, low=0, high=1, high_open=high_open)


def check_bool(name: str, value) -> bool:
    """Raise unless ``value`` is a bool: ``amsgrad="no"`` would otherwise silently mean True."""
    if not isinstance(value, bool):
        raise ValueError(f"`{name}` must be a bool (True or False), got {value!r}")
    return value


def check_betas(value) -> tuple[float, float]:
    """Raise unless ``betas`` is a pair of numbers, each in [0, 1); name the offending entry."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"`betas` must be a pair (beta1, beta2) of numbers in [0, 1), got {value!r}")
    return tuple(check_unit_interval(f"betas[{i}]", beta, high_open=True) for i, beta in enumerate(value))


def scalar_step_tensor() -> torch.Tensor:
    """A fresh step counter exactly as torch 2.13 stores it without ``capturable``/``fused``.

    A 0-d CPU tensor, float64 when the default dtype is float64 and float32 otherwise (torch's
    ``_get_scalar_dtype``), so that a ``state_dict`` from one library loads into the other unchanged.
    """
    dtype = torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32
    return torch.tensor(0.0, dtype=dtype)


class RuleOptimizer(torch.optim.Optimizer):
    """A :class:`torch.optim.Optimizer` that applies a pure per-tensor update rule to every parameter.

    Subclasses set ``update_rule = staticmethod(rule)`` with ``rule(param, grad, state, **options)``, ``option_names``
    (the group entries the rule takes as keyword arguments) and implement ``check_options(options)``, which
    raises ``ValueError`` naming the bad argument. The check runs on the constructor's arguments and again on
    every parameter group, so a group's own ``lr=-1`` is caught as well.
    """

    update_rule: Callable[..., None]
    option_names: tuple[str, ...]

    @staticmethod
    def check_options(options: dict) -> None:
        raise NotImplementedError

    def __init__(self, params, defaults: dict) -> None:
        self.check_options(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:
        super().add_param_group(param_group)
        self.check_options(self.param_groups[-1])

    def step(self, closure: Callable[[], torch.Tensor] | None = None):
        """Take one step for every parameter that has a gradient; return ``closure()``'s loss (or None).

        ``closure`` re-evaluates the model and returns the loss; it runs with gradients enabled. Parameters
        whose ``.grad`` is ``None`` are skipped: they are not changed and get no state.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group: dict) -> None:
        options = {name: group[name] for name in self.option_names}
        for param in group["params"]:
            if param.grad is None:
                continue
            if param.grad.is_sparse:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            state = self.state[param]
            self.update_rule(param, param.grad, state, **options)
            if not state:  # a rule that keeps no state (SGD without momentum) leaves no empty entry, like torch
                del self.state[param]
