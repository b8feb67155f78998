"""Training: :func:`fit` and :func:`evaluate` (``fit.py``), the per-update loop behind them (``loop.py``),
:class:`EarlyStopping` (``early_stopping.py``), the learning-rate range test (``lr_range_test.py``) and
:func:`make_loader` (``loader.py``). Import the names from here: ``lib.train.fit``. ``distributed.py`` holds what
``fit`` needs under ``torch.distributed`` (described in ``fit``'s docstring).

They return numbers; they never print or plot (the optional progress bar of :func:`fit` aside). What ``fit``
records, per epoch and per update, and when it steps a scheduler is described in :func:`fit`'s docstring.
"""

from lib.train.early_stopping import EarlyStopping
from lib.train.fit import evaluate, fit, progress_enabled
from lib.train.loader import make_loader
from lib.train.loop import NonFiniteLossError
from lib.train.lr_range_test import LRRangeTestResult, lr_range_test

__all__ = [
    "EarlyStopping",
    "LRRangeTestResult",
    "NonFiniteLossError",
    "evaluate",
    "fit",
    "lr_range_test",
    "make_loader",
    "progress_enabled",
]
