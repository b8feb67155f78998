"""Bad input to what trains at scale: fit's mixed precision (``amp_dtype``) and the launcher
(``lib.launch.run_distributed``, ``build_command``).

One table: every row calls a public function with one wrong argument and says which exception it must raise and
what its message must contain, namely the argument's name in backticks; none of them starts a process.
"""

import pytest
import torch

from lib import launch, train
from tests.helpers import assert_refused

NAN = float("nan")
X3, Y1 = torch.zeros(4, 3), torch.zeros(4, 1)
mse = torch.nn.functional.mse_loss


def _fit(model=None, **kwargs):
    model = torch.nn.Linear(3, 1) if model is None else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return train.fit(model, mse, optimizer, [(X3.to(model.weight.dtype), Y1.to(model.weight.dtype))], num_epochs=1,
                     progress=False, **kwargs)  # fmt: skip


def _run(module="lib.ddp_example", **kwargs):
    return launch.run_distributed(module, **kwargs)


ROWS = [
    # fit(amp_dtype=...)
    ("amp-float64", lambda: _fit(amp_dtype=torch.float64), "`amp_dtype`"),
    ("amp-float32", lambda: _fit(amp_dtype=torch.float32), "`amp_dtype`"),
    ("amp-int8", lambda: _fit(amp_dtype=torch.int8), "`amp_dtype`"),
    ("amp-string", lambda: _fit(amp_dtype="bf16"), "`amp_dtype`"),
    ("amp-true", lambda: _fit(amp_dtype=True), "`amp_dtype`"),
    ("amp-tensor", lambda: _fit(amp_dtype=torch.zeros(2)), "`amp_dtype`"),
    ("amp-float64-model", lambda: _fit(torch.nn.Linear(3, 1).double(), amp_dtype=torch.bfloat16), "`amp_dtype`"),
    ("amp-meta-device", lambda: _fit(amp_dtype=torch.bfloat16, device="meta"), "`amp_dtype`"),
    # run_distributed
    ("launch-module-path", lambda: _run("lib/ddp_example.py"), "`module`"),
    ("launch-module-int", lambda: _run(3), "`module`"),
    ("launch-module-empty", lambda: _run(""), "`module`"),
    ("launch-nproc-0", lambda: _run(nproc=0), "`nproc`"),
    ("launch-nproc-float", lambda: _run(nproc=1.5), "`nproc`"),
    ("launch-nproc-string", lambda: _run(nproc="2"), "`nproc`"),
    ("launch-nproc-huge", lambda: _run(nproc=10**6), "`nproc`"),
    ("launch-timeout-0", lambda: _run(timeout=0), "`timeout`"),
    ("launch-timeout-negative", lambda: _run(timeout=-1.0), "`timeout`"),
    ("launch-timeout-nan", lambda: _run(timeout=NAN), "`timeout`"),
    ("launch-args-string", lambda: _run(args="--epochs 2"), "`args`"),
    ("launch-args-int", lambda: _run(args=2), "`args`"),
    ("launch-backend-mpi", lambda: _run(backend="mpi"), "`backend`"),
    ("launch-backend-int", lambda: _run(backend=1), "`backend`"),
]


def test_the_table_has_unique_names():
    names = [name for name, *_ in ROWS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("name", "call", "substring"), ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_raises_a_value_error_that_names_the_argument(name, call, substring):
    assert_refused(call, ValueError, substring)
