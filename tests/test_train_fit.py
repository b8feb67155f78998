"""lib.train.fit and evaluate (fit.py, and the loop and argument checks behind them, loop.py and _arguments.py):
fit reaches the least-squares solution and records the loss it optimises; accumulation, clipping, schedulers,
metrics and non-finite losses behave as its docstring says; what it is given is checked with clear messages. (The
bad-input table in tests/test_bad_input_training_data_plot.py names every argument; the tests here pin messages.)"""

import pytest
import torch

from lib import data, losses, train
from tests.helpers import fit_sgd


def _problem(seed=0):
    d = data.make_linear_data(200, generator=torch.Generator().manual_seed(seed), noise_std=0.1, dtype=torch.float64)
    return d, torch.nn.Linear(1, 1).double()


def _mse(input, target):
    return losses.mse_loss(input.squeeze(-1), target)


def test_full_batch_fit_reaches_the_least_squares_solution():
    d, model = _problem()
    history = fit_sgd(model, _mse, train.make_loader(d.X, d.y), num_epochs=300)
    A = torch.cat([d.X, torch.ones(len(d.y), 1, dtype=torch.float64)], dim=1)
    w, b = torch.linalg.lstsq(A, d.y.unsqueeze(1)).solution.squeeze(1)
    assert model.weight.item() == pytest.approx(w.item(), abs=1e-6)
    assert model.bias.item() == pytest.approx(b.item(), abs=1e-6)
    assert len(history["train_loss"]) == 300 and history["train_loss"][-1] < history["train_loss"][0]


def test_train_loss_is_the_loss_before_each_full_batch_step():
    d, model = _problem()
    before = _mse(model(d.X), d.y).item()
    history = fit_sgd(model, _mse, train.make_loader(d.X, d.y))
    assert history["train_loss"] == [pytest.approx(before)]


def test_validation_loss_is_recorded_after_each_epoch_and_matches_evaluate():
    d, model = _problem()
    val = train.make_loader(d.X[:50], d.y[:50], batch_size=16)
    history = fit_sgd(model, _mse, train.make_loader(d.X, d.y, batch_size=32), lr=0.05, num_epochs=3, val_loader=val)
    assert len(history["val_loss"]) == 3
    assert history["val_loss"][-1] == pytest.approx(train.evaluate(model, _mse, val))
    assert train.evaluate(model, _mse, val) == pytest.approx(_mse(model(d.X[:50]), d.y[:50]).item())


def test_shuffled_minibatch_training_repeats_with_the_same_generator():
    results = []
    for _ in range(2):
        d, model = _problem()
        torch.nn.init.constant_(model.weight, 0.0)
        torch.nn.init.constant_(model.bias, 0.0)
        loader = train.make_loader(d.X, d.y, batch_size=20, shuffle=True, generator=torch.Generator().manual_seed(1))
        fit_sgd(model, _mse, loader, lr=0.05, num_epochs=3)
        results.append(model.weight.item())
    assert results[0] == results[1]


# --- the training toolkit: accumulation, clipping, schedulers, metrics, non-finite losses, progress -----------


def _mlp(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(dtype)


def _regression(n=42, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g, dtype=dtype)
    return X, (X.sum(dim=1, keepdim=True).sin() + 0.1 * torch.randn(n, 1, generator=g, dtype=dtype))


def _params(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


mse = torch.nn.functional.mse_loss


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.Adam(p, lr=0.01)],
    ids=["sgd_momentum", "adam"],
)
def test_accumulating_k_micro_batches_equals_one_big_batch_including_an_incomplete_last_group(make_optimizer):
    # 42 samples in micro-batches of 4: 10 of 4 and one of 2. Groups of 3 micro-batches: three of 12 samples and a
    # last group of two micro-batches (4 + 2 = 6 samples), which must equal a big batch of 6, not of 12.
    X, y = _regression(42)
    small, big = _mlp(), _mlp()
    micro, whole = train.make_loader(X, y, batch_size=4), train.make_loader(X, y, batch_size=12)
    h_small = train.fit(small, mse, make_optimizer(small.parameters()), micro, num_epochs=4, accumulation_steps=3)
    h_big = train.fit(big, mse, make_optimizer(big.parameters()), whole, num_epochs=4)
    torch.testing.assert_close(_params(small), _params(big), atol=1e-6, rtol=0)
    assert len(h_small["step_loss"]) == len(h_big["step_loss"]) == 4 * 4
    assert h_small["step_loss"] == pytest.approx(h_big["step_loss"], rel=1e-5)
    assert h_small["train_loss"] == pytest.approx(h_big["train_loss"], rel=1e-5)


