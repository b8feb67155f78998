"""lib.optim against torch.optim: parameters and state equal at every step for every option, state_dict round
trips, closures, parameters without gradients, Lion against the paper, defaults and bad hyperparameters."""

from __future__ import annotations

import copy
import inspect
import itertools

import pytest
import torch
from torch.testing import assert_close

from lib import optim

NUM_STEPS = 50
TOLERANCES = {torch.float64: dict(rtol=1e-12, atol=1e-12), torch.float32: dict(rtol=1e-6, atol=1e-6)}

# name -> (ours, torch's twin)
TWINS = {
    "SGD": (optim.SGD, torch.optim.SGD),
    "Adagrad": (optim.Adagrad, torch.optim.Adagrad),
    "RMSprop": (optim.RMSprop, torch.optim.RMSprop),
    "Adadelta": (optim.Adadelta, torch.optim.Adadelta),
    "Adam": (optim.Adam, torch.optim.Adam),
    "AdamW": (optim.AdamW, torch.optim.AdamW),
}


def _grid(**options):
    """Every combination of the given option values, as a list of dicts."""
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


def _sgd_grid():
    grid = _grid(momentum=[0, 0.9], dampening=[0, 0.5], nesterov=[False, True], weight_decay=[0, 0.1],
                 maximize=[False, True])  # fmt: skip
    valid = [o for o in grid if not o["nesterov"] or (o["momentum"] > 0 and o["dampening"] == 0)]
    return [dict(lr=0.05, **o) for o in valid]


CONFIGS = (
    [("SGD", o) for o in _sgd_grid()]
    + [("Adagrad", dict(lr=0.1, **o)) for o in _grid(lr_decay=[0, 0.1], initial_accumulator_value=[0, 0.5],
                                                      weight_decay=[0, 0.1], maximize=[False, True])]
    + [("RMSprop", dict(lr=0.01, **o)) for o in _grid(momentum=[0, 0.9], centered=[False, True],
                                                       weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adadelta", o) for o in _grid(rho=[0.9, 0.5], weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adam", dict(lr=0.01, **o)) for o in _grid(amsgrad=[False, True], weight_decay=[0, 0.1],
                                                    maximize=[False, True])]
    + [("AdamW", dict(lr=0.01, **o)) for o in _grid(amsgrad=[False, True], weight_decay=[0, 0.1],
                                                     maximize=[False, True])]
)  # fmt: skip


def _config_id(config):
    name, options = config
    return name + "(" + ",".join(f"{k}={v}" for k, v in options.items()) + ")"


def _model(dtype, seed=0):
    """A 5 → 8 → 3 tanh MLP with seeded weights (an explicit generator, no global seeding)."""
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(dtype)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=dtype) * 0.5)
    return model


def _batch(dtype, seed=1):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(16, 5, generator=generator, dtype=dtype)
    y = torch.randn(16, 3, generator=generator, dtype=dtype)
    return X, y


def _loss(model, X, y):
    return torch.nn.functional.mse_loss(model(X), y)


def _backward(model, X, y):
    model.zero_grad()
    loss = _loss(model, X, y)
    loss.backward()
    return loss


def _param_groups(model, options, split):
    """All parameters in one group, or (``split``) the first layer at the given lr and the last at a third."""
    if not split:
        return model.parameters()
    first, last = list(model[0].parameters()), list(model[2].parameters())
    return [{"params": first}, {"params": last, "lr": options.get("lr", 1.0) / 3}]


def _torch_options(torch_cls, options):
    accepts_foreach = "foreach" in inspect.signature(torch_cls).parameters
    return dict(options, foreach=False) if accepts_foreach else dict(options)


def _assert_same_step(ours, theirs, model_ours, model_theirs, tol, step):
    for p_ours, p_theirs in zip(model_ours.parameters(), model_theirs.parameters()):
        assert_close(p_ours, p_theirs, **tol, msg=lambda m: f"parameters differ after step {step}: {m}")
        assert_close(ours.state[p_ours], theirs.state[p_theirs], **tol,
                     msg=lambda m: f"state differs after step {step}: {m}")  # fmt: skip


