"""Early stopping for :func:`lib.train.fit` (Prechelt, 1998): stop when the monitored loss stops improving and
give back the weights of its best epoch."""

from __future__ import annotations

import math
from numbers import Real

import torch

from lib._validate import check_bool, check_int, check_number
from lib.train._arguments import check_model


class EarlyStopping:
    """Stop training once the monitored loss has not improved for ``patience`` epochs in a row.

    :func:`lib.train.fit` monitors the validation loss (the training loss when it has no ``val_loader``) and calls
    :meth:`step` after every epoch. An epoch *improves* when its loss is below ``best_loss - min_delta``. The
    weights of the best epoch are kept in memory (a copy of the model's ``state_dict``: parameters and buffers) and,
    with ``restore_best=True``, loaded back into the model when training ends, whether it stopped early or ran all
    its epochs. The optimizer's state is not part of that copy.

    After training, ``best_epoch`` (0-based) and ``best_loss`` describe the best epoch and ``stopped_epoch`` is the
    epoch after which training stopped, or ``None`` if it ran all its epochs. ``fit`` calls :meth:`reset` first,
    so one object can serve several runs (it then describes the last).
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = check_int("patience", patience, low=1)
        self.min_delta = check_number("min_delta", min_delta, low=0.0)
        self.restore_best = check_bool("restore_best", restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (``fit`` calls this before its first epoch)."""
        self.best_epoch: int | None = None
        self.best_loss = math.inf
        self.stopped_epoch: int | None = None
        self.epochs_without_improvement = 0
        self._best_state: dict[str, torch.Tensor] | None = None

    def step(self, epoch: int, loss: float, model: torch.nn.Module) -> bool:
        """Record epoch ``epoch``'s monitored ``loss``; return ``True`` when training should stop now.

        A non-finite loss never counts as an improvement.
        """
        check_int("epoch", epoch, low=0)
        is_number = isinstance(loss, Real) or (isinstance(loss, torch.Tensor) and loss.numel() == 1)
        if isinstance(loss, bool) or not is_number:
            raise ValueError(f"`loss` must be a real number (the epoch's monitored loss), got {loss!r}")
        check_model(model)
        if math.isfinite(loss) and loss < self.best_loss - self.min_delta:
            self.best_epoch, self.best_loss = epoch, float(loss)
            self.epochs_without_improvement = 0
            self._best_state = {name: value.detach().clone() for name, value in model.state_dict().items()}
            return False
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, model: torch.nn.Module) -> None:
        """Load the best epoch's weights into ``model`` (if ``restore_best`` and some epoch was finite)."""
        check_model(model)
        if self.restore_best and self._best_state is not None:
            model.load_state_dict(self._best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, restore_best={self.restore_best}; "
            f"best_epoch={self.best_epoch}, best_loss={self.best_loss:.6g}, stopped_epoch={self.stopped_epoch})"
        )
