r"""Activation functions, written from their formulas, with their derivatives.

Each function is the twin of its ``torch.nn.functional`` namesake (same arguments, without ``inplace``), equal to
it in value and gradient for inputs up to :math:`\pm 10^4` in float32 and float64. With :math:`\sigma` the
logistic sigmoid and :math:`\Phi`, :math:`\varphi` the standard normal CDF and density:

- :func:`sigmoid`: :math:`\sigma(x) = 1 / (1 + e^{-x})`; :math:`f' = \sigma(x)\,(1 - \sigma(x))`
- :func:`tanh`: :math:`(e^{x} - e^{-x}) / (e^{x} + e^{-x})`; :math:`f' = 1 - \tanh^2 x`
- :func:`relu`: :math:`\max(x, 0)`; :math:`f' = \mathbb 1[x > 0]`
- :func:`leaky_relu`: :math:`x` if :math:`x > 0`, else :math:`a x` (``negative_slope``); :math:`f' = 1` if
  :math:`x > 0`, else :math:`a`
- :func:`elu`: :math:`x` if :math:`x > 0`, else :math:`\alpha (e^x - 1)`; :math:`f' = 1` if :math:`x > 0`, else
  :math:`\alpha e^x`
- :func:`gelu`: :math:`x\,\Phi(x)`; :math:`f' = \Phi(x) + x\,\varphi(x)`
- :func:`gelu` with ``approximate="tanh"``: :math:`\tfrac12 x (1 + \tanh u) = x\,\sigma(2u)`;
  :math:`f' = \sigma(2u) + 2x\,\sigma(2u)(1 - \sigma(2u))\,u'`
- :func:`silu`: :math:`x\,\sigma(x)`; :math:`f' = \sigma(x)\,(1 + x (1 - \sigma(x)))`
- :func:`softplus`: :math:`\tfrac1\beta \log(1 + e^{\beta x})`, but :math:`x` where :math:`\beta x > t`;
  :math:`f' = \sigma(\beta x)`, but 1 where :math:`\beta x > t`

where :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`, :math:`u' = \sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2)` and
:math:`t` is softplus's ``threshold``. At the kinks the derivative is torch's choice: ReLU's is 0 at 0, the leaky
ReLU's is :math:`a`, the ELU's :math:`\alpha`.

Numerically stable forms: :math:`\sigma(x) = e^{x} / (1 + e^{x})` for :math:`x < 0` (so :math:`e^{-x}` never
overflows), :math:`\tanh |x| = -m / (2 + m)` with :math:`m = e^{-2|x|} - 1` (``expm1``, exact near 0),
:math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)` (accurate in the far left tail, where
:math:`1 + \operatorname{erf}` cancels), :math:`1 + \tanh u = 2\sigma(2u)`, and
:math:`\log(1 + e^{z}) = \max(z, 0) + \log(1 + e^{-|z|})`.

Each function is a ``torch.autograd.Function`` whose backward *is* the derivative above, so the gradient
never passes through an overflowing intermediate (autograd through :math:`\alpha(e^x - 1)` for :math:`x = 10^4`
would give :math:`0 \cdot \infty = \text{nan}`). The backward is written with torch operations, so autograd can
differentiate it again (second derivatives, ``create_graph=True``). :func:`derivative` returns the same formula
as a tensor, for plotting. float16 and bfloat16 inputs are computed in float32 and rounded back once, as torch
computes them. Replayed step by step rather than fused, a forward and backward pass takes 2 (ReLU) to 15 (SiLU)
times as long as torch's kernels: use these to see the formulas at work, torch's in large models.
"""

from __future__ import annotations

import inspect
import math

import torch

from lib._validate import check_floating, check_number

__all__ = ["derivative", "elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh"]

GELU_APPROXIMATIONS = ("none", "tanh")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_KAPPA = 0.044715


# ----- the formulas: value(x, **options) and slope(x, y, **options), y = value(x) ---------------------------------


def _sigmoid_value(x):
    e = torch.exp(-x.abs())  # in (0, 1]: never overflows
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _tanh_value(x):
    m = torch.expm1(-2.0 * x.abs())  # e^{-2|x|} - 1, in [-1, 0]
    return torch.copysign(-m / (2.0 + m), x)


def _elu_value(x, alpha):
    return torch.where(x <= 0, alpha * torch.expm1(x.clamp(max=0.0)), x)


def _gelu_value(x, approximate):
    if approximate == "tanh":
        return x * _sig(2.0 * _gelu_u(x))
    return x * (0.5 * torch.erfc(-x * math.sqrt(0.5)))


def _gelu_u(x):
    return _SQRT_2_OVER_PI * (x + _KAPPA * x**3)


