"""lib.train: fit() records the loss it optimises and reaches the least-squares solution; bad input is rejected."""

import pytest
import torch

from lib import data, losses, train


def _problem(seed=0):
    d = data.make_linear_data(200, generator=torch.Generator().manual_seed(seed), noise_std=0.1, dtype=torch.float64)
    return d, torch.nn.Linear(1, 1).double()


def _mse(input, target):
    return losses.mse_loss(input.squeeze(-1), target)


def test_full_batch_fit_reaches_the_least_squares_solution():
    d, model = _problem()
    loader = train.make_loader(d.X, d.y)
    history = train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=0.1), loader, num_epochs=300)
    A = torch.cat([d.X, torch.ones(len(d.y), 1, dtype=torch.float64)], dim=1)
    w, b = torch.linalg.lstsq(A, d.y.unsqueeze(1)).solution.squeeze(1)
    assert model.weight.item() == pytest.approx(w.item(), abs=1e-6)
    assert model.bias.item() == pytest.approx(b.item(), abs=1e-6)
    assert len(history["train_loss"]) == 300 and history["train_loss"][-1] < history["train_loss"][0]


def test_train_loss_is_the_loss_before_each_full_batch_step():
    d, model = _problem()
    before = _mse(model(d.X), d.y).item()
    history = train.fit(
        model, _mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(d.X, d.y), num_epochs=1
    )
    assert history["train_loss"] == [pytest.approx(before)]


def test_validation_loss_is_recorded_after_each_epoch_and_matches_evaluate():
    d, model = _problem()
    val = train.make_loader(d.X[:50], d.y[:50], batch_size=16)
    history = train.fit(
        model,
        _mse,
        torch.optim.SGD(model.parameters(), lr=0.05),
        train.make_loader(d.X, d.y, batch_size=32),
        num_epochs=3,
        val_loader=val,
    )
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
        train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=0.05), loader, num_epochs=3)
        results.append(model.weight.item())
    assert results[0] == results[1]


def test_a_non_finite_loss_stops_training_and_names_the_step():
    d, model = _problem()
    optimizer = torch.optim.SGD(model.parameters(), lr=100.0)  # far above 2/L: diverges
    with pytest.raises(FloatingPointError, match=r"at epoch \d+, step 0"):
        train.fit(model, _mse, optimizer, train.make_loader(d.X, d.y), num_epochs=500)


def test_linear_fit_error_measures_slope_and_intercept_errors():
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.5)
        model.bias.fill_(0.0)
    assert train.linear_fit_error(model, torch.tensor([2.0]), 1.0) == pytest.approx((0.5, 1.0))


@pytest.mark.parametrize("num_epochs", [0, -3, 2.0])
def test_fit_rejects_a_bad_epoch_count(num_epochs):
    d, model = _problem()
    with pytest.raises(ValueError, match="`num_epochs`"):
        train.fit(
            model, _mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(d.X, d.y), num_epochs=num_epochs
        )


def test_make_loader_rejects_mismatched_rows_bad_batch_sizes_and_unseeded_shuffling():
    X, y = torch.zeros(10, 1), torch.zeros(10)
    with pytest.raises(ValueError, match="`y` must have as many rows as `X`"):
        train.make_loader(X, torch.zeros(9))
    with pytest.raises(ValueError, match="`batch_size`"):
        train.make_loader(X, y, batch_size=0)
    with pytest.raises(ValueError, match="`generator`"):
        train.make_loader(X, y, batch_size=2, shuffle=True)


def test_a_scheduler_is_stepped_once_per_epoch_and_the_lr_is_recorded():
    d, model = _problem()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = train.fit(
        model, _mse, optimizer, train.make_loader(d.X, d.y, batch_size=50), num_epochs=5, scheduler=scheduler
    )
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


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
    h_small = train.fit(
        small,
        mse,
        make_optimizer(small.parameters()),
        train.make_loader(X, y, batch_size=4),
        num_epochs=4,
        accumulation_steps=3,
        progress=False,
    )
    h_big = train.fit(
        big, mse, make_optimizer(big.parameters()), train.make_loader(X, y, batch_size=12), num_epochs=4, progress=False
    )
    torch.testing.assert_close(_params(small), _params(big), atol=1e-6, rtol=0)
    assert len(h_small["step_loss"]) == len(h_big["step_loss"]) == 4 * 4
    assert h_small["step_loss"] == pytest.approx(h_big["step_loss"], rel=1e-5)
    assert h_small["train_loss"] == pytest.approx(h_big["train_loss"], rel=1e-5)


def test_clipping_equals_clip_grad_norm_and_the_recorded_norm_is_the_one_before_clipping():
    X, y = _regression(40)
    ours, twin = _mlp(), _mlp()
    history = train.fit(
        ours,
        mse,
        torch.optim.SGD(ours.parameters(), lr=0.5),
        train.make_loader(X, y, batch_size=10),
        num_epochs=3,
        clip_grad_norm=0.05,
        progress=False,
    )
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
    history = train.fit(
        model, mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(X, y), num_epochs=1, progress=False
    )
    assert history["step_grad_norm"] == [pytest.approx(norm, rel=1e-6)]


