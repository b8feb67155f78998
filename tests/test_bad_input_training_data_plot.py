"""Bad input to the training loop, schedules, datasets, plots, landscapes, environment and report helpers.

One table: every row calls a public function with one wrong argument (of a wrong type, a wrong value, an empty or
mis-shaped array) and says which exception it must raise and what its message must contain, namely the argument's
name in backticks. A row that fails means a learner would meet an error raised deep inside torch, NumPy or
matplotlib, or no error at all.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from lib import data, env, landscapes, plot, schedules, train
from lib.report import Table
from lib.train import EarlyStopping, LRRangeTestResult

NAN, INF = float("nan"), float("inf")
X3, Y1 = torch.zeros(4, 3), torch.zeros(4, 1)
LOADER = [(X3, Y1)]
mse = torch.nn.functional.mse_loss


def _model():
    return torch.nn.Linear(3, 1)  # its values do not matter here: every call below fails before training


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


# ----- lib.train -------------------------------------------------------------------------------------------------


def _fit(**kwargs):
    model = kwargs.pop("model", None) or _model()
    arguments = {
        "model": model,
        "loss_fn": mse,
        "optimizer": _sgd(model if isinstance(model, torch.nn.Module) else _model()),
        "train_loader": LOADER,
        "num_epochs": 1,
        "progress": False,
    }
    arguments.update(kwargs)
    positional = [arguments.pop(name) for name in ("model", "loss_fn", "optimizer", "train_loader")]
    return train.fit(*positional, **arguments)


def _fit_with(**kwargs):
    """``_fit`` where ``kwargs`` may be functions of the model (to build a scheduler or optimizer for it)."""
    model = _model()
    optimizer = _sgd(model)
    resolved = {k: (v(model, optimizer) if callable(v) and k in ("scheduler", "optimizer") else v)
                for k, v in kwargs.items()}  # fmt: skip
    return _fit(model=model, optimizer=resolved.pop("optimizer", optimizer), **resolved)


def _evaluate(model=None, loss_fn=mse, loader=LOADER, **kwargs):
    return train.evaluate(_model() if model is None else model, loss_fn, loader, **kwargs)


def _range_test(**kwargs):
    arguments = {
        "model": _model(),
        "loss_fn": mse,
        "optimizer_factory": lambda params, lr: torch.optim.SGD(params, lr=lr),
        "loader": LOADER,
        "start_lr": 1e-4,
        "end_lr": 1.0,
        "num_steps": 3,
    }
    arguments.update(kwargs)
    positional = [arguments.pop(name) for name in ("model", "loss_fn", "optimizer_factory", "loader")]
    return train.lr_range_test(*positional, **arguments)


def _one_shot_batches():
    return (batch for batch in LOADER)


def _scheduler_of_another_optimizer(model, optimizer):
    return torch.optim.lr_scheduler.StepLR(_sgd(_model()), step_size=1)


def _stopper_step(epoch=0, loss=1.0, model=None):
    return EarlyStopping(patience=2).step(epoch, loss, _model() if model is None else model)


TRAIN = [
    # fit: the model, the loss, the optimizer, the loaders
    ("fit-model-string", lambda: _fit(model="net", optimizer=_sgd(_model())), "`model`"),
    ("fit-model-class", lambda: _fit(model=torch.nn.Linear, optimizer=_sgd(_model())), "`model`"),
    ("fit-model-function", lambda: _fit(model=torch.relu, optimizer=_sgd(_model())), "`model`"),
    ("fit-loss-string", lambda: _fit(loss_fn="mse"), "`loss_fn`"),
    ("fit-loss-none", lambda: _fit(loss_fn=None), "`loss_fn`"),
    ("fit-loss-float", lambda: _fit(loss_fn=lambda o, t: mse(o, t).item()), "`loss_fn`"),
    ("fit-loss-unreduced", lambda: _fit(loss_fn=lambda o, t: mse(o, t, reduction="none")), "`loss_fn`"),
    ("fit-loss-shape-1", lambda: _fit(loss_fn=lambda o, t: mse(o, t).reshape(1)), "`loss_fn`"),
    ("fit-loss-int", lambda: _fit(loss_fn=lambda o, t: torch.tensor(1)), "`loss_fn`"),
    ("fit-loss-detached", lambda: _fit(loss_fn=lambda o, t: mse(o, t).detach()), "`loss_fn`"),
    ("fit-loss-none-returned", lambda: _fit(loss_fn=lambda o, t: None), "`loss_fn`"),
    ("fit-optimizer-string", lambda: _fit(optimizer="sgd"), "`optimizer`"),
    ("fit-optimizer-none", lambda: _fit(optimizer=None), "`optimizer`"),
    ("fit-optimizer-other-model", lambda: _fit(optimizer=_sgd(_model())), "`optimizer`"),
    ("fit-optimizer-class", lambda: _fit(optimizer=torch.optim.SGD), "`optimizer`"),
    ("fit-loader-tensor", lambda: _fit(train_loader=X3), "`train_loader`"),
    ("fit-loader-array", lambda: _fit(train_loader=np.zeros((4, 3))), "`train_loader`"),
    ("fit-loader-string", lambda: _fit(train_loader="batches"), "`train_loader`"),
    ("fit-loader-int", lambda: _fit(train_loader=5), "`train_loader`"),
    ("fit-loader-dict", lambda: _fit(train_loader={"X": X3, "y": Y1}), "`train_loader`"),
    ("fit-loader-dataset", lambda: _fit(train_loader=torch.utils.data.TensorDataset(X3, Y1)), "`train_loader`"),
    ("fit-loader-empty", lambda: _fit(train_loader=[]), "`train_loader`"),
    ("fit-batch-tensor", lambda: _fit(train_loader=[X3]), "`train_loader`"),
    ("fit-batch-one", lambda: _fit(train_loader=[(X3,)]), "`train_loader`"),
    ("fit-batch-three", lambda: _fit(train_loader=[(X3, Y1, Y1)]), "`train_loader`"),
    ("fit-batch-list-targets", lambda: _fit(train_loader=[(X3, [0.0] * 4)]), "`train_loader`"),
    ("fit-batch-array-inputs", lambda: _fit(train_loader=[(np.zeros((4, 3)), Y1)]), "`train_loader`"),
    ("fit-batch-rows", lambda: _fit(train_loader=[(X3, torch.zeros(3, 1))]), "`train_loader`"),
    ("fit-batch-empty", lambda: _fit(train_loader=[(torch.zeros(0, 3), torch.zeros(0, 1))]), "`train_loader`"),
    ("fit-batch-0d", lambda: _fit(train_loader=[(torch.tensor(1.0), torch.tensor(1.0))]), "`train_loader`"),
    ("fit-batch-second", lambda: _fit(train_loader=[(X3, Y1), (X3, torch.zeros(2, 1))]), "batch 1"),
    ("fit-loader-one-shot", lambda: _fit(train_loader=_one_shot_batches(), num_epochs=2), "`train_loader`"),
    ("fit-val-tensor", lambda: _fit(val_loader=X3), "`val_loader`"),
    ("fit-val-empty", lambda: _fit(val_loader=[]), "`val_loader`"),
    ("fit-val-rows", lambda: _fit(val_loader=[(X3, torch.zeros(2, 1))]), "`val_loader`"),
    ("fit-val-loss-unreduced", lambda: _fit(val_loader=[(X3, Y1)], loss_fn=lambda o, t: (o - t) ** 2), "`loss_fn`"),
    # fit: the options
    ("fit-epochs-0", lambda: _fit(num_epochs=0), "`num_epochs`"),
    ("fit-epochs-negative", lambda: _fit(num_epochs=-1), "`num_epochs`"),
    ("fit-epochs-float", lambda: _fit(num_epochs=1.0), "`num_epochs`"),
    ("fit-epochs-bool", lambda: _fit(num_epochs=True), "`num_epochs`"),
    ("fit-epochs-string", lambda: _fit(num_epochs="1"), "`num_epochs`"),
    ("fit-epochs-none", lambda: _fit(num_epochs=None), "`num_epochs`"),
    ("fit-accumulation-0", lambda: _fit(accumulation_steps=0), "`accumulation_steps`"),
    ("fit-accumulation-float", lambda: _fit(accumulation_steps=1.5), "`accumulation_steps`"),
    ("fit-accumulation-integral-float", lambda: _fit(accumulation_steps=2.0), "`accumulation_steps`"),
    ("fit-accumulation-bool", lambda: _fit(accumulation_steps=True), "`accumulation_steps`"),
    ("fit-scheduler-float", lambda: _fit(scheduler=0.1), "`scheduler`"),
    ("fit-scheduler-string", lambda: _fit(scheduler="cosine"), "`scheduler`"),
    ("fit-scheduler-other-optimizer", lambda: _fit_with(scheduler=_scheduler_of_another_optimizer), "`scheduler`"),
    ("fit-scheduler-class", lambda: _fit(scheduler=torch.optim.lr_scheduler.StepLR), "`scheduler`"),
    ("fit-interval-batch", lambda: _fit(scheduler_interval="batch"), "`scheduler_interval`"),
    ("fit-interval-none", lambda: _fit(scheduler_interval=None), "`scheduler_interval`"),
    ("fit-clip-0", lambda: _fit(clip_grad_norm=0.0), "`clip_grad_norm`"),
    ("fit-clip-negative", lambda: _fit(clip_grad_norm=-1.0), "`clip_grad_norm`"),
    ("fit-clip-nan", lambda: _fit(clip_grad_norm=NAN), "`clip_grad_norm`"),
    ("fit-clip-inf", lambda: _fit(clip_grad_norm=INF), "`clip_grad_norm`"),
    ("fit-clip-string", lambda: _fit(clip_grad_norm="1"), "`clip_grad_norm`"),
    ("fit-clip-bool", lambda: _fit(clip_grad_norm=True), "`clip_grad_norm`"),
    ("fit-early-stopping-int", lambda: _fit(early_stopping=3), "`early_stopping`"),
    ("fit-early-stopping-class", lambda: _fit(early_stopping=EarlyStopping), "`early_stopping`"),
    ("fit-metrics-list", lambda: _fit(metrics=[len], val_loader=LOADER), "`metrics`"),
    ("fit-metrics-loss-name", lambda: _fit(metrics={"loss": len}, val_loader=LOADER), "`metrics`"),
    ("fit-metrics-not-callable", lambda: _fit(metrics={"acc": 3}, val_loader=LOADER), "`metrics`"),
    ("fit-metrics-int-name", lambda: _fit(metrics={1: len}, val_loader=LOADER), "`metrics`"),
    ("fit-metrics-without-val", lambda: _fit(metrics={"mae": len}), "`metrics`"),
    ("fit-metric-vector", lambda: _fit(metrics={"e": lambda o, t: o - t}, val_loader=LOADER), "`metrics['e']`"),
    ("fit-metric-string", lambda: _fit(metrics={"e": lambda o, t: "good"}, val_loader=LOADER), "`metrics['e']`"),
    ("fit-metric-none", lambda: _fit(metrics={"e": lambda o, t: None}, val_loader=LOADER), "`metrics['e']`"),
    ("fit-device-string", lambda: _fit(device="gpu0"), "`device`"),
    ("fit-device-float", lambda: _fit(device=1.5), "`device`"),
    ("fit-progress-string", lambda: _fit(progress="yes"), "`progress`"),
    ("fit-progress-int", lambda: _fit(progress=1), "`progress`"),
    ("fit-progress-none", lambda: _fit(progress=None), "`progress`"),
    # evaluate
    ("evaluate-model", lambda: _evaluate(model="net"), "`model`"),
    ("evaluate-loss-fn", lambda: _evaluate(loss_fn="mse"), "`loss_fn`"),
    ("evaluate-loss-unreduced", lambda: _evaluate(loss_fn=lambda o, t: mse(o, t, reduction="none")), "`loss_fn`"),
    ("evaluate-loader-tensor", lambda: _evaluate(loader=X3), "`loader`"),
    ("evaluate-loader-empty", lambda: _evaluate(loader=[]), "`loader`"),
    ("evaluate-loader-rows", lambda: _evaluate(loader=[(X3, torch.zeros(2, 1))]), "`loader`"),
    ("evaluate-loader-single", lambda: _evaluate(loader=[X3]), "`loader`"),
    ("evaluate-device", lambda: _evaluate(device="gpu0"), "`device`"),
    # make_loader
    ("make-loader-X-list", lambda: train.make_loader([[0.0]], torch.zeros(1)), "`X`"),
    ("make-loader-y-array", lambda: train.make_loader(torch.zeros(2, 1), np.zeros(2)), "`y`"),
    ("make-loader-X-0d", lambda: train.make_loader(torch.tensor(1.0), torch.zeros(1)), "`X`"),
    ("make-loader-rows", lambda: train.make_loader(torch.zeros(3, 1), torch.zeros(2)), "`y`"),
    ("make-loader-empty", lambda: train.make_loader(torch.zeros(0, 1), torch.zeros(0)), "`X`"),
    ("make-loader-batch-0", lambda: train.make_loader(X3, Y1, batch_size=0), "`batch_size`"),
    ("make-loader-batch-float", lambda: train.make_loader(X3, Y1, batch_size=2.5), "`batch_size`"),
    ("make-loader-batch-bool", lambda: train.make_loader(X3, Y1, batch_size=True), "`batch_size`"),
    ("make-loader-batch-string", lambda: train.make_loader(X3, Y1, batch_size="2"), "`batch_size`"),
    ("make-loader-shuffle-string", lambda: train.make_loader(X3, Y1, batch_size=2, shuffle="False"), "`shuffle`"),
    ("make-loader-shuffle-int", lambda: train.make_loader(X3, Y1, batch_size=2, shuffle=0), "`shuffle`"),
    ("make-loader-generator-int", lambda: train.make_loader(X3, Y1, batch_size=2, generator=0), "`generator`"),
    ("make-loader-unseeded", lambda: train.make_loader(X3, Y1, batch_size=2, shuffle=True), "`generator`"),
    # lr_range_test
    ("range-model", lambda: _range_test(model="net"), "`model`"),
    ("range-loss-fn", lambda: _range_test(loss_fn=None), "`loss_fn`"),
    ("range-loss-unreduced", lambda: _range_test(loss_fn=lambda o, t: (o - t) ** 2), "`loss_fn`"),
    ("range-factory-not-callable", lambda: _range_test(optimizer_factory="sgd"), "`optimizer_factory`"),
    ("range-factory-none", lambda: _range_test(optimizer_factory=lambda p, lr: None), "`optimizer_factory`"),
    ("range-factory-other-model", lambda: _range_test(optimizer_factory=lambda p, lr: _sgd(_model())),
     "`optimizer_factory`"),
    ("range-loader-tensor", lambda: _range_test(loader=X3), "`loader`"),
    ("range-loader-empty", lambda: _range_test(loader=[]), "`loader`"),
    ("range-loader-rows", lambda: _range_test(loader=[(X3, torch.zeros(1, 1))]), "`loader`"),
    ("range-loader-one-shot", lambda: _range_test(loader=_one_shot_batches()), "`loader`"),
    ("range-start-0", lambda: _range_test(start_lr=0.0), "`start_lr`"),
    ("range-start-string", lambda: _range_test(start_lr="1e-4"), "`start_lr`"),
    ("range-end-below-start", lambda: _range_test(end_lr=1e-5), "`end_lr`"),
    ("range-end-nan", lambda: _range_test(end_lr=NAN), "`end_lr`"),
    ("range-steps-1", lambda: _range_test(num_steps=1), "`num_steps`"),
    ("range-steps-float", lambda: _range_test(num_steps=3.0), "`num_steps`"),
    ("range-steps-bool", lambda: _range_test(num_steps=True), "`num_steps`"),
    ("range-smoothing-1", lambda: _range_test(smoothing=1.0), "`smoothing`"),
    ("range-smoothing-negative", lambda: _range_test(smoothing=-0.1), "`smoothing`"),
    ("range-diverge-1", lambda: _range_test(diverge_factor=1.0), "`diverge_factor`"),
    ("range-device", lambda: _range_test(device="gpu0"), "`device`"),
    ("range-result-empty", lambda: LRRangeTestResult([], [], [], diverged=True).min_loss_lr, "`start_lr`"),
    # progress_enabled
    ("progress-enabled-string", lambda: train.progress_enabled("0"), "`progress`"),
    ("progress-enabled-int", lambda: train.progress_enabled(0), "`progress`"),
    # EarlyStopping
    ("stopping-patience-0", lambda: EarlyStopping(patience=0), "`patience`"),
    ("stopping-patience-float", lambda: EarlyStopping(patience=1.5), "`patience`"),
    ("stopping-patience-bool", lambda: EarlyStopping(patience=True), "`patience`"),
    ("stopping-patience-string", lambda: EarlyStopping(patience="3"), "`patience`"),
    ("stopping-min-delta-negative", lambda: EarlyStopping(patience=2, min_delta=-1.0), "`min_delta`"),
    ("stopping-min-delta-nan", lambda: EarlyStopping(patience=2, min_delta=NAN), "`min_delta`"),
    ("stopping-restore-string", lambda: EarlyStopping(patience=2, restore_best="no"), "`restore_best`"),
    ("stopping-restore-int", lambda: EarlyStopping(patience=2, restore_best=1), "`restore_best`"),
    ("stopping-step-epoch", lambda: _stopper_step(epoch=-1), "`epoch`"),
    ("stopping-step-loss-string", lambda: _stopper_step(loss="1.0"), "`loss`"),
    ("stopping-step-loss-tensor", lambda: _stopper_step(loss=torch.tensor([1.0, 2.0])), "`loss`"),
    ("stopping-step-model", lambda: _stopper_step(model={"w": 1}), "`model`"),
    ("stopping-restore-model", lambda: EarlyStopping(patience=2).restore(None), "`model`"),
]


# ----- lib.schedules ---------------------------------------------------------------------------------------------


def _opt():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)


S = schedules
SCHEDULES = [
    # a bad step fails when the schedule is called
    ("constant-step-negative", lambda: S.constant(lr=0.1)(-1), "`step`"),
    ("constant-step-float", lambda: S.constant(lr=0.1)(1.5), "`step`"),
    ("constant-step-bool", lambda: S.constant(lr=0.1)(True), "`step`"),
    ("constant-step-string", lambda: S.constant(lr=0.1)("0"), "`step`"),
    ("constant-step-float-tensor", lambda: S.constant(lr=0.1)(torch.tensor(1.0)), "`step`"),
    ("constant-step-vector", lambda: S.constant(lr=0.1)(torch.tensor([1])), "`step`"),
    ("constant-step-numpy-negative", lambda: S.constant(lr=0.1)(np.int64(-2)), "`step`"),
    ("warmup-cosine-step-float", lambda: S.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10)(1.0), "`step`"),
    ("one-cycle-step-past-end", lambda: S.one_cycle(max_lr=0.1, total_steps=10)(11), "`step`"),
    # a bad option fails when the schedule is made
    ("constant-lr-0", lambda: S.constant(lr=0.0), "`lr`"),
    ("constant-lr-string", lambda: S.constant(lr="0.1"), "`lr`"),
    ("constant-lr-nan", lambda: S.constant(lr=NAN), "`lr`"),
    ("step-decay-size-0", lambda: S.step_decay(lr=0.1, step_size=0), "`step_size`"),
    ("step-decay-size-float", lambda: S.step_decay(lr=0.1, step_size=2.0), "`step_size`"),
    ("step-decay-gamma-0", lambda: S.step_decay(lr=0.1, step_size=2, gamma=0.0), "`gamma`"),
    ("step-decay-gamma-above-1", lambda: S.step_decay(lr=0.1, step_size=2, gamma=1.5), "`gamma`"),
    ("exponential-gamma-negative", lambda: S.exponential(lr=0.1, gamma=-0.5), "`gamma`"),
    ("exponential-lr-negative", lambda: S.exponential(lr=-0.1, gamma=0.5), "`lr`"),
    ("inverse-time-decay-negative", lambda: S.inverse_time(lr=0.1, decay=-1.0), "`decay`"),
    ("inverse-time-decay-string", lambda: S.inverse_time(lr=0.1, decay="fast"), "`decay`"),
    ("warmup-steps-negative", lambda: S.linear_warmup(lr=0.1, warmup_steps=-1), "`warmup_steps`"),
    ("warmup-steps-float", lambda: S.linear_warmup(lr=0.1, warmup_steps=2.5), "`warmup_steps`"),
    ("warmup-factor-0", lambda: S.linear_warmup(lr=0.1, warmup_steps=5, start_factor=0.0), "`start_factor`"),
    ("warmup-factor-above-1", lambda: S.linear_warmup(lr=0.1, warmup_steps=5, start_factor=2.0), "`start_factor`"),
    ("cosine-total-0", lambda: S.cosine(lr=0.1, total_steps=0), "`total_steps`"),
    ("cosine-eta-min-above-lr", lambda: S.cosine(lr=0.1, total_steps=10, eta_min=0.5), "`eta_min`"),
    ("cosine-eta-min-negative", lambda: S.cosine(lr=0.1, total_steps=10, eta_min=-0.1), "`eta_min`"),
    ("restarts-T0-0", lambda: S.cosine_warm_restarts(lr=0.1, T_0=0), "`T_0`"),
    ("restarts-Tmult-0", lambda: S.cosine_warm_restarts(lr=0.1, T_0=5, T_mult=0), "`T_mult`"),
    ("restarts-Tmult-float", lambda: S.cosine_warm_restarts(lr=0.1, T_0=5, T_mult=1.5), "`T_mult`"),
    ("restarts-eta-min", lambda: S.cosine_warm_restarts(lr=0.1, T_0=5, eta_min=1.0), "`eta_min`"),
    ("warmup-cosine-warmup-too-long", lambda: S.warmup_cosine(lr=0.1, warmup_steps=10, total_steps=10),
     "`warmup_steps`"),
    ("warmup-cosine-eta-min", lambda: S.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10, eta_min=0.5),
     "`eta_min`"),
    ("warmup-cosine-factor", lambda: S.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10, start_factor=0.0),
     "`start_factor`"),
    ("warmup-cosine-lr", lambda: S.warmup_cosine(lr=0.0, warmup_steps=5, total_steps=10), "`lr`"),
    ("warmup-cosine-total-float", lambda: S.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10.0),
     "`total_steps`"),
    ("one-cycle-max-lr", lambda: S.one_cycle(max_lr=-0.1, total_steps=10), "`max_lr`"),
    ("one-cycle-total-1", lambda: S.one_cycle(max_lr=0.1, total_steps=1), "`total_steps`"),
    ("one-cycle-pct-0", lambda: S.one_cycle(max_lr=0.1, total_steps=10, pct_start=0.0), "`pct_start`"),
    ("one-cycle-pct-1", lambda: S.one_cycle(max_lr=0.1, total_steps=10, pct_start=1.0), "`pct_start`"),
    ("one-cycle-div-0", lambda: S.one_cycle(max_lr=0.1, total_steps=10, div_factor=0), "`div_factor`"),
    ("one-cycle-final-div", lambda: S.one_cycle(max_lr=0.1, total_steps=10, final_div_factor=-1),
     "`final_div_factor`"),
    ("one-cycle-anneal", lambda: S.one_cycle(max_lr=0.1, total_steps=10, anneal_strategy="cosine"),
     "`anneal_strategy`"),
    ("one-cycle-three-phase-string", lambda: S.one_cycle(max_lr=0.1, total_steps=100, three_phase="no"),
     "`three_phase`"),
    ("one-cycle-three-phase-int", lambda: S.one_cycle(max_lr=0.1, total_steps=100, three_phase=0),
     "`three_phase`"),
    ("lambda-lr-optimizer", lambda: S.as_lambda_lr("sgd", S.constant(lr=0.1)), "`optimizer`"),
    ("lambda-lr-schedule", lambda: S.as_lambda_lr(_opt(), 0.1), "`schedule`"),
    ("lambda-lr-factory", lambda: S.as_lambda_lr(_opt(), S.cosine), "`schedule`"),
    ("lambda-lr-returns-none", lambda: S.as_lambda_lr(_opt(), lambda t: None), "`schedule`"),
    ("lambda-lr-returns-nan", lambda: S.as_lambda_lr(_opt(), lambda t: NAN), "`schedule`"),
]
# Python itself names a keyword that the factory does not take, or one it needs, in a TypeError.
SCHEDULE_TYPE_ERRORS = [
    ("factory-unknown-option", lambda: S.cosine(lr=0.1, total_step=5), "'total_step'"),
    ("factory-missing-option", lambda: S.cosine(lr=0.1), "'total_steps'"),
    ("lambda-lr-options", lambda: S.as_lambda_lr(_opt(), S.constant(lr=0.1), lr=0.1), "'lr'"),
    ("fit-missing-num-epochs", lambda: train.fit(_model(), mse, _sgd(_model()), LOADER), "'num_epochs'"),
]


# ----- lib.data ------------------------------------------------------------------------------------------------


def _g():
    return torch.Generator().manual_seed(0)


def _linear(**kwargs):
    return data.make_linear_data(10, **{"generator": _g(), **kwargs})


def _subsample(X=None, y=None, fractions=None, generator=None):
    X = torch.zeros(6, 2) if X is None else X
    y = torch.tensor([0, 0, 0, 1, 1, 1]) if y is None else y
    return data.subsample_classes(X, y, {0: 0.5} if fractions is None else fractions, generator=generator or _g())


DATA = [
    ("linear-n-0", lambda: data.make_linear_data(0, generator=_g()), "`n_samples`"),
    ("linear-n-negative", lambda: data.make_linear_data(-5, generator=_g()), "`n_samples`"),
    ("linear-n-float", lambda: data.make_linear_data(10.0, generator=_g()), "`n_samples`"),
    ("linear-n-bool", lambda: data.make_linear_data(True, generator=_g()), "`n_samples`"),
    ("linear-generator-none", lambda: _linear(generator=None), "`generator`"),
    ("linear-generator-int", lambda: _linear(generator=0), "`generator`"),
    ("linear-generator-numpy", lambda: _linear(generator=np.random.default_rng(0)), "`generator`"),
    ("linear-features-0", lambda: _linear(n_features=0), "`n_features`"),
    ("linear-weight-strings", lambda: _linear(weight=["a"]), "`weight`"),
    ("linear-weight-size", lambda: _linear(weight=[1.0, 2.0]), "`weight`"),
    ("linear-weight-nan", lambda: _linear(weight=[NAN]), "`weight`"),
    ("linear-bias-string", lambda: _linear(bias="1"), "`bias`"),
    ("linear-bias-nan", lambda: _linear(bias=NAN), "`bias`"),
    ("linear-noise-negative", lambda: _linear(noise_std=-1.0), "`noise_std`"),
    ("linear-outliers-above-1", lambda: _linear(outlier_fraction=1.5), "`outlier_fraction`"),
    ("linear-outliers-negative", lambda: _linear(outlier_fraction=-0.1), "`outlier_fraction`"),
    ("linear-shift-inf", lambda: _linear(outlier_shift=INF), "`outlier_shift`"),
    ("linear-range-reversed", lambda: _linear(x_range=(1.0, -1.0)), "`x_range`"),
    ("linear-range-number", lambda: _linear(x_range=5.0), "`x_range`"),
    ("linear-range-one", lambda: _linear(x_range=(0.0,)), "`x_range`"),
    ("linear-range-string", lambda: _linear(x_range=("a", 1.0)), "`x_range[0]`"),
    ("linear-dtype-int", lambda: _linear(dtype=torch.int64), "`dtype`"),
    ("linear-dtype-string", lambda: _linear(dtype="float32"), "`dtype`"),
    ("hetero-n-0", lambda: data.make_heteroscedastic_data(0, generator=_g()), "`n_samples`"),
    ("hetero-generator", lambda: data.make_heteroscedastic_data(10, generator=None), "`generator`"),
    ("hetero-dtype", lambda: data.make_heteroscedastic_data(10, generator=_g(), dtype=torch.int32), "`dtype`"),
    ("diabetes-fraction-0", lambda: data.load_diabetes_split(test_fraction=0.0), "`test_fraction`"),
    ("diabetes-fraction-1", lambda: data.load_diabetes_split(test_fraction=1.0), "`test_fraction`"),
    ("diabetes-fraction-empty-train", lambda: data.load_diabetes_split(test_fraction=0.999), "`test_fraction`"),
    ("diabetes-fraction-one-train-row", lambda: data.load_diabetes_split(test_fraction=0.998), "`test_fraction`"),
    ("diabetes-fraction-empty-test", lambda: data.load_diabetes_split(test_fraction=0.001), "`test_fraction`"),
    ("diabetes-fraction-string", lambda: data.load_diabetes_split(test_fraction="0.25"), "`test_fraction`"),
    ("diabetes-fraction-nan", lambda: data.load_diabetes_split(test_fraction=NAN), "`test_fraction`"),
    ("diabetes-seed-negative", lambda: data.load_diabetes_split(seed=-1), "`seed`"),
    ("diabetes-seed-float", lambda: data.load_diabetes_split(seed=1.5), "`seed`"),
    ("diabetes-seed-bool", lambda: data.load_diabetes_split(seed=True), "`seed`"),
    ("diabetes-seed-huge", lambda: data.load_diabetes_split(seed=2**64), "`seed`"),
    ("diabetes-dtype-int", lambda: data.load_diabetes_split(dtype=torch.int64), "`dtype`"),
    ("diabetes-dtype-string", lambda: data.load_diabetes_split(dtype="float32"), "`dtype`"),
    ("digits-fraction-empty-train", lambda: data.load_digits_split(test_fraction=0.999), "`test_fraction`"),
    ("digits-fraction-empty-test", lambda: data.load_digits_split(test_fraction=0.001), "`test_fraction`"),
    ("digits-seed-negative", lambda: data.load_digits_split(seed=-1), "`seed`"),
    ("digits-dtype-int", lambda: data.load_digits_split(dtype=torch.int64), "`dtype`"),
    ("cancer-fraction-empty-test", lambda: data.load_breast_cancer_split(test_fraction=0.001), "`test_fraction`"),
    ("cancer-seed-string", lambda: data.load_breast_cancer_split(seed="0"), "`seed`"),
    ("cancer-dtype-bool", lambda: data.load_breast_cancer_split(dtype=torch.bool), "`dtype`"),
    ("blobs-n-0", lambda: data.make_two_blobs(0, generator=_g()), "`n_samples`"),
    ("blobs-generator", lambda: data.make_two_blobs(10, generator=None), "`generator`"),
    ("blobs-distance-negative", lambda: data.make_two_blobs(10, generator=_g(), distance=-1.0), "`distance`"),
    ("blobs-std-0", lambda: data.make_two_blobs(10, generator=_g(), std=0.0), "`std`"),
    ("blobs-dtype", lambda: data.make_two_blobs(10, generator=_g(), dtype=torch.int64), "`dtype`"),
    ("imbalanced-fraction-0", lambda: data.make_imbalanced_classification(10, generator=_g(), positive_fraction=0.0),
     "`positive_fraction`"),
    ("imbalanced-fraction-1", lambda: data.make_imbalanced_classification(10, generator=_g(), positive_fraction=1.0),
     "`positive_fraction`"),
    ("imbalanced-features-0", lambda: data.make_imbalanced_classification(10, generator=_g(), n_features=0),
     "`n_features`"),
    ("imbalanced-separation", lambda: data.make_imbalanced_classification(10, generator=_g(), separation=-1.0),
     "`separation`"),
    ("imbalanced-dtype", lambda: data.make_imbalanced_classification(10, generator=_g(), dtype=torch.int64),
     "`dtype`"),
    ("imbalanced-generator", lambda: data.make_imbalanced_classification(10, generator=1), "`generator`"),
    ("subsample-X-list", lambda: _subsample(X=[[0.0, 0.0]] * 6), "`X`"),
    ("subsample-y-float", lambda: _subsample(y=torch.zeros(6)), "`y`"),
    ("subsample-y-2d", lambda: _subsample(y=torch.zeros(6, 1, dtype=torch.long)), "`y`"),
    ("subsample-y-rows", lambda: _subsample(y=torch.tensor([0, 1])), "`y`"),
    ("subsample-fractions-list", lambda: _subsample(fractions=[0.5]), "`fractions`"),
    ("subsample-fraction-0", lambda: _subsample(fractions={0: 0.0}), "`fractions[0]`"),
    ("subsample-fraction-above-1", lambda: _subsample(fractions={0: 1.5}), "`fractions[0]`"),
    ("subsample-class-missing", lambda: _subsample(fractions={7: 0.5}), "`fractions`"),
    ("subsample-class-string", lambda: _subsample(fractions={"a": 0.5}), "`fractions`"),
    ("subsample-generator", lambda: data.subsample_classes(torch.zeros(2, 1), torch.tensor([0, 1]), {0: 0.5},
                                                           generator=None), "`generator`"),  # fmt: skip
]


# ----- lib.plot ----------------------------------------------------------------------------------------------


def _ax():
    return plt.subplots()[1]


def _curves(x=(0.0, 1.0), curves=None, **kwargs):
    arguments = {"xlabel": "x", "ylabel": "y", "ax": _ax(), **kwargs}
    return plot.plot_curves(x, {"mse": [0.0, 1.0]} if curves is None else curves, **arguments)


def _fits(x=(0.0, 1.0), y=(0.0, 1.0), lines=None, **kwargs):
    return plot.plot_fits(x, y, {"mse": (1.0, 0.0)} if lines is None else lines, **{"ax": _ax(), **kwargs})


def _history(histories=None, **kwargs):
    return plot.plot_history({"mse": {"train_loss": [1.0, 0.5]}} if histories is None else histories,
                             **{"ax": _ax(), **kwargs})  # fmt: skip


def _trajectories(landscape=None, trajectories=None, **kwargs):
    landscape = landscapes.quadratic() if landscape is None else landscape
    trajectories = {"gd": torch.zeros(3, 2)} if trajectories is None else trajectories
    return plot.plot_trajectories(landscape, trajectories, **{"ax": _ax(), "resolution": 20, **kwargs})


def _linear_score(Z):
    return Z[:, 0] - Z[:, 1]


def _boundary(predict_fn=_linear_score, X=None, y=None, **kwargs):
    X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]) if X is None else X
    y = torch.tensor([0, 1, 0, 1]) if y is None else y
    return plot.plot_decision_boundary(predict_fn, X, y, **{"ax": _ax(), "resolution": 10, **kwargs})


PROBS = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=torch.float64)
LABELS = torch.tensor([0, 1])


def _reliability(probs=PROBS, labels=LABELS, **kwargs):
    return plot.plot_reliability_diagram(probs, labels, **{"ax": _ax(), **kwargs})


def _schedules(schedules_=None, num_steps=3, **kwargs):
    curves = {"cosine": lambda t: 0.1} if schedules_ is None else schedules_
    return plot.plot_schedules(curves, num_steps, **{"ax": _ax(), **kwargs})


RESULT = LRRangeTestResult([1e-3, 1e-2, 1e-1], [1.0, 0.5, 0.8], [1.0, 0.4, 0.9], diverged=False)

PLOT = [
    ("color-int", lambda: plot.color(3), "`name`"),
    ("color-unknown", lambda: plot.color("ridge"), "`name`"),
    ("curves-ax-string", lambda: _curves(ax="ax"), "`ax`"),
    ("curves-ax-figure", lambda: _curves(ax=plt.figure()), "`ax`"),
    ("curves-x-empty", lambda: _curves(x=[], curves={"mse": []}), "`x`"),
    ("curves-x-2d", lambda: _curves(x=[[0.0, 1.0]]), "`x`"),
    ("curves-x-strings", lambda: _curves(x=["a", "b"]), "`x`"),
    ("curves-y-length", lambda: _curves(curves={"mse": [0.0, 1.0, 2.0]}), "`curves['mse']`"),
    ("curves-y-2d", lambda: _curves(curves={"mse": [[0.0, 1.0]]}), "`curves['mse']`"),
    ("curves-empty", lambda: _curves(curves={}), "`curves`"),
    ("curves-list", lambda: _curves(curves=[[0.0, 1.0]]), "`curves`"),
    ("curves-label-int", lambda: _curves(curves={1: [0.0, 1.0]}), "`curves` must have strings as labels"),
    ("curves-colors-bad", lambda: _curves(colors={"mse": "not-a-colour"}), "`colors['mse']`"),
    ("curves-colors-list", lambda: _curves(colors=["red"]), "`colors`"),
    ("curves-logy-string", lambda: _curves(logy="no"), "`logy`"),
    ("curves-xlabel-int", lambda: _curves(xlabel=3), "`xlabel`"),
    ("fits-empty", lambda: _fits(x=[], y=[]), "`x`"),
    ("fits-length", lambda: _fits(y=[0.0, 1.0, 2.0]), "`y`"),
    ("fits-x-nan", lambda: _fits(x=[0.0, NAN]), "`x`"),
    ("fits-x-inf", lambda: _fits(x=[0.0, INF]), "`x`"),
    ("fits-y-inf", lambda: _fits(y=[0.0, INF]), "`y`"),
    ("fits-two-features", lambda: _fits(x=torch.zeros(2, 2)), "`y`"),
    ("fits-line-number", lambda: _fits(lines={"mse": 2.0}), "`lines['mse']`"),
    ("fits-line-string", lambda: _fits(lines={"mse": (1.0, "0")}), "`lines['mse']`"),
    ("fits-line-triple", lambda: _fits(lines={"mse": (1.0, 0.0, 2.0)}), "`lines['mse']`"),
    ("fits-lines-list", lambda: _fits(lines=[(1.0, 0.0)]), "`lines`"),
    ("fits-mask-float", lambda: _fits(outlier_mask=torch.tensor([0.0, 1.0])), "`outlier_mask`"),
    ("fits-mask-int", lambda: _fits(outlier_mask=np.array([0, 1])), "`outlier_mask`"),
    ("fits-mask-length", lambda: _fits(outlier_mask=torch.tensor([True, False, True])), "`outlier_mask`"),
    ("fits-ax", lambda: _fits(ax=0), "`ax`"),
    ("history-empty", lambda: _history({}), "`histories`"),
    ("history-list", lambda: _history([[1.0]]), "`histories`"),
    ("history-not-a-dict", lambda: _history({"mse": [1.0, 0.5]}), "`histories['mse']`"),
    ("history-unknown-key", lambda: _history(key="val_loss"), "`key`"),
    ("history-key-int", lambda: _history(key=0), "`key`"),
    ("history-values-empty", lambda: _history({"mse": {"train_loss": []}}), "`histories['mse']['train_loss']`"),
    ("history-values-2d", lambda: _history({"mse": {"train_loss": [[1.0]]}}), "`histories['mse']['train_loss']`"),
    ("history-logy", lambda: _history(logy="yes"), "`logy`"),
    ("history-ylabel", lambda: _history(ylabel=1), "`ylabel`"),
    ("trajectories-landscape", lambda: _trajectories(landscape="beale"), "`landscape`"),
    ("trajectories-list", lambda: _trajectories(trajectories=[torch.zeros(3, 2)]), "`trajectories`"),
    ("trajectories-1d", lambda: _trajectories(trajectories={"gd": torch.zeros(3)}), "`trajectories['gd']`"),
    ("trajectories-3-columns", lambda: _trajectories(trajectories={"gd": torch.zeros(3, 3)}), "`trajectories['gd']`"),
    ("trajectories-empty", lambda: _trajectories(trajectories={"gd": torch.zeros(0, 2)}), "`trajectories['gd']`"),
    ("trajectories-levels-0", lambda: _trajectories(levels=0), "`levels`"),
    ("trajectories-levels-bool", lambda: _trajectories(levels=True), "`levels`"),
    ("trajectories-levels-string", lambda: _trajectories(levels="30"), "`levels`"),
    ("trajectories-levels-float", lambda: _trajectories(levels=2.5), "`levels`"),
    ("trajectories-levels-decreasing", lambda: _trajectories(levels=[3.0, 2.0, 1.0]), "`levels`"),
    ("trajectories-levels-empty", lambda: _trajectories(levels=[]), "`levels`"),
    ("trajectories-resolution", lambda: _trajectories(resolution=1), "`resolution`"),
    ("trajectories-colors", lambda: _trajectories(colors={"gd": 5}), "`colors['gd']`"),
    ("trajectories-ax", lambda: _trajectories(ax="ax"), "`ax`"),
    ("boundary-predict-fn", lambda: _boundary(predict_fn=None), "`predict_fn`"),
    ("boundary-X-3-columns", lambda: _boundary(X=torch.zeros(4, 3)), "`X`"),
    ("boundary-X-1d", lambda: _boundary(X=torch.zeros(4)), "`X`"),
    ("boundary-X-empty", lambda: _boundary(X=torch.zeros(0, 2), y=torch.zeros(0)), "`X`"),
    ("boundary-X-nan", lambda: _boundary(X=torch.tensor([[0.0, NAN], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])), "`X`"),
    ("boundary-y-length", lambda: _boundary(y=torch.tensor([0, 1])), "`y`"),
    ("boundary-scores-shape", lambda: _boundary(predict_fn=lambda Z: Z), "`predict_fn`"),
    ("boundary-scores-list", lambda: _boundary(predict_fn=lambda Z: Z[:, 0].tolist()), "`predict_fn`"),
    ("boundary-threshold", lambda: _boundary(threshold="0"), "`threshold`"),
    ("boundary-padding-negative", lambda: _boundary(padding=-1.0), "`padding`"),
    ("boundary-padding-nan", lambda: _boundary(padding=NAN), "`padding`"),
    ("boundary-padding-0-one-point", lambda: _boundary(X=torch.zeros(4, 2), padding=0.0), "`padding`"),
    ("boundary-resolution", lambda: _boundary(resolution=1), "`resolution`"),
    ("boundary-show-data", lambda: _boundary(show_data="False"), "`show_data`"),
    ("boundary-color", lambda: _boundary(color="not-a-colour"), "`color`"),
    ("boundary-label", lambda: _boundary(label=3), "`label`"),
    ("boundary-ax", lambda: _boundary(ax=[]), "`ax`"),
    ("reliability-bins-0", lambda: _reliability(n_bins=0), "`n_bins`"),
    ("reliability-bins-float", lambda: _reliability(n_bins=10.0), "`n_bins`"),
    ("reliability-probs-empty", lambda: _reliability(probs=torch.zeros(0, 2), labels=torch.zeros(0)), "`probs`"),
    ("reliability-labels-length", lambda: _reliability(labels=torch.tensor([0, 1, 1])), "`labels`"),
    ("reliability-color", lambda: _reliability(color="not-a-colour"), "`color`"),
    ("reliability-label", lambda: _reliability(label=3), "`label`"),
    ("reliability-ax", lambda: _reliability(ax="ax"), "`ax`"),
    ("schedules-empty", lambda: _schedules({}), "`schedules`"),
    ("schedules-list", lambda: _schedules([lambda t: 0.1]), "`schedules`"),
    ("schedules-not-callable", lambda: _schedules({"cosine": 0.1}), "`schedules['cosine']`"),
    ("schedules-returns-none", lambda: _schedules({"cosine": lambda t: None}), "`schedules['cosine']`"),
    ("schedules-returns-nan", lambda: _schedules({"cosine": lambda t: NAN}), "`schedules['cosine']`"),
    ("schedules-factory", lambda: _schedules({"cosine": schedules.cosine}), "`schedules['cosine']`"),
    ("schedules-steps-0", lambda: _schedules(num_steps=0), "`num_steps`"),
    ("schedules-steps-float", lambda: _schedules(num_steps=2.5), "`num_steps`"),
    ("schedules-logy", lambda: _schedules(logy="yes"), "`logy`"),
    ("schedules-ax", lambda: _schedules(ax=1), "`ax`"),
    ("lr-range-none", lambda: plot.plot_lr_range(None, ax=_ax()), "`result`"),
    ("lr-range-dict", lambda: plot.plot_lr_range({"lrs": [1.0]}, ax=_ax()), "`result`"),
    ("lr-range-empty", lambda: plot.plot_lr_range(LRRangeTestResult([], [], [], diverged=True), ax=_ax()),
     "`result`"),
    ("lr-range-label", lambda: plot.plot_lr_range(RESULT, label=None, ax=_ax()), "`label`"),
    ("lr-range-color", lambda: plot.plot_lr_range(RESULT, color="not-a-colour", ax=_ax()), "`color`"),
    ("lr-range-ax", lambda: plot.plot_lr_range(RESULT, ax="ax"), "`ax`"),
]


# ----- lib.landscapes, lib.env, lib.report -------------------------------------------------------------------


def _trajectory(**kwargs):
    arguments = {"make_optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "landscape": landscapes.beale(), "steps": 2}
    arguments.update(kwargs)
    positional = [arguments.pop(name) for name in ("make_optimizer", "landscape", "steps")]
    return landscapes.run_trajectory(*positional, **arguments)


OTHER = [
    ("quadratic-kappa-below-1", lambda: landscapes.quadratic(0.5), "`kappa`"),
    ("quadratic-kappa-string", lambda: landscapes.quadratic("10"), "`kappa`"),
    ("quadratic-kappa-nan", lambda: landscapes.quadratic(NAN), "`kappa`"),
    ("quadratic-angle-inf", lambda: landscapes.quadratic(angle=INF), "`angle`"),
    ("rosenbrock-a-string", lambda: landscapes.rosenbrock(a="1"), "`a`"),
    ("rosenbrock-b-0", lambda: landscapes.rosenbrock(b=0.0), "`b`"),
    ("landscape-point-list", lambda: landscapes.beale()([1.0, 2.0]), "`point`"),
    ("landscape-point-shape", lambda: landscapes.beale()(torch.zeros(3)), "`point`"),
    ("trajectory-make-optimizer", lambda: _trajectory(make_optimizer="adam"), "`make_optimizer`"),
    ("trajectory-make-optimizer-none", lambda: _trajectory(make_optimizer=lambda p: None), "`make_optimizer`"),
    ("trajectory-other-param", lambda: _trajectory(make_optimizer=lambda p: torch.optim.SGD([torch.zeros(2,
                                                   requires_grad=True)], lr=0.1)), "`make_optimizer`"),  # fmt: skip
    ("trajectory-landscape", lambda: _trajectory(landscape="beale"), "`landscape`"),
    ("trajectory-steps-negative", lambda: _trajectory(steps=-1), "`steps`"),
    ("trajectory-steps-float", lambda: _trajectory(steps=1.5), "`steps`"),
    ("trajectory-steps-bool", lambda: _trajectory(steps=True), "`steps`"),
    ("trajectory-dtype", lambda: _trajectory(dtype=torch.int64), "`dtype`"),
    ("seed-negative", lambda: env.seed_everything(-1), "`seed`"),
    ("seed-float", lambda: env.seed_everything(1.5), "`seed`"),
    ("seed-bool", lambda: env.seed_everything(True), "`seed`"),
    ("seed-string", lambda: env.seed_everything("0"), "`seed`"),
    ("seed-huge", lambda: env.seed_everything(2**64), "`seed`"),
    ("seed-none", lambda: env.seed_everything(None), "`seed`"),
    ("summary-device-string", lambda: env.environment_summary("gpu0"), "`device`"),
    ("summary-device-float", lambda: env.environment_summary(1.5), "`device`"),
    ("table-row-length", lambda: Table([[1, 2]], headers=["a"]), "`rows`"),
    ("table-rows-string", lambda: Table("ab", headers=["a"]), "`rows`"),
    ("table-rows-numbers", lambda: Table([1, 2], headers=["a"]), "`rows`"),
    ("table-headers-string", lambda: Table([["x"]], headers="a"), "`headers`"),
    ("table-headers-empty", lambda: Table([], headers=[]), "`headers`"),
    ("table-headers-int", lambda: Table([["x"]], headers=[1]), "`headers`"),
    ("table-digits-negative", lambda: Table([[1.0]], headers=["a"], digits=-1), "`digits`"),
    ("table-digits-float", lambda: Table([[1.0]], headers=["a"], digits=1.5), "`digits`"),
    ("table-title-int", lambda: Table([[1.0]], headers=["a"], title=3), "`title`"),
]

ROWS = [(*row, ValueError) for row in TRAIN + SCHEDULES + DATA + PLOT + OTHER]
ROWS += [(*row, TypeError) for row in SCHEDULE_TYPE_ERRORS]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_table_is_large_and_its_rows_have_unique_names():
    names = [name for name, *_ in ROWS]
    assert len(names) == len(set(names)) and len(names) >= 180


@pytest.mark.parametrize(("name", "call", "substring", "error"), ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_raises_a_clear_error_that_names_the_argument(name, call, substring, error):
    with pytest.raises(Exception) as caught:  # noqa: B017, PT011 (the type is asserted exactly below)
        call()
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    assert substring in str(caught.value), str(caught.value)