def test_clipping_equals_clip_grad_norm_and_the_recorded_norm_is_the_one_before_clipping():
    X, y = _regression(40)
    ours, twin = _mlp(), _mlp()
    history = fit_sgd(ours, mse, train.make_loader(X, y, batch_size=10), lr=0.5, num_epochs=3, clip_grad_norm=0.05)
    optimizer, norms = torch.optim.SGD(twin.parameters(), lr=0.5), []
    for _ in range(3):
        for Xb, yb in train.make_loader(X, y, batch_size=10):
            optimizer.zero_grad()
            mse(twin(Xb), yb).backward()
            norms.append(torch.nn.utils.clip_grad_norm_(twin.parameters(), 0.05).item())
            optimizer.step()
    torch.testing.assert_close(_params(ours), _params(twin), atol=0, rtol=0)
    assert history["step_grad_norm"] == norms
    assert max(norms) > 0.05  # clipping did act, so the test can tell clipped from unclipped updates


def test_the_gradient_norm_is_recorded_without_clipping_too():
    X, y = _regression(10)
    model, twin = _mlp(), _mlp()
    mse(twin(X), y).backward()
    norm = torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in twin.parameters()])).item()
    history = fit_sgd(model, mse, train.make_loader(X, y))
    assert history["step_grad_norm"] == [pytest.approx(norm, rel=1e-6)]


def _fit_scheduled(make_scheduler, *, lr, batch_size, num_epochs, **options):
    """Train ``_mlp()`` on ``_regression(40)`` with SGD at ``lr`` and ``make_scheduler(optimizer)``; return the
    history and the scheduler."""
    X, y = _regression(40)
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer)
    loader = train.make_loader(X, y, batch_size=batch_size)
    return train.fit(model, mse, optimizer, loader, num_epochs=num_epochs, scheduler=scheduler, **options), scheduler


@pytest.mark.parametrize("interval", ["epoch", "step"])
def test_the_scheduler_steps_once_per_epoch_or_once_per_update(interval):
    def halving(optimizer):
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)

    history, _ = _fit_scheduled(halving, lr=0.1, batch_size=10, num_epochs=2, scheduler_interval=interval)
    if interval == "epoch":
        assert history["step_lr"] == pytest.approx([0.1] * 4 + [0.05] * 4)
        assert history["lr"] == pytest.approx([0.1, 0.05])
    else:
        assert history["step_lr"] == pytest.approx([0.1 * 0.5**k for k in range(8)])
        assert history["lr"] == pytest.approx([0.1, 0.1 * 0.5**4])


class _RecordingPlateau(torch.optim.lr_scheduler.ReduceLROnPlateau):
    def __init__(self, *args, **kwargs):
        self.seen = []
        super().__init__(*args, **kwargs)

    def step(self, metrics):
        self.seen.append(metrics)
        super().step(metrics)


@pytest.mark.parametrize("with_val", [True, False])
def test_reduce_lr_on_plateau_is_stepped_with_the_monitored_loss_and_cuts_the_lr(with_val):
    val = train.make_loader(*_regression(40)) if with_val else None
    history, scheduler = _fit_scheduled(  # an lr so small that the loss plateaus at once
        lambda optimizer: _RecordingPlateau(optimizer, factor=0.5, patience=0),
        lr=1e-6,
        batch_size=20,
        num_epochs=4,
        val_loader=val,
    )
    assert scheduler.seen == history["val_loss" if with_val else "train_loss"]
    assert history["lr"] == pytest.approx([1e-6, 1e-6, 5e-7, 2.5e-7])  # cut after epochs 1 and 2


