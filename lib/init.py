r"""Weight initialisation: the Xavier (Glorot) and Kaiming (He) schemes, with ``torch.nn.init``'s names and defaults.

A weight of shape ``(out_features, in_features)`` or, for a convolution, ``(out_channels, in_channels, *kernel)``
connects :math:`\text{fan\_in} = \text{in} \cdot k` inputs to each output and :math:`\text{fan\_out} =
\text{out} \cdot k` outputs to each input, with :math:`k` the number of kernel positions (:func:`fan_in_and_fan_out`).
Each scheme draws the weights with mean 0 and a standard deviation chosen so that the variance of the activations
(or of the gradients) stays the same from layer to layer:

- :func:`xavier_uniform_`, :func:`xavier_normal_`: :math:`\sigma = g \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`,
  a compromise between the forward and the backward pass (Glorot and Bengio, 2010);
- :func:`kaiming_uniform_`, :func:`kaiming_normal_`: :math:`\sigma = g / \sqrt{\text{fan\_mode}}`, exact for one pass
  (He et al., 2015), with :math:`g = \sqrt 2` for a ReLU;

where :math:`g` is :func:`calculate_gain` of the nonlinearity that follows the layer. A uniform draw on
:math:`[-b, b]` has standard deviation :math:`b / \sqrt 3`, so the uniform schemes use :math:`b = \sqrt 3\,\sigma`.

::

    generator = torch.Generator().manual_seed(0)
    layer = torch.nn.Linear(256, 128)
    lib.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)   # std = sqrt(2 / 256)

Every function fills its tensor in place (without recording a gradient, so a ``torch.nn.Parameter`` can be passed)
and returns it. Given a ``torch.Generator`` in the same state, each fills the tensor with exactly the numbers its
``torch.nn.init`` twin draws, in float32 and float64, and leaves the generator in the same state. Where torch
would accept input only to fail later or silently, this module differs: a tensor with no elements is returned
unchanged by every function (torch warns for the Kaiming schemes and divides by zero in the Xavier ones for shape
``(0, 0)``); a negative gain, a non-finite slope, a non-floating tensor and ``a=None`` (which torch reads as the
slope 0.01, not as the default 0) are refused with an error that names the argument.
"""

from __future__ import annotations

import math

import torch

from lib._validate import check_floating, check_number

__all__ = [
    "NONLINEARITIES",
    "calculate_gain",
    "fan_in_and_fan_out",
    "kaiming_normal_",
    "kaiming_uniform_",
    "xavier_normal_",
    "xavier_uniform_",
]

_GAIN_ONE = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)
NONLINEARITIES = (*_GAIN_ONE, "tanh", "relu", "leaky_relu", "selu")
"""The names :func:`calculate_gain` knows (``torch.nn.functional``'s names, as in ``torch.nn.init``)."""

_MODES = ("fan_in", "fan_out")
_DEFAULT_SLOPE = 0.01  # torch.nn.functional.leaky_relu's default negative_slope


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The gain :math:`g` that keeps the variance of a layer's output when ``nonlinearity`` follows it.

    ========================================== =====================================================
    nonlinearity                               gain
    ========================================== =====================================================
    ``linear``, ``conv*``, ``sigmoid``         :math:`1`
    ``tanh``                                   :math:`5/3`
    ``relu``                                   :math:`\sqrt 2` (half the inputs are zeroed)
    ``leaky_relu`` with slope :math:`a`        :math:`\sqrt{2 / (1 + a^2)}` (``param``, default 0.01)
    ``selu``                                   :math:`3/4` (torch's empirical value)
    ========================================== =====================================================

    ``param`` is the negative slope of ``leaky_relu`` and is ignored for the other nonlinearities (as in torch),
    but when given it must be a finite real number.
    """
    if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
        raise ValueError(f"`nonlinearity` must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    slope = _DEFAULT_SLOPE if param is None else check_number("param", param)
    if nonlinearity in _GAIN_ONE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu


def fan_in_and_fan_out(tensor: torch.Tensor) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``: :math:`(\text{in} \cdot k,\ \text{out}
    \cdot k)` with :math:`k` the product of the kernel sizes (1 for a ``Linear`` weight ``(out, in)``).

    The weight is the one ``Linear`` and ``Conv*d`` store: the layer computes ``x @ weight.T``. For a weight used as
    ``x @ w`` (shape ``(in, out)``), pass ``w.T``.
    """
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f"`tensor` must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dim() < 2:
        raise ValueError(
            f"`tensor` must have at least 2 dimensions (out, in, *kernel) to have a fan-in and a fan-out, "
            f"got shape {tuple(tensor.shape)}"
        )
    kernel = math.prod(tensor.shape[2:])
    return tensor.shape[1] * kernel, tensor.shape[0] * kernel


def _check_generator(generator, tensor: torch.Tensor) -> None:
    """Raise unless ``generator`` is None or a ``torch.Generator`` of the tensor's device type (a CPU generator
    cannot fill a CUDA tensor)."""
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"`generator` must be a torch.Generator or None, got {type(generator).__name__}")
    if generator.device.type != tensor.device.type:
        raise ValueError(
            f"`generator` must be on the device type of `tensor` ({tensor.device.type}), got a generator on "
            f"{generator.device.type}: make it with torch.Generator(device=tensor.device)"
        )


