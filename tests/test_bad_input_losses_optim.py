"""Bad input to the public functions of lib.losses, lib.optim, lib.checks and lib.metrics, one row per mistake.

Every row calls a function with one wrong argument and expects a ``ValueError`` (or ``TypeError``) whose message
names that argument: never an error from deep inside torch, never a silently accepted value.
"""

from __future__ import annotations

import pytest
import torch

from lib import checks, losses, metrics, optim
from tests.helpers import COMMON_RULE_MISTAKES, assert_refused, call_rule

NAN = float("nan")


def z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


def idx(*values):
    return torch.tensor(values, dtype=torch.int64)


def probs(*rows):
    return torch.tensor(rows, dtype=torch.float32)


def row(id, call, match, error=ValueError):
    """``call`` is a thunk, so that the inputs are built when the row runs, not when the module is collected."""
    return pytest.param(call, error, match, id=id)


# ----- regression losses --------------------------------------------------------------------------------------

REGRESSION = {
    "mse_loss": losses.mse_loss,
    "l1_loss": losses.l1_loss,
    "huber_loss": losses.huber_loss,
    "smooth_l1_loss": losses.smooth_l1_loss,
    "log_cosh_loss": losses.log_cosh_loss,
    "quantile_loss": lambda i, t, **kw: losses.quantile_loss(i, t, q=0.5, **kw),
}
PAIR_MISTAKES = {
    "input a list": (lambda f: f([0.0, 1.0], z(2)), "`input` must be a torch.Tensor"),
    "target a number": (lambda f: f(z(2), 1.0), "`target` must be a torch.Tensor"),
    "input int64": (lambda f: f(z(2, dtype=torch.int64), z(2)), "`input` must be a floating-point tensor"),
    "target bool": (lambda f: f(z(2), z(2, dtype=torch.bool)), "`target` must be a floating-point tensor"),
    "column against vector": (lambda f: f(z(4, 1), z(4)), "`target` must have the same shape as `input`"),
    "float64 target": (lambda f: f(z(4), z(4, dtype=torch.float64)), "`target` must have the same dtype as `input`"),
    "reduction avg": (lambda f: f(z(4), z(4), reduction="avg"), "`reduction` must be one of"),
    "reduction None": (lambda f: f(z(4), z(4), reduction=None), "`reduction` must be one of"),
}
ROWS = [
    row(f"{name}: {mistake}", (lambda f=f, call=call: call(f)), match)
    for name, f in REGRESSION.items()
    for mistake, (call, match) in PAIR_MISTAKES.items()
]
ROWS += [
    row(f"huber_loss: delta={delta!r}", (lambda d=delta: losses.huber_loss(z(3), z(3), delta=d)), "`delta` must be")
    for delta in (0.0, -1.0, NAN, "1", None, True)
]
ROWS += [
    row(f"smooth_l1_loss: beta={beta!r}", (lambda b=beta: losses.smooth_l1_loss(z(3), z(3), beta=b)), "`beta` must be")
    for beta in (-1.0, float("inf"), "0.5")
]
ROWS += [
    row(f"quantile_loss: q={q!r}", (lambda q=q: losses.quantile_loss(z(3), z(3), q=q)), "`q` must be")
    for q in (0.0, 1.0, 1.5, -0.5, None, "0.5", NAN)
]

# ----- binary classification ----------------------------------------------------------------------------------

