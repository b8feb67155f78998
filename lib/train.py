"""A small, general training loop. It returns numbers; it never prints or plots."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_loader(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int | None = None,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> Iterable:
    """Mini-batches of ``(X, y)`` for :func:`fit`: a ``DataLoader``, or for ``batch_size=None`` (full-batch
    gradient descent) simply ``[(X, y)]``, which is all a loader has to be and costs nothing per epoch.

    Shuffling needs an explicit ``generator`` so that runs repeat exactly.
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"`y` must have as many rows as `X` ({X.shape[0]}), got {y.shape[0]}")
    if batch_size is None:
        return [(X, y)]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int or None, got {batch_size!r}")
    if shuffle and generator is None:
        raise ValueError("`generator` must be a torch.Generator when shuffle=True, so that runs repeat")
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)


def _model_device(model: torch.nn.Module) -> torch.device:
    first = next(model.parameters(), None)
    return torch.device("cpu") if first is None else first.device


@torch.no_grad()
def evaluate(model: torch.nn.Module, loss_fn: Callable, loader: Iterable, *, device=None) -> float:
    """The loss over a whole loader: the batch losses weighted by batch size (exact for mean reductions)."""
    device = _model_device(model) if device is None else torch.device(device)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        total += loss_fn(model(X), y).item() * len(y)
        count += len(y)
    model.train(was_training)
    return total / count


def _train_epoch(model, loss_fn, optimizer, loader, device, epoch) -> float:
    model.train()
    total, count = 0.0, 0
    for step, (X, y) in enumerate(loader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the training loss became {loss.item()} at epoch {epoch}, step {step}")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count


def fit(
    model: torch.nn.Module,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    train_loader: Iterable,
    *,
    num_epochs: int,
    val_loader: Iterable | None = None,
    scheduler=None,
    device=None,
) -> dict[str, list[float]]:
    """Train ``model`` for ``num_epochs`` epochs and return its history.

    ``history["train_loss"][e]`` is the mean loss over epoch ``e``'s batches, each measured just before its
    update; ``history["val_loss"][e]`` (only with ``val_loader``) is the loss on the validation data after
    epoch ``e``; ``history["lr"][e]`` is the first parameter group's learning rate during epoch ``e``. A
    ``scheduler`` (any ``torch.optim.lr_scheduler``) is stepped once after every epoch. Batches are moved to
    ``device`` (default: where the model's parameters are). A non-finite training loss raises
    ``FloatingPointError`` naming the epoch and step.
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"`num_epochs` must be a positive int, got {num_epochs!r}")
    device = _model_device(model) if device is None else torch.device(device)
    history: dict[str, list[float]] = {"train_loss": [], "lr": []}
    if val_loader is not None:
        history["val_loss"] = []
    for epoch in range(num_epochs):
        history["lr"].append(optimizer.param_groups[0]["lr"])
        history["train_loss"].append(_train_epoch(model, loss_fn, optimizer, train_loader, device, epoch))
        if val_loader is not None:
            history["val_loss"].append(evaluate(model, loss_fn, val_loader, device=device))
        if scheduler is not None:
            scheduler.step()
    return history


def linear_fit_error(model: torch.nn.Linear, weight: torch.Tensor, bias: float) -> tuple[float, float]:
    """Absolute errors ``(|slope - true|, |intercept - true|)`` of a fitted 1-output linear model; the slope
    error is the largest over features."""
    slope_error = (model.weight.detach().reshape(-1).cpu() - weight.cpu()).abs().max().item()
    intercept_error = abs(model.bias.detach().item() - bias)
    if not (math.isfinite(slope_error) and math.isfinite(intercept_error)):
        raise FloatingPointError("the model's parameters are not finite")
    return slope_error, intercept_error


def run_trajectory(
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    landscape,
    steps: int,
    *,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimize a 2-D point on ``landscape`` (a :class:`lib.landscapes.Landscape`) from ``landscape.start``.

    ``make_optimizer([param])`` builds the optimizer, e.g. ``lambda p: lib.optim.Adam(p, lr=0.1)``. Returns
    ``(points, losses)``: ``points[k]`` is the point after ``k`` steps (shape ``(steps + 1, 2)``, row 0 is the
    start) and ``losses[k]`` the function's value there (shape ``(steps + 1,)``). A run that diverges is not an
    error here: its points and losses simply become inf or nan, which is worth seeing in a figure.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"`steps` must be a non-negative int, got {steps!r}")
    param = torch.tensor(landscape.start, dtype=dtype, requires_grad=True)
    optimizer = make_optimizer([param])
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"`make_optimizer` must return a torch.optim.Optimizer, got {type(optimizer).__name__}")
    points, losses = [param.detach().clone()], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = landscape.fn(param[0], param[1])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        points.append(param.detach().clone())
    with torch.no_grad():
        losses.append(landscape.fn(param[0], param[1]))
    return torch.stack(points), torch.stack(losses)
