"""Per-coordinate adaptive learning rates: Adagrad, RMSprop and Adadelta, as torch does them."""

from __future__ import annotations

import torch

from lib.optim._base import (
    RuleOptimizer,
    as_real,
    check_bool,
    check_non_negative,
    check_rule_arguments,
    check_unit_interval,
    require_state,
    scalar_step_tensor,
)


def _zeros(param: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(param, memory_format=torch.preserve_format)


def adagrad_update_(param, grad, state, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize):
    """One Adagrad step on ``param`` in place; ``state`` gets ``step`` and ``sum`` on the first step."""
    options = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                   initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
    Adagrad.check_options(options)
    check_rule_arguments(param, grad, state, ("step", "sum"))
    _adagrad_(param, grad, state, **options)


def _adagrad_(param, grad, state, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize) -> None:
    """:func:`adagrad_update_` without its argument checks, for :class:`Adagrad`'s step."""
    require_state(state, ("step", "sum"))
    if not state:
        state["step"] = scalar_step_tensor()
        init = initial_accumulator_value
        if param.is_complex():
            init = complex(init, init)  # both parts' sums start at the value, as in torch
        state["sum"] = torch.full_like(param, init, memory_format=torch.preserve_format)
    state["step"] += 1
    step = state["step"].item()
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # L2 penalty: g ← g + λθ
    clr = lr / (1 + (step - 1) * lr_decay)  # η_t = η / (1 + (t − 1)·decay)
    param, grad, state_sum = as_real(param, grad, state["sum"])  # complex: pairs of reals, as torch
    state_sum.addcmul_(grad, grad, value=1)  # G ← G + g²
    std = state_sum.sqrt().add_(eps)  # √G + ε: eps outside the root
    param.addcdiv_(grad, std, value=-clr)  # θ ← θ − η_t g / (√G + ε)


class Adagrad(RuleOptimizer):
    r"""Adagrad: a twin of :class:`torch.optim.Adagrad` with the same arguments, defaults, state and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
       \tilde\eta_t &\leftarrow \eta \,/\, \bigl(1 + (t - 1)\,\delta\bigr) \\
       G_t &\leftarrow G_{t-1} + g_t^2, \qquad G_0 = \text{initial\_accumulator\_value} \\
       \theta_t &\leftarrow \theta_{t-1} - \tilde\eta_t\, g_t \,/\, \bigl(\sqrt{G_t} + \epsilon\bigr)
       \end{aligned}

    ============  =============================  =========================================
    symbol        argument                       meaning
    ============  =============================  =========================================
    :math:`η`     ``lr``                         learning rate
    :math:`δ`     ``lr_decay``                   learning-rate decay per step
    :math:`λ`     ``weight_decay``               L2 penalty, added to the gradient
    :math:`G_0`   ``initial_accumulator_value``  starting value of the sum of squares
    :math:`ε`     ``eps``                        added after the square root
    ============  =============================  =========================================

    torch's conventions, copied exactly: state ``step`` (0-d float tensor) and ``sum`` (G); L2 weight decay is added
    to the gradient; eps is added after the square root; a complex parameter is updated as pairs of reals
    (``torch.view_as_real``), each part's sum starting at ``initial_accumulator_value``. One difference: torch
    creates every parameter's state when the optimizer is built, here it is created on the first step with a
    gradient (the numbers are the same; a parameter that never gets a gradient has no state). Sparse gradients are
    not supported. Checks: ``lr``, ``lr_decay``, ``weight_decay``, ``initial_accumulator_value``, ``eps`` ≥ 0. Not
    implemented: torch's ``foreach``, ``fused``, ``differentiable``, tensor ``lr``.

    Reference: J. Duchi, E. Hazan and Y. Singer (2011), *Adaptive subgradient methods for online learning and
    stochastic optimization*, JMLR 12.
    """

    update_rule = staticmethod(_adagrad_)  # adagrad_update_ less the checks the constructor has made
    option_names = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False):  # fmt: skip
        defaults = dict(
            lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, initial_accumulator_value=initial_accumulator_value,
            eps=eps, maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_non_negative(name, options[name])
        check_bool("maximize", options["maximize"])


def _rmsprop_keys(momentum: float, centered: bool) -> tuple[str, ...]:
    return ("step", "square_avg") + (("momentum_buffer",) if momentum > 0 else ()) + (("grad_avg",) if centered else ())


def rmsprop_update_(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step on ``param`` in place; state ``step``, ``square_avg`` (+ ``momentum_buffer``,
    ``grad_avg``) is created on the first step, all zeros."""
    options = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
                   maximize=maximize)
    RMSprop.check_options(options)
    check_rule_arguments(param, grad, state, _rmsprop_keys(momentum, centered))
    _rmsprop_(param, grad, state, **options)


def _rmsprop_(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize) -> None:
    """:func:`rmsprop_update_` without its argument checks, for :class:`RMSprop`'s step."""
    require_state(state, _rmsprop_keys(momentum, centered))
    if not state:
        state["step"] = scalar_step_tensor()
        state["square_avg"] = _zeros(param)
        if momentum > 0:
            state["momentum_buffer"] = _zeros(param)
        if centered:
            state["grad_avg"] = _zeros(param)
    state["step"] += 1
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # L2 penalty: g ← g + λθ
    param, grad, square_avg = as_real(param, grad, state["square_avg"])  # complex: pairs of reals, as torch
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v ← αv + (1 − α)g²
    if centered:
        (grad_avg,) = as_real(state["grad_avg"])
        grad_avg.lerp_(grad, 1 - alpha)  # ḡ ← αḡ + (1 − α)g
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()  # √(v − ḡ²): a variance estimate
    else:
        avg = square_avg.sqrt()
    avg = avg.add_(eps)  # eps after the square root
    if momentum > 0:
        (buf,) = as_real(state["momentum_buffer"])
        buf.mul_(momentum).addcdiv_(grad, avg)  # b ← βb + g / (√v + ε), b₀ = 0
        param.add_(buf, alpha=-lr)
    else:
        param.addcdiv_(grad, avg, value=-lr)  # θ ← θ − η g / (√v + ε)


class RMSprop(RuleOptimizer):
    r"""RMSprop: a twin of :class:`torch.optim.RMSprop` with the same arguments, defaults, state and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
       v_t &\leftarrow \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
       \tilde v_t &\leftarrow v_t - \bar g_t^2, \quad
            \bar g_t \leftarrow \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t
            \quad \text{(centered; else } \tilde v_t = v_t\text{)} \\
       b_t &\leftarrow \beta\, b_{t-1} + g_t / \bigl(\sqrt{\tilde v_t} + \epsilon\bigr), \quad b_0 = 0 \\
       \theta_t &\leftarrow \theta_{t-1} - \eta\, b_t
            \quad \text{(without momentum: } \theta_{t-1} - \eta\, g_t / (\sqrt{\tilde v_t} + \epsilon)\text{)}
       \end{aligned}

    ==========  =================  =====================================================
    symbol      argument           meaning
    ==========  =================  =====================================================
    :math:`η`   ``lr``             learning rate
    :math:`α`   ``alpha``          decay rate of the mean square (smoothing constant)
    :math:`ε`   ``eps``            added after the square root
    :math:`λ`   ``weight_decay``   L2 penalty, added to the gradient
    :math:`β`   ``momentum``       momentum factor applied to the scaled step
    \-          ``centered``       divide by an estimate of the variance, not the mean square
    ==========  =================  =====================================================

    torch's conventions, copied exactly: all state starts at zero (unlike SGD, the momentum buffer is *not* the
    first gradient); the momentum buffer accumulates the already-scaled step g/(√v + ε); eps is added after the
    square root; L2 weight decay is added to the gradient; ``step`` is counted although the update does not use it;
    a complex parameter is updated as pairs of reals (``torch.view_as_real``). Checks: ``lr``, ``eps``,
    ``weight_decay``, ``momentum`` ≥ 0 and ``alpha`` in [0, 1] (torch only asks ``alpha`` ≥ 0). Not implemented:
    torch's ``foreach``, ``capturable``, ``differentiable``, tensor ``lr``; ``maximize`` is keyword-only here
    (positional in torch).

    Reference: G. Hinton, N. Srivastava and K. Swersky (2012), *Neural networks for machine learning*,
    lecture 6e (unpublished; the centered variant is from A. Graves (2013), *Generating sequences with
    recurrent neural networks*).
    """

    update_rule = staticmethod(_rmsprop_)  # rmsprop_update_ less the checks the constructor has made
    option_names = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):  # fmt: skip
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "eps", "weight_decay", "momentum"):
            check_non_negative(name, options[name])
        check_unit_interval("alpha", options["alpha"])
        check_bool("centered", options["centered"])
        check_bool("maximize", options["maximize"])