ROWS += [
    row("binary_cross_entropy: input above 1", lambda: losses.binary_cross_entropy(probs(0.5, 1.5), z(2)),
        "`input` must hold probabilities in [0, 1]"),
    row("binary_cross_entropy: input nan", lambda: losses.binary_cross_entropy(probs(0.5, NAN), z(2)),
        "`input` must hold probabilities in [0, 1]"),
    row("binary_cross_entropy: target 2", lambda: losses.binary_cross_entropy(probs(0.5, 0.5), probs(0, 2)),
        "`target` must hold probabilities in [0, 1]"),
    row("binary_cross_entropy: weight enlarges", lambda: losses.binary_cross_entropy(z(4), z(4), z(3, 4)),
        "`weight` must broadcast to the shape of `input`"),
    row("binary_cross_entropy: weight a list", lambda: losses.binary_cross_entropy(z(2), z(2), [1.0, 2.0]),
        "`weight` must be a torch.Tensor"),
    row("binary_cross_entropy: weight float64",
        lambda: losses.binary_cross_entropy(z(2), z(2), z(2, dtype=torch.float64)), "`weight` must have the same"),
    row("binary_cross_entropy: reduction", lambda: losses.binary_cross_entropy(z(2), z(2), reduction="max"),
        "`reduction` must be one of"),
    row("bce_with_logits: target -1", lambda: losses.binary_cross_entropy_with_logits(z(2), probs(0, -1)),
        "`target` must hold probabilities in [0, 1]"),
    row("bce_with_logits: pos_weight enlarges",
        lambda: losses.binary_cross_entropy_with_logits(z(4), z(4), pos_weight=z(2, 4)),
        "`pos_weight` must broadcast to the shape of `input`"),
    row("bce_with_logits: pos_weight int",
        lambda: losses.binary_cross_entropy_with_logits(z(4), z(4), pos_weight=idx(1)),
        "`pos_weight` must be a floating-point tensor"),
    row("bce_with_logits: input a list", lambda: losses.binary_cross_entropy_with_logits([0.0], z(1)),
        "`input` must be a torch.Tensor"),
    row("hinge_loss: 0/1 labels", lambda: losses.hinge_loss(z(3), probs(0, 1, 1)),
        "`target` must hold labels -1 or +1"),
    row("hinge_loss: margin -1", lambda: losses.hinge_loss(z(2), probs(1, -1), margin=-1.0), "`margin` must be in"),
    row("hinge_loss: margin '1'", lambda: losses.hinge_loss(z(2), probs(1, -1), margin="1"), "`margin` must be a"),
]

# ----- multi-class classification -----------------------------------------------------------------------------

for name, f in {"nll_loss": losses.nll_loss, "cross_entropy": losses.cross_entropy}.items():
    ROWS += [
        row(f"{name}: ignore_index={bad!r}", (lambda f=f, bad=bad: f(z(2, 3), idx(0, 1), ignore_index=bad)),
            "`ignore_index` must be an int")
        for bad in (True, 1.5, "1", None)
    ]
    ROWS += [
        row(f"{name}: int32 targets", (lambda f=f: f(z(2, 3), idx(0, 1).int())),
            "`target` must hold class indices as torch.int64"),
        row(f"{name}: float class indices", (lambda f=f: f(z(2, 3), probs(0, 1))),
            "class indices as torch.int64 (integers), got torch.float32 — use target.long()"),
        row(f"{name}: index out of range", (lambda f=f: f(z(2, 3), idx(0, 3))),
            "`target` must hold class indices in [0, 2]"),
        row(f"{name}: weight of 4 classes", (lambda f=f: f(z(2, 3), idx(0, 1), z(4))), "`weight` must have shape (C,)"),
        row(f"{name}: weight float64", (lambda f=f: f(z(2, 3), idx(0, 1), z(3, dtype=torch.float64))),
            "`weight` must have the same dtype as `input`"),
        row(f"{name}: 0-d input", (lambda f=f: f(torch.tensor(1.0), idx(0)[0])), "`input` must have a class dimension"),
        row(f"{name}: int input", (lambda f=f: f(z(2, 3, dtype=torch.int64), idx(0, 1))),
            "`input` must be a floating-point tensor"),
        row(f"{name}: target of the wrong shape", (lambda f=f: f(z(2, 3), idx(0, 1, 2))), "`target` must have shape"),
        row(f"{name}: target a list", (lambda f=f: f(z(2, 3), [0, 1])), "`target` must be a torch.Tensor"),
        row(f"{name}: reduction", (lambda f=f: f(z(2, 3), idx(0, 1), reduction="avg")), "`reduction` must be one of"),
    ]
