r"""Classification losses, written from their formulas, with ``torch.nn.functional``'s names and defaults.

Scores are logits :math:`z` (any real), except :func:`binary_cross_entropy` (probabilities) and
:func:`nll_loss` (log-probabilities). Class-index targets are ``int64`` of shape (N,) or (N, d1, ...) for an
input of shape (N, C) or (N, C, d1, ...); an unbatched (C,) input takes a 0-d target. Nothing is broadcast
silently; every mistake raises a ``ValueError`` naming the argument.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib._validate import check_floating, check_number, check_pair, check_reduction, check_tensor, reduce
from lib.losses._shared import (
    check_broadcast,
    check_class_weight,
    check_dim,
    check_ignore_index,
    check_in_unit_interval,
    check_index_target,
    index_dtype_message,
    target_weights,
    weighted_reduce,
)

# ----- softmax -------------------------------------------------------------------------------------------------


def _max_or_zero(input: torch.Tensor, dim: int) -> torch.Tensor:
    """The (detached) maximum along ``dim`` to subtract; 0 when ``dim`` is empty, where ``amax`` raises and the
    result is empty anyway, as torch's."""
    if input.dim() > 0 and input.shape[dim] == 0:
        return torch.zeros((), dtype=input.dtype, device=input.device)
    return input.amax(dim, keepdim=True).detach()


def log_softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    r"""Log-softmax along ``dim``, via log-sum-exp with the maximum subtracted (finite for logits of ±1e4).

    .. math::
        \log\operatorname{softmax}(z)_i = (z_i - m) - \log\textstyle\sum_j e^{z_j - m}, \quad m = \max_j z_j,
        \qquad \frac{\partial}{\partial z_j} = \mathbb 1[i = j] - \operatorname{softmax}(z)_j
    """
    check_floating("input", input)
    check_dim(dim, input.dim())
    shifted = input - _max_or_zero(input, dim)
    return shifted - shifted.exp().sum(dim, keepdim=True).log()


def softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    r"""Softmax along ``dim``; the maximum is subtracted first so no exponential overflows.

    .. math::
        \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \qquad
        \frac{\partial \operatorname{softmax}(z)_i}{\partial z_j} = s_i(\mathbb 1[i = j] - s_j)
    """
    check_floating("input", input)
    check_dim(dim, input.dim())
    exp = (input - _max_or_zero(input, dim)).exp()
    return exp / exp.sum(dim, keepdim=True)


# ----- binary --------------------------------------------------------------------------------------------------


class _ClampedBCE(torch.autograd.Function):
    """Elementwise BCE with each log clamped at -100; the backward is torch's, not the clamp's derivative."""

    @staticmethod
    def forward(ctx, input, target):
        ctx.save_for_backward(input, target)
        log_p = input.log().clamp(min=-100)
        log_1mp = (1 - input).log().clamp(min=-100)
        return -(target * log_p + (1 - target) * log_1mp)

    @staticmethod
    def backward(ctx, grad):
        input, target = ctx.saved_tensors
        grad_input = grad * (input - target) / (input * (1 - input)).clamp(min=1e-12)
        grad_target = grad * ((1 - input).log().clamp(min=-100) - input.log().clamp(min=-100))
        return grad_input, grad_target