def test_reduce_lr_on_plateau_per_step_sees_each_update_loss():
    history, scheduler = _fit_scheduled(
        lambda optimizer: _RecordingPlateau(optimizer, factor=0.5, patience=100),
        lr=1e-6,
        batch_size=10,
        num_epochs=2,
        scheduler_interval="step",
    )
    assert scheduler.seen == history["step_loss"] and len(scheduler.seen) == 8


def test_metrics_are_measured_on_the_validation_data_after_each_epoch():
    X, y = _regression(30)
    model = _mlp()
    val = train.make_loader(X, y, batch_size=7)
    mae = {"mae": lambda out, t: (out - t).abs().mean()}
    history = fit_sgd(model, mse, train.make_loader(X, y), num_epochs=2, val_loader=val, metrics=mae)
    assert list(history) == ["train_loss", "lr", "val_loss", "val_mae", "step_loss", "step_grad_norm", "step_lr"]
    with torch.no_grad():
        assert history["val_mae"][-1] == pytest.approx((model(X) - y).abs().mean().item(), rel=1e-6)


def test_a_non_finite_loss_raises_with_the_step_and_leaves_the_parameters_of_the_last_finite_loss():
    d, model = _problem()
    loader = train.make_loader(d.X, d.y)  # full batch: each update's loss is the loss at its parameters
    with pytest.raises(train.NonFiniteLossError) as caught:
        fit_sgd(model, _mse, loader, lr=100.0, num_epochs=500)  # far above 2/L: diverges
    error = caught.value
    assert isinstance(error, FloatingPointError)
    assert f"at epoch {error.epoch}, step 0" in str(error) and error.step == 0 and error.epoch > 0
    assert error.global_step == error.epoch == len(error.history["step_loss"]) == len(error.history["train_loss"])
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert _mse(model(d.X), d.y).item() == error.history["step_loss"][-1]  # the last finite loss, exactly


def test_a_non_finite_loss_inside_an_accumulation_group_is_caught_before_the_update():
    X, y = _regression(12)
    y[7] = float("nan")  # the second micro-batch of the first group
    model = _mlp()
    before = _params(model).clone()
    with pytest.raises(train.NonFiniteLossError, match="at epoch 0, step 0"):
        fit_sgd(model, mse, train.make_loader(X, y, batch_size=4), accumulation_steps=3)
    assert torch.equal(_params(model), before)


def test_the_progress_bar_is_shown_while_training_and_cleared_after_unless_course_progress_is_0(monkeypatch, capsys):
    X, y = _regression(10)
    model = _mlp()
    loader = train.make_loader(X, y)
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    fit_sgd(model, mse, loader, num_epochs=2, progress=True)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("COURSE_PROGRESS")
    fit_sgd(model, mse, loader, num_epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "epoch/s" in err and err.endswith(" \r")  # shown, then blanked: cells that train often do not stack bars
    fit_sgd(model, mse, loader, num_epochs=2, progress=False)
    assert capsys.readouterr().err == ""


# --- what fit and evaluate are given: the model, the optimizer, the scheduler, the loss, the batches ----------


def _fit_one_epoch(model=None, *, loss_fn=mse, optimizer=None, train_loader=None, **kwargs):
    model = _mlp() if model is None else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1) if optimizer is None else optimizer
    train_loader = [(torch.zeros(2, 3), torch.zeros(2, 1))] if train_loader is None else train_loader
    return train.fit(model, loss_fn, optimizer, train_loader, num_epochs=1, **kwargs)


def test_an_optimizer_built_on_another_models_parameters_is_refused_instead_of_training_nothing():
    other = _mlp(seed=1)
    with pytest.raises(ValueError, match="`optimizer` must be an optimizer of `model`'s parameters"):
        _fit_one_epoch(_mlp(), optimizer=torch.optim.SGD(other.parameters(), lr=0.1))


