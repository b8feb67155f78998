"""lib.losses (classification) against torch.nn.functional: values, gradients, reductions, extremes, bad input."""

import zlib

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES, REDUCTIONS, reduce, value_and_grad

ELEMENTWISE_SHAPES = [(7,), (4, 3), (2, 3, 5)]
CLASS_SHAPES = [(4,), (6, 4), (3, 4, 2, 3)]  # (C,) unbatched, (N, C), (N, C, d1, d2)


def _hinge_twin(input, target, *, margin=1.0, reduction="mean"):
    loss = torch.clamp(margin - target * input, min=0)
    return reduce(loss, reduction)


def _index_target(shape, g, ignore=False):
    """Class indices for scores of ``shape``; with ``ignore``, about a quarter set to -100."""
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    target = torch.randint(0, shape[-1] if len(shape) == 1 else shape[1], target_shape, generator=g)
    if ignore and target.dim() > 0:
        target = torch.where(torch.rand(target_shape, generator=g) < 0.25, -100, target)
        target.view(-1)[0] = -100  # at least one ignored, at least one kept
        target.view(-1)[-1] = 1
    return target


def _class_weight(shape, dtype, g):
    n_classes = shape[-1] if len(shape) == 1 else shape[1]
    return (0.2 + torch.rand(n_classes, generator=g, dtype=torch.float64)).to(dtype)


def _probability_target(shape, dtype, g):
    logits = 2 * torch.randn(shape, generator=g, dtype=torch.float64)
    return torch.softmax(logits, dim=0 if len(shape) == 1 else 1).to(dtype)


# Each case makes (input, target, options) from (shape, dtype, generator); ours and the twin are both called
# as f(input, target, reduction=..., **options).
def _bce(shape, dtype, g):
    return torch.rand(shape, generator=g, dtype=dtype) * 0.98 + 0.01, torch.rand(shape, generator=g, dtype=dtype), {}


def _bce_weight(shape, dtype, g):
    input, target, _ = _bce(shape, dtype, g)
    return input, target, {"weight": torch.rand(shape[-1], generator=g, dtype=dtype)}


def _logits(shape, dtype, g):
    return 3 * torch.randn(shape, generator=g, dtype=dtype), (torch.rand(shape, generator=g) < 0.5).to(dtype), {}


def _logits_weights(shape, dtype, g):
    input, target, _ = _logits(shape, dtype, g)
    pos_weight = 0.5 + 3 * torch.rand(shape[-1], generator=g, dtype=dtype)
    return input, target, {"weight": torch.rand(shape, generator=g, dtype=dtype), "pos_weight": pos_weight}


def _hinge(shape, dtype, g):
    input, target, _ = _logits(shape, dtype, g)
    return input, 2 * target - 1, {"margin": 0.7}


def _ce(ignore=False, weight=False, smoothing=0.0):
    def make(shape, dtype, g):
        options = {"label_smoothing": smoothing} if smoothing else {}
        if weight:
            options["weight"] = _class_weight(shape, dtype, g)
        if ignore:
            options["ignore_index"] = -100
        return 3 * torch.randn(shape, generator=g, dtype=dtype), _index_target(shape, g, ignore), options

    return make


def _ce_probs(weight=False, smoothing=0.0):
    def make(shape, dtype, g):
        options = {"label_smoothing": smoothing} if smoothing else {}
        if weight:
            options["weight"] = _class_weight(shape, dtype, g)
        return 3 * torch.randn(shape, generator=g, dtype=dtype), _probability_target(shape, dtype, g), options

    return make


def _nll(shape, dtype, g):
    input, target, options = _ce(ignore=True, weight=True)(shape, dtype, g)
    return torch.log_softmax(input, dim=0 if len(shape) == 1 else 1), target, options