def binary_cross_entropy(
    input: torch.Tensor, target: torch.Tensor, weight=None, *, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy of probabilities, the twin of ``torch.nn.functional.binary_cross_entropy``.

    .. math::
        \ell(p, y) = -w\,\bigl[y \log p + (1 - y)\log(1 - p)\bigr], \qquad
        \frac{\partial \ell}{\partial p} = w\,\frac{p - y}{p(1 - p)}

    Like torch, each log is clamped at -100 (so :math:`p = 0, y = 1` costs 100, not ∞) and the gradient's
    denominator is clamped at 1e-12 (so it is finite, and not the zero slope of the clamp). ``input`` and
    ``target`` must lie in [0, 1]; ``weight`` may broadcast to ``input`` (e.g. one weight per column).
    Prefer :func:`binary_cross_entropy_with_logits`: it never needs a clamp.
    """
    check_pair(input, target)
    check_in_unit_interval("input", input)
    check_in_unit_interval("target", target)
    loss = _ClampedBCE.apply(input, target)
    if weight is not None:
        check_broadcast("weight", weight, input)
        loss = weight * loss
    return reduce(loss, reduction)


class _BCEWithLogits(torch.autograd.Function):
    r"""Binary cross-entropy of logits, reduced; the backward is the gradient formula of each argument.

    The forward is :math:`-w\,[p_w y \log\sigma(z) + (1 - y)\log\sigma(-z)]`; without :math:`p_w` the bracket
    is a linear interpolation from :math:`\log\sigma(-z)` to :math:`\log\sigma(z)` by :math:`y`, one
    ``torch.lerp``, exact at :math:`y \in \{0, 1\}`. The backward multiplies the incoming gradient (divided by the
    number of elements for "mean") by :math:`w\,[(p_w y + 1 - y)\,\sigma(z) - p_w y]` for :math:`z` (plain
    :math:`w\,(\sigma(z) - y)` when :math:`p_w = 1`), :math:`-w\,[p_w \log\sigma(z) - \log\sigma(-z)]` for
    :math:`y`, the unweighted loss for :math:`w` and :math:`-w\,y \log\sigma(z)` for :math:`p_w` (each summed
    over the dimensions it was broadcast along). The backward uses torch operations on the saved inputs only, so
    autograd can differentiate it again (second derivatives, ``create_graph=True``).
    """

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction: str):
        ctx.save_for_backward(input, target, weight, pos_weight)
        ctx.reduction = reduction
        return reduce(_bce_with_logits_terms(input, target, weight, pos_weight), reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight, pos_weight = ctx.saved_tensors
        grad = grad / input.numel() if ctx.reduction == "mean" else grad
        weighted = grad if weight is None else grad * weight
        pw_y = target if pos_weight is None else pos_weight * target
        needs = ctx.needs_input_grad
        grad_input = grad_target = grad_weight = grad_pos_weight = None
        if needs[0]:
            p = torch.sigmoid(input)
            grad_input = (p - target if pos_weight is None else (pw_y + 1 - target) * p - pw_y) * weighted
        if needs[1]:
            pw = 1.0 if pos_weight is None else pos_weight
            grad_target = -(pw * F.logsigmoid(input) - F.logsigmoid(-input)) * weighted
        if needs[2]:
            grad_weight = (_bce_with_logits_terms(input, target, None, pos_weight) * grad).sum_to_size(weight.shape)
        if needs[3]:
            grad_pos_weight = (-target * F.logsigmoid(input) * weighted).sum_to_size(pos_weight.shape)
        return grad_input, grad_target, grad_weight, grad_pos_weight, None


def _bce_with_logits_terms(input, target, weight, pos_weight) -> torch.Tensor:
    """The elementwise loss, unreduced, with no autograd graph of its own (see ``_BCEWithLogits``)."""
    if pos_weight is None:
        loss = torch.lerp(F.logsigmoid(-input), F.logsigmoid(input), target).neg_()
    else:
        loss = -(pos_weight * target * F.logsigmoid(input) + (1 - target) * F.logsigmoid(-input))
    return loss if weight is None else loss.mul_(weight)


def binary_cross_entropy_with_logits(
    input: torch.Tensor, target: torch.Tensor, weight=None, *, pos_weight=None, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy of logits, the twin of ``torch.nn.functional.binary_cross_entropy_with_logits``.

    .. math::
        \ell(z, y) = -w\,\bigl[p_w\, y \log\sigma(z) + (1 - y)\log\sigma(-z)\bigr], \qquad
        \frac{\partial \ell}{\partial z} = w\,\bigl[(p_w y + 1 - y)\,\sigma(z) - p_w y\bigr]

    using :math:`\log(1 - \sigma(z)) = \log\sigma(-z)`; with no weights the gradient is :math:`\sigma(z) - y`.
    ``log σ`` is computed as ``F.logsigmoid`` (a softplus), exact for logits of ±1e4 even in float32. The backward
    is this gradient formula (a ``torch.autograd.Function``), times the reduction's scale, as in torch's fused
    kernel, rather than autograd replaying the forward's steps; autograd can differentiate it again. ``pos_weight``
    (:math:`p_w`, e.g. shape (C,) for (N, C) multi-label input) and ``weight`` (:math:`w`) may broadcast to
    ``input`` but not enlarge it.
    """
    check_pair(input, target)
    check_in_unit_interval("target", target)
    if pos_weight is not None:
        check_broadcast("pos_weight", pos_weight, input)
    if weight is not None:
        check_broadcast("weight", weight, input)
    check_reduction(reduction)
    return _BCEWithLogits.apply(input, target, weight, pos_weight, reduction)


def hinge_loss(input: torch.Tensor, target: torch.Tensor, *, margin: float = 1.0, reduction: str = "mean"):
    r"""The SVM hinge loss of a score :math:`f` for labels :math:`y \in \{-1, +1\}` (no direct torch twin).

    .. math::
        \ell(f, y) = \max(0,\ m - y f), \qquad \frac{\partial \ell}{\partial f} = -y\,\mathbb 1[y f < m]

    (gradient 0 exactly at the kink :math:`yf = m`, as ``torch.relu``). It is *not*
    ``torch.nn.functional.hinge_embedding_loss``, which takes a distance :math:`d \ge 0` and returns
    :math:`d` for :math:`y = 1` and :math:`\max(0, m - d)` for :math:`y = -1` (a metric-learning loss). Its
    torch equivalent is ``2 * F.multi_margin_loss`` on the two-class scores ``[0, f]`` with class
    ``(y + 1) / 2``, because that loss divides by the number of classes. ``margin=0`` is the perceptron loss.
    """
    check_pair(input, target)
    if not ((target == 1) | (target == -1)).all():
        raise ValueError("`target` must hold labels -1 or +1 (for 0/1 labels pass 2 * y - 1), got "
                         f"{sorted(set(target.unique().tolist()))[:5]}")
    margin = check_number("margin", margin, low=0)
    return reduce(torch.relu(margin - target * input), reduction)


# ----- multi-class ---------------------------------------------------------------------------------------------


def nll_loss(input, target, weight=None, *, ignore_index: int = -100, reduction: str = "mean") -> torch.Tensor:
    r"""Negative log-likelihood of log-probabilities, the twin of ``torch.nn.functional.nll_loss``.

    .. math::
        \ell_i = -w_{y_i}\, x_{i, y_i}, \qquad \frac{\partial \ell_i}{\partial x_{i,c}} = -w_{y_i}\mathbb 1[c = y_i],
        \qquad \text{mean} = \frac{\sum_i \ell_i}{\sum_{i:\,y_i \ne \text{ignore}} w_{y_i}}

    Targets equal to ``ignore_index`` contribute 0 and leave the denominator; if all are ignored the mean is
    nan, as in torch.
    """
    check_ignore_index(ignore_index)
    input, target, unbatched = check_index_target(input, target, ignore_index)
    check_class_weight(weight, input, input.shape[1])
    safe, w_y = target_weights(target, weight, ignore_index, input.dtype)
    x_y = input.gather(1, safe.unsqueeze(1)).squeeze(1)
    loss = torch.where(target != ignore_index, -w_y * x_y, 0)
    return weighted_reduce(loss, w_y, reduction, unbatched)


def probability_sum_tolerance(dtype: torch.dtype, n_classes: int) -> float:
    """How far from 1 a row of ``n_classes`` probabilities of ``dtype`` may sum: 1e-4, or the worst case of rounding
    each value and summing them in ``dtype`` (about ``n_classes`` · eps) where that is larger — float16 (eps ≈ 1e-3)
    and bfloat16 softmax outputs are off by more than 1e-4 and are still probabilities."""
    return max(1e-4, n_classes * torch.finfo(dtype).eps)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing) -> torch.Tensor:
    check_floating("input", input)
    class_dim = 0 if input.dim() == 1 else 1
    index_shape = input.shape[:class_dim] + input.shape[class_dim + 1:]
    if target.shape == index_shape and target.shape != input.shape:
        raise ValueError(index_dtype_message(target, f"; class probabilities would have the shape of `input` "
                                                      f"{tuple(input.shape)}"))
    check_pair(input, target)
    n_classes = input.shape[class_dim]
    check_class_weight(weight, input, n_classes)
    sums = target.sum(class_dim, dtype=torch.promote_types(target.dtype, torch.float32))
    tolerance = probability_sum_tolerance(target.dtype, n_classes)
    if (target < 0).any() or not torch.allclose(sums, torch.ones_like(sums), rtol=1e-5, atol=tolerance):
        raise ValueError(f"`target` of probabilities must be non-negative and sum to 1 along dim {class_dim} "
                         f"(to within {tolerance:.2g} for {target.dtype})")
    smoothed = (1 - label_smoothing) * target + label_smoothing / n_classes
    w = 1.0 if weight is None else weight.view(-1, *[1] * (input.dim() - class_dim - 1))
    return reduce(-(w * smoothed * log_softmax(input, class_dim)).sum(class_dim), reduction)


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight=None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy of logits, the twin of ``torch.nn.functional.cross_entropy``.

    With :math:`\log p = \operatorname{log\_softmax}(z)` over the :math:`C` classes and smoothing
    :math:`\varepsilon`, for class-index targets

    .. math::
        \ell_i = (1 - \varepsilon)\,\bigl(-w_{y_i}\log p_{i,y_i}\bigr)
                 + \frac{\varepsilon}{C}\sum_c \bigl(-w_c \log p_{i,c}\bigr), \qquad
        \frac{\partial \ell_i}{\partial z_{i,c}} = \Bigl(\sum_k q_{i,k}\Bigr) p_{i,c} - q_{i,c},\quad
        q_{i,k} = w_k\bigl((1 - \varepsilon)\mathbb 1[k = y_i] + \tfrac{\varepsilon}{C}\bigr)

    and "mean" divides :math:`\sum_i \ell_i` by :math:`\sum_i w_{y_i}` over the non-ignored targets — also the
    smoothing term, which is weighted by every class's :math:`w_c`, as torch does. Ignored targets give 0.

    For probability targets (floating, same shape as ``input``, summing to 1 along the class dimension)
    :math:`\ell_i = -\sum_c w_c\,\tilde t_{i,c}\log p_{i,c}` with :math:`\tilde t = (1 - \varepsilon)t + \varepsilon/C`,
    and "mean" divides by the number of positions :math:`N d_1 \cdots` (not by the weights), as torch does;
    ``ignore_index`` does not apply.
    """
    label_smoothing = check_number("label_smoothing", label_smoothing, low=0, high=1)
    check_reduction(reduction)
    check_ignore_index(ignore_index)
    check_tensor("target", target)
    if target.is_floating_point():
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    if target.dtype != torch.int64:
        raise ValueError(index_dtype_message(target, ", or pass class probabilities as a floating tensor of the "
                                                      "shape of `input`"))
    input, target, unbatched = check_index_target(input, target, ignore_index)
    n_classes = input.shape[1]
    check_class_weight(weight, input, n_classes)
    log_p = log_softmax(input, 1)
    nll = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction="none")
    _, w_y = target_weights(target, weight, ignore_index, input.dtype)
    if label_smoothing == 0:  # not 0 · (smoothing term): a masked logit (-inf) makes that term inf, and 0 · inf = nan
        return weighted_reduce(nll, w_y, reduction, unbatched)
    w_c = torch.ones(n_classes, dtype=input.dtype, device=input.device) if weight is None else weight
    uniform = -(w_c.view(-1, *[1] * (log_p.dim() - 2)) * log_p).sum(1)
    uniform = torch.where(target != ignore_index, uniform, 0)
    loss = (1 - label_smoothing) * nll + label_smoothing / n_classes * uniform
    return weighted_reduce(loss, w_y, reduction, unbatched)


def multi_margin_loss(
    input: torch.Tensor, target: torch.Tensor, *, p: int = 1, margin: float = 1.0, weight=None, reduction: str = "mean"
) -> torch.Tensor:
    r"""Weston–Watkins multi-class hinge (a sum over every wrong class), the twin of ``F.multi_margin_loss``.

    .. math::
        \ell_i = \frac{1}{C}\sum_{c \ne y_i} w_{y_i}\,\max(0,\ m - z_{i,y_i} + z_{i,c})^p, \qquad
        \frac{\partial \ell_i}{\partial z_{i,c}} = \frac{p\,w_{y_i}}{C}\max(0,\ m - z_{i,y_i} + z_{i,c})^{p-1}
        \ (c \ne y_i)

    and :math:`\partial \ell_i / \partial z_{i,y_i}` is minus the sum of the others. Crammer–Singer's hinge, which
    keeps only the largest wrong-class violation, is a different loss. ``input`` is (N, C) or
    (C,); ``p`` is 1 or 2; "mean" divides by N whatever the weights (unlike :func:`cross_entropy`), as torch.
    """
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"`p` must be 1 or 2, got {p!r}")
    margin = check_number("margin", margin, low=0)
    if isinstance(input, torch.Tensor) and input.dim() > 2:
        raise ValueError(f"`input` must have shape (C,) or (N, C), got {tuple(input.shape)}")
    input, target, unbatched = check_index_target(input, target)
    n_classes = input.shape[1]
    check_class_weight(weight, input, n_classes)
    z_y = input.gather(1, target.unsqueeze(1))
    violation = torch.relu(margin - z_y + input) ** p
    others = F.one_hot(target, n_classes) == 0
    w_y = 1.0 if weight is None else weight[target].unsqueeze(1)
    loss = (w_y * torch.where(others, violation, 0)).sum(1) / n_classes
    return reduce(loss.squeeze(0) if unbatched else loss, reduction)
