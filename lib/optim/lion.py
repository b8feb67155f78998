"""Lion (EvoLved Sign Momentum), Chen et al. 2023. torch has no Lion; the tests check it against the paper."""

from __future__ import annotations

import torch

from lib.optim._base import (
    RuleOptimizer,
    as_real,
    check_betas,
    check_bool,
    check_non_negative,
    check_rule_arguments,
    require_state,
)


def lion_update_(param, grad, state, *, lr, betas, weight_decay, maximize) -> None:
    """One Lion step on ``param`` in place; ``state["exp_avg"]`` (the momentum m, zeros) is created on the
    first step. A ``grad`` with a nan or inf raises before anything changes. See :class:`Lion` for the algorithm."""
    options = dict(lr=lr, betas=betas, weight_decay=weight_decay, maximize=maximize)
    Lion.check_options(options)
    check_rule_arguments(param, grad, state, ("exp_avg",))
    if not torch.isfinite(grad).all():
        bad = int((~torch.isfinite(grad)).sum())
        raise ValueError(f"`grad` has {bad} nan/inf entries of {grad.numel()}; nothing was updated: a nan in the "
                         "momentum would freeze those entries for good (sign(nan) = 0)")
    _lion_(param, grad, state, **options)


def _lion_(param, grad, state, *, lr, betas, weight_decay, maximize) -> None:
    """:func:`lion_update_` without its argument checks, for :class:`Lion`'s step (which checks that every
    gradient is finite before it changes anything)."""
    require_state(state, ("exp_avg",))
    if not state:
        state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    param, grad, exp_avg = as_real(param, grad, state["exp_avg"])  # complex: the sign of each real part
    update = exp_avg.lerp(grad, 1 - beta1).sign_()  # c = sign(β₁m + (1 − β₁)g): every coordinate moves ±1
    if weight_decay != 0:
        param.mul_(1 - lr * weight_decay)  # decoupled weight decay, as in AdamW
    param.add_(update, alpha=-lr)  # θ ← θ − η c
    exp_avg.lerp_(grad, 1 - beta2)  # m ← β₂m + (1 − β₂)g: a second, slower average for the momentum


class Lion(RuleOptimizer):
    r"""Lion: the sign of an interpolated momentum, with decoupled weight decay (Chen et al. 2023, Algorithm 2).

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ when maximizing}) \\
       c_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
       \theta_t &\leftarrow \theta_{t-1} - \eta\,\bigl(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\bigr) \\
       m_t &\leftarrow \beta_2 m_{t-1} + (1 - \beta_2)\, g_t, \qquad m_0 = 0
       \end{aligned}

    ==================  =================  ===================================================
    symbol              argument           meaning
    ==================  =================  ===================================================
    :math:`η`           ``lr``             learning rate (3–10× smaller than AdamW's, paper)
    :math:`β_1`         ``betas[0]``       interpolation used for the update's sign
    :math:`β_2`         ``betas[1]``       decay rate of the momentum that is kept
    :math:`λ`           ``weight_decay``   decoupled weight decay (3–10× larger than AdamW's)
    \-                  ``maximize``       ascend instead of descend (an addition, as in torch)
    ==================  =================  ===================================================

    Conventions: the state key is ``exp_avg`` (the momentum m, as in torch's Adam and the common
    ``lion-pytorch``); the weights are multiplied by (1 − lr·weight_decay) before the sign step, which is the
    paper's :math:`\theta - \eta\lambda\theta - \eta\operatorname{sign}(c)`; ``sign(0) = 0``. There is no
    ``eps`` and no bias correction; a complex parameter is updated as pairs of reals (``torch.view_as_real``),
    like torch's Adam. Checks: ``lr``, ``weight_decay`` ≥ 0; each of ``betas`` in [0, 1); every gradient
    finite: a step with a nan or inf gradient raises ``ValueError`` naming the parameter, before any parameter
    or state changes (one nan would make the momentum nan and, as sign(nan) = 0, freeze that entry for good).

    Reference: X. Chen, C. Liang, D. Huang, E. Real, K. Wang, Y. Liu, H. Pham, X. Dong, T. Luong, C.-J. Hsieh,
    Y. Lu and Q. V. Le (2023), *Symbolic discovery of optimization algorithms*, NeurIPS.
    """

    update_rule = staticmethod(_lion_)  # lion_update_ less the checks the constructor has made
    option_names = ("lr", "betas", "weight_decay", "maximize")
    finite_gradients_only = True

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, betas=betas, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "weight_decay"):
            check_non_negative(name, options[name])
        check_betas(options["betas"])
        check_bool("maximize", options["maximize"])