def adadelta_update_(param, grad, state, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step on ``param`` in place; state ``step``, ``square_avg``, ``acc_delta`` (zeros) is
    created on the first step."""
    options = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
    Adadelta.check_options(options)
    check_rule_arguments(param, grad, state, ("step", "square_avg", "acc_delta"))
    _adadelta_(param, grad, state, **options)


def _adadelta_(param, grad, state, *, lr, rho, eps, weight_decay, maximize) -> None:
    """:func:`adadelta_update_` without its argument checks, for :class:`Adadelta`'s step."""
    require_state(state, ("step", "square_avg", "acc_delta"))
    if not state:
        state["step"] = scalar_step_tensor()
        state["square_avg"] = _zeros(param)
        state["acc_delta"] = _zeros(param)
    state["step"] += 1
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # L2 penalty: g ← g + λθ
    param, grad, square_avg, acc_delta = as_real(param, grad, state["square_avg"], state["acc_delta"])
    square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)  # v ← ρv + (1 − ρ)g²
    std = square_avg.add(eps).sqrt_()  # √(v + ε): eps inside the root
    delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)  # Δ = √(u + ε) / √(v + ε) · g
    acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)  # u ← ρu + (1 − ρ)Δ²
    param.add_(delta, alpha=-lr)  # θ ← θ − ηΔ


