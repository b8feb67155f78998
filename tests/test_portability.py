"""The test command's second strict nbval run, under emulated kernels, catches a notebook whose printed digits depend
on the CPU, and passes the same notebook once it follows the output policy (CONTRIBUTING.md)."""

import os
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tests.course_tool import course

pytestmark = pytest.mark.slow

# float32 normal draws: PyTorch samples them with vector instructions where the CPU has them, and the result
# differs in the last bit from the scalar sampler; the sum is printed to every digit float64 shows.
MACHINE_DEPENDENT = """import torch
x = torch.randn(1000, generator=torch.Generator().manual_seed(0))
print(x.double().sum().item())"""

# The same quantity, drawn in float64 (one sampler on every CPU) and printed at a precision far above round-off.
PORTABLE = """import torch
x = torch.randn(1000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
print(f"{x.sum().item():.3f}")"""


def _portable_env() -> dict:
    return dict(os.environ, **course.PORTABLE_KERNELS)


def _output(source: str, env: dict) -> str:
    run = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, env=env, check=True)
    return run.stdout


def _executed_notebook(tmp_path, source: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nb, path)
    return path


def _strict_nbval(path, env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
               "-q", str(path)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=path.parent)


@pytest.fixture(scope="module")
def kernels_differ():
    if _output(MACHINE_DEPENDENT, dict(os.environ)) == _output(MACHINE_DEPENDENT, _portable_env()):
        pytest.skip("this CPU's own kernels draw the same numbers as the emulated ones")


def test_the_emulated_kernels_fail_a_notebook_that_prints_a_machine_dependent_number(tmp_path, kernels_differ):
    path = _executed_notebook(tmp_path, MACHINE_DEPENDENT)
    assert _strict_nbval(path, dict(os.environ)).returncode == 0  # it reproduces on the machine that made it
    emulated = _strict_nbval(path, _portable_env())
    assert emulated.returncode == 1, emulated.stdout
    assert "Cell outputs differ" in emulated.stdout


def test_the_emulated_kernels_pass_the_same_notebook_once_it_follows_the_output_policy(tmp_path, kernels_differ):
    path = _executed_notebook(tmp_path, PORTABLE)
    emulated = _strict_nbval(path, _portable_env())
    assert emulated.returncode == 0, emulated.stdout
