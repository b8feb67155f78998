"""Adam, AMSGrad and AdamW, as :class:`torch.optim.Adam` and :class:`torch.optim.AdamW` do them."""

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
    scalar_step_tensor,
)


def _state_keys(amsgrad: bool) -> tuple[str, ...]:
    return ("step", "exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())


def _adam_step_(param, grad, state, *, lr, betas, eps, amsgrad) -> None:
    """The part Adam and AdamW share: moments, bias correction, the update. ``grad`` is final here; complex
    tensors are updated as pairs of reals, as torch does."""
    if not state:
        state["step"] = scalar_step_tensor()
        state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
        state["exp_avg_sq"] = torch.zeros_like(param, memory_format=torch.preserve_format)
        if amsgrad:
            state["max_exp_avg_sq"] = torch.zeros_like(param, memory_format=torch.preserve_format)
    beta1, beta2 = betas
    state["step"] += 1
    step = state["step"].item()
    param, grad, exp_avg, exp_avg_sq = as_real(param, grad, state["exp_avg"], state["exp_avg_sq"])
    exp_avg.lerp_(grad, 1 - beta1)  # m ← β₁m + (1 − β₁)g
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β₂v + (1 − β₂)g²
    if amsgrad:
        (max_exp_avg_sq,) = as_real(state["max_exp_avg_sq"])
        torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)  # v̂ ← max(v̂, v)
        exp_avg_sq = max_exp_avg_sq
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)  # √(v / (1 − β₂ᵗ)) + ε: eps after the root
    param.addcdiv_(exp_avg, denom, value=-(lr / bias_correction1))  # θ ← θ − η m / (1 − β₁ᵗ) / denom


def adam_update_(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize) -> None:
    """One Adam (or AMSGrad) step on ``param`` in place; state is created on the first step.

    State keys as torch's: ``step`` (0-d float tensor), ``exp_avg``, ``exp_avg_sq`` and, with ``amsgrad``,
    ``max_exp_avg_sq``. See :class:`Adam` for the algorithm.
    """
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    Adam.check_options(options)
    check_rule_arguments(param, grad, state, _state_keys(amsgrad))
    _adam_(param, grad, state, **options)


def _adam_(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize) -> None:
    """:func:`adam_update_` without its argument checks, for :class:`Adam`'s step (see ``check_rule_arguments``)."""
    require_state(state, _state_keys(amsgrad))
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # L2 penalty added to the gradient: g ← g + λθ
    _adam_step_(param, grad, state, lr=lr, betas=betas, eps=eps, amsgrad=amsgrad)


def adamw_update_(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize) -> None:
    """One AdamW step on ``param`` in place: decoupled weight decay θ ← θ(1 − ηλ), then Adam without L2.

    Same state keys as :func:`adam_update_`. See :class:`AdamW` for the algorithm.
    """
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    AdamW.check_options(options)
    check_rule_arguments(param, grad, state, _state_keys(amsgrad))
    _adamw_(param, grad, state, **options)


def _adamw_(param, grad, state, *, lr, betas, eps, weight_decay, amsgrad, maximize) -> None:
    """:func:`adamw_update_` without its argument checks, for :class:`AdamW`'s step."""
    require_state(state, _state_keys(amsgrad))
    grad = -grad if maximize else grad
    if weight_decay != 0:
        param.mul_(1 - lr * weight_decay)  # decay the weights directly, not through the gradient
    _adam_step_(param, grad, state, lr=lr, betas=betas, eps=eps, amsgrad=amsgrad)


_SYMBOLS = r"""
    ==================  =================  ===============================================
    symbol              argument           meaning
    ==================  =================  ===============================================
    :math:`η`           ``lr``             learning rate (step size)
    :math:`β_1, β_2`    ``betas``          decay rates of the first and second moments
    :math:`ε`           ``eps``            added to the denominator, after the square root
    :math:`λ`           ``weight_decay``   {decay}
    \-                  ``amsgrad``        use the running maximum of v (Reddi et al. 2018)
    \-                  ``maximize``       ascend instead of descend
    ==================  =================  ===============================================
"""

_STEPS = r"""
       m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
       v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
       \hat v_t &\leftarrow \max(\hat v_{t-1}, v_t) \text{ with amsgrad, else } v_t \\
       \theta_t &\leftarrow \theta_{t-1}
          - \eta\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{\hat v_t / (1 - \beta_2^t)} + \epsilon}"""

_CONVENTIONS = r"""
    * eps is added *after* the bias-corrected square root, :math:`\sqrt{\hat v_t/(1-\beta_2^t)} + ε`, not
      inside it;
    * m and v start at zero and are bias-corrected with :math:`1 - β^t`, t counted by ``state["step"]``, a 0-d
      CPU tensor (float32, or float64 when that is the default dtype) exactly as torch 2.13 stores it;
    * with ``amsgrad`` the maximum is taken of the raw v (before bias correction) and kept in
      ``state["max_exp_avg_sq"]``; m is used as is;
    * a complex parameter is updated as pairs of real numbers (``torch.view_as_real``): g² is the square of each
      part, not the complex square; its state stays complex;
    * not implemented: torch's ``foreach``, ``fused``, ``capturable``, ``differentiable``, tensor ``lr`` or
      ``betas``. Checks: ``lr``, ``eps``, ``weight_decay`` ≥ 0; each of ``betas`` in [0, 1).
"""


class Adam(RuleOptimizer):
    __doc__ = (
        r"""Adam (and AMSGrad): a twin of :class:`torch.optim.Adam` with the same arguments, defaults, state
    and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ when maximizing}) \\
       g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \quad \text{(L2 penalty, if } \lambda \neq 0\text{)} \\"""
        + _STEPS
        + r"""
       \end{aligned}
"""
        + _SYMBOLS.format(decay="L2 penalty, added to the gradient")
        + """
    torch's conventions, copied exactly:

    * L2 weight decay is added to the gradient, so it passes through m and v (use :class:`AdamW` to decouple);"""
        + _CONVENTIONS
        + """
    References: D. P. Kingma and J. Ba (2015), *Adam: A method for stochastic optimization*, ICLR;
    S. J. Reddi, S. Kale and S. Kumar (2018), *On the convergence of Adam and beyond*, ICLR (AMSGrad).
    """
    )

    update_rule = staticmethod(_adam_)  # adam_update_ less the checks that the constructor has made
    option_names = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False):  # fmt: skip
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_non_negative(name, options[name])
        check_betas(options["betas"])
        check_bool("amsgrad", options["amsgrad"])
        check_bool("maximize", options["maximize"])


class AdamW(Adam):
    __doc__ = (
        r"""AdamW, Adam with decoupled weight decay: a twin of :class:`torch.optim.AdamW` with the same
    arguments, defaults (note ``weight_decay=1e-2``), state and numbers.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ when maximizing}) \\
       \theta_{t-1} &\leftarrow \theta_{t-1}\,(1 - \eta\lambda) \\"""
        + _STEPS
        + r"""
       \end{aligned}
"""
        + _SYMBOLS.format(decay="decoupled weight decay: θ ← θ(1 − ηλ)")
        + """
    torch's conventions, copied exactly:

    * the weights are multiplied by (1 − lr·weight_decay) *before* the Adam step and the decay never enters m
      or v; the decay is scaled by ``lr`` (the paper scales λ by the schedule multiplier only, not by α = lr);"""
        + _CONVENTIONS
        + """
    Reference: I. Loshchilov and F. Hutter (2019), *Decoupled weight decay regularization*, ICLR.
    """
    )

    update_rule = staticmethod(_adamw_)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
