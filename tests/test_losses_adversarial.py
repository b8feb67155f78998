"""lib.losses (adversarial) against twins written with F.binary_cross_entropy_with_logits and F.relu, at ordinary,
extreme (±1e4) and empty inputs; the gradient penalty against its closed form for a linear critic and autograd."""

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES

EXTREME = [-1e4, -200.0, -30.0, -1.0, 0.0, 2.0, 30.0, 200.0, 1e4]


def _bce(logits, target_value):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target_value))


TWINS_TWO = {  # (lib function, twin) of (real, fake)
    "discriminator_loss": (losses.discriminator_loss, lambda r, f: _bce(r, 1.0) + _bce(f, 0.0)),
    "hinge_discriminator_loss": (losses.hinge_discriminator_loss, lambda r, f: F.relu(1 - r).mean()
                                 + F.relu(1 + f).mean()),
    "wasserstein_critic_loss": (losses.wasserstein_critic_loss, lambda r, f: f.mean() - r.mean()),
}
TWINS_ONE = {  # (lib function, twin) of fake
    "minimax": (lambda f: losses.generator_loss(f, kind="minimax"), lambda f: -_bce(f, 0.0)),
    "non_saturating": (lambda f: losses.generator_loss(f, kind="non_saturating"), lambda f: _bce(f, 1.0)),
    "default is non_saturating": (losses.generator_loss, lambda f: _bce(f, 1.0)),
    "hinge_generator_loss": (losses.hinge_generator_loss, lambda f: -f.mean()),  # relu(-f) - relu(f) but at 0
    "wasserstein_generator_loss": (losses.wasserstein_generator_loss, lambda f: -f.mean()),
}


def _pair(dtype, extreme):
    if extreme:
        real = torch.tensor(EXTREME, dtype=dtype)
        return real, real.flip(0)[:7]  # batches of different sizes are averaged separately
    g = torch.Generator().manual_seed(0)
    return (3 * torch.randn(2, 6, generator=g, dtype=torch.float64)).to(dtype), \
        (3 * torch.randn(5, generator=g, dtype=torch.float64)).to(dtype)


def _value_and_grads(fn, *inputs):
    inputs = [x.detach().clone().requires_grad_(True) for x in inputs]
    value = fn(*inputs)
    return (value.detach(), *torch.autograd.grad(value, inputs))