@pytest.mark.parametrize("interval", ["epoch", "step"])
def test_the_scheduler_steps_once_per_epoch_or_once_per_update(interval):
    X, y = _regression(40)
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = train.fit(
        model,
        mse,
        optimizer,
        train.make_loader(X, y, batch_size=10),
        num_epochs=2,
        scheduler=scheduler,
        scheduler_interval=interval,
        progress=False,
    )
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
    X, y = _regression(40)
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)  # so small that the loss plateaus at once
    scheduler = _RecordingPlateau(optimizer, factor=0.5, patience=0)
    val = train.make_loader(X, y) if with_val else None
    history = train.fit(
        model,
        mse,
        optimizer,
        train.make_loader(X, y, batch_size=20),
        num_epochs=4,
        val_loader=val,
        scheduler=scheduler,
        progress=False,
    )
    assert scheduler.seen == history["val_loss" if with_val else "train_loss"]
    assert history["lr"] == pytest.approx([1e-6, 1e-6, 5e-7, 2.5e-7])  # cut after epochs 1 and 2


def test_reduce_lr_on_plateau_per_step_sees_each_update_loss():
    X, y = _regression(40)
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    scheduler = _RecordingPlateau(optimizer, factor=0.5, patience=100)
    history = train.fit(
        model,
        mse,
        optimizer,
        train.make_loader(X, y, batch_size=10),
        num_epochs=2,
        scheduler=scheduler,
        scheduler_interval="step",
        progress=False,
    )
    assert scheduler.seen == history["step_loss"] and len(scheduler.seen) == 8


def test_metrics_are_measured_on_the_validation_data_after_each_epoch():
    X, y = _regression(30)
    model = _mlp()
    history = train.fit(
        model,
        mse,
        torch.optim.SGD(model.parameters(), lr=0.1),
        train.make_loader(X, y),
        num_epochs=2,
        val_loader=train.make_loader(X, y, batch_size=7),
        metrics={"mae": lambda out, t: (out - t).abs().mean()},
        progress=False,
    )
    assert list(history) == ["train_loss", "lr", "val_loss", "val_mae", "step_loss", "step_grad_norm", "step_lr"]
    with torch.no_grad():
        assert history["val_mae"][-1] == pytest.approx((model(X) - y).abs().mean().item(), rel=1e-6)


def test_a_non_finite_loss_raises_with_the_step_and_leaves_the_parameters_of_the_last_finite_loss():
    d, model = _problem()
    loader = train.make_loader(d.X, d.y)  # full batch: each update's loss is the loss at its parameters
    with pytest.raises(train.NonFiniteLossError) as caught:
        train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=100.0), loader, num_epochs=500, progress=False)
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
        train.fit(
            model,
            mse,
            torch.optim.SGD(model.parameters(), lr=0.1),
            train.make_loader(X, y, batch_size=4),
            num_epochs=1,
            accumulation_steps=3,
            progress=False,
        )
    assert torch.equal(_params(model), before)


def test_the_progress_bar_is_shown_unless_course_progress_is_0(monkeypatch, capsys):
    X, y = _regression(10)
    model = _mlp()
    kwargs = dict(num_epochs=2, progress=True)
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(X, y), **kwargs)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("COURSE_PROGRESS")
    train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(X, y), **kwargs)
    assert "2/2" in capsys.readouterr().err
    train.fit(
        model, mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(X, y), num_epochs=2, progress=False
    )
    assert capsys.readouterr().err == ""


def _fit_slope(stopper, *, num_epochs, with_val=True, model=None):
    """Train y = 2x from w = 0 (or continue ``model``) under ``stopper``; the validation data is y = x, so the
    validation loss falls while the slope passes 1, then rises."""
    X = torch.linspace(-1, 1, 20).unsqueeze(1)
    if model is None:
        model = torch.nn.Linear(1, 1, bias=False)
        torch.nn.init.zeros_(model.weight)
    val = train.make_loader(X, X)
    history = train.fit(
        model,
        mse,
        torch.optim.SGD(model.parameters(), lr=0.1),
        train.make_loader(X, 2 * X),
        num_epochs=num_epochs,
        val_loader=val if with_val else None,
        early_stopping=stopper,
        progress=False,
    )
    return model, val, history


def test_early_stopping_restores_the_best_epochs_weights():
    stopper = train.EarlyStopping(patience=3)
    model, val, history = _fit_slope(stopper, num_epochs=100)
    best = min(range(len(history["val_loss"])), key=history["val_loss"].__getitem__)
    assert stopper.best_epoch == best and 0 < best
    assert stopper.stopped_epoch == best + 3 == len(history["train_loss"]) - 1
    assert stopper.best_loss == history["val_loss"][best]
    assert train.evaluate(model, mse, val) == pytest.approx(stopper.best_loss, rel=1e-6)
    assert train.evaluate(model, mse, val) < history["val_loss"][-1]


