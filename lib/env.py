"""Reproducibility and hardware: seeds, the one device helper, and an environment summary."""

from __future__ import annotations

import os
import platform
import random

import numpy as np
import torch

from lib._validate import check_device, check_seed

DEVICE_ENV_VAR = "COURSE_DEVICE"
"""Name of the environment variable that forces a device, e.g. ``COURSE_DEVICE=cpu``."""

DTYPE_ENV_VAR = "COURSE_DTYPE"
"""Name of the environment variable that forces the chapters' training dtype, e.g. ``COURSE_DTYPE=float32``."""

_DEVICE_CHOICES = ("cpu", "cuda", "mps")
_DTYPE_CHOICES = {"float32": torch.float32, "float64": torch.float64}


def seed_everything(seed: int) -> int:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU); return ``seed``.

    Prefer explicit generators (``torch.Generator``, ``numpy.random.default_rng``) in code that draws random
    numbers; this only makes code that uses the global generators repeatable.
    """
    seed = check_seed("seed", seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 (seeding the legacy global generator is the point)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def get_device() -> torch.device:
    """The device to compute on: CUDA if present, else Apple's MPS, else the CPU.

    Set the environment variable ``COURSE_DEVICE`` to ``cpu``, ``cuda`` or ``mps`` to choose one yourself
    (``COURSE_DEVICE=cpu`` reproduces the committed outputs on a machine with a GPU).
    """
    forced = os.environ.get(DEVICE_ENV_VAR, "").strip().lower()
    if forced:
        if forced not in _DEVICE_CHOICES:
            raise ValueError(f"environment variable {DEVICE_ENV_VAR} must be one of {_DEVICE_CHOICES}, got {forced!r}")
        available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": _mps_available()}
        if not available[forced]:
            raise ValueError(f"environment variable {DEVICE_ENV_VAR} asks for {forced!r}, which is not available here")
        return torch.device(forced)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def get_dtype(device: torch.device | str | None = None) -> torch.dtype:
    """The floating-point type the chapters train in: ``float64`` on the CPU, ``float32`` on a GPU.

    Training is chaotic: a difference in the last bit of one matrix product (CPUs with other vector instructions,
    or another thread count, sum in another order) grows over hundreds of updates. In float32 that last bit is
    ~1e-7 and the printed third digit of an accuracy can change from one CPU to the next; in float64 it is ~1e-16,
    and the printed results are the same on every CPU. GPUs compute in ``float32`` (MPS has no float64, and CUDA's
    float64 is slow); every claim a chapter asserts holds in both.

    Set the environment variable ``COURSE_DTYPE`` to ``float32`` or ``float64`` to choose yourself
    (``COURSE_DTYPE=float32`` on the CPU runs a chapter as a GPU would).
    """
    forced = os.environ.get(DTYPE_ENV_VAR, "").strip().lower()
    if forced:
        if forced not in _DTYPE_CHOICES:
            raise ValueError(
                f"environment variable {DTYPE_ENV_VAR} must be one of {tuple(_DTYPE_CHOICES)}, got {forced!r}"
            )
        if forced == "float64" and _device_type(device) == "mps":
            raise ValueError(f"environment variable {DTYPE_ENV_VAR} asks for float64, which MPS does not support")
        return _DTYPE_CHOICES[forced]
    return torch.float64 if _device_type(device) == "cpu" else torch.float32


def _device_type(device) -> str:
    return get_device().type if device is None else check_device("device", device).type


def environment_summary(device: torch.device | None = None) -> str:
    """One line with the versions that matter for reproducing a notebook and the device in use."""
    import matplotlib
    import sklearn

    device = get_device() if device is None else check_device("device", device)
    name = device.type
    if device.type == "cuda":
        name = f"cuda ({torch.cuda.get_device_name(device)})"
    return (
        f"Python {platform.python_version()} | torch {torch.__version__} | numpy {np.__version__} | "
        f"matplotlib {matplotlib.__version__} | scikit-learn {sklearn.__version__} | device: {name}"
    )