ROWS += [
    row(f"cross_entropy: label_smoothing={bad!r}",
        (lambda bad=bad: losses.cross_entropy(z(2, 3), idx(0, 1), label_smoothing=bad)), "`label_smoothing` must be")
    for bad in (-0.1, 1.5, NAN, "0.1", None)
]
ROWS += [
    row("cross_entropy: probabilities not summing to 1",
        lambda: losses.cross_entropy(z(2, 3), probs([0.5, 0.5, 0.5], [1, 0, 0])),
        "`target` of probabilities must be non-negative and sum to 1"),
    row("cross_entropy: negative probabilities",
        lambda: losses.cross_entropy(z(2, 3), probs([1.5, -0.5, 0], [1, 0, 0])),
        "`target` of probabilities must be non-negative"),
    row("cross_entropy: probabilities of the wrong shape",
        lambda: losses.cross_entropy(z(2, 3), torch.full((2, 1, 3), 1 / 3)), "`target` must have the same shape"),
    row("cross_entropy: probabilities float64", lambda: losses.cross_entropy(z(2, 3), z(2, 3, dtype=torch.float64)),
        "`target` must have the same dtype as `input`"),
    row("cross_entropy: input a list", lambda: losses.cross_entropy([[0.0, 1.0]], idx(0)),
        "`input` must be a torch.Tensor"),
]
ROWS += [
    row(f"multi_margin_loss: p={p!r}", (lambda p=p: losses.multi_margin_loss(z(2, 3), idx(0, 1), p=p)),
        "`p` must be 1 or 2")
    for p in (0, 3, 1.5, True, "1")
]
ROWS += [
    row("multi_margin_loss: margin -1", lambda: losses.multi_margin_loss(z(2, 3), idx(0, 1), margin=-1.0),
        "`margin` must be in"),
    row("multi_margin_loss: 3-d input", lambda: losses.multi_margin_loss(z(2, 3, 4), idx(0, 1)),
        "`input` must have shape (C,) or (N, C)"),
    row("multi_margin_loss: weight of 2 classes", lambda: losses.multi_margin_loss(z(2, 3), idx(0, 1), weight=z(2)),
        "`weight` must have shape (C,)"),
    row("multi_margin_loss: float targets", lambda: losses.multi_margin_loss(z(2, 3), probs(0, 1)),
        "use target.long()"),
    row("multi_margin_loss: reduction", lambda: losses.multi_margin_loss(z(2, 3), idx(0, 1), reduction="all"),
        "`reduction` must be one of"),
]
for name, f in {"softmax": losses.softmax, "log_softmax": losses.log_softmax}.items():
    ROWS += [
        row(f"{name}: dim={dim!r}", (lambda f=f, dim=dim: f(z(2, 3), dim)), "`dim` must be an int")
        for dim in (2, -3, 1.5, None, True, "1")
    ]
    ROWS += [
        row(f"{name}: int input", (lambda f=f: f(z(2, 3, dtype=torch.int64), 1)), "`input` must be a floating-point"),
        row(f"{name}: input a list", (lambda f=f: f([0.0, 1.0], 0)), "`input` must be a torch.Tensor"),
    ]

# ----- focal losses -------------------------------------------------------------------------------------------

ROWS += [
    row("sigmoid_focal_loss: alpha 1.5", lambda: losses.sigmoid_focal_loss(z(3), z(3), alpha=1.5), "`alpha` must be"),
    row("sigmoid_focal_loss: alpha None", lambda: losses.sigmoid_focal_loss(z(3), z(3), alpha=None), "`alpha` must be"),
    row("sigmoid_focal_loss: gamma -1", lambda: losses.sigmoid_focal_loss(z(3), z(3), gamma=-1.0), "`gamma` must be"),
    row("sigmoid_focal_loss: gamma nan", lambda: losses.sigmoid_focal_loss(z(3), z(3), gamma=NAN), "`gamma` must be"),
    row("sigmoid_focal_loss: targets 2", lambda: losses.sigmoid_focal_loss(z(2), probs(0, 2)),
        "`targets` must hold probabilities in [0, 1]"),
    row("sigmoid_focal_loss: inputs a list", lambda: losses.sigmoid_focal_loss([0.0], z(1)),
        "`inputs` must be a torch.Tensor"),
    row("sigmoid_focal_loss: column against vector", lambda: losses.sigmoid_focal_loss(z(3, 1), z(3)),
        "`targets` must have the same shape as `inputs`"),
    row("sigmoid_focal_loss: reduction", lambda: losses.sigmoid_focal_loss(z(3), z(3), reduction="avg"),
        "`reduction` must be one of"),
    row("softmax_focal_loss: alpha of 4 classes", lambda: losses.softmax_focal_loss(z(2, 3), idx(0, 1), alpha=z(4)),
        "`alpha` must have shape (C,)"),
    row("softmax_focal_loss: alpha float64",
        lambda: losses.softmax_focal_loss(z(2, 3), idx(0, 1), alpha=z(3, dtype=torch.float64)),
        "`alpha` must have the same dtype"),
    row("softmax_focal_loss: alpha a list", lambda: losses.softmax_focal_loss(z(2, 3), idx(0, 1), alpha=[1.0, 1, 1]),
        "`alpha` must be a torch.Tensor"),
    row("softmax_focal_loss: gamma -1", lambda: losses.softmax_focal_loss(z(2, 3), idx(0, 1), gamma=-1.0),
        "`gamma` must be"),
    row("softmax_focal_loss: one class", lambda: losses.softmax_focal_loss(z(2, 1), idx(0, 0)),
        "`input` must have at least 2 classes"),
    row("softmax_focal_loss: float targets", lambda: losses.softmax_focal_loss(z(2, 3), probs(0, 1)),
        "use target.long()"),
    row("softmax_focal_loss: reduction", lambda: losses.softmax_focal_loss(z(2, 3), idx(0, 1), reduction="avg"),
        "`reduction` must be one of"),
]

