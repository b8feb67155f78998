r"""The learning-rate range test (Smith, 2017): train briefly while the learning rate grows exponentially, watch
the loss, and read a good learning rate off the curve."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from lib._validate import check_callable, check_int, check_number
from lib.train._arguments import (
    check_batch,
    check_loader,
    check_loss_fn,
    check_model,
    check_optimizer,
    loss_value,
    no_batches_message,
    resolve_device,
)


@dataclass(frozen=True)
class LRRangeTestResult:
    """What :func:`lr_range_test` measured: ``lrs[k]`` is the learning rate of update ``k``, ``raw_losses[k]`` the
    loss of that update's batch before it, ``losses[k]`` the same after smoothing. ``diverged`` says whether the
    sweep stopped early because the loss blew up (then the lists are shorter than ``num_steps``)."""

    lrs: list[float]
    losses: list[float]
    raw_losses: list[float]
    diverged: bool

    def _argmin(self) -> int:
        if not self.losses:
            raise ValueError(
                "this range test holds no measurements: the loss was not finite at its first update (try a smaller "
                "`start_lr`)"
            )
        return int(np.argmin(self.losses))

    @property
    def min_loss_lr(self) -> float:
        """The learning rate at which the smoothed loss was lowest."""
        return self.lrs[self._argmin()]

    @property
    def suggested_lr(self) -> float:
        """``min_loss_lr / 10``: an order of magnitude below the minimum of the smoothed loss, where the loss still
        falls fast but training is not yet at the edge of divergence (the rule of thumb that goes with the test)."""
        return self.min_loss_lr / 10.0

    @property
    def steepest_lr(self) -> float:
        """The learning rate where the smoothed loss falls fastest per decade of lr (the most negative slope
        against ``log(lr)``, by finite differences), looked for only up to the minimum. Noisier than
        :attr:`suggested_lr`; shown for comparison."""
        i_min = self._argmin()
        if i_min == 0:
            return self.lrs[0]
        slopes = np.gradient(np.asarray(self.losses[: i_min + 1]), np.log(self.lrs[: i_min + 1]))
        return self.lrs[int(np.argmin(slopes))]


def _check_arguments(start_lr, end_lr, num_steps, smoothing, diverge_factor) -> tuple[float, float, int]:
    """Check the sweep's options; return ``(start_lr, end_lr, num_steps)`` as Python numbers."""
    start_lr = check_number("start_lr", start_lr, low=0.0, low_open=True)
    end_lr = check_number("end_lr", end_lr, low=start_lr, low_open=True)
    num_steps = check_int("num_steps", num_steps, low=2)
    check_number("smoothing", smoothing, low=0.0, high=1.0, high_open=True)
    check_number("diverge_factor", diverge_factor, low=1.0, low_open=True)
    return start_lr, end_lr, num_steps


def _endless(loader: Iterable) -> Iterator:
    """The loader's batches, each checked, starting over whenever it is exhausted."""
    for epoch in itertools.count():
        empty = True
        for index, batch in enumerate(loader):
            empty = False
            yield check_batch("loader", batch, index)
        if empty:
            raise ValueError(no_batches_message("loader", epoch))


def _sweep(model, loss_fn, optimizer, loader, lrs, smoothing, diverge_factor, device) -> LRRangeTestResult:
    model.train()
    losses, raw_losses, average, best = [], [], 0.0, math.inf
    for k, (lr, (X, y)) in enumerate(zip(lrs, _endless(loader))):
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = loss_fn(model(X.to(device)), y.to(device))
        value = loss_value(loss, training=True)
        if not math.isfinite(value):
            return LRRangeTestResult(lrs[:k], losses, raw_losses, diverged=True)
        average = smoothing * average + (1.0 - smoothing) * value
        losses.append(average / (1.0 - smoothing ** (k + 1)))  # bias correction, as in Adam
        raw_losses.append(value)
        best = min(best, losses[-1])
        if losses[-1] > diverge_factor * best:
            return LRRangeTestResult(lrs[: k + 1], losses, raw_losses, diverged=True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return LRRangeTestResult(lrs, losses, raw_losses, diverged=False)


def lr_range_test(
    model: torch.nn.Module,
    loss_fn: Callable,
    optimizer_factory: Callable,
    loader: Iterable,
    *,
    start_lr: float,
    end_lr: float,
    num_steps: int,
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    device=None,
) -> LRRangeTestResult:
    r"""The learning-rate range test of :cite:t:`smith2017cyclical`, with an exponential sweep.

    Builds a fresh optimizer ``optimizer_factory(model.parameters(), lr)`` (e.g. ``lambda params, lr:
    torch.optim.SGD(params, lr=lr, momentum=0.9)``) and makes ``num_steps`` updates on batches of ``loader``
    (starting over when it runs out), update ``k`` with learning rate
    :math:`\eta_k = \eta_{start}\,(\eta_{end}/\eta_{start})^{k/(n-1)}`. The loss before each update is smoothed
    by an exponential moving average with factor ``smoothing`` (:math:`\beta`), bias-corrected:
    :math:`\bar\ell_k = m_k / (1 - \beta^{k+1})` with :math:`m_k = \beta m_{k-1} + (1 - \beta)\ell_k`. The sweep
    stops early once the smoothed loss exceeds ``diverge_factor`` times its best value, or the loss is not finite.

    Afterwards the model's parameters and buffers are exactly what they were, as is its train/eval mode and the
    state of the loader's ``generator`` (if it has one), so that a training run that follows is unaffected. The
    optimizer used for the sweep is thrown away. Returns an :class:`LRRangeTestResult`; its ``suggested_lr`` is
    ``min_loss_lr / 10``.
    """
    check_model(model)
    check_loss_fn(loss_fn)
    check_callable("optimizer_factory", optimizer_factory, "optimizer_factory(params, lr) -> torch.optim.Optimizer")
    check_loader("loader", loader)
    start_lr, end_lr, num_steps = _check_arguments(start_lr, end_lr, num_steps, smoothing, diverge_factor)
    device = resolve_device(device, model)
    optimizer = optimizer_factory(model.parameters(), start_lr)
    check_optimizer("optimizer_factory", optimizer, model, factory=True)
    lrs = [start_lr * (end_lr / start_lr) ** (k / (num_steps - 1)) for k in range(num_steps)]
    saved = {name: value.detach().clone() for name, value in model.state_dict().items()}
    generator = getattr(loader, "generator", None)
    generator_state = generator.get_state() if isinstance(generator, torch.Generator) else None
    was_training = model.training
    try:
        return _sweep(model, loss_fn, optimizer, loader, lrs, smoothing, diverge_factor, device)
    finally:
        model.load_state_dict(saved)
        model.train(was_training)
        if generator_state is not None:
            generator.set_state(generator_state)
