"""Checks of a learner's function (a loss, a gradient formula, any tensor function) against the reference, on
a list of :class:`Case` inputs: shapes, values and gradients, with a hint for a wrong factor or sign."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import torch

from lib._validate import check_number
from lib.checks.compare import CheckResult, check_callable, check_options, mismatch
from lib.checks.refuse import Refusal, RefusedCall, check_forbid


@dataclass(frozen=True)
class Case:
    """One input to try: a description for the message, positional tensors and keyword options."""

    description: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


def _fresh(args: tuple, requires_grad: bool) -> tuple:
    """Copies of the tensor arguments (floating ones tracking gradients when asked) so calls cannot interfere."""
    out = []
    for a in args:
        if isinstance(a, torch.Tensor):
            a = a.detach().clone()
            if requires_grad and a.is_floating_point():
                a.requires_grad_(True)
        out.append(a)
    return tuple(out)


def _diagnose(got: torch.Tensor, want: torch.Tensor, atol: float) -> str:
    """A hint for a common mistake: a constant factor (a missing ½, sum vs mean) or a flipped sign."""
    mask = want.abs() > 10 * atol
    if not mask.any():
        return ""
    if not torch.isfinite(got[mask]).all():
        return (" Some of your values are inf or nan where the reference's are finite: look for an overflow "
                "(exp of a large number) or a log of 0.")
    ratio = got[mask] / want[mask]
    if torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-4, atol=0):
        k = ratio[0].item()
        if k == 0:
            return ""
        if abs(k + 1) < 1e-4:
            return " Every value has the wrong sign: check the direction of the residual or a missing minus."
        if abs(k - round(k)) < 1e-4 or abs(1 / k - round(1 / k)) < 1e-4:
            return (
                f" Your values are the reference times {k:.4g} everywhere: look for a constant factor "
                "(a missing or extra ½ or 2, or a sum where a mean is expected, or the other way round)."
            )
    return ""


def _compare(what: str, got, want: torch.Tensor, case: Case, atol: float, rtol: float) -> None:
    context = f"For {case.description}, {what}"
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"{context} should be a torch.Tensor, got {type(got).__name__}.")
    if got.shape != want.shape:
        hint = ""
        if want.dim() == 0 and got.dim() > 0:
            hint = " You returned one value per element: apply the reduction."
        elif got.dim() == 0 and want.dim() > 0:
            hint = " You reduced to one number, but reduction='none' must keep one value per element."
        raise AssertionError(f"{context} has shape {tuple(got.shape)}, expected {tuple(want.shape)}.{hint}")
    got = got.detach().to(want.dtype)
    want = want.detach()
    found = mismatch(got, want, atol=atol, rtol=rtol)
    if found is not None:
        where = f" at index {list(found.index)}" if found.index else ""
        raise AssertionError(
            f"{context} is wrong: {found.count} of {found.total} value(s) differ; first{where}: {found.values()}."
            + _diagnose(got, want, atol)
        )


def _call(fn: Callable, case: Case, name: str, requires_grad: bool):
    args = _fresh(case.args, requires_grad)
    try:
        out = fn(*args, **case.kwargs)
    except RefusedCall:
        raise
    except Exception as error:  # the learner's code may raise anything; say so plainly
        raise AssertionError(f"For {case.description}, {name} raised {type(error).__name__}: {error}") from error
    return args, out


def _input_grad(args: tuple, out) -> torch.Tensor | None:
    first = args[0]
    if not (isinstance(out, torch.Tensor) and out.requires_grad and first.requires_grad):
        return None
    (grad,) = torch.autograd.grad(out.sum(), first, allow_unused=True)
    return torch.zeros_like(first) if grad is None else grad


def _check_cases(cases) -> list[Case]:
    """A list of at least one :class:`Case`: with none, a check would compare nothing and always pass."""
    if isinstance(cases, Case) or not isinstance(cases, Sequence):
        raise ValueError(f"`cases` must be a list of Case objects, got {type(cases).__name__}")
    if not cases:
        raise ValueError("`cases` must hold at least one Case, got none: a check of no cases would always pass")
    for i, case in enumerate(cases):
        if not isinstance(case, Case):
            raise ValueError(f"`cases[{i}]` must be a Case(description, args, kwargs), got {type(case).__name__}")
    return list(cases)


def check_function(
    fn: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    name: str | None = None,
    check_grad: bool = True,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    forbid: Sequence[Callable] = (),
) -> CheckResult:
    """Compare ``fn`` with ``reference`` on every case: output shape, values, and (when ``check_grad``) the
    gradient of the summed output with respect to the first argument.

    While ``fn`` runs, calling ``reference`` or anything in ``forbid`` (its twins, e.g. ``F.huber_loss``) raises
    an AssertionError: an exercise cannot be passed by calling the function it asks for."""
    check_callable("fn", fn)
    check_callable("reference", reference)
    forbid = check_forbid(forbid)
    name = name or getattr(fn, "__name__", "your function")
    cases = _check_cases(cases)
    atol, rtol = check_number("atol", atol, low=0), check_number("rtol", rtol, low=0)
    refusal = Refusal(fn, (reference, *forbid), who=name)
    for case in cases:
        _, want = _call(reference, case, "the reference", False)
        with refusal:
            args, got = _call(fn, case, name, check_grad)
        _compare(f"the output of {name}", got, want, case, atol, rtol)
        if check_grad:
            ref_args, ref_out = _call(reference, case, "the reference", True)
            want_grad = _input_grad(ref_args, ref_out)
            got_grad = _input_grad(args, got)
            if want_grad is not None and got_grad is None:
                raise AssertionError(
                    f"For {case.description}, autograd cannot differentiate the output of {name}: "
                    "use torch operations throughout (no .item(), .numpy() or .detach())."
                )
            if want_grad is not None:
                _compare(
                    f"the gradient of {name} with respect to the first argument", got_grad, want_grad, case, atol, rtol
                )
    grads = " and gradients" if check_grad else ""
    return CheckResult(f"✓ {name} matches the reference on {len(cases)} cases (values{grads}).")


def loss_cases(
    options: Mapping | None = None, reductions: Sequence[str] | None = ("none", "mean", "sum"), seed: int = 0
) -> list[Case]:
    """Standard inputs for an elementwise loss ``fn(input, target, **options, reduction=...)``: small and large
    residuals of both signs, and a 2-D batch, in float64. ``reductions=None`` passes no ``reduction``."""
    g = torch.Generator().manual_seed(seed)
    target = torch.randn(8, generator=g, dtype=torch.float64)
    inputs = {
        "small residuals (|r| < 1)": (target + 0.5 * torch.rand(8, generator=g, dtype=torch.float64) - 0.25, target),
        "large residuals (up to ±50)": (target + torch.linspace(-50, 50, 8, dtype=torch.float64), target),
        "a (4, 3) batch": (
            torch.randn(4, 3, generator=g, dtype=torch.float64) * 3,
            torch.randn(4, 3, generator=g, dtype=torch.float64),
        ),
    }
    options = dict(options or {})
    cases = []
    for text, args in inputs.items():
        for reduction in reductions or (None,):
            kwargs = dict(options) if reduction is None else {**options, "reduction": reduction}
            suffix = "" if reduction is None else f", reduction={reduction!r}"
            opts = "".join(f", {k}={v!r}" for k, v in options.items())
            cases.append(Case(f"{text}{opts}{suffix}", args, kwargs))
    return cases


def check_loss(
    fn: Callable,
    reference: Callable,
    *,
    options: Mapping | None = None,
    reductions: Sequence[str] | None = ("none", "mean", "sum"),
    name: str | None = None,
    forbid: Sequence[Callable] = (),
) -> CheckResult:
    """Check a learner's loss ``fn(input, target, ...)`` against ``reference`` on :func:`loss_cases`.

    When ``reductions`` is None the learner's function takes no ``reduction`` and must return one value per
    element; it is then compared with ``reference(..., reduction="none")``. ``fn`` may call neither ``reference``
    nor anything in ``forbid``.
    """
    check_options(options)
    forbid = (reference, *check_forbid(forbid))
    if reductions is not None and (isinstance(reductions, str) or not reductions
                                   or not set(reductions) <= {"none", "mean", "sum"}):
        raise ValueError(f"`reductions` must be None or a non-empty list of 'none', 'mean', 'sum', got {reductions!r}")
    if reductions is None:
        options = dict(options or {})

        def reference_none(input, target, **kw):
            return reference(input, target, reduction="none", **kw)

        return check_function(fn, reference_none, loss_cases(options, None), name=name, forbid=forbid)
    return check_function(fn, reference, loss_cases(options, reductions), name=name, forbid=forbid)


def check_gradient_formula(
    grad_fn: Callable,
    loss_fn: Callable,
    *,
    options: Mapping | None = None,
    name: str | None = None,
    forbid: Sequence[Callable] = (),
) -> CheckResult:
    """Check a hand-derived elementwise gradient ``grad_fn(input, target) = ∂ℓ/∂ŷ`` against autograd
    applied to ``loss_fn(input, target, reduction="sum")``. ``grad_fn`` may call neither ``loss_fn`` (that
    would be autograd, not a derivation) nor anything in ``forbid``."""
    check_callable("grad_fn", grad_fn)
    check_callable("loss_fn", loss_fn)
    check_options(options)
    forbid = (loss_fn, *check_forbid(forbid))
    options = dict(options or {})

    def autograd_gradient(input, target, **kw):
        input = input.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_fn(input, target, reduction="sum", **kw), input)
        return grad

    return check_function(
        grad_fn, autograd_gradient, loss_cases(options, None), name=name, check_grad=False, forbid=forbid
    )
