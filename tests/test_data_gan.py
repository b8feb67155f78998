"""lib.data.make_gaussian_ring / ring_centers and lib.metrics.modes_covered: the ring's geometry and statistics,
draws the same on every CPU, and mode counts on samples whose answer is known by construction."""

import math

import pytest
import torch
from torch.testing import assert_close

from lib import data, metrics


def test_ring_centers_lie_on_the_circle_at_equal_angles():
    c = data.ring_centers(8, radius=2.0)
    assert c.shape == (8, 2) and c.dtype == torch.float64
    assert_close(c.norm(dim=1), torch.full((8,), 2.0, dtype=torch.float64))
    assert_close(c[1], torch.tensor([2 * math.cos(math.pi / 4), 2 * math.sin(math.pi / 4)], dtype=torch.float64))
    neighbours = (c - c.roll(1, 0)).norm(dim=1)
    assert_close(neighbours, torch.full((8,), 4 * math.sin(math.pi / 8), dtype=torch.float64))


def test_gaussian_ring_samples_sit_near_their_mode_with_the_requested_spread():
    X, mode = data.make_gaussian_ring(20_000, modes=6, radius=3.0, std=0.1, generator=torch.Generator().manual_seed(0))
    assert X.shape == (20_000, 2) and X.dtype == torch.float64 and mode.dtype == torch.int64
    offsets = X - data.ring_centers(6, radius=3.0)[mode]
    assert abs(offsets.std().item() - 0.1) < 0.003  # std of 40 000 normal draws: relative error ~ 0.4 %
    assert offsets.mean(0).abs().max() < 0.003
    counts = torch.bincount(mode, minlength=6).double() / 20_000
    assert (counts - 1 / 6).abs().max() < 0.015  # binomial standard error ~ 0.0026


def test_gaussian_ring_is_drawn_in_float64_and_cast_so_float32_is_the_rounded_float64_draw():
    X64, m64 = data.make_gaussian_ring(50, generator=torch.Generator().manual_seed(1))
    X32, m32 = data.make_gaussian_ring(50, generator=torch.Generator().manual_seed(1), dtype=torch.float32)
    assert torch.equal(m64, m32) and torch.equal(X64.float(), X32)


def test_gaussian_ring_uses_the_global_generator_when_none_is_given_and_allows_n_0():
    torch.manual_seed(3)
    a, _ = data.make_gaussian_ring(5)
    b, _ = data.make_gaussian_ring(5, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    X, mode = data.make_gaussian_ring(0)
    assert X.shape == (0, 2) and mode.shape == (0,)


def test_modes_covered_counts_modes_with_at_least_min_count_high_quality_samples():
    c = data.ring_centers(8)
    near = torch.cat([c[0].repeat(5, 1), c[3].repeat(2, 1), c[5][None]]) + 0.01
    far = torch.zeros(2, 2, dtype=torch.float64)  # the ring's centre: 2 away from every mode
    result = metrics.modes_covered(torch.cat([near, far]), c, max_distance=0.05)
    assert result.covered == 3 and result.high_quality == 0.8
    assert result.counts.tolist() == [5, 0, 0, 2, 0, 1, 0, 0]
    assert metrics.modes_covered(torch.cat([near, far]), c, max_distance=0.05, min_count=2).covered == 2
    assert metrics.modes_covered(far, c, max_distance=1.0).covered == 0


def test_modes_covered_on_the_ring_itself_covers_every_mode_and_a_collapsed_sample_covers_one():
    X, mode = data.make_gaussian_ring(2000, std=0.02, generator=torch.Generator().manual_seed(0))
    c = data.ring_centers(8)
    full = metrics.modes_covered(X, c, max_distance=0.06)  # 3 std: 98.9 % of a 2-d Gaussian lies within
    assert full.covered == 8 and 0.98 < full.high_quality <= 1
    assert torch.equal(full.counts.sum(), torch.tensor(round(full.high_quality * 2000)))
    assert metrics.modes_covered(X[mode == 2], c, max_distance=0.06).covered == 1


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_modes_covered_treats_non_finite_samples_as_low_quality(bad):
    c = data.ring_centers(8)
    samples = torch.cat([c[:2], torch.full((2, 2), bad, dtype=torch.float64)])
    result = metrics.modes_covered(samples, c, max_distance=0.1)
    assert result.covered == 2 and result.high_quality == 0.5


def test_modes_covered_accepts_float32_samples_and_centers():
    c = data.ring_centers(8, dtype=torch.float32)
    assert metrics.modes_covered(c + 0.01, c, max_distance=0.05).covered == 8
