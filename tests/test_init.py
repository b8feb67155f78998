"""lib.init against its torch twins: the same gains and fans, the same draws from the same generator state."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import init as torch_init

from lib import init
from tests.helpers import DTYPES

SHAPES = [(7, 5), (5, 7), (1, 1), (16, 3, 3, 3), (4, 8, 5), (6, 2, 3, 1, 2)]
SLOPES = [None, 0, 0.2, 1, -0.5, 3]


@pytest.mark.parametrize("nonlinearity", init.NONLINEARITIES)
@pytest.mark.parametrize("param", SLOPES)
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch_init.calculate_gain(nonlinearity, param)


def test_the_gains_are_the_documented_formulas():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("conv2d", 0.3) == 1


@pytest.mark.parametrize("shape", SHAPES + [(0, 4), (3, 0), (0, 0, 3), (2, 3, 0)])
def test_fans_equal_torch(shape):
    tensor = torch.empty(shape)
    assert init.fan_in_and_fan_out(tensor) == torch_init._calculate_fan_in_and_fan_out(tensor)


def test_fans_of_a_conv_weight_count_the_kernel():
    assert init.fan_in_and_fan_out(torch.empty(16, 3, 5, 5)) == (3 * 25, 16 * 25)


def _same_draws(ours, theirs, shape, dtype, seed=0):
    """Run ``ours`` and ``theirs`` on fresh tensors from generators in one state; compare values and states."""
    mine, twin = torch.empty(shape, dtype=dtype), torch.empty(shape, dtype=dtype)
    g_mine, g_twin = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    out = ours(mine, g_mine)
    theirs(twin, g_twin)
    assert out is mine
    assert torch.equal(mine, twin), f"max difference {(mine - twin).abs().max().item():.3g}"
    assert torch.equal(g_mine.get_state(), g_twin.get_state())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 0.5, init.calculate_gain("relu"), 5 / 3, 0.0])
@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_"])
def test_xavier_draws_equal_torch(name, gain, shape, dtype):
    ours, theirs = getattr(init, name), getattr(torch_init, name)
    _same_draws(lambda t, g: ours(t, gain=gain, generator=g), lambda t, g: theirs(t, gain=gain, generator=g),
                shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 5), (16, 3, 3, 3), (4, 8, 5)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT"])
@pytest.mark.parametrize("nonlinearity", init.NONLINEARITIES)
@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_draws_equal_torch(name, nonlinearity, mode, shape, dtype):
    ours, theirs = getattr(init, name), getattr(torch_init, name)
    for a in (0, 0.2, 1):
        options = dict(a=a, mode=mode, nonlinearity=nonlinearity)
        _same_draws(lambda t, g, o=options: ours(t, generator=g, **o),
                    lambda t, g, o=options: theirs(t, generator=g, **o), shape, dtype, seed=int(a == 0.2))


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_defaults_and_global_generator_equal_torch(name):
    mine, twin = torch.empty(32, 16, 3), torch.empty(32, 16, 3)
    torch.manual_seed(3)
    getattr(init, name)(mine)
    torch.manual_seed(3)
    getattr(torch_init, name)(twin)
    assert torch.equal(mine, twin)


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_a_parameter_is_filled_in_place_without_recording_a_gradient(name):
    weight = torch.nn.Parameter(torch.zeros(10, 20))
    out = getattr(init, name)(weight, generator=torch.Generator().manual_seed(0))
    assert out is weight and weight.requires_grad and weight.grad_fn is None
    assert weight.detach().abs().sum() > 0


@pytest.mark.parametrize("shape", [(0, 4), (3, 0), (0, 0), (2, 3, 0)])
@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_a_tensor_without_elements_is_returned_unchanged_and_draws_nothing(name, shape):
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    tensor = torch.empty(shape)
    assert getattr(init, name)(tensor, generator=generator) is tensor
    assert torch.equal(generator.get_state(), state)


def _standard_error_of_std(std: float, n: int, kurtosis: float) -> float:
    """Standard error of a sample standard deviation of ``n`` draws: σ √((κ - 1) / (4n)), κ the kurtosis."""
    return std * math.sqrt((kurtosis - 1) / (4 * n))


# (function, options, expected std from the formula, kurtosis: 3 normal, 9/5 uniform); weight of shape (600, 400)
FAN_IN, FAN_OUT = 400, 600
STD_CASES = [
    (init.xavier_normal_, {}, math.sqrt(2 / (FAN_IN + FAN_OUT)), 3.0),
    (init.xavier_uniform_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(2 / (FAN_IN + FAN_OUT)), 1.8),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / FAN_IN), 3.0),
    (init.kaiming_normal_, {"mode": "fan_out"}, math.sqrt(2 / FAN_OUT), 3.0),
    (init.kaiming_uniform_, {"a": 0.2}, math.sqrt(2 / (1 + 0.04) / FAN_IN), 1.8),
    (init.kaiming_uniform_, {"nonlinearity": "tanh", "mode": "fan_out"}, 5 / 3 / math.sqrt(FAN_OUT), 1.8),
]


@pytest.mark.parametrize(("fn", "options", "expected", "kurtosis"), STD_CASES,
                         ids=[f"{fn.__name__}{options}" for fn, options, *_ in STD_CASES])
def test_the_empirical_std_matches_the_formula(fn, options, expected, kurtosis):
    weight = fn(torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64), generator=torch.Generator().manual_seed(1),
                **options)
    error = _standard_error_of_std(expected, weight.numel(), kurtosis)
    assert abs(weight.std().item() - expected) < 5 * error
    assert abs(weight.mean().item()) < 5 * expected / math.sqrt(weight.numel())
    if kurtosis < 3:  # uniform: every draw inside [-b, b], b = √3 σ, and the extremes close to it
        bound = math.sqrt(3) * expected
        assert weight.abs().max().item() <= bound
        assert weight.abs().max().item() > 0.999 * bound


def test_a_conv_weight_keeps_the_variance_of_a_relu_layer():
    """He's claim: with fan-in scaling, a conv layer after a ReLU keeps E[y²] = E[x²] of its input."""
    generator = torch.Generator().manual_seed(0)
    weight = init.kaiming_normal_(torch.empty(64, 32, 3, 3, dtype=torch.float64), generator=generator)
    x = torch.randn(64, 32, 16, 16, dtype=torch.float64, generator=generator)
    y = torch.nn.functional.conv2d(torch.relu(x), weight)
    assert abs(y.pow(2).mean().item() / x.pow(2).mean().item() - 1) < 0.1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_on_a_gpu_the_draws_equal_torch_and_a_cpu_generator_is_refused(name):
    mine, twin = torch.empty(64, 32, 3, 3, device="cuda"), torch.empty(64, 32, 3, 3, device="cuda")
    getattr(init, name)(mine, generator=torch.Generator(device="cuda").manual_seed(0))
    getattr(torch_init, name)(twin, generator=torch.Generator(device="cuda").manual_seed(0))
    assert torch.equal(mine, twin)
    with pytest.raises(ValueError, match="`generator` must be on the device type of `tensor`"):
        getattr(init, name)(mine, generator=torch.Generator().manual_seed(0))
