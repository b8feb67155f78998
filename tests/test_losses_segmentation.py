"""lib.losses.dice_loss against MONAI's DiceLoss (values and gradients), and lib.metrics.dice_score / iou_score
against scikit-learn's f1_score / jaccard_score."""

import itertools
import zlib

import numpy as np
import pytest
import torch
from monai.losses import DiceLoss
from sklearn.metrics import f1_score, jaccard_score
from torch.testing import assert_close

from lib import losses, metrics
from tests.helpers import DTYPES, REDUCTIONS, value_and_grad

SHAPE = (3, 4, 5, 6)  # (N, C, H, W)
OPTIONS = list(itertools.product([True, False], repeat=3))  # include_background, squared, batch
HALF = [(True, False, False), (False, True, False), (False, False, True), (True, True, True)]  # each pair of
# options in every combination of values, for the reductions other than "mean" (which gets all 8)


def _monai(input, target, *, activation="sigmoid", smooth=1e-5, include_background=True, squared=False,
           batch=False, reduction="mean"):
    """MONAI's DiceLoss called with our arguments: class indices get MONAI's channel dimension (N, 1, ...), and
    its "none" shape (N, C, 1, 1) / (C, 1, 1) is flattened to ours."""
    indices = not target.is_floating_point()
    loss = DiceLoss(sigmoid=activation == "sigmoid", softmax=activation == "softmax", to_onehot_y=indices,
                    include_background=include_background, squared_pred=squared, smooth_nr=smooth,
                    smooth_dr=smooth, batch=batch, reduction=reduction)
    value = loss(input, target.unsqueeze(1) if indices else target)
    return value.flatten(1 if batch else 2).squeeze(-1) if reduction == "none" else value


def _case(kind, activation, dtype, g, shape=SHAPE, scale=3.0):
    logits = scale * torch.randn(shape, generator=g, dtype=torch.float64)
    input = torch.softmax(logits, 1) if activation is None else logits
    if kind == "mask":
        target = (torch.rand(shape, generator=g) < 0.4).double()
    elif kind == "soft":
        target = torch.rand(shape, generator=g, dtype=torch.float64)
    else:
        target = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    return input.to(dtype), target.to(dtype) if target.is_floating_point() else target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["mask", "soft", "indices"])
@pytest.mark.parametrize("activation", ["sigmoid", "softmax", None])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dice_loss_equals_monai_in_value_and_gradient_for_every_option(dtype, activation, kind, reduction):
    g = torch.Generator().manual_seed(zlib.crc32(f"{dtype}{activation}{kind}{reduction}".encode()))
    input, target = _case(kind, activation, dtype, g)
    for include_background, squared, batch in OPTIONS if reduction == "mean" else HALF:
        options = dict(activation=activation, include_background=include_background, squared=squared,
                       batch=batch, reduction=reduction, smooth=0.5 if squared else 1e-5)
        ours, ours_grad = value_and_grad(losses.dice_loss, input, target, **options)
        theirs, theirs_grad = value_and_grad(_monai, input, target, **options)
        expected_shape = {"none": (SHAPE[1] - (not include_background),)}.get(reduction, ())
        assert ours.shape == ((SHAPE[0], *expected_shape) if reduction == "none" and not batch else expected_shape)
        assert_close(ours, theirs)
        assert_close(ours_grad, theirs_grad)


