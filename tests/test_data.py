"""lib.data: generated data has the stated structure and repeats with the generator; diabetes is standardised."""

import pytest
import torch

from lib import data


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_linear_data_repeats_exactly_with_the_same_generator_seed():
    a = data.make_linear_data(100, generator=_gen(3), outlier_fraction=0.1)
    b = data.make_linear_data(100, generator=_gen(3), outlier_fraction=0.1)
    assert torch.equal(a.X, b.X) and torch.equal(a.y, b.y) and torch.equal(a.is_outlier, b.is_outlier)


@pytest.mark.parametrize("fraction,expected", [(0.0, 0), (0.05, 10), (0.2, 40)])
def test_linear_data_has_the_requested_number_of_outliers(fraction, expected):
    d = data.make_linear_data(200, generator=_gen(), outlier_fraction=fraction)
    assert int(d.is_outlier.sum()) == expected


def test_outliers_are_moved_up_by_between_half_and_one_and_a_half_shifts():
    d = data.make_linear_data(2000, generator=_gen(), outlier_fraction=0.2, outlier_shift=10.0, noise_std=0.0)
    excess = d.y - (d.X @ d.weight + d.bias)
    assert torch.allclose(excess[~d.is_outlier], torch.zeros(()), atol=1e-5)
    assert excess[d.is_outlier].min() >= 5.0 - 1e-4 and excess[d.is_outlier].max() <= 15.0 + 1e-4


def test_least_squares_recovers_the_true_line_without_outliers():
    d = data.make_linear_data(5000, generator=_gen(), n_features=3, noise_std=0.5, dtype=torch.float64)
    A = torch.cat([d.X, torch.ones(len(d.y), 1, dtype=torch.float64)], dim=1)
    solution = torch.linalg.lstsq(A, d.y.unsqueeze(1)).solution.squeeze(1)
    assert torch.allclose(solution[:3], d.weight, atol=0.05) and abs(solution[3].item() - d.bias) < 0.05


def test_heteroscedastic_data_has_the_stated_conditional_quantiles():
    X, y = data.make_heteroscedastic_data(200_000, generator=_gen(), dtype=torch.float64)
    x = X.squeeze(1)
    z90 = 1.2815515655446004  # the standard normal's 90 % quantile
    below = (y < 1 + 0.5 * x + (0.2 + 0.4 * x) * z90).double().mean().item()
    assert below == pytest.approx(0.9, abs=0.005)


def test_diabetes_split_is_standardised_with_training_statistics_and_fixed_by_seed():
    split = data.load_diabetes_split(seed=0)
    assert split.X_train.shape == (332, 10) and split.X_test.shape == (110, 10)  # round(0.25 * 442) = 110
    assert torch.allclose(split.X_train.mean(0), torch.zeros(10), atol=1e-5)
    assert torch.allclose(split.X_train.std(0), torch.ones(10), atol=1e-5)
    assert abs(split.y_train.mean().item()) < 1e-5
    again = data.load_diabetes_split(seed=0)
    assert torch.equal(split.X_test, again.X_test)
    assert not torch.equal(split.X_test, data.load_diabetes_split(seed=1).X_test)
    assert 140 < split.y_mean < 165 and 70 < split.y_std < 85  # disease progression, in its original units


@pytest.mark.parametrize("kwargs,argument", [
    ({"generator": None}, "generator"),
    ({"outlier_fraction": 1.5}, "outlier_fraction"),
    ({"noise_std": -1.0}, "noise_std"),
    ({"x_range": (1.0, -1.0)}, "x_range"),
    ({"weight": [1.0, 2.0]}, "weight"),
])
def test_make_linear_data_rejects_bad_arguments_by_name(kwargs, argument):
    kwargs = {"generator": _gen(), **kwargs}
    with pytest.raises(ValueError, match=f"`{argument}`"):
        data.make_linear_data(10, **kwargs)


def test_make_linear_data_rejects_a_non_positive_sample_count():
    with pytest.raises(ValueError, match="`n_samples`"):
        data.make_linear_data(0, generator=_gen())


def test_diabetes_split_rejects_a_test_fraction_outside_the_unit_interval():
    with pytest.raises(ValueError, match="`test_fraction`"):
        data.load_diabetes_split(test_fraction=1.0)


@pytest.mark.parametrize(
    ("test_fraction", "counts"),
    [(0.999, "0 training and 442 test rows"), (0.998, "1 training and 441 test rows"), (0.001, "442 training and 0")],
)
def test_diabetes_split_refuses_a_test_fraction_that_leaves_a_side_empty_and_says_how_many_rows_each_gets(
    test_fraction, counts
):
    message = f"`test_fraction` must leave at least 2 training rows and 1 test row.*{counts}"
    with pytest.raises(ValueError, match=message):
        data.load_diabetes_split(test_fraction=test_fraction)


def test_diabetes_split_keeps_the_smallest_splits_that_are_allowed_finite():
    for test_fraction in (0.995, 0.002):  # 2 training rows and 440 test rows; 441 and 1
        split = data.load_diabetes_split(test_fraction=test_fraction)
        assert torch.isfinite(split.X_train).all() and torch.isfinite(split.X_test).all()


@pytest.mark.parametrize("seed", [-1, 0.5, True, "0", 2**64])
def test_diabetes_split_refuses_a_seed_that_is_not_a_non_negative_int(seed):
    with pytest.raises(ValueError, match="`seed` must be a non-negative int"):
        data.load_diabetes_split(seed=seed)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.complex64, "float32", float])
def test_every_dataset_refuses_a_dtype_that_is_not_floating_point(dtype):
    calls = [
        lambda: data.load_diabetes_split(dtype=dtype),
        lambda: data.make_linear_data(10, generator=_gen(), dtype=dtype),
        lambda: data.make_heteroscedastic_data(10, generator=_gen(), dtype=dtype),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="`dtype` must be a floating-point torch.dtype"):
            call()
