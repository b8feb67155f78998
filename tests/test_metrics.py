"""lib.metrics: ECE by hand on tiny examples, sanity cases, a plain-Python twin, and bad input."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from lib import metrics


def _ece_by_loops(probs, labels, n_bins):
    """Top-label ECE with plain Python loops; bins (lo, hi], the first one also holds 0."""
    bins = [[] for _ in range(n_bins)]
    for row, label in zip(probs, labels):
        confidence = max(row)
        predicted = row.index(confidence)
        b = next(i for i in range(n_bins) if confidence <= (i + 1) / n_bins)
        bins[b].append((confidence, predicted == label))
    total = 0.0
    for members in bins:
        if members:
            conf = sum(c for c, _ in members) / len(members)
            acc = sum(ok for _, ok in members) / len(members)
            total += len(members) / len(probs) * abs(acc - conf)
    return total


def test_ece_of_a_tiny_multiclass_example_computed_by_hand():
    probs = [[0.9, 0.05, 0.05], [0.7, 0.2, 0.1], [0.1, 0.65, 0.25], [0.3, 0.3, 0.4]]
    labels = [0, 1, 1, 2]
    # n_bins = 5 → bins (0.2,0.4]: {0.4 right}; (0.6,0.8]: {0.7 wrong, 0.65 right}; (0.8,1]: {0.9 right}
    expected = 1 / 4 * abs(1 - 0.4) + 2 / 4 * abs(0.5 - 0.675) + 1 / 4 * abs(1 - 0.9)
    assert metrics.expected_calibration_error(probs, labels, n_bins=5) == pytest.approx(expected)


def test_reliability_data_of_the_tiny_example_computed_by_hand():
    probs = torch.tensor([[0.9, 0.05, 0.05], [0.7, 0.2, 0.1], [0.1, 0.65, 0.25], [0.3, 0.3, 0.4]], dtype=torch.float64)
    data = metrics.reliability_diagram_data(probs, torch.tensor([0, 1, 1, 2]), n_bins=5)
    assert data.counts.tolist() == [0, 1, 0, 2, 1]
    assert_close(data.bin_edges, torch.linspace(0, 1, 6, dtype=torch.float64))
    assert_close(data.accuracy, torch.tensor([math.nan, 1.0, math.nan, 0.5, 1.0], dtype=torch.float64), equal_nan=True)
    expected_confidence = torch.tensor([math.nan, 0.4, math.nan, 0.675, 0.9], dtype=torch.float64)
    assert_close(data.confidence, expected_confidence, equal_nan=True)


def test_binary_probabilities_are_read_as_top_label_of_two_columns():
    p = np.array([0.9, 0.2, 0.65, 0.5])  # top-label confidences 0.9, 0.8, 0.65, 0.5 (tie → class 0)
    labels = np.array([1, 0, 0, 0])  # right, right, wrong, right
    two_columns = np.stack([1 - p, p], axis=1)
    expected = _ece_by_loops(two_columns.tolist(), labels.tolist(), 10)
    assert metrics.expected_calibration_error(p, labels, n_bins=10) == pytest.approx(expected)
    assert metrics.expected_calibration_error(two_columns, labels, n_bins=10) == pytest.approx(expected)


def test_a_perfectly_calibrated_model_has_zero_ece():
    # confidence 0.7 on 10 samples, 7 right; confidence 0.9 on 10 samples, 9 right
    p = torch.tensor([0.7] * 10 + [0.9] * 10, dtype=torch.float64)
    labels = torch.tensor([1] * 7 + [0] * 3 + [1] * 9 + [0])
    assert metrics.expected_calibration_error(p, labels) == pytest.approx(0.0, abs=1e-12)


def test_an_always_certain_model_that_is_right_70_percent_of_the_time_has_ece_0_3():
    probs = torch.zeros(10, 4, dtype=torch.float64)
    probs[:, 2] = 1.0
    labels = torch.tensor([2] * 7 + [0, 1, 3])
    assert metrics.expected_calibration_error(probs, labels) == pytest.approx(0.3)


def test_overconfidence_raises_ece():
    g = torch.Generator().manual_seed(0)
    p_true = torch.rand(4000, generator=g, dtype=torch.float64)
    labels = (torch.rand(4000, generator=g, dtype=torch.float64) < p_true).long()  # p_true is calibrated
    sharpened = torch.sigmoid(3 * torch.logit(p_true))  # same ranking, overconfident
    calibrated = metrics.expected_calibration_error(p_true, labels, n_bins=10)
    overconfident = metrics.expected_calibration_error(sharpened, labels, n_bins=10)
    assert calibrated < 0.03 < 0.1 < overconfident


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 20), st.integers(2, 4), st.integers(1, 15), st.data())
def test_ece_equals_a_plain_python_twin(n, n_classes, n_bins, data):
    raw = data.draw(st.lists(st.lists(st.integers(1, 9), min_size=n_classes, max_size=n_classes), min_size=n,
                             max_size=n))
    probs = [[v / sum(row) for v in row] for row in raw]
    labels = data.draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
    ece = metrics.expected_calibration_error(probs, labels, n_bins=n_bins)
    assert 0.0 <= ece <= 1.0
    # away from bin edges the twins must agree; on an edge both put the value in the lower bin
    assert ece == pytest.approx(_ece_by_loops(probs, labels, n_bins), abs=1e-9)


@pytest.mark.parametrize(("n_bins", "k"), [(3, 2), (14, 12), (15, 11), (28, 24)])
def test_a_confidence_exactly_on_a_bin_edge_goes_to_the_lower_bin(n_bins, k):
    confidence = k / n_bins  # an edge that torch.linspace(0, 1, n_bins + 1) rounds to a neighbouring float
    probs = [[confidence, 1 - confidence]]
    data = metrics.reliability_diagram_data(probs, [0], n_bins=n_bins)
    assert data.counts[k - 1] == 1 and data.counts.sum() == 1
    assert metrics.expected_calibration_error(probs, [0], n_bins=n_bins) == pytest.approx(
        _ece_by_loops(probs, [0], n_bins), abs=1e-12)


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------


def test_logits_instead_of_probabilities_are_rejected():
    with pytest.raises(ValueError, match="`probs` must hold probabilities in"):
        metrics.expected_calibration_error(torch.tensor([[2.0, -1.0]]), torch.tensor([0]))


def test_rows_that_do_not_sum_to_one_are_rejected():
    with pytest.raises(ValueError, match="`probs` rows must sum to 1"):
        metrics.expected_calibration_error(torch.tensor([[0.5, 0.4]]), torch.tensor([0]))


@pytest.mark.parametrize("labels", [torch.tensor([0, 1, 2]), torch.tensor([[0], [1]])])
def test_labels_of_the_wrong_shape_are_rejected(labels):
    with pytest.raises(ValueError, match=r"`labels` must have shape \(2,\)"):
        metrics.expected_calibration_error(torch.full((2, 2), 0.5), labels)


def test_floating_labels_are_rejected():
    with pytest.raises(ValueError, match="`labels` must hold integer class indices"):
        metrics.expected_calibration_error(torch.full((2, 2), 0.5), torch.tensor([0.0, 1.0]))


def test_labels_out_of_range_are_rejected():
    with pytest.raises(ValueError, match=r"`labels` must hold class indices in \[0, 1\]"):
        metrics.expected_calibration_error(torch.full((2, 2), 0.5), torch.tensor([0, 2]))


def test_a_3d_probs_is_rejected():
    with pytest.raises(ValueError, match="`probs` must have shape"):
        metrics.expected_calibration_error(torch.full((2, 2, 2), 0.5), torch.tensor([0, 1]))


@pytest.mark.parametrize("n_bins", [0, -3, 2.5, True])
def test_n_bins_that_is_not_a_positive_int_is_rejected(n_bins):
    with pytest.raises(ValueError, match="`n_bins` must be a positive int"):
        metrics.reliability_diagram_data(torch.full((2, 2), 0.5), torch.tensor([0, 1]), n_bins=n_bins)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_softmax_probabilities_are_accepted(dtype):
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(200, 10, generator=g).to(dtype) * 3, 1)
    labels = torch.randint(0, 10, (200,), generator=g)
    assert ((probs.double().sum(1) - 1).abs() > 1e-4).any()  # what a fixed 1e-4 tolerance rejected
    ece = metrics.expected_calibration_error(probs, labels)
    assert ece == pytest.approx(metrics.expected_calibration_error(probs.double() / probs.double().sum(1, True),
                                                                   labels), abs=1e-2)


@pytest.mark.parametrize(("probs", "labels", "named"), [("abc", [0], "`probs` must be a tensor"),
                                                        ([[0.5, 0.5]], ["a"], "`labels` must be a tensor")])
def test_values_that_are_not_numbers_are_rejected_naming_the_argument(probs, labels, named):
    with pytest.raises(ValueError, match=named):
        metrics.expected_calibration_error(probs, labels)
