"""lib.losses (focal) against torchvision's formula written out, and against cross-entropy at gamma = 0."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES, REDUCTIONS, reduce, value_and_grad


def _torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, line for line (torchvision is not installed here)."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return reduce(loss, reduction)


def _textbook_softmax_focal_loss(input, target, alpha=None, gamma=2.0, reduction="mean"):
    """-alpha_y (1 - p_y)^gamma log p_y with torch.softmax and F.cross_entropy; weighted mean over alpha_y."""
    p_y = torch.softmax(input, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    alpha_y = torch.ones_like(p_y) if alpha is None else alpha[target]
    loss = alpha_y * (1 - p_y) ** gamma * F.cross_entropy(input, target, reduction="none")
    return loss.sum() / alpha_y.sum() if reduction == "mean" else reduce(loss, reduction)


def _binary_pair(shape, dtype, soft, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = (4 * torch.randn(shape, generator=g, dtype=torch.float64)).to(dtype)
    targets = torch.rand(shape, generator=g, dtype=torch.float64)
    return inputs, (targets if soft else (targets < 0.3).double()).to(dtype)


@pytest.mark.parametrize("alpha", [0.25, 0.8, -1.0])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(9,), (4, 3)])
@pytest.mark.parametrize("soft", [False, True])
def test_sigmoid_focal_equals_torchvision_formula_at_moderate_logits(alpha, gamma, reduction, dtype, shape, soft):
    inputs, targets = _binary_pair(shape, dtype, soft)
    options = {"alpha": alpha, "gamma": gamma, "reduction": reduction}
    value, grad = value_and_grad(losses.sigmoid_focal_loss, inputs, targets, **options)
    twin_value, twin_grad = value_and_grad(_torchvision_sigmoid_focal_loss, inputs, targets, **options)
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_with_gamma_0_and_no_alpha_is_bce_with_logits_even_at_1e4(dtype, reduction):
    inputs = torch.tensor([-1e4, -100.0, -3.0, 0.0, 2.0, 100.0, 1e4, 1e4], dtype=dtype)
    targets = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.3], dtype=dtype)
    value, grad = value_and_grad(losses.sigmoid_focal_loss, inputs, targets, alpha=-1, gamma=0.0, reduction=reduction)
    twin_value, twin_grad = value_and_grad(F.binary_cross_entropy_with_logits, inputs, targets, reduction=reduction)
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("gamma", [0.25, 0.5, 2.0])
def test_sigmoid_focal_is_finite_with_finite_gradients_where_the_textbook_form_gives_nan(gamma):
    inputs = torch.tensor([30.0, 100.0, 1e4, -30.0, -1e4])  # float32: sigmoid rounds to exactly 1 or 0
    targets = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0])  # so every p_t is exactly 1
    value, grad = value_and_grad(losses.sigmoid_focal_loss, inputs, targets, gamma=gamma, reduction="sum")
    _, twin_grad = value_and_grad(_torchvision_sigmoid_focal_loss, inputs, targets, gamma=gamma, reduction="sum")
    if gamma < 1:
        assert torch.isnan(twin_grad).any()  # the textbook form: gamma * 0^(gamma - 1) * 0
    assert torch.isfinite(value) and torch.isfinite(grad).all()
    assert_close(value, torch.tensor(0.0), atol=1e-10, rtol=0)
    assert_close(grad, torch.zeros(5), atol=1e-10, rtol=0)  # a correct, confident prediction: no push


def test_sigmoid_focal_at_logits_of_1e4_gives_the_exact_limits():
    inputs = torch.tensor([-1e4, 1e4, 1e4, -1e4])
    targets = torch.tensor([1.0, 0.0, 1.0, 0.0])
    loss = losses.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0)
    assert_close(loss, torch.tensor([0.25 * 1e4, 0.75 * 1e4, 0.0, 0.0]))  # wrong: (1 - p_t)^gamma = 1, ce = 1e4


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("logit", [40.0, 100.0, 200.0])
def test_sigmoid_focal_gradient_of_a_confident_right_answer_is_exact_where_sigmoid_rounds_to_one(gamma, logit):
    # t = 1, z > 0: with q = 1 - p_t = σ(-z), ℓ = q^γ softplus(-z) and dℓ/dz = -q^γ [γ (1 - q) softplus(-z) + q],
    # about -(1 + γ) e^{-(1 + γ) z}; σ(z) - 1 rounds to 0 here, so a gradient built from it loses the "+ q" part
    z = torch.tensor([logit], dtype=torch.float64)
    _, grad = value_and_grad(losses.sigmoid_focal_loss, z, torch.ones(1, dtype=torch.float64), alpha=-1, gamma=gamma,
                             reduction="sum")
    q = math.exp(-logit)  # σ(-z) to 1 part in e^{-z}
    softplus = q  # log1p(e^{-z}) to the same precision
    exact = -(q**gamma) * (gamma * (1 - q) * softplus + q)
    assert exact != 0.0
    assert abs(grad.item() / exact - 1) < 1e-12


@pytest.mark.parametrize("gamma", [0.3, 2.0])
@pytest.mark.parametrize("soft", [False, True])
def test_sigmoid_focal_gradcheck_in_float64(gamma, soft):
    inputs, targets = _binary_pair((7,), torch.float64, soft, seed=4)
    inputs.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: losses.sigmoid_focal_loss(z, targets, gamma=gamma), (inputs,))


logit_lists = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=10)
unit = st.floats(0, 1)


@settings(max_examples=50, deadline=None)
@given(logit_lists, st.data())
def test_sigmoid_focal_with_gamma_0_equals_bce_with_logits(values, data):
    inputs = torch.tensor(values, dtype=torch.float64)
    targets = torch.tensor(data.draw(st.lists(unit, min_size=len(values), max_size=len(values))), dtype=torch.float64)
    focal = losses.sigmoid_focal_loss(inputs, targets, alpha=-1, gamma=0.0)
    assert_close(focal, F.binary_cross_entropy_with_logits(inputs, targets, reduction="none"))


@settings(max_examples=50, deadline=None)
@given(logit_lists, st.data(), st.floats(0.01, 5))
def test_sigmoid_focal_is_at_most_bce_elementwise_for_positive_gamma(values, data, gamma):
    inputs = torch.tensor(values, dtype=torch.float64)
    targets = torch.tensor(data.draw(st.lists(unit, min_size=len(values), max_size=len(values))), dtype=torch.float64)
    focal = losses.sigmoid_focal_loss(inputs, targets, alpha=-1, gamma=gamma)
    # against lib's BCE, which is exact here: torch's (1 - y) z + softplus(-z) cancels to 0 for z = -34, y = 0
    bce = losses.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    assert torch.isfinite(focal).all() and (focal >= 0).all()
    assert (focal <= bce).all()


# ----- softmax focal --------------------------------------------------------------------------------------------


def _multiclass(shape, dtype, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    input = (scale * torch.randn(shape, generator=g, dtype=torch.float64)).to(dtype)
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    target = torch.randint(0, n_classes, target_shape, generator=g)
    alpha = (0.1 + torch.rand(n_classes, generator=g, dtype=torch.float64)).to(dtype)
    return input, target, alpha


@pytest.mark.parametrize("shape", [(4,), (6, 4), (3, 4, 2, 3)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_focal_with_gamma_0_is_cross_entropy_with_weight_alpha(shape, dtype, reduction, weighted):
    input, target, alpha = _multiclass(shape, dtype)
    alpha = alpha if weighted else None
    value, grad = value_and_grad(losses.softmax_focal_loss, input, target, alpha=alpha, gamma=0.0, reduction=reduction)
    twin_value, twin_grad = value_and_grad(F.cross_entropy, input, target, weight=alpha, reduction=reduction)
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_focal_equals_the_textbook_formula_at_moderate_logits(gamma, dtype, reduction, weighted):
    input, target, alpha = _multiclass((8, 5), dtype, seed=1)
    alpha = alpha if weighted else None
    options = {"alpha": alpha, "gamma": gamma, "reduction": reduction}
    value, grad = value_and_grad(losses.softmax_focal_loss, input, target, **options)
    twin_value, twin_grad = value_and_grad(_textbook_softmax_focal_loss, input, target, **options)
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


def test_softmax_focal_mean_divides_by_the_sum_of_alpha_of_the_targets_not_by_n():
    input, target, alpha = _multiclass((8, 5), torch.float64, seed=2)
    total = losses.softmax_focal_loss(input, target, alpha=alpha, reduction="sum")
    mean = losses.softmax_focal_loss(input, target, alpha=alpha, reduction="mean")
    assert_close(mean, total / alpha[target].sum())
    assert not torch.isclose(mean, total / 8)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_two_class_softmax_focal_on_scores_zero_and_z_is_sigmoid_focal_of_z(gamma):
    z = torch.linspace(-6, 6, 13, dtype=torch.float64)
    target = torch.arange(13) % 2
    two_class = torch.stack([torch.zeros_like(z), z], dim=1)
    softmax_focal = losses.softmax_focal_loss(two_class, target, gamma=gamma, reduction="none")
    assert_close(softmax_focal, losses.sigmoid_focal_loss(z, target.double(), alpha=-1, gamma=gamma))


@pytest.mark.parametrize("gamma", [0.25, 2.0])
@pytest.mark.parametrize("scale", [100.0, 1e4])
def test_softmax_focal_is_finite_with_finite_gradients_for_logits_of_100_and_1e4(gamma, scale):
    input = scale * torch.tensor([[1.0, -1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.5]])
    target = torch.tensor([0, 1, 1])  # right and sure, wrong and sure, right and sure
    value, grad = value_and_grad(losses.softmax_focal_loss, input, target, gamma=gamma, reduction="none")
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    assert_close(value, torch.tensor([0.0, 2 * scale, 0.0]), atol=1e-6, rtol=1e-6)  # wrong: factor 1, ce = 2·scale
    assert_close(grad[0], torch.zeros(3), atol=1e-6, rtol=0)


@pytest.mark.parametrize("gamma", [0.3, 2.0])
def test_softmax_focal_gradcheck_in_float64(gamma):
    input, target, alpha = _multiclass((3, 4, 2), torch.float64, seed=3)
    input.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: losses.softmax_focal_loss(z, target, alpha=alpha, gamma=gamma), (input,))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=4, max_size=4), st.integers(0, 3),
       st.floats(0.01, 5))
@example([1.192092896e-07, -37.0, -1.0, -0.0078125], 1, 2.0)  # p_y ≈ 1e-16: log(1 − p_y) rounded to +1e-16
def test_softmax_focal_is_at_most_cross_entropy_for_positive_gamma(values, target, gamma):
    z = torch.tensor([values], dtype=torch.float64)
    t = torch.tensor([target])
    focal = losses.softmax_focal_loss(z, t, gamma=gamma, reduction="none")
    assert torch.isfinite(focal).all() and (focal >= 0).all()
    assert (focal <= losses.cross_entropy(z, t, reduction="none")).all()


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------


@pytest.mark.parametrize("gamma", [-0.5, float("nan")])
def test_a_negative_gamma_is_rejected(gamma):
    with pytest.raises(ValueError, match="`gamma` must be"):
        losses.sigmoid_focal_loss(torch.zeros(3), torch.zeros(3), gamma=gamma)
    with pytest.raises(ValueError, match="`gamma` must be"):
        losses.softmax_focal_loss(torch.zeros(2, 3), torch.tensor([0, 1]), gamma=gamma)


def test_sigmoid_focal_rejects_alpha_above_one():
    with pytest.raises(ValueError, match=r"`alpha` must be in \(-inf, 1\]"):
        losses.sigmoid_focal_loss(torch.zeros(3), torch.zeros(3), alpha=1.5)


@pytest.mark.parametrize("alpha", [torch.ones(4), torch.ones(3, 1), torch.ones(3, dtype=torch.float64)])
def test_softmax_focal_rejects_alpha_of_the_wrong_shape_or_dtype(alpha):
    with pytest.raises(ValueError, match="`alpha` must have"):
        losses.softmax_focal_loss(torch.zeros(2, 3), torch.tensor([0, 1]), alpha=alpha)


def test_sigmoid_focal_rejects_targets_outside_the_unit_interval():
    with pytest.raises(ValueError, match="`targets` must hold probabilities in"):
        losses.sigmoid_focal_loss(torch.zeros(3), torch.tensor([0.0, 1.0, -1.0]))


def test_sigmoid_focal_rejects_a_column_against_a_vector():
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.sigmoid_focal_loss(torch.zeros(3, 1), torch.zeros(3))


@pytest.mark.parametrize(("inputs", "targets", "named"), [
    ([0.0, 1.0], torch.zeros(2), "`inputs` must be a torch.Tensor"),
    (torch.zeros(2), [0.0, 1.0], "`targets` must be a torch.Tensor"),
    (torch.zeros(2, dtype=torch.int64), torch.zeros(2), "`inputs` must be a floating-point tensor"),
    (torch.zeros(3, 1), torch.zeros(3), "`targets` must have the same shape as `inputs`"),
    (torch.zeros(3), torch.zeros(3, dtype=torch.float64), "`targets` must have the same dtype as `inputs`"),
])  # fmt: skip
def test_sigmoid_focal_messages_name_its_arguments_inputs_and_targets(inputs, targets, named):
    with pytest.raises(ValueError, match=named):
        losses.sigmoid_focal_loss(inputs, targets)


@pytest.mark.parametrize("target", [torch.tensor([0, 3]), torch.tensor([0.0, 1.0]), torch.tensor([0, -100])])
def test_softmax_focal_rejects_targets_that_are_not_valid_int64_class_indices(target):
    with pytest.raises(ValueError, match="`target` must hold class indices"):
        losses.softmax_focal_loss(torch.zeros(2, 3), target)


def test_softmax_focal_rejects_a_single_class():
    with pytest.raises(ValueError, match="`input` must have at least 2 classes"):
        losses.softmax_focal_loss(torch.zeros(2, 1), torch.tensor([0, 0]))
