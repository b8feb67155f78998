"""lib.train.lr_range_test: an exponential lr sweep whose smoothed losses are the bias-corrected
moving average of the raw ones, which stops when the loss blows up, and which leaves the model, its mode and the
loader's generator exactly as they were; bad arguments are rejected by name."""

import pytest
import torch

from lib import train
from lib.train import LRRangeTestResult


def _setup(seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(64, 4, generator=g)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(64, 1, generator=g)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    loader = train.make_loader(X, y, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(1))
    return model, loader


mse = torch.nn.functional.mse_loss


def _sgd(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def test_the_range_test_leaves_model_mode_and_loader_generator_unchanged():
    model, loader = _setup()
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    generator_state = loader.generator.get_state()
    result = train.lr_range_test(model, mse, _sgd, loader, start_lr=1e-4, end_lr=10.0, num_steps=40)
    assert len(result.lrs) > 4  # it did train, over several epochs of the 4-batch loader
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not model.training
    assert torch.equal(loader.generator.get_state(), generator_state)


def test_the_sweep_is_exponential_and_the_smoothing_is_a_bias_corrected_average():
    model, loader = _setup()
    result = train.lr_range_test(model, mse, _sgd, loader, start_lr=1e-4, end_lr=1e-2, num_steps=9, smoothing=0.9)
    assert not result.diverged
    assert result.lrs == pytest.approx([1e-4 * 10 ** (k / 4) for k in range(9)], rel=1e-12)
    average = 0.0
    for k, (raw, smoothed) in enumerate(zip(result.raw_losses, result.losses)):
        average = 0.9 * average + 0.1 * raw
        assert smoothed == pytest.approx(average / (1 - 0.9 ** (k + 1)), rel=1e-12)
    assert result.losses[0] == pytest.approx(result.raw_losses[0], rel=1e-12)


def test_the_sweep_stops_when_the_loss_blows_up_and_suggests_a_tenth_of_the_best_lr():
    model, loader = _setup()
    result = train.lr_range_test(model, mse, _sgd, loader, start_lr=1e-4, end_lr=1e3, num_steps=100)
    assert result.diverged and len(result.lrs) < 100
    assert len(result.lrs) == len(result.losses) == len(result.raw_losses)
    assert result.min_loss_lr == result.lrs[min(range(len(result.losses)), key=result.losses.__getitem__)]
    assert result.suggested_lr == pytest.approx(result.min_loss_lr / 10)
    assert result.lrs[0] <= result.steepest_lr <= result.min_loss_lr


def test_the_result_rules_on_a_known_curve():
    lrs = [10.0**k for k in range(-5, 1)]
    result = LRRangeTestResult(lrs, [5.0, 4.9, 3.0, 1.0, 0.9, 2.0], [0.0] * 6, diverged=True)
    assert result.min_loss_lr == 1e-1 and result.suggested_lr == pytest.approx(1e-2)
    assert result.steepest_lr == 1e-3  # slopes by central differences: -0.05, -0.95, -1.95, -1.05, -0.1 per decade


def test_the_factory_gets_the_parameters_and_the_start_lr():
    model, loader = _setup()
    seen = []

    def factory(params, lr):
        seen.append(lr)
        return torch.optim.SGD(params, lr=lr)

    train.lr_range_test(model, mse, factory, loader, start_lr=1e-3, end_lr=1e-2, num_steps=3)
    assert seen == [1e-3]
    with pytest.raises(ValueError, match="`optimizer_factory`"):
        train.lr_range_test(model, mse, lambda p, lr: None, loader, start_lr=1e-3, end_lr=1e-2, num_steps=3)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"start_lr": 0.0}, "start_lr"),
        ({"end_lr": 1e-5}, "end_lr"),
        ({"num_steps": 1}, "num_steps"),
        ({"smoothing": 1.0}, "smoothing"),
        ({"diverge_factor": 1.0}, "diverge_factor"),
    ],
)
def test_bad_arguments_are_rejected_by_name(kwargs, name):
    model, loader = _setup()
    options = {"start_lr": 1e-4, "end_lr": 1.0, "num_steps": 10, **kwargs}
    with pytest.raises(ValueError, match=f"`{name}`"):
        train.lr_range_test(model, mse, _sgd, loader, **options)


def test_a_loader_that_runs_dry_mid_sweep_is_an_error_and_the_model_is_still_restored():
    model, loader = _setup()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    batches = (batch for batch in list(loader))  # 4 batches, once: the sweep updates the model, then runs dry
    with pytest.raises(ValueError, match="`loader` must yield batches in every epoch"):
        train.lr_range_test(model, mse, _sgd, batches, start_lr=1e-4, end_lr=1.0, num_steps=10)
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name


def test_a_factory_that_builds_on_another_models_parameters_is_refused():
    model, loader = _setup()
    other, _ = _setup(seed=1)
    with pytest.raises(ValueError, match="`optimizer_factory` must return an optimizer of `model`'s parameters"):
        train.lr_range_test(
            model, mse, lambda p, lr: _sgd(other.parameters(), lr), loader, start_lr=1e-3, end_lr=1e-2, num_steps=3
        )


def test_a_model_without_parameters_is_swept_on_the_cpu_like_fit_does():
    scale = torch.nn.Parameter(torch.ones(()))  # the only parameter lives in the loss

    def scaled_mse(output, target):
        return mse(scale * output, target)

    loader = [(torch.ones(4, 1), 2 * torch.ones(4, 1))]
    def factory(params, lr):
        return _sgd([scale], lr)

    identity = torch.nn.Identity()
    result = train.lr_range_test(identity, scaled_mse, factory, loader, start_lr=1e-3, end_lr=0.1, num_steps=3)
    assert len(result.lrs) == 3


@pytest.mark.parametrize(
    ("loader", "message"),
    [
        ([(torch.zeros(4, 4), torch.zeros(3, 1))], "`loader` must yield inputs and targets with as many rows"),
        (iter([(torch.zeros(4, 4), torch.zeros(4, 1))]), "`loader` must yield batches in every epoch"),
        (torch.zeros(4, 4), "`loader` must be an iterable of"),
    ],
    ids=["row-mismatch", "one-shot-iterator", "tensor"],
)
def test_a_bad_loader_is_refused_by_name(loader, message):
    model, _ = _setup()
    with pytest.raises(ValueError, match=message):
        train.lr_range_test(model, mse, _sgd, loader, start_lr=1e-4, end_lr=1e-3, num_steps=3)


def test_a_loss_that_is_not_reduced_is_refused():
    model, loader = _setup()
    with pytest.raises(ValueError, match=r"`loss_fn` must return a scalar tensor, got shape \(16, 1\)"):
        train.lr_range_test(
            model, lambda o, t: mse(o, t, reduction="none"), _sgd, loader, start_lr=1e-4, end_lr=1e-3, num_steps=3
        )
