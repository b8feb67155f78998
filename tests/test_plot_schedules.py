"""lib.plot.plot_schedules and plot_lr_range: they draw what they are given, in the fixed colours, on labelled axes
with a legend, and mark the range test's minimum and suggested learning rate."""

import numpy as np
import pytest
from matplotlib.colors import to_hex

from lib import plot, schedules
from lib.train import LRRangeTestResult


def test_plot_schedules_draws_each_schedule_over_the_steps_in_its_colour(ax):
    curves = {
        "cosine": schedules.cosine(lr=0.1, total_steps=50),
        "one_cycle": schedules.one_cycle(max_lr=0.1, total_steps=50),
    }
    assert plot.plot_schedules(curves, 50, ax=ax, logy=True) is ax
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["cosine"].get_ydata(), [curves["cosine"](t) for t in range(50)])
    assert to_hex(lines["one_cycle"].get_color()) == plot.color("one_cycle")
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() == "learning rate"
    assert ax.get_legend() is not None


def test_every_schedule_has_its_own_colour():
    names = [
        "constant",
        "step_decay",
        "exponential",
        "inverse_time",
        "linear_warmup",
        "cosine",
        "cosine_warm_restarts",
        "warmup_cosine",
        "one_cycle",
    ]
    assert [factory.__name__ for factory in schedules.FACTORIES] == names
    assert len({plot.color(name) for name in names}) == len(names)


def test_plot_schedules_takes_a_function_of_your_own_beside_a_schedule(ax):
    plot.plot_schedules({"cosine": schedules.cosine(lr=0.1, total_steps=9), "half": lambda t: 0.05}, 10, ax=ax)
    assert [list(line.get_ydata()) for line in ax.get_lines()][1] == [0.05] * 10


def test_plot_schedules_refuses_a_factory_that_was_not_called(ax):
    with pytest.raises(ValueError, match=r"`schedules\['cosine'\]` must be a schedule.*schedules.cosine\(lr=0.1"):
        plot.plot_schedules({"cosine": schedules.cosine}, 10, ax=ax)


def test_plot_schedules_rejects_a_bad_step_count(ax):
    with pytest.raises(ValueError, match="`num_steps`"):
        plot.plot_schedules({"cosine": lambda t: 0.1}, 0, ax=ax)


def test_plot_lr_range_marks_the_minimum_and_the_suggestion_on_a_log_axis(ax):
    lrs = [10.0**k for k in range(-5, 1)]
    result = LRRangeTestResult(lrs, [5.0, 4.9, 3.0, 1.0, 0.9, 2.0], [5.0, 4.8, 2.0, 1.1, 0.8, 40.0], diverged=True)
    assert plot.plot_lr_range(result, ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert "minimum at lr = 0.1" in labels and "suggested lr = 0.01" in labels
    assert ax.get_xscale() == "log" and ax.get_ylim()[1] == pytest.approx(10.0 * 1.05)  # capped at 2x the start
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
