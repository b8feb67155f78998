"""What :func:`lib.train.fit` needs from ``torch.distributed`` (Li et al., 2020, PyTorch Distributed): the rank and
the world size, whether a model is a ``DistributedDataParallel``, the sums and sample-weighted means of numbers
over all processes, and the epoch a ``DistributedSampler`` shuffles for.

Without an initialised process group every helper answers as a single process would (rank 0 of 1, sums and means
of its own numbers), so the training code calls them unconditionally.

A weighted mean over ranks: rank :math:`r` holds ``totals`` :math:`t_r = \\sum_i w_i v_i` over its samples and
their ``count`` :math:`n_r`; the mean over all samples is :math:`\\sum_r t_r / \\sum_r n_r`, the number one process
holding every sample would compute (up to the order of the additions).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

__all__ = [
    "all_reduce_sum",
    "is_ddp",
    "is_distributed",
    "rank",
    "set_sampler_epoch",
    "sync_gradients",
    "weighted_mean",
    "world_size",
]


def is_distributed() -> bool:
    """Whether this process belongs to an initialised ``torch.distributed`` process group."""
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    """This process's rank in the default process group (0 without one)."""
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    """The number of processes in the default process group (1 without one)."""
    return dist.get_world_size() if is_distributed() else 1


def is_ddp(model) -> bool:
    """Whether ``model`` is wrapped in ``torch.nn.parallel.DistributedDataParallel``."""
    return isinstance(model, DistributedDataParallel)


def _collective_device() -> torch.device:
    """Where a tensor must be for the default group's collectives: the current CUDA device for NCCL, else the CPU."""
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_sum(values: list[float]) -> list[float]:
    """The element-wise sums of ``values`` over all processes (in float64), or ``values`` themselves alone.

    Every process must call it with as many values, at the same point of its program (a collective).
    """
    if not is_distributed():
        return [float(v) for v in values]
    tensor = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def weighted_mean(totals: Mapping[str, float], count: float) -> tuple[dict[str, float], float]:
    """``({name: sum of totals[name] over ranks / N}, N)``, ``N`` the sum of ``count`` over ranks: sample-weighted
    means over the samples of every rank (``nan`` where ``N`` is 0).

    ``totals[name]`` is this rank's sum of per-sample values (a batch mean times the batch size, summed) and
    ``count`` its number of samples, so every rank gets the mean over all the samples of all ranks.
    """
    names = list(totals)
    *summed, n = all_reduce_sum([*(totals[name] for name in names), count])
    return {name: (total / n if n else math.nan) for name, total in zip(names, summed)}, n


def set_sampler_epoch(loader, epoch: int) -> None:
    """Call ``loader.sampler.set_epoch(epoch)`` when it is a ``DistributedSampler`` (it then shuffles differently
    every epoch, and identically on every rank); do nothing for other loaders."""
    sampler = getattr(loader, "sampler", None)
    if isinstance(sampler, DistributedSampler):
        sampler.set_epoch(epoch)


def sync_gradients(model, sync: bool):
    """A context for one micro-batch's forward and backward: ``model.no_sync()`` when ``model`` is a DDP and this
    micro-batch's gradients need not be all-reduced yet (``sync=False``), otherwise nothing."""
    if is_ddp(model) and not sync:
        return model.no_sync()
    return contextlib.nullcontext()
