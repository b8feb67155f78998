"""Stochastic gradient descent with (heavy-ball or Nesterov) momentum, as :class:`torch.optim.SGD` does it."""

from __future__ import annotations

import torch

from lib.optim._base import (
    RuleOptimizer,
    check_bool,
    check_non_negative,
    check_rule_arguments,
    check_unit_interval,
    require_state,
)


def sgd_update_(
    param: torch.Tensor,
    grad: torch.Tensor,
    state: dict,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """One SGD step on ``param`` in place; ``state["momentum_buffer"]`` is created on the first step.

    Without momentum no state is kept. See :class:`SGD` for the algorithm.
    """
    options = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                   maximize=maximize)
    SGD.check_options(options)
    check_rule_arguments(param, grad, state, ("momentum_buffer",) if momentum != 0 else ())
    _sgd_(param, grad, state, **options)


def _sgd_(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov, maximize) -> None:
    """:func:`sgd_update_` without its argument checks, for :class:`SGD`'s step."""
    require_state(state, ("momentum_buffer",) if momentum != 0 else ())
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # L2 penalty: g ← g + λθ
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = grad.detach().clone()  # b₁ = g₁: the gradient itself on step 1
        else:
            state["momentum_buffer"].mul_(momentum).add_(grad, alpha=1 - dampening)  # b ← βb + (1 − τ)g
        buf = state["momentum_buffer"]
        grad = grad.add(buf, alpha=momentum) if nesterov else buf  # Nesterov looks one step ahead: g + βb
    param.add_(grad, alpha=-lr)  # θ ← θ − ηg


class SGD(RuleOptimizer):
    r"""Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov): a twin of
    :class:`torch.optim.SGD` with the same arguments, defaults, state and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ when maximizing}) \\
       g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \quad \text{(if } \lambda \neq 0\text{)} \\
       b_t &\leftarrow \begin{cases} g_t & t = 1 \\ \beta\, b_{t-1} + (1 - \tau)\, g_t & t > 1 \end{cases}
            \quad \text{(if } \beta \neq 0\text{)} \\
       g_t &\leftarrow \begin{cases} g_t + \beta\, b_t & \text{Nesterov} \\ b_t & \text{otherwise}\end{cases} \\
       \theta_t &\leftarrow \theta_{t-1} - \eta\, g_t
       \end{aligned}

    ==========  =================  ============================================
    symbol      argument           meaning
    ==========  =================  ============================================
    :math:`η`   ``lr``             learning rate (step size)
    :math:`β`   ``momentum``       momentum factor; 0 turns momentum off
    :math:`τ`   ``dampening``      share of the new gradient held back from b
    :math:`λ`   ``weight_decay``   L2 penalty coefficient
    \-          ``nesterov``       use Nesterov momentum
    \-          ``maximize``       ascend instead of descend
    ==========  =================  ============================================

    torch's conventions, copied exactly:

    * the momentum buffer ``state["momentum_buffer"]`` is the gradient itself on step 1 (no dampening then);
    * L2 weight decay is added to the gradient before the momentum, so it is smoothed by it;
    * the learning rate multiplies the whole buffer (Sutskever et al. 2013 scale the gradient inside it,
      :math:`v \leftarrow \beta v - \eta g`; the two agree while ``lr`` is constant);
    * Nesterov momentum is Sutskever et al.'s (2013) reformulation, evaluated at the current parameters:
      :math:`\theta \leftarrow \theta - \eta (g + \beta b)`;
    * without momentum the optimizer keeps no state at all.

    Checks: ``lr``, ``momentum`` and ``weight_decay`` ≥ 0; ``dampening`` in [0, 1] (torch accepts any
    number; outside [0, 1] the "share" makes no sense); ``nesterov`` needs ``momentum`` > 0 and
    ``dampening`` = 0. Not implemented: torch's ``foreach``, ``fused``, ``differentiable`` and tensor ``lr``.

    References: H. Robbins and S. Monro (1951), *A stochastic approximation method*; B. T. Polyak (1964),
    heavy-ball momentum; I. Sutskever, J. Martens, G. Dahl and G. Hinton (2013), *On the importance of
    initialization and momentum in deep learning*, ICML.
    """

    update_rule = staticmethod(_sgd_)  # sgd_update_ less the checks the constructor has made
    option_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False):
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "momentum", "weight_decay"):
            check_non_negative(name, options[name])
        check_unit_interval("dampening", options["dampening"])
        check_bool("nesterov", options["nesterov"])
        check_bool("maximize", options["maximize"])
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(
                "`nesterov` momentum requires `momentum` > 0 and `dampening` = 0, "
                f"got momentum={options['momentum']!r}, dampening={options['dampening']!r}"
            )