def test_early_stopping_without_restoring_keeps_the_last_weights_and_without_val_monitors_train_loss():
    model, val, history = _fit_slope(train.EarlyStopping(patience=2, restore_best=False), num_epochs=100)
    assert train.evaluate(model, mse, val) == pytest.approx(history["val_loss"][-1], rel=1e-6)
    stopper = train.EarlyStopping(patience=2, min_delta=1e-3)
    _, _, history = _fit_slope(stopper, num_epochs=200, with_val=False, model=model)
    assert stopper.stopped_epoch is not None and len(history["train_loss"]) < 200  # train loss converged
    best = stopper.best_epoch
    assert stopper.best_loss == history["train_loss"][best] and stopper.stopped_epoch == best + 2
    assert all(loss > stopper.best_loss - 1e-3 for loss in history["train_loss"][best + 1 :])  # no improvement


BAD_FIT = [
    ({"scheduler_interval": "batch"}, "scheduler_interval"),
    ({"clip_grad_norm": 0.0}, "clip_grad_norm"),
    ({"clip_grad_norm": float("inf")}, "clip_grad_norm"),
    ({"accumulation_steps": 0}, "accumulation_steps"),
    ({"accumulation_steps": 2.0}, "accumulation_steps"),
    ({"early_stopping": 3}, "early_stopping"),
    ({"metrics": [len]}, "metrics"),
    ({"metrics": {"loss": len}, "val_loader": [(torch.zeros(1, 3), torch.zeros(1, 1))]}, "metrics"),
    ({"metrics": {"mae": len}}, "metrics"),
    ({"progress": "yes"}, "progress"),
]


@pytest.mark.parametrize(("kwargs", "name"), BAD_FIT, ids=[f"{n}-{i}" for i, (_, n) in enumerate(BAD_FIT)])
def test_fit_rejects_a_bad_option_by_name(kwargs, name):
    model = _mlp()
    with pytest.raises(ValueError, match=f"`{name}`"):
        train.fit(
            model,
            mse,
            torch.optim.SGD(model.parameters(), lr=0.1),
            [(torch.zeros(2, 3), torch.zeros(2, 1))],
            num_epochs=1,
            **kwargs,
        )


def test_an_empty_loader_is_an_error_naming_it():
    model = _mlp()
    with pytest.raises(ValueError, match="`train_loader`"):
        train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), [], num_epochs=1)


# --- what fit and evaluate are given: the model, the optimizer, the scheduler, the loss, the batches ----------


def _fit_one_epoch(model=None, *, loss_fn=mse, optimizer=None, train_loader=None, **kwargs):
    model = _mlp() if model is None else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1) if optimizer is None else optimizer
    train_loader = [(torch.zeros(2, 3), torch.zeros(2, 1))] if train_loader is None else train_loader
    return train.fit(model, loss_fn, optimizer, train_loader, num_epochs=1, progress=False, **kwargs)


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
        train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), batches, num_epochs=2, progress=False)


def test_an_empty_validation_loader_is_named_as_such():
    with pytest.raises(ValueError, match="`val_loader` must yield at least one batch"):
        _fit_one_epoch(val_loader=[])


def test_a_metric_that_returns_more_than_one_number_is_named():
    val = [(torch.zeros(2, 3), torch.zeros(2, 1))]
    with pytest.raises(ValueError, match=r"`metrics\['err'\]` must return a number, got Tensor of shape \(2, 1\)"):
        _fit_one_epoch(val_loader=val, metrics={"err": lambda out, t: (out - t).abs()})


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: _fit_one_epoch(torch.nn.functional.relu, optimizer=torch.optim.SGD(_mlp().parameters())), "model"),
        (lambda: _fit_one_epoch(optimizer="sgd"), "optimizer"),
        (lambda: _fit_one_epoch(device="gpu0"), "device"),
        (lambda: train.evaluate(_mlp(), mse, [(torch.zeros(2, 3), torch.zeros(3, 1))]), "loader"),
        (lambda: train.evaluate(_mlp(), mse, [(torch.zeros(2, 3), torch.zeros(2, 1))], device="gpu0"), "device"),
        (lambda: train.evaluate(_mlp(), "mse", [(torch.zeros(2, 3), torch.zeros(2, 1))]), "loss_fn"),
    ],
    ids=["fit-model", "fit-optimizer", "fit-device", "evaluate-batch", "evaluate-device", "evaluate-loss-fn"],
)
def test_fit_and_evaluate_name_a_bad_model_optimizer_device_or_loader(call, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        call()


def test_make_loader_refuses_a_shuffle_flag_that_is_not_a_bool():
    with pytest.raises(ValueError, match="`shuffle` must be True or False, got 'False'"):
        train.make_loader(torch.zeros(4, 1), torch.zeros(4), batch_size=2, shuffle="False")
