"""Mixed precision in lib.train.fit (``amp_dtype``): bfloat16 autocast trains a float32 model to the loss float32
training reaches, within a margin set by bfloat16's precision; fit's updates equal a hand-written loop with
``torch.autocast`` (and, for float16, ``torch.amp.GradScaler``, which torch >= 2.3 also runs on the CPU), including
the unscaling before clipping and the skipped step of an overflowing gradient."""

import math

import pytest
import torch

from lib import train

mse = torch.nn.functional.mse_loss
BF16_UNIT_ROUNDOFF = 2.0**-9  # bfloat16 keeps 8 significant bits: relative rounding error at most 2^-9 (0.2 %)


def _mlp(seed=1):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))


def _regression(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=g)
    return X, torch.sin(X.sum(dim=1, keepdim=True))


def _params(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _train(amp_dtype, seed, epochs=20):
    X, y = _regression()
    model = _mlp()
    loader = train.make_loader(X, y, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed))
    history = train.fit(model, mse, torch.optim.Adam(model.parameters(), lr=0.01), loader, num_epochs=epochs,
                        amp_dtype=amp_dtype, progress=False)  # fmt: skip
    return history, train.evaluate(model, mse, [(X, y)])  # the final loss measured in float32 for both


def test_bf16_autocast_runs_the_forward_in_bfloat16_and_keeps_float32_parameters_and_gradients():
    X, y = _regression(16)
    model, seen = _mlp(), []

    def loss_fn(output, target):
        seen.append(output.dtype)
        return mse(output.float(), target)

    train.fit(model, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1), [(X, y)], num_epochs=2,
              val_loader=[(X, y)], amp_dtype=torch.bfloat16, progress=False)  # fmt: skip
    assert seen == [torch.bfloat16] * 4  # two updates and two validations
    assert all(p.dtype == torch.float32 and p.grad.dtype == torch.float32 for p in model.parameters())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bf16_training_ends_within_ten_bf16_roundings_of_float32_training(seed):
    # Each bf16 forward rounds every layer's output with relative error at most u = 2^-9, so each update and each
    # loss differ from float32's by a few u; Adam's steps are normalised and training converges, so the differences
    # do not compound over 160 updates. We allow 10 u (2 %) on the final loss; the three seeds measure about 2 u.
    h32, final32 = _train(None, seed)
    h16, final16 = _train(torch.bfloat16, seed)
    assert all(map(torch.isfinite, map(torch.tensor, h16["step_loss"])))
    assert final16 < 0.1 * h16["train_loss"][0]  # it did train: the loss fell tenfold
    assert abs(final16 - final32) <= 10 * BF16_UNIT_ROUNDOFF * final32
    assert h16["step_loss"] != h32["step_loss"]  # and autocast did act: the runs differ


def _twin(amp_dtype, X, y, *, clip=None, scale_first_loss=1.0):
    """The updates fit should make: a hand-written loop with torch.autocast (and a GradScaler for float16)."""
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu") if amp_dtype == torch.float16 else None
    scales = []
    for step, (Xb, yb) in enumerate(train.make_loader(X, y, batch_size=8)):
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=amp_dtype):
            loss = mse(model(Xb), yb) * (scale_first_loss if step == 0 else 1.0)
        if scaler is None:
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            continue
        scales.append(scaler.get_scale())
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        scaler.step(optimizer)
        scaler.update()
    return model, scales


def _fit(amp_dtype, X, y, *, clip=None, scale_first_loss=1.0):
    model, calls = _mlp(), []

    def loss_fn(output, target):
        calls.append(1)
        return mse(output, target) * (scale_first_loss if len(calls) == 1 else 1.0)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = train.fit(model, loss_fn, optimizer, train.make_loader(X, y, batch_size=8), num_epochs=1,
                        clip_grad_norm=clip, amp_dtype=amp_dtype, progress=False)  # fmt: skip
    return model, history


@pytest.mark.parametrize("amp_dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
def test_fit_makes_the_updates_of_a_hand_written_autocast_loop_with_clipping(amp_dtype):
    X, y = _regression(40)
    ours, history = _fit(amp_dtype, X, y, clip=0.05)
    twin, scales = _twin(amp_dtype, X, y, clip=0.05)
    torch.testing.assert_close(_params(ours), _params(twin), atol=0, rtol=0)
    assert max(history["step_grad_norm"]) > 0.05  # clipping acted on the unscaled gradients
    if amp_dtype == torch.float16:
        assert history["step_loss_scale"] == scales == [65536.0] * 5  # torch's initial scale, never cut here
    else:
        assert "step_loss_scale" not in history


def test_a_float16_step_whose_scaled_gradient_overflows_is_skipped_and_the_scale_halved():
    # A first loss of ~1e36 times the scale 65536 overflows float32 (3.4e38) in backward: the scaler skips that
    # step, halves the scale, and training goes on from the initial parameters.
    X, y = _regression(16)
    ours, history = _fit(torch.float16, X, y, scale_first_loss=1e36)
    twin, scales = _twin(torch.float16, X, y, scale_first_loss=1e36)
    assert history["step_loss_scale"] == scales == [65536.0, 32768.0]
    assert not math.isfinite(history["step_grad_norm"][0]) and history["step_grad_norm"][1] < 1e3
    torch.testing.assert_close(_params(ours), _params(twin), atol=0, rtol=0)
    skipped, _ = _fit(torch.float16, X[:8], y[:8], scale_first_loss=1e36)  # only the overflowing step
    assert torch.equal(_params(skipped), _params(_mlp()))


def test_validation_runs_under_autocast_too():
    X, y = _regression(16)
    model = _mlp()
    history = train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), [(X, y)], num_epochs=1,
                        val_loader=[(X, y)], amp_dtype=torch.bfloat16, progress=False)  # fmt: skip
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        assert history["val_loss"] == [mse(model(X), y).item()]
