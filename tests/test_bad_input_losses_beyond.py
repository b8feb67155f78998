"""Bad input to the losses beyond class labels (segmentation, metric learning, distillation, multi-task) and to
the mask metrics, one row per mistake: a ``ValueError`` that names the argument, never an error from deep inside
torch, never a silently accepted value."""

from __future__ import annotations

import pytest
import torch

from lib import losses, metrics
from tests.helpers import assert_refused

NAN = float("nan")


def z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


def idx(*values):
    return torch.tensor(values, dtype=torch.int64)


def row(id, call, match, error=ValueError):
    return pytest.param(call, error, match, id=id)


def dice(input=None, target=None, **options):
    input = z(2, 3, 4) if input is None else input
    return losses.dice_loss(input, z(2, 3, 4) if target is None else target, **options)


ROWS = [
    row("dice_loss: input a list", lambda: dice([[0.0]]), "`input` must be a torch.Tensor"),
    row("dice_loss: input int64", lambda: dice(z(2, 3, 4, dtype=torch.int64)), "`input` must be a floating-point"),
    row("dice_loss: input 1-d", lambda: dice(z(4), z(4)), "`input` must have shape (N, C, *spatial)"),
    row("dice_loss: target a list", lambda: dice(target=[0, 1]), "`target` must be a torch.Tensor"),
    row("dice_loss: mask of another shape", lambda: dice(target=z(2, 3, 5)), "`target` must have the shape"),
    row("dice_loss: mask float64", lambda: dice(target=z(2, 3, 4, dtype=torch.float64)),
        "`target` must have the same dtype as `input`"),
    row("dice_loss: mask above 1", lambda: dice(target=z(2, 3, 4) + 2), "`target` must hold probabilities"),
    row("dice_loss: indices int32", lambda: dice(target=z(2, 4, dtype=torch.int32)), "`target` must hold class"),
    row("dice_loss: indices with a channel dim", lambda: dice(target=z(2, 1, 4, dtype=torch.int64)),
        "`target` of class indices must have shape (N, *spatial)"),
    row("dice_loss: index 3 of 3 classes", lambda: dice(target=idx(0, 1, 2, 3).expand(2, 4)),
        "`target` must hold class indices in [0, 2]"),
    row("dice_loss: indices with one channel", lambda: dice(z(2, 1, 4), z(2, 4, dtype=torch.int64)),
        "`target` of class indices needs `input` with C >= 2"),
    row("dice_loss: activation relu", lambda: dice(activation="relu"), "`activation` must be one of"),
    row("dice_loss: activation None on logits", lambda: dice(z(2, 3, 4) + 3, activation=None),
        "`input` must hold probabilities"),
    row("dice_loss: softmax of one channel", lambda: dice(z(2, 1, 4), z(2, 1, 4), activation="softmax"),
        "`activation`='softmax' needs `input` with C >= 2"),
    row("dice_loss: smooth -1", lambda: dice(smooth=-1.0), "`smooth` must be in [0, inf)"),
    row("dice_loss: smooth nan", lambda: dice(smooth=NAN), "`smooth` must be a finite real number"),
    row("dice_loss: smooth '1'", lambda: dice(smooth="1"), "`smooth` must be a finite real number"),
    row("dice_loss: include_background 'no'", lambda: dice(include_background="no"), "`include_background` must"),
    row("dice_loss: no background of one channel", lambda: dice(z(2, 1, 4), z(2, 1, 4), include_background=False),
        "`include_background`=False needs `input` with C >= 2"),
    row("dice_loss: squared 1", lambda: dice(squared=1), "`squared` must be True or False"),
    row("dice_loss: batch None", lambda: dice(batch=None), "`batch` must be True or False"),
    row("dice_loss: reduction batchmean", lambda: dice(reduction="batchmean"), "`reduction` must be one of"),
]
for name, f in (("dice_score", metrics.dice_score), ("iou_score", metrics.iou_score)):
    ROWS += [
        row(f"{name}: pred holds 2", lambda f=f: f(idx(0, 2), idx(0, 1)), "`pred` must be a binary mask"),
        row(f"{name}: target holds 0.5", lambda f=f: f(idx(0, 1), torch.tensor([0.5, 1.0])),
            "`target` must be a binary mask"),
        row(f"{name}: shapes differ", lambda f=f: f(idx(0, 1), idx(0, 1, 1)), "`target` must have the shape of"),
        row(f"{name}: pred a string", lambda f=f: f("mask", idx(0, 1)), "`pred` must be a tensor"),
    ]

# ----- metric learning ---------------------------------------------------------------------------------------------