def _multi_margin(p, weight):
    def make(shape, dtype, g):
        options = {"p": p, "margin": 0.8}
        if weight:
            options["weight"] = _class_weight(shape, dtype, g)
        return torch.randn(shape, generator=g, dtype=dtype), _index_target(shape, g), options

    return make


ELEMENTWISE = {
    "bce": (losses.binary_cross_entropy, F.binary_cross_entropy, _bce),
    "bce_weight": (losses.binary_cross_entropy, F.binary_cross_entropy, _bce_weight),
    "bce_logits": (losses.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, _logits),
    "bce_logits_weights": (losses.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
                           _logits_weights),
    "hinge": (losses.hinge_loss, _hinge_twin, _hinge),
}
PER_CLASS = {
    "ce": (losses.cross_entropy, F.cross_entropy, _ce()),
    "ce_weight_ignore": (losses.cross_entropy, F.cross_entropy, _ce(ignore=True, weight=True)),
    "ce_smoothing": (losses.cross_entropy, F.cross_entropy, _ce(smoothing=0.2)),
    "ce_smoothing_weight_ignore": (losses.cross_entropy, F.cross_entropy, _ce(True, True, 0.3)),
    "ce_probs": (losses.cross_entropy, F.cross_entropy, _ce_probs()),
    "ce_probs_weight_smoothing": (losses.cross_entropy, F.cross_entropy, _ce_probs(True, 0.25)),
    "nll_weight_ignore": (losses.nll_loss, F.nll_loss, _nll),
}
MULTI_MARGIN = {
    "multi_margin_p1": (losses.multi_margin_loss, F.multi_margin_loss, _multi_margin(1, False)),
    "multi_margin_p2_weight": (losses.multi_margin_loss, F.multi_margin_loss, _multi_margin(2, True)),
}
CASES = (
    [(name, shape) for name in ELEMENTWISE for shape in ELEMENTWISE_SHAPES]
    + [(name, shape) for name in PER_CLASS for shape in CLASS_SHAPES]
    + [(name, shape) for name in MULTI_MARGIN for shape in CLASS_SHAPES[:2]]
)
ALL = {**ELEMENTWISE, **PER_CLASS, **MULTI_MARGIN}


@pytest.mark.parametrize("name,shape", CASES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_values_and_gradients_equal_the_torch_twin(name, shape, dtype, reduction):
    ours, twin, make = ALL[name]
    input, target, options = make(shape, dtype, torch.Generator().manual_seed(zlib.crc32(repr((name, shape)).encode())))
    value, grad = value_and_grad(ours, input, target, reduction=reduction, **options)
    twin_value, twin_grad = value_and_grad(twin, input, target, reduction=reduction, **options)
    assert value.dtype == dtype and value.shape == twin_value.shape
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)


