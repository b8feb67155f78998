"""lib.plot: helpers draw on the given axes with labels, legends and the fixed colours; no global side effects."""

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.colors import to_hex

from lib import plot


def test_every_colour_is_a_valid_matplotlib_colour_and_losses_differ_from_each_other():
    for value in plot.COLORS.values():
        to_hex(value)
    regression = ["mse", "l1", "huber", "smooth_l1", "log_cosh", "quantile"]
    assert len({plot.color(n) for n in regression}) == len(regression)
    optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "lion"]
    assert len({plot.color(n) for n in optimizers}) == len(optimizers)


def test_color_accepts_spelling_variants_and_rejects_unknown_names():
    assert plot.color("Smooth-L1") == plot.COLORS["smooth_l1"]
    with pytest.raises(ValueError, match="`name` must be one of"):
        plot.color("ridge")


def test_plot_curves_draws_labelled_lines_in_the_fixed_colours(ax):
    r = torch.linspace(-3, 3, 50)
    out = plot.plot_curves(r, {"mse": r**2, "huber": r.abs(), "other": r}, xlabel="residual", ylabel="loss", ax=ax)
    assert out is ax
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert to_hex(lines["huber"].get_color()) == plot.COLORS["huber"]
    assert ax.get_xlabel() == "residual" and ax.get_legend() is not None


def test_plot_fits_marks_outliers_and_draws_one_line_per_fit(ax):
    x, y = torch.linspace(0, 1, 20), torch.linspace(0, 2, 20)
    mask = torch.zeros(20, dtype=torch.bool)
    mask[3] = True
    plot.plot_fits(x, y, {"mse": (2.0, 0.0), "l1": (1.9, 0.1)}, outlier_mask=mask, ax=ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["data", "outliers", "mse", "l1"]


def test_plot_history_uses_a_log_scale_and_rejects_an_unknown_key(ax):
    plot.plot_history({"mse": {"train_loss": [1.0, 0.1, 0.01]}}, ax=ax)
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "train loss"
    with pytest.raises(ValueError, match="`key` must be one of"):
        plot.plot_history({"mse": {"train_loss": [1.0]}}, key="val_loss", ax=ax)


def test_helpers_leave_rcparams_alone_and_set_style_changes_them():
    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    plot.plot_curves([0, 1], {"mse": [0, 1]}, xlabel="x", ylabel="y", ax=ax)
    plt.close(fig)
    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        plot.set_style()
        assert matplotlib.rcParams["axes.grid"] is True
