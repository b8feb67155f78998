"""lib.optim.LARS and LAMB: step for step against the papers' algorithms written out here as plain loops over the
parameters, against ``pytorch_optimizer.LARS`` and ``pytorch_optimizer.Lamb`` where their conventions agree,
against torch's SGD and Adam for the tensors they leave unscaled; the trust ratio's invariances and its
conventions at zero weights, zero gradients, extreme and empty tensors; state keys, state_dict and defaults."""

from __future__ import annotations

import copy
import inspect
import itertools

import pytest
import torch
from pytorch_optimizer import LARS as TheirLARS
from pytorch_optimizer import Lamb as TheirLamb
from torch.testing import assert_close

from lib import optim

NUM_STEPS = 10
DTYPES = [torch.float64, torch.float32]
TOLERANCES = {torch.float64: dict(rtol=1e-10, atol=1e-12), torch.float32: dict(rtol=2e-5, atol=2e-6)}


def _model(dtype, seed=0):
    """A 5 → 8 → 3 tanh MLP (two weight matrices, two biases) with seeded weights drawn in float64."""
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(dtype)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_((torch.randn(p.shape, generator=generator, dtype=torch.float64) * 0.5).to(dtype))
    return model


def _backward(model, seed=1):
    generator = torch.Generator().manual_seed(seed)
    dtype = model[0].weight.dtype
    X = torch.randn(16, 5, generator=generator, dtype=torch.float64).to(dtype)
    y = torch.randn(16, 3, generator=generator, dtype=torch.float64).to(dtype)
    model.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), y)
    loss.backward()
    return loss


def _grid(**options):
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


# ----- the papers' algorithms, written out -----------------------------------------------------------------------


def paper_lars(params, grads, velocities, *, lr, momentum, weight_decay, trust_coefficient, exclude_1d, maximize):
    """You, Gitman and Ginsburg (2017), Algorithm 1, one step for every layer: the global rate γ inside v."""
    ratios = []
    for w, g, v in zip(params, grads, velocities):
        g = -g if maximize else g
        if exclude_1d and w.ndim <= 1:
            local, decay = 1.0, 0.0
        else:
            w_norm, g_norm = w.norm().item(), g.norm().item()
            local = trust_coefficient * w_norm / (g_norm + weight_decay * w_norm)
            decay = weight_decay
        v.copy_(momentum * v + lr * local * (g + decay * w))
        w.sub_(v)
        ratios.append(local)
    return ratios


def paper_lamb(params, grads, moments, t, *, lr, betas, eps, weight_decay, clip, exclude_1d, maximize):
    """You et al. (2020), Algorithm 2 (LAMB) with bias correction, one step for every layer at step ``t``."""
    beta1, beta2 = betas
    ratios = []
    for w, g, (m, v) in zip(params, grads, moments):
        g = -g if maximize else g
        m.copy_(beta1 * m + (1 - beta1) * g)
        v.copy_(beta2 * v + (1 - beta2) * g * g)
        r = (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps)
        if exclude_1d and w.ndim <= 1:
            ratio, u = 1.0, r
        else:
            u = r + weight_decay * w
            phi = w.norm().item() if clip is None else min(w.norm().item(), clip)
            ratio = phi / u.norm().item()
        w.sub_(lr * ratio * u)
        ratios.append(ratio)
    return ratios


LARS_PAPER_CONFIGS = [dict(lr=0.1, trust_coefficient=0.1, maximize=False, **o) for o in _grid(
    momentum=[0.0, 0.9], weight_decay=[0.0, 0.01], exclude_1d=[True, False])]  # fmt: skip
LARS_PAPER_CONFIGS.append(dict(lr=0.1, trust_coefficient=0.1, momentum=0.9, weight_decay=0.01, exclude_1d=True,
                               maximize=True))  # fmt: skip
LAMB_PAPER_CONFIGS = [dict(lr=0.01, betas=(0.9, 0.999), eps=1e-6, maximize=False, **o) for o in _grid(
    weight_decay=[0.0, 0.01], clip=[None, 1.0], exclude_1d=[False, True])]  # fmt: skip
