r"""Learning-rate schedules, made by factories.

Every function here is a *factory*: it takes the schedule's options, checks each of them once, and returns a
:class:`Schedule`, a function of the step alone, ``schedule(step) -> lr``::

    cosine = lib.schedules.cosine(lr=0.1, total_steps=100, eta_min=1e-3)   # a bad option fails here
    cosine(0), cosine(50), cosine(100)                                      # 0.1, 0.0505, 0.001

``step`` has the semantics of ``torch.optim.lr_scheduler``: it counts the calls of ``scheduler.step()`` made so
far, so ``schedule(0)`` is the learning rate of the very first update. The options have torch's names, and each
schedule equals its torch twin lr for lr (the tests compare them over whole runs):

- :func:`constant`: no scheduler at all (or ``LambdaLR(lambda t: 1.0)``)
- :func:`step_decay`: ``StepLR(step_size, gamma)``
- :func:`exponential`: ``ExponentialLR(gamma)``
- :func:`inverse_time`: ``LambdaLR(lambda t: 1 / (1 + decay * t))``, the :math:`1/t` decay of Robbins and Monro
- :func:`linear_warmup`: ``LinearLR(start_factor, end_factor=1, total_iters=warmup_steps)``
- :func:`cosine`: ``CosineAnnealingLR(T_max=total_steps, eta_min)``
- :func:`cosine_warm_restarts`: ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)``
- :func:`warmup_cosine`: ``SequentialLR([LinearLR, CosineAnnealingLR], milestones=[warmup_steps])``
- :func:`one_cycle`: ``OneCycleLR(max_lr, total_steps, ...)``'s learning rate (it also cycles the momentum)

A schedule can be plotted (:func:`lib.plot.plot_schedules`) and trained with: :func:`as_lambda_lr` drives any of
them, or any function of your own of the step, through ``torch.optim.lr_scheduler.LambdaLR``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

import torch

from lib._validate import check_bool, check_int, check_number


def _check_step(step) -> int:
    """The step as a Python int: an int, an integral NumPy scalar (``np.int64`` from ``np.arange``) or a 0-d integer
    tensor (from ``torch.arange``), never negative; bools and floats are refused."""
    if isinstance(step, torch.Tensor) and step.dim() == 0 and not step.is_floating_point() and not step.is_complex():
        if step.dtype != torch.bool:
            step = step.item()
    return check_int("step", step, low=0)


class Schedule:
    """A learning-rate schedule: ``schedule(step)`` is the learning rate (a float) of update ``step``.

    Made by the factories of this module, whose options it keeps in ``options`` (already checked), and whose call
    its repr shows, e.g. ``cosine(lr=0.1, total_steps=100, eta_min=0.0)``. Calling it checks only the step.
    """

    __slots__ = ("name", "options", "_lr_at")

    def __init__(self, name: str, lr_at: Callable[[int], float], **options):
        self.name, self.options, self._lr_at = name, options, lr_at

    def __call__(self, step) -> float:
        return self._lr_at(_check_step(step))

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.options.items())})"


def _check_lr(name: str, value) -> float:
    return check_number(name, value, low=0.0, low_open=True)


def _check_gamma(gamma) -> float:
    return check_number("gamma", gamma, low=0.0, high=1.0, low_open=True)


def constant(*, lr: float) -> Schedule:
    r"""The same learning rate at every step: :math:`\eta_t = \eta`."""
    lr = _check_lr("lr", lr)
    return Schedule("constant", lambda step: lr, lr=lr)


def step_decay(*, lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Multiply by ``gamma`` every ``step_size`` steps: :math:`\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}`."""
    lr, step_size, gamma = _check_lr("lr", lr), check_int("step_size", step_size, low=1), _check_gamma(gamma)
    return Schedule("step_decay", lambda step: lr * gamma ** (step // step_size), lr=lr, step_size=step_size,
                    gamma=gamma)  # fmt: skip


def exponential(*, lr: float, gamma: float) -> Schedule:
    r"""Multiply by ``gamma`` every step: :math:`\eta_t = \eta\,\gamma^t`."""
    lr, gamma = _check_lr("lr", lr), _check_gamma(gamma)
    return Schedule("exponential", lambda step: lr * gamma**step, lr=lr, gamma=gamma)


def inverse_time(*, lr: float, decay: float) -> Schedule:
    r""":math:`\eta_t = \eta / (1 + d\,t)` with :math:`d` = ``decay``: the :math:`1/t` decay whose sum diverges while
    the sum of its squares converges, the conditions of Robbins and Monro (1951) for SGD to converge."""
    lr, decay = _check_lr("lr", lr), check_number("decay", decay, low=0.0)
    return Schedule("inverse_time", lambda step: lr / (1.0 + decay * step), lr=lr, decay=decay)


def linear_warmup(*, lr: float, warmup_steps: int, start_factor: float = 1.0 / 3.0) -> Schedule:
    r"""Rise linearly from ``start_factor * lr`` to ``lr`` over ``warmup_steps`` steps, then stay at ``lr``:
    :math:`\eta_t = \eta\,(f + (1 - f)\min(t, W)/W)`. ``warmup_steps=0`` means no warmup."""
    lr = _check_lr("lr", lr)
    warmup_steps = check_int("warmup_steps", warmup_steps, low=0)
    start_factor = check_number("start_factor", start_factor, low=0.0, high=1.0, low_open=True)

    def lr_at(step: int) -> float:
        if step >= warmup_steps:
            return lr
        return lr * (start_factor + (1.0 - start_factor) * step / warmup_steps)

    return Schedule("linear_warmup", lr_at, lr=lr, warmup_steps=warmup_steps, start_factor=start_factor)


def _cosine_between(lr: float, eta_min: float, t: float, period: float) -> float:
    return eta_min + (lr - eta_min) * (1.0 + math.cos(math.pi * t / period)) / 2.0


def _check_eta_min(eta_min, lr: float) -> float:
    return check_number("eta_min", eta_min, low=0.0, high=lr)


def cosine(*, lr: float, total_steps: int, eta_min: float = 0.0) -> Schedule:
    r"""Half a cosine from ``lr`` down to ``eta_min`` over ``total_steps`` steps (Loshchilov and Hutter, 2017):
    :math:`\eta_t = \eta_{\min} + (\eta - \eta_{\min})(1 + \cos(\pi t / T))/2`.

    After ``total_steps`` it stays at ``eta_min``; torch's ``CosineAnnealingLR`` would instead climb back up (its
    formula is periodic), which is never what a finished schedule should do.
    """
    total_steps = check_int("total_steps", total_steps, low=1)
    lr = _check_lr("lr", lr)
    eta_min = _check_eta_min(eta_min, lr)
    return Schedule("cosine", lambda step: _cosine_between(lr, eta_min, min(step, total_steps), total_steps),
                    lr=lr, total_steps=total_steps, eta_min=eta_min)  # fmt: skip


def cosine_warm_restarts(*, lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing restarted at ``lr`` after ``T_0`` steps, then after ``T_0 * T_mult``, ``T_0 * T_mult**2``,
    … steps (SGDR, Loshchilov and Hutter, 2017): :math:`\eta_t = \eta_{\min} + (\eta - \eta_{\min})(1 +
    \cos(\pi T_{cur} / T_i))/2`, where :math:`T_{cur}` counts the steps since the last restart and :math:`T_i` is
    the current period. Names as in torch's ``CosineAnnealingWarmRestarts``."""
    T_0 = check_int("T_0", T_0, low=1)
    T_mult = check_int("T_mult", T_mult, low=1)
    lr = _check_lr("lr", lr)
    eta_min = _check_eta_min(eta_min, lr)

    def lr_at(step: int) -> float:
        t_cur, t_i = step, T_0
        while t_cur >= t_i:  # integer arithmetic, like torch's own bookkeeping: restarts land on exact steps
            t_cur -= t_i
            t_i *= T_mult
        return _cosine_between(lr, eta_min, t_cur, t_i)

    return Schedule("cosine_warm_restarts", lr_at, lr=lr, T_0=T_0, T_mult=T_mult, eta_min=eta_min)


def warmup_cosine(
    *, lr: float, warmup_steps: int, total_steps: int, start_factor: float = 1.0 / 3.0, eta_min: float = 0.0
) -> Schedule:
    r""":func:`linear_warmup` for ``warmup_steps`` steps, then :func:`cosine` from ``lr`` down to ``eta_min`` over
    the remaining ``total_steps - warmup_steps`` steps, so that it ends at ``eta_min`` at step ``total_steps``.
    The torch twin is ``SequentialLR([LinearLR(start_factor, total_iters=warmup_steps),
    CosineAnnealingLR(T_max=total_steps - warmup_steps, eta_min)], milestones=[warmup_steps])``.
    """
    warmup_steps = check_int("warmup_steps", warmup_steps, low=0)
    total_steps = check_int("total_steps", total_steps, low=1)
    if warmup_steps >= total_steps:
        raise ValueError(f"`warmup_steps` must be less than `total_steps` ({total_steps}), got {warmup_steps}")
    warmup = linear_warmup(lr=lr, warmup_steps=warmup_steps, start_factor=start_factor)
    decay = cosine(lr=lr, total_steps=total_steps - warmup_steps, eta_min=eta_min)

    def lr_at(step: int) -> float:
        return warmup(step) if step < warmup_steps else decay(step - warmup_steps)

    return Schedule("warmup_cosine", lr_at, lr=warmup.options["lr"], warmup_steps=warmup_steps,
                    total_steps=total_steps, start_factor=warmup.options["start_factor"],
                    eta_min=decay.options["eta_min"])  # fmt: skip


def _check_one_cycle(total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, three_phase) -> None:
    check_bool("three_phase", three_phase)
    check_number("pct_start", pct_start, low=0.0, high=1.0, low_open=True, high_open=True)
    last_start = 2 * pct_start * total_steps - 2 if three_phase else pct_start * total_steps - 1
    if pct_start * total_steps <= 1 or last_start >= total_steps - 1:
        raise ValueError(f"`pct_start` leaves a phase of no steps with total_steps={total_steps}, got {pct_start}")
    check_number("div_factor", div_factor, low=0.0, low_open=True)
    check_number("final_div_factor", final_div_factor, low=0.0, low_open=True)
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"`anneal_strategy` must be 'cos' or 'linear', got {anneal_strategy!r}")


def _one_cycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase) -> list:
    """(last step, lr at its start, lr at its end) of each phase, as torch's ``OneCycleLR`` lays them out."""
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    rise_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [(rise_end, initial_lr, max_lr), (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr),
                (total_steps - 1, initial_lr, min_lr)]  # fmt: skip
    return [(rise_end, initial_lr, max_lr), (total_steps - 1, max_lr, min_lr)]