# ----- optimizers ---------------------------------------------------------------------------------------------

OPTIMIZERS = {
    "SGD": optim.SGD, "Adagrad": optim.Adagrad, "RMSprop": optim.RMSprop, "Adadelta": optim.Adadelta,
    "Adam": optim.Adam, "AdamW": optim.AdamW, "Lion": optim.Lion,
}  # fmt: skip


def params():
    return [torch.nn.Parameter(z(3))]


def add_group(cls, **options):
    opt = cls(params())
    opt.add_param_group({"params": params(), **options})


for name, cls in OPTIMIZERS.items():
    ROWS += [
        row(f"{name}: lr={lr!r}", (lambda cls=cls, lr=lr: cls(params(), lr=lr)), "`lr` must be")
        for lr in (-0.1, NAN, "0.1", None, torch.tensor(0.1))
    ]
    ROWS += [
        row(f"{name}: weight_decay -1", (lambda cls=cls: cls(params(), weight_decay=-1.0)), "`weight_decay` must be"),
        row(f"{name}: maximize 0", (lambda cls=cls: cls(params(), maximize=0)), "`maximize` must be a bool"),
        row(f"{name}: empty params", (lambda cls=cls: cls([])), "`params` is empty"),
        row(f"{name}: params a tensor", (lambda cls=cls: cls(z(3))), "params", TypeError),
        row(f"{name}: add_param_group lr -1", (lambda cls=cls: add_group(cls, lr=-1.0)), "`lr` must be"),
    ]
for name in ("Adam", "AdamW", "Lion"):
    cls = OPTIMIZERS[name]
    ROWS += [
        row(f"{name}: betas 0.9", (lambda cls=cls: cls(params(), betas=0.9)), "`betas` must be a pair"),
        row(f"{name}: betas of three", (lambda cls=cls: cls(params(), betas=(0.9, 0.99, 0.999))),
            "`betas` must be a pair"),
        row(f"{name}: beta1 = 1", (lambda cls=cls: cls(params(), betas=(1.0, 0.99))), "`betas[0]` must be in [0, 1)"),
        row(f"{name}: beta2 nan", (lambda cls=cls: cls(params(), betas=(0.9, NAN))), "`betas[1]` must be"),
    ]
for name in ("Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW"):
    cls = OPTIMIZERS[name]
    ROWS.append(row(f"{name}: eps -1e-8", (lambda cls=cls: cls(params(), eps=-1e-8)), "`eps` must be"))
ROWS += [
    row("SGD: momentum -0.9", lambda: optim.SGD(params(), momentum=-0.9), "`momentum` must be"),
    row("SGD: nesterov without momentum", lambda: optim.SGD(params(), nesterov=True), "`nesterov` momentum requires"),
    row("SGD: nesterov 'yes'", lambda: optim.SGD(params(), momentum=0.9, nesterov="yes"), "`nesterov` must be a bool"),
    row("SGD: dampening 2", lambda: optim.SGD(params(), momentum=0.9, dampening=2.0), "`dampening` must be in"),
    row("RMSprop: momentum -0.9", lambda: optim.RMSprop(params(), momentum=-0.9), "`momentum` must be"),
    row("RMSprop: alpha 1.5", lambda: optim.RMSprop(params(), alpha=1.5), "`alpha` must be in [0, 1]"),
    row("RMSprop: centered 1", lambda: optim.RMSprop(params(), centered=1), "`centered` must be a bool"),
    row("Adadelta: rho -0.1", lambda: optim.Adadelta(params(), rho=-0.1), "`rho` must be in [0, 1]"),
    row("Adagrad: lr_decay -1", lambda: optim.Adagrad(params(), lr_decay=-1.0), "`lr_decay` must be"),
    row("Adagrad: initial_accumulator_value -1", lambda: optim.Adagrad(params(), initial_accumulator_value=-1.0),
        "`initial_accumulator_value` must be"),
    row("Adam: amsgrad 'yes'", lambda: optim.Adam(params(), amsgrad="yes"), "`amsgrad` must be a bool"),
    row("AdamW: add_param_group betas (1, 1)", lambda: add_group(optim.AdamW, betas=(1.0, 1.0)), "`betas[0]` must be"),
]

