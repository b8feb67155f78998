"""lib.data: generated data has the stated structure and repeats with the generator; diabetes is standardised;
the classification splits, generated datasets and class subsampling; bad input."""

import pytest
import torch
from torch.testing import assert_close

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


@pytest.mark.parametrize("dtype", [torch.int64, torch.uint8, torch.bool, torch.complex64, "float32", float])
@pytest.mark.parametrize("make", [
    lambda dtype: data.load_diabetes_split(dtype=dtype),
    lambda dtype: data.make_linear_data(10, generator=_gen(), dtype=dtype),
    lambda dtype: data.make_heteroscedastic_data(10, generator=_gen(), dtype=dtype),
    lambda dtype: data.load_digits_split(dtype=dtype),
    lambda dtype: data.make_two_blobs(10, generator=_gen(), dtype=dtype),
    lambda dtype: data.make_imbalanced_classification(100, generator=_gen(), dtype=dtype),
], ids=["diabetes", "linear", "heteroscedastic", "digits", "two_blobs", "imbalanced"])
def test_every_dataset_refuses_a_dtype_that_would_truncate_the_features(make, dtype):
    with pytest.raises(ValueError, match="`dtype` must be a floating-point torch.dtype"):
        make(dtype)


# ----- classification ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return data.load_digits_split()


@pytest.mark.parametrize("loader,n,n_features,n_classes", [(data.load_digits_split, 1797, 64, 10),
                                                         (data.load_breast_cancer_split, 569, 30, 2)])
def test_bundled_split_has_the_documented_sizes_dtypes_and_stratified_proportions(loader, n, n_features, n_classes):
    split = loader(test_fraction=0.25, seed=0)
    assert split.X_train.shape[1] == split.X_test.shape[1] == len(split.feature_names) == n_features
    assert len(split.y_train) + len(split.y_test) == n and len(split.target_names) == n_classes
    assert split.X_train.dtype == torch.float32 and split.y_train.dtype == split.y_test.dtype == torch.int64
    totals = torch.bincount(torch.cat([split.y_train, split.y_test]), minlength=n_classes)
    test_counts = torch.bincount(split.y_test, minlength=n_classes)
    assert test_counts.tolist() == [round(0.25 * int(t)) for t in totals]  # every class split 75/25


def test_digits_are_standardised_with_training_statistics(digits):
    X = digits.X_train.double()
    varying = X.std(0) > 0
    assert_close(X.mean(0), torch.zeros(64, dtype=torch.float64), atol=1e-6, rtol=0)
    assert_close(X.std(0)[varying], torch.ones(int(varying.sum()), dtype=torch.float64), atol=1e-6, rtol=0)
    assert (~varying).any() and (X[:, ~varying] == 0).all()  # blank pixels stay 0 instead of nan
    assert torch.isfinite(digits.X_test).all() and digits.X_test.mean().abs() > 1e-4  # test set not re-centred


def test_breast_cancer_keeps_scikit_learn_label_encoding():
    split = data.load_breast_cancer_split(dtype=torch.float64)
    assert split.target_names == ("malignant", "benign") and split.X_train.dtype == torch.float64
    assert int((torch.cat([split.y_train, split.y_test]) == 0).sum()) == 212


def test_split_repeats_with_a_seed_and_changes_with_another(digits):
    again, other = data.load_digits_split(seed=0), data.load_digits_split(seed=1)
    assert torch.equal(again.X_train, digits.X_train) and torch.equal(again.y_test, digits.y_test)
    assert not torch.equal(other.y_train, digits.y_train)


def test_two_blobs_are_balanced_with_the_documented_centres():
    X, y = data.make_two_blobs(4000, generator=_gen(), distance=4.0, std=0.5)
    assert X.shape == (4000, 2) and y.dtype == torch.int64 and int(y.sum()) == 2000
    u = torch.tensor([1.0, 1.0]) / 2**0.5
    assert_close(X[y == 1].mean(0), 2.0 * u, atol=0.05, rtol=0)
    assert_close(X[y == 0].mean(0), -2.0 * u, atol=0.05, rtol=0)
    assert_close(X[y == 1].std(0), torch.full((2,), 0.5), atol=0.05, rtol=0)
    assert ((X @ u > 0).long() == y).float().mean() > 0.99  # the Bayes boundary u·x = 0 separates them


def test_two_blobs_repeat_with_the_same_generator_seed():
    first, second = data.make_two_blobs(50, generator=_gen(3)), data.make_two_blobs(50, generator=_gen(3))
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


@pytest.mark.parametrize("n_samples,positive_fraction,expected", [(10_000, 0.01, 100), (5000, 0.001, 5),
                                                                  (100, 0.001, 1)])
def test_imbalanced_classification_has_exactly_the_requested_positives(n_samples, positive_fraction, expected):
    X, y = data.make_imbalanced_classification(n_samples, positive_fraction=positive_fraction, generator=_gen())
    assert X.shape == (n_samples, 2) and y.dtype == torch.int64 and int(y.sum()) == expected