@pytest.mark.parametrize("name", ["bce_logits", "bce_logits_weights", "ce", "ce_smoothing_weight_ignore", "ce_probs"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [100.0, 1e4])
def test_values_and_gradients_equal_the_twin_for_logits_of_100_and_1e4(name, dtype, scale):
    ours, twin, make = ALL[name]
    shape = (6, 4)
    _, target, options = make(shape, dtype, torch.Generator().manual_seed(1))
    signs = torch.tensor([1.0, -1.0, 0.5, -0.25], dtype=dtype)
    input = scale * signs.roll(1).repeat(6, 1)  # every row mixes ±scale, so some targets get p_t → 0
    input[::2] = input[::2].roll(1, dims=1)
    for reduction in REDUCTIONS:
        value, grad = value_and_grad(ours, input, target, reduction=reduction, **options)
        twin_value, twin_grad = value_and_grad(twin, input, target, reduction=reduction, **options)
        assert torch.isfinite(value).all() and torch.isfinite(grad).all()
        assert_close(value, twin_value)
        assert_close(grad, twin_grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target_kind", ["indices", "indices_ignored", "probabilities"])
def test_cross_entropy_with_masked_minus_inf_logits_equals_torch(dtype, weight, label_smoothing, target_kind):
    """-inf logits mask classes (e.g. padding); torch is finite with class indices when no smoothing is asked and
    inf with smoothing or probability targets (its smoothing term sums log p over every class); we match both."""
    inf = float("inf")
    input = torch.tensor([[1.0, -inf, 0.5], [0.2, 0.3, -inf], [-inf, 2.0, -1.0], [0.1, -inf, -inf]], dtype=dtype)
    targets = {"indices": torch.tensor([0, 1, 2, 0]), "indices_ignored": torch.tensor([0, -100, 2, 0]),
               "probabilities": torch.tensor([[0.7, 0.0, 0.3], [0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]],
                                             dtype=dtype)}  # fmt: skip
    target = targets[target_kind]
    options = {"label_smoothing": label_smoothing}
    if weight:
        options["weight"] = torch.tensor([1.0, 2.0, 0.5], dtype=dtype)
    for reduction in REDUCTIONS:
        value, grad = value_and_grad(losses.cross_entropy, input, target, reduction=reduction, **options)
        twin_value, twin_grad = value_and_grad(F.cross_entropy, input, target, reduction=reduction, **options)
        if target_kind != "probabilities" and label_smoothing == 0:
            assert torch.isfinite(value).all() and torch.isfinite(grad).all()
        assert_close(value, twin_value, equal_nan=True)
        assert_close(grad, twin_grad, equal_nan=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_at_probabilities_exactly_0_and_1_matches_torch_clamp_and_gradient(dtype):
    input = torch.tensor([0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1e-30], dtype=dtype)
    target = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 0.7, 1.0], dtype=dtype)
    value, grad = value_and_grad(losses.binary_cross_entropy, input, target, reduction="none", )
    twin_value, twin_grad = value_and_grad(F.binary_cross_entropy, input, target, reduction="none", )
    assert_close(value[:4], torch.tensor([0.0, 100.0, 100.0, 0.0], dtype=dtype))  # log clamped at -100
    assert_close(value, twin_value)
    assert_close(grad, twin_grad)  # e.g. -1e12 at p = 0, y = 1: the denominator p(1 - p) is clamped at 1e-12


def test_cross_entropy_equals_nll_of_log_softmax_with_all_options():
    input, target, options = _ce(True, True)((5, 3, 4), torch.float64, torch.Generator().manual_seed(2))
    for reduction in REDUCTIONS:
        expected = losses.nll_loss(losses.log_softmax(input, 1), target, reduction=reduction, **options)
        assert_close(losses.cross_entropy(input, target, reduction=reduction, **options), expected)


def test_mean_over_all_ignored_targets_is_nan_like_torch():
    input = torch.randn(3, 4)
    target = torch.full((3,), -100)
    assert torch.isnan(losses.cross_entropy(input, target)) and torch.isnan(F.cross_entropy(input, target))


def test_weighted_mean_divides_by_the_weights_of_the_non_ignored_targets():
    input = torch.zeros(3, 2, dtype=torch.float64)  # every log-probability is log(1/2)
    target = torch.tensor([0, 1, -100])
    weight = torch.tensor([1.0, 3.0], dtype=torch.float64)
    expected = (1.0 + 3.0) * torch.log(torch.tensor(2.0, dtype=torch.float64)) / (1.0 + 3.0)
    assert_close(losses.cross_entropy(input, target, weight), expected)


@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0, 2.0])
def test_hinge_is_twice_multi_margin_on_two_class_scores_zero_and_f(margin):
    f = torch.linspace(-3, 3, 25, dtype=torch.float64) + 0.013  # off the kinks
    y = torch.where(torch.arange(25) % 3 == 0, 1.0, -1.0).to(torch.float64)
    two_class = torch.stack([torch.zeros_like(f), f], dim=1)
    expected = 2 * F.multi_margin_loss(two_class, ((y + 1) / 2).long(), margin=margin, reduction="none")
    assert_close(losses.hinge_loss(f, y, margin=margin, reduction="none"), expected)