@pytest.mark.parametrize("extreme", [False, True], ids=["ordinary", "extreme 1e4"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", TWINS_TWO)
def test_two_batch_losses_equal_their_twin_in_value_and_both_gradients(name, dtype, extreme):
    fn, twin = TWINS_TWO[name]
    real, fake = _pair(dtype, extreme)
    got, want = _value_and_grads(fn, real, fake), _value_and_grads(twin, real, fake)
    for g, w in zip(got, want):
        assert torch.isfinite(g).all()
        assert_close(g, w)


@pytest.mark.parametrize("extreme", [False, True], ids=["ordinary", "extreme 1e4"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", TWINS_ONE)
def test_generator_losses_equal_their_twin_in_value_and_gradient(name, dtype, extreme):
    fn, twin = TWINS_ONE[name]
    _, fake = _pair(dtype, extreme)
    got, want = _value_and_grads(fn, fake), _value_and_grads(twin, fake)
    for g, w in zip(got, want):
        assert torch.isfinite(g).all()
        assert_close(g, w)


def test_naive_log_sigmoid_is_infinite_at_extreme_logits_where_the_lib_losses_are_finite():
    fake = torch.tensor([-1e4, 1e4], requires_grad=True)
    naive = -torch.log(torch.sigmoid(fake)).mean()  # -log D(G(z)) written from probabilities
    assert torch.isinf(naive)
    loss = losses.generator_loss(fake)
    loss.backward()
    assert_close(loss.detach(), torch.tensor(5e3))  # softplus(1e4) / 2, exact in float32
    assert_close(fake.grad, torch.tensor([-0.5, 0.0]))


def test_minimax_generator_slope_vanishes_where_non_saturating_stays_near_minus_one():
    fake = torch.tensor([-10.0], dtype=torch.float64)  # the discriminator is sure this is fake
    _, minimax = _value_and_grads(lambda f: losses.generator_loss(f, kind="minimax"), fake)
    _, non_saturating = _value_and_grads(losses.generator_loss, fake)
    assert_close(minimax, -torch.sigmoid(fake))  # d/ds log(1 - sigmoid(s)) = -sigmoid(s) ~ -4.5e-5
    assert_close(non_saturating, torch.sigmoid(fake) - 1)  # ~ -1
    assert minimax.abs() < 1e-4 < 0.99 < non_saturating.abs()


def test_both_generator_losses_have_the_same_slope_sign_and_agree_at_the_equilibrium_logit_0():
    zero = torch.zeros(4, dtype=torch.float64)
    _, minimax = _value_and_grads(lambda f: losses.generator_loss(f, kind="minimax"), zero)
    _, non_saturating = _value_and_grads(losses.generator_loss, zero)
    assert_close(minimax, non_saturating)  # both -1/2 / N at D = 1/2
    assert_close(minimax, torch.full((4,), -0.125, dtype=torch.float64))


@pytest.mark.parametrize("fn", [losses.discriminator_loss, losses.hinge_discriminator_loss,
                                losses.wasserstein_critic_loss], ids=lambda f: f.__name__)
def test_an_empty_batch_gives_nan_like_torch_mean(fn):
    assert torch.isnan(fn(torch.zeros(0), torch.zeros(3)))
    assert torch.isnan(fn(torch.zeros(3), torch.zeros(0)))


@pytest.mark.parametrize("fn", [losses.generator_loss, losses.hinge_generator_loss,
                                losses.wasserstein_generator_loss], ids=lambda f: f.__name__)
def test_an_empty_fake_batch_gives_nan_like_torch_mean(fn):
    assert torch.isnan(fn(torch.zeros(0)))


def _linear_critic(dtype, seed=0):
    critic = torch.nn.Linear(3, 1).to(dtype)
    with torch.no_grad():
        g = torch.Generator().manual_seed(seed)
        critic.weight.copy_(torch.randn(1, 3, generator=g, dtype=torch.float64).to(dtype))
    return critic


def _param_grads(value, critic, create_graph=False):
    """Gradients of ``value`` w.r.t. every parameter, zeros for those it does not depend on."""
    params = list(critic.parameters())
    grads = torch.autograd.grad(value, params, create_graph=create_graph, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]


@pytest.mark.parametrize("weight", [0.0, 1.0, 10.0])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_penalty_of_a_linear_critic_is_weight_times_norm_minus_one_squared_for_any_epsilon(dtype, weight):
    critic = _linear_critic(dtype)
    g = torch.Generator().manual_seed(1)
    real, fake = torch.randn(2, 16, 3, generator=g, dtype=torch.float64).to(dtype)
    for seed in range(3):
        penalty = losses.gradient_penalty(critic, real, fake, weight=weight,
                                          generator=torch.Generator().manual_seed(seed))
        assert_close(penalty, weight * (critic.weight.norm() - 1) ** 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_penalty_parameter_gradients_equal_a_direct_autograd_computation(dtype):
    critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(dtype)
    g = torch.Generator().manual_seed(2)
    real, fake = torch.randn(2, 10, 2, generator=g, dtype=torch.float64).to(dtype)
    penalty = losses.gradient_penalty(critic, real, fake, weight=3.0, generator=torch.Generator().manual_seed(5))
    got = _param_grads(penalty, critic)
    eps = torch.rand(10, generator=torch.Generator().manual_seed(5), dtype=torch.float64).to(dtype)[:, None]
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad_x,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    direct = 3.0 * ((torch.sqrt((grad_x**2).sum(1)) - 1) ** 2).mean()
    assert_close(penalty, direct)
    for a, b in zip(got, _param_grads(direct, critic)):
        assert_close(a, b)


def test_gradient_penalty_parameter_gradients_match_finite_differences_and_it_is_twice_differentiable():
    critic = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    g = torch.Generator().manual_seed(3)
    real, fake = torch.randn(2, 6, 2, generator=g, dtype=torch.float64)
    params = list(critic.parameters())

    def penalty():
        return losses.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(0))

    grads = _param_grads(penalty(), critic, create_graph=True)
    assert grads[-1].abs().max() == 0  # the last bias shifts every score alike: no input gradient
    second = _param_grads(sum((g**2).sum() for g in grads), critic)  # a second derivative exists
    assert all(torch.isfinite(s).all() for s in second) and any(s.abs().sum() > 0 for s in second)
    h = 1e-6
    for p, grad in zip(params, grads):
        for j in range(p.numel()):
            p.data.view(-1)[j] += h
            up = penalty().item()
            p.data.view(-1)[j] -= 2 * h
            down = penalty().item()
            p.data.view(-1)[j] += h
            assert abs((up - down) / (2 * h) - grad.view(-1)[j].item()) < 1e-6


def test_gradient_penalty_trains_the_critic_only():
    critic = _linear_critic(torch.float64)
    real = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    fake = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    penalty = losses.gradient_penalty(critic, real, fake)
    assert torch.autograd.grad(penalty, [real, fake], allow_unused=True) == (None, None)
    assert critic.weight in [p for p in critic.parameters() if p.requires_grad]


def test_gradient_penalty_of_an_empty_batch_is_nan_like_torch_mean():
    critic = _linear_critic(torch.float64)
    empty = torch.zeros(0, 3, dtype=torch.float64)
    assert torch.isnan(losses.gradient_penalty(critic, empty, empty))


def test_gradient_penalty_draws_epsilon_from_the_generator_it_is_given():
    critic = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    real, fake = torch.randn(2, 8, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    a, b, c = (losses.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(s))
               for s in (7, 7, 8))
    assert a == b != c


def test_check_function_explains_an_infinite_naive_generator_loss_instead_of_crashing():
    from lib.checks import Case, check_function

    def naive(fake_logits):  # -log(sigmoid(s)): inf at s = -1e4 in float32
        return -torch.log(torch.sigmoid(fake_logits)).mean()

    def zero(fake_logits):
        return fake_logits.sum() * 0

    case = [Case("logits ±1e4", (torch.tensor([-1e4, 1e4]),))]
    with pytest.raises(AssertionError, match="inf or nan where the reference's are finite"):
        check_function(naive, losses.generator_loss, case)
    with pytest.raises(AssertionError, match="differ"):  # all zeros: no factor to name, and no ZeroDivisionError
        check_function(zero, losses.generator_loss, case)
