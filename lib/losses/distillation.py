r"""Knowledge distillation :cite:p:`hinton2015distilling`: a student learns from a teacher's softened
probabilities as well as from the labels; the Kullback–Leibler divergence compares the two distributions."""

from __future__ import annotations

import torch

from lib._validate import REDUCTIONS, check_bool, check_floating, check_number, check_pair, reduce
from lib.losses._shared import check_in_unit_interval
from lib.losses.classification import cross_entropy, log_softmax

__all__ = ["distillation_loss", "kl_div"]

KL_REDUCTIONS = (*REDUCTIONS, "batchmean")


def kl_div(input: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean",
           log_target: bool = False) -> torch.Tensor:
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(t \,\|\, q)`, the twin of ``torch.nn.functional.kl_div``.

    ``input`` holds log-probabilities :math:`\log q` (e.g. ``log_softmax(logits)``; values > 0 are refused, the
    usual mistake of passing logits); ``target`` holds probabilities :math:`t` (``log_target=True``:
    log-probabilities :math:`\log t`), elementwise

    .. math::
        \ell = t\,(\log t - \log q), \qquad 0 \cdot \log 0 = 0 \text{ (``torch.xlogy``)}, \qquad
        \frac{\partial \ell}{\partial \log q} = -t

    ``reduction``: "batchmean" (sum / N, the divergence per sample — the mathematically meaningful one),
    "mean" (sum / number of elements, torch's default, which torch warns about: it divides by the classes too),
    "sum" or "none". Like torch, the gradient with respect to a zero ``target`` is nan (from :math:`\log 0`), and
    ``log_target=True`` with a target of ``-inf`` gives nan (:math:`0 \cdot \infty`).
    """
    check_pair(input, target)
    if reduction not in KL_REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {KL_REDUCTIONS}, got {reduction!r}")
    check_bool("log_target", log_target)
    if not (input <= 0).all():
        raise ValueError("`input` must hold log-probabilities (<= 0, no nan), e.g. log_softmax(logits, dim=1); "
                         f"got values up to {input.max()}")
    if log_target:
        if not (target <= 0).all():
            raise ValueError(f"`target` must hold log-probabilities (<= 0, no nan) with log_target=True, "
                             f"got values up to {target.max()}")
        pointwise = target.exp() * (target - input)
    else:
        check_in_unit_interval("target", target)
        pointwise = torch.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return pointwise.sum() / (input.shape[0] if input.dim() else 1)
    return reduce(pointwise, reduction)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, target: torch.Tensor, *,
                      temperature: float = 4.0, alpha: float = 0.9) -> torch.Tensor:
    r"""Hinton et al.'s distillation loss :cite:p:`hinton2015distilling`: soft targets from the teacher plus the
    hard labels.

    .. math::
        \mathcal L = \alpha\,T^2\,\mathrm{KL}\bigl(\operatorname{softmax}(v/T) \,\|\, \operatorname{softmax}(z/T)\bigr)
        + (1 - \alpha)\,\mathrm{CE}(z, y)

    with student logits :math:`z`, teacher logits :math:`v` (detached: the teacher is not trained), the KL
    averaged over the batch ("batchmean") and the cross-entropy averaged too. The gradient of the KL term with
    respect to :math:`z_i` is :math:`(q_i - p_i)/T`, which for large :math:`T` is about
    :math:`(z_i - v_i)/(C\,T^2)` (zero-mean logits): the factor :math:`T^2` keeps the soft term's weight against
    the hard term independent of :math:`T`. ``student_logits`` and ``teacher_logits`` are (N, C) (or
    (N, C, d1, ...)), ``target`` class indices (N,) as for :func:`cross_entropy`; ``temperature`` > 0,
    ``alpha`` in [0, 1].
    """
    check_floating("student_logits", student_logits)
    check_floating("teacher_logits", teacher_logits)
    if teacher_logits.shape != student_logits.shape or student_logits.dim() < 2:
        raise ValueError(f"`teacher_logits` must have the shape of `student_logits` (N, C, ...) "
                         f"{tuple(student_logits.shape)}, got {tuple(teacher_logits.shape)}")
    if teacher_logits.dtype != student_logits.dtype:
        raise ValueError(f"`teacher_logits` must have the dtype of `student_logits` ({student_logits.dtype}), "
                         f"got {teacher_logits.dtype}")
    temperature = check_number("temperature", temperature, low=0, low_open=True)
    alpha = check_number("alpha", alpha, low=0, high=1)
    hard = cross_entropy(student_logits, target)
    soft = kl_div(log_softmax(student_logits / temperature, 1), log_softmax(teacher_logits.detach() / temperature, 1),
                  reduction="batchmean", log_target=True)
    return alpha * temperature**2 * soft + (1 - alpha) * hard
