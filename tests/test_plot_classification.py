"""lib.plot (classification helpers): they draw on the given axes, in the fixed colours, where the data says."""

import numpy as np
import torch
from matplotlib.colors import to_hex

from lib import data, plot


def test_decision_boundary_of_a_linear_score_is_drawn_on_its_zero_line(ax):
    X, y = data.make_two_blobs(100, generator=torch.Generator().manual_seed(0))
    w = torch.tensor([1.0, -2.0])
    returned = plot.plot_decision_boundary(lambda Z: Z @ w - 0.5, X, y, ax=ax, label="hinge")
    assert returned is ax
    vertices = np.concatenate([p.vertices for c in ax.collections for p in getattr(c, "get_paths", list)()
                               if len(p.vertices) > 1 and c.get_label() != "class 0" and c.get_label() != "class 1"])
    assert np.abs(vertices @ w.numpy() - 0.5).max() < 0.05  # every drawn point satisfies w·x = 0.5
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["hinge", "class 0", "class 1"]
    assert to_hex(ax.get_lines()[0].get_color()) == plot.COLORS["hinge"]
    assert ax.get_xlabel() and ax.get_ylabel()


def test_reliability_diagram_plots_per_bin_accuracy_and_puts_the_ece_in_the_legend(ax):
    probs = torch.tensor([[0.95, 0.05], [0.85, 0.15], [0.3, 0.7], [0.4, 0.6]], dtype=torch.float64)
    labels = torch.tensor([0, 1, 1, 1])
    plot.plot_reliability_diagram(probs, labels, n_bins=5, ax=ax, label="cross_entropy")
    plot.plot_reliability_diagram(probs, labels, n_bins=5, ax=ax, label="focal")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"perfect calibration", "cross_entropy (ECE 0.375)", "focal (ECE 0.375)"}
    curve = lines["cross_entropy (ECE 0.375)"]
    assert np.allclose(curve.get_xdata(), [0.6, 0.7, 0.9]) and np.allclose(curve.get_ydata(), [1.0, 1.0, 0.5])
    assert to_hex(curve.get_color()) == plot.COLORS["cross_entropy"]
    assert to_hex(lines["focal (ECE 0.375)"].get_color()) == plot.COLORS["focal"]
