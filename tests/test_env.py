"""lib.env: seeding repeats random draws; the device helper honours COURSE_DEVICE; the summary names versions."""

import random

import numpy as np
import pytest
import torch

from lib import env


def _draws():
    return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002 (the global generator)


def test_seed_everything_makes_python_numpy_and_torch_draws_repeat():
    env.seed_everything(123)
    first = _draws()
    env.seed_everything(123)
    assert _draws() == first
    env.seed_everything(124)
    assert _draws() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_rejects_a_seed_that_is_not_a_non_negative_int(seed):
    with pytest.raises(ValueError, match="`seed`"):
        env.seed_everything(seed)


def test_get_device_uses_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv(env.DEVICE_ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(env, "_mps_available", lambda: False)
    assert env.get_device() == torch.device("cpu")
    monkeypatch.setattr(env, "_mps_available", lambda: True)
    assert env.get_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert env.get_device() == torch.device("cuda")


def test_course_device_cpu_forces_the_cpu_even_when_cuda_is_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(env.DEVICE_ENV_VAR, "cpu")
    assert env.get_device() == torch.device("cpu")


def test_course_device_rejects_an_unknown_or_absent_device(monkeypatch):
    monkeypatch.setenv(env.DEVICE_ENV_VAR, "tpu")
    with pytest.raises(ValueError, match="COURSE_DEVICE must be one of"):
        env.get_device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(env.DEVICE_ENV_VAR, "cuda")
    with pytest.raises(ValueError, match="not available"):
        env.get_device()


def test_environment_summary_names_the_versions_and_the_device():
    summary = env.environment_summary(torch.device("cpu"))
    assert f"torch {torch.__version__}" in summary
    assert f"numpy {np.__version__}" in summary
    assert summary.endswith("device: cpu")


def test_get_dtype_is_float64_on_the_cpu_and_float32_on_gpus(monkeypatch):
    monkeypatch.delenv(env.DTYPE_ENV_VAR, raising=False)
    assert env.get_dtype(torch.device("cpu")) == torch.float64
    assert env.get_dtype("cuda") == torch.float32
    assert env.get_dtype(torch.device("mps")) == torch.float32


def test_get_dtype_without_a_device_follows_get_device(monkeypatch):
    monkeypatch.delenv(env.DTYPE_ENV_VAR, raising=False)
    monkeypatch.setenv(env.DEVICE_ENV_VAR, "cpu")
    assert env.get_dtype() == torch.float64


def test_course_dtype_forces_the_dtype(monkeypatch):
    monkeypatch.setenv(env.DTYPE_ENV_VAR, "float32")
    assert env.get_dtype("cpu") == torch.float32
    monkeypatch.setenv(env.DTYPE_ENV_VAR, " Float64 ")
    assert env.get_dtype("cuda") == torch.float64


def test_course_dtype_rejects_an_unknown_dtype_and_float64_on_mps(monkeypatch):
    monkeypatch.setenv(env.DTYPE_ENV_VAR, "bfloat16")
    with pytest.raises(ValueError, match="COURSE_DTYPE must be one of"):
        env.get_dtype("cpu")
    monkeypatch.setenv(env.DTYPE_ENV_VAR, "float64")
    with pytest.raises(ValueError, match="MPS does not support"):
        env.get_dtype("mps")


@pytest.mark.parametrize("device", ["tpu", 1.5, ["cpu"]])
def test_get_dtype_rejects_a_device_that_is_not_a_device(monkeypatch, device):
    monkeypatch.delenv(env.DTYPE_ENV_VAR, raising=False)
    with pytest.raises(ValueError, match="`device`"):
        env.get_dtype(device)