def _run_twins(name, options, dtype, split=False):
    ours_cls, torch_cls = TWINS[name]
    model_ours, model_theirs = _model(dtype), _model(dtype)
    ours = ours_cls(_param_groups(model_ours, options, split), **options)
    theirs = torch_cls(_param_groups(model_theirs, options, split), **_torch_options(torch_cls, options))
    X, y = _batch(dtype)
    for step in range(1, NUM_STEPS + 1):
        _backward(model_ours, X, y)
        _backward(model_theirs, X, y)
        ours.step()
        theirs.step()
        _assert_same_step(ours, theirs, model_ours, model_theirs, TOLERANCES[dtype], step)
    assert all(torch.isfinite(p).all() for p in model_ours.parameters()), "the run diverged: compare nothing"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("config", CONFIGS, ids=_config_id)
def test_parameters_and_state_equal_torch_at_every_step(config, dtype):
    name, options = config
    _run_twins(name, options, dtype)


@pytest.mark.parametrize("name", list(TWINS))
def test_param_groups_with_different_lr_equal_torch_at_every_step(name):
    options = {"SGD": dict(lr=0.05, momentum=0.9)}.get(name, dict(lr=0.01) if name != "Adadelta" else {})
    _run_twins(name, options, torch.float64, split=True)


@pytest.mark.parametrize("name", list(TWINS))
def test_defaults_equal_torch(name):
    ours_cls, torch_cls = TWINS[name]
    ours = inspect.signature(ours_cls).parameters
    theirs = inspect.signature(torch_cls).parameters
    for arg, parameter in ours.items():
        assert arg in theirs, f"{name} has an argument `{arg}` that torch's does not"
        assert parameter.default == theirs[arg].default, f"{name}'s default for `{arg}` differs from torch's"
    model = _model(torch.float64)
    ours_defaults = ours_cls(model.parameters()).defaults
    theirs_defaults = torch_cls(model.parameters()).defaults
    assert ours_defaults == {k: theirs_defaults[k] for k in ours_defaults}


def test_step_state_is_stored_like_torch_a_0d_float32_cpu_tensor():
    model = _model(torch.float64)
    adam = optim.Adam(model.parameters())
    _backward(model, *_batch(torch.float64))
    adam.step()
    step = adam.state[model[0].weight]["step"]
    assert isinstance(step, torch.Tensor) and step.shape == () and step.dtype == torch.float32
    assert step.item() == 1.0


def _resumed_and_uninterrupted(make, first_steps=10, more_steps=10):
    """Train ``first_steps``, save, load into a fresh model/optimizer, train on; and train straight through."""
    X, y = _batch(torch.float64)
    model, model_straight = _model(torch.float64), _model(torch.float64)
    opt, opt_straight = make(model.parameters()), make(model_straight.parameters())
    for _ in range(first_steps):
        opt.step(lambda: _backward(model, X, y))
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    model_resumed = _model(torch.float64, seed=99)
    model_resumed.load_state_dict(saved_model)
    opt_resumed = make(model_resumed.parameters())
    opt_resumed.load_state_dict(saved_opt)
    for _ in range(more_steps):
        opt_resumed.step(lambda: _backward(model_resumed, X, y))
    for _ in range(first_steps + more_steps):
        opt_straight.step(lambda: _backward(model_straight, X, y))
    return (model_resumed, opt_resumed), (model_straight, opt_straight)


MAKERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
    "RMSprop": lambda p: optim.RMSprop(p, momentum=0.9, centered=True),
    "Adadelta": lambda p: optim.Adadelta(p),
    "Adam": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    "AdamW": lambda p: optim.AdamW(p, lr=0.01),
    "Lion": lambda p: optim.Lion(p, lr=1e-3, weight_decay=0.1),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_training_resumed_from_state_dict_equals_uninterrupted_training(name):
    (model_resumed, opt_resumed), (model_straight, opt_straight) = _resumed_and_uninterrupted(MAKERS[name])
    for p_resumed, p_straight in zip(model_resumed.parameters(), model_straight.parameters()):
        assert_close(p_resumed, p_straight, rtol=0, atol=0)
        assert_close(opt_resumed.state[p_resumed], opt_straight.state[p_straight], rtol=0, atol=0)


