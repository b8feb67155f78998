"""Exercise checks: compare a learner's answer with the reference and explain what differs.

A check returns a :class:`CheckResult` (shown as a one-line success message in a notebook) or raises an
``AssertionError`` whose message says *what* is wrong — a shape, a reduction, a factor, a sign, the first input
or step where the values part — rather than just "False". Import the names from here (``lib.checks.check_loss``):

- ``functions.py``: a function, a loss or a gradient formula against a reference (:func:`check_function`,
  :func:`check_loss`, :func:`check_gradient_formula`, :class:`Case`, :func:`loss_cases`);
- ``optimizers.py``: a one-tensor update rule against a ``torch.optim`` optimizer (:func:`check_optimizer_step`);
- ``answers.py``: a number or a multiple-choice pick (:func:`check_value`, :func:`check_choice`), plain (for
  hidden tests) or sealed (for public checks: ``sealed.py``, :func:`seal_value`, :func:`seal_choice`);
- ``refuse.py``: while a learner's function runs, the reference it is checked against refuses to be called;
- ``compare.py``: what they share, and the CPU-independent report of a difference between two implementations
  (:func:`max_difference`, :func:`format_difference`).
"""

from lib.checks.answers import check_choice, check_value
from lib.checks.compare import CheckResult, Differences, format_difference, max_difference
from lib.checks.functions import Case, check_function, check_gradient_formula, check_loss, loss_cases
from lib.checks.optimizers import check_optimizer_step, optimizer_gradients
from lib.checks.refuse import RefusedCall
from lib.checks.sealed import as_source, seal_choice, seal_value

__all__ = [
    "Case",
    "CheckResult",
    "Differences",
    "RefusedCall",
    "as_source",
    "check_choice",
    "check_function",
    "check_gradient_formula",
    "check_loss",
    "check_optimizer_step",
    "check_value",
    "format_difference",
    "loss_cases",
    "max_difference",
    "optimizer_gradients",
    "seal_choice",
    "seal_value",
]