BATCH_FUNCTIONS = {
    "contrastive_loss": losses.contrastive_loss,
    "info_nce_loss": losses.info_nce_loss,
    "mine_triplets": losses.mine_triplets,
}
BATCH_MISTAKES = {
    "embeddings a list": (lambda f: f([[0.0, 1.0]], idx(0)), "`embeddings` must be a torch.Tensor"),
    "embeddings int64": (lambda f: f(z(3, 2, dtype=torch.int64), idx(0, 0, 1)), "`embeddings` must be a floating"),
    "embeddings 1-d": (lambda f: f(z(3), idx(0, 0, 1)), "`embeddings` must have shape (N, D)"),
    "labels a list": (lambda f: f(z(3, 2), [0, 0, 1]), "`labels` must be a torch.Tensor"),
    "labels float": (lambda f: f(z(3, 2), z(3)), "`labels` must hold class indices as torch.int64"),
    "labels int32": (lambda f: f(z(3, 2), idx(0, 0, 1).int()), "`labels` must hold class indices as torch.int64"),
    "labels 2-d": (lambda f: f(z(3, 2), idx(0, 0, 1)[:, None]), "`labels` must have shape (3,)"),
    "labels too few": (lambda f: f(z(3, 2), idx(0, 0)), "`labels` must have shape (3,)"),
}
ROWS += [
    row(f"{name}: {mistake}", (lambda f=f, call=call: call(f)), match)
    for name, f in BATCH_FUNCTIONS.items()
    for mistake, (call, match) in BATCH_MISTAKES.items()
]
E, Y = (lambda: z(4, 2)), (lambda: idx(0, 0, 1, 1))
ROWS += [
    row(f"contrastive_loss: {arg}={value!r}", (lambda a=arg, v=value: losses.contrastive_loss(E(), Y(), **{a: v})),
        f"`{arg}` must be")
    for arg in ("pos_margin", "neg_margin") for value in (-1.0, NAN, "1", None)
]
ROWS += [
    row("contrastive_loss: reduction avg", lambda: losses.contrastive_loss(E(), Y(), reduction="avg"),
        "`reduction` must be one of ('none', 'mean', 'sum', 'nonzero_mean')"),
    row("mine_triplets: strategy hard", lambda: losses.mine_triplets(E(), Y(), strategy="hard"),
        "`strategy` must be one of"),
    row("mine_triplets: semihard without margin", lambda: losses.mine_triplets(E(), Y(), strategy="semihard"),
        "`margin` must be a finite real number"),
    row("mine_triplets: semihard margin 0", lambda: losses.mine_triplets(E(), Y(), strategy="semihard", margin=0.0),
        "`margin` must be in (0, inf)"),
    row("mine_triplets: margin with all", lambda: losses.mine_triplets(E(), Y(), margin=0.2),
        "`margin` is only used by strategy='semihard'"),
]
ROWS += [
    row(f"info_nce_loss: temperature={t!r}", (lambda t=t: losses.info_nce_loss(E(), Y(), temperature=t)),
        "`temperature` must be")
    for t in (0.0, -0.1, NAN, float("inf"), "0.1", None)
]


def triplet(anchor=None, positive=None, negative=None, **options):
    """``p`` is the norm's order, so the three inputs have their full names here."""
    return losses.triplet_margin_loss(*(z(3, 2) if x is None else x for x in (anchor, positive, negative)), **options)


ROWS += [
    row("triplet_margin_loss: anchor a list", lambda: triplet([[0.0, 0.0]]), "`anchor` must be a torch.Tensor"),
    row("triplet_margin_loss: positive int64", lambda: triplet(positive=z(3, 2, dtype=torch.int64)),
        "`positive` must be a floating-point"),
    row("triplet_margin_loss: anchor 3-d", lambda: triplet(z(3, 2, 1), z(3, 2, 1), z(3, 2, 1)),
        "`anchor` must have shape (N, D) or (D,)"),
    row("triplet_margin_loss: negative of another shape", lambda: triplet(negative=z(4, 2)),
        "`negative` must have the shape of `anchor`"),
    row("triplet_margin_loss: positive float64", lambda: triplet(positive=z(3, 2, dtype=torch.float64)),
        "`positive` must have the same dtype as `anchor`"),
    row("triplet_margin_loss: swap 'yes'", lambda: triplet(swap="yes"), "`swap` must be True or False"),
    row("triplet_margin_loss: reduction batchmean", lambda: triplet(reduction="batchmean"),
        "`reduction` must be one of"),
]
ROWS += [
    row(f"triplet_margin_loss: {arg}={value!r}", (lambda a=arg, v=value: triplet(**{a: v})), f"`{arg}` must be")
    for arg, values in (("margin", (0.0, -1.0, NAN)), ("p", (0.0, -2.0, NAN, "2")), ("eps", (-1e-6, NAN)))
    for value in values
]