LAMB_PAPER_CONFIGS += [
    dict(lr=0.01, betas=(0.9, 0.999), eps=0.0, weight_decay=0.01, clip=None, exclude_1d=False, maximize=False),
    dict(lr=0.01, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01, clip=1.0, exclude_1d=True, maximize=True),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("config", LARS_PAPER_CONFIGS, ids=str)
def test_lars_equals_the_papers_algorithm_1_at_every_step(config, dtype):
    model, reference = _model(dtype), _model(dtype)
    ours = optim.LARS(model.parameters(), **config)
    params = [p.detach() for p in reference.parameters()]
    velocities = [torch.zeros_like(p) for p in params]
    for step in range(1, NUM_STEPS + 1):
        _backward(model)
        _backward(reference)
        ours.step()
        ratios = paper_lars(params, [p.grad for p in reference.parameters()], velocities, **config)
        for p, q, ratio in zip(model.parameters(), params, ratios):
            assert_close(p.detach(), q, **TOLERANCES[dtype], msg=lambda m, step=step: f"step {step}: {m}")
            assert_close(ours.state[p]["trust_ratio"].item(), ratio, **TOLERANCES[dtype])
    assert all(torch.isfinite(p).all() for p in model.parameters())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("config", LAMB_PAPER_CONFIGS, ids=str)
def test_lamb_equals_the_papers_algorithm_2_at_every_step(config, dtype):
    model, reference = _model(dtype), _model(dtype)
    options = {k: v for k, v in config.items() if k != "clip"}
    ours = optim.LAMB(model.parameters(), weight_norm_clip=config["clip"], **options)
    params = [p.detach() for p in reference.parameters()]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    for step in range(1, NUM_STEPS + 1):
        _backward(model)
        _backward(reference)
        ours.step()
        ratios = paper_lamb(params, [p.grad for p in reference.parameters()], moments, step, **config)
        for p, q, ratio, (m, v) in zip(model.parameters(), params, ratios, moments):
            assert_close(p.detach(), q, **TOLERANCES[dtype], msg=lambda msg, step=step: f"step {step}: {msg}")
            assert_close(ours.state[p]["exp_avg"], m, **TOLERANCES[dtype])
            assert_close(ours.state[p]["exp_avg_sq"], v, **TOLERANCES[dtype])
            assert_close(ours.state[p]["trust_ratio"].item(), ratio, **TOLERANCES[dtype])


# ----- pytorch_optimizer, where the conventions agree ------------------------------------------------------------

LARS_THEIR_CONFIGS = [dict(lr=0.1, trust_coefficient=0.1, **o) for o in _grid(
    momentum=[0.0, 0.9], dampening=[0.0, 0.5], nesterov=[False, True], weight_decay=[0.0, 0.01],
    maximize=[False, True]) if not o["nesterov"] or (o["momentum"] > 0 and o["dampening"] == 0)]  # fmt: skip


@pytest.mark.parametrize("config, dtype", [(c, torch.float64) for c in LARS_THEIR_CONFIGS]
                         + [(c, torch.float32) for c in LARS_THEIR_CONFIGS[-2:]], ids=str)  # fmt: skip
def test_lars_equals_pytorch_optimizer_lars_at_every_step(config, dtype):
    """pytorch_optimizer.LARS always excludes 1-D tensors: ours with exclude_1d=True (the default)."""
    model, twin = _model(dtype), _model(dtype)
    ours = optim.LARS(model.parameters(), **config)
    theirs = TheirLARS(twin.parameters(), foreach=False, **config)
    for step in range(1, NUM_STEPS + 1):
        _backward(model)
        _backward(twin)
        ours.step()
        theirs.step()
        for p, q in zip(model.parameters(), twin.parameters()):
            assert_close(p, q, **TOLERANCES[dtype], msg=lambda m, step=step: f"step {step}: {m}")
            if config["momentum"] > 0:
                assert_close(ours.state[p]["momentum_buffer"], theirs.state[q]["momentum_buffer"],
                             **TOLERANCES[dtype])  # fmt: skip


LAMB_THEIR_CONFIGS = [dict(lr=0.01, **o) for o in _grid(betas=[(0.9, 0.999), (0.5, 0.9)],
                                                         weight_decay=[0.0, 0.01], maximize=[False, True])]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("config", LAMB_THEIR_CONFIGS, ids=str)
def test_lamb_without_bias_correction_equals_pytorch_optimizer_lamb_in_its_papers_configuration(config, dtype):
    """Theirs with the weight decay inside the ratio (weight_decouple=False) and without the 1/(1 − β₁ᵗ) step
    factor (adam_debias=True); ours without bias correction and φ clipped at their 10; eps = 0 because they add
    eps to ‖u‖ in the ratio and we do not (the next test bounds that difference)."""
    model, twin = _model(dtype), _model(dtype)
    ours = optim.LAMB(model.parameters(), eps=0.0, bias_correction=False, weight_norm_clip=10.0, **config)
    theirs = TheirLamb(twin.parameters(), eps=0.0, weight_decouple=False, adam_debias=True, foreach=False, **config)
    for step in range(1, NUM_STEPS + 1):
        _backward(model)
        _backward(twin)
        ours.step()
        theirs.step()
        for p, q in zip(model.parameters(), twin.parameters()):
            assert_close(p, q, **TOLERANCES[dtype], msg=lambda m, step=step: f"step {step}: {m}")
            for key in ("exp_avg", "exp_avg_sq"):
                assert_close(ours.state[p][key], theirs.state[q][key], **TOLERANCES[dtype])
            assert_close(ours.state[p]["trust_ratio"].item(), float(theirs.state[q]["trust_ratio"]),
                         **TOLERANCES[dtype])  # fmt: skip


def test_lamb_differs_from_pytorch_optimizer_by_eps_over_the_update_norm_when_eps_is_positive():
    model, twin = _model(torch.float64), _model(torch.float64)
    eps = 1e-3
    ours = optim.LAMB(model.parameters(), lr=0.01, eps=eps, bias_correction=False, weight_norm_clip=10.0)
    theirs = TheirLamb(twin.parameters(), lr=0.01, eps=eps, weight_decouple=False, adam_debias=True, foreach=False)
    _backward(model)
    _backward(twin)
    ours.step()
    theirs.step()
    for p, q in zip(model.parameters(), twin.parameters()):
        ratio_ours, ratio_theirs = ours.state[p]["trust_ratio"].item(), float(theirs.state[q]["trust_ratio"])
        update_norm = float(theirs.state[q]["adam_norm"])
        assert ratio_ours != ratio_theirs
        assert ratio_theirs == pytest.approx(ratio_ours * update_norm / (update_norm + eps), rel=1e-12)


def test_lamb_first_step_is_ten_times_shorter_than_pytorch_optimizer_default_bias_correction():
    """Their default divides the whole step by 1 − β₁ = 0.1 on step 1; ours (the paper's) bias-corrects m and v
    before the trust ratio, where the factors cancel up to eps."""
    model, twin, start = _model(torch.float64), _model(torch.float64), _model(torch.float64)
    ours = optim.LAMB(model.parameters(), lr=0.01, eps=0.0, weight_norm_clip=10.0)
    theirs = TheirLamb(twin.parameters(), lr=0.01, eps=0.0, weight_decouple=False, foreach=False)
    for m in (model, twin):
        _backward(m)
    ours.step()
    theirs.step()
    for p, q, p0 in zip(model.parameters(), twin.parameters(), start.parameters()):
        assert_close((q - p0).detach(), 10 * (p - p0).detach(), rtol=1e-10, atol=1e-14)


# ----- tensors left unscaled: torch's SGD and Adam ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_excluded_1d_tensors_take_torch_sgd_and_adam_steps(dtype):
    bias, bias_sgd, bias_adam = (torch.nn.Parameter(torch.linspace(-1, 1, 7, dtype=dtype)) for _ in range(3))
    lars = optim.LARS([bias], lr=0.1, momentum=0.9, weight_decay=0.1, exclude_1d=True)
    sgd = torch.optim.SGD([bias_sgd], lr=0.1, momentum=0.9)
    lamb_bias = torch.nn.Parameter(bias_adam.detach().clone())
    lamb = optim.LAMB([lamb_bias], lr=0.01, weight_decay=0.1, exclude_1d=True)
    adam = torch.optim.Adam([bias_adam], lr=0.01, eps=1e-6)
    for step in range(10):
        for p in (bias, bias_sgd, lamb_bias, bias_adam):
            p.grad = torch.cos(p.detach() * (step + 1))
        for opt in (lars, sgd, lamb, adam):
            opt.step()
        assert_close(bias, bias_sgd, **TOLERANCES[dtype])
        assert_close(lamb_bias, bias_adam, **TOLERANCES[dtype])


# ----- the trust ratio's properties ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_each_layer_moves_by_lr_times_its_norm_whatever_the_gradient_scale(dtype):
    """LARS without momentum or decay: ‖Δw‖ = γη‖w‖; LAMB: ‖Δw‖ = η‖w‖; both for gradients of 1e-4 and 1e4."""
    for scale in (1e-4, 1.0, 1e4):
        model = _model(dtype)
        weight = model[0].weight
        before = weight.detach().clone()
        weight.grad = scale * torch.cos(torch.arange(weight.numel(), dtype=dtype)).reshape(weight.shape)
        optim.LARS([weight], lr=2.0, momentum=0.0, trust_coefficient=0.01).step()
        assert_close((weight - before).norm().item(), 0.02 * before.norm().item(), rtol=1e-5, atol=0)
        before = weight.detach().clone()
        optim.LAMB([weight], lr=0.03, eps=0.0).step()
        assert_close((weight - before).norm().item(), 0.03 * before.norm().item(), rtol=1e-5, atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_zero_weights_and_zero_gradients_give_a_trust_ratio_of_one(dtype):
    zero_weight = torch.nn.Parameter(torch.zeros(3, 4, dtype=dtype))
    zero_weight.grad = torch.ones(3, 4, dtype=dtype)
    lars = optim.LARS([zero_weight], lr=0.1, momentum=0.0)
    lars.step()
    assert lars.state[zero_weight]["trust_ratio"].item() == 1.0
    assert_close(zero_weight.detach(), torch.full((3, 4), -0.1, dtype=dtype))  # it moves: ratio 0 would freeze it
    for make in (lambda p: optim.LARS(p, lr=0.1), lambda p: optim.LAMB(p, lr=0.1)):
        still = torch.nn.Parameter(torch.ones(3, 4, dtype=dtype))
        still.grad = torch.zeros(3, 4, dtype=dtype)
        opt = make([still])
        opt.step()
        assert opt.state[still]["trust_ratio"].item() == 1.0
        assert torch.equal(still.detach(), torch.ones(3, 4, dtype=dtype)), "a zero gradient moved the weights"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_extreme_weights_and_gradients_give_finite_steps(dtype):
    for weight_scale, grad_scale in itertools.product((1e-4, 1e4), (1e-4, 1e4)):
        for make in (lambda p: optim.LARS(p, lr=1.0, weight_decay=1e-4), lambda p: optim.LAMB(p, weight_decay=0.01)):
            p = torch.nn.Parameter(weight_scale * torch.linspace(-1, 1, 12, dtype=dtype).reshape(3, 4))
            p.grad = grad_scale * torch.linspace(1, -1, 12, dtype=dtype).reshape(3, 4)
            opt = make([p])
            for _ in range(3):
                opt.step()
            assert torch.isfinite(p).all() and torch.isfinite(opt.state[p]["trust_ratio"])


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_empty_tensors_are_left_alone_without_nan(dtype):
    for make in (lambda p: optim.LARS(p, lr=0.1), lambda p: optim.LAMB(p, lr=0.1, weight_decay=0.1)):
        p = torch.nn.Parameter(torch.zeros(0, 3, dtype=dtype))
        p.grad = torch.zeros(0, 3, dtype=dtype)
        opt = make([p])
        opt.step()
        assert p.shape == (0, 3) and opt.state[p]["trust_ratio"].item() == 1.0


def test_the_gradient_is_not_changed_by_a_step():
    """pytorch_optimizer.LARS overwrites p.grad with its scaled step; ours leaves it for clipping or logging."""
    for make in (lambda p: optim.LARS(p, lr=0.5, weight_decay=0.1), lambda p: optim.LAMB(p, weight_decay=0.1)):
        model = _model(torch.float64)
        _backward(model)
        grads = [p.grad.clone() for p in model.parameters()]
        make(model.parameters()).step()
        assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))