# ----- update rules called directly ---------------------------------------------------------------------------

RULES = {
    "sgd_update_": (optim.sgd_update_, dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False,
                                            maximize=False)),
    "adagrad_update_": (optim.adagrad_update_, dict(lr=0.1, lr_decay=0.0, weight_decay=0.0,
                                                    initial_accumulator_value=0.0, eps=1e-10, maximize=False)),
    "rmsprop_update_": (optim.rmsprop_update_, dict(lr=0.1, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                                    centered=False, maximize=False)),
    "adadelta_update_": (optim.adadelta_update_, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)),
    "adam_update_": (optim.adam_update_, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                                              maximize=False)),
    "adamw_update_": (optim.adamw_update_, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                                                amsgrad=False, maximize=False)),
    "lion_update_": (optim.lion_update_, dict(lr=0.1, betas=(0.9, 0.99), weight_decay=0.0, maximize=False)),
}  # fmt: skip
RULE_MISTAKES = COMMON_RULE_MISTAKES


ROWS += [
    row(f"{name}: {mistake}", (lambda r=rule, o=options, m=make, v=overrides: call_rule(r, o, m, v)), match)
    for name, (rule, options) in RULES.items()
    for mistake, (make, overrides, match) in RULE_MISTAKES.items()
]
ROWS.append(row("lion_update_: nan gradient",
                lambda: call_rule(*RULES["lion_update_"], lambda: (z(2), probs(0, NAN), {}), {}),
                "`grad` has 1 nan/inf entries"))

# ----- exercise checks ----------------------------------------------------------------------------------------

CASE = checks.Case("a case", (z(3), z(3)))


def adam_rule(param, grad, state, **options):
    optim.adam_update_(param, grad, state, weight_decay=0.0, amsgrad=False, maximize=False, **options)


