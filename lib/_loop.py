"""The machinery behind :func:`lib.train.fit`: one epoch, one update, gradient accumulation, clipping, the
per-step history, the rollback to the last finite state. Private: use :func:`lib.train.fit`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping

import torch


class NonFiniteLossError(FloatingPointError):
    """The training loss became inf or nan. ``epoch`` and ``step`` (both 0-based; ``step`` counts the updates
    within the epoch) say where, ``global_step`` counts the updates since the run began, and ``history`` is the
    history recorded up to then. The model holds the parameters of the last finite loss."""

    def __init__(self, message: str, *, epoch: int, step: int, global_step: int, history: dict):
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.history = epoch, step, global_step, history


@torch.no_grad()
def evaluate_all(model, loss_fn, metrics: Mapping[str, Callable], loader: Iterable, device) -> dict[str, float]:
    """``{"loss": ..., name: ...}`` over a whole loader, each batch weighted by its size (exact for means)."""
    was_training = model.training
    model.eval()
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    try:
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            output = model(X)
            totals["loss"] += loss_fn(output, y).item() * len(y)
            for name, metric in metrics.items():
                totals[name] += float(metric(output, y)) * len(y)
            count += len(y)
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("`loader` must yield at least one batch")
    return {name: total / count for name, total in totals.items()}


def groups_of(loader: Iterable, size: int) -> Iterator[list]:
    """The loader's batches in lists of ``size`` (the last list may be shorter): one list per update."""
    group = []
    for batch in loader:
        group.append(batch)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def step_scheduler(scheduler, monitored: float) -> None:
    """``scheduler.step()``, or ``scheduler.step(monitored)`` for ``ReduceLROnPlateau``, which needs the loss."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(monitored)
    else:
        scheduler.step()


def _grad_norm(params: list[torch.Tensor]) -> float:
    if not params:
        return 0.0
    norms = torch.stack([torch.linalg.vector_norm(p.grad.detach()) for p in params])
    return torch.linalg.vector_norm(norms).item()


class Loop:
    """What the updates of one run share: the model, the options, the history, the last finite state."""

    def __init__(self, model, loss_fn, optimizer, device, history, *, clip_grad_norm, accumulation_steps):
        self.model, self.loss_fn, self.optimizer, self.device = model, loss_fn, optimizer, device
        self.history, self.clip_grad_norm, self.accumulation_steps = history, clip_grad_norm, accumulation_steps
        self.scheduler, self.scheduler_each_step = None, False
        self._params = list(model.parameters())
        self._live = list(model.state_dict().values())  # views of the model's tensors, updated in place
        self._last_finite: list[torch.Tensor] | None = None

    def train_epoch(self, loader: Iterable, epoch: int) -> float:
        """One pass over ``loader``; returns the mean of the losses measured before each update."""
        self.model.train()
        total, count = 0.0, 0
        for step, group in enumerate(groups_of(loader, self.accumulation_steps)):
            group = [(X.to(self.device), y.to(self.device)) for X, y in group]
            lr = self.optimizer.param_groups[0]["lr"]
            loss_sum, n = self._update(group, epoch, step)
            self.history["step_lr"].append(lr)
            self.history["step_loss"].append(loss_sum / n)
            total, count = total + loss_sum, count + n
            if self.scheduler_each_step:
                step_scheduler(self.scheduler, loss_sum / n)
        if count == 0:
            raise ValueError("`train_loader` must yield at least one batch")
        return total / count

    def _update(self, group: list, epoch: int, step: int) -> tuple[float, int]:
        """One optimizer step from a group of micro-batches; returns (sum of sample losses, number of samples).

        Each micro-batch's mean loss is scaled by its share of the group's samples before ``backward``, so the
        accumulated gradient is the gradient of the mean loss over the whole group, as one big batch would give.
        """
        n_group = sum(len(y) for _, y in group)
        self.optimizer.zero_grad()
        loss_sum = 0.0
        for X, y in group:
            loss = self.loss_fn(self.model(X), y)
            value = loss.item()
            if not math.isfinite(value):
                self._fail(value, epoch, step)
            (loss if len(group) == 1 else loss * (len(y) / n_group)).backward()
            loss_sum += value * len(y)
        self.history["step_grad_norm"].append(self._clip())
        self._remember_finite_state()
        self.optimizer.step()
        return loss_sum, n_group

    def _clip(self) -> float:
        """The total L2 norm of the gradients before clipping; clips them with ``clip_grad_norm_`` if asked."""
        params = [p for p in self._params if p.grad is not None]
        if self.clip_grad_norm is None:
            return _grad_norm(params)
        return float(torch.nn.utils.clip_grad_norm_(params, self.clip_grad_norm))

    @torch.no_grad()
    def _remember_finite_state(self) -> None:
        if self._last_finite is None:
            self._last_finite = [value.detach().clone() for value in self._live]
        else:
            for saved, value in zip(self._last_finite, self._live):
                saved.copy_(value)

    @torch.no_grad()
    def _fail(self, value: float, epoch: int, step: int) -> None:
        """Roll the model back to the parameters of the last finite loss and raise."""
        if self._last_finite is not None:
            for saved, value_now in zip(self._last_finite, self._live):
                value_now.copy_(saved)
        global_step = len(self.history["step_loss"])
        raise NonFiniteLossError(
            f"the training loss became {value} at epoch {epoch}, step {step} (update {global_step} of the run); "
            "the model keeps the parameters of the last finite loss",
            epoch=epoch,
            step=step,
            global_step=global_step,
            history=self.history,
        )
