r"""Multi-task losses: one number to minimise from several tasks' losses, with fixed weights or with weights
learned from each task's uncertainty :cite:p:`kendall2018multitask`."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lib._validate import check_int, check_number

__all__ = ["UncertaintyWeighting", "weighted_loss_sum"]


def _stack_losses(losses, count: int | None = None) -> torch.Tensor:
    """The task losses (a sequence of 0-d floating tensors, or one 1-D tensor) as one 1-D tensor."""
    if isinstance(losses, torch.Tensor):
        if losses.dim() != 1:
            raise ValueError(f"`losses` must be a 1-D tensor or a sequence of 0-d tensors, got shape "
                             f"{tuple(losses.shape)}")
        stacked = losses
    else:
        if not isinstance(losses, Sequence) or not all(
                isinstance(loss, torch.Tensor) and loss.dim() == 0 for loss in losses):
            raise ValueError("`losses` must be a 1-D tensor or a sequence of 0-d tensors (one loss per task)")
        if len({loss.dtype for loss in losses}) > 1:
            raise ValueError(f"`losses` must share one dtype, got {sorted({str(loss.dtype) for loss in losses})}")
        stacked = torch.stack(list(losses)) if len(losses) else torch.zeros(0)
    if not stacked.is_floating_point():
        raise ValueError(f"`losses` must be floating-point, got dtype {stacked.dtype}")
    if len(stacked) == 0 or (count is not None and len(stacked) != count):
        expected = "at least one" if count is None else f"{count} (num_tasks)"
        raise ValueError(f"`losses` must hold {expected} task losses, got {len(stacked)}")
    return stacked


def weighted_loss_sum(losses, weights) -> torch.Tensor:
    r""":math:`\sum_i w_i L_i` for task losses :math:`L_i` (0-d tensors, or a 1-D tensor) and fixed weights
    :math:`w_i` (finite, >= 0, one per loss). The weights are numbers, not parameters: nothing learns them."""
    stacked = _stack_losses(losses)
    if isinstance(weights, torch.Tensor):
        weights = weights.tolist() if weights.dim() == 1 else None
    if not isinstance(weights, Sequence) or len(weights) != len(stacked):
        raise ValueError(f"`weights` must be a sequence of {len(stacked)} numbers, one per loss, got {weights!r}")
    weights = [check_number("weights", w, low=0) for w in weights]
    return (torch.tensor(weights, dtype=stacked.dtype, device=stacked.device) * stacked).sum()


class UncertaintyWeighting(torch.nn.Module):
    r"""Task weights learned from homoscedastic uncertainty :cite:p:`kendall2018multitask`.

    One learned log-variance :math:`s_i = \log\sigma_i^2` per task (the parameter ``log_variance``, initially
    ``init_log_variance``):

    .. math::
        \mathcal L = \sum_i e^{-s_i} L_i + s_i, \qquad
        \frac{\partial \mathcal L}{\partial s_i} = 1 - e^{-s_i} L_i = 0 \iff s_i = \log L_i

    so at the optimum each task is weighted by :math:`e^{-s_i} = 1 / L_i` and contributes 1: a task with a large
    loss is trusted less, and the :math:`+ s_i` keeps :math:`\sigma_i` from growing without end. The paper
    derives :math:`\tfrac{1}{2\sigma^2} L + \log\sigma` for a Gaussian (regression) likelihood and
    :math:`\tfrac{1}{\sigma^2} L + \log\sigma` for a softmax (classification) one. The form here is twice the
    regression form, used for every task, as most implementations do: doubling does not move the minimiser, and
    in :math:`s` it has no ½ factors; the classification form would move each optimum to :math:`s_i = \log 2L_i`,
    i.e. halve that task's weight. Parametrising by :math:`s` rather than :math:`\sigma` keeps the weights positive
    without a constraint and the optimisation stable.
    """

    def __init__(self, num_tasks: int, *, init_log_variance: float = 0.0):
        super().__init__()
        self.num_tasks = check_int("num_tasks", num_tasks, low=1)
        init = check_number("init_log_variance", init_log_variance)
        self.log_variance = torch.nn.Parameter(torch.full((self.num_tasks,), init))

    def forward(self, losses) -> torch.Tensor:
        stacked = _stack_losses(losses, self.num_tasks)
        s = self.log_variance.to(stacked.dtype)
        return (torch.exp(-s) * stacked + s).sum()

    def weights(self) -> torch.Tensor:
        """The current task weights :math:`e^{-s_i} = 1/\\sigma_i^2` (detached)."""
        return torch.exp(-self.log_variance.detach())

    def extra_repr(self) -> str:
        return f"num_tasks={self.num_tasks}"