def test_an_optimizer_of_part_of_the_model_or_of_extra_loss_parameters_is_accepted():
    model = _mlp()
    _fit_one_epoch(model, optimizer=torch.optim.SGD(model[2].parameters(), lr=0.1))  # fine-tuning the last layer
    scale = torch.nn.Parameter(torch.ones(()))
    optimizer = torch.optim.SGD([*model.parameters(), scale], lr=0.1)  # a loss with a learnable parameter
    _fit_one_epoch(model, loss_fn=lambda out, t: mse(scale * out, t), optimizer=optimizer)


def test_a_scheduler_built_on_another_optimizer_is_refused():
    model = _mlp()
    other = torch.optim.SGD(_mlp(seed=1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="`scheduler` must be built on `optimizer`"):
        _fit_one_epoch(model, scheduler=torch.optim.lr_scheduler.StepLR(other, step_size=1))


def test_a_scheduler_without_a_step_method_is_refused():
    with pytest.raises(ValueError, match=r"`scheduler` must have a \.step\(\) method"):
        _fit_one_epoch(scheduler=0.1)


def test_a_loss_that_is_not_reduced_is_refused_with_its_shape_and_the_reduction_hint():
    message = r"`loss_fn` must return a scalar tensor, got shape \(2, 1\).*reduction='mean'"
    with pytest.raises(ValueError, match=message):
        _fit_one_epoch(loss_fn=lambda out, t: mse(out, t, reduction="none"))


@pytest.mark.parametrize(
    ("loss_fn", "message"),
    [
        ("mse", "`loss_fn` must be a callable"),
        (lambda out, t: mse(out, t).item(), "`loss_fn` must return a floating-point scalar tensor, got float"),
        (lambda out, t: mse(out, t).detach(), "`loss_fn` must return a tensor that depends on the model"),
    ],
    ids=["not-callable", "a-float", "detached"],
)
def test_a_loss_fn_that_is_not_callable_or_returns_no_gradient_is_refused(loss_fn, message):
    with pytest.raises(ValueError, match=message):
        _fit_one_epoch(loss_fn=loss_fn)


@pytest.mark.parametrize(
    ("batches", "message"),
    [
        ([(torch.zeros(2, 3),)], r"`train_loader` must yield \(inputs, targets\) pairs, got a tuple of length 1"),
        ([torch.zeros(2, 3)], r"`train_loader` must yield \(inputs, targets\) pairs"),
        ([(torch.zeros(2, 3), [0.0, 0.0])], "`train_loader` must yield tensors with a batch dimension"),
        ([(torch.zeros(2, 3), torch.zeros(3, 1))], "got 2 inputs and 3 targets in batch 0"),
        ([(torch.zeros(0, 3), torch.zeros(0, 1))], "`train_loader` must yield non-empty batches"),
        (torch.zeros(2, 3), "`train_loader` must be an iterable of .* got Tensor"),
        (torch.utils.data.TensorDataset(torch.zeros(2, 3), torch.zeros(2, 1)), "got TensorDataset"),
    ],
    ids=["one-element", "a-tensor-per-batch", "targets-a-list", "row-mismatch", "empty-batch", "tensor", "dataset"],
)
def test_a_loader_that_does_not_yield_pairs_of_tensors_of_one_length_is_refused(batches, message):
    with pytest.raises(ValueError, match=message):
        _fit_one_epoch(train_loader=batches)


def test_a_one_shot_generator_is_refused_in_the_epoch_where_it_runs_dry():
    model = _mlp()
    batches = ((torch.zeros(2, 3), torch.zeros(2, 1)) for _ in range(2))
    with pytest.raises(ValueError, match="`train_loader` must yield batches in every epoch.*epoch 1"):
        fit_sgd(model, mse, batches, num_epochs=2)


def test_an_empty_validation_loader_is_named_as_such():
    with pytest.raises(ValueError, match="`val_loader` must yield at least one batch"):
        _fit_one_epoch(val_loader=[])


def test_a_metric_that_returns_more_than_one_number_is_named():
    val = [(torch.zeros(2, 3), torch.zeros(2, 1))]
    with pytest.raises(ValueError, match=r"`metrics\['err'\]` must return a number, got Tensor of shape \(2, 1\)"):
        _fit_one_epoch(val_loader=val, metrics={"err": lambda out, t: (out - t).abs()})
