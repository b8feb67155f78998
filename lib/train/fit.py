"""Training a model: :func:`fit` (its history and options are described in its docstring) and :func:`evaluate`.
They return numbers; they never print or plot (the optional progress bar of :func:`fit` aside)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping

import torch

from lib._validate import check_bool, check_int, check_number
from lib.train._arguments import (
    check_loader,
    check_loss_fn,
    check_model,
    check_optimizer,
    check_scheduler,
    resolve_device,
)
from lib.train.distributed import rank, set_sampler_epoch
from lib.train.early_stopping import EarlyStopping
from lib.train.loop import Loop, evaluate_all

__all__ = ["evaluate", "fit", "progress_enabled"]

PROGRESS_ENV_VAR = "COURSE_PROGRESS"
"""Name of the environment variable that turns progress bars off: ``COURSE_PROGRESS=0``."""

SCHEDULER_INTERVALS = ("epoch", "step")
AMP_DTYPES = (torch.bfloat16, torch.float16)


def evaluate(model: torch.nn.Module, loss_fn: Callable, loader: Iterable, *, device=None) -> float:
    """The loss over a whole loader: the batch losses weighted by batch size (exact for mean reductions); under
    ``torch.distributed``, over every rank's loader (each rank passes its share of the data)."""
    check_model(model)
    check_loss_fn(loss_fn)
    check_loader("loader", loader)
    device = resolve_device(device, model)
    return evaluate_all(model, loss_fn, {}, loader, device)["loss"]


def _check_fit_arguments(model, loss_fn, optimizer, train_loader, val_loader, scheduler) -> None:
    check_model(model)
    check_loss_fn(loss_fn)
    check_optimizer("optimizer", optimizer, model)
    check_loader("train_loader", train_loader)
    if val_loader is not None:
        check_loader("val_loader", val_loader)
    check_scheduler(scheduler, optimizer)


def _check_fit_options(scheduler_interval, clip_grad_norm, early_stopping, metrics, val_loader, progress) -> None:
    if scheduler_interval not in SCHEDULER_INTERVALS:
        raise ValueError(f"`scheduler_interval` must be one of {SCHEDULER_INTERVALS}, got {scheduler_interval!r}")
    if clip_grad_norm is not None:
        check_number("clip_grad_norm", clip_grad_norm, low=0.0, low_open=True)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise ValueError(f"`early_stopping` must be a lib.train.EarlyStopping or None, got {early_stopping!r}")
    if metrics is not None and not isinstance(metrics, Mapping):
        raise ValueError(f"`metrics` must be a mapping name -> fn(output, target), got {type(metrics).__name__}")
    for name, metric in (metrics or {}).items():
        if not isinstance(name, str) or name == "loss" or not callable(metric):
            raise ValueError(f"`metrics` must map names other than 'loss' to callables, got {name!r}: {metric!r}")
    if metrics and val_loader is None:
        raise ValueError("`metrics` are measured on the validation data: pass a `val_loader` too")
    check_bool("progress", progress)


def _check_amp_dtype(amp_dtype, model: torch.nn.Module, device: torch.device) -> None:
    """Raise unless ``amp_dtype`` is ``None``, or bfloat16 or float16 for a float32 model on a device that autocasts."""
    if amp_dtype is None:
        return
    if not isinstance(amp_dtype, torch.dtype) or amp_dtype not in AMP_DTYPES:
        raise ValueError(
            f"`amp_dtype` must be None, torch.bfloat16 or torch.float16 (the dtypes torch.autocast computes in), "
            f"got {amp_dtype!r}"
        )
    is_available = getattr(torch.amp, "is_autocast_available", lambda kind: kind in ("cpu", "cuda"))  # torch < 2.4
    if not is_available(device.type):
        raise ValueError(f"`amp_dtype` needs a device torch.autocast supports, got {device.type!r}: use amp_dtype=None")
    dtypes = {p.dtype for p in model.parameters() if p.is_floating_point()}
    if dtypes - {torch.float32}:
        raise ValueError(
            f"`amp_dtype` needs a float32 model (autocast computes float32 operations in {amp_dtype} and leaves "
            f"others as they are), got parameters of dtype {sorted(map(str, dtypes))}: use model.float()"
        )


def _new_history(val_loader, metrics: Mapping, amp_dtype) -> dict[str, list[float]]:
    history: dict[str, list[float]] = {"train_loss": [], "lr": []}
    if val_loader is not None:
        history.update({f"val_{name}": [] for name in ["loss", *metrics]})
    history.update(step_loss=[], step_grad_norm=[], step_lr=[])
    if amp_dtype == torch.float16:
        history["step_loss_scale"] = []
    return history