@pytest.mark.parametrize("shape", [(2, 3, 7), (2, 3, 3, 4, 5), (2, 2)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dice_loss_equals_monai_for_1d_and_3d_spatial_shapes_and_none_at_all(dtype, shape):
    g = torch.Generator().manual_seed(len(shape))
    for kind, activation in (("indices", "softmax"), ("mask", "sigmoid")):
        input, target = _case(kind, activation, dtype, g, shape=shape)
        for batch in (False, True):
            ours, ours_grad = value_and_grad(losses.dice_loss, input, target, activation=activation, batch=batch)
            theirs, theirs_grad = value_and_grad(_monai, input, target, activation=activation, batch=batch)
            assert_close(ours, theirs)
            assert_close(ours_grad, theirs_grad)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dice_loss_equals_monai_on_logits_of_1e4_and_stays_finite(dtype, activation):
    g = torch.Generator().manual_seed(4)
    input, target = _case("indices", activation, dtype, g, scale=1e4)
    for batch in (False, True):
        ours, ours_grad = value_and_grad(losses.dice_loss, input, target, activation=activation, batch=batch)
        theirs, theirs_grad = value_and_grad(_monai, input, target, activation=activation, batch=batch)
        assert torch.isfinite(ours) and torch.isfinite(ours_grad).all()
        assert_close(ours, theirs)
        assert_close(ours_grad, theirs_grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dice_loss_of_a_perfect_hard_prediction_is_zero_and_of_the_complement_is_one(dtype):
    target = (torch.rand(SHAPE, generator=torch.Generator().manual_seed(0)) < 0.5).to(dtype)
    target[:, :, 0, 0] = 1  # every (sample, class) has foreground
    right, wrong = (2 * target - 1) * 1e4, (1 - 2 * target) * 1e4
    assert_close(losses.dice_loss(right, target), torch.tensor(0.0, dtype=dtype), atol=1e-6, rtol=0)
    assert_close(losses.dice_loss(wrong, target), torch.tensor(1.0, dtype=dtype), atol=1e-6, rtol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_an_empty_class_costs_about_one_with_almost_no_gradient_unless_predicted_empty(dtype):
    # class 1 is absent from the target; its term is 1 - s / (sum p + s)
    target = torch.zeros((1, 4, 4), dtype=torch.int64)
    input = torch.zeros((1, 2, 4, 4), dtype=dtype)
    input[:, 1] = -1e4  # softmax puts (almost) nothing on class 1: the empty prediction of an empty class
    none = losses.dice_loss(input, target, activation="softmax", reduction="none")
    assert none[0, 1] < 1e-6
    value, grad = value_and_grad(losses.dice_loss, torch.zeros((1, 2, 4, 4), dtype=dtype), target,
                                 activation="softmax", reduction="none")
    smooth, total = 1e-5, 16 * 0.5  # p = 0.5 on each of 16 pixels
    assert_close(value[0, 1], torch.tensor(1 - smooth / (total + smooth), dtype=dtype))
    assert value[0, 1] > 0.99999
    assert_close(value, _monai(torch.zeros((1, 2, 4, 4), dtype=dtype), target, activation="softmax",
                               reduction="none"))
    empty_grad = value_and_grad(lambda x: losses.dice_loss(x, target, activation="softmax", reduction="none")[0, 1],
                                torch.zeros((1, 2, 4, 4), dtype=dtype))[1]
    assert empty_grad.abs().max() < 1e-6  # s / (sum p + s)^2 * dp/dz = 1e-5 / 64 * 1/4
    assert grad.abs().max() > 1e-3  # the present class does teach
    nan = losses.dice_loss(torch.zeros((1, 2, 4, 4), dtype=dtype) - 1e4, torch.zeros((1, 2, 4, 4), dtype=dtype),
                           smooth=0.0, reduction="none")
    assert torch.isnan(nan).all()  # 0 / 0 without smoothing


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dice_loss_of_an_empty_batch_is_empty_or_nan_mean_or_zero_sum_like_monai(dtype, reduction):
    input, target = torch.zeros((0, 3, 4), dtype=dtype), torch.zeros((0, 4), dtype=torch.int64)
    ours = losses.dice_loss(input, target, activation="softmax", reduction=reduction)
    assert_close(ours, _monai(input, target, activation="softmax", reduction=reduction), equal_nan=True)
    assert ours.shape == {"none": (0, 3)}.get(reduction, ())
    pooled = losses.dice_loss(input, target, activation="softmax", batch=True, reduction="none")
    assert_close(pooled, torch.zeros(3, dtype=dtype))  # 1 - s / s: nothing to segment, nothing wrong


# ----- metrics --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(50,), (4, 7), (2, 3, 5, 5)])
@pytest.mark.parametrize("density", [0.05, 0.5, 0.9])
def test_dice_and_iou_scores_equal_sklearn_f1_and_jaccard_on_flattened_masks(shape, density):
    rng = np.random.default_rng(zlib.crc32(f"{shape}{density}".encode()))
    pred, target = rng.random(shape) < density, rng.random(shape) < 0.3
    dice, iou = metrics.dice_score(torch.as_tensor(pred), torch.as_tensor(target)), metrics.iou_score(pred, target)
    assert dice == pytest.approx(f1_score(target.ravel(), pred.ravel(), zero_division=1.0), abs=1e-12)
    assert iou == pytest.approx(jaccard_score(target.ravel(), pred.ravel(), zero_division=1.0), abs=1e-12)
    assert dice == pytest.approx(2 * iou / (1 + iou), abs=1e-12)
    floats = metrics.dice_score(torch.as_tensor(pred, dtype=torch.float32), target.astype(np.int64))
    assert floats == dice


def test_dice_and_iou_of_two_empty_masks_are_one_and_of_disjoint_masks_zero():
    empty = torch.zeros((3, 3), dtype=torch.bool)
    assert metrics.dice_score(empty, empty) == metrics.iou_score(empty, empty) == 1.0
    assert metrics.dice_score(torch.zeros(0), torch.zeros(0)) == 1.0
    one = empty.clone()
    one[0, 0] = True
    assert metrics.dice_score(one, empty) == metrics.iou_score(empty, one) == 0.0
    assert metrics.dice_score(one, one) == metrics.iou_score(one, one) == 1.0
    assert f1_score([0, 0], [0, 0], zero_division=1.0) == 1.0


def test_soft_dice_loss_of_hard_masks_is_one_minus_the_dice_score():
    g = torch.Generator().manual_seed(1)
    pred, target = torch.rand((2, 1, 8, 8), generator=g) < 0.5, torch.rand((2, 1, 8, 8), generator=g) < 0.5
    loss = losses.dice_loss(pred.double(), target.double(), activation=None, smooth=0.0, batch=True)
    assert loss.item() == pytest.approx(1 - metrics.dice_score(pred, target), abs=1e-12)
