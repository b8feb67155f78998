"""lib.train.EarlyStopping: patience counts epochs without improvement beyond min_delta, the best weights are
copied (not referenced) and restored; bad arguments are rejected by name; inside fit it stops the run and restores
the best epoch's weights."""

import math

import pytest
import torch

from lib import train
from lib.train import EarlyStopping
from tests.helpers import fit_sgd

mse = torch.nn.functional.mse_loss


def _model(value):
    model = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.constant_(model.weight, value)
    return model


def _feed(stopper, losses, model):
    """Step through ``losses``, setting the weight to the epoch number first; return the epoch it stopped at."""
    for epoch, loss in enumerate(losses):
        torch.nn.init.constant_(model.weight, float(epoch))
        if stopper.step(epoch, loss, model):
            return epoch
    return None


def test_patience_counts_the_epochs_without_improvement():
    stopper, model = EarlyStopping(patience=2), _model(0.0)
    assert _feed(stopper, [3.0, 2.0, 2.5, 1.9, 2.0, 2.1, 0.1], model) == 5
    assert (stopper.best_epoch, stopper.best_loss, stopper.stopped_epoch) == (3, 1.9, 5)


def test_min_delta_makes_small_gains_count_as_no_improvement():
    stopper = EarlyStopping(patience=2, min_delta=0.5)
    assert _feed(stopper, [3.0, 2.8, 2.6, 1.0], _model(0.0)) == 2
    assert stopper.best_epoch == 0


def test_the_best_weights_are_a_copy_and_are_restored():
    stopper, model = EarlyStopping(patience=1), _model(0.0)
    _feed(stopper, [2.0, 1.0, 5.0], model)
    assert model.weight.item() == 2.0  # _feed moved it on; the copy must not follow
    stopper.restore(model)
    assert model.weight.item() == 1.0


def test_restore_best_false_leaves_the_model_alone_and_nan_never_improves():
    stopper, model = EarlyStopping(patience=1, restore_best=False), _model(0.0)
    assert _feed(stopper, [1.0, math.nan], model) == 1
    stopper.restore(model)
    assert model.weight.item() == 1.0 and stopper.best_loss == 1.0


def test_reset_forgets_a_previous_run():
    stopper, model = EarlyStopping(patience=1), _model(0.0)
    _feed(stopper, [1.0, 2.0], model)
    stopper.reset()
    assert (stopper.best_epoch, stopper.best_loss, stopper.stopped_epoch) == (None, math.inf, None)
    stopper.restore(model)  # nothing to restore: a no-op
    assert model.weight.item() == 1.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"patience": 0}, "patience"),
        ({"patience": 2.0}, "patience"),
        ({"patience": 1, "min_delta": -0.1}, "min_delta"),
        ({"patience": 1, "restore_best": 1}, "restore_best"),
    ],
)
def test_bad_arguments_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        EarlyStopping(**kwargs)


# ----- inside fit ----------------------------------------------------------------------------------------------


def _fit_slope(stopper, *, num_epochs, with_val=True, model=None):
    """Train y = 2x from w = 0 (or continue ``model``) under ``stopper``; the validation data is y = x, so the
    validation loss falls while the slope passes 1, then rises."""
    X = torch.linspace(-1, 1, 20).unsqueeze(1)
    if model is None:
        model = torch.nn.Linear(1, 1, bias=False)
        torch.nn.init.zeros_(model.weight)
    val = train.make_loader(X, X)
    options = {"val_loader": val if with_val else None, "early_stopping": stopper}
    history = fit_sgd(model, mse, train.make_loader(X, 2 * X), num_epochs=num_epochs, **options)
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