def test_hinge_is_not_torch_hinge_embedding_loss():
    f, y = torch.tensor([2.0, 0.5]), torch.tensor([1.0, 1.0])  # correct, confident: the SVM hinge is 0 for f = 2
    assert losses.hinge_loss(f, y, reduction="none").tolist() == [0.0, 0.5]
    assert F.hinge_embedding_loss(f, y, reduction="none").tolist() == [2.0, 0.5]  # it returns the distance


def test_hinge_gradient_at_the_kink_is_zero():
    f = torch.tensor([1.0, -1.0], requires_grad=True)
    losses.hinge_loss(f, torch.tensor([1.0, -1.0]), reduction="sum").backward()
    assert f.grad.tolist() == [0.0, 0.0]


GRADCHECK = ["bce", "bce_weight", "bce_logits_weights", "hinge", "ce_smoothing_weight_ignore",
             "ce_probs_weight_smoothing", "nll_weight_ignore", "multi_margin_p1", "multi_margin_p2_weight"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck_in_float64(name):
    ours, _, make = ALL[name]
    shape = (4, 3) if name in ELEMENTWISE else (5, 3)
    input, target, options = make(shape, torch.float64, torch.Generator().manual_seed(3))
    input = input.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda i: ours(i, target, reduction="mean", **options), (input,))


def _bce_logits_arguments(dtype):
    """Logits of both signs, soft targets, an elementwise weight and a per-column pos_weight."""
    g = torch.Generator().manual_seed(5)
    input = (3 * torch.randn(4, 3, generator=g, dtype=torch.float64)).to(dtype)
    target = torch.rand(4, 3, generator=g, dtype=torch.float64).to(dtype)
    weight = (0.2 + torch.rand(4, 3, generator=g, dtype=torch.float64)).to(dtype)
    return [input, target, weight, (0.5 + 3 * torch.rand(3, generator=g, dtype=torch.float64)).to(dtype)]


def _bce_logits_by_autograd(input, target, weight=None, *, pos_weight=None, reduction="mean"):
    """The formula, differentiated by autograd step by step: the reference for the weights' gradients, which
    torch's fused kernel does not compute."""
    pw = 1.0 if pos_weight is None else pos_weight
    loss = -(pw * target * F.logsigmoid(input) + (1 - target) * F.logsigmoid(-input))
    loss = loss if weight is None else weight * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits_gradients_of_input_and_target_equal_the_torch_twin(dtype, reduction, pos_weight):
    grads = []
    for fn in (losses.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits):
        input, target, weight, pw = _bce_logits_arguments(dtype)
        input, target = input.requires_grad_(True), target.requires_grad_(True)
        value = fn(input, target, weight, pos_weight=pw if pos_weight else None, reduction=reduction)
        grads.append(torch.autograd.grad(value.sum(), (input, target)))
    assert_close(grads[0], grads[1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_gradients_of_every_argument_equal_autograd_through_the_formula(dtype, reduction):
    grads = []
    for fn in (losses.binary_cross_entropy_with_logits, _bce_logits_by_autograd):
        args = [a.requires_grad_(True) for a in _bce_logits_arguments(dtype)]
        value = fn(*args[:3], pos_weight=args[3], reduction=reduction)
        grads.append(torch.autograd.grad(value.sum(), args))
    assert_close(grads[0], grads[1])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_gradcheck_and_gradgradcheck_with_respect_to_every_argument_in_float64(reduction):
    args = [a.requires_grad_(True) for a in _bce_logits_arguments(torch.float64)]

    def loss(i, t, w, pw):
        return losses.binary_cross_entropy_with_logits(i, t, w, pos_weight=pw, reduction=reduction)

    def plain(i, t):
        return losses.binary_cross_entropy_with_logits(i, t, reduction=reduction)

    for fn, inputs in [(loss, args), (plain, args[:2])]:
        assert torch.autograd.gradcheck(fn, inputs)
        assert torch.autograd.gradgradcheck(fn, inputs)


def test_bce_gradcheck_with_respect_to_the_target():
    input = torch.tensor([0.1, 0.4, 0.8], dtype=torch.float64)
    target = torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: losses.binary_cross_entropy(input, t), (target,))


logit_lists = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=8)


