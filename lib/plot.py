"""Plot helpers: one fixed colour per loss and optimizer across the whole book.

Every helper has the form ``f(..., ax=None, **kw) -> Axes``: it draws on ``ax`` (or the current axes), labels
what it draws and returns the axes. Helpers never call ``plt.show()`` and never change rcParams; only
:func:`set_style` does, once, in a notebook's setup cell. Data they cannot draw (empty, of the wrong shape or
length, non-finite where a range is computed from it) is refused with a ``ValueError`` that names the argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like

from lib._validate import check_bool, check_callable, check_int, check_number, is_int
from lib.landscapes import Landscape
from lib.schedules import FACTORIES
from lib.train import LRRangeTestResult

# One colour per method, used in every chapter (losses and optimizers share one palette, so no two clash).
COLORS: dict[str, str] = {
    # regression losses
    "mse": "#1f77b4",
    "l1": "#d62728",
    "huber": "#2ca02c",
    "smooth_l1": "#98df8a",
    "log_cosh": "#9467bd",
    "quantile": "#8c564b",
    # classification losses
    "cross_entropy": "#1f77b4",
    "bce": "#17becf",
    "hinge": "#ff7f0e",
    "focal": "#e377c2",
    "weighted_ce": "#bcbd22",
    "label_smoothing": "#7f7f7f",
    # optimizers
    "gd": "#1f77b4",
    "sgd": "#6baed6",
    "momentum": "#ff7f0e",
    "nesterov": "#fdae6b",
    "adagrad": "#2ca02c",
    "rmsprop": "#d62728",
    "adadelta": "#8c564b",
    "adam": "#9467bd",
    "adamw": "#e377c2",
    "amsgrad": "#c5b0d5",
    "lion": "#17becf",
    "newton": "#7f7f7f",
    # learning-rate schedules (lib.schedules)
    "constant": "#7f7f7f",
    "step_decay": "#1f77b4",
    "exponential": "#ff7f0e",
    "inverse_time": "#8c564b",
    "linear_warmup": "#bcbd22",
    "cosine": "#2ca02c",
    "cosine_warm_restarts": "#98df8a",
    "warmup_cosine": "#d62728",
    "one_cycle": "#9467bd",
    # anything else in a figure: data, reference lines
    "data": "#7f7f7f",
    "outlier": "#000000",
    "truth": "#000000",
}

_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
}


def set_style() -> None:
    """Apply the book's matplotlib style (call once, in the setup cell)."""
    plt.rcParams.update(_STYLE)


def color(name: str) -> str:
    """The book's fixed colour for a loss or optimizer, e.g. ``color("huber")``."""
    if not isinstance(name, str):
        raise ValueError(f"`name` must be a string such as 'huber', got {name!r}")
    key = _key(name)
    if key not in COLORS:
        raise ValueError(f"`name` must be one of {sorted(COLORS)}, got {name!r}")
    return COLORS[key]


def _key(name: str) -> str:
    return name.lower().replace("-", "_").replace(" ", "_")


def _as_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _color_or_none(name: str):
    return COLORS.get(_key(name))


# ----- checks of what the helpers are given ---------------------------------------------------------------------


