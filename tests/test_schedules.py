"""lib.schedules: every schedule equals its torch.optim.lr_scheduler twin lr for lr over a whole run; LambdaLR
driven by as_lambda_lr follows a schedule exactly; a bad option is rejected by name when the schedule is made, a bad
step when it is called.

Tolerance. torch's schedulers, stepped without an epoch argument, use *chainable* forms: each lr is computed from
the previous one (StepLR multiplies by gamma at each boundary, CosineAnnealingLR applies a ratio of cosines), while
``lib.schedules`` evaluates closed forms. The two agree up to floating-point rounding, which accumulates about one
unit in the last place (2**-53 ~ 1.1e-16, relative) per step: after a few hundred steps, ~1e-14 of the base lr. So
we compare with an absolute tolerance of 1e-12 times the base lr (a hundred times the worst accumulated rounding,
ten orders of magnitude below any lr difference that matters) and rel=1e-12. Measured with torch 2.13 over the
runs below: at most 6e-16 of the base lr absolute and 2.3e-15 relative; several twins agree exactly.
"""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from lib import schedules

LR = 0.1


def _torch_lrs(make_scheduler, num_steps, lr=LR):
    """The first group's lr before each of ``num_steps + 1`` updates: after 0, 1, ..., num_steps scheduler steps."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(num_steps):
        optimizer.step()  # torch warns if the scheduler steps before the optimizer
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def _assert_same_lrs(ours, theirs, base_lr=LR):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12 * base_lr), f"step {step}: {a} != {b}"


CASES = {
    "constant": (
        schedules.constant(lr=LR),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1.0),
        40,
    ),
    "step_decay": (
        schedules.step_decay(lr=LR, step_size=7, gamma=0.5),
        lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
        60,
    ),
    "exponential": (
        schedules.exponential(lr=LR, gamma=0.97),
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.97),
        300,
    ),
    "inverse_time": (
        schedules.inverse_time(lr=LR, decay=0.05),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1.0 / (1.0 + 0.05 * t)),
        200,
    ),
    "linear_warmup": (
        schedules.linear_warmup(lr=LR, warmup_steps=20, start_factor=0.1),
        lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=20),
        50,
    ),
    "linear_warmup_default_factor": (
        schedules.linear_warmup(lr=LR, warmup_steps=9),
        lambda opt: lr_scheduler.LinearLR(opt, total_iters=9),
        30,
    ),
    "cosine": (
        schedules.cosine(lr=LR, total_steps=300, eta_min=1e-3),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=300, eta_min=1e-3),
        300,
    ),
    "cosine_to_zero": (
        schedules.cosine(lr=LR, total_steps=97),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=97),
        97,
    ),
    "cosine_warm_restarts": (
        schedules.cosine_warm_restarts(lr=LR, T_0=10, eta_min=1e-3),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=10, eta_min=1e-3),
        100,
    ),
    "cosine_warm_restarts_T_mult_2": (
        schedules.cosine_warm_restarts(lr=LR, T_0=5, T_mult=2),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2),
        160,
    ),
    "warmup_cosine": (
        schedules.warmup_cosine(lr=LR, warmup_steps=15, total_steps=120, start_factor=0.2, eta_min=1e-4),
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=15),
                lr_scheduler.CosineAnnealingLR(opt, T_max=105, eta_min=1e-4),
            ],
            milestones=[15],
        ),
        120,
    ),
    "one_cycle": (
        schedules.one_cycle(max_lr=LR, total_steps=200),
        lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=200),
        200,
    ),
    "one_cycle_linear": (
        schedules.one_cycle(max_lr=LR, total_steps=101, pct_start=0.25, anneal_strategy="linear"),
        lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=101, pct_start=0.25, anneal_strategy="linear"),
        101,
    ),
    "one_cycle_three_phase": (
        schedules.one_cycle(max_lr=LR, total_steps=150, div_factor=10.0, final_div_factor=100.0, three_phase=True),
        lambda opt: lr_scheduler.OneCycleLR(
            opt, max_lr=LR, total_steps=150, div_factor=10.0, final_div_factor=100.0, three_phase=True
        ),
        150,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_schedule_equals_its_torch_twin_over_a_whole_run(name):
    ours, make_scheduler, num_steps = CASES[name]
    _assert_same_lrs([ours(t) for t in range(num_steps + 1)], _torch_lrs(make_scheduler, num_steps))


@pytest.mark.parametrize("name", list(CASES))
def test_as_lambda_lr_makes_every_group_follow_the_schedule_exactly(name):
    ours, _, num_steps = CASES[name]
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([{"params": [a], "lr": 0.5}, {"params": [b]}], lr=0.01)
    scheduler = schedules.as_lambda_lr(optimizer, ours)
    for step in range(num_steps + 1):
        assert [group["lr"] for group in optimizer.param_groups] == [ours(step), ours(step)]
        if step < num_steps:
            optimizer.step()
            scheduler.step()


def test_as_lambda_lr_takes_a_schedule_or_any_function_of_the_step():
    for schedule in (schedules.step_decay(lr=0.3, step_size=2, gamma=0.5), lambda t: 0.3 * 0.5 ** (t // 2)):
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        scheduler = schedules.as_lambda_lr(optimizer, schedule)
        lrs = []
        for _ in range(5):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        assert lrs == [0.3, 0.3, 0.15, 0.15, 0.075]


def test_as_lambda_lr_scheduler_state_can_be_saved_and_restored():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = schedules.as_lambda_lr(optimizer, schedules.cosine(lr=0.1, total_steps=10))
    optimizer.step()
    scheduler.step()
    state = scheduler.state_dict()
    again = schedules.as_lambda_lr(optimizer, schedules.cosine(lr=0.1, total_steps=10))
    again.load_state_dict(state)
    assert again.last_epoch == 1


def test_a_schedule_shows_the_call_that_made_it_with_every_option():
    assert repr(schedules.cosine(lr=0.1, total_steps=100)) == "cosine(lr=0.1, total_steps=100, eta_min=0.0)"
    schedule = schedules.one_cycle(max_lr=1, total_steps=np.int64(50))
    assert schedule.name == "one_cycle" and schedule.options["max_lr"] == 1.0
    assert type(schedule.options["total_steps"]) is int  # the checked values, as the schedule uses them
    assert repr(schedules.linear_warmup(lr=0.1, warmup_steps=5, start_factor=0.5)) == (
        "linear_warmup(lr=0.1, warmup_steps=5, start_factor=0.5)"
    )


def test_every_factory_is_listed_and_returns_a_schedule_with_its_own_name():
    names = ["constant", "step_decay", "exponential", "inverse_time", "linear_warmup", "cosine",
             "cosine_warm_restarts", "warmup_cosine", "one_cycle"]  # fmt: skip
    assert [f.__name__ for f in schedules.FACTORIES] == names
    made = {name: ours for name, (ours, _, _) in CASES.items()}
    assert {made[name].name for name in names} == set(names)
    assert all(isinstance(s, schedules.Schedule) for s in made.values())


def test_cosine_stays_at_eta_min_after_total_steps_where_torch_would_climb_again():
    assert schedules.cosine(lr=LR, total_steps=100, eta_min=1e-3)(150) == 1e-3
    assert _torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=100, eta_min=1e-3), 150)[-1] > 1e-3


def test_warm_restarts_restart_at_lr_on_the_exact_steps():
    restarts_at = schedules.cosine_warm_restarts(lr=LR, T_0=5, T_mult=2)
    restarts = [t for t in range(1, 80) if restarts_at(t) == LR]
    assert restarts == [5, 15, 35, 75]


def test_one_cycle_peaks_at_max_lr_and_ends_at_its_minimum():
    lrs = [schedules.one_cycle(max_lr=1.0, total_steps=100)(t) for t in range(100)]
    assert max(lrs) == 1.0 and lrs.index(1.0) == 29
    assert lrs[0] == pytest.approx(1 / 25) and lrs[-1] == pytest.approx(1 / 25 / 1e4)


def test_inverse_time_sum_grows_like_a_log_while_its_squares_converge():
    schedule = schedules.inverse_time(lr=1.0, decay=1.0)
    lrs = [schedule(t) for t in range(100_000)]
    assert sum(lrs) == pytest.approx(math.log(100_000) + 0.5772, rel=1e-3)  # harmonic number
    assert sum(x * x for x in lrs) == pytest.approx(math.pi**2 / 6, rel=1e-4)


BAD = [
    (schedules.constant, {"lr": 0.0}, "lr"),
    (schedules.constant, {"lr": float("nan")}, "lr"),
    (schedules.step_decay, {"lr": 0.1, "step_size": 0}, "step_size"),
    (schedules.step_decay, {"lr": 0.1, "step_size": 3, "gamma": 1.5}, "gamma"),
    (schedules.exponential, {"lr": 0.1, "gamma": 0.0}, "gamma"),
    (schedules.inverse_time, {"lr": 0.1, "decay": -1.0}, "decay"),
    (schedules.linear_warmup, {"lr": 0.1, "warmup_steps": -2}, "warmup_steps"),
    (schedules.linear_warmup, {"lr": 0.1, "warmup_steps": 5, "start_factor": 0.0}, "start_factor"),
    (schedules.cosine, {"lr": 0.1, "total_steps": 0}, "total_steps"),
    (schedules.cosine, {"lr": 0.1, "total_steps": 10, "eta_min": 0.5}, "eta_min"),
    (schedules.cosine_warm_restarts, {"lr": 0.1, "T_0": 0}, "T_0"),
    (schedules.cosine_warm_restarts, {"lr": 0.1, "T_0": 5, "T_mult": 1.5}, "T_mult"),
    (schedules.warmup_cosine, {"lr": 0.1, "warmup_steps": 10, "total_steps": 10}, "warmup_steps"),
    (schedules.warmup_cosine, {"lr": 0.1, "warmup_steps": 5, "total_steps": 10, "eta_min": -1}, "eta_min"),
    (schedules.one_cycle, {"max_lr": -0.1, "total_steps": 10}, "max_lr"),
    (schedules.one_cycle, {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.0}, "pct_start"),
    (schedules.one_cycle, {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.05}, "pct_start"),
    (schedules.one_cycle, {"max_lr": 0.1, "total_steps": 9, "anneal_strategy": "cos!"}, "anneal_strategy"),
    (schedules.one_cycle, {"max_lr": 0.1, "total_steps": 10, "div_factor": 0}, "div_factor"),
]


@pytest.mark.parametrize(("factory", "options", "name"), BAD, ids=[f"{f.__name__}-{n}" for f, _, n in BAD])
def test_a_bad_option_raises_a_value_error_naming_it_when_the_schedule_is_made(factory, options, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        factory(**options)


@pytest.mark.parametrize("name", list(CASES))
def test_a_schedule_refuses_a_negative_or_non_integer_step_when_called(name):
    schedule = CASES[name][0]
    for step in (-1, 1.5):
        with pytest.raises(ValueError, match="`step`"):
            schedule(step)


def test_one_cycle_refuses_a_step_past_total_steps_when_called():
    schedule = schedules.one_cycle(max_lr=0.1, total_steps=10)
    assert schedule(10) > 0
    with pytest.raises(ValueError, match="`step` must be at most `total_steps` \\(10\\), got 11"):
        schedule(11)


def test_as_lambda_lr_rejects_bad_arguments_before_training_starts():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match="`optimizer`"):
        schedules.as_lambda_lr("sgd", schedules.constant(lr=0.1))
    with pytest.raises(ValueError, match="`schedule`"):
        schedules.as_lambda_lr(optimizer, 0.1)
    with pytest.raises(ValueError, match="`step` must be at most"):  # a function of your own that fails at step 0
        schedules.as_lambda_lr(optimizer, lambda t: schedules.one_cycle(max_lr=0.1, total_steps=10)(t + 11))
    assert optimizer.param_groups[0]["lr"] == 1.0  # untouched by a call that failed


@pytest.mark.parametrize("factory", schedules.FACTORIES, ids=lambda f: f.__name__)
def test_as_lambda_lr_refuses_a_factory_that_was_not_called_and_says_how_to_call_it(factory):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match=f"`schedule` must be a schedule.*schedules.{factory.__name__}\\(lr=0.1"):
        schedules.as_lambda_lr(optimizer, factory)
    assert optimizer.param_groups[0]["lr"] == 1.0


def test_warmup_cosine_checks_every_option_when_made_not_when_the_warmup_ends():
    with pytest.raises(ValueError, match="`eta_min` must be in"):
        schedules.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10, eta_min=0.5)
    with pytest.raises(ValueError, match="`start_factor`"):
        schedules.warmup_cosine(lr=0.1, warmup_steps=5, total_steps=10, start_factor=0.0)


def test_a_schedule_keeps_the_checked_options_so_changing_the_caller_s_dict_changes_nothing():
    options = dict(lr=0.1, total_steps=10)
    schedule = schedules.cosine(**options)
    options["lr"] = 10.0
    assert schedule(0) == 0.1


@pytest.mark.parametrize("name", list(CASES))
def test_numpy_and_0d_integer_tensor_steps_give_the_same_lr_as_python_ints(name):
    ours = CASES[name][0]
    for t in [0, 1, 7, 42]:
        expected = ours(t)
        for step in (np.int64(t), np.int32(t), torch.tensor(t), torch.tensor(t, dtype=torch.int32)):
            result = ours(step)
            assert result == expected and type(result) is float


@pytest.mark.parametrize(
    "step", [True, 1.0, np.float64(1.0), torch.tensor(1.0), torch.tensor(True), torch.tensor([1]), -1, np.int64(-1)]
)
def test_a_step_that_is_a_bool_a_float_a_vector_or_negative_is_refused(step):
    with pytest.raises(ValueError, match="`step` must be a non-negative int"):
        schedules.cosine(lr=0.1, total_steps=10)(step)


@pytest.mark.parametrize("three_phase", ["no", "False", 0, None])
def test_one_cycle_refuses_a_three_phase_flag_that_is_not_a_bool(three_phase):
    with pytest.raises(ValueError, match="`three_phase` must be True or False"):
        schedules.one_cycle(max_lr=0.1, total_steps=100, three_phase=three_phase)


def test_as_lambda_lr_refuses_a_schedule_that_does_not_return_a_learning_rate():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match="`schedule` must return a learning rate"):
        schedules.as_lambda_lr(optimizer, lambda step: None)
