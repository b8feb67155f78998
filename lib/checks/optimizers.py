"""Checks of optimizer update rules: run a learner's one-tensor rule next to a ``torch.optim`` optimizer on a fixed
sequence of gradients and say at which step, in which quantity and by how much they first part.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import torch

from lib._validate import check_int, check_number, is_int
from lib.checks.compare import CheckResult, check_callable, check_options, mismatch
from lib.checks.refuse import Refusal, RefusedCall, check_forbid


def _check_shape(shape) -> tuple[int, ...]:
    """A tensor shape with at least one element: with none, every update would trivially match the reference."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence):
        raise ValueError(f"`shape` must be a tuple of positive ints such as (3, 4), got {shape!r}")
    if not all(is_int(n) for n in shape):
        raise ValueError(f"`shape` must be a tuple of positive ints such as (3, 4), got {tuple(shape)!r}")
    if any(n < 1 for n in shape):
        raise ValueError(f"`shape` must have at least one element (every size ≥ 1), got {tuple(shape)!r}: "
                         "on an empty tensor every update matches the reference")
    return tuple(shape)


def optimizer_gradients(steps: int, shape: Sequence[int], *, seed: int = 0) -> torch.Tensor:
    """A fixed float64 sequence of ``steps`` gradients of ``shape``: one scale per element, from 1e-6 to 10, with
    random signs, so that a misplaced ``eps`` shows on the small coordinates and a wrong power on the large."""
    steps = check_int("steps", steps, low=1)
    numel = math.prod(_check_shape(shape))
    scales = torch.logspace(-6, 1, numel, dtype=torch.float64) if numel > 1 else torch.ones(numel, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    return torch.randn(steps, *shape, generator=g, dtype=torch.float64) * scales.reshape(shape)


def _learner_step(update_fn: Callable, param, grad, state: dict, options: Mapping, where: str) -> torch.Tensor:
    """Run the learner's rule once; it may change ``param`` in place (and return None) or return the new value."""
    try:
        out = update_fn(param, grad.clone(), state, **options)
    except RefusedCall:
        raise
    except Exception as error:  # the learner's code may raise anything; say so plainly
        raise AssertionError(f"{where}, your update raised {type(error).__name__}: {error}") from error
    if out is None:
        return param
    if not isinstance(out, torch.Tensor):
        kind = type(out).__name__
        raise AssertionError(
            f"{where}, your update returned a {kind}: return the new parameter tensor, "
            "or change `param` in place and return None."
        )
    return out


def _compare_quantity(what: str, got, want: torch.Tensor, where: str, atol: float, rtol: float) -> None:
    """Raise naming the step and the quantity when ``got`` differs from ``want`` in shape or in value."""
    try:
        got = torch.as_tensor(got).detach().to(want.dtype)
    except (TypeError, ValueError, RuntimeError) as error:
        kind = type(got).__name__
        raise AssertionError(f"{where}, {what} is a {kind}, not a number or a tensor: {error}") from error
    if got.shape != want.shape:
        raise AssertionError(
            f"{where}, {what} has shape {tuple(got.shape)}, expected {tuple(want.shape)}: "
            "an update keeps one value per entry of the parameter."
        )
    found = mismatch(got, want, atol=atol, rtol=rtol, largest=True)
    if found is not None:
        raise AssertionError(
            f"{where}, {what} differs from the reference in {found.count} of {found.total} value(s), "
            f"most at index {list(found.index)}: {found.values()}."
        )


def _step_factor_hint(got, before: torch.Tensor, want: torch.Tensor, grad: torch.Tensor) -> str:
    """A hint when the learner's step is the reference's times one factor (not 1) wherever the gradient is sizeable."""
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        return ""
    got_step, want_step = got.detach().to(want.dtype) - before, want - before
    mask = (grad.abs() >= 1e-3 * grad.abs().max()) & (want_step != 0)
    ratio = got_step[mask] / want_step[mask]
    if ratio.numel() < 2 or not torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-3, atol=0):
        return ""
    if abs(ratio[0].item() - 1) < 1e-2:
        return ""
    return (
        f" Your step is {ratio[0].item():.4g} times the reference's on every entry with a sizeable gradient: "
        "a constant factor is off (a bias correction, the learning rate, a square root?)."
    )


