"""Bad input to lib.losses' adversarial losses, lib.data.make_gaussian_ring / ring_centers and
lib.metrics.modes_covered, one row per mistake: a ValueError naming the argument, never an error from inside
torch, never a silently accepted value."""

from __future__ import annotations

import pytest
import torch

from lib import data, losses, metrics
from tests.helpers import assert_refused


def z(*shape, dtype=torch.float32):
    return torch.zeros(shape, dtype=dtype)


def row(id, call, match, error=ValueError):
    return pytest.param(call, error, match, id=id)


TWO_BATCH = {
    "discriminator_loss": (losses.discriminator_loss, "logits"),
    "hinge_discriminator_loss": (losses.hinge_discriminator_loss, "logits"),
    "wasserstein_critic_loss": (losses.wasserstein_critic_loss, "scores"),
}
ONE_BATCH = {
    "generator_loss": (losses.generator_loss, "logits"),
    "hinge_generator_loss": (losses.hinge_generator_loss, "logits"),
    "wasserstein_generator_loss": (losses.wasserstein_generator_loss, "scores"),
}
ROWS = []
for name, (f, what) in TWO_BATCH.items():
    ROWS += [
        row(f"{name}: real a list", lambda f=f: f([0.0, 1.0], z(2)), f"`real_{what}` must be a torch.Tensor"),
        row(f"{name}: fake a number", lambda f=f: f(z(2), 1.0), f"`fake_{what}` must be a torch.Tensor"),
        row(f"{name}: real int64", lambda f=f: f(z(2, dtype=torch.int64), z(2)),
            f"`real_{what}` must be a floating-point tensor"),
        row(f"{name}: fake bool", lambda f=f: f(z(2), z(2, dtype=torch.bool)),
            f"`fake_{what}` must be a floating-point tensor"),
        row(f"{name}: float64 fake", lambda f=f: f(z(2), z(2, dtype=torch.float64)),
            f"`fake_{what}` must have the same dtype as `real_{what}`"),
    ]
for name, (f, what) in ONE_BATCH.items():
    ROWS += [
        row(f"{name}: fake a list", lambda f=f: f([0.0, 1.0]), f"`fake_{what}` must be a torch.Tensor"),
        row(f"{name}: fake int64", lambda f=f: f(z(2, dtype=torch.int64)), f"`fake_{what}` must be a floating-point"),
    ]

LINEAR = torch.nn.Linear(2, 1)
ROWS += [
    row("generator_loss: kind unknown", lambda: losses.generator_loss(z(2), kind="saturating"),
        "`kind` must be one of"),
    row("generator_loss: kind None", lambda: losses.generator_loss(z(2), kind=None), "`kind` must be one of"),
    row("gradient_penalty: critic not callable", lambda: losses.gradient_penalty("critic", z(4, 2), z(4, 2)),
        "`critic` must be a callable"),
    row("gradient_penalty: real a list", lambda: losses.gradient_penalty(LINEAR, [[0.0, 0.0]], z(1, 2)),
        "`real` must be a torch.Tensor"),
    row("gradient_penalty: fake int64", lambda: losses.gradient_penalty(LINEAR, z(1, 2), z(1, 2, dtype=torch.int64)),
        "`fake` must be a floating-point tensor"),
    row("gradient_penalty: shapes differ", lambda: losses.gradient_penalty(LINEAR, z(4, 2), z(3, 2)),
        "`fake` must have the same shape as `real`"),
    row("gradient_penalty: dtypes differ",
        lambda: losses.gradient_penalty(LINEAR, z(4, 2), z(4, 2, dtype=torch.float64)),
        "`fake` must have the same dtype as `real`"),
    row("gradient_penalty: 0-d batch", lambda: losses.gradient_penalty(LINEAR, z(), z()), "`real` must be a batch"),
    row("gradient_penalty: weight negative", lambda: losses.gradient_penalty(LINEAR, z(4, 2), z(4, 2), weight=-1.0),
        "`weight` must be in [0, inf)"),
    row("gradient_penalty: weight nan", lambda: losses.gradient_penalty(LINEAR, z(4, 2), z(4, 2), weight=float("nan")),
        "`weight` must be a finite real number"),
    row("gradient_penalty: generator a seed", lambda: losses.gradient_penalty(LINEAR, z(4, 2), z(4, 2), generator=0),
        "`generator` must be None or a torch.Generator"),
    row("gradient_penalty: critic returns (N, 2)",
        lambda: losses.gradient_penalty(torch.nn.Linear(2, 2), z(4, 2), z(4, 2)), "`critic` must return one score"),
    row("gradient_penalty: critic returns a float", lambda: losses.gradient_penalty(lambda x: 1.0, z(4, 2), z(4, 2)),
        "`critic` must return one score"),
    # data
    row("make_gaussian_ring: n negative", lambda: data.make_gaussian_ring(-1), "`n` must be a non-negative int"),
    row("make_gaussian_ring: n a float", lambda: data.make_gaussian_ring(10.0), "`n` must be a non-negative int"),
    row("make_gaussian_ring: modes 0", lambda: data.make_gaussian_ring(10, modes=0), "`modes` must be a positive int"),
    row("make_gaussian_ring: radius 0", lambda: data.make_gaussian_ring(10, radius=0.0),
        "`radius` must be in (0, inf)"),
    row("make_gaussian_ring: std negative", lambda: data.make_gaussian_ring(10, std=-0.1), "`std` must be in [0, inf)"),
    row("make_gaussian_ring: generator a seed", lambda: data.make_gaussian_ring(10, generator=0),
        "`generator` must be a torch.Generator"),
    row("make_gaussian_ring: dtype int64", lambda: data.make_gaussian_ring(10, dtype=torch.int64),
        "`dtype` must be a floating-point torch.dtype"),
    row("ring_centers: modes a float", lambda: data.ring_centers(8.0), "`modes` must be a positive int"),
    # metrics
    row("modes_covered: samples a list", lambda: metrics.modes_covered([[0.0, 0.0]], z(8, 2), max_distance=0.1),
        "`samples` must be a torch.Tensor"),
    row("modes_covered: samples empty", lambda: metrics.modes_covered(z(0, 2), z(8, 2), max_distance=0.1),
        "`samples` must have shape (N, d) with N > 0"),
    row("modes_covered: samples 1-d", lambda: metrics.modes_covered(z(4), z(8, 2), max_distance=0.1),
        "`samples` must have shape (N, d)"),
    row("modes_covered: centers int64", lambda: metrics.modes_covered(z(4, 2), z(8, 2, dtype=torch.int64),
                                                                      max_distance=0.1),
        "`centers` must be a floating-point tensor"),
    row("modes_covered: centers in 3-d", lambda: metrics.modes_covered(z(4, 2), z(8, 3), max_distance=0.1),
        "`centers` must have shape (K, 2)"),
    row("modes_covered: max_distance negative", lambda: metrics.modes_covered(z(4, 2), z(8, 2), max_distance=-1.0),
        "`max_distance` must be in [0, inf)"),
    row("modes_covered: max_distance missing", lambda: metrics.modes_covered(z(4, 2), z(8, 2)), "max_distance",
        TypeError),
    row("modes_covered: min_count 0", lambda: metrics.modes_covered(z(4, 2), z(8, 2), max_distance=0.1, min_count=0),
        "`min_count` must be a positive int"),
]


@pytest.mark.parametrize("call, error, match", ROWS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(call, error, match):
    assert_refused(call, error, match)
