r"""Calibration: does a model that says "80 % sure" turn out right 80 % of the time? And, for generative
models of a mixture, how many of its modes the samples cover (:func:`modes_covered`).

Only what scikit-learn does not have lives here: the top-label expected calibration error
:cite:p:`guo2017calibration` and the per-bin numbers behind a reliability diagram. Average precision,
ROC-AUC, F1 and the positive-class calibration curve come from ``sklearn.metrics`` / ``sklearn.calibration``.

Both functions take ``probs`` of shape (N, C) (rows are probability vectors) with ``labels`` (N,) of class
indices, or ``probs`` of shape (N,), the probability of class 1 of a binary task, with labels in {0, 1};
the latter is read as the two columns ``[1 - p, p]``, so it is also *top-label*: the confidence of a
prediction is :math:`\max(p, 1 - p)` and the predicted class is 1 when :math:`p > 0.5` (class 0 on a tie).
Tensors, NumPy arrays and lists are accepted.

Also the overlap of two binary masks, :func:`dice_score` and :func:`iou_score`, one number over all elements (as
``sklearn.metrics.f1_score`` / ``jaccard_score`` of the flattened masks, but 1.0 when both masks are empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from lib._validate import check_floating, check_int, check_number
from lib.losses.classification import probability_sum_tolerance

__all__ = [
    "ModeCoverage",
    "ReliabilityData",
    "dice_score",
    "expected_calibration_error",
    "iou_score",
    "modes_covered",
    "reliability_diagram_data",
]


@dataclass(frozen=True)
class ReliabilityData:
    """Per-bin numbers of a reliability diagram; bin ``b`` holds the confidences in ``(edges[b], edges[b+1]]``
    (the first bin also holds 0). ``confidence`` and ``accuracy`` are nan in empty bins."""

    bin_edges: torch.Tensor  # (n_bins + 1,), float64
    confidence: torch.Tensor  # (n_bins,) mean top-label probability of the samples in the bin
    accuracy: torch.Tensor  # (n_bins,) fraction of them whose predicted class is the label
    counts: torch.Tensor  # (n_bins,) int64, how many samples fell in the bin


def _as_tensor(name: str, value, dtype=None) -> torch.Tensor:
    try:
        return torch.as_tensor(value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"`{name}` must be a tensor, an array or a (nested) list of numbers, "
                         f"got {type(value).__name__}: {error}") from error


def _top_label(probs, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate; return each sample's confidence (max probability) and whether its argmax is the label."""
    if hasattr(probs, "dtype"):  # a tensor or an array: its precision sets how far rows may sum from 1
        probs = _as_tensor("probs", probs)
        precision = probs.dtype if probs.is_floating_point() else torch.float64
        probs = probs.to(torch.float64)
    else:
        probs, precision = _as_tensor("probs", probs, torch.float64), torch.float64
    labels = _as_tensor("labels", labels)
    if probs.dim() == 1:
        probs = torch.stack([1 - probs, probs], dim=1)
    if probs.dim() != 2 or probs.shape[0] == 0:
        raise ValueError(f"`probs` must have shape (N, C) or (N,) with N > 0, got {tuple(probs.shape)}")
    if labels.shape != probs.shape[:1]:
        raise ValueError(f"`labels` must have shape ({probs.shape[0]},), one per row of `probs`, "
                         f"got {tuple(labels.shape)}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise ValueError(f"`labels` must hold integer class indices, got dtype {labels.dtype}")
    if ((labels < 0) | (labels >= probs.shape[1])).any():
        raise ValueError(f"`labels` must hold class indices in [0, {probs.shape[1] - 1}], got values "
                         f"in [{labels.min()}, {labels.max()}]")
    if not ((probs >= 0) & (probs <= 1)).all():
        raise ValueError("`probs` must hold probabilities in [0, 1]")
    tolerance = probability_sum_tolerance(precision, probs.shape[1])
    if not torch.allclose(probs.sum(1), torch.ones((), dtype=torch.float64), atol=tolerance):
        raise ValueError(f"`probs` rows must sum to 1 (to within {tolerance:.2g} for {precision}; pass softmax "
                         "outputs, not logits)")
    confidence, predicted = probs.max(dim=1)
    return confidence, predicted == labels


def reliability_diagram_data(probs, labels, *, n_bins: int = 15) -> ReliabilityData:
    """Bin the samples by top-label confidence into ``n_bins`` equal-width bins of [0, 1]; per bin, the mean
    confidence, the accuracy and the count."""
    n_bins = check_int("n_bins", n_bins, low=1)
    confidence, correct = _top_label(probs, labels)
    # i / n_bins divided exactly (linspace can land an ulp off, moving a confidence such as 3/7 = 6/14 across)
    edges = torch.arange(n_bins + 1, dtype=torch.float64) / n_bins
    bins = torch.bucketize(confidence, edges[1:-1], right=False)  # (lo, hi]: a value on an edge goes left
    counts = torch.bincount(bins, minlength=n_bins)
    confidence_sum = torch.bincount(bins, weights=confidence, minlength=n_bins)
    correct_sum = torch.bincount(bins, weights=correct.double(), minlength=n_bins)
    return ReliabilityData(edges, confidence_sum / counts, correct_sum / counts, counts)


def expected_calibration_error(probs, labels, *, n_bins: int = 15) -> float:
    r"""Top-label expected calibration error :cite:p:`guo2017calibration`, as a float in [0, 1].

    .. math::
        \mathrm{ECE} = \sum_{b=1}^{B} \frac{n_b}{N}\,\bigl|\operatorname{acc}(b) - \operatorname{conf}(b)\bigr|

    over ``n_bins`` = :math:`B` equal-width confidence bins (see :func:`reliability_diagram_data`; empty bins
    count 0). 0 means calibrated on this sample; a model that is always 100 % sure and right 70 % of the
    time scores 0.3. The value depends on ``n_bins`` and is biased upward for small N.
    """
    data = reliability_diagram_data(probs, labels, n_bins=n_bins)
    gaps = (data.accuracy - data.confidence).abs().nan_to_num(0.0)
    weights = data.counts.double() / data.counts.sum()
    return float((weights * gaps).sum())



# ----- overlap of binary masks ---------------------------------------------------------------------------------


def _binary_masks(pred, target) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate two masks of one shape holding only 0/1 (bool, int or float); return them as bool tensors."""
    masks = []
    for name, value in (("pred", pred), ("target", target)):
        value = _as_tensor(name, value)
        if value.is_complex() or not ((value == 0) | (value == 1)).all():
            raise ValueError(f"`{name}` must be a binary mask holding only 0/1 (or False/True)")
        masks.append(value.bool())
    if masks[0].shape != masks[1].shape:
        raise ValueError(f"`target` must have the shape of `pred` {tuple(masks[0].shape)}, "
                         f"got {tuple(masks[1].shape)}")
    return masks[0], masks[1]


def dice_score(pred, target) -> float:
    r"""Dice score (F1) of two binary masks of any shape, over all their elements, as a float in [0, 1].

    .. math:: \mathrm{Dice} = \frac{2\,|P \cap T|}{|P| + |T|} \quad (1.0 \text{ when both masks are empty})

    The hard counterpart of :func:`lib.losses.dice_loss` (whose value is 1 − soft Dice); equal to
    ``sklearn.metrics.f1_score(target.ravel(), pred.ravel(), zero_division=1.0)``.
    """
    pred, target = _binary_masks(pred, target)
    total = int(pred.sum()) + int(target.sum())
    return 1.0 if total == 0 else 2 * int((pred & target).sum()) / total


def iou_score(pred, target) -> float:
    r"""Intersection over union (Jaccard index) of two binary masks of any shape, as a float in [0, 1].

    .. math:: \mathrm{IoU} = \frac{|P \cap T|}{|P \cup T|} = \frac{\mathrm{Dice}}{2 - \mathrm{Dice}}
        \quad (1.0 \text{ when both masks are empty})

    Equal to ``sklearn.metrics.jaccard_score(target.ravel(), pred.ravel(), zero_division=1.0)``.
    """
    pred, target = _binary_masks(pred, target)
    union = int((pred | target).sum())
    return 1.0 if union == 0 else int((pred & target).sum()) / union


# ----- mode coverage of a generative model -------------------------------------------------------------------


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`modes_covered` measures; ``covered`` and ``high_quality`` are the two numbers GAN papers report."""

    covered: int  # modes with at least `min_count` high-quality samples
    high_quality: float  # fraction of samples within `max_distance` of some centre
    counts: torch.Tensor  # (K,) int64, high-quality samples per mode (each sample counts for its nearest centre)


def modes_covered(samples: torch.Tensor, centers: torch.Tensor, *, max_distance: float,
                  min_count: int = 1) -> ModeCoverage:
    r"""Mode coverage of a sample from a mixture with known centres, such as the ring of
    :func:`lib.data.make_gaussian_ring` on which GAN papers show mode collapse :cite:p:`metz2017unrolled`.

    A sample is *high quality* when its Euclidean distance to the nearest of the K ``centers`` is at most
    ``max_distance`` (e.g. three standard deviations of a mode); it then counts for that centre.
    A mode is *covered* when at least ``min_count`` high-quality samples count for it. ``samples`` (N, d) with
    N > 0 and ``centers`` (K, d) are floating tensors; distances are computed in float64.
    """
    check_floating("samples", samples)
    check_floating("centers", centers)
    if samples.dim() != 2 or samples.shape[0] == 0:
        raise ValueError(f"`samples` must have shape (N, d) with N > 0, got {tuple(samples.shape)}")
    if centers.dim() != 2 or centers.shape[0] == 0 or centers.shape[1] != samples.shape[1]:
        raise ValueError(f"`centers` must have shape (K, {samples.shape[1]}) with K > 0, got {tuple(centers.shape)}")
    max_distance = check_number("max_distance", max_distance, low=0)
    min_count = check_int("min_count", min_count, low=1)
    x, c = samples.detach().to("cpu", torch.float64), centers.detach().to("cpu", torch.float64)
    squared = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    nearest_squared, nearest = squared.min(dim=1)
    good = nearest_squared <= max_distance**2  # False for a nan or infinite sample
    counts = torch.bincount(nearest[good], minlength=len(c))
    return ModeCoverage(int((counts >= min_count).sum()), float(good.double().mean()), counts)