def one_cycle(
    *,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> Schedule:
    r"""The 1cycle policy (Smith and Topin, 2019), with torch's ``OneCycleLR`` arguments and phase boundaries.

    It rises from ``max_lr / div_factor`` to ``max_lr`` during the first ``pct_start`` of the steps, then falls to
    ``max_lr / div_factor / final_div_factor`` by step ``total_steps - 1`` (with ``three_phase=True`` it first
    falls back to ``max_lr / div_factor`` by step ``2 * pct_start * total_steps - 2``, then to the minimum). Each
    phase interpolates with half a cosine (``anneal_strategy="cos"``) or linearly (``"linear"``). Like torch,
    the schedule may be called for steps up to ``total_steps`` only.
    """
    total_steps = check_int("total_steps", total_steps, low=2)
    _check_one_cycle(total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, three_phase)
    max_lr = _check_lr("max_lr", max_lr)
    phases = _one_cycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase)

    def lr_at(step: int) -> float:
        if step > total_steps:
            raise ValueError(f"`step` must be at most `total_steps` ({total_steps}), got {step}")
        start_step = 0.0
        for i, (end_step, start_lr, end_lr) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step)
                if anneal_strategy == "linear":
                    return (end_lr - start_lr) * pct + start_lr
                return end_lr + (start_lr - end_lr) / 2.0 * (math.cos(math.pi * pct) + 1)
            start_step = end_step
        raise AssertionError("unreachable: the last phase always returns")

    return Schedule("one_cycle", lr_at, max_lr=max_lr, total_steps=total_steps, pct_start=pct_start,
                    div_factor=div_factor, final_div_factor=final_div_factor, anneal_strategy=anneal_strategy,
                    three_phase=three_phase)  # fmt: skip