ADAM = dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8)
ROWS += [
    row("check_value: rtol -1", lambda: checks.check_value(1.0, 1.0, name="x", rtol=-1.0), "`rtol` must be"),
    row("check_value: atol nan", lambda: checks.check_value(1.0, 1.0, name="x", atol=NAN), "`atol` must be"),
    row("check_value: expected nan", lambda: checks.check_value(1.0, NAN, name="x"), "`expected` must be"),
    row("check_value: expected a tensor of two", lambda: checks.check_value(1.0, z(2), name="x"), "`expected` must be"),
    row("check_value: name 3", lambda: checks.check_value(1.0, 1.0, name=3), "`name` must be a str"),
    row("check_function: no cases", lambda: checks.check_function(losses.mse_loss, losses.mse_loss, []),
        "`cases` must hold at least one Case"),
    row("check_function: one Case, not a list", lambda: checks.check_function(losses.mse_loss, losses.mse_loss, CASE),
        "`cases` must be a list of Case"),
    row("check_function: a tuple instead of a Case",
        lambda: checks.check_function(losses.mse_loss, losses.mse_loss, [(z(3), z(3))]), "`cases[0]` must be a Case"),
    row("check_function: fn not callable", lambda: checks.check_function("mse", losses.mse_loss, [CASE]),
        "`fn` must be a function"),
    row("check_function: reference not callable", lambda: checks.check_function(losses.mse_loss, None, [CASE]),
        "`reference` must be a function"),
    row("check_function: atol -1", lambda: checks.check_function(losses.mse_loss, losses.mse_loss, [CASE], atol=-1.0),
        "`atol` must be"),
    row("check_loss: options a list", lambda: checks.check_loss(losses.huber_loss, losses.huber_loss, options=[1.0]),
        "`options` must be a dict"),
    row("check_loss: reduction 'avg'",
        lambda: checks.check_loss(losses.mse_loss, losses.mse_loss, reductions=("mean", "avg")),
        "`reductions` must"),
    row("check_gradient_formula: grad_fn not callable",
        lambda: checks.check_gradient_formula(None, losses.mse_loss), "`grad_fn` must be a function"),
    row("check_optimizer_step: empty shape", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, shape=(0,)), "`shape` must have at least one element"),
    row("check_optimizer_step: shape '34'", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, shape="34"), "`shape` must be a tuple of positive ints"),
    row("check_optimizer_step: shape (2.5,)", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, shape=(2.5,)), "`shape` must be a tuple of positive ints"),
    row("check_optimizer_step: steps 0", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, steps=0), "`steps` must be a positive int"),
    row("check_optimizer_step: steps 1.5", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, steps=1.5), "`steps` must be a positive int"),
    row("check_optimizer_step: rtol -1", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=ADAM, rtol=-1.0), "`rtol` must be"),
    row("check_optimizer_step: options a list", lambda: checks.check_optimizer_step(
        adam_rule, torch.optim.Adam, options=[0.1]), "`options` must be a dict"),
    row("check_optimizer_step: update_fn None", lambda: checks.check_optimizer_step(
        None, torch.optim.Adam, options=ADAM), "`update_fn` must be a function"),
    row("check_optimizer_step: reference 'Adam'", lambda: checks.check_optimizer_step(
        adam_rule, "Adam", options=ADAM), "`reference` must be a function"),
    row("optimizer_gradients: steps 0", lambda: checks.optimizer_gradients(0, (3,)), "`steps` must be a positive int"),
    row("optimizer_gradients: shape (3, 0)", lambda: checks.optimizer_gradients(2, (3, 0)),
        "`shape` must have at least one element"),
    row("format_difference: floor -1", lambda: checks.format_difference(1.0, floor=-1.0), "`floor` must be"),
    row("format_difference: value 'a'", lambda: checks.format_difference("a"), "`value` must be"),
    row("max_difference: input a list", lambda: checks.max_difference(losses.mse_loss, losses.mse_loss, [1.0], z(1)),
        "`input` must be a torch.Tensor"),
    row("max_difference: int input", lambda: checks.max_difference(losses.mse_loss, losses.mse_loss, idx(1), z(1)),
        "`input` must be a floating-point"),
    row("max_difference: fn not callable", lambda: checks.max_difference(None, losses.mse_loss, z(1), z(1)),
        "`fn` must be a function"),
    row("check_choice: correct not an option",
        lambda: checks.check_choice("a", correct="c", explanations={"a": "why a", "b": "why b"}),
        "`correct` must be one of the options"),
    row("check_choice: explanations a list", lambda: checks.check_choice("a", correct="a", explanations=["a"]),
        "`explanations` must be a dict"),
]

# ----- calibration metrics ------------------------------------------------------------------------------------

ECE = metrics.expected_calibration_error
ROWS += [
    row("ece: probs of 3 dims", lambda: ECE(z(2, 2, 2), idx(0, 1)), "`probs` must have shape (N, C) or (N,)"),
    row("ece: no samples", lambda: ECE(z(0, 3), idx()), "`probs` must have shape (N, C) or (N,) with N > 0"),
    row("ece: float labels", lambda: ECE(probs([1, 0], [0, 1]), probs(0, 1)), "`labels` must hold integer"),
    row("ece: labels out of range", lambda: ECE(probs([1, 0], [0, 1]), idx(0, 2)), "`labels` must hold class indices"),
    row("ece: labels of another length", lambda: ECE(probs([1, 0], [0, 1]), idx(0)), "`labels` must have shape (2,)"),
    row("ece: logits", lambda: ECE(probs([2, -1], [0, 1]), idx(0, 1)), "`probs` must hold probabilities in [0, 1]"),
    row("ece: rows not summing to 1", lambda: ECE(probs([0.5, 0.2], [0, 1]), idx(0, 1)), "`probs` rows must sum to 1"),
    row("ece: probs a string", lambda: ECE("0.5", [0]), "`probs` must be a tensor"),
    row("ece: n_bins 0", lambda: ECE(probs([1, 0]), idx(0), n_bins=0), "`n_bins` must be a positive int"),
    row("ece: n_bins 1.5", lambda: ECE(probs([1, 0]), idx(0), n_bins=1.5), "`n_bins` must be a positive int"),
    row("ece: n_bins True", lambda: ECE(probs([1, 0]), idx(0), n_bins=True), "`n_bins` must be a positive int"),
    row("reliability_diagram_data: labels strings",
        lambda: metrics.reliability_diagram_data([[1.0, 0.0]], ["a"]), "`labels` must be a tensor"),
]


def test_the_table_has_at_least_120_rows():
    assert len(ROWS) >= 120


@pytest.mark.parametrize(("call", "error", "match"), ROWS)
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, match):
    assert_refused(call, error, match)
