"""Datasets: generated ones with an explicit generator, and scikit-learn's bundled ones. Nothing downloads."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from lib._validate import check_number


@dataclass(frozen=True)
class LinearData:
    """Samples of ``y = X @ weight + bias + noise``, some of whose targets were made outliers."""

    X: torch.Tensor  # (n_samples, n_features)
    y: torch.Tensor  # (n_samples,)
    weight: torch.Tensor  # (n_features,), the true weights
    bias: float  # the true intercept
    is_outlier: torch.Tensor  # (n_samples,) bool


def _check_generator(generator) -> None:
    if not isinstance(generator, torch.Generator):
        raise ValueError(
            f"`generator` must be a torch.Generator (e.g. torch.Generator().manual_seed(0)), got {generator!r}"
        )


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}")
    return value


def make_linear_data(
    n_samples: int = 200,
    *,
    generator: torch.Generator,
    n_features: int = 1,
    weight=None,
    bias: float = 1.0,
    noise_std: float = 0.5,
    outlier_fraction: float = 0.0,
    outlier_shift: float = 10.0,
    x_range: tuple[float, float] = (-3.0, 3.0),
    dtype: torch.dtype = torch.float32,
) -> LinearData:
    """Linear data with Gaussian noise and a chosen fraction of gross outliers.

    ``X`` is uniform on ``x_range`` in every feature; ``y = X @ weight + bias + noise_std * N(0, 1)``. Then
    ``round(outlier_fraction * n_samples)`` targets, chosen at random, are moved *up* by
    ``outlier_shift * U(0.5, 1.5)`` — one-sided gross errors, like a sensor that sometimes saturates. The true
    ``weight`` defaults to ``[2.0, -1.0, 0.5, ...]`` (first ``n_features`` of that pattern).
    """
    _check_generator(generator)
    n_samples, n_features = _check_count("n_samples", n_samples), _check_count("n_features", n_features)
    noise_std = check_number("noise_std", noise_std, low=0)
    outlier_fraction = check_number("outlier_fraction", outlier_fraction, low=0, high=1)
    outlier_shift = check_number("outlier_shift", outlier_shift)
    low, high = (check_number("x_range[0]", x_range[0]), check_number("x_range[1]", x_range[1]))
    if not low < high:
        raise ValueError(f"`x_range` must be (low, high) with low < high, got {x_range!r}")
    if weight is None:
        weight = torch.tensor([2.0, -1.0, 0.5] * n_features, dtype=dtype)[:n_features]
    weight = torch.as_tensor(weight, dtype=dtype).reshape(-1)
    if weight.numel() != n_features:
        raise ValueError(f"`weight` must have n_features={n_features} entries, got {weight.numel()}")
    X = low + (high - low) * torch.rand(n_samples, n_features, generator=generator, dtype=dtype)
    y = X @ weight + bias + noise_std * torch.randn(n_samples, generator=generator, dtype=dtype)
    n_outliers = round(outlier_fraction * n_samples)
    is_outlier = torch.zeros(n_samples, dtype=torch.bool)
    is_outlier[torch.randperm(n_samples, generator=generator)[:n_outliers]] = True
    shift = outlier_shift * (0.5 + torch.rand(n_outliers, generator=generator, dtype=dtype))
    y[is_outlier] += shift
    return LinearData(X, y, weight, float(bias), is_outlier)


def make_heteroscedastic_data(
    n_samples: int = 500, *, generator: torch.Generator, dtype: torch.dtype = torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""1-D data whose noise grows with x: :math:`y = 1 + 0.5x + (0.2 + 0.4x)\,\varepsilon`, x ~ U(0, 4),
    ε ~ N(0, 1). Every conditional quantile is linear in x: :math:`Q_q(y\mid x) = 1 + 0.5x + (0.2 + 0.4x)z_q`.
    Returns ``X`` of shape (n_samples, 1) and ``y`` of shape (n_samples,)."""
    _check_generator(generator)
    n_samples = _check_count("n_samples", n_samples)
    x = 4.0 * torch.rand(n_samples, generator=generator, dtype=dtype)
    y = 1.0 + 0.5 * x + (0.2 + 0.4 * x) * torch.randn(n_samples, generator=generator, dtype=dtype)
    return x.unsqueeze(1), y


@dataclass(frozen=True)
class Split:
    """A standardised train/test split; ``y_mean`` and ``y_std`` turn standardised targets back into units."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    y_mean: float
    y_std: float
    feature_names: tuple[str, ...]


def load_diabetes_split(
    *, test_fraction: float = 0.25, seed: int = 0, dtype: torch.dtype = torch.float32
) -> Split:
    """scikit-learn's bundled diabetes data (442 patients, 10 features, disease progression after one year),
    split at random with ``seed``, features and target standardised with the *training* mean and std."""
    from sklearn.datasets import load_diabetes

    test_fraction = check_number("test_fraction", test_fraction, low=0, high=1, low_open=True, high_open=True)
    bunch = load_diabetes(scaled=False)
    X = torch.as_tensor(bunch.data, dtype=torch.float64)
    y = torch.as_tensor(bunch.target, dtype=torch.float64)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n_test = round(test_fraction * len(y))
    test, train = order[:n_test], order[n_test:]
    x_mean, x_std = X[train].mean(0), X[train].std(0)
    y_mean, y_std = y[train].mean(), y[train].std()

    def standardise(rows):
        return ((X[rows] - x_mean) / x_std).to(dtype), ((y[rows] - y_mean) / y_std).to(dtype)

    X_train, y_train = standardise(train)
    X_test, y_test = standardise(test)
    return Split(X_train, y_train, X_test, y_test, float(y_mean), float(y_std), tuple(bunch.feature_names))
