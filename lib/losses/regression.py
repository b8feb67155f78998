r"""Regression losses, written from their formulas.

Every function takes a prediction ``input`` and a ``target`` of the same shape and dtype, computes the
elementwise loss of the residual :math:`r = \hat y - y` and reduces it like ``torch.nn.functional`` does
(``reduction`` in ``"none"``, ``"mean"``, ``"sum"``). Autograd works through all of them; :func:`huber_loss` and
:func:`smooth_l1_loss` are ``torch.autograd.Function``\ s whose backward is their gradient formula (recorded and
replayed by autograd, their half-dozen elementwise steps take about 13 times as long as torch's fused kernels).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lib._validate import check_number, check_pair, check_reduction, reduce


class _ClippedQuadratic(torch.autograd.Function):
    r"""Huber's loss of :math:`r = \hat y - y` with threshold :math:`\delta`, times ``scale``, reduced.

    With :math:`c = \operatorname{clip}(r, -\delta, \delta)`, the loss is :math:`c\,(r - c/2)`: :math:`r^2/2`
    where :math:`|r| \le \delta` (there :math:`c = r`) and :math:`\delta(|r| - \delta/2)` beyond (:math:`c = \pm
    \delta`). And :math:`c` is its derivative, so the forward keeps :math:`c` and the backward is the formula:
    :math:`c` times ``scale`` times the incoming gradient (divided by the number of elements for "mean"), minus
    that for the target. Asked for a gradient that can itself be differentiated (``create_graph=True``), the
    backward recomputes :math:`c` from the saved inputs with torch operations, which autograd follows:
    :math:`\partial c / \partial r = \mathbb 1[|r| < \delta]`.
    """

    @staticmethod
    def forward(ctx, input, target, delta: float, scale: float, reduction: str):
        r = input - target
        c = r.clamp(-delta, delta)
        loss = c * r.sub_(c, alpha=0.5)  # c (r - c/2), with r - c/2 written over r
        if scale != 1.0:
            loss.mul_(scale)
        ctx.save_for_backward(input, target, c)
        ctx.delta, ctx.scale, ctx.reduction = delta, scale, reduction
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target, c = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: c again, from the inputs, so that autograd can follow it
            c = (input - target).clamp(-ctx.delta, ctx.delta)
        grad = grad / input.numel() if ctx.reduction == "mean" else grad
        grad_input = c * (grad * ctx.scale)
        return grad_input, -grad_input if ctx.needs_input_grad[1] else None, None, None, None


def mse_loss(input: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    r"""Mean squared error, the twin of ``torch.nn.functional.mse_loss``.

    .. math::
        \ell(\hat y, y) = (\hat y - y)^2, \qquad \frac{\partial \ell}{\partial \hat y} = 2(\hat y - y)

    Minimising it is maximum likelihood under Gaussian noise; its minimiser over a constant is the mean.
    """
    check_pair(input, target)
    return reduce((input - target) ** 2, reduction)


def l1_loss(input: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    r"""Mean absolute error, the twin of ``torch.nn.functional.l1_loss``.

    .. math::
        \ell(\hat y, y) = |\hat y - y|, \qquad \frac{\partial \ell}{\partial \hat y} = \operatorname{sign}(\hat y - y)

    The gradient at :math:`\hat y = y` is taken as 0, like torch. Maximum likelihood under Laplace noise; its
    minimiser over a constant is the median.
    """
    check_pair(input, target)
    return reduce((input - target).abs(), reduction)


def huber_loss(
    input: torch.Tensor, target: torch.Tensor, *, delta: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    r"""Huber loss :cite:p:`huber1964robust`, the twin of ``torch.nn.functional.huber_loss``.

    .. math::
        \ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\ \delta\,(|r| - \tfrac12\delta) & |r| > \delta
        \end{cases}, \qquad
        \frac{\partial \ell_\delta}{\partial \hat y} = \operatorname{clip}(r, -\delta, \delta)

    with :math:`r = \hat y - y`. Quadratic near zero, linear (slope :math:`\delta`) in the tails. Both cases
    are one product, :math:`\ell_\delta(r) = c\,(r - c/2)` with :math:`c = \operatorname{clip}(r, -\delta,
    \delta)`, the gradient itself. The backward *is* the formula above, times the reduction's scale (:math:`1/n`
    for "mean"), as in torch's fused kernel, rather than autograd replaying the forward's steps; autograd can
    differentiate it again (second derivative :math:`\mathbb 1[|r| < \delta]`).

    ==============  ===============
    symbol          argument
    ==============  ===============
    :math:`\delta`  ``delta`` (> 0)
    ==============  ===============
    """
    check_pair(input, target)
    delta = check_number("delta", delta, low=0, low_open=True)
    check_reduction(reduction)
    return _ClippedQuadratic.apply(input, target, delta, 1.0, reduction)


def smooth_l1_loss(
    input: torch.Tensor, target: torch.Tensor, *, beta: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    r"""Smooth L1 loss, the twin of ``torch.nn.functional.smooth_l1_loss``.

    .. math::
        \ell_\beta(r) = \begin{cases} \tfrac{1}{2\beta} r^2 & |r| < \beta \\ |r| - \tfrac12\beta & |r| \ge \beta
        \end{cases}, \qquad
        \frac{\partial \ell_\beta}{\partial \hat y} = \operatorname{clip}(r/\beta, -1, 1)

    It is Huber rescaled: :math:`\ell_\beta = \ell^{\mathrm{Huber}}_{\delta=\beta} / \beta`, so its tails have
    slope 1 whatever :math:`\beta`. ``beta=0`` gives the L1 loss, as in torch. Computed as that Huber loss times
    :math:`1/\beta`, whose backward is the formula above (see :func:`huber_loss`).
    """
    check_pair(input, target)
    beta = check_number("beta", beta, low=0)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    check_reduction(reduction)
    return _ClippedQuadratic.apply(input, target, beta, 1.0 / beta, reduction)


def log_cosh_loss(input: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    r"""Log-cosh loss (no torch twin; checked against ``torch.log(torch.cosh(r))`` where that is finite).

    .. math::
        \ell(r) = \log\cosh r = \log\!\left(1 + 2\sinh^2\tfrac r2\right)
                 = |r| + \log\!\left(1 + e^{-2|r|}\right) - \log 2, \qquad
        \frac{\partial \ell}{\partial \hat y} = \tanh r

    Neither form evaluates :math:`\cosh r`, which overflows float32 for :math:`|r| > 89` and, near zero, rounds
    to 1 so that its log is 0. Each form is used where it has no cancellation: for :math:`|r| < 1` the first
    (``log1p`` of a small exact square; the second would subtract :math:`\log 2` from a sum close to it and
    lose every digit of :math:`r^2/2` — 5 % off at :math:`r = 10^{-3}` in float32, negative below), for
    :math:`|r| \ge 1` the second (where :math:`\sinh` would overflow and the result is at least 0.43). Both are
    accurate to a few float32 ulps for every residual, and autograd through either gives :math:`\tanh r`.
    Behaves like :math:`\tfrac12 r^2` near zero and like :math:`|r| - \log 2` far away.
    """
    check_pair(input, target)
    abs_r = (input - target).abs()
    small = abs_r.clamp(max=1.0)  # the log1p form only sees |r| ≤ 1: no overflow, no nan gradient where unused
    near_zero = torch.log1p(2 * torch.sinh(small / 2) ** 2)
    far = abs_r + F.softplus(-2.0 * abs_r) - math.log(2.0)
    return reduce(torch.where(abs_r < 1.0, near_zero, far), reduction)


def quantile_loss(
    input: torch.Tensor, target: torch.Tensor, *, q: float, reduction: str = "mean"
) -> torch.Tensor:
    r"""Quantile (pinball) loss :cite:p:`koenker1978regression` (no torch twin).

    With the residual taken the other way round, :math:`u = y - \hat y`,

    .. math::
        \rho_q(u) = u\,\bigl(q - \mathbb 1[u < 0]\bigr) = \max\bigl(q\,u,\ (q - 1)\,u\bigr), \qquad
        \frac{\partial \rho_q}{\partial \hat y} = \mathbb 1[u < 0] - q

    Under-predictions (:math:`u > 0`) cost :math:`q` per unit, over-predictions :math:`1 - q`; the constant
    that minimises the expected loss is the :math:`q`-quantile of :math:`y`. At :math:`u = 0` the gradient
    is :math:`-q` (a valid subgradient). ``q`` must lie in (0, 1); ``q = 0.5`` is half the L1 loss.
    """
    check_pair(input, target)
    q = check_number("q", q, low=0, high=1, low_open=True, high_open=True)
    u = target - input
    loss = u * (q - (u < 0).to(u.dtype))
    return reduce(loss, reduction)