def test_imbalanced_classification_follows_the_documented_generative_process():
    X, y = data.make_imbalanced_classification(20_000, positive_fraction=0.05, n_features=4, separation=3.0,
                                               generator=_gen(1), dtype=torch.float64)
    u = torch.full((4,), 0.5, dtype=torch.float64)
    assert_close(X[y == 0].mean(0), torch.zeros(4, dtype=torch.float64), atol=0.05, rtol=0)
    assert_close(X[y == 1].mean(0), 3.0 * u, atol=0.1, rtol=0)
    log_odds = 3.0 * X @ u - 4.5 + torch.log(torch.tensor(0.05 / 0.95, dtype=torch.float64))
    posterior = torch.sigmoid(log_odds)  # the documented Bayes posterior is calibrated: mean equals base rate
    assert abs(float(posterior.mean()) - 0.05) < 0.005


def test_positives_are_spread_through_the_rows_not_sorted():
    _, y = data.make_imbalanced_classification(1000, positive_fraction=0.1, generator=_gen())
    assert y[:500].sum() > 20 and y[500:].sum() > 20


def test_subsample_classes_keeps_the_requested_fraction_and_every_other_row_in_order(digits):
    X, y = digits.X_train, digits.y_train
    X_small, y_small = data.subsample_classes(X, y, {3: 0.05, 8: 0.1}, generator=_gen())
    before, after = torch.bincount(y, minlength=10), torch.bincount(y_small, minlength=10)
    assert after[3] == max(1, round(0.05 * int(before[3]))) and after[8] == max(1, round(0.1 * int(before[8])))
    others = (y != 3) & (y != 8)
    assert torch.equal(X_small[(y_small != 3) & (y_small != 8)], X[others])


def test_subsample_classes_keeps_at_least_one_row_of_a_class():
    y = torch.tensor([0, 0, 0, 1, 1])
    _, y_small = data.subsample_classes(torch.zeros(5, 2), y, {1: 0.01}, generator=_gen())
    assert y_small.tolist() == [0, 0, 0, 1]


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------


@pytest.mark.parametrize("make", [data.make_two_blobs, data.make_imbalanced_classification])
def test_a_seed_instead_of_a_generator_is_rejected(make):
    with pytest.raises(ValueError, match="`generator` must be a torch.Generator"):
        make(100, generator=0)


@pytest.mark.parametrize("positive_fraction", [0.0, 1.0, 1.5, -0.01])
def test_a_positive_fraction_outside_the_open_unit_interval_is_rejected(positive_fraction):
    with pytest.raises(ValueError, match="`positive_fraction` must be in"):
        data.make_imbalanced_classification(100, positive_fraction=positive_fraction, generator=_gen())


@pytest.mark.parametrize("loader", [data.load_digits_split, data.load_breast_cancer_split])
@pytest.mark.parametrize("test_fraction", [0.0, 1.0])
def test_a_test_fraction_outside_the_open_unit_interval_is_rejected(loader, test_fraction):
    with pytest.raises(ValueError, match="`test_fraction` must be in"):
        loader(test_fraction=test_fraction)


def test_a_non_int_seed_is_rejected():
    with pytest.raises(ValueError, match="`seed` must be a non-negative int"):
        data.load_breast_cancer_split(seed=0.5)


@pytest.mark.parametrize("kwargs,name", [({"distance": -1.0}, "distance"), ({"std": 0.0}, "std"),
                                         ({"n_samples": 0}, "n_samples")])
def test_two_blobs_rejects_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}` must be"):
        data.make_two_blobs(**{"n_samples": 10, **kwargs}, generator=_gen())


def test_subsample_classes_rejects_a_class_that_does_not_occur():
    with pytest.raises(ValueError, match="`fractions` names class 5"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1, 1]), {5: 0.5}, generator=_gen())


@pytest.mark.parametrize("fraction", [0.0, 1.5])
def test_subsample_classes_rejects_a_fraction_outside_zero_to_one(fraction):
    with pytest.raises(ValueError, match=r"`fractions\[1\]` must be in"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1, 1]), {1: fraction}, generator=_gen())


def test_subsample_classes_rejects_labels_that_do_not_match_the_rows():
    with pytest.raises(ValueError, match="`y` must be a vector with one label per row of `X`"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1]), {1: 0.5}, generator=_gen())


@pytest.mark.parametrize("loader", [data.load_digits_split, data.load_breast_cancer_split])
@pytest.mark.parametrize("test_fraction", [0.999, 0.001])
def test_a_test_fraction_that_empties_a_side_of_some_class_is_refused_with_the_row_counts(loader, test_fraction):
    message = r"`test_fraction` must leave .* rows of class \d+ into \d+ training and \d+ test"
    with pytest.raises(ValueError, match=message):
        loader(test_fraction=test_fraction)


@pytest.mark.parametrize("seed", [-1, True, 2**64])
def test_a_negative_bool_or_too_large_seed_is_rejected(seed):
    with pytest.raises(ValueError, match="`seed` must be a non-negative int"):
        data.load_breast_cancer_split(seed=seed)
