"""Mini-batches of in-memory tensors for :func:`lib.train.fit`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import torch

from lib._validate import check_bool, check_int, check_tensor


class TensorBatches:
    """The mini-batches of ``(X, y)`` that ``DataLoader(TensorDataset(X, y), batch_size, shuffle=shuffle,
    generator=generator, drop_last=drop_last)`` yields: the same tensors in the same order, and the same numbers
    drawn from ``generator`` (or from torch's global generator when it is ``None``) at the same moments, so a run
    repeats a DataLoader's run exactly. It indexes whole batches instead of collating one sample at a time, which
    on small models is a large part of the time of an update.

    What a DataLoader draws, per pass: one int64 when the pass begins (a seed for its workers); with ``shuffle``,
    ``torch.randperm(n)`` at the first batch, and a second ``torch.randperm(n)`` once its sampler is exhausted
    (after the last full batch, before a shorter last one).
    """

    def __init__(self, X, y, *, batch_size: int, shuffle: bool = False, generator=None, drop_last: bool = False):
        self.X, self.y, self.batch_size, self.shuffle, self.generator = X, y, batch_size, shuffle, generator
        self.drop_last = drop_last

    def __len__(self) -> int:
        n = len(self.X)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        torch.empty((), dtype=torch.int64).random_(generator=self.generator)  # DataLoader's seed for its workers
        return self._batches()

    def _batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n, generator = len(self.X), self.generator
        if self.shuffle and generator is None:  # as RandomSampler does: a generator seeded from torch's global one
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            generator = torch.Generator()
            generator.manual_seed(seed)
        order = torch.randperm(n, generator=generator) if self.shuffle else torch.arange(n)
        full, rest = divmod(n, self.batch_size)
        for k in range(full):
            index = order[k * self.batch_size : (k + 1) * self.batch_size]
            yield self.X[index], self.y[index]
        if self.shuffle:
            torch.randperm(n, generator=generator)  # RandomSampler's draw once it is exhausted, before a short batch
        if rest and not self.drop_last:
            index = order[full * self.batch_size :]
            yield self.X[index], self.y[index]


def make_loader(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int | None = None,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> Iterable:
    """Mini-batches of ``(X, y)`` for :func:`fit`: a ``TensorBatches``, which yields exactly the batches of
    ``DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator)``, or for
    ``batch_size=None`` (full-batch gradient descent) simply ``[(X, y)]``, which is all a loader has to be and costs
    nothing per epoch.

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
    return TensorBatches(X, y, batch_size=batch_size, shuffle=shuffle, generator=generator)