def _softplus_value(x, beta, threshold):
    z = beta * x
    smooth = (z.clamp(min=0.0) + torch.log1p(torch.exp(-z.abs()))) / beta
    return torch.where(z > threshold, x, smooth)


def _gelu_slope(x, y, approximate):
    if approximate == "tanh":
        s = _sig(2.0 * _gelu_u(x))
        return s + 2.0 * x * s * (1.0 - s) * (_SQRT_2_OVER_PI * (1.0 + 3.0 * _KAPPA * x**2))
    return 0.5 * torch.erfc(-x * math.sqrt(0.5)) + x * (_INV_SQRT_2PI * torch.exp(-0.5 * x * x))


def _below(x, bound):
    """``x`` where ``x < bound``, else the constant ``bound``: through it, autograd's derivative is 0 at the bound
    itself, which is where torch puts the kink of its second derivatives (ELU at 0, softplus at the threshold)."""
    return torch.where(x < bound, x, _constant(x, bound))


def _elu_slope(x, y, alpha):
    return torch.where(x <= 0, alpha * torch.exp(_below(x, 0.0)), _constant(x, 1.0))


def _softplus_slope(x, y, beta, threshold):
    z = beta * x
    return torch.where(z > threshold, _constant(x, 1.0), _sig(_below(z, threshold)))


def _silu_slope(x, y):
    s = _sig(x)
    return s * (1.0 + x * (1.0 - s))


def _constant(x, value):
    return torch.full_like(x, value)


_FORMULAS = {
    "sigmoid": (_sigmoid_value, lambda x, y: y * (1.0 - y)),
    "tanh": (_tanh_value, lambda x, y: 1.0 - y * y),
    # torch passes the gradient unless the output is <= 0 (so a nan input passes it, like torch)
    "relu": (lambda x: x.clamp(min=0.0), lambda x, y: (~(y <= 0)).to(x.dtype)),
    "leaky_relu": (
        lambda x, negative_slope: torch.where(x > 0, x, x * negative_slope),
        lambda x, y, negative_slope: torch.where(x > 0, _constant(x, 1.0), _constant(x, negative_slope)),
    ),
    "elu": (_elu_value, _elu_slope),
    "gelu": (_gelu_value, _gelu_slope),
    "silu": (lambda x: x * _sig(x), _silu_slope),
    "softplus": (_softplus_value, _softplus_slope),
}


class _Activation(torch.autograd.Function):
    """``_FORMULAS[name]``'s value forward; its slope times the incoming gradient backward."""

    @staticmethod
    def forward(ctx, input, name: str, options: dict):
        output = _FORMULAS[name][0](input, **options)
        ctx.save_for_backward(input, output)
        ctx.name, ctx.options = name, options
        return output

    @staticmethod
    def backward(ctx, grad):
        input, output = ctx.saved_tensors
        return grad * _FORMULAS[ctx.name][1](input, output, **ctx.options), None, None


def _sig(x):
    """The sigmoid as an autograd Function, for use inside other formulas (differentiable to any order)."""
    return _Activation.apply(x, "sigmoid", {})


# ----- the options each function takes, checked ------------------------------------------------------------------


def _no_options():
    return {}


def _leaky_relu_options(negative_slope=0.01):
    return {"negative_slope": check_number("negative_slope", negative_slope)}


def _elu_options(alpha=1.0):
    return {"alpha": check_number("alpha", alpha)}


def _gelu_options(approximate="none"):
    if not isinstance(approximate, str) or approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"`approximate` must be one of {GELU_APPROXIMATIONS}, got {approximate!r}")
    return {"approximate": approximate}


def _softplus_options(beta=1.0, threshold=20.0):
    beta = check_number("beta", beta, low=0, low_open=True)
    return {"beta": beta, "threshold": check_number("threshold", threshold)}


_OPTIONS = {
    "sigmoid": _no_options,
    "tanh": _no_options,
    "relu": _no_options,
    "leaky_relu": _leaky_relu_options,
    "elu": _elu_options,
    "gelu": _gelu_options,
    "silu": _no_options,
    "softplus": _softplus_options,
}


_HALF = (torch.float16, torch.bfloat16)


def _activation(name: str, input: torch.Tensor, **options) -> torch.Tensor:
    check_floating("input", input)
    options = _OPTIONS[name](**options)
    if input.dtype in _HALF:  # computed in float32 and rounded back, as torch does (x**3 overflows float16 at 40)
        return _Activation.apply(input.float(), name, options).to(input.dtype)
    return _Activation.apply(input, name, options)


# ----- the public functions ----------------------------------------------------------------------------------------


