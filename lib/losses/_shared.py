"""Argument checks and the weighted reduction shared by the classification and focal losses (torch's semantics).

Class-index targets are ``int64``; weights have the input's dtype; nothing is broadcast silently. Every check raises
a ``ValueError`` that names the argument.
"""

from __future__ import annotations

import torch

from lib._validate import check_floating, check_reduction, check_tensor, is_int


def check_dim(dim, ndim: int) -> None:
    if not is_int(dim) or not -max(ndim, 1) <= dim < max(ndim, 1):
        raise ValueError(f"`dim` must be an int in [{-max(ndim, 1)}, {max(ndim, 1)}) for a {ndim}-d input, got {dim!r}")


def check_in_unit_interval(name: str, value: torch.Tensor) -> None:
    low, high = torch.aminmax(value) if value.numel() else (0, 1)  # one pass; nan fails both comparisons
    if not (low >= 0 and high <= 1):
        raise ValueError(f"`{name}` must hold probabilities in [0, 1], got values in [{value.min()}, {value.max()}]")


def check_broadcast(name: str, value, input: torch.Tensor) -> None:
    """``value`` (weight, pos_weight) may broadcast to ``input``'s shape but never enlarge it."""
    check_floating(name, value)
    if value.dtype != input.dtype:
        raise ValueError(f"`{name}` must have the same dtype as `input` ({input.dtype}), got {value.dtype}")
    try:
        shape = torch.broadcast_shapes(value.shape, input.shape)
    except RuntimeError:
        shape = None
    if shape != input.shape:
        raise ValueError(f"`{name}` must broadcast to the shape of `input` {tuple(input.shape)}, "
                         f"got {tuple(value.shape)}")


def check_class_weight(weight, input: torch.Tensor, n_classes: int, name: str = "weight") -> None:
    if weight is None:
        return
    check_floating(name, weight)
    if weight.shape != (n_classes,):
        raise ValueError(f"`{name}` must have shape (C,) = ({n_classes},), one entry per class, "
                         f"got {tuple(weight.shape)}")
    if weight.dtype != input.dtype:
        raise ValueError(f"`{name}` must have the same dtype as `input` ({input.dtype}), got {weight.dtype}")


def check_ignore_index(ignore_index) -> None:
    """torch would read True as class 1 and 1.5 as no class at all; only an int names a class to skip."""
    if not is_int(ignore_index):
        raise ValueError(f"`ignore_index` must be an int (the class index whose targets are skipped; default -100), "
                         f"got {ignore_index!r}")


def index_dtype_message(target: torch.Tensor, also: str = "") -> str:
    return f"`target` must hold class indices as torch.int64 (integers), got {target.dtype} — use target.long(){also}"


def check_index_target(input, target, ignore_index=None) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Validate (C,)/(N, C, ...) scores and int64 class indices; return them batched and whether they were not."""
    check_floating("input", input)
    check_tensor("target", target)
    if target.dtype != torch.int64:
        raise ValueError(index_dtype_message(target))
    if input.dim() == 0:
        raise ValueError("`input` must have a class dimension: shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    unbatched = input.dim() == 1
    input, target = (input.unsqueeze(0), target.unsqueeze(0)) if unbatched else (input, target)
    expected = (input.shape[0], *input.shape[2:])
    if target.shape != expected:
        raise ValueError(f"`target` must have shape {expected[1:] if unbatched else expected} for `input` of "
                         f"shape {tuple(input.shape[unbatched:])}, got {tuple(target.shape[unbatched:])}")
    n_classes = input.shape[1]
    real = target if ignore_index is None else target[target != ignore_index]
    if ((real < 0) | (real >= n_classes)).any():
        ignored = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise ValueError(f"`target` must hold class indices in [0, {n_classes - 1}]{ignored}, "
                         f"got values in [{real.min()}, {real.max()}]")
    return input, target, unbatched


def target_weights(target, weight, ignore_index, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices safe to gather with (ignored ones set to 0) and each target's weight w[y] (0 where ignored)."""
    valid = target != ignore_index
    safe = torch.where(valid, target, 0)
    w_y = torch.ones(target.shape, dtype=dtype, device=target.device) if weight is None else weight[safe]
    return safe, torch.where(valid, w_y, 0)


def weighted_reduce(loss, w_y, reduction: str, unbatched: bool) -> torch.Tensor:
    """torch's weighted reduction: "mean" divides by the sum of the weights of the non-ignored targets."""
    check_reduction(reduction)
    if reduction == "mean":
        return loss.sum() / w_y.sum()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss
