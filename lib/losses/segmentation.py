r"""Segmentation: the soft Dice loss :cite:p:`milletari2016vnet`, the overlap of predicted and true masks made
differentiable by using probabilities instead of hard decisions.

The hard Dice score and IoU of two binary masks are :func:`lib.metrics.dice_score` and
:func:`lib.metrics.iou_score`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib._validate import (
    check_bool,
    check_floating,
    check_number,
    check_reduction,
    check_same_dtype,
    check_tensor,
    reduce,
)
from lib.losses._shared import check_in_unit_interval, index_dtype_message

ACTIVATIONS = ("sigmoid", "softmax", None)

__all__ = ["dice_loss"]


def _probabilities(input: torch.Tensor, activation) -> torch.Tensor:
    if activation not in ACTIVATIONS:
        raise ValueError(f"`activation` must be one of {ACTIVATIONS}, got {activation!r}")
    if activation == "softmax":
        if input.shape[1] < 2:
            raise ValueError(f"`activation`='softmax' needs `input` with C >= 2 channels, got C = {input.shape[1]}")
        return torch.softmax(input, dim=1)
    if activation == "sigmoid":
        return torch.sigmoid(input)
    check_in_unit_interval("input", input)
    return input


def _one_hot_target(input: torch.Tensor, target) -> torch.Tensor:
    """``target`` as a float tensor of ``input``'s shape: a mask as it is, class indices (N, *spatial) one-hot."""
    check_tensor("target", target)
    if target.is_floating_point():
        if target.shape != input.shape:
            raise ValueError(f"`target` must have the shape of `input` {tuple(input.shape)} (a mask) or "
                             f"{(input.shape[0], *input.shape[2:])} (class indices), got {tuple(target.shape)}")
        check_same_dtype(input, target)
        check_in_unit_interval("target", target)
        return target
    if target.dtype != torch.int64:
        raise ValueError(index_dtype_message(target, " (or a floating-point mask of the input's shape)"))
    n_classes, expected = input.shape[1], (input.shape[0], *input.shape[2:])
    if target.shape != expected:
        raise ValueError(f"`target` of class indices must have shape (N, *spatial) = {expected}, "
                         f"got {tuple(target.shape)}")
    if n_classes < 2:
        raise ValueError("`target` of class indices needs `input` with C >= 2 channels (one per class), got C = 1")
    if target.numel() and (target.min() < 0 or target.max() >= n_classes):
        raise ValueError(f"`target` must hold class indices in [0, {n_classes - 1}], "
                         f"got values in [{target.min()}, {target.max()}]")
    return F.one_hot(target, n_classes).movedim(-1, 1).to(input.dtype)


def dice_loss(input: torch.Tensor, target: torch.Tensor, *, activation="sigmoid", smooth: float = 1e-5,
              include_background: bool = True, squared: bool = False, batch: bool = False,
              reduction: str = "mean") -> torch.Tensor:
    r"""Soft Dice loss :cite:p:`milletari2016vnet`, the twin of MONAI's ``DiceLoss``.

    For each sample :math:`n` and class :math:`c`, with probabilities :math:`p` and target :math:`g` summed over
    the spatial positions (and over the batch too when ``batch=True``):

    .. math::
        \ell_{nc} = 1 - \frac{2\sum p\,g + s}{\sum p + \sum g + s}
        \qquad (\texttt{squared=True}: \textstyle\sum p^2 + \sum g^2 \text{ in the denominator})

    ``input`` is (N, C, \*spatial): logits turned into probabilities by ``activation`` ("sigmoid": each channel
    its own binary mask; "softmax": over the channels; None: ``input`` already holds probabilities in [0, 1]).
    ``target`` is a mask of ``input``'s shape and dtype (0/1 or soft, in [0, 1]) or int64 class indices of shape
    (N, \*spatial), one-hot encoded here (needs C >= 2). ``include_background=False`` drops channel 0 (after the
    softmax). ``reduction``: "mean" or "sum" over the (N, C) terms, or "none": the (N, C) terms, (C,) with
    ``batch=True``.

    The smoothing :math:`s` (default 1e-5) decides an *empty* class, one absent from the target
    (:math:`\sum g = 0`): the term is :math:`1 - s / (\sum p + s)`, about 0 when the prediction is empty too
    (:math:`\sum p \ll s`) and about 1 as soon as :math:`\sum p \gg s`, with a gradient of only
    :math:`s / (\sum p + s)^2` per pixel: an empty class costs almost a full point yet teaches almost nothing.
    ``smooth=0`` makes that term 0/0 = nan. ``batch=True`` pools the sums over the batch, so a class is only
    empty when it is absent from every sample.

    Differences from MONAI (whose ``reduction="none"`` keeps singleton spatial dimensions, (N, C, 1, ...)):
    C = 1 with ``activation="softmax"``, class indices, or ``include_background=False`` is refused here (MONAI
    warns and skips the step), and the target of class indices has no channel dimension here (MONAI: (N, 1, ...)).
    """
    check_floating("input", input)
    if input.dim() < 2:
        raise ValueError(f"`input` must have shape (N, C, *spatial), got {tuple(input.shape)}")
    smooth = check_number("smooth", smooth, low=0)
    for name, value in (("include_background", include_background), ("squared", squared), ("batch", batch)):
        check_bool(name, value)
    check_reduction(reduction)
    probs, target = _probabilities(input, activation), _one_hot_target(input, target)
    if not include_background:
        if input.shape[1] < 2:
            raise ValueError("`include_background`=False needs `input` with C >= 2 channels (channel 0 is dropped)")
        probs, target = probs[:, 1:], target[:, 1:]
    dims = (0, *range(2, input.dim())) if batch else tuple(range(2, input.dim()))
    intersection = (probs * target).sum(dims)
    denominator = (probs.square() + target.square()).sum(dims) if squared else (probs + target).sum(dims)
    loss = 1 - (2 * intersection + smooth) / (denominator + smooth)
    return reduce(loss, reduction)
