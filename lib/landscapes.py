"""Two-dimensional test functions for optimizers, each with its known minima, a plot range and a start point.

A :class:`Landscape` bundles ``fn(x, y)``, which works elementwise on two tensors of one shape (so it takes a
meshgrid for a contour plot as well as two 0-d tensors that need gradients), with everything a figure or a
test needs: where the minima are and what the function is worth there, the window to draw and where a
trajectory starts. ``landscape(point)`` evaluates a 2-element tensor; :func:`run_trajectory` runs an
optimizer from the start point.

=============================  ====================================  ==========================================
landscape                      f(x, y)                               minima
=============================  ====================================  ==========================================
:func:`quadratic`              ½(u² + κ v²), (u, v) = R(−angle)·     (0, 0), f = 0; condition number κ
                               (x, y)
:func:`rosenbrock`             (a − x)² + b (y − x²)²                (a, a²), f = 0, at the end of a curved
                                                                     flat valley
:func:`beale`                  (1.5 − x + xy)² + (2.25 − x + xy²)²   (3, 0.5), f = 0
                               + (2.625 − x + xy³)²
:func:`saddle`                 x² − y²                               none: unbounded below; (0, 0) is a saddle
:func:`himmelblau`             (x² + y − 11)² + (x + y² − 7)²        four, all with f = 0
=============================  ====================================  ==========================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch

from lib._validate import check_callable, check_dtype_floating, check_int, check_number, check_tensor

Point = tuple[float, float]


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with what is known about it.

    ``fn(x, y)`` is elementwise over two tensors of one shape and differentiable by autograd. ``minima`` lists
    the global minimizers (empty when the function is unbounded below) and ``min_value`` the value there
    (``None`` when unbounded). ``x_range``/``y_range`` are the window to plot and ``start`` the point where
    a trajectory begins (inside the window).
    """

    name: str
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    minima: tuple[Point, ...]
    min_value: float | None
    x_range: Point
    y_range: Point
    start: Point

    @property
    def bounded_below(self) -> bool:
        """Whether the function has a minimum at all (the saddle has none)."""
        return self.min_value is not None

    def __call__(self, point: torch.Tensor) -> torch.Tensor:
        """f at a 2-element tensor ``point = (x, y)``; differentiable."""
        check_tensor("point", point)
        if point.shape != (2,):
            raise ValueError(f"`point` must have shape (2,), got {tuple(point.shape)}")
        return self.fn(point[0], point[1])


def _quadratic(x, y, *, kappa: float, angle: float):
    cos, sin = math.cos(angle), math.sin(angle)
    u = cos * x + sin * y  # rotate the point by −angle: the valley's axes become the coordinate axes
    v = -sin * x + cos * y
    return 0.5 * (u**2 + kappa * v**2)


def quadratic(kappa: float = 10.0, *, angle: float = 0.0) -> Landscape:
    """f = ½(u² + κ v²) with (u, v) the point rotated by −``angle`` (radians): Hessian eigenvalues 1 and κ.

    κ = ``kappa`` ≥ 1 is the condition number: the larger it is, the narrower the valley and the more plain
    gradient descent zig-zags (its stable ``lr`` is < 2/κ while progress along u needs a large one).
    """
    kappa = check_number("kappa", kappa, low=1)
    angle = check_number("angle", angle)
    fn = partial(_quadratic, kappa=kappa, angle=angle)
    name = f"quadratic (κ = {kappa:g})"
    return Landscape(name, fn, ((0.0, 0.0),), 0.0, (-2.0, 2.0), (-2.0, 2.0), (-1.5, 1.5))


def _rosenbrock(x, y, *, a: float, b: float):
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """Rosenbrock's banana, f = (a − x)² + b (y − x²)²: minimum 0 at (a, a²) at the end of a curved valley.

    Starts at the classic (−1.2, 1).
    """
    a = check_number("a", a)
    b = check_number("b", b, low=0, low_open=True)
    fn = partial(_rosenbrock, a=a, b=b)
    window = 2.0 * max(abs(a), 1.0)
    x_range = (-window, window)
    y_range = (-0.5 * window, a * a + window)
    return Landscape("rosenbrock", fn, ((a, a * a),), 0.0, x_range, y_range, (-1.2, 1.0))


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale() -> Landscape:
    """Beale's function: minimum 0 at (3, 0.5) in a flat valley; values span five decades over the window."""
    return Landscape("beale", _beale, ((3.0, 0.5),), 0.0, (-1.0, 4.5), (-1.5, 2.5), (1.0, 1.5))


def _saddle(x, y):
    return x**2 - y**2


def saddle() -> Landscape:
    """f = x² − y²: no minimum (unbounded below as :math:`|y|` grows); (0, 0) is a saddle point with f = 0.

    The start (1, 0.01) lies just off the ridge y = 0, so a trajectory first slides towards the saddle
    along x and then escapes along y; ``minima`` is empty and ``min_value`` is ``None``.
    """
    return Landscape("saddle", _saddle, (), None, (-1.5, 1.5), (-1.5, 1.5), (1.0, 0.01))


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


HIMMELBLAU_MINIMA: tuple[Point, ...] = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.2831859912861696),
    (3.5844283403304917, -1.8481265269644034),
)


def himmelblau() -> Landscape:
    """Himmelblau's function: four minima, all with f = 0 (the three irrational ones to float64 accuracy,
    refined by Newton's method). Which one a trajectory reaches depends on the start and the optimizer."""
    return Landscape("himmelblau", _himmelblau, HIMMELBLAU_MINIMA, 0.0, (-5.0, 5.0), (-5.0, 5.0), (0.0, 0.0))


def all_landscapes() -> dict[str, Landscape]:
    """Every landscape with its default settings, keyed by a short name."""
    return {
        "quadratic": quadratic(),
        "rosenbrock": rosenbrock(),
        "beale": beale(),
        "saddle": saddle(),
        "himmelblau": himmelblau(),
    }


def run_trajectory(
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    landscape,
    steps: int,
    *,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimize a 2-D point on ``landscape`` (a :class:`Landscape`) from ``landscape.start``.

    ``make_optimizer([param])`` builds the optimizer, e.g. ``lambda p: lib.optim.Adam(p, lr=0.1)``. Returns
    ``(points, losses)``: ``points[k]`` is the point after ``k`` steps (shape ``(steps + 1, 2)``, row 0 is the
    start) and ``losses[k]`` the function's value there (shape ``(steps + 1,)``). A run that diverges is not an
    error here: its points and losses simply become inf or nan, which is worth seeing in a figure.
    """
    check_callable("make_optimizer", make_optimizer, "make_optimizer(params) -> torch.optim.Optimizer")
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be a lib.landscapes.Landscape, got {type(landscape).__name__}")
    steps = check_int("steps", steps, low=0)
    check_dtype_floating("dtype", dtype)
    param = torch.tensor(landscape.start, dtype=dtype, requires_grad=True)
    optimizer = make_optimizer([param])
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"`make_optimizer` must return a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if not any(p is param for group in optimizer.param_groups for p in group["params"]):
        raise ValueError("`make_optimizer` must build its optimizer on the parameters it is given, got one without")
    points, losses = [param.detach().clone()], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = landscape.fn(param[0], param[1])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        points.append(param.detach().clone())
    with torch.no_grad():
        losses.append(landscape.fn(param[0], param[1]))
    return torch.stack(points), torch.stack(losses)
