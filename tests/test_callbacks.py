"""lib.callbacks.EarlyStopping: patience counts epochs without improvement beyond min_delta, the best weights are
copied (not referenced) and restored; bad arguments are rejected by name. (Its use inside fit: tests/test_train.py.)"""

import math

import pytest
import torch

from lib.callbacks import EarlyStopping


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
