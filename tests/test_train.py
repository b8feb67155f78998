"""lib.train: fit() records the loss it optimises and reaches the least-squares solution; bad input is rejected."""

import pytest
import torch

from lib import data, losses, train


def _problem(seed=0):
    d = data.make_linear_data(200, generator=torch.Generator().manual_seed(seed), noise_std=0.1,
                              dtype=torch.float64)
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
    history = train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(d.X, d.y),
                        num_epochs=1)
    assert history["train_loss"] == [pytest.approx(before)]


def test_validation_loss_is_recorded_after_each_epoch_and_matches_evaluate():
    d, model = _problem()
    val = train.make_loader(d.X[:50], d.y[:50], batch_size=16)
    history = train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=0.05),
                        train.make_loader(d.X, d.y, batch_size=32), num_epochs=3, val_loader=val)
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
        train.fit(model, _mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(d.X, d.y),
                  num_epochs=num_epochs)


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
    history = train.fit(model, _mse, optimizer, train.make_loader(d.X, d.y, batch_size=50), num_epochs=5,
                        scheduler=scheduler)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
