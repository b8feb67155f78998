"""Timing: one optimizer step of lib.optim against torch.optim's single-tensor path (``foreach=False``) on a
~1M-parameter model. Excluded from the default run; run with ``pytest -m benchmark -s`` to see the ratios."""

from __future__ import annotations

import statistics
import time

import pytest
import torch

from lib import optim

pytestmark = pytest.mark.benchmark

REPEATS = 50
TARGET_RATIO = 1.2  # lib may be at most 20 % slower than torch's single-tensor loop

TWINS = {
    "SGD": (optim.SGD, torch.optim.SGD, dict(lr=1e-3, momentum=0.9, nesterov=True)),
    "Adagrad": (optim.Adagrad, torch.optim.Adagrad, {}),
    "RMSprop": (optim.RMSprop, torch.optim.RMSprop, dict(momentum=0.9, centered=True)),
    "Adadelta": (optim.Adadelta, torch.optim.Adadelta, {}),
    "Adam": (optim.Adam, torch.optim.Adam, {}),
    "AdamW": (optim.AdamW, torch.optim.AdamW, dict(amsgrad=True)),
}


def _model_with_grads() -> torch.nn.Module:
    """1000 → 500 → 500 → 500 → 10 linear layers: 1,006,510 parameters, each with a fixed gradient."""
    generator = torch.Generator().manual_seed(0)
    sizes = [1000, 500, 500, 500, 10]
    model = torch.nn.Sequential(*[torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=generator) * 1e-3
    return model


def _median_step_seconds(optimizers) -> list[float]:
    """Time ``step()`` of each optimizer, interleaved (in alternating order) so both see the same machine load."""
    times = [[] for _ in optimizers]
    for _ in range(3):  # warm-up: creates the state
        for opt in optimizers:
            opt.step()
    for repeat in range(REPEATS):
        order = list(zip(optimizers, times))
        for opt, bucket in order if repeat % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            opt.step()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


@pytest.mark.parametrize("name", list(TWINS))
def test_lib_step_is_at_most_20_percent_slower_than_torch_single_tensor(name):
    ours_cls, torch_cls, options = TWINS[name]
    model_ours, model_theirs = _model_with_grads(), _model_with_grads()
    ours = ours_cls(model_ours.parameters(), **options)
    theirs = torch_cls(model_theirs.parameters(), foreach=False, **options)
    with torch.no_grad():
        ours_s, theirs_s = _median_step_seconds([ours, theirs])
    ratio = ours_s / theirs_s
    print(f"\n{name:9s} lib {ours_s * 1e3:7.3f} ms   torch {theirs_s * 1e3:7.3f} ms   ratio {ratio:.2f}")
    assert ratio <= TARGET_RATIO