FACTORIES = (constant, step_decay, exponential, inverse_time, linear_warmup, cosine, cosine_warm_restarts,
             warmup_cosine, one_cycle)  # fmt: skip
"""Every schedule factory of this module, in the order of the table above."""


def as_lambda_lr(
    optimizer: torch.optim.Optimizer, schedule: Callable[[int], float]
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` under which every parameter group's learning rate is exactly ``schedule(step)``.

    ``schedule`` is a function of the step: a :class:`Schedule` (``lib.schedules.cosine(lr=0.1, total_steps=100)``)
    or a function of your own. How the factor is formed: ``LambdaLR`` sets ``lr = initial_lr * factor(step)``; to
    make that product exact (no division and re-multiplication by a base lr, which would round), each group's
    ``initial_lr`` is set to 1.0 and the factor *is* ``schedule(step)``. So the schedule's own ``lr`` (or
    ``max_lr``) is the peak, and the optimizer's ``lr`` is replaced in every group, right away: after this call
    ``param_groups[i]["lr"]`` is ``schedule(0)``. Example: ``as_lambda_lr(opt, lib.schedules.cosine(lr=0.1,
    total_steps=100))``; then call ``.step()`` once per step (or epoch), as with any torch scheduler.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"`optimizer` must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if any(schedule is factory for factory in FACTORIES):
        raise ValueError(f"`schedule` must be a schedule, a function of the step: call the factory with its "
                         f"options first, e.g. schedules.{schedule.__name__}(lr=0.1, ...), got the factory itself")
    if not callable(schedule):
        raise ValueError(f"`schedule` must be callable as schedule(step) -> learning rate, got {schedule!r}")
    first = schedule(0)  # a bad step or a failing function of your own raises here, before training starts
    if isinstance(first, bool) or not isinstance(first, Real) or not math.isfinite(first) or first < 0:
        raise ValueError(f"`schedule` must return a learning rate (a finite number >= 0), got {first!r} at step 0")

    def lr_at(step: int) -> float:  # a plain function, which LambdaLR.state_dict() skips, as it should
        return schedule(step)

    for group in optimizer.param_groups:
        group["initial_lr"] = 1.0
        group["lr"] = 1.0
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_at)
