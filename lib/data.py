"""Datasets: generated ones with an explicit generator, and scikit-learn's bundled ones. Nothing downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from lib._validate import check_dtype_floating, check_int, check_number, check_seed, check_tensor, is_int


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


def _as_weight(weight, n_features: int, dtype: torch.dtype) -> torch.Tensor:
    try:
        weight = torch.as_tensor(weight, dtype=dtype).reshape(-1)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"`weight` must be {n_features} real numbers (a tensor or a list), got {weight!r}") from error
    if weight.numel() != n_features:
        raise ValueError(f"`weight` must have n_features={n_features} entries, got {weight.numel()}")
    if not torch.isfinite(weight).all():
        raise ValueError(f"`weight` must be finite, got {weight.tolist()}")
    return weight


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
    n_samples, n_features = check_int("n_samples", n_samples, low=1), check_int("n_features", n_features, low=1)
    check_number("bias", bias)
    noise_std = check_number("noise_std", noise_std, low=0)
    outlier_fraction = check_number("outlier_fraction", outlier_fraction, low=0, high=1)
    outlier_shift = check_number("outlier_shift", outlier_shift)
    check_dtype_floating("dtype", dtype)
    if not isinstance(x_range, Sequence) or isinstance(x_range, str) or len(x_range) != 2:
        raise ValueError(f"`x_range` must be a pair (low, high), got {x_range!r}")
    low, high = (check_number("x_range[0]", x_range[0]), check_number("x_range[1]", x_range[1]))
    if not low < high:
        raise ValueError(f"`x_range` must be (low, high) with low < high, got {x_range!r}")
    if weight is None:
        weight = torch.tensor([2.0, -1.0, 0.5] * n_features, dtype=dtype)[:n_features]
    weight = _as_weight(weight, n_features, dtype)
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
    n_samples = check_int("n_samples", n_samples, low=1)
    check_dtype_floating("dtype", dtype)
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


def _check_split_sizes(test_fraction: float, n_train: int, n_test: int, rows: str) -> None:
    """Raise unless a split leaves at least 2 training rows (their std standardises the data) and 1 test row."""
    if n_train < 2 or n_test < 1:
        raise ValueError(
            f"`test_fraction` must leave at least 2 training rows and 1 test row, got {test_fraction}, which splits "
            f"{rows} into {n_train} training and {n_test} test rows"
        )


def load_diabetes_split(
    *, test_fraction: float = 0.25, seed: int = 0, dtype: torch.dtype = torch.float32
) -> Split:
    """scikit-learn's bundled diabetes data (442 patients, 10 features, disease progression after one year),
    split at random with ``seed``, features and target standardised with the *training* mean and std."""
    from sklearn.datasets import load_diabetes

    test_fraction = check_number("test_fraction", test_fraction, low=0, high=1, low_open=True, high_open=True)
    seed = check_seed("seed", seed)
    check_dtype_floating("dtype", dtype)
    bunch = load_diabetes(scaled=False)
    X = torch.as_tensor(bunch.data, dtype=torch.float64)
    y = torch.as_tensor(bunch.target, dtype=torch.float64)
    n_test = round(test_fraction * len(y))
    _check_split_sizes(test_fraction, len(y) - n_test, n_test, f"the {len(y)} rows")
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    test, train = order[:n_test], order[n_test:]
    x_mean, x_std = X[train].mean(0), X[train].std(0)
    y_mean, y_std = y[train].mean(), y[train].std()

    def standardise(rows):
        return ((X[rows] - x_mean) / x_std).to(dtype), ((y[rows] - y_mean) / y_std).to(dtype)

    X_train, y_train = standardise(train)
    X_test, y_test = standardise(test)
    return Split(X_train, y_train, X_test, y_test, float(y_mean), float(y_std), tuple(bunch.feature_names))


# ----- classification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationSplit:
    """A train/test split for classification: features standardised with the *training* mean and std, labels
    int64 class indices; ``target_names[k]`` names class ``k``."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]


