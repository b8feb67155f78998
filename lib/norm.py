r"""Normalisation layers as functions: batch normalisation and layer normalisation, with ``torch.nn.functional``'s
signatures, written with plain tensor operations so that autograd differentiates them.

Both subtract a mean :math:`\mu`, divide by a standard deviation and apply a learned affine map:

.. math::
    y = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} \cdot \gamma + \beta,

where :math:`\sigma^2` is the *biased* variance (divided by the number of values :math:`n`). They differ in the
values the statistics are taken over:

- :func:`batch_norm`: per channel, over the batch and every spatial position of an input ``(N, C, *)`` (so
  :math:`n = N \cdot L` or :math:`N \cdot H \cdot W`) in training, which makes one sample's output depend on the
  others; in evaluation the running estimates collected in training are used instead (Ioffe and Szegedy, 2015);
- :func:`layer_norm`: per sample, over its last dimensions ``normalized_shape`` (Ba et al., 2016): the same in
  training and in evaluation, and independent of the batch.

::

    mean, var = torch.zeros(16), torch.ones(16)                       # the running statistics, updated in place
    y = lib.norm.batch_norm(x, mean, var, weight, bias, training=True)  # x of shape (N, 16, H, W)
    y = lib.norm.layer_norm(h, (64,), weight, bias)                      # h of shape (N, T, 64)

Each equals its torch twin in value and in the gradients with respect to ``input``, ``weight`` and ``bias`` (to
round-off: the tests measure the gaps in float32 and float64), and :func:`batch_norm` updates the running statistics
in place as torch does. The deviations :math:`x - \mu` are formed before any scaling, so on a slice of constant
value :math:`c` (zero variance) the output is :math:`\beta` up to the rounding of :math:`\mu` alone (exactly
:math:`\beta` when the mean of the copies of :math:`c` is exactly :math:`c`, as for 2.5 or -1e4); torch's kernels,
which compute :math:`x \alpha + (\beta - \mu \alpha)` with :math:`\alpha = \gamma / \sqrt{\epsilon}`, leave
a round-off of size :math:`\epsilon_\text{dtype} |c| \alpha` that also grows with the number of values.

float16 and bfloat16 inputs are computed in float32 and rounded back once (output, gradients, running statistics).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from lib._validate import check_bool, check_floating, check_number, is_int

__all__ = ["batch_norm", "layer_norm"]

_HALF = (torch.float16, torch.bfloat16)


def _check_input(input, min_dim: int) -> None:
    check_floating("input", input)
    if input.dim() < min_dim:
        raise ValueError(
            f"`input` must have at least {min_dim} dimensions (N, C, *), got shape {tuple(input.shape)}"
        )


def _check_like(name: str, value, input: torch.Tensor, shape: tuple[int, ...], what: str) -> None:
    """Raise unless ``value`` is None or a floating tensor of ``shape`` with ``input``'s dtype and device."""
    if value is None:
        return
    check_floating(name, value)
    if tuple(value.shape) != shape:
        raise ValueError(f"`{name}` must have shape {shape} ({what}), got {tuple(value.shape)}")
    if value.dtype != input.dtype:
        raise ValueError(f"`{name}` must have the same dtype as `input` ({input.dtype}), got {value.dtype}")
    if value.device != input.device:
        raise ValueError(f"`{name}` must be on the same device as `input` ({input.device}), got {value.device}")


def _affine(normalized: torch.Tensor, weight, bias, shape) -> torch.Tensor:
    r""":math:`\hat x \cdot \gamma + \beta`, with ``weight`` and ``bias`` (either may be None) viewed as ``shape``."""
    if weight is not None:
        normalized = normalized * weight.view(shape)
    if bias is not None:
        normalized = normalized + bias.view(shape)
    return normalized


