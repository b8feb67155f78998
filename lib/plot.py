"""Plot helpers: one fixed colour per loss and optimizer across the whole book.

Every helper has the form ``f(..., ax=None, **kw) -> Axes``: it draws on ``ax`` (or the current axes), labels
what it draws and returns the axes. Helpers never call ``plt.show()`` and never change rcParams; only
:func:`set_style` does, once, in a notebook's setup cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

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
    key = name.lower().replace("-", "_").replace(" ", "_")
    if key not in COLORS:
        raise ValueError(f"`name` must be one of {sorted(COLORS)}, got {name!r}")
    return COLORS[key]


def _as_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _color_or_none(name: str):
    key = name.lower().replace("-", "_").replace(" ", "_")
    return COLORS.get(key)


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

    A label's colour comes from ``colors`` if given, else from :data:`COLORS` when the label is a known name.
    """
    ax = plt.gca() if ax is None else ax
    colors = {} if colors is None else colors
    x = _as_numpy(x)
    for label, y in curves.items():
        ax.plot(x, _as_numpy(y), label=label, color=colors.get(label, _color_or_none(label)), **kw)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


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

    Points where ``outlier_mask`` is true are drawn as crosses and labelled "outliers".
    """
    ax = plt.gca() if ax is None else ax
    colors = {} if colors is None else colors
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
    ax = plt.gca() if ax is None else ax
    colors = {} if colors is None else colors
    for label, history in histories.items():
        if key not in history:
            raise ValueError(f"`key` must be one of {sorted(history)} (the history of {label!r}), got {key!r}")
        values = np.asarray(history[key], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, label=label, color=colors.get(label, _color_or_none(label)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(key.replace("_", " ") if ylabel is None else ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax
