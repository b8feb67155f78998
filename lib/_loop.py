"""The machinery behind :func:`lib.train.fit`: one epoch, one update, gradient accumulation, clipping, the
per-step history, the rollback to the last finite state, and the checks of what ``fit``, ``evaluate`` and
``lr_range_test`` are given (the model, the loss function and what it returns, the optimizer, the scheduler, the
loaders and every batch they yield). Private: use :func:`lib.train.fit`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from numbers import Real

import numpy as np
import torch

from lib._validate import check_device


class NonFiniteLossError(FloatingPointError):
    """The training loss became inf or nan. ``epoch`` and ``step`` (both 0-based; ``step`` counts the updates
    within the epoch) say where, ``global_step`` counts the updates since the run began, and ``history`` is the
    history recorded up to then. The model holds the parameters of the last finite loss."""

    def __init__(self, message: str, *, epoch: int, step: int, global_step: int, history: dict):
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.history = epoch, step, global_step, history


# ----- checks ---------------------------------------------------------------------------------------------------


def model_device(model: torch.nn.Module) -> torch.device:
    """Where the model's parameters are; the CPU for a model without parameters."""
    first = next(model.parameters(), None)
    return torch.device("cpu") if first is None else first.device


def resolve_device(device, model: torch.nn.Module) -> torch.device:
    """``device`` as a ``torch.device``, or the model's device for ``None``."""
    return model_device(model) if device is None else check_device("device", device)


def check_model(model) -> None:
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")


def check_loss_fn(loss_fn) -> None:
    if not callable(loss_fn):
        raise ValueError(f"`loss_fn` must be a callable loss_fn(output, target) -> scalar tensor, got {loss_fn!r}")


def check_loader(name: str, loader) -> None:
    """Raise unless ``loader`` can be iterated for batches: a tensor, a string or a mapping cannot."""
    if isinstance(loader, (torch.Tensor, np.ndarray, str, bytes, Mapping)) or not isinstance(loader, Iterable):
        raise ValueError(
            f"`{name}` must be an iterable of (inputs, targets) batches, such as lib.train.make_loader(X, y) or a "
            f"DataLoader, got {type(loader).__name__}"
        )


def check_batch(name: str, batch, index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Raise unless batch number ``index`` of loader ``name`` is a pair (inputs, targets) of tensors with the same,
    non-zero number of rows; return the pair."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        if isinstance(batch, (tuple, list)):
            got = f"a {type(batch).__name__} of length {len(batch)}"
        else:
            got = f"a tensor of shape {tuple(batch.shape)}" if isinstance(batch, torch.Tensor) else type(batch).__name__
        raise ValueError(f"`{name}` must yield (inputs, targets) pairs, got {got} as batch {index}")
    X, y = batch
    for part, value in (("inputs", X), ("targets", y)):
        if not isinstance(value, torch.Tensor) or value.dim() == 0:
            got = "a 0-d tensor" if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(f"`{name}` must yield tensors with a batch dimension, got {part} of batch {index}: {got}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"`{name}` must yield inputs and targets with as many rows, got {X.shape[0]} inputs and {y.shape[0]} "
            f"targets in batch {index}"
        )
    if y.shape[0] == 0:
        raise ValueError(f"`{name}` must yield non-empty batches, got an empty batch (0 rows) as batch {index}")
    return X, y


def loss_value(loss, *, training: bool) -> float:
    """The number in the scalar tensor ``loss_fn`` returned; while ``training``, it must also carry a gradient."""
    if not isinstance(loss, torch.Tensor) or not loss.is_floating_point():
        got = f"dtype {loss.dtype}" if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(f"`loss_fn` must return a floating-point scalar tensor, got {got}")
    if loss.dim() != 0:
        raise ValueError(
            f"`loss_fn` must return a scalar tensor, got shape {tuple(loss.shape)}; average the per-sample losses "
            "over the batch (e.g. reduction='mean')"
        )
    if training and not loss.requires_grad:
        raise ValueError(
            "`loss_fn` must return a tensor that depends on the model's parameters, got one without a gradient; "
            "compute it with torch operations on the model's output (no .item(), .detach() or torch.no_grad())"
        )
    return loss.item()


def metric_value(name: str, value) -> float:
    """The number a metric returned: a real number, a one-element tensor or a 0-d array."""
    if isinstance(value, torch.Tensor):
        is_number = value.numel() == 1 and not value.is_complex()
    elif isinstance(value, np.ndarray):
        is_number = value.ndim == 0 and np.isrealobj(value)
    else:
        is_number = isinstance(value, Real)
    if is_number:
        return float(value)
    shape = f" of shape {tuple(value.shape)}" if isinstance(value, (torch.Tensor, np.ndarray)) else ""
    raise ValueError(f"`metrics[{name!r}]` must return a number, got {type(value).__name__}{shape}")


def check_optimizer(name: str, optimizer, model: torch.nn.Module, *, factory: bool = False) -> None:
    """Raise unless ``optimizer`` is a ``torch.optim.Optimizer`` that updates ``model``.

    The rule: the optimizer must hold at least one of the model's trainable parameters. It need not hold all of
    them (training part of a model is legitimate), and it may hold others too (a loss with learnable parameters),
    but an optimizer that holds none of them, such as one built on another model, would leave this model as it is.
    A model without trainable parameters is not checked. With ``factory=True`` the messages speak of the
    optimizer that ``name`` returned.
    """
    must = "must return" if factory else "must be"
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"`{name}` {must} a torch.optim.Optimizer, got {type(optimizer).__name__}")
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    held = (p for group in optimizer.param_groups for p in group["params"])
    if trainable and not any(id(p) in trainable for p in held):
        hint = "build it on the parameters it is given" if factory else "build it with model.parameters()"
        raise ValueError(
            f"`{name}` {must} an optimizer of `model`'s parameters, got one that holds none of them (built on "
            f"another model?); {hint}"
        )