def progress_enabled(progress: bool = True) -> bool:
    """Whether :func:`fit` shows a progress bar: ``progress``, unless the environment variable
    ``COURSE_PROGRESS`` is ``0`` (the tests and the notebook runs that make committed outputs set it)."""
    check_bool("progress", progress)
    return progress and os.environ.get(PROGRESS_ENV_VAR, "").strip() != "0"


@contextlib.contextmanager
def _progress_bar(num_epochs: int, enabled: bool):
    if not enabled:
        yield None
        return
    import warnings

    with warnings.catch_warnings():  # without ipywidgets, tqdm.auto warns and falls back to a text bar: that is fine
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm  # imported only when used: `import lib` stays light and silent

    # tqdm.auto: a widget in Jupyter and Colab, text in a terminal. leave=False: a finished bar disappears, so a
    # cell that trains several models (a loop over seeds or learning rates) does not pile up finished bars
    with tqdm(total=num_epochs, desc="fit", unit="epoch", leave=False) as bar:
        yield bar


def _run_epoch(loop: Loop, epoch: int, train_loader, val_loader, metrics, early_stopping) -> bool:
    """Train one epoch, validate, step an epoch scheduler; return True when early stopping says stop."""
    lr = loop.optimizer.param_groups[0]["lr"]
    set_sampler_epoch(train_loader, epoch)
    train_loss = loop.train_epoch(train_loader, epoch)
    loop.history["train_loss"].append(train_loss)
    loop.history["lr"].append(lr)
    monitored = train_loss
    if val_loader is not None:
        measured = evaluate_all(
            loop.model, loop.loss_fn, metrics, val_loader, loop.device, name="val_loader", epoch=epoch,
            amp_dtype=loop.amp_dtype,
        )  # fmt: skip
        for name, value in measured.items():
            loop.history[f"val_{name}"].append(value)
        monitored = loop.history["val_loss"][-1]
    loop.end_epoch(monitored)
    return early_stopping is not None and early_stopping.step(epoch, monitored, loop.model)


def fit(
    model: torch.nn.Module,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    train_loader: Iterable,
    *,
    num_epochs: int,
    val_loader: Iterable | None = None,
    scheduler=None,
    scheduler_interval: str = "epoch",
    clip_grad_norm: float | None = None,
    accumulation_steps: int = 1,
    early_stopping: EarlyStopping | None = None,
    metrics: Mapping[str, Callable] | None = None,
    device=None,
    amp_dtype: torch.dtype | None = None,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Train ``model`` for ``num_epochs`` epochs and return its history (a dict of lists of floats).

    The history:

    - per epoch ``e``: ``history["train_loss"][e]``, the mean loss over the epoch's samples, each batch measured
      just before its update; ``history["lr"][e]``, the first parameter group's learning rate when the epoch began;
      with a ``val_loader``, ``history["val_loss"][e]``, the loss on the validation data after the epoch, and
      ``history[f"val_{name}"][e]`` for each metric there (``metrics`` maps ``name`` to ``fn(output, target)``
      returning a number; batches are weighted by size, exact for means such as accuracy);
    - per update ``k`` (one optimizer step): ``step_loss`` (the mean loss of the update's samples),
      ``step_grad_norm`` (the total L2 norm of the gradients before clipping) and ``step_lr`` (the learning rate the
      update used).

    Options:

    - ``scheduler``: any ``torch.optim.lr_scheduler``, stepped after every epoch (``scheduler_interval="epoch"``)
      or after every update (``"step"``). ``ReduceLROnPlateau`` is stepped with the monitored loss: the validation
      loss (the training loss without ``val_loader``; the update's loss for ``"step"``).
    - ``clip_grad_norm``: rescale the gradients to at most this total L2 norm (``torch.nn.utils.clip_grad_norm_``
      over ``model.parameters()``) before each update.
    - ``accumulation_steps=k``: each update accumulates the gradients of ``k`` consecutive batches (the epoch's last
      update takes what is left). Each batch's mean loss is weighted by its share of the group's samples, so ``k``
      batches of ``B`` samples make exactly the update of one batch of ``k * B`` samples with mean reduction.
    - ``early_stopping``: an :class:`EarlyStopping`; it monitors the validation loss (training loss without
      ``val_loader``), may end training early, and restores its best weights at the end.
    - ``device``: where batches go (default: where the model's parameters are).
    - ``amp_dtype``: mixed precision (Micikevicius et al., 2018). ``torch.bfloat16`` or ``torch.float16`` runs the
      forward pass and the loss, in training and validation, under ``torch.autocast(device.type, amp_dtype)``:
      matrix products and convolutions compute in the low precision, the parameters, their gradients and the
      optimizer stay float32 (the model must be float32). bfloat16 keeps float32's range with 8 significant bits
      (relative rounding 2^-9 = 0.2 %), so it needs nothing more. float16 has 11 significant bits but overflows
      above 65504 and flushes gradients below 6e-8 to zero, so it adds a ``torch.amp.GradScaler``: the loss is
      multiplied by a scale before ``backward``, the gradients divided by it before clipping and the step, a step
      whose gradients hold an inf or a nan is skipped and the scale halved (it doubles after 2000 finite steps),
      and ``history["step_loss_scale"]`` records the scale of each update. CPU and CUDA both autocast to either
      dtype (torch >= 2.3 for float16 on the CPU). ``None`` (the default) computes in the model's dtype.
    - ``progress``: a tqdm progress bar over epochs; off when the environment variable ``COURSE_PROGRESS=0``, and
      on every rank but rank 0 under ``torch.distributed``.

    Distributed training (Li et al., 2020): ``fit`` runs unchanged in each process of an initialised
    ``torch.distributed`` process group (e.g. started by ``torchrun``; ``lib.launch.run_distributed`` starts one
    and ``lib/ddp_example.py`` is a complete script). Pass the ``DistributedDataParallel``-wrapped model and, in
    each process, loaders over that rank's share of the data (a ``DataLoader`` with a ``DistributedSampler``,
    whose ``set_epoch(epoch)`` ``fit`` calls before every epoch, so each epoch shuffles anew and alike on every
    rank). Every rank must yield as many batches per epoch. Then:

    - each update's gradient is that of the mean loss over the samples of all ranks' batches: DDP all-reduces and
      averages the gradients of each rank's summed loss over the ``W`` ranks, and ``fit`` multiplies them by
      ``W / N`` (``N`` the samples of all ranks' batches), so ``W`` processes with batches of ``B`` make the updates
      of one process with the concatenated batches of ``W * B``, exactly, even when the ranks' batches differ in
      size (with ``amp_dtype=torch.float16`` the scaler sees that summed loss, up to ``B`` times the mean, so it
      may skip a few more steps at the start while it lowers its scale);
    - with ``accumulation_steps``, the micro-batches before the last of each update run under ``model.no_sync()``:
      one gradient all-reduce per update, not per micro-batch, and one small all-reduce of the losses and sample
      counts; nothing else communicates during an epoch;
    - the history's losses (``train_loss``, ``step_loss``), the validation loss and the metrics are sample-weighted
      means over all ranks (all-reduced sums and counts), and the gradient norm is that of the all-reduced
      gradients, so every rank records the same numbers and an ``early_stopping`` stops every rank at the same
      epoch; a non-finite loss on any rank raises :class:`NonFiniteLossError` on every rank, before the update;
    - optimizers (``lib.optim``'s included) and schedulers need nothing special: every rank applies the same
      update to the same parameters. ``evaluate`` all-reduces in the same way.

    A non-finite training loss raises :class:`NonFiniteLossError` (a ``FloatingPointError``) naming the epoch and
    the step; the model is first rolled back to the parameters whose loss was last finite (the optimizer's state
    is not), and the error carries the history so far.

    Bad input is refused with a ``ValueError`` naming the argument: ``model`` must be a ``torch.nn.Module``;
    ``optimizer`` a ``torch.optim.Optimizer`` holding at least one of the model's trainable parameters (it may hold
    only some of them, or others besides, but one built on another model is refused); ``scheduler`` must have a
    ``.step()`` and, if it is a torch scheduler, drive ``optimizer``; the loaders must yield pairs
    ``(inputs, targets)`` of tensors with the same number of rows, at least one; ``loss_fn`` must return a scalar
    tensor (reduce over the batch, e.g. ``reduction="mean"``).
    """
    _check_fit_arguments(model, loss_fn, optimizer, train_loader, val_loader, scheduler)
    num_epochs = check_int("num_epochs", num_epochs, low=1)
    accumulation_steps = check_int("accumulation_steps", accumulation_steps, low=1)
    _check_fit_options(scheduler_interval, clip_grad_norm, early_stopping, metrics, val_loader, progress)
    metrics = dict(metrics or {})
    device = resolve_device(device, model)
    _check_amp_dtype(amp_dtype, model, device)
    history = _new_history(val_loader, metrics, amp_dtype)
    loop = Loop(
        model,
        loss_fn,
        optimizer,
        device,
        history,
        scheduler=scheduler,
        scheduler_interval=scheduler_interval,
        clip_grad_norm=clip_grad_norm,
        accumulation_steps=accumulation_steps,
        amp_dtype=amp_dtype,
    )
    if early_stopping is not None:
        early_stopping.reset()
    with _progress_bar(num_epochs, progress_enabled(progress) and rank() == 0) as bar:
        for epoch in range(num_epochs):
            stop = _run_epoch(loop, epoch, train_loader, val_loader, metrics, early_stopping)
            if bar is not None:
                bar.set_postfix({k: f"{history[k][-1]:.4g}" for k in ("train_loss", "val_loss") if k in history})
                bar.update(1)
            if stop:
                break
    if early_stopping is not None:
        early_stopping.restore(model)
    return history