def test_torch_adam_state_dict_loads_into_ours_and_training_continues_identically():
    X, y = _batch(torch.float64)
    model_ours, model_theirs = _model(torch.float64), _model(torch.float64)
    theirs = torch.optim.Adam(model_theirs.parameters(), lr=0.01, amsgrad=True, foreach=False)
    for _ in range(5):
        theirs.step(lambda: _backward(model_theirs, X, y))
    model_ours.load_state_dict(model_theirs.state_dict())
    ours = optim.Adam(model_ours.parameters(), lr=0.01, amsgrad=True)
    ours.load_state_dict(copy.deepcopy(theirs.state_dict()))
    for step in range(6, 11):
        ours.step(lambda: _backward(model_ours, X, y))
        theirs.step(lambda: _backward(model_theirs, X, y))
        _assert_same_step(ours, theirs, model_ours, model_theirs, TOLERANCES[torch.float64], step)


@pytest.mark.parametrize("name", list(MAKERS))
def test_step_returns_the_closures_loss_and_steps_once(name):
    X, y = _batch(torch.float64)
    model = _model(torch.float64)
    opt = MAKERS[name](model.parameters())
    calls = []

    def closure():
        calls.append(torch.is_grad_enabled())
        return _backward(model, X, y)

    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():  # the closure must get gradients even when step is called under no_grad
        loss = opt.step(closure)
    assert calls == [True]
    assert_close(loss, _loss(_model(torch.float64), X, y))
    assert any(not torch.equal(b, p) for b, p in zip(before, model.parameters()))


@pytest.mark.parametrize("name", list(MAKERS))
def test_parameter_without_grad_is_untouched_and_gets_no_state(name):
    X, y = _batch(torch.float64)
    model = _model(torch.float64)
    unused = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    opt = MAKERS[name]([*model.parameters(), unused])
    for _ in range(3):
        opt.step(lambda: _backward(model, X, y))
    assert unused.grad is None
    assert_close(unused, torch.ones(4, dtype=torch.float64), rtol=0, atol=0)
    assert unused not in opt.state
    assert set(opt.state_dict()["state"]) == {0, 1, 2, 3}  # the model's four tensors, not index 4


def test_sgd_without_momentum_keeps_no_state_like_torch():
    X, y = _batch(torch.float64)
    model_ours, model_theirs = _model(torch.float64), _model(torch.float64)
    ours = optim.SGD(model_ours.parameters(), lr=0.1)
    theirs = torch.optim.SGD(model_theirs.parameters(), lr=0.1, foreach=False)
    ours.step(lambda: _backward(model_ours, X, y))
    theirs.step(lambda: _backward(model_theirs, X, y))
    assert ours.state_dict()["state"] == theirs.state_dict()["state"] == {}


def _lion_paper(thetas, moments, grads, *, lr, beta1, beta2, weight_decay):
    """Chen et al. (2023), Algorithm 2 (Lion with decoupled weight decay), written out line by line."""
    new_thetas, new_moments = [], []
    for theta, m, g in zip(thetas, moments, grads):
        c = beta1 * m + (1 - beta1) * g  # update = interp(g, m, beta1)
        theta = theta - lr * (torch.sign(c) + weight_decay * theta)  # sign update plus decoupled decay
        m = beta2 * m + (1 - beta2) * g  # momentum = interp(g, m, beta2)
        new_thetas.append(theta)
        new_moments.append(m)
    return new_thetas, new_moments


@pytest.mark.parametrize("weight_decay", [0.0, 0.5])
@pytest.mark.parametrize("betas", [(0.9, 0.99), (0.95, 0.98)])
def test_lion_equals_the_papers_algorithm_at_every_step(betas, weight_decay):
    X, y = _batch(torch.float64)
    model = _model(torch.float64)
    lion = optim.Lion(model.parameters(), lr=3e-3, betas=betas, weight_decay=weight_decay)
    thetas = [p.detach().clone() for p in model.parameters()]
    moments = [torch.zeros_like(t) for t in thetas]
    for step in range(1, NUM_STEPS + 1):
        _backward(model, X, y)
        grads = [p.grad.clone() for p in model.parameters()]
        lion.step()
        thetas, moments = _lion_paper(thetas, moments, grads, lr=3e-3, beta1=betas[0], beta2=betas[1],
                                      weight_decay=weight_decay)  # fmt: skip
        for p, theta, m in zip(model.parameters(), thetas, moments):
            message = f"θ differs from the paper's at step {step}"
            assert_close(p, theta, **TOLERANCES[torch.float64], msg=lambda s, message=message: f"{message}: {s}")
            assert_close(lion.state[p]["exp_avg"], m, **TOLERANCES[torch.float64])


