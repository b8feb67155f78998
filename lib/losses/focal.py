r"""Focal losses :cite:p:`lin2017focal`: cross-entropy scaled down where the model is already right.

With :math:`p_t` the probability the model gives the true label, the focal loss is

.. math::
    \mathrm{FL}(p_t) = -\alpha_t\,(1 - p_t)^\gamma \log p_t ,

cross-entropy times the *modulating factor* :math:`(1 - p_t)^\gamma`: an example classified with
:math:`p_t = 0.9` weighs :math:`0.1^\gamma` as much as under cross-entropy. Both functions below compute
:math:`\log p_t` and :math:`\log(1 - p_t)` from the logits (log-sigmoid, log-sum-exp) and the factor as
:math:`\exp(\gamma \log(1 - p_t))`, so they are finite, with finite gradients, for any logit and any
:math:`\gamma \ge 0` — where the textbook form ``ce * (1 - p_t) ** gamma`` gives ``nan`` gradients once
:math:`p_t` rounds to 1 and :math:`\gamma < 1`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib._validate import check_floating, check_number, check_reduction, check_same_dtype, check_same_shape, reduce
from lib.losses._shared import check_class_weight, check_in_unit_interval, check_index_target, weighted_reduce
from lib.losses.classification import log_softmax


def sigmoid_focal_loss(
    inputs: torch.Tensor, targets: torch.Tensor, *, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "none"
) -> torch.Tensor:
    r"""Binary focal loss of logits with the semantics of ``torchvision.ops.sigmoid_focal_loss``.

    With :math:`p = \sigma(z)`, :math:`p_t = p\,t + (1 - p)(1 - t)` and
    :math:`\alpha_t = \alpha t + (1 - \alpha)(1 - t)`,

    .. math::
        \ell = \alpha_t\,(1 - p_t)^\gamma\,\mathrm{BCE}(z, t), \qquad
        \log(1 - p_t) = \log\bigl(t\,\sigma(-z) + (1 - t)\,\sigma(z)\bigr), \\
        \frac{\partial \ell}{\partial z} = \alpha_t (1 - p_t)^{\gamma}\Bigl[(p - t)
            + \gamma\,\mathrm{BCE}(z, t)\,\frac{\partial \log(1 - p_t)}{\partial z}\Bigr]

    and the log is a log-sum-exp of log-sigmoids (for :math:`t \in \{0, 1\}` simply
    :math:`\log\sigma(\mp z)`). ``alpha`` in [0, 1] weights positives by α and negatives by 1 − α; any
    negative ``alpha`` (torchvision uses -1) switches the weighting off. ``targets`` are floats in [0, 1]
    of the same shape and dtype as ``inputs``. The default reduction is ``"none"``, as in torchvision, and
    "mean" is the plain mean over all elements. ``gamma=0, alpha=-1`` is
    ``F.binary_cross_entropy_with_logits``.
    """
    check_floating("inputs", inputs)  # torchvision's plural names, so that a message names the argument passed
    check_floating("targets", targets)
    check_same_shape(inputs, targets, names=("inputs", "targets"))
    check_same_dtype(inputs, targets, names=("inputs", "targets"))
    check_in_unit_interval("targets", targets)
    alpha = check_number("alpha", alpha, high=1)
    gamma = check_number("gamma", gamma, low=0)
    check_reduction(reduction)
    # cross-entropy from log-sigmoids rather than binary_cross_entropy_with_logits: the latter's gradient
    # σ(z) − t rounds to 0 once σ(z) rounds to 1 (z ≳ 37 in float64), while d log σ(z)/dz = σ(−z) stays exact,
    # and the focal factor keeps that tiny gradient from being negligible next to the loss
    ce = -(targets * F.logsigmoid(inputs) + (1 - targets) * F.logsigmoid(-inputs))
    both = torch.stack([targets.log() + F.logsigmoid(-inputs), (1 - targets).log() + F.logsigmoid(inputs)])
    log_1m_p_t = torch.logsumexp(both, dim=0)
    loss = torch.exp(gamma * log_1m_p_t) * ce
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return reduce(loss, reduction)


def softmax_focal_loss(
    input: torch.Tensor, target: torch.Tensor, *, alpha=None, gamma: float = 2.0, reduction: str = "mean"
) -> torch.Tensor:
    r"""Multi-class focal loss of logits (no torch twin): ``F.cross_entropy`` with the modulating factor.

    With :math:`\log p = \operatorname{log\_softmax}(z)` and :math:`y` the target class,

    .. math::
        \ell = -\alpha_y\,(1 - p_y)^\gamma \log p_y, \qquad
        \log(1 - p_y) = \operatorname{logsumexp}_{c \ne y} \log p_c, \\
        \frac{\partial \ell}{\partial z_c} = \alpha_y (1 - p_y)^{\gamma}\Bigl[(p_c - \mathbb 1[c = y])
            - \gamma \log p_y\,\bigl(\tilde p_c - p_c\bigr)\Bigr], \quad
        \tilde p_c = \frac{p_c\,\mathbb 1[c \ne y]}{1 - p_y}

    Summing the other classes' probabilities in log space keeps :math:`1 - p_y` exact even when
    :math:`p_y` rounds to 1. ``alpha`` is None or a per-class weight of shape (C,); ``input`` is (C,), (N, C)
    or (N, C, d1, ...) and ``target`` int64 class indices. **"mean" divides by** :math:`\sum_i \alpha_{y_i}`
    (by N when ``alpha`` is None), torch's weighted mean, so that ``gamma=0`` gives exactly
    ``F.cross_entropy(input, target, weight=alpha)``. (torchvision's binary version divides by N instead;
    for that convention use ``reduction="sum"`` and divide by N.) Needs :math:`C \ge 2`.
    """
    input, target, unbatched = check_index_target(input, target)
    if input.shape[1] < 2:
        raise ValueError(f"`input` must have at least 2 classes along dim 1, got {input.shape[1]}")
    check_class_weight(alpha, input, input.shape[1], name="alpha")
    gamma = check_number("gamma", gamma, low=0)
    check_reduction(reduction)
    log_p = log_softmax(input, 1)
    is_target = F.one_hot(target, input.shape[1]).movedim(-1, 1).bool()
    log_p_y = log_p.gather(1, target.unsqueeze(1)).squeeze(1)
    # log(1 − p_y) ≤ 0; the log-sum-exp can round to a hair above 0 when p_y ≈ 0, making the factor exceed 1
    log_1m_p_y = torch.logsumexp(log_p.masked_fill(is_target, float("-inf")), dim=1).clamp(max=0.0)
    alpha_y = torch.ones_like(log_p_y) if alpha is None else alpha[target]
    loss = -alpha_y * torch.exp(gamma * log_1m_p_y) * log_p_y
    return weighted_reduce(loss, alpha_y, reduction, unbatched)