@settings(max_examples=50, deadline=None)
@given(logit_lists)
def test_softmax_sums_to_one_and_log_softmax_is_finite_for_any_logits(values):
    z = torch.tensor(values, dtype=torch.float32)
    s = losses.softmax(z, dim=0)
    assert_close(s.sum(), torch.tensor(1.0))
    assert_close(s, torch.softmax(z, dim=0))
    assert torch.isfinite(losses.log_softmax(z, dim=-1)).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=3), st.integers(0, 2),
       st.floats(0, 1), st.lists(st.floats(0.01, 5), min_size=3, max_size=3))
def test_cross_entropy_is_non_negative(values, target, smoothing, weight):
    z = torch.tensor([values], dtype=torch.float64)
    w = torch.tensor(weight, dtype=torch.float64)
    loss = losses.cross_entropy(z, torch.tensor([target]), w, label_smoothing=smoothing, reduction="none")
    assert (loss >= 0).all()


# ----- bad input: one test per kind of mistake ---------------------------------------------------------------

INDEX_LOSSES = [losses.cross_entropy, losses.nll_loss, losses.multi_margin_loss]


@pytest.mark.parametrize("loss", INDEX_LOSSES)
@pytest.mark.parametrize("bad", [3, -1, -100])
def test_class_indices_out_of_range_are_rejected(loss, bad):
    target = torch.tensor([0, bad])
    if loss is losses.multi_margin_loss or bad != -100:
        with pytest.raises(ValueError, match=r"`target` must hold class indices in \[0, 2\]"):
            loss(torch.zeros(2, 3), target)
    else:
        loss(torch.zeros(2, 3), target)  # -100 is the default ignore_index: allowed


def test_a_custom_ignore_index_is_allowed_and_the_default_no_longer_is():
    assert_close(losses.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 7]), ignore_index=7),
                 F.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 7]), ignore_index=7))
    with pytest.raises(ValueError, match="`target` must hold class indices in .* or ignore_index=7"):
        losses.cross_entropy(torch.zeros(2, 3), torch.tensor([0, -100]), ignore_index=7)


@pytest.mark.parametrize("loss", INDEX_LOSSES)
@pytest.mark.parametrize("dtype", [torch.int32, torch.uint8, torch.bool])
def test_class_indices_that_are_not_int64_are_rejected(loss, dtype):
    with pytest.raises(ValueError, match="`target` must hold class indices as torch.int64"):
        loss(torch.zeros(2, 3), torch.tensor([0, 1]).to(dtype))


@pytest.mark.parametrize("loss", [losses.nll_loss, losses.multi_margin_loss, losses.softmax_focal_loss])
def test_floating_class_indices_are_told_to_use_long_and_not_offered_probabilities(loss):
    with pytest.raises(ValueError) as error:
        loss(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))
    message = str(error.value)
    assert "class indices as torch.int64 (integers), got torch.float32 — use target.long()" in message
    assert "probabilit" not in message  # these losses take class indices only


@pytest.mark.parametrize("input_shape", [(2, 3), (3,), (2, 3, 4)])
def test_cross_entropy_with_floating_class_indices_says_use_long_not_a_shape_mistake(input_shape):
    input = torch.zeros(input_shape)
    target = torch.zeros(input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ())
    with pytest.raises(ValueError, match=r"class indices as torch.int64 \(integers\), got torch.float32 — use "
                                         r"target.long\(\); class probabilities would have the shape of `input`"):
        losses.cross_entropy(input, target)