def batch_norm(
    input: torch.Tensor,
    running_mean: torch.Tensor | None,
    running_var: torch.Tensor | None,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""Batch normalisation of ``input`` ``(N, C)``, ``(N, C, L)``, ``(N, C, H, W)``, ... per channel ``c``:

    .. math::
        y = \frac{x - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} \gamma_c + \beta_c .

    In training, :math:`\mu_c` and :math:`\sigma_c^2` are the mean and the biased variance of the :math:`n` values
    of channel ``c`` in the batch (:math:`n` = N times the spatial size; :math:`n = 1` is refused, as torch does,
    since one value has no variance), and the running statistics (when given) are updated in place with torch's
    convention, the *unbiased* variance going into ``running_var``:

    .. math::
        \hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu_c, \qquad
        \hat\sigma^2 \leftarrow (1 - m)\,\hat\sigma^2 + m\,\frac{n}{n - 1}\sigma_c^2 \qquad (m = \text{momentum}).

    In evaluation (``training=False``) the running statistics replace the batch's, so both must be given. An
    empty batch gives an empty output and leaves them unchanged. ``weight`` (:math:`\gamma`) and ``bias``
    (:math:`\beta`) default to 1 and 0. The twin of ``torch.nn.functional.batch_norm`` with the same arguments.
    """
    _check_input(input, 2)
    channels = (input.shape[1],)
    _check_like("running_mean", running_mean, input, channels, "one entry per channel")
    _check_like("running_var", running_var, input, channels, "one entry per channel")
    _check_like("weight", weight, input, channels, "one entry per channel")
    _check_like("bias", bias, input, channels, "one entry per channel")
    training = check_bool("training", training)
    momentum = check_number("momentum", momentum, low=0.0, high=1.0)
    eps = check_number("eps", eps, low=0.0)
    if not training and (running_mean is None or running_var is None):
        missing = "running_mean" if running_mean is None else "running_var"
        raise ValueError(f"`{missing}` must be a tensor when training=False (evaluation uses the running statistics)")
    if input.dtype in _HALF:
        return _batch_norm_in_float32(input, running_mean, running_var, weight, bias, training, momentum, eps)
    shape = (1, -1) + (1,) * (input.dim() - 2)
    if training:
        mean, var = _batch_statistics(input, running_mean, running_var, momentum)
    else:
        mean, var = running_mean, running_var
    return _affine((input - mean.view(shape)) * torch.rsqrt(var.view(shape) + eps), weight, bias, shape)


def _batch_norm_in_float32(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """:func:`batch_norm` of a float16 or bfloat16 input computed in float32, the output and the running statistics
    rounded back once (means of many values in half precision would lose digits at every addition)."""
    stats = [_float32(t) for t in (running_mean, running_var)]
    output = batch_norm(input.float(), *stats, _float32(weight), _float32(bias), training, momentum, eps)
    if training:
        with torch.no_grad():
            for buffer, updated in zip((running_mean, running_var), stats):
                if buffer is not None:
                    buffer.copy_(updated)
    return output.to(input.dtype)


def _float32(tensor):
    return None if tensor is None else tensor.float()


def _batch_statistics(input: torch.Tensor, running_mean, running_var, momentum: float):
    """The batch's per-channel mean and biased variance; the running statistics updated in place."""
    dims = [0, *range(2, input.dim())]
    count = input.shape[0] * math.prod(input.shape[2:])  # values per channel, as torch counts them
    if count == 1:
        raise ValueError(
            f"`input` must have more than 1 value per channel when training=True, got shape {tuple(input.shape)}"
        )
    mean = input.mean(dims)
    squares = (input - mean.view(1, -1, *[1] * (input.dim() - 2))).square().sum(dims)
    if count > 0:
        with torch.no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(momentum * mean)
            if running_var is not None:
                running_var.mul_(1 - momentum).add_(momentum * (squares / (count - 1)))
    return mean, squares / count


def _check_normalized_shape(normalized_shape) -> tuple[int, ...]:
    """``normalized_shape`` (an int, or a non-empty sequence of non-negative ints) as a tuple."""
    shape = (normalized_shape,) if is_int(normalized_shape) else normalized_shape
    if (
        not isinstance(shape, Sequence)
        or isinstance(shape, str)
        or len(shape) == 0
        or not all(is_int(size) and size >= 0 for size in shape)
    ):
        raise ValueError(
            f"`normalized_shape` must be an int or a non-empty sequence of non-negative ints, got {normalized_shape!r}"
        )
    return tuple(int(size) for size in shape)


def layer_norm(
    input: torch.Tensor,
    normalized_shape: int | Sequence[int],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""Layer normalisation of ``input`` over its last dimensions, which must be ``normalized_shape``:

    .. math::
        y = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} \gamma + \beta,

    with :math:`\mu` and the biased variance :math:`\sigma^2` taken over the last ``len(normalized_shape)``
    dimensions of each sample, separately for every index of the leading dimensions. ``weight`` (:math:`\gamma`)
    and ``bias`` (:math:`\beta`) have shape ``normalized_shape`` and default to 1 and 0. The same in training and
    in evaluation. The twin of ``torch.nn.functional.layer_norm`` with the same arguments; ``normalized_shape`` may
    also be a single int, as ``torch.nn.LayerNorm`` accepts.
    """
    check_floating("input", input)
    shape = _check_normalized_shape(normalized_shape)
    if input.dim() < len(shape) or tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise ValueError(
            f"`input` must end with the dimensions `normalized_shape` = {shape}, i.e. have shape (*, "
            f"{', '.join(map(str, shape))}), got {tuple(input.shape)}"
        )
    _check_like("weight", weight, input, shape, "normalized_shape")
    _check_like("bias", bias, input, shape, "normalized_shape")
    eps = check_number("eps", eps, low=0.0)
    if input.dtype in _HALF:  # computed in float32 and rounded once, as for batch_norm
        return layer_norm(input.float(), shape, _float32(weight), _float32(bias), eps).to(input.dtype)
    dims = tuple(range(-len(shape), 0))
    mean = input.mean(dims, keepdim=True)
    var = (input - mean).square().mean(dims, keepdim=True)
    return _affine((input - mean) * torch.rsqrt(var + eps), weight, bias, shape)
