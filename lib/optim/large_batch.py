"""Layer-wise adaptive optimizers for large batches: LARS (You, Gitman and Ginsburg 2017) and LAMB (You et al. 2020).

Both scale each tensor's step by a *trust ratio*, the tensor's weight norm over its update norm, so that every layer
moves by a similar fraction of its size whatever the scale of its gradient: the learning rate then sets a relative
step, which is what lets the batch (and with it the learning rate) grow. torch has neither; the tests check them
against the papers' algorithms and against ``pytorch_optimizer.LARS`` and ``pytorch_optimizer.Lamb``.

Biases and other 1-D (and 0-D) tensors: with ``exclude_1d=True`` they take the plain step (SGD with momentum for
LARS, Adam for LAMB) with no trust ratio and no weight decay, as the papers' implementations and most code do
(a bias starts at zero and its norm says nothing about a sensible step). It is a group option, so one parameter
group can exclude them and another not; LARS excludes them by default and LAMB does not, as
``pytorch_optimizer`` does. ``state["trust_ratio"]`` keeps the last ratio (1 for an excluded tensor) for plots.
"""

from __future__ import annotations

import torch

from lib._validate import check_number
from lib.optim._base import (
    RuleOptimizer,
    as_real,
    check_betas,
    check_bool,
    check_non_negative,
    check_rule_arguments,
    check_unit_interval,
    require_state,
    scalar_step_tensor,
)

__all__ = ["LARS", "LAMB", "lars_update_", "lamb_update_"]


def _ratio(numerator: torch.Tensor, denominator: torch.Tensor, weight_norm: torch.Tensor) -> torch.Tensor:
    """``numerator / denominator`` as a 0-d tensor, or 1 where the weights or the denominator are zero: a layer
    initialised to zero would otherwise never move (ratio 0), and a zero update would divide by zero."""
    ok = (weight_norm > 0) & (denominator > 0)
    return torch.where(ok, numerator / torch.where(ok, denominator, 1), torch.ones_like(numerator))


def _lars_keys(momentum) -> tuple[str, ...]:
    return ("trust_ratio",) + (("momentum_buffer",) if momentum != 0 else ())


def lars_update_(param, grad, state, *, lr, momentum, dampening, weight_decay, trust_coefficient, nesterov,
                 exclude_1d, maximize) -> None:  # fmt: skip
    """One LARS step on ``param`` in place; ``state`` gets ``trust_ratio`` (0-d) and, with momentum,
    ``momentum_buffer`` (zeros before the first step). See :class:`LARS` for the algorithm."""
    options = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                   trust_coefficient=trust_coefficient, nesterov=nesterov, exclude_1d=exclude_1d, maximize=maximize)
    LARS.check_options(options)
    check_rule_arguments(param, grad, state, _lars_keys(momentum))
    _lars_(param, grad, state, **options)


def _lars_(param, grad, state, *, lr, momentum, dampening, weight_decay, trust_coefficient, nesterov, exclude_1d,
           maximize) -> None:  # fmt: skip
    """:func:`lars_update_` without its argument checks, for :class:`LARS`'s step."""
    require_state(state, _lars_keys(momentum))
    grad = -grad if maximize else grad
    if exclude_1d and param.ndim <= 1:
        trust = torch.ones((), dtype=param.real.dtype, device=param.device)  # plain SGD step, no weight decay
    else:
        weight_norm, grad_norm = torch.linalg.vector_norm(param), torch.linalg.vector_norm(grad)
        denominator = grad_norm + weight_decay * weight_norm
        trust = _ratio(trust_coefficient * weight_norm, denominator, weight_norm)  # η‖w‖ / (‖g‖ + β‖w‖)
        grad = grad.add(param, alpha=weight_decay).mul_(trust)  # λ (g + βw): the local learning rate
    state["trust_ratio"] = trust
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = torch.zeros_like(param, memory_format=torch.preserve_format)
        buf = state["momentum_buffer"].mul_(momentum).add_(grad, alpha=1 - dampening)  # v ← mv + (1 − τ)λ(g + βw)
        grad = grad.add(buf, alpha=momentum) if nesterov else buf
    param.add_(grad, alpha=-lr)  # w ← w − γ v


class LARS(RuleOptimizer):
    r"""LARS, layer-wise adaptive rate scaling (You, Gitman and Ginsburg 2017, Algorithm 1): SGD with momentum
    whose step for each tensor is scaled by a trust ratio.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_w f_t(w_{t-1}) \quad (- \text{ when maximizing}) \\
       \lambda_t &\leftarrow \eta\, \frac{\lVert w_{t-1}\rVert}{\lVert g_t\rVert + \beta\,\lVert w_{t-1}\rVert}
            \quad (1 \text{ if } \lVert w\rVert = 0 \text{ or the denominator is } 0) \\
       v_t &\leftarrow m\, v_{t-1} + (1 - \tau)\, \lambda_t\,(g_t + \beta\, w_{t-1}), \qquad v_0 = 0 \\
       w_t &\leftarrow w_{t-1} - \gamma\, v_t \quad (\text{Nesterov: } w_{t-1} - \gamma\,(\lambda_t(g_t + \beta w_{t-1})
            + m\, v_t))
       \end{aligned}

    ==============  =====================  ==============================================================
    symbol          argument               meaning
    ==============  =====================  ==============================================================
    :math:`γ`       ``lr``                 global learning rate (the paper's values are O(1)–O(10))
    :math:`m`       ``momentum``           momentum factor; 0 turns momentum off
    :math:`τ`       ``dampening``          share of the new step held back from v (the paper has none)
    :math:`β`       ``weight_decay``       L2 weight decay, inside the trust ratio and the step
    :math:`η`       ``trust_coefficient``  how far a layer may move relative to its norm (0.001 in the paper)
    \-              ``nesterov``           Nesterov momentum
    \-              ``exclude_1d``         1-D/0-D tensors take a plain SGD-momentum step (no ratio, no decay)
    \-              ``maximize``           ascend instead of descend
    ==============  =====================  ==============================================================

    Conventions: the buffer starts at zero as in the paper, so with ``dampening=0`` the first step equals
    :class:`torch.optim.SGD`'s (whose buffer is the first gradient itself); the learning rate multiplies the
    buffer (the paper puts γ inside it; the two agree while γ is constant); ``state["trust_ratio"]`` keeps λ.
    Checks: ``lr``, ``momentum``, ``weight_decay``, ``trust_coefficient`` ≥ 0; ``dampening`` in [0, 1];
    ``nesterov`` needs momentum > 0 and no dampening. ``pytorch_optimizer.LARS`` computes the same numbers for
    ``exclude_1d=True`` (the only behaviour it has) but overwrites ``param.grad`` with the scaled step.

    Reference: Y. You, I. Gitman and B. Ginsburg (2017), *Large batch training of convolutional networks*,
    arXiv:1708.03888.
    """

    update_rule = staticmethod(_lars_)
    option_names = ("lr", "momentum", "dampening", "weight_decay", "trust_coefficient", "nesterov", "exclude_1d",
                    "maximize")  # fmt: skip

    def __init__(self, params, lr=1e-3, momentum=0.9, dampening=0, weight_decay=0, trust_coefficient=1e-3,
                 nesterov=False, *, exclude_1d=True, maximize=False):  # fmt: skip
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        trust_coefficient=trust_coefficient, nesterov=nesterov, exclude_1d=exclude_1d,
                        maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "momentum", "weight_decay", "trust_coefficient"):
            check_non_negative(name, options[name])
        check_unit_interval("dampening", options["dampening"])
        for name in ("nesterov", "exclude_1d", "maximize"):
            check_bool(name, options[name])
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError("`nesterov` momentum requires `momentum` > 0 and `dampening` = 0, "
                             f"got momentum={options['momentum']!r}, dampening={options['dampening']!r}")


_LAMB_KEYS = ("step", "exp_avg", "exp_avg_sq", "trust_ratio")


def lamb_update_(param, grad, state, *, lr, betas, eps, weight_decay, bias_correction, weight_norm_clip,
                 exclude_1d, maximize) -> None:  # fmt: skip
    """One LAMB step on ``param`` in place; ``state`` gets ``step``, ``exp_avg``, ``exp_avg_sq`` (as torch's
    Adam) and ``trust_ratio`` (0-d). See :class:`LAMB` for the algorithm."""
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, bias_correction=bias_correction,
                   weight_norm_clip=weight_norm_clip, exclude_1d=exclude_1d, maximize=maximize)
    LAMB.check_options(options)
    check_rule_arguments(param, grad, state, _LAMB_KEYS)
    _lamb_(param, grad, state, **options)


