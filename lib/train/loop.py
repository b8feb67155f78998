"""The passes over a loader behind :func:`lib.train.fit`: :class:`Loop` makes one epoch of updates (gradient
accumulation, clipping, mixed precision, the per-update history, the scheduler, the rollback to the last finite
state) and :func:`evaluate_all` measures a loss and metrics over a whole loader. Under ``torch.distributed`` both
all-reduce what they record (``distributed.py``). What ``fit`` records and when it steps a scheduler is written in
``fit``'s docstring; this module does it."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping

import torch

from lib.train._arguments import check_batch, loss_value, metric_value, no_batches_message
from lib.train.distributed import all_reduce_sum, is_distributed, sync_gradients, weighted_mean, world_size


def autocast(device: torch.device, amp_dtype):
    """``torch.autocast(device.type, amp_dtype)``, or nothing for ``amp_dtype=None``."""
    if amp_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=amp_dtype)


class NonFiniteLossError(FloatingPointError):
    """The training loss became inf or nan. ``epoch`` and ``step`` (both 0-based; ``step`` counts the updates
    within the epoch) say where, ``global_step`` counts the updates since the run began, and ``history`` is the
    history recorded up to then. The model holds the parameters of the last finite loss."""

    def __init__(self, message: str, *, epoch: int, step: int, global_step: int, history: dict):
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.history = epoch, step, global_step, history


@torch.no_grad()
def evaluate_all(
    model,
    loss_fn,
    metrics: Mapping[str, Callable],
    loader: Iterable,
    device,
    *,
    name: str = "loader",
    epoch: int = 0,
    amp_dtype=None,
) -> dict[str, float]:
    """``{"loss": ..., name: ...}`` over a whole loader, each batch weighted by its size (exact for means); under
    ``torch.distributed``, over the batches of every rank (each rank passes its share of the data)."""
    was_training = model.training
    model.eval()
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    try:
        for index, batch in enumerate(loader):
            X, y = check_batch(name, batch, index)
            X, y = X.to(device), y.to(device)
            with autocast(device, amp_dtype):
                output = model(X)
                totals["loss"] += loss_value(loss_fn(output, y), training=False) * len(y)
            for metric_name, metric in metrics.items():
                totals[metric_name] += metric_value(metric_name, metric(output, y)) * len(y)
            count += len(y)
    finally:
        model.train(was_training)
    means, count = weighted_mean(totals, count)  # over every rank's share under torch.distributed
    if count == 0:
        raise ValueError(no_batches_message(name, epoch))
    return means


def groups_of(loader: Iterable, size: int, name: str = "loader") -> Iterator[list]:
    """The loader's batches, each checked, in lists of ``size`` (the last list may be shorter): one per update."""
    group = []
    for index, batch in enumerate(loader):
        group.append(check_batch(name, batch, index))
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
    """What the updates of one run share: the model, the options, the scheduler, the history, the last finite state.

    The scheduler (or ``None``) is stepped after every update when ``scheduler_interval="step"``, otherwise once per
    epoch by :meth:`end_epoch`.
    """

    def __init__(
        self,
        model,
        loss_fn,
        optimizer,
        device,
        history,
        *,
        scheduler=None,
        scheduler_interval: str = "epoch",
        clip_grad_norm=None,
        accumulation_steps: int = 1,
        amp_dtype=None,
    ):
        self.model, self.loss_fn, self.optimizer, self.device = model, loss_fn, optimizer, device
        self.history, self.clip_grad_norm, self.accumulation_steps = history, clip_grad_norm, accumulation_steps
        self.amp_dtype, self.scheduler = amp_dtype, scheduler
        # float16's range ends at 65504 and its gradients underflow below 6e-8: scale the loss (Micikevicius et al.)
        self.scaler = torch.amp.GradScaler(device.type) if amp_dtype == torch.float16 else None
        self.scheduler_each_step = scheduler is not None and scheduler_interval == "step"
        self._params = list(model.parameters())
        self._live = list(model.state_dict().values())  # views of the model's tensors, updated in place
        self._last_finite: list[torch.Tensor] | None = None

    def train_epoch(self, loader: Iterable, epoch: int) -> float:
        """One pass over ``loader``; returns the mean of the losses measured before each update."""
        self.model.train()
        total, count = 0.0, 0
        for step, group in enumerate(groups_of(loader, self.accumulation_steps, "train_loader")):
            group = [(X.to(self.device), y.to(self.device)) for X, y in group]
            lr = self.optimizer.param_groups[0]["lr"]
            loss_sum, n = self._update(group, epoch, step)
            self.history["step_lr"].append(lr)
            self.history["step_loss"].append(loss_sum / n)
            total, count = total + loss_sum, count + n
            if self.scheduler_each_step:
                step_scheduler(self.scheduler, loss_sum / n)
        if count == 0:
            raise ValueError(no_batches_message("train_loader", epoch))
        return total / count

    def end_epoch(self, monitored: float) -> None:
        """Step an epoch scheduler (``ReduceLROnPlateau`` with the ``monitored`` loss) once the epoch is measured."""
        if self.scheduler is not None and not self.scheduler_each_step:
            step_scheduler(self.scheduler, monitored)

    def _update(self, group: list, epoch: int, step: int) -> tuple[float, int]:
        """One optimizer step from a group of micro-batches; returns (sum of sample losses, number of samples),
        both over all ranks under ``torch.distributed``.

        Each micro-batch's mean loss is scaled by its share of the group's samples before ``backward``, so the
        accumulated gradient is the gradient of the mean loss over the whole group, as one big batch would give.
        A non-finite loss raises before the update.
        """
        if is_distributed():
            return self._distributed_update(group, epoch, step)
        n_group = sum(len(y) for _, y in group)
        self.optimizer.zero_grad()
        loss_sum = 0.0
        for X, y in group:
            value, loss = self._forward(X, y)
            if not math.isfinite(value):
                self._fail(value, epoch, step)
            self._backward(loss if len(group) == 1 else loss * (len(y) / n_group))
            loss_sum += value * len(y)
        self._finish_update()
        return loss_sum, n_group

    def _distributed_update(self, group: list, epoch: int, step: int) -> tuple[float, int]:
        """:meth:`_update` in a process group, with two collectives per update whatever the accumulation.

        Each micro-batch's loss is scaled by its number of samples (a sum of per-sample losses) and only the last
        one's backward all-reduces the gradients (the others run under ``model.no_sync()``); DDP averages them over
        the ``W`` ranks, so they are ``1/W`` times the gradient of the summed loss of every rank's group. One
        all-reduce of the losses and sample counts then gives ``N``, the samples of all groups, and the factor
        ``W / N`` turns the gradients into those of the mean loss over the concatenated groups, exactly, even when
        the ranks' batches differ in size (they must yield as many batches: every update is a collective). A loss
        that is not finite on any rank makes the sum non-finite, so every rank raises at the same step.
        """
        self.optimizer.zero_grad()
        loss_sum, n_group = 0.0, 0
        for index, (X, y) in enumerate(group):
            with sync_gradients(self.model, sync=index == len(group) - 1):
                value, loss = self._forward(X, y)
                self._backward(loss * len(y))
            loss_sum, n_group = loss_sum + value * len(y), n_group + len(y)
        loss_sum, n_all = all_reduce_sum([loss_sum, n_group])
        if not math.isfinite(loss_sum):
            self._fail(loss_sum / n_all, epoch, step)
        factor = world_size() / n_all
        for param in self._params:
            if param.grad is not None and factor != 1.0:
                param.grad.mul_(factor)
        self._finish_update()
        return loss_sum, int(n_all)

    def _forward(self, X, y) -> tuple[float, torch.Tensor]:
        """The micro-batch's loss (under autocast with ``amp_dtype``) as a number and as the tensor to differentiate."""
        with autocast(self.device, self.amp_dtype):
            loss = self.loss_fn(self.model(X), y)
        return loss_value(loss, training=True), loss

    def _finish_update(self) -> None:
        """Record the gradient norm (clipping if asked), remember the parameters, step."""
        self.history["step_grad_norm"].append(self._clip())
        self._remember_finite_state()
        self._step()

    def _backward(self, loss) -> None:
        (loss if self.scaler is None else self.scaler.scale(loss)).backward()

    def _step(self) -> None:
        """``optimizer.step()``; with a gradient scaler, ``scaler.step`` (which skips a step whose gradients hold an
        inf or a nan) and ``scaler.update``, recording the scale the step's gradients were multiplied by."""
        if self.scaler is None:
            self.optimizer.step()
            return
        self.history["step_loss_scale"].append(float(self.scaler.get_scale()))
        self.scaler.step(self.optimizer)
        self.scaler.update()

    def _clip(self) -> float:
        """The total L2 norm of the gradients before clipping (unscaled first under a gradient scaler); clips them
        with ``clip_grad_norm_`` if asked."""
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
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