def test_lion_maximize_equals_minimizing_the_negated_loss():
    X, y = _batch(torch.float64)
    model_max, model_min = _model(torch.float64), _model(torch.float64)
    up = optim.Lion(model_max.parameters(), lr=1e-3, maximize=True)
    down = optim.Lion(model_min.parameters(), lr=1e-3)
    for _ in range(10):
        up.step(lambda: _backward(model_max, X, y))
        model_min.zero_grad()
        (-_loss(model_min, X, y)).backward()
        down.step()
    for p_max, p_min in zip(model_max.parameters(), model_min.parameters()):
        assert_close(p_max, p_min, rtol=0, atol=0)


# ----- bad hyperparameters: one test per kind of mistake; the message names the argument ---------------------

ALL_OURS = {**{name: ours for name, (ours, _) in TWINS.items()}, "Lion": optim.Lion}
WITH_EPS = ["Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW"]
WITH_BETAS = ["Adam", "AdamW", "Lion"]


def _params():
    return [torch.nn.Parameter(torch.zeros(3))]


def _torch_also_rejects(name, **options):
    if name in TWINS:
        with pytest.raises(ValueError):
            TWINS[name][1](_params(), **options)


@pytest.mark.parametrize("name", list(ALL_OURS))
def test_negative_lr_raises_naming_lr(name):
    with pytest.raises(ValueError, match=r"`lr` must be in \[0, inf\), got -0.1"):
        ALL_OURS[name](_params(), lr=-0.1)
    _torch_also_rejects(name, lr=-0.1)


@pytest.mark.parametrize("name", list(ALL_OURS))
def test_nan_lr_raises_naming_lr(name):
    with pytest.raises(ValueError, match="`lr` must be a finite real number, got nan"):
        ALL_OURS[name](_params(), lr=float("nan"))


@pytest.mark.parametrize("name", list(ALL_OURS))
def test_negative_weight_decay_raises_naming_weight_decay(name):
    with pytest.raises(ValueError, match="`weight_decay` must be in"):
        ALL_OURS[name](_params(), weight_decay=-1e-4)
    _torch_also_rejects(name, weight_decay=-1e-4)


@pytest.mark.parametrize("name", WITH_EPS)
def test_negative_eps_raises_naming_eps(name):
    with pytest.raises(ValueError, match="`eps` must be in"):
        ALL_OURS[name](_params(), eps=-1e-8)
    _torch_also_rejects(name, eps=-1e-8)


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("bad", [1.0, -0.1])
@pytest.mark.parametrize("name", WITH_BETAS)
def test_beta_outside_zero_one_raises_naming_the_entry(name, bad, index):
    betas = [0.9, 0.99]
    betas[index] = bad
    with pytest.raises(ValueError, match=rf"`betas\[{index}\]` must be in \[0, 1\)"):
        ALL_OURS[name](_params(), betas=tuple(betas))
    _torch_also_rejects(name, betas=tuple(betas))


@pytest.mark.parametrize("name", WITH_BETAS)
def test_betas_that_are_not_a_pair_raise_naming_betas(name):
    with pytest.raises(ValueError, match="`betas` must be a pair"):
        ALL_OURS[name](_params(), betas=0.9)


@pytest.mark.parametrize("name", ["SGD", "RMSprop"])
def test_negative_momentum_raises_naming_momentum(name):
    with pytest.raises(ValueError, match="`momentum` must be in"):
        ALL_OURS[name](_params(), momentum=-0.9)
    _torch_also_rejects(name, momentum=-0.9)


def test_nesterov_without_momentum_raises_naming_nesterov_and_momentum():
    with pytest.raises(ValueError, match="`nesterov` momentum requires `momentum` > 0"):
        optim.SGD(_params(), nesterov=True)
    _torch_also_rejects("SGD", nesterov=True)


def test_nesterov_with_dampening_raises_naming_dampening():
    with pytest.raises(ValueError, match="`dampening` = 0, got momentum=0.9, dampening=0.1"):
        optim.SGD(_params(), momentum=0.9, dampening=0.1, nesterov=True)
    _torch_also_rejects("SGD", momentum=0.9, dampening=0.1, nesterov=True)