def test_cross_entropy_with_integer_targets_of_another_dtype_mentions_both_kinds_of_target():
    with pytest.raises(ValueError, match=r"got torch.int32 — use target.long\(\), or pass class probabilities"):
        losses.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1], dtype=torch.int32))


@pytest.mark.parametrize("loss", [losses.cross_entropy, losses.nll_loss])
@pytest.mark.parametrize("ignore_index", [True, False, 1.5, -100.0, "1", None])
def test_an_ignore_index_that_is_not_an_int_is_rejected_naming_it(loss, ignore_index):
    with pytest.raises(ValueError, match="`ignore_index` must be an int"):
        loss(torch.zeros(2, 3), torch.tensor([0, 1]), ignore_index=ignore_index)


def test_ignore_index_true_no_longer_ignores_class_1():
    input, target = torch.randn(4, 3, generator=torch.Generator().manual_seed(0)), torch.tensor([0, 1, 2, 1])
    with pytest.raises(ValueError, match="`ignore_index`"):
        losses.cross_entropy(input, target, ignore_index=True)
    assert_close(losses.cross_entropy(input, target, ignore_index=1), F.cross_entropy(input, target, ignore_index=1))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("n_classes", [10, 100])
def test_low_precision_softmax_probabilities_are_accepted_as_targets(dtype, n_classes):
    g = torch.Generator().manual_seed(n_classes)
    logits = torch.randn(64, n_classes, generator=g) * 3
    target = torch.softmax(logits.to(dtype), 1)  # rows sum to 1 ± a few eps of the dtype, not ± 1e-4
    assert ((target.double().sum(1) - 1).abs() > 1e-4).any()
    input = torch.randn(64, n_classes, generator=g).to(dtype)
    value = losses.cross_entropy(input, target)
    assert value.dtype == dtype
    assert_close(value.float(), F.cross_entropy(input.float(), target.float()), rtol=2e-2, atol=0)


def test_the_row_sum_tolerance_is_still_1e_4_for_float32_targets():
    target = torch.tensor([[0.5, 0.5, 0.0], [0.3, 0.3, 0.4005]])
    with pytest.raises(ValueError, match=r"sum to 1 along dim 1 \(to within 0.0001 for torch.float32\)"):
        losses.cross_entropy(torch.zeros(2, 3), target)


@pytest.mark.parametrize("loss", INDEX_LOSSES)
def test_index_target_of_the_wrong_shape_is_rejected(loss):
    with pytest.raises(ValueError, match=r"`target` must have shape \(2,\)"):
        loss(torch.zeros(2, 3), torch.tensor([[0], [1]]))


def test_probability_targets_that_do_not_sum_to_one_are_rejected():
    with pytest.raises(ValueError, match="`target` of probabilities must be non-negative and sum to 1 along dim 1"):
        losses.cross_entropy(torch.zeros(2, 3), torch.tensor([[0.5, 0.5, 0.5], [1.0, 0.0, 0.0]]))


def test_probability_targets_of_the_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match="`target` must have the same shape as `input`"):
        losses.cross_entropy(torch.zeros(2, 3), torch.full((2, 1, 3), 1 / 3))


@pytest.mark.parametrize("name,bad", [("input", 1.5), ("input", -0.1), ("target", 2.0)])
def test_bce_probabilities_outside_the_unit_interval_are_rejected(name, bad):
    values = {"input": torch.tensor([0.5, 0.5]), "target": torch.tensor([0.0, 1.0])}
    values[name][0] = bad
    with pytest.raises(ValueError, match=f"`{name}` must hold probabilities in"):
        losses.binary_cross_entropy(values["input"], values["target"])


def test_hinge_rejects_zero_one_labels():
    with pytest.raises(ValueError, match=r"`target` must hold labels -1 or \+1"):
        losses.hinge_loss(torch.zeros(3), torch.tensor([0.0, 1.0, 1.0]))


