"""Optimizers from scratch, drop-in twins of ``torch.optim``: one pure per-tensor update rule per algorithm
(``adam_update_(param, grad, state, **options)``) and a thin :class:`torch.optim.Optimizer` subclass around it.

``lib.optim.Adam(model.parameters(), lr=1e-3)`` takes the same arguments, keeps the same state keys and gives
the same numbers as ``torch.optim.Adam``; :class:`Lion`, :class:`LARS` and :class:`LAMB` have no torch twin.
"""

from lib.optim.adam import Adam, AdamW, adam_update_, adamw_update_
from lib.optim.adaptive import Adadelta, Adagrad, RMSprop, adadelta_update_, adagrad_update_, rmsprop_update_
from lib.optim.large_batch import LAMB, LARS, lamb_update_, lars_update_
from lib.optim.lion import Lion, lion_update_
from lib.optim.sgd import SGD, sgd_update_

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Lion",
    "LARS",
    "LAMB",
    "sgd_update_",
    "adagrad_update_",
    "rmsprop_update_",
    "adadelta_update_",
    "adam_update_",
    "adamw_update_",
    "lion_update_",
    "lars_update_",
    "lamb_update_",
]
