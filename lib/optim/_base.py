"""What every optimizer in :mod:`lib.optim` shares: hyperparameter checks and the loop over parameter groups.

An optimizer here is two things. A *pure update rule* ``<name>_update_(param, grad, state, **options)`` changes
one tensor in place and creates its ``state`` on first use; it knows nothing about parameter groups. A thin
:class:`torch.optim.Optimizer` subclass checks the hyperparameters, builds ``defaults`` and, in :meth:`step`,
hands every parameter that has a gradient to the rule, under ``torch.no_grad()``. A rule checks all its arguments
before it changes anything, and a step checks every gradient before it changes any parameter, so that an error
never leaves a half-done step behind. ``state_dict()``,
``load_state_dict()``, ``zero_grad()``, ``add_param_group()`` and the step hooks come from torch unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from lib._validate import check_number


def check_non_negative(name: str, value) -> float:
    """Raise unless ``value`` is a finite real number ≥ 0 (learning rates, eps, weight decay)."""
    return check_number(name, value, low=0)


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


def check_rule_arguments(param, grad, state, required_state: tuple[str, ...] = ()) -> None:
    """The checks a public update rule makes before it changes anything, so that an error leaves no half-done step.

    ``param`` a floating (or complex) tensor that may be changed in place; ``grad`` a tensor of its shape, dtype
    and device (torch would broadcast a smaller one silently); ``state`` a dict, empty or holding every entry in
    ``required_state`` (see :func:`require_state`). An optimizer's step needs none but the last: autograd gives
    every ``.grad`` its parameter's shape and dtype, and the options were checked when the group was added.
    """
    if not isinstance(param, torch.Tensor) or not (param.is_floating_point() or param.is_complex()):
        kind = f"dtype {param.dtype}" if isinstance(param, torch.Tensor) else type(param).__name__
        raise ValueError(f"`param` must be a floating-point (or complex) torch.Tensor, got {kind}")
    if not isinstance(grad, torch.Tensor):
        raise ValueError(f"`grad` must be a torch.Tensor, got {type(grad).__name__}")
    if (grad.shape, grad.dtype, grad.device) != (param.shape, param.dtype, param.device):
        raise ValueError(
            f"`grad` must have the shape, dtype and device of `param` ({tuple(param.shape)}, {param.dtype}, "
            f"{param.device}), got ({tuple(grad.shape)}, {grad.dtype}, {grad.device})"
        )
    if param.requires_grad and torch.is_grad_enabled():
        raise ValueError("`param` requires grad while autograd is recording: call the update rule under "
                         "torch.no_grad(), as an optimizer's step does")
    if not isinstance(state, dict):
        raise ValueError(f"`state` must be a dict (empty before the first step), got {type(state).__name__}")
    require_state(state, required_state)


def require_state(state: dict, keys: tuple[str, ...]) -> None:
    """Raise unless ``state`` is empty (a first step) or holds every entry in ``keys``; one is missing when an
    option that needs it (``amsgrad``, ``momentum``, ``centered``) was switched on after the first step."""
    missing = [key for key in keys if key not in state]
    if state and missing:
        raise ValueError(
            f"`state` has no {', '.join(map(repr, missing))}: it was built by steps with other options (one that "
            "needs it was switched on after the first step); start again from an empty state"
        )


def as_real(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Complex tensors viewed as real ones with a last dimension of 2 (``torch.view_as_real``), others as they are.

    torch's adaptive optimizers treat a complex parameter as pairs of real numbers, so that g² means the square of
    each part, not the complex square; the views share memory, so in-place updates reach the complex state.
    """
    if not any(t.is_complex() for t in tensors):
        return tensors  # the common case, kept cheap: it runs for every tensor at every step
    return tuple(torch.view_as_real(t) if t.is_complex() else t for t in tensors)


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
    every parameter group before it is added, so a group's own ``lr=-1`` is caught as well and the group is not
    kept. ``rule`` is the public ``<name>_update_`` less its argument checks (made here once per group instead of
    once per tensor and step), but with its check of the state's entries.
    """

    update_rule: Callable[..., None]
    option_names: tuple[str, ...]
    finite_gradients_only: bool = False  # True: a step with a nan/inf gradient raises before changing anything

    @staticmethod
    def check_options(options: dict) -> None:
        raise NotImplementedError

    def __init__(self, params, defaults: dict) -> None:
        self.check_options(defaults)
        if not isinstance(params, (torch.Tensor, dict)):
            params = list(params)
            if not params:
                raise ValueError("`params` is empty: pass model.parameters() of a model that has parameters, "
                                 "or a non-empty list of tensors or parameter groups")
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:
        """torch's ``add_param_group``, after checking the group's options (its own, else the defaults), so that
        a rejected group is not kept."""
        if isinstance(param_group, dict):
            self.check_options({**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}})
        super().add_param_group(param_group)

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
            self._check_gradients()
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _check_gradients(self) -> None:
        """Every gradient is checked before any parameter changes, so an error never leaves a half-done step."""
        name = type(self).__name__
        for g, group in enumerate(self.param_groups):
            for i, param in enumerate(group["params"]):
                if param.grad is None:
                    continue
                if param.grad.is_sparse:
                    raise RuntimeError(f"{name} does not support sparse gradients")
                if self.finite_gradients_only and not torch.isfinite(param.grad).all():
                    bad = int((~torch.isfinite(param.grad)).sum())
                    raise ValueError(
                        f"{name}: the gradient of parameter {i} of param group {g} (shape {tuple(param.shape)}) has "
                        f"{bad} nan/inf entries; nothing was updated. A nan in the momentum would freeze those "
                        "entries for good (sign(nan) = 0): find the overflow (a smaller lr, gradient clipping)"
                    )

    def _step_group(self, group: dict) -> None:
        options = {name: group[name] for name in self.option_names}
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            self.update_rule(param, param.grad, state, **options)
            if not state:  # a rule that keeps no state (SGD without momentum) leaves no empty entry, like torch
                del self.state[param]
