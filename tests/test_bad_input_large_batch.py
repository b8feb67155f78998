"""Bad input to lib.optim.LARS, LAMB and their update rules, one row per mistake: a ``ValueError`` (or
``TypeError``) whose message names the argument, raised before any parameter or state changes."""

from __future__ import annotations

import pytest
import torch

from lib import optim
from tests.helpers import COMMON_RULE_MISTAKES, assert_refused, call_rule

NAN = float("nan")


def z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


def params():
    return [torch.nn.Parameter(z(3, 2))]


def row(id, call, match, error=ValueError):
    return pytest.param(call, error, match, id=id)


def add_group(cls, **options):
    cls(params()).add_param_group({"params": params(), **options})


ROWS = []
for name, cls in {"LARS": optim.LARS, "LAMB": optim.LAMB}.items():
    ROWS += [
        row(f"{name}: lr={lr!r}", (lambda cls=cls, lr=lr: cls(params(), lr=lr)), "`lr` must be")
        for lr in (-0.1, NAN, "0.1", None)
    ]
    ROWS += [
        row(f"{name}: weight_decay -1", (lambda cls=cls: cls(params(), weight_decay=-1.0)), "`weight_decay` must be"),
        row(f"{name}: exclude_1d 'yes'", (lambda cls=cls: cls(params(), exclude_1d="yes")), "`exclude_1d` must be"),
        row(f"{name}: maximize 0", (lambda cls=cls: cls(params(), maximize=0)), "`maximize` must be a bool"),
        row(f"{name}: empty params", (lambda cls=cls: cls([])), "`params` is empty"),
        row(f"{name}: params a tensor", (lambda cls=cls: cls(z(3))), "params", TypeError),
        row(f"{name}: add_param_group lr -1", (lambda cls=cls: add_group(cls, lr=-1.0)), "`lr` must be"),
        row(f"{name}: add_param_group exclude_1d 1", (lambda cls=cls: add_group(cls, exclude_1d=1)),
            "`exclude_1d` must be"),
    ]
ROWS += [
    row("LARS: momentum -0.9", lambda: optim.LARS(params(), momentum=-0.9), "`momentum` must be"),
    row("LARS: dampening 2", lambda: optim.LARS(params(), dampening=2.0), "`dampening` must be in"),
    row("LARS: trust_coefficient -1e-3", lambda: optim.LARS(params(), trust_coefficient=-1e-3),
        "`trust_coefficient` must be"),
    row("LARS: trust_coefficient nan", lambda: optim.LARS(params(), trust_coefficient=NAN), "`trust_coefficient`"),
    row("LARS: nesterov without momentum", lambda: optim.LARS(params(), momentum=0.0, nesterov=True),
        "`nesterov` momentum requires"),
    row("LARS: nesterov with dampening", lambda: optim.LARS(params(), dampening=0.5, nesterov=True),
        "`nesterov` momentum requires"),
    row("LARS: nesterov 'yes'", lambda: optim.LARS(params(), nesterov="yes"), "`nesterov` must be a bool"),
    row("LAMB: betas 0.9", lambda: optim.LAMB(params(), betas=0.9), "`betas` must be a pair"),
    row("LAMB: beta1 = 1", lambda: optim.LAMB(params(), betas=(1.0, 0.999)), "`betas[0]` must be in [0, 1)"),
    row("LAMB: beta2 nan", lambda: optim.LAMB(params(), betas=(0.9, NAN)), "`betas[1]` must be"),
    row("LAMB: eps -1e-6", lambda: optim.LAMB(params(), eps=-1e-6), "`eps` must be"),
    row("LAMB: bias_correction 1", lambda: optim.LAMB(params(), bias_correction=1), "`bias_correction` must be"),
    row("LAMB: weight_norm_clip 0", lambda: optim.LAMB(params(), weight_norm_clip=0.0), "`weight_norm_clip` must be"),
    row("LAMB: weight_norm_clip inf", lambda: optim.LAMB(params(), weight_norm_clip=float("inf")),
        "`weight_norm_clip` must be"),
    row("LAMB: weight_norm_clip '10'", lambda: optim.LAMB(params(), weight_norm_clip="10"),
        "`weight_norm_clip` must be"),
]

RULES = {
    "lars_update_": (optim.lars_update_, dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0,
                                              trust_coefficient=1e-3, nesterov=False, exclude_1d=True,
                                              maximize=False)),
    "lamb_update_": (optim.lamb_update_, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0,
                                              bias_correction=True, weight_norm_clip=None, exclude_1d=False,
                                              maximize=False)),
}  # fmt: skip
RULE_MISTAKES = {
    **COMMON_RULE_MISTAKES,
    "state from other steps": (lambda: (z(3), z(3), {"trust_ratio": z()}), {}, "`state` has no"),
    "weight_decay nan": (lambda: (z(3), z(3), {}), {"weight_decay": NAN}, "`weight_decay` must be"),
    "exclude_1d None": (lambda: (z(3), z(3), {}), {"exclude_1d": None}, "`exclude_1d` must be"),
}


ROWS += [
    row(f"{name}: {mistake}", (lambda r=rule, o=options, m=make, v=overrides: call_rule(r, o, m, v)), match)
    for name, (rule, options) in RULES.items()
    for mistake, (make, overrides, match) in RULE_MISTAKES.items()
]


@pytest.mark.parametrize(("call", "error", "match"), ROWS)
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, match):
    assert_refused(call, error, match)


def test_a_refused_rule_call_leaves_param_and_state_unchanged():
    param, state = torch.ones(3, 2), {}
    with pytest.raises(ValueError):
        optim.lamb_update_(param, torch.ones(3, 2), state, **{**RULES["lamb_update_"][1], "betas": (0.9, 1.0)})
    assert torch.equal(param, torch.ones(3, 2)) and state == {}
