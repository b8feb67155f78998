r"""Regression losses, written from their formulas.

Every function takes a prediction ``input`` and a ``target`` of the same shape and dtype, computes the
elementwise loss of the residual :math:`r = \hat y - y` and reduces it like ``torch.nn.functional`` does
(``reduction`` in ``"none"``, ``"mean"``, ``"sum"``). Autograd works through all of them.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lib._validate import check_number, check_pair, reduce


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

    with :math:`r = \hat y - y`. Quadratic near zero, linear (slope :math:`\delta`) in the tails.

    ============  ===========
    symbol        argument
    ============  ===========
    :math:`\delta`  ``delta`` (> 0)
    ============  ===========
    """
    check_pair(input, target)
    delta = check_number("delta", delta, low=0, low_open=True)
    abs_r = (input - target).abs()
    quadratic = 0.5 * abs_r**2
    linear = delta * (abs_r - 0.5 * delta)
    return reduce(torch.where(abs_r <= delta, quadratic, linear), reduction)


def smooth_l1_loss(
    input: torch.Tensor, target: torch.Tensor, *, beta: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    r"""Smooth L1 loss, the twin of ``torch.nn.functional.smooth_l1_loss``.

    .. math::
        \ell_\beta(r) = \begin{cases} \tfrac{1}{2\beta} r^2 & |r| < \beta \\ |r| - \tfrac12\beta & |r| \ge \beta
        \end{cases}, \qquad
        \frac{\partial \ell_\beta}{\partial \hat y} = \operatorname{clip}(r/\beta, -1, 1)

    It is Huber rescaled: :math:`\ell_\beta = \ell^{\mathrm{Huber}}_{\delta=\beta} / \beta`, so its tails have
    slope 1 whatever :math:`\beta`. ``beta=0`` gives the L1 loss, as in torch.
    """
    check_pair(input, target)
    beta = check_number("beta", beta, low=0)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    abs_r = (input - target).abs()
    quadratic = 0.5 * abs_r**2 / beta
    linear = abs_r - 0.5 * beta
    return reduce(torch.where(abs_r < beta, quadratic, linear), reduction)


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