def _lamb_(param, grad, state, *, lr, betas, eps, weight_decay, bias_correction, weight_norm_clip, exclude_1d,
           maximize) -> None:  # fmt: skip
    """:func:`lamb_update_` without its argument checks, for :class:`LAMB`'s step."""
    require_state(state, _LAMB_KEYS)
    if not state:
        state["step"] = scalar_step_tensor()
        state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
        state["exp_avg_sq"] = torch.zeros_like(param, memory_format=torch.preserve_format)
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    state["step"] += 1
    step = state["step"].item()
    excluded = exclude_1d and param.ndim <= 1
    param, grad, m, v = as_real(param, grad, state["exp_avg"], state["exp_avg_sq"])  # complex: pairs of reals
    m.lerp_(grad, 1 - beta1)  # m ← β₁m + (1 − β₁)g
    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β₂v + (1 − β₂)g²
    if bias_correction:
        m, v = m / (1 - beta1**step), v / (1 - beta2**step)  # m̂, v̂ as in Adam
    update = m / v.sqrt().add_(eps)  # r = m̂ / (√v̂ + ε)
    if excluded:
        trust = torch.ones((), dtype=param.dtype, device=param.device)  # plain Adam step, no weight decay
    else:
        if weight_decay != 0:
            update.add_(param, alpha=weight_decay)  # r + λw: the decay enters the step, not the moments
        weight_norm = torch.linalg.vector_norm(param)
        phi = weight_norm if weight_norm_clip is None else weight_norm.clamp(max=weight_norm_clip)
        trust = _ratio(phi, torch.linalg.vector_norm(update), weight_norm)  # φ(‖w‖) / ‖r + λw‖
    state["trust_ratio"] = trust
    param.add_(update.mul_(trust), alpha=-lr)  # w ← w − η φ(‖w‖)/‖r + λw‖ (r + λw)


class LAMB(RuleOptimizer):
    r"""LAMB, layer-wise adaptive moments for batch training (You et al. 2020, Algorithm 2): Adam's step plus
    weight decay, rescaled for each tensor to a length proportional to the tensor's norm.

    .. math::
       \begin{aligned}
       g_t &\leftarrow \pm\nabla_w f_t(w_{t-1}) \quad (- \text{ when maximizing}) \\
       m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad v_t \leftarrow \beta_2 v_{t-1}
            + (1 - \beta_2)\, g_t^2 \\
       r_t &\leftarrow \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
            \quad (\text{without the factors } 1 - \beta^t \text{ if bias correction is off}) \\
       u_t &\leftarrow r_t + \lambda\, w_{t-1} \\
       w_t &\leftarrow w_{t-1} - \eta\, \frac{\phi(\lVert w_{t-1}\rVert)}{\lVert u_t\rVert}\, u_t,
            \qquad \phi(z) = \min(z, c) \quad (\text{ratio } 1 \text{ if } \lVert w\rVert = 0 \text{ or } u = 0)
       \end{aligned}

    ==================  =====================  ==========================================================
    symbol              argument               meaning
    ==================  =====================  ==========================================================
    :math:`η`           ``lr``                 learning rate
    :math:`β_1, β_2`    ``betas``              decay rates of the first and second moments
    :math:`ε`           ``eps``                added to the denominator, after the square root
    :math:`λ`           ``weight_decay``       decoupled weight decay, inside the trust ratio
    \-                  ``bias_correction``    divide m and v by 1 − βᵗ (the paper's Algorithm 2)
    :math:`c`           ``weight_norm_clip``   upper clip of φ; ``None``: φ is the identity
    \-                  ``exclude_1d``         1-D/0-D tensors take a plain Adam step (no ratio, no decay)
    \-                  ``maximize``           ascend instead of descend
    ==================  =====================  ==========================================================

    Where ``pytorch_optimizer.Lamb`` differs (the tests run the configuration where both agree): it divides only
    m by 1 − β₁ᵗ, and outside the trust ratio (so the first steps are up to 1/(1 − β₁) = 10× longer; its
    ``adam_debias=True`` drops that factor), never v; its weight decay is by default applied to the weights
    before the step (``weight_decouple=True``), outside the ratio; it clips φ at 10 and adds ε to ‖u‖ in the
    ratio; it has no ``exclude_1d``. Checks: ``lr``, ``eps``, ``weight_decay`` ≥ 0; each of ``betas`` in
    [0, 1); ``weight_norm_clip`` ``None`` or > 0.

    Reference: Y. You, J. Li, S. Reddi, J. Hseu, S. Kumar, S. Bhojanapalli, X. Song, J. Demmel, K. Keutzer and
    C.-J. Hsieh (2020), *Large batch optimization for deep learning: training BERT in 76 minutes*, ICLR.
    """

    update_rule = staticmethod(_lamb_)
    option_names = ("lr", "betas", "eps", "weight_decay", "bias_correction", "weight_norm_clip", "exclude_1d",
                    "maximize")  # fmt: skip

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0, *, bias_correction=True,
                 weight_norm_clip=None, exclude_1d=False, maximize=False):  # fmt: skip
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, bias_correction=bias_correction,
                        weight_norm_clip=weight_norm_clip, exclude_1d=exclude_1d, maximize=maximize)
        super().__init__(params, defaults)

    @staticmethod
    def check_options(options: dict) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_non_negative(name, options[name])
        check_betas(options["betas"])
        for name in ("bias_correction", "exclude_1d", "maximize"):
            check_bool(name, options[name])
        if options["weight_norm_clip"] is not None:
            check_number("weight_norm_clip", options["weight_norm_clip"], low=0, low_open=True)
