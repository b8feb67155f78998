"""lib.data.make_disc_images: shapes and dtypes, masks that are the stated discs, images that are contrast × mask
plus noise, the share of empty masks, determinism for a generator seed; one bad-input row per argument."""

import math

import pytest
import torch

from lib import data
from tests.helpers import assert_refused


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_disc_images_have_one_channel_of_the_requested_size_and_dtype():
    images, masks = data.make_disc_images(5, size=12, generator=_gen(), dtype=torch.float64)
    assert images.shape == masks.shape == (5, 1, 12, 12)
    assert images.dtype == torch.float64 and masks.dtype == torch.bool


def test_each_mask_is_a_disc_of_radius_in_the_range():
    # a disc of radius r holds about pi r^2 pixel centres, and its pixels lie within 2r of each other
    _, masks = data.make_disc_images(300, size=16, radius=(1.5, 2.5), generator=_gen(), noise_std=0.0)
    counts = masks.flatten(1).sum(1).double()
    assert counts.min() >= math.pi * 1.5**2 * 0.5 and counts.max() <= math.pi * 2.5**2 * 1.5
    for mask in masks[:20, 0]:
        rows, cols = torch.nonzero(mask, as_tuple=True)
        assert (rows.max() - rows.min()) <= 5 and (cols.max() - cols.min()) <= 5


def test_the_image_is_contrast_times_the_mask_plus_noise_of_the_stated_std():
    images, masks = data.make_disc_images(400, generator=_gen(1), contrast=2.0, noise_std=0.5, dtype=torch.float64)
    noise = images - 2.0 * masks.double()
    assert abs(noise.mean().item()) < 0.01 and abs(noise.std().item() - 0.5) < 0.01
    clean, clean_masks = data.make_disc_images(10, generator=_gen(1), contrast=3.0, noise_std=0.0)
    assert torch.equal(clean, 3.0 * clean_masks.float())


def test_the_default_foreground_is_a_few_percent_of_the_pixels():
    _, masks = data.make_disc_images(1000, generator=_gen())
    share = masks.flatten(1).double().mean(1)
    assert 0.02 < share.mean().item() < 0.04 and share.max().item() < 0.06 and share.min().item() > 0


def test_empty_fraction_gives_that_many_images_without_a_disc():
    images, masks = data.make_disc_images(50, generator=_gen(), empty_fraction=0.2, noise_std=0.0)
    empty = masks.flatten(1).sum(1) == 0
    assert int(empty.sum()) == 10 and (images[empty] == 0).all()
    assert not empty[:10].all()  # shuffled, not the first ten


def test_disc_images_repeat_exactly_with_the_same_generator_seed_and_differ_with_another():
    a = data.make_disc_images(20, generator=_gen(4), empty_fraction=0.3)
    b = data.make_disc_images(20, generator=_gen(4), empty_fraction=0.3)
    c = data.make_disc_images(20, generator=_gen(5), empty_fraction=0.3)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and not torch.equal(a[0], c[0])


def test_float32_images_are_the_float64_draws_rounded():
    single, _ = data.make_disc_images(10, generator=_gen(2), dtype=torch.float32)
    double, _ = data.make_disc_images(10, generator=_gen(2), dtype=torch.float64)
    assert torch.equal(single, double.float())


def _discs(**kwargs):
    return data.make_disc_images(**{"n_images": 4, "generator": _gen(), **kwargs})


BAD_INPUT = [
    ("n-0", lambda: _discs(n_images=0), "`n_images`"),
    ("n-float", lambda: _discs(n_images=2.5), "`n_images`"),
    ("generator-none", lambda: _discs(generator=None), "`generator`"),
    ("size-3", lambda: _discs(size=3), "`size`"),
    ("radius-scalar", lambda: _discs(radius=2.0), "`radius`"),
    ("radius-zero", lambda: _discs(radius=(0.0, 2.0)), "`radius[0]`"),
    ("radius-reversed", lambda: _discs(radius=(2.0, 1.0)), "`radius[1]`"),
    ("radius-too-large", lambda: _discs(size=8, radius=(1.0, 5.0)), "`radius[1]`"),
    ("contrast-nan", lambda: _discs(contrast=float("nan")), "`contrast`"),
    ("noise-negative", lambda: _discs(noise_std=-0.1), "`noise_std`"),
    ("empty-above-1", lambda: _discs(empty_fraction=1.5), "`empty_fraction`"),
    ("dtype-int", lambda: _discs(dtype=torch.int64), "`dtype`"),
]


@pytest.mark.parametrize("call,match", [(call, match) for _, call, match in BAD_INPUT],
                         ids=[name for name, _, _ in BAD_INPUT])
def test_make_disc_images_refuses_bad_input(call, match):
    assert_refused(call, ValueError, match)