# ----- state, state_dict, defaults, the rules ---------------------------------------------------------------------


def test_state_keys():
    model = _model(torch.float64)
    _backward(model)
    lars, lars_plain, lamb = (optim.LARS(model.parameters()), optim.LARS(model.parameters(), momentum=0.0),
                              optim.LAMB(model.parameters()))  # fmt: skip
    for opt in (lars, lars_plain, lamb):
        opt.step()
    weight = model[0].weight
    assert set(lars.state[weight]) == {"momentum_buffer", "trust_ratio"}
    assert set(lars_plain.state[weight]) == {"trust_ratio"}
    assert set(lamb.state[weight]) == {"step", "exp_avg", "exp_avg_sq", "trust_ratio"}
    assert lamb.state[weight]["step"].shape == () and lamb.state[weight]["step"].item() == 1.0


@pytest.mark.parametrize("make", [lambda p: optim.LARS(p, lr=0.5, nesterov=True, weight_decay=0.01),
                                  lambda p: optim.LAMB(p, lr=0.01, weight_decay=0.01)], ids=["LARS", "LAMB"])
def test_training_resumed_from_state_dict_equals_uninterrupted_training(make):
    model, straight = _model(torch.float64), _model(torch.float64)
    opt, opt_straight = make(model.parameters()), make(straight.parameters())
    for _ in range(5):
        opt.step(lambda: _backward(model))
    resumed = _model(torch.float64, seed=9)
    resumed.load_state_dict(copy.deepcopy(model.state_dict()))
    opt_resumed = make(resumed.parameters())
    opt_resumed.load_state_dict(copy.deepcopy(opt.state_dict()))
    for _ in range(5):
        opt_resumed.step(lambda: _backward(resumed))
    for _ in range(10):
        opt_straight.step(lambda: _backward(straight))
    for p, q in zip(resumed.parameters(), straight.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("ours, theirs, names", [
    (optim.LARS, TheirLARS, ("lr", "momentum", "dampening", "weight_decay", "trust_coefficient", "nesterov",
                             "maximize")),
    (optim.LAMB, TheirLamb, ("lr", "betas", "eps", "weight_decay", "maximize")),
], ids=["LARS", "LAMB"])  # fmt: skip
def test_defaults_equal_pytorch_optimizer(ours, theirs, names):
    mine, other = inspect.signature(ours).parameters, inspect.signature(theirs).parameters
    for name in names:
        assert mine[name].default == other[name].default, name


def test_update_rules_equal_the_optimizers():
    for rule, cls, options in [
        (optim.lars_update_, optim.LARS, dict(lr=0.5, momentum=0.9, dampening=0.0, weight_decay=0.01,
                                              trust_coefficient=0.02, nesterov=True, exclude_1d=True, maximize=False)),
        (optim.lamb_update_, optim.LAMB, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                                              bias_correction=True, weight_norm_clip=None, exclude_1d=False,
                                              maximize=False)),
    ]:  # fmt: skip
        model, by_rule = _model(torch.float64), _model(torch.float64)
        opt = cls(model.parameters(), **options)
        states = [{} for _ in by_rule.parameters()]
        for _ in range(5):
            _backward(model)
            _backward(by_rule)
            opt.step()
            with torch.no_grad():
                for p, state in zip(by_rule.parameters(), states):
                    rule(p, p.grad, state, **options)
        for p, q in zip(model.parameters(), by_rule.parameters()):
            assert torch.equal(p, q)