def _check_weight(tensor) -> tuple[int, int]:
    """The checks every initialiser makes of its tensor; its fans."""
    check_floating("tensor", tensor)
    return fan_in_and_fan_out(tensor)


def _check_gain(gain) -> float:
    return check_number("gain", gain, low=0.0)


def _fan(tensor: torch.Tensor, mode) -> int:
    """The fan ``mode`` selects (``'fan_in'`` or ``'fan_out'``, in any case, as torch accepts)."""
    if not isinstance(mode, str) or mode.lower() not in _MODES:
        raise ValueError(f"`mode` must be one of {_MODES}, got {mode!r}")
    fan_in, fan_out = _check_weight(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


def _uniform(tensor: torch.Tensor, bound: float, generator) -> torch.Tensor:
    """Fill ``tensor`` from U(-bound, bound) with ``generator``, without recording a gradient."""
    _check_generator(generator, tensor)
    if tensor.numel() > 0:
        with torch.no_grad():
            tensor.uniform_(-bound, bound, generator=generator)
    return tensor


def _normal(tensor: torch.Tensor, std: float, generator) -> torch.Tensor:
    """Fill ``tensor`` from N(0, std²) with ``generator``, without recording a gradient."""
    _check_generator(generator, tensor)
    if tensor.numel() > 0:
        with torch.no_grad():
            tensor.normal_(0.0, std, generator=generator)
    return tensor


def _xavier_std(tensor, gain) -> float:
    r""":math:`g \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}` (0 for a tensor without elements, never drawn)."""
    fan_in, fan_out = _check_weight(tensor)
    gain = _check_gain(gain)
    if fan_in + fan_out == 0:
        return 0.0
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _kaiming_std(tensor, a, mode, nonlinearity) -> float:
    r""":math:`g / \sqrt{\text{fan\_mode}}`, with :math:`g` the gain of ``nonlinearity`` for negative slope ``a``."""
    fan = _fan(tensor, mode)
    gain = calculate_gain(nonlinearity, check_number("a", a))
    return gain / math.sqrt(fan) if fan > 0 else 0.0


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal U(-b, b)`, :math:`b = \sqrt 3 \cdot g \sqrt{2 / (\text{fan\_in} +
    \text{fan\_out})} = g \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}` (Glorot's uniform initialisation).

    Equals ``torch.nn.init.xavier_uniform_(tensor, gain, generator)`` draw for draw; returns ``tensor``.
    """
    return _uniform(tensor, math.sqrt(3.0) * _xavier_std(tensor, gain), generator)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma = g \sqrt{2 / (\text{fan\_in} +
    \text{fan\_out})}` (Glorot's normal initialisation).

    Equals ``torch.nn.init.xavier_normal_(tensor, gain, generator)`` draw for draw; returns ``tensor``.
    """
    return _normal(tensor, _xavier_std(tensor, gain), generator)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal U(-b, b)`, :math:`b = \sqrt 3 \cdot g / \sqrt{\text{fan\_mode}}`
    (He's uniform initialisation).

    ``a`` is the negative slope of the leaky ReLU that follows (used only with ``nonlinearity='leaky_relu'``; the
    default ``a=0`` makes it a ReLU, :math:`g = \sqrt 2`). ``mode='fan_in'`` keeps the variance of the activations
    in the forward pass, ``'fan_out'`` that of the gradients in the backward pass. Equals
    ``torch.nn.init.kaiming_uniform_`` with the same arguments draw for draw; returns ``tensor``.
    """
    return _uniform(tensor, math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity), generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma = g / \sqrt{\text{fan\_mode}}` (He's
    normal initialisation); the arguments are those of :func:`kaiming_uniform_`.

    Equals ``torch.nn.init.kaiming_normal_`` with the same arguments draw for draw; returns ``tensor``.
    """
    return _normal(tensor, _kaiming_std(tensor, a, mode, nonlinearity), generator)