def sigmoid(input: torch.Tensor) -> torch.Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`, the twin of ``torch.nn.functional.sigmoid``.

    Derivative :math:`\sigma(x)(1 - \sigma(x))`, at most 1/4 (at 0). Computed as :math:`e^x/(1 + e^x)` for
    :math:`x < 0`, so that nothing overflows.
    """
    return _activation("sigmoid", input)


def tanh(input: torch.Tensor) -> torch.Tensor:
    r"""Hyperbolic tangent, the twin of ``torch.nn.functional.tanh``; :math:`\tanh x = 2\sigma(2x) - 1`.

    Derivative :math:`1 - \tanh^2 x`, at most 1 (at 0). Computed as :math:`\operatorname{sign}(x)\,(-m)/(2 + m)`
    with :math:`m = e^{-2|x|} - 1` (``expm1``), exact to a few ulps near 0 and never overflowing.
    """
    return _activation("tanh", input)


def relu(input: torch.Tensor) -> torch.Tensor:
    r"""Rectified linear unit :math:`\max(x, 0)`, the twin of ``torch.nn.functional.relu``.

    Derivative :math:`\mathbb 1[x > 0]` (0 at :math:`x = 0`, as torch).
    """
    return _activation("relu", input)


def leaky_relu(input: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    r"""Leaky ReLU, the twin of ``torch.nn.functional.leaky_relu``: :math:`x` for :math:`x > 0`, else :math:`a x`.

    Derivative 1 for :math:`x > 0`, else :math:`a` (also at 0, as torch). ``negative_slope`` :math:`a`: any
    finite number.
    """
    return _activation("leaky_relu", input, negative_slope=negative_slope)


def elu(input: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    r"""Exponential linear unit (Clevert, Unterthiner and Hochreiter, 2016), the twin of ``torch.nn.functional.elu``.

    :math:`x` for :math:`x > 0`, else :math:`\alpha (e^x - 1)` (``expm1``), which tends to :math:`-\alpha`.
    Derivative 1 for :math:`x > 0`, else :math:`\alpha e^x` (:math:`\alpha` at 0, as torch). ``alpha``: any
    finite number.
    """
    return _activation("elu", input, alpha=alpha)


def gelu(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    r"""Gaussian error linear unit (Hendrycks and Gimpel, 2016), the twin of ``torch.nn.functional.gelu``.

    ``approximate="none"``: :math:`x\,\Phi(x)` with :math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt 2)`,
    derivative :math:`\Phi(x) + x\,\varphi(x)`, :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`.
    ``approximate="tanh"``: :math:`\tfrac12 x\,(1 + \tanh u) = x\,\sigma(2u)` with
    :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`, derivative
    :math:`\sigma(2u) + 2x\,\sigma(2u)(1 - \sigma(2u))\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2)`.
    """
    return _activation("gelu", input, approximate=approximate)


def silu(input: torch.Tensor) -> torch.Tensor:
    r"""Sigmoid linear unit (swish) :math:`x\,\sigma(x)`, the twin of ``torch.nn.functional.silu``.

    Derivative :math:`\sigma(x)\,(1 + x(1 - \sigma(x)))`: slightly above 1 near :math:`x = 2.4`, slightly
    negative for :math:`x < -2.4`.
    """
    return _activation("silu", input)


def softplus(input: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
    r"""Softplus, the twin of ``torch.nn.functional.softplus``.

    :math:`\tfrac1\beta \log(1 + e^{\beta x})`, computed as :math:`\tfrac1\beta(\max(\beta x, 0) +
    \log(1 + e^{-|\beta x|}))`; and, as torch, just :math:`x` where :math:`\beta x >` ``threshold``. Derivative
    :math:`\sigma(\beta x)`, and 1 where :math:`\beta x >` ``threshold``. ``beta`` > 0 and ``threshold`` finite.
    """
    return _activation("softplus", input, beta=beta, threshold=threshold)


def derivative(name: str, input: torch.Tensor, **options) -> torch.Tensor:
    r"""The derivative :math:`f'(x)` of the activation called ``name`` (``"relu"``, ``"gelu"``, ...) at each
    element of ``input``, with that function's options (``derivative("elu", x, alpha=0.5)``).

    It is the formula the function's backward uses (listed in the module docstring), so it equals the gradient
    autograd returns, ``torch.autograd.grad(f(x).sum(), x)``, computed directly (and differentiable itself).
    """
    if not isinstance(name, str) or name not in _FORMULAS:
        raise ValueError(f"`name` must be one of {tuple(_FORMULAS)}, got {name!r}")
    check_floating("input", input)
    allowed = tuple(inspect.signature(_OPTIONS[name]).parameters)
    for option in options:
        if option not in allowed:
            raise TypeError(f"`{option}` is not an option of {name}, whose options are {allowed}")
    options = _OPTIONS[name](**options)
    value, slope = _FORMULAS[name]
    x = input.float() if input.dtype in _HALF else input
    return slope(x, value(x, **options), **options).to(input.dtype)