def _reference_steps(reference: Callable, start: torch.Tensor, grads: torch.Tensor, options: Mapping) -> list:
    """``(param, state)`` after each step of ``reference([param], **options)`` fed the gradients ``grads``."""
    param = start.clone().requires_grad_(True)
    optimizer = reference([param], **options)
    steps = []
    for grad in grads:
        param.grad = grad.clone()
        optimizer.step()
        state = {k: v.detach().clone() for k, v in optimizer.state[param].items() if isinstance(v, torch.Tensor)}
        steps.append((param.detach().clone(), state))
    return steps


def _qualified_name(fn: Callable) -> str:
    """``torch.optim.Adam`` or ``lib.optim.Adam`` for an optimizer class (twins share a name), else the name."""
    name = getattr(fn, "__name__", "<lambda>")
    if name == "<lambda>":
        return "the reference"
    package = (getattr(fn, "__module__", None) or "").split(".")[:2]
    return ".".join([*package, name]) if len(package) == 2 else name


def check_optimizer_step(
    update_fn: Callable,
    reference: Callable,
    *,
    options: Mapping | None = None,
    steps: int = 10,
    shape: Sequence[int] = (3, 4),
    seed: int = 0,
    atol: float = 1e-12,
    rtol: float = 1e-9,
    forbid: Sequence[Callable] = (),
) -> CheckResult:
    """Check a learner's one-tensor update rule against a ``torch.optim`` optimizer, step by step.

    ``update_fn(param, grad, state, **options)`` takes one step: it changes ``param`` in place (returning None)
    or returns the new value, and keeps what it needs in the dict ``state`` (empty on the first call).
    ``reference(params, **options)`` builds the twin, e.g. ``torch.optim.Adam``. Both start from one float64
    tensor and get the gradients of :func:`optimizer_gradients`. After every step, the state entries kept under
    the same name by both (torch's names: ``exp_avg``, ``exp_avg_sq``, ``step``, ...) and then the parameter are
    compared; the first difference raises an ``AssertionError`` naming the step, the quantity and its size.
    While ``update_fn`` runs, calling ``reference`` or anything in ``forbid`` raises an AssertionError.
    """
    check_callable("update_fn", update_fn)
    check_callable("reference", reference)
    forbid = check_forbid(forbid)
    check_options(options)
    atol, rtol = check_number("atol", atol, low=0), check_number("rtol", rtol, low=0)
    options, name = dict(options or {}), getattr(update_fn, "__name__", "your update")
    grads = optimizer_gradients(steps, shape, seed=seed)
    start = torch.randn(*shape, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    param, state, compared = start.clone(), {}, set()
    refusal = Refusal(update_fn, (reference, *forbid), who=name)
    for t, (want_param, want_state) in enumerate(_reference_steps(reference, start, grads, options), start=1):
        where = f"At step {t} (of {steps})"
        before = param.clone()
        with refusal:
            param = _learner_step(update_fn, param, grads[t - 1], state, options, where)
        for key in sorted(want_state.keys() & state.keys()):
            _compare_quantity(f"state[{key!r}]", state[key], want_state[key], where, atol, rtol)
            compared.add(key)
        try:
            _compare_quantity("the parameter", param, want_param, where, atol, rtol)
        except AssertionError as error:
            hint = _step_factor_hint(param, before, want_param, grads[t - 1])
            raise AssertionError(f"{error}{hint}") from None
    checked = "".join(f", state[{k!r}]" for k in sorted(compared))
    twin = _qualified_name(reference)
    return CheckResult(
        f"✓ {name} matches {twin} for {steps} steps on a {tuple(shape)} tensor (the parameter{checked})."
    )