PAIRWISE = {  # the function, its input shape, a margin out of its range
    "cosine_embedding_loss": (losses.cosine_embedding_loss, (3, 2), 2.0),
    "margin_ranking_loss": (losses.margin_ranking_loss, (3,), -1.0),
}
for name, (f, shape, out_of_range) in PAIRWISE.items():
    signs = (lambda: torch.ones(3)) if len(shape) == 1 else (lambda: idx(1, -1, 1))
    ROWS += [
        row(f"{name}: input1 a list", lambda f=f, s=signs: f([0.0], z(3), s()), "`input1` must be a torch.Tensor"),
        row(f"{name}: input2 int64", lambda f=f, sh=shape, s=signs: f(z(*sh), z(*sh, dtype=torch.int64), s()),
            "`input2` must be a floating-point"),
        row(f"{name}: input2 of another shape", lambda f=f, sh=shape, s=signs: f(z(*sh), z(4, *sh[1:]), s()),
            "`input2` must have the shape of `input1`"),
        row(f"{name}: input2 float64", lambda f=f, sh=shape, s=signs: f(z(*sh), z(*sh, dtype=torch.float64), s()),
            "`input2` must have the same dtype as `input1`"),
        row(f"{name}: target holds 0", lambda f=f, sh=shape: f(z(*sh), z(*sh), idx(1, 0, -1)),
            "`target` must hold only 1"),
        row(f"{name}: target bool", lambda f=f, sh=shape: f(z(*sh), z(*sh), torch.ones(3, dtype=torch.bool)),
            "`target` must hold only 1"),
        row(f"{name}: target of another shape", lambda f=f, sh=shape: f(z(*sh), z(*sh), idx(1, -1)),
            "`target` must have shape (3,)"),
        row(f"{name}: target a list", lambda f=f, sh=shape: f(z(*sh), z(*sh), [1, -1, 1]),
            "`target` must be a torch.Tensor"),
        row(f"{name}: margin nan", lambda f=f, sh=shape, s=signs: f(z(*sh), z(*sh), s(), margin=NAN),
            "`margin` must be a finite real number"),
        row(f"{name}: margin {out_of_range}", lambda f=f, sh=shape, s=signs, m=out_of_range: f(
            z(*sh), z(*sh), s(), margin=m), "`margin` must be in"),
        row(f"{name}: reduction avg", lambda f=f, sh=shape, s=signs: f(z(*sh), z(*sh), s(), reduction="avg"),
            "`reduction` must be one of"),
    ]

# ----- distillation --------------------------------------------------------------------------------------------------

def log_q():
    return torch.log_softmax(z(2, 3), 1)


def unif():
    return torch.full((2, 3), 1 / 3)


ROWS += [
    row("kl_div: input a list", lambda: losses.kl_div([0.0], unif()), "`input` must be a torch.Tensor"),
    row("kl_div: input logits", lambda: losses.kl_div(z(2, 3) + 1, unif()), "`input` must hold log-probabilities"),
    row("kl_div: input nan", lambda: losses.kl_div(log_q() * NAN, unif()), "`input` must hold log-probabilities"),
    row("kl_div: target int64", lambda: losses.kl_div(log_q(), z(2, 3, dtype=torch.int64)),
        "`target` must be a floating-point"),
    row("kl_div: target of another shape", lambda: losses.kl_div(log_q(), z(3, 3)),
        "`target` must have the same shape"),
    row("kl_div: target float64", lambda: losses.kl_div(log_q(), unif().double()), "`target` must have the same dtype"),
    row("kl_div: target negative", lambda: losses.kl_div(log_q(), -unif()), "`target` must hold probabilities"),
    row("kl_div: log target positive", lambda: losses.kl_div(log_q(), unif(), log_target=True),
        "`target` must hold log-probabilities"),
    row("kl_div: log_target 'yes'", lambda: losses.kl_div(log_q(), unif(), log_target="yes"), "`log_target` must be"),
    row("kl_div: reduction avg", lambda: losses.kl_div(log_q(), unif(), reduction="avg"),
        "`reduction` must be one of ('none', 'mean', 'sum', 'batchmean')"),
]


def distill(student=None, teacher=None, target=None, **options):
    return losses.distillation_loss(z(2, 3) if student is None else student, z(2, 3) if teacher is None else teacher,
                                    idx(0, 2) if target is None else target, **options)


