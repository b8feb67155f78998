"""lib.data (classification part): bundled splits, generated datasets, class subsampling, bad input."""

import pytest
import torch
from torch.testing import assert_close

from lib import data


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


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
    X, y = data.make_two_blobs(4000, generator=_g(), distance=4.0, std=0.5)
    assert X.shape == (4000, 2) and y.dtype == torch.int64 and int(y.sum()) == 2000
    u = torch.tensor([1.0, 1.0]) / 2**0.5
    assert_close(X[y == 1].mean(0), 2.0 * u, atol=0.05, rtol=0)
    assert_close(X[y == 0].mean(0), -2.0 * u, atol=0.05, rtol=0)
    assert_close(X[y == 1].std(0), torch.full((2,), 0.5), atol=0.05, rtol=0)
    assert ((X @ u > 0).long() == y).float().mean() > 0.99  # the Bayes boundary u·x = 0 separates them


def test_two_blobs_repeat_with_the_same_generator_seed():
    first, second = data.make_two_blobs(50, generator=_g(3)), data.make_two_blobs(50, generator=_g(3))
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


@pytest.mark.parametrize("n_samples,positive_fraction,expected", [(10_000, 0.01, 100), (5000, 0.001, 5),
                                                                  (100, 0.001, 1)])
def test_imbalanced_classification_has_exactly_the_requested_positives(n_samples, positive_fraction, expected):
    X, y = data.make_imbalanced_classification(n_samples, positive_fraction=positive_fraction, generator=_g())
    assert X.shape == (n_samples, 2) and y.dtype == torch.int64 and int(y.sum()) == expected


def test_imbalanced_classification_follows_the_documented_generative_process():
    X, y = data.make_imbalanced_classification(20_000, positive_fraction=0.05, n_features=4, separation=3.0,
                                               generator=_g(1), dtype=torch.float64)
    u = torch.full((4,), 0.5, dtype=torch.float64)
    assert_close(X[y == 0].mean(0), torch.zeros(4, dtype=torch.float64), atol=0.05, rtol=0)
    assert_close(X[y == 1].mean(0), 3.0 * u, atol=0.1, rtol=0)
    log_odds = 3.0 * X @ u - 4.5 + torch.log(torch.tensor(0.05 / 0.95, dtype=torch.float64))
    posterior = torch.sigmoid(log_odds)  # the documented Bayes posterior is calibrated: mean equals base rate
    assert abs(float(posterior.mean()) - 0.05) < 0.005


def test_positives_are_spread_through_the_rows_not_sorted():
    _, y = data.make_imbalanced_classification(1000, positive_fraction=0.1, generator=_g())
    assert y[:500].sum() > 20 and y[500:].sum() > 20


def test_subsample_classes_keeps_the_requested_fraction_and_every_other_row_in_order(digits):
    X, y = digits.X_train, digits.y_train
    X_small, y_small = data.subsample_classes(X, y, {3: 0.05, 8: 0.1}, generator=_g())
    before, after = torch.bincount(y, minlength=10), torch.bincount(y_small, minlength=10)
    assert after[3] == max(1, round(0.05 * int(before[3]))) and after[8] == max(1, round(0.1 * int(before[8])))
    others = (y != 3) & (y != 8)
    assert torch.equal(X_small[(y_small != 3) & (y_small != 8)], X[others])


def test_subsample_classes_keeps_at_least_one_row_of_a_class():
    y = torch.tensor([0, 0, 0, 1, 1])
    _, y_small = data.subsample_classes(torch.zeros(5, 2), y, {1: 0.01}, generator=_g())
    assert y_small.tolist() == [0, 0, 0, 1]


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------


@pytest.mark.parametrize("make", [data.make_two_blobs, data.make_imbalanced_classification])
def test_a_seed_instead_of_a_generator_is_rejected(make):
    with pytest.raises(ValueError, match="`generator` must be a torch.Generator"):
        make(100, generator=0)


@pytest.mark.parametrize("positive_fraction", [0.0, 1.0, 1.5, -0.01])
def test_a_positive_fraction_outside_the_open_unit_interval_is_rejected(positive_fraction):
    with pytest.raises(ValueError, match="`positive_fraction` must be in"):
        data.make_imbalanced_classification(100, positive_fraction=positive_fraction, generator=_g())


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
        data.make_two_blobs(**{"n_samples": 10, **kwargs}, generator=_g())


def test_subsample_classes_rejects_a_class_that_does_not_occur():
    with pytest.raises(ValueError, match="`fractions` names class 5"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1, 1]), {5: 0.5}, generator=_g())


@pytest.mark.parametrize("fraction", [0.0, 1.5])
def test_subsample_classes_rejects_a_fraction_outside_zero_to_one(fraction):
    with pytest.raises(ValueError, match=r"`fractions\[1\]` must be in"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1, 1]), {1: fraction}, generator=_g())


def test_subsample_classes_rejects_labels_that_do_not_match_the_rows():
    with pytest.raises(ValueError, match="`y` must be a vector with one label per row of `X`"):
        data.subsample_classes(torch.zeros(3, 2), torch.tensor([0, 1]), {1: 0.5}, generator=_g())


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


@pytest.mark.parametrize("dtype", [torch.int64, torch.uint8, "float32"])
def test_a_dtype_that_would_truncate_the_features_is_refused(dtype):
    calls = [
        lambda: data.load_digits_split(dtype=dtype),
        lambda: data.make_two_blobs(10, generator=_g(), dtype=dtype),
        lambda: data.make_imbalanced_classification(100, generator=_g(), dtype=dtype),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="`dtype` must be a floating-point torch.dtype"):
            call()