class Adadelta(RuleOptimizer):
    r"""Adadelta: a twin of :class:`torch.optim.Adadelta` with the same arguments, defaults, state and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
       v_t &\leftarrow \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \\
       \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
       u_t &\leftarrow \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2 \\
       \theta_t &\leftarrow \theta_{t-1} - \eta\, \Delta_t
       \end{aligned}

    ==========  =================  ==================================================
    symbol      argument           meaning
    ==========  =================  ==================================================
    :math:`η`   ``lr``             scale of the step (Zeiler's method has none: 1.0)
    :math:`ρ`   ``rho``            decay rate of both running averages
    :math:`ε`   ``eps``            added *inside* both square roots
    :math:`λ`   ``weight_decay``   L2 penalty, added to the gradient
    ==========  =================  ==================================================

    torch's conventions, copied exactly: ``square_avg`` (v) and ``acc_delta`` (u) start at zero, so the first steps
    have size about √ε/√(v + ε)·\|g\| (the "units" of Δ come from eps at first); eps sits inside the roots; L2 weight
    decay is added to the gradient; ``step`` is counted although the update does not use it; a complex parameter is
    updated as pairs of reals (``torch.view_as_real``). Checks: ``lr``, ``eps``, ``weight_decay`` ≥ 0 and ``rho`` in
    [0, 1]. Not implemented: torch's ``foreach``, ``capturable``, ``differentiable``, tensor ``lr``.

    Reference: M. D. Zeiler (2012), *ADADELTA: An adaptive learning rate method*, arXiv:1212.5701.
    """

    update_rule = staticmethod(_adadelta_)  # adadelta_update_ less the checks the constructor has made
    option_names = ("lr", "rho", "eps", "weight_decay", "maximize")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_non_negative(name, options[name])
        check_unit_interval("rho", options["rho"])
        check_bool("maximize", options["maximize"])
