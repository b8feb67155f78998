"""lib.plot: helpers draw on the given axes with labels, legends and the fixed colours; no global side effects."""

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.colors import to_hex

from lib import plot
from lib.train import LRRangeTestResult


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


# ----- data a helper cannot draw is refused by name ---------------------------------------------------------


def _blobs():
    X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    return X, torch.tensor([0, 1, 0, 1])


BAD_PLOTS = {
    "empty-x": (lambda ax: plot.plot_curves([], {"mse": []}, xlabel="x", ylabel="y", ax=ax), "`x` must not be empty"),
    "curve-length": (
        lambda ax: plot.plot_curves([0, 1, 2], {"mse": [0, 1]}, xlabel="x", ylabel="y", ax=ax),
        r"`curves\['mse'\]` must have one value per entry of `x` \(3\), got 2",
    ),
    "curve-2d": (
        lambda ax: plot.plot_curves([0, 1], {"mse": [[0, 1]]}, xlabel="x", ylabel="y", ax=ax),
        r"`curves\['mse'\]` must be 1-D, got shape \(1, 2\)",
    ),
    "no-curves": (lambda ax: plot.plot_curves([0, 1], {}, xlabel="x", ylabel="y", ax=ax), "`curves` must hold"),
    "not-an-axes": (lambda ax: plot.plot_curves([0], {"a": [0]}, xlabel="x", ylabel="y", ax="ax"), "`ax` must be"),
    "fits-empty": (lambda ax: plot.plot_fits([], [], {}, ax=ax), "`x` must not be empty"),
    "fits-length": (lambda ax: plot.plot_fits([0, 1], [0, 1, 2], {}, ax=ax), "`y` must have one value per entry"),
    "fits-nan-x": (lambda ax: plot.plot_fits([0, float("nan")], [0, 1], {}, ax=ax), "`x` must be finite"),
    "fits-line": (lambda ax: plot.plot_fits([0, 1], [0, 1], {"mse": 2.0}, ax=ax), r"`lines\['mse'\]` must be a pair"),
    "fits-mask-float": (
        lambda ax: plot.plot_fits([0, 1], [0, 1], {}, outlier_mask=torch.tensor([0.0, 1.0]), ax=ax),
        "`outlier_mask` must hold booleans",
    ),
    "history-empty-values": (lambda ax: plot.plot_history({"a": {"train_loss": []}}, ax=ax), "must not be empty"),
    "history-empty": (lambda ax: plot.plot_history({}, ax=ax), "`histories` must hold at least one entry"),
    "history-logy": (lambda ax: plot.plot_history({"a": {"train_loss": [1.0]}}, logy="no", ax=ax), "`logy`"),
    "boundary-3-columns": (
        lambda ax: plot.plot_decision_boundary(lambda Z: Z[:, 0], torch.zeros(4, 3), torch.zeros(4), ax=ax),
        r"`X` must have shape \(n_samples, 2\), got \(4, 3\)",
    ),
    "boundary-empty": (
        lambda ax: plot.plot_decision_boundary(lambda Z: Z[:, 0], torch.zeros(0, 2), torch.zeros(0), ax=ax),
        "`X` must not be empty",
    ),
    "boundary-scores": (
        lambda ax: plot.plot_decision_boundary(lambda Z: Z, *_blobs(), ax=ax),
        "`predict_fn` must return one score per row",
    ),
    "boundary-show-data": (
        lambda ax: plot.plot_decision_boundary(lambda Z: Z[:, 0], *_blobs(), show_data="False", ax=ax),
        "`show_data` must be True or False",
    ),
    "lr-range-empty": (
        lambda ax: plot.plot_lr_range(LRRangeTestResult([], [], [], diverged=True), ax=ax),
        "`result` must hold at least one measurement",
    ),
    "schedules-none": (lambda ax: plot.plot_schedules({"a": lambda t: None}, 3, ax=ax), "must return a finite"),
    "color-not-a-string": (lambda ax: plot.color(3), "`name` must be a string"),
}


@pytest.mark.parametrize("case", list(BAD_PLOTS))
def test_a_helper_refuses_data_it_cannot_draw_and_names_the_argument(case, ax):
    call, message = BAD_PLOTS[case]
    with pytest.raises(ValueError, match=message):
        call(ax)
