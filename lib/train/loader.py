"""Mini-batches of in-memory tensors for :func:`lib.train.fit`."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.utils.data import DataLoader, TensorDataset

from lib._validate import check_bool, check_int, check_tensor


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
    for name, value in (("X", X), ("y", y)):
        check_tensor(name, value)
        if value.dim() == 0:
            raise ValueError(f"`{name}` must have a first dimension of samples, got a 0-d tensor")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"`y` must have as many rows as `X` ({X.shape[0]}), got {y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("`X` must hold at least one sample, got 0 rows")
    if batch_size is None:
        return [(X, y)]
    batch_size = check_int("batch_size", batch_size, low=1)
    check_bool("shuffle", shuffle)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ValueError(f"`generator` must be a torch.Generator or None, got {generator!r}")
    if shuffle and generator is None:
        raise ValueError("`generator` must be a torch.Generator when shuffle=True, so that runs repeat")
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)
