"""Shared helpers of the course *Loss Functions and Optimization Algorithms for Deep Learning*.

Importing ``lib`` has no side effects: it seeds nothing, sets no plot style, prints and downloads nothing.
"""

from lib import (
    activations,
    checks,
    data,
    env,
    init,
    landscapes,
    launch,
    losses,
    metrics,
    norm,
    optim,
    plot,
    report,
    schedules,
    train,
)

__all__ = [
    "activations",
    "checks",
    "data",
    "env",
    "init",
    "landscapes",
    "launch",
    "losses",
    "metrics",
    "norm",
    "optim",
    "plot",
    "report",
    "schedules",
    "train",
]
__version__ = "0.1.0"
