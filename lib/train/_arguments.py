"""The checks of what :func:`~lib.train.fit`, :func:`~lib.train.evaluate` and :func:`~lib.train.lr_range_test`
are given: the model, the loss function and what it returns, the optimizer, the scheduler, the loaders and every
batch they yield, the metrics' values; and where batches go (:func:`resolve_device`). Each raises a ``ValueError``
that names the argument."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import torch

from lib._validate import check_device


def resolve_device(device, model: torch.nn.Module) -> torch.device:
    """``device`` as a ``torch.device``; for ``None``, where the model's parameters are (the CPU for a model
    without parameters). The one place the training code decides where batches go."""
    if device is not None:
        return check_device("device", device)
    first = next(model.parameters(), None)
    return torch.device("cpu") if first is None else first.device


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