def test_dampening_outside_zero_one_raises_naming_dampening():
    with pytest.raises(ValueError, match=r"`dampening` must be in \[0, 1\]"):
        optim.SGD(_params(), momentum=0.9, dampening=1.5)


@pytest.mark.parametrize(("name", "arg"), [("RMSprop", "alpha"), ("Adadelta", "rho")])
@pytest.mark.parametrize("bad", [-0.1, 1.1])
def test_decay_rate_outside_zero_one_raises_naming_it(name, arg, bad):
    with pytest.raises(ValueError, match=rf"`{arg}` must be in \[0, 1\]"):
        ALL_OURS[name](_params(), **{arg: bad})


@pytest.mark.parametrize("arg", ["lr_decay", "initial_accumulator_value"])
def test_negative_adagrad_option_raises_naming_it(arg):
    with pytest.raises(ValueError, match=f"`{arg}` must be in"):
        optim.Adagrad(_params(), **{arg: -0.1})
    _torch_also_rejects("Adagrad", **{arg: -0.1})


@pytest.mark.parametrize(("name", "flag"), [("Adam", "amsgrad"), ("RMSprop", "centered"), ("SGD", "maximize"),
                                            ("Lion", "maximize"), ("AdamW", "maximize")])  # fmt: skip
def test_non_bool_flag_raises_naming_the_flag(name, flag):
    with pytest.raises(ValueError, match=f"`{flag}` must be a bool"):
        ALL_OURS[name](_params(), **{flag: "no"})


@pytest.mark.parametrize("name", list(ALL_OURS))
def test_bad_lr_in_a_param_group_raises_naming_lr(name):
    groups = [{"params": _params()}, {"params": _params(), "lr": -1.0}]
    with pytest.raises(ValueError, match="`lr` must be in"):
        ALL_OURS[name](groups)
    opt = ALL_OURS[name](_params())
    with pytest.raises(ValueError, match="`lr` must be in"):
        opt.add_param_group({"params": _params(), "lr": -1.0})


# ----- complex parameters, rejected groups, and errors that leave no half-done step ------------------------------

COMPLEX_CONFIGS = [
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
]


@pytest.mark.parametrize("dtype", [torch.complex128, torch.complex64], ids=["complex128", "complex64"])
@pytest.mark.parametrize("config", COMPLEX_CONFIGS, ids=_config_id)
def test_complex_parameters_equal_torch_which_updates_them_as_pairs_of_reals(config, dtype):
    name, options = config
    ours_cls, torch_cls = TWINS[name]
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(4, 3, generator=generator, dtype=dtype)
    grads = torch.randn(10, 4, 3, generator=generator, dtype=dtype) * torch.logspace(-3, 1, 12).reshape(4, 3)
    p_ours, p_theirs = start.clone().requires_grad_(True), start.clone().requires_grad_(True)
    ours = ours_cls([p_ours], **options)
    theirs = torch_cls([p_theirs], **_torch_options(torch_cls, options))
    tol = TOLERANCES[torch.float64 if dtype == torch.complex128 else torch.float32]
    for step, grad in enumerate(grads, start=1):
        p_ours.grad, p_theirs.grad = grad.clone(), grad.clone()
        ours.step()
        theirs.step()
        assert_close(p_ours, p_theirs, **tol, msg=lambda m, step=step: f"parameters differ after step {step}: {m}")
        assert_close(ours.state[p_ours], theirs.state[p_theirs], **tol)


@pytest.mark.parametrize("name", list(ALL_OURS))
def test_a_rejected_param_group_is_not_kept(name):
    kept, rejected = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    opt = ALL_OURS[name]([kept], lr=0.1)
    with pytest.raises(ValueError, match="`lr` must be in"):
        opt.add_param_group({"params": [rejected], "lr": -1.0})
    assert len(opt.param_groups) == 1 and opt.param_groups[0]["params"] == [kept]
    rejected.grad = torch.ones(3)
    opt.step()
    assert_close(rejected.detach(), torch.ones(3), rtol=0, atol=0)  # not climbed with lr = -1
    opt.add_param_group({"params": [rejected], "lr": 0.05})  # the same tensor may now be added, validly
    assert len(opt.param_groups) == 2