def check_scheduler(scheduler, optimizer: torch.optim.Optimizer) -> None:
    """Raise unless ``scheduler`` is ``None`` or has a ``.step()``; one built on another optimizer is refused."""
    if scheduler is None:
        return
    if isinstance(scheduler, type):
        raise ValueError(
            f"`scheduler` must be a scheduler object, got the class {scheduler.__name__}; build one on the "
            f"optimizer, e.g. {scheduler.__name__}(optimizer, ...)"
        )
    if not callable(getattr(scheduler, "step", None)):
        raise ValueError(
            f"`scheduler` must have a .step() method, like torch.optim.lr_scheduler's, got {type(scheduler).__name__}"
        )
    built_on = getattr(scheduler, "optimizer", None)
    if isinstance(built_on, torch.optim.Optimizer) and built_on is not optimizer:
        raise ValueError(
            "`scheduler` must be built on `optimizer`, but it drives another optimizer, so the learning rate that "
            "trains the model would never change; build it with the optimizer passed to fit"
        )


def no_batches_message(name: str, epoch: int) -> str:
    if epoch == 0:
        return f"`{name}` must yield at least one batch"
    return (
        f"`{name}` must yield batches in every epoch, but yielded none in epoch {epoch}: an iterator or a generator "
        "can be read only once; pass a list or a DataLoader"
    )


# ----- the loop -------------------------------------------------------------------------------------------------


@torch.no_grad()
def evaluate_all(
    model, loss_fn, metrics: Mapping[str, Callable], loader: Iterable, device, *, name: str = "loader", epoch: int = 0
) -> dict[str, float]:
    """``{"loss": ..., name: ...}`` over a whole loader, each batch weighted by its size (exact for means)."""
    was_training = model.training
    model.eval()
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    try:
        for index, batch in enumerate(loader):
            X, y = check_batch(name, batch, index)
            X, y = X.to(device), y.to(device)
            output = model(X)
            totals["loss"] += loss_value(loss_fn(output, y), training=False) * len(y)
            for metric_name, metric in metrics.items():
                totals[metric_name] += metric_value(metric_name, metric(output, y)) * len(y)
            count += len(y)
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError(no_batches_message(name, epoch))
    return {key: total / count for key, total in totals.items()}


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
            value = loss_value(loss, training=True)
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
