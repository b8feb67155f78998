"""Shared helpers of the course *Loss Functions and Optimization Algorithms for Deep Learning*.

Importing ``lib`` has no side effects: it seeds nothing, sets no plot style, prints and downloads nothing.
"""

from lib import (
    callbacks,
    checks,
    data,
    env,
    landscapes,
    losses,
    lr_finder,
    metrics,
    optim,
    plot,
    report,
    schedules,
    train,
)

__all__ = [
    "callbacks",
    "checks",
    "data",
    "env",
    "landscapes",
    "losses",
    "lr_finder",
    "metrics",
    "optim",
    "plot",
    "report",
    "schedules",
    "train",
]
__version__ = "0.1.0"