def _stratified_split(y: torch.Tensor, test_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Row indices (train, test), each shuffled: ``round(test_fraction * n_k)`` rows of every class k go to test,
    so both parts keep the class proportions (it matters when a class is rare)."""
    for k, count in zip(*torch.unique(y, return_counts=True)):
        n_test = round(test_fraction * int(count))
        _check_split_sizes(test_fraction, int(count) - n_test, n_test, f"the {int(count)} rows of class {int(k)}")
    generator = torch.Generator().manual_seed(seed)
    train, test = [], []
    for k in torch.unique(y):
        rows = torch.nonzero(y == k).squeeze(1)
        rows = rows[torch.randperm(len(rows), generator=generator)]
        n_test = round(test_fraction * len(rows))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    train, test = torch.cat(train), torch.cat(test)
    return train[torch.randperm(len(train), generator=generator)], test[torch.randperm(len(test), generator=generator)]


def _classification_split(bunch, test_fraction, seed, dtype) -> ClassificationSplit:
    test_fraction = check_number("test_fraction", test_fraction, low=0, high=1, low_open=True, high_open=True)
    seed = check_seed("seed", seed)
    check_dtype_floating("dtype", dtype)
    X = torch.as_tensor(bunch.data, dtype=torch.float64)
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
    train, test = _stratified_split(y, test_fraction, seed)
    mean, std = X[train].mean(0), X[train].std(0)
    std = torch.where(std > 0, std, 1.0)  # a feature constant on the training set (a blank pixel) stays 0
    X = ((X - mean) / std).to(dtype)
    names = tuple(str(name) for name in bunch.feature_names)
    return ClassificationSplit(X[train], y[train], X[test], y[test], names, tuple(str(n) for n in bunch.target_names))


def load_digits_split(
    *, test_fraction: float = 0.25, seed: int = 0, dtype: torch.dtype = torch.float32
) -> ClassificationSplit:
    """scikit-learn's bundled handwritten digits: 1,797 images of 8×8 pixels (64 features, intensities 0–16),
    10 roughly balanced classes 0–9. Stratified split at random with ``seed``; pixels standardised with the
    training mean and std (pixels blank in every training image are left at 0)."""
    from sklearn.datasets import load_digits

    return _classification_split(load_digits(), test_fraction, seed, dtype)


def load_breast_cancer_split(
    *, test_fraction: float = 0.25, seed: int = 0, dtype: torch.dtype = torch.float32
) -> ClassificationSplit:
    """scikit-learn's bundled Wisconsin breast-cancer data: 569 tumours, 30 features. Labels keep scikit-learn's
    encoding, **0 = malignant (212), 1 = benign (357)**; use ``1 - y`` to make malignant the positive class.
    Stratified split at random with ``seed``; features standardised with the training mean and std."""
    from sklearn.datasets import load_breast_cancer

    return _classification_split(load_breast_cancer(), test_fraction, seed, dtype)


def make_two_blobs(
    n_samples: int = 200,
    *,
    generator: torch.Generator,
    distance: float = 3.0,
    std: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Two round Gaussian blobs in 2-D, for drawing the decision boundaries of hinge vs logistic loss.

    Class 0 is :math:`\mathcal N(-\tfrac d2 u, \sigma^2 I)`, class 1 is :math:`\mathcal N(+\tfrac d2 u, \sigma^2 I)`
    with :math:`u = (1, 1)/\sqrt 2`, :math:`d` = ``distance``, :math:`\sigma` = ``std``; ``n_samples // 2`` points
    of class 0 and the rest of class 1, rows shuffled. The Bayes-optimal boundary is the line
    :math:`u^\top x = 0`. Returns ``X`` (n_samples, 2) and ``y`` int64 in {0, 1}; for the hinge loss use
    ``2 * y - 1`` (labels in {-1, +1}).
    """
    _check_generator(generator)
    n_samples = check_int("n_samples", n_samples, low=1)
    distance = check_number("distance", distance, low=0)
    std = check_number("std", std, low=0, low_open=True)
    check_dtype_floating("dtype", dtype)
    y = (torch.arange(n_samples) >= n_samples // 2).long()
    y = y[torch.randperm(n_samples, generator=generator)]
    u = torch.tensor([1.0, 1.0], dtype=dtype) / 2**0.5
    centres = (y.to(dtype) - 0.5).unsqueeze(1) * distance * u
    X = centres + std * torch.randn(n_samples, 2, generator=generator, dtype=dtype)
    return X, y


def make_imbalanced_classification(
    n_samples: int = 10_000,
    *,
    positive_fraction: float = 0.01,
    n_features: int = 2,
    generator: torch.Generator,
    separation: float = 2.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""A binary task with rare positives, for focal loss, class weights and precision–recall curves.

    Exactly ``n_pos = max(1, round(positive_fraction * n_samples))`` rows are positives (rows shuffled).
    Negatives are :math:`x \sim \mathcal N(0, I_d)`, positives :math:`x \sim \mathcal N(s\,u, I_d)` with
    :math:`u = (1, \dots, 1)/\sqrt d` and :math:`s` = ``separation`` (the distance between the class means).
    With :math:`\pi` = n_pos / n_samples, the Bayes posterior log-odds are linear,
    :math:`\log\frac{P(y=1\mid x)}{P(y=0\mid x)} = s\,u^\top x - s^2/2 + \log\frac{\pi}{1-\pi}`, so a logistic
    model can be perfect in principle and every difference between losses is about the imbalance.
    Returns ``X`` (n_samples, n_features) and ``y`` int64 in {0, 1}.
    """
    _check_generator(generator)
    n_samples, n_features = check_int("n_samples", n_samples, low=1), check_int("n_features", n_features, low=1)
    positive_fraction = check_number("positive_fraction", positive_fraction, low=0, high=1, low_open=True,
                                     high_open=True)
    separation = check_number("separation", separation, low=0)
    check_dtype_floating("dtype", dtype)
    n_pos = max(1, round(positive_fraction * n_samples))
    y = (torch.arange(n_samples) < n_pos).long()
    y = y[torch.randperm(n_samples, generator=generator)]
    u = torch.ones(n_features, dtype=dtype) / n_features**0.5
    X = torch.randn(n_samples, n_features, generator=generator, dtype=dtype) + separation * y.to(dtype)[:, None] * u
    return X, y


def subsample_classes(
    X: torch.Tensor, y: torch.Tensor, fractions: dict[int, float], *, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Make a multi-class set imbalanced: keep ``max(1, round(fractions[k] * n_k))`` random rows of each class
    ``k`` in ``fractions`` and every row of the other classes, in their original order. For example,
    ``subsample_classes(split.X_train, split.y_train, {3: 0.05, 8: 0.05}, generator=g)`` leaves about 7
    training images of 3s and 8s among ~135 of every other digit (subsample the training set only, and
    report test metrics per class)."""
    _check_generator(generator)
    check_tensor("X", X)
    check_tensor("y", y)
    if X.dim() == 0 or X.shape[0] != y.shape[0] or y.dim() != 1:
        raise ValueError(f"`y` must be a vector with one label per row of `X` {tuple(X.shape)}, got {tuple(y.shape)}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise ValueError(f"`y` must hold integer class labels, got dtype {y.dtype}")
    if not isinstance(fractions, Mapping):
        raise ValueError(f"`fractions` must be a dict class -> fraction kept, got {type(fractions).__name__}")
    keep = torch.ones(len(y), dtype=torch.bool)
    for k, fraction in fractions.items():
        if not is_int(k):
            raise ValueError(f"`fractions` must map class labels (ints) to fractions, got the key {k!r}")
        fraction = check_number(f"fractions[{k!r}]", fraction, low=0, high=1, low_open=True)
        rows = torch.nonzero(y == k).squeeze(1)
        if len(rows) == 0:
            raise ValueError(f"`fractions` names class {k!r}, which does not occur in `y`")
        dropped = rows[torch.randperm(len(rows), generator=generator)][max(1, round(fraction * len(rows))):]
        keep[dropped] = False
    return X[keep], y[keep]


def ring_centers(modes: int = 8, *, radius: float = 2.0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""The (modes, 2) centres of :func:`make_gaussian_ring`:
    :math:`r\,(\cos\theta_k, \sin\theta_k)` with :math:`\theta_k = 2\pi k / K`, computed in float64 and cast."""
    modes = check_int("modes", modes, low=1)
    radius = check_number("radius", radius, low=0, low_open=True)
    check_dtype_floating("dtype", dtype)
    angles = 2 * torch.pi * torch.arange(modes, dtype=torch.float64) / modes
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).to(dtype)


def make_gaussian_ring(
    n: int,
    *,
    modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""A mixture of ``modes`` round Gaussians on a circle, the toy target of GAN papers :cite:p:`metz2017unrolled`.

    Each of the ``n`` samples picks a mode :math:`k` uniformly at random and is
    :math:`r\,(\cos\theta_k, \sin\theta_k) + \sigma\,\mathcal N(0, I_2)` with :math:`\theta_k = 2\pi k / K`
    (:func:`ring_centers`), :math:`r` = ``radius``, :math:`\sigma` = ``std``. Drawn in float64 from
    ``generator`` (torch's global one when None) and then cast to ``dtype``, so the samples are the same on
    every CPU. Returns ``X`` (n, 2) and the mode of each row, int64 in [0, modes). ``n = 0`` is allowed.
    """
    if generator is not None:
        _check_generator(generator)
    n = check_int("n", n, low=0)
    centers = ring_centers(modes, radius=radius)
    std = check_number("std", std, low=0)
    check_dtype_floating("dtype", dtype)
    mode = torch.randint(len(centers), (n,), generator=generator)
    X = centers[mode] + std * torch.randn(n, 2, generator=generator, dtype=torch.float64)
    return X.to(dtype), mode