def _snapshot(param, state):
    return param.detach().clone(), {k: v.clone() if torch.is_tensor(v) else v for k, v in state.items()}


def test_switching_amsgrad_on_after_the_first_step_raises_before_changing_the_state():
    param = torch.nn.Parameter(torch.randn(5, dtype=torch.float64))
    opt = optim.Adam([param], lr=0.1)
    param.grad = torch.randn(5, dtype=torch.float64)
    opt.step()
    opt.param_groups[0]["amsgrad"] = True
    before = _snapshot(param, opt.state[param])
    with pytest.raises(ValueError, match="`state` has no 'max_exp_avg_sq'"):
        opt.step()
    assert_close(_snapshot(param, opt.state[param]), before, rtol=0, atol=0)


@pytest.mark.parametrize(("rule", "options"), [
    (optim.adam_update_, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=True, maximize=False)),
    (optim.adamw_update_, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, amsgrad=True, maximize=False)),
    (optim.rmsprop_update_, dict(lr=0.1, alpha=0.9, eps=1e-8, weight_decay=0.0, momentum=0.9, centered=True,
                                 maximize=False)),
    (optim.adagrad_update_, dict(lr=0.1, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                                 maximize=False)),
    (optim.adadelta_update_, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)),
    (optim.sgd_update_, dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)),
    (optim.lion_update_, dict(lr=0.1, betas=(0.9, 0.99), weight_decay=0.0, maximize=False)),
], ids=lambda x: getattr(x, "__name__", ""))  # fmt: skip
@pytest.mark.parametrize("mistake", ["bad_lr", "grad_of_another_shape", "param_recording_autograd"])
def test_an_update_rule_validates_everything_before_it_changes_the_parameter_or_the_state(rule, options, mistake):
    param = torch.randn(3, 4, dtype=torch.float64)
    state = {}
    with torch.no_grad():
        rule(param, torch.randn(3, 4, dtype=torch.float64), state, **options)  # a first, valid step
    before = _snapshot(param, state)
    grad, kwargs = torch.randn(3, 4, dtype=torch.float64), dict(options)
    if mistake == "bad_lr":
        kwargs["lr"], match = -1.0, "`lr` must be in"
    elif mistake == "grad_of_another_shape":
        grad, match = torch.randn(4, dtype=torch.float64), "`grad` must have the shape"  # torch would broadcast it
    else:
        param.requires_grad_(True)
        match = "`param` requires grad while autograd is recording"
    with pytest.raises(ValueError, match=match):
        rule(param, grad, state, **kwargs)
    assert_close(_snapshot(param, state), before, rtol=0, atol=0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_lion_raises_on_a_non_finite_gradient_naming_the_parameter_and_changes_nothing(bad):
    first, second = torch.nn.Parameter(torch.ones(4)), torch.nn.Parameter(torch.ones(2, 3))
    opt = optim.Lion([first, second], lr=0.1)
    first.grad, second.grad = torch.ones(4), torch.ones(2, 3)
    opt.step()
    first.grad, second.grad = torch.ones(4), torch.tensor([[1.0, bad, 1.0], [1.0, 1.0, 1.0]])
    before = [_snapshot(first, opt.state[first]), _snapshot(second, opt.state[second])]
    with pytest.raises(ValueError, match=r"parameter 1 of param group 0 \(shape \(2, 3\)\) has 1 nan/inf entries"):
        opt.step()
    assert_close([_snapshot(first, opt.state[first]), _snapshot(second, opt.state[second])], before, rtol=0, atol=0)
    second.grad = torch.ones(2, 3)  # with a finite gradient again every coordinate keeps moving
    opt.step()
    assert (second.detach() != before[1][0]).all()


def test_lion_update_rule_raises_on_a_nan_gradient_naming_grad():
    param, state = torch.ones(3), {}
    with pytest.raises(ValueError, match="`grad` has 1 nan/inf entries of 3"):
        optim.lion_update_(param, torch.tensor([1.0, float("nan"), 1.0]), state, lr=0.1, betas=(0.9, 0.99),
                           weight_decay=0.0, maximize=False)  # fmt: skip
    assert state == {} and torch.equal(param, torch.ones(3))