@pytest.mark.parametrize("loss", [losses.binary_cross_entropy, losses.binary_cross_entropy_with_logits,
                                  losses.hinge_loss])
def test_a_column_against_a_vector_is_rejected_instead_of_broadcast(loss):
    with pytest.raises(ValueError, match=r"`target` must have the same shape as `input` \(\(4, 1\)\)"):
        loss(torch.full((4, 1), 0.5), torch.ones(4))


@pytest.mark.parametrize("name", ["weight", "pos_weight"])
def test_bce_weights_that_would_enlarge_the_input_are_rejected(name):
    with pytest.raises(ValueError, match=f"`{name}` must broadcast to the shape of `input`"):
        losses.binary_cross_entropy_with_logits(torch.zeros(4), torch.zeros(4), **{name: torch.ones(3, 4)})


@pytest.mark.parametrize("loss", [losses.cross_entropy, losses.nll_loss,
                                  lambda i, t, w: losses.multi_margin_loss(i, t, weight=w)])
@pytest.mark.parametrize("weight", [torch.ones(4), torch.ones(1, 3), torch.ones(3, dtype=torch.float64)])
def test_class_weight_of_the_wrong_shape_or_dtype_is_rejected(loss, weight):
    with pytest.raises(ValueError, match=r"`weight` must have (shape \(C,\) = \(3,\)|the same dtype)"):
        loss(torch.zeros(2, 3), torch.tensor([0, 1]), weight)


@pytest.mark.parametrize("label_smoothing", [-0.1, 1.5, float("nan")])
def test_label_smoothing_outside_the_unit_interval_is_rejected(label_smoothing):
    with pytest.raises(ValueError, match="`label_smoothing` must be"):
        losses.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), label_smoothing=label_smoothing)


@pytest.mark.parametrize("loss", [losses.hinge_loss, losses.multi_margin_loss])
def test_a_negative_margin_is_rejected(loss):
    target = torch.ones(2) if loss is losses.hinge_loss else torch.tensor([0, 1])
    with pytest.raises(ValueError, match=r"`margin` must be in \[0, inf\)"):
        loss(torch.zeros(2, 3) if loss is losses.multi_margin_loss else torch.zeros(2), target, margin=-1.0)


@pytest.mark.parametrize("p", [0, 3, 1.5, True])
def test_multi_margin_rejects_p_other_than_1_or_2(p):
    with pytest.raises(ValueError, match="`p` must be 1 or 2"):
        losses.multi_margin_loss(torch.zeros(2, 3), torch.tensor([0, 1]), p=p)


@pytest.mark.parametrize("name", list(ALL))
def test_an_unknown_reduction_is_rejected(name):
    ours, _, make = ALL[name]
    input, target, options = make((4, 3), torch.float32, torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="`reduction` must be one of"):
        ours(input, target, reduction="avg", **options)


@pytest.mark.parametrize(("ours", "twin"), [(losses.softmax, F.softmax), (losses.log_softmax, F.log_softmax)])
@pytest.mark.parametrize(("shape", "dim"), [((2, 0), 1), ((2, 0), -1), ((0, 3), 1), ((0, 3), 0), ((2, 0, 4), 1),
                                           ((0,), 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_of_a_tensor_with_an_empty_dimension_is_empty_like_torch(ours, twin, shape, dim, dtype):
    input = torch.zeros(shape, dtype=dtype, requires_grad=True)
    value = ours(input, dim)
    assert_close(value, twin(input, dim))
    (grad,) = torch.autograd.grad(value.sum(), input)
    assert grad.shape == shape


@pytest.mark.parametrize("fn", [losses.softmax, losses.log_softmax])
def test_softmax_rejects_a_dim_out_of_range(fn):
    with pytest.raises(ValueError, match=r"`dim` must be an int in \[-2, 2\)"):
        fn(torch.zeros(2, 3), dim=2)