def _axes(ax) -> Axes:
    """``ax``, or the current axes for ``None``."""
    if ax is None:
        return plt.gca()
    if not isinstance(ax, Axes):
        raise ValueError(f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _numbers(name: str, value, *, ndim: int = 1, finite: bool = False) -> np.ndarray:
    """``value`` (a tensor, array or list) as a float array of ``ndim`` dimensions and at least one entry."""
    try:
        array = np.asarray(_as_numpy(value), dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be an array of real numbers, got {type(value).__name__}") from error
    if array.ndim != ndim:
        raise ValueError(f"`{name}` must be {ndim}-D, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"`{name}` must not be empty, got shape {array.shape}")
    if finite and not np.isfinite(array).all():
        raise ValueError(f"`{name}` must be finite, got {int((~np.isfinite(array)).sum())} inf or nan values")
    return array


def _same_length(name: str, array: np.ndarray, length: int, other: str) -> None:
    if len(array) != length:
        raise ValueError(f"`{name}` must have one value per entry of `{other}` ({length}), got {len(array)}")


def _mapping(name: str, value, *, empty_ok: bool = False) -> Mapping:
    if not isinstance(value, Mapping):
        raise ValueError(f"`{name}` must be a dict label -> values, got {type(value).__name__}")
    if not value and not empty_ok:
        raise ValueError(f"`{name}` must hold at least one entry, got an empty {type(value).__name__}")
    return value


def _colors(colors) -> Mapping[str, str]:
    """The ``colors`` option: ``None`` or a dict label -> matplotlib colour."""
    if colors is None:
        return {}
    _mapping("colors", colors, empty_ok=True)
    for label, value in colors.items():
        if not is_color_like(value):
            raise ValueError(f"`colors[{label!r}]` must be a matplotlib colour such as '#1f77b4', got {value!r}")
    return colors


def _text(name: str, value, *, optional: bool = False) -> None:
    if not (isinstance(value, str) or (optional and value is None)):
        raise ValueError(f"`{name}` must be a string{' or None' if optional else ''}, got {value!r}")


def _label(name: str, label) -> None:
    if not isinstance(label, str):
        raise ValueError(f"`{name}` must have strings as labels (its keys), got {label!r}")


def _color_option(value) -> None:
    if value is not None and not is_color_like(value):
        raise ValueError(f"`color` must be a matplotlib colour such as '#1f77b4' or None, got {value!r}")


def plot_curves(
    x,
    curves: Mapping[str, object],
    *,
    xlabel: str,
    ylabel: str,
    ax=None,
    colors: Mapping[str, str] | None = None,
    logy: bool = False,
    **kw,
):
    """Plot several curves over one x-axis: ``curves`` maps a label to y-values (e.g. loss vs residual).

    A label's colour comes from ``colors`` if given, else from ``COLORS`` when the label is a known name.
    ``x`` and every curve are 1-D with one value per x.
    """
    length = len(_numbers("x", x))
    for label, y in _mapping("curves", curves).items():
        _label("curves", label)
        _same_length(f"curves[{label!r}]", _numbers(f"curves[{label!r}]", y), length, "x")
    _text("xlabel", xlabel)
    _text("ylabel", ylabel)
    check_bool("logy", logy)
    ax, colors = _axes(ax), _colors(colors)
    x = _as_numpy(x)
    for label, y in curves.items():
        ax.plot(x, _as_numpy(y), label=label, color=colors.get(label, _color_or_none(label)), **kw)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def _check_fits(x, y, lines, outlier_mask) -> None:
    x_values = _numbers("x", _as_numpy(x).reshape(-1), finite=True)
    _same_length("y", _numbers("y", _as_numpy(y).reshape(-1), finite=True), len(x_values), "x")
    for label, line in _mapping("lines", lines, empty_ok=True).items():
        _label("lines", label)
        is_pair = isinstance(line, Sequence) and not isinstance(line, str) and len(line) == 2
        if not is_pair or not all(isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v) for v in line):
            raise ValueError(f"`lines[{label!r}]` must be a pair (slope, intercept) of finite numbers, got {line!r}")
    if outlier_mask is not None:
        mask = _as_numpy(outlier_mask)
        if mask.dtype != bool:
            raise ValueError(f"`outlier_mask` must hold booleans (True for an outlier), got dtype {mask.dtype}")
        _same_length("outlier_mask", mask.reshape(-1), len(x_values), "x")


def plot_fits(
    x,
    y,
    lines: Mapping[str, tuple[float, float]],
    *,
    ax=None,
    outlier_mask=None,
    colors: Mapping[str, str] | None = None,
    xlabel: str = "x",
    ylabel: str = "y",
):
    """Scatter 1-D data and draw the fitted lines ``lines[label] = (slope, intercept)``.

    Points where ``outlier_mask`` (booleans, one per point) is true are drawn as crosses and labelled "outliers".
    ``x`` and ``y`` hold one finite value per point (``x`` may be a column, shape (n, 1)).
    """
    _check_fits(x, y, lines, outlier_mask)
    _text("xlabel", xlabel)
    _text("ylabel", ylabel)
    ax, colors = _axes(ax), _colors(colors)
    x = _as_numpy(x).reshape(-1)
    y = _as_numpy(y).reshape(-1)
    mask = np.zeros_like(x, dtype=bool) if outlier_mask is None else _as_numpy(outlier_mask).reshape(-1)
    ax.scatter(x[~mask], y[~mask], s=10, alpha=0.5, color=COLORS["data"], label="data")
    if mask.any():
        ax.scatter(x[mask], y[mask], s=25, marker="x", color=COLORS["outlier"], label="outliers")
    grid = np.linspace(x.min(), x.max(), 100)
    for label, (slope, intercept) in lines.items():
        ax.plot(grid, slope * grid + intercept, label=label, color=colors.get(label, _color_or_none(label)), lw=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_history(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    key: str = "train_loss",
    ax=None,
    colors: Mapping[str, str] | None = None,
    logy: bool = True,
    xlabel: str = "epoch",
    ylabel: str | None = None,
):
    """Learning curves: ``histories[label]`` is a history from :func:`lib.train.fit`; plot ``history[key]``."""
    _text("key", key)
    for label, history in _mapping("histories", histories).items():
        _label("histories", label)
        _mapping(f"histories[{label!r}]", history)
        if key not in history:
            raise ValueError(f"`key` must be one of {sorted(history)} (the history of {label!r}), got {key!r}")
        _numbers(f"histories[{label!r}][{key!r}]", history[key])
    check_bool("logy", logy)
    _text("xlabel", xlabel)
    _text("ylabel", ylabel, optional=True)
    ax, colors = _axes(ax), _colors(colors)
    for label, history in histories.items():
        values = np.asarray(history[key], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, label=label, color=colors.get(label, _color_or_none(label)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(key.replace("_", " ") if ylabel is None else ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def _contour_levels(z: np.ndarray, levels):
    """Explicit levels pass through; a count gives log-spaced levels where the positive values span more
    than three decades (with f ≥ 0), evenly spaced ones otherwise."""
    if not isinstance(levels, (int, np.integer)):
        return np.asarray(levels, dtype=float)
    finite = z[np.isfinite(z)]
    positive = finite[finite > 0]
    if finite.min() >= 0 and positive.size and positive.max() / positive.min() > 1e3:
        low = max(positive.min(), positive.max() * 1e-8)  # a minimum of exactly 0 needs no level at 1e-30
        return np.geomspace(low, positive.max(), levels)
    return np.linspace(finite.min(), finite.max(), levels)


def _check_trajectories(landscape, trajectories, levels) -> None:
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be a lib.landscapes.Landscape, got {type(landscape).__name__}")
    for label, points in _mapping("trajectories", trajectories, empty_ok=True).items():
        _label("trajectories", label)
        shape = _numbers(f"trajectories[{label!r}]", points, ndim=2).shape
        if shape[1] != 2:
            raise ValueError(f"`trajectories[{label!r}]` must have shape (steps + 1, 2), got {shape}")
    if is_int(levels):
        check_int("levels", levels, low=1)
    elif isinstance(levels, bool) or isinstance(levels, (str, Real)):
        raise ValueError(f"`levels` must be a number of levels (an int >= 1) or the levels themselves, got {levels!r}")
    elif np.any(np.diff(_numbers("levels", levels, finite=True)) <= 0):
        raise ValueError(f"`levels` must be increasing, got {levels!r}")


def plot_trajectories(
    landscape,
    trajectories: Mapping[str, object],
    *,
    ax=None,
    levels=30,
    colors: Mapping[str, str] | None = None,
    resolution: int = 300,
):
    """Contours of ``landscape`` (a :class:`lib.landscapes.Landscape`) with optimizer paths drawn over them.

    ``trajectories[label]`` is an array of points of shape ``(steps + 1, 2)``, e.g. from
    :func:`lib.landscapes.run_trajectory`; each is drawn in ``colors[label]`` or else the book's colour for the
    label (``"adam"``, ``"sgd"``, ...). ``levels`` is a number of contour levels (log-spaced where the values
    span decades) or the levels themselves. The window, the minima (stars) and the start (a circle) all come
    from the landscape. A trajectory may hold inf or nan (a run that diverged): those points are not drawn.
    """
    _check_trajectories(landscape, trajectories, levels)
    resolution = check_int("resolution", resolution, low=2)
    ax, colors = _axes(ax), _colors(colors)
    xs = torch.linspace(*landscape.x_range, resolution, dtype=torch.float64)
    ys = torch.linspace(*landscape.y_range, resolution, dtype=torch.float64)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    Z = _as_numpy(landscape.fn(X, Y))
    ax.contour(_as_numpy(X), _as_numpy(Y), Z, levels=_contour_levels(Z, levels), colors=COLORS["data"],
               linewidths=0.6, alpha=0.7)  # fmt: skip
    for label, points in trajectories.items():
        points = _as_numpy(points)
        ax.plot(points[:, 0], points[:, 1], "-o", ms=2, lw=1.2, label=label,
                color=colors.get(label, _color_or_none(label)))  # fmt: skip
    if landscape.minima:
        mx, my = zip(*landscape.minima)
        ax.plot(mx, my, "*", ms=12, color=COLORS["truth"], label="minimum" if len(mx) == 1 else "minima")
    ax.plot(*landscape.start, "o", ms=8, mfc="none", color=COLORS["truth"], label="start")
    ax.set_xlim(*landscape.x_range)
    ax.set_ylim(*landscape.y_range)
    ax.set_xlabel("$x$ (parameter 1)")
    ax.set_ylabel("$y$ (parameter 2)")
    ax.set_title(landscape.name)
    ax.legend()
    return ax


def _check_decision_boundary(predict_fn, X, y, label, color, threshold, padding, show_data) -> None:
    check_callable("predict_fn", predict_fn, "predict_fn(points) -> scores, one per row of a (M, 2) tensor")
    points = _numbers("X", X, ndim=2, finite=True)
    if points.shape[1] != 2:
        raise ValueError(f"`X` must have shape (n_samples, 2), got {points.shape}")
    _same_length("y", _numbers("y", _as_numpy(y).reshape(-1)), len(points), "X")
    _text("label", label, optional=True)
    _color_option(color)
    check_number("threshold", threshold)
    check_number("padding", padding, low=0)
    check_bool("show_data", show_data)


def _scores(scores, shape: tuple[int, int]) -> np.ndarray:
    """``predict_fn``'s scores on the grid, shaped like it."""
    if not isinstance(scores, torch.Tensor):
        raise ValueError(f"`predict_fn` must return a tensor of scores, got {type(scores).__name__}")
    if scores.numel() != shape[0] * shape[1]:
        raise ValueError(
            f"`predict_fn` must return one score per row of its (M, 2) input (M = {shape[0] * shape[1]}), got "
            f"shape {tuple(scores.shape)}"
        )
    return _as_numpy(scores).reshape(shape)


def plot_decision_boundary(
    predict_fn,
    X,
    y,
    *,
    ax=None,
    label: str | None = None,
    color: str | None = None,
    threshold: float = 0.0,
    padding: float = 0.5,
    resolution: int = 200,
    show_data: bool = True,
):
    """Draw the line ``predict_fn(x) = threshold`` of a 2-D binary classifier over its data.

    ``predict_fn`` maps a (M, 2) tensor (``X``'s dtype) to M scores (a logit or an SVM score, so the default threshold
    is 0). The grid spans the data plus ``padding``. Call it once per model on the same axes with
    ``show_data=False`` after the first; the line's colour comes from ``color`` or from ``COLORS`` when
    ``label`` is a known name (e.g. "hinge", "bce"). Class 0 is drawn as circles, class 1 as triangles.
    """
    _check_decision_boundary(predict_fn, X, y, label, color, threshold, padding, show_data)
    resolution = check_int("resolution", resolution, low=2)
    ax = _axes(ax)
    dtype = X.dtype if isinstance(X, torch.Tensor) and X.is_floating_point() else torch.float32
    X, y = _as_numpy(X), _as_numpy(y).reshape(-1)
    (x0, y0), (x1, y1) = X.min(0) - padding, X.max(0) + padding
    if x0 >= x1 or y0 >= y1:
        raise ValueError("`padding` must be positive when the points of `X` span no area, got 0")
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=dtype)
    with torch.no_grad():
        scores = _scores(predict_fn(grid), gx.shape)
    line_color = color if color is not None else (_color_or_none(label) if label else None) or COLORS["truth"]
    ax.contour(gx, gy, scores, levels=[threshold], colors=[line_color], linewidths=2)
    if label:
        ax.plot([], [], color=line_color, lw=2, label=label)  # contour lines do not enter the legend
    if show_data:
        for k, marker in ((0, "o"), (1, "^")):
            ax.scatter(*X[y == k].T, s=12, marker=marker, alpha=0.6, color=COLORS["data"] if k == 0 else
                       COLORS["truth"], label=f"class {k}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend()
    return ax


def plot_reliability_diagram(probs, labels, *, n_bins: int = 15, ax=None, label: str | None = None,
                             color: str | None = None):
    """Reliability diagram: accuracy against mean confidence per bin (from :mod:`lib.metrics`), with the
    diagonal of perfect calibration; the legend gives the ECE. Points below the diagonal are overconfident.
    Call once per model on the same axes; colours as in :func:`plot_curves`."""
    from lib.metrics import expected_calibration_error, reliability_diagram_data

    check_int("n_bins", n_bins, low=1)
    _text("label", label, optional=True)
    _color_option(color)
    ax = _axes(ax)
    data = reliability_diagram_data(probs, labels, n_bins=n_bins)
    ece = expected_calibration_error(probs, labels, n_bins=n_bins)
    filled = data.counts > 0
    if not any(line.get_label() == "perfect calibration" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], ls="--", color=COLORS["truth"], lw=1, label="perfect calibration")
    name = f"{label} (ECE {ece:.3f})" if label else f"ECE {ece:.3f}"
    line_color = color if color is not None else (_color_or_none(label) if label else None)
    ax.plot(_as_numpy(data.confidence[filled]), _as_numpy(data.accuracy[filled]), marker="o", label=name,
            color=line_color)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (mean top-label probability in the bin)")
    ax.set_ylabel("accuracy in the bin")
    ax.legend()
    return ax


def plot_schedules(
    schedules: Mapping[str, Callable[[int], float]], num_steps: int, *, ax=None, logy: bool = False, **kw
):
    """Learning rate against step for each ``schedules[label]``, a function of the step such as
    ``lib.schedules.cosine(lr=0.1, total_steps=100)`` (or a function of your own), over steps ``0 .. num_steps - 1``.
    """
    for label, schedule in _mapping("schedules", schedules).items():
        _label("schedules", label)
        check_callable(f"schedules[{label!r}]", schedule, "schedule(step) -> learning rate")
        if any(schedule is factory for factory in FACTORIES):
            raise ValueError(f"`schedules[{label!r}]` must be a schedule, a function of the step: call the factory "
                             f"with its options first, e.g. lib.schedules.{schedule.__name__}(lr=0.1, ...)")
    num_steps = check_int("num_steps", num_steps, low=1)
    check_bool("logy", logy)
    ax = _axes(ax)
    steps = np.arange(num_steps)
    for label, schedule in schedules.items():
        lrs = [schedule(int(t)) for t in steps]
        for t, lr in enumerate(lrs):
            is_number = isinstance(lr, Real) or (isinstance(lr, torch.Tensor) and lr.numel() == 1)
            if isinstance(lr, bool) or not is_number or not math.isfinite(lr):
                raise ValueError(f"`schedules[{label!r}]` must return a finite learning rate, got {lr!r} at step {t}")
        ax.plot(steps, lrs, label=label, color=_color_or_none(label), **kw)
    ax.set_xlabel("step (scheduler.step() calls)")
    ax.set_ylabel("learning rate")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_lr_range(result, *, ax=None, label: str = "smoothed loss", color: str | None = None):
    """An LR range test (:func:`lib.train.lr_range_test`): the raw loss (faint) and the smoothed loss against the
    learning rate on a log axis, with the lr of the smoothed minimum and the suggested lr (a tenth of it) marked.
    The loss axis stops at twice the first smoothed loss, so a divergence at the end does not flatten the curve."""
    if not isinstance(result, LRRangeTestResult):
        raise ValueError(f"`result` must be an LRRangeTestResult from lib.train.lr_range_test, got {result!r}")
    if not result.lrs:
        raise ValueError("`result` must hold at least one measurement, got none (the loss was not finite at the start)")
    _text("label", label)
    _color_option(color)
    ax = _axes(ax)
    ax.plot(result.lrs, result.raw_losses, color=COLORS["data"], alpha=0.4, lw=0.8, label="raw loss")
    ax.plot(result.lrs, result.losses, color=color, label=label)
    ax.axvline(result.min_loss_lr, color="k", ls=":", label=f"minimum at lr = {result.min_loss_lr:.2g}")
    ax.axvline(result.suggested_lr, color="k", ls="--", label=f"suggested lr = {result.suggested_lr:.2g}")
    ax.set_xscale("log")
    ax.set_ylim(top=min(max(result.raw_losses), 2 * result.losses[0]) * 1.05)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")
    ax.legend()
    return ax