ROWS += [
    row("distillation_loss: student int64", lambda: distill(z(2, 3, dtype=torch.int64)), "`student_logits` must be"),
    row("distillation_loss: student 1-d", lambda: distill(z(3), z(3)), "`teacher_logits` must have the shape of"),
    row("distillation_loss: teacher a list", lambda: distill(teacher=[[0.0]]), "`teacher_logits` must be a torch"),
    row("distillation_loss: teacher of another shape", lambda: distill(teacher=z(2, 4)),
        "`teacher_logits` must have the shape of `student_logits`"),
    row("distillation_loss: teacher float64", lambda: distill(teacher=z(2, 3, dtype=torch.float64)),
        "`teacher_logits` must have the dtype of `student_logits`"),
    row("distillation_loss: target int32", lambda: distill(target=idx(0, 2).int()), "`target` must hold class"),
    row("distillation_loss: target 3 of 3 classes", lambda: distill(target=idx(0, 3)),
        "`target` must hold class indices in [0, 2]"),
]
ROWS += [
    row(f"distillation_loss: {arg}={value!r}", (lambda a=arg, v=value: distill(**{a: v})), f"`{arg}` must be")
    for arg, values in (("temperature", (0.0, -1.0, NAN, "4")), ("alpha", (1.5, -0.1, NAN, None)))
    for value in values
]

# ----- multi-task ----------------------------------------------------------------------------------------------------

def three_losses():
    return [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(3.0)]


ROWS += [
    row("weighted_loss_sum: losses floats", lambda: losses.weighted_loss_sum([1.0, 2.0], [1, 1]), "`losses` must be"),
    row("weighted_loss_sum: losses 2-d", lambda: losses.weighted_loss_sum(z(2, 2), [1, 1]), "`losses` must be a 1-D"),
    row("weighted_loss_sum: no losses", lambda: losses.weighted_loss_sum([], []), "`losses` must hold at least one"),
    row("weighted_loss_sum: losses int64", lambda: losses.weighted_loss_sum(idx(1, 2), [1, 1]),
        "`losses` must be floating-point"),
    row("weighted_loss_sum: losses of two dtypes",
        lambda: losses.weighted_loss_sum([torch.tensor(1.0), torch.tensor(1.0, dtype=torch.float64)], [1, 1]),
        "`losses` must share one dtype"),
    row("weighted_loss_sum: weights too few", lambda: losses.weighted_loss_sum(three_losses(), [1.0, 1.0]),
        "`weights` must be a sequence of 3 numbers"),
    row("weighted_loss_sum: weights a number", lambda: losses.weighted_loss_sum(three_losses(), 1.0),
        "`weights` must be a sequence of 3 numbers"),
    row("weighted_loss_sum: weight negative", lambda: losses.weighted_loss_sum(three_losses(), [1.0, -1.0, 1.0]),
        "`weights` must be in [0, inf)"),
    row("weighted_loss_sum: weight nan", lambda: losses.weighted_loss_sum(three_losses(), [1.0, NAN, 1.0]),
        "`weights` must be a finite real number"),
    row("weighted_loss_sum: weight a string", lambda: losses.weighted_loss_sum(three_losses(), ["1", 1, 1]),
        "`weights` must be a finite real number"),
]
ROWS += [
    row(f"UncertaintyWeighting: num_tasks={n!r}", (lambda n=n: losses.UncertaintyWeighting(n)),
        "`num_tasks` must be a positive int")
    for n in (0, -1, 1.5, True, "2")
]
ROWS += [
    row(f"UncertaintyWeighting: init_log_variance={v!r}",
        (lambda v=v: losses.UncertaintyWeighting(2, init_log_variance=v)), "`init_log_variance` must be")
    for v in (NAN, float("inf"), "0", None)
]
ROWS += [
    row("UncertaintyWeighting: two losses for three tasks", lambda: losses.UncertaintyWeighting(3)(three_losses()[:2]),
        "`losses` must hold 3 (num_tasks) task losses"),
    row("UncertaintyWeighting: losses 0-d", lambda: losses.UncertaintyWeighting(1)(torch.tensor(1.0)),
        "`losses` must be a 1-D tensor"),
    row("UncertaintyWeighting: losses (N, 1)", lambda: losses.UncertaintyWeighting(3)(z(3, 1)),
        "`losses` must be a 1-D tensor"),
    row("UncertaintyWeighting: losses a set", lambda: losses.UncertaintyWeighting(1)({torch.tensor(1.0)}),
        "`losses` must be a 1-D tensor or a sequence"),
]


@pytest.mark.parametrize("call, error, match", ROWS)
def test_bad_input_is_refused_naming_the_argument(call, error, match):
    assert_refused(call, error, match)
