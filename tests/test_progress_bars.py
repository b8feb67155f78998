"""Progress bars in a notebook (as on Colab or in JupyterLab): a cell that trains several models in a loop shows one
widget bar per run while it trains, and leaves no finished bar behind and no text bars in its output."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.course_tool import ROOT

pytestmark = pytest.mark.slow

TRAIN_IN_A_LOOP = """\
import os
os.environ.pop("COURSE_PROGRESS", None)  # as for a learner: bars on
import torch
from lib import train

X = torch.linspace(-1, 1, 32, dtype=torch.float64).reshape(16, 2)
y = X.sum(1, keepdim=True)
for seed in range(3):  # nested loops: seeds outside, fit's epochs inside
    torch.manual_seed(seed)
    model = torch.nn.Linear(2, 1).double()
    train.fit(model, torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.1),
              train.make_loader(X, y, batch_size=4), num_epochs=20)
print("trained 3 models")
"""


class _Frontend(NotebookClient):
    """Runs the notebook like a front end and notes the widgets the kernel closes (a front end removes their views)."""

    def handle_comm_msg(self, outs, msg, cell_index):
        if msg["msg_type"] == "comm_close":
            self.closed.add(msg["content"]["comm_id"])
        super().handle_comm_msg(outs, msg, cell_index)


def test_a_cell_that_fits_in_a_loop_shows_widget_bars_and_leaves_none_behind():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAIN_IN_A_LOOP)])
    frontend = _Frontend(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    frontend.closed = set()
    frontend.execute()
    outputs = nb.cells[0].outputs
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for o in outputs
             if o["output_type"] == "display_data" and "application/vnd.jupyter.widget-view+json" in o["data"]]
    assert len(views) == 3, f"one widget bar per fit was expected, got {len(views)}: {outputs[:3]} ..."
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert stderr == "", f"text bars or warnings in the cell's output: {stderr!r}"
    assert [o.get("text") for o in outputs if o.get("name") == "stdout"] == ["trained 3 models\n"]
    # a bar the kernel has not closed stays on the page: every finished bar must have been closed (leave=False)
    assert set(views) <= frontend.closed, "finished bars are still shown"
