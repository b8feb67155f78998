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

_DEVICE_CHOICES = ("cpu", "cuda", "mps")


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
