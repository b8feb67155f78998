"""The setup cell on a fresh Colab-like machine: only the notebook, no `lib`, a stand-in `google.colab`.

The simulation builds a throwaway virtual environment that sees this environment's packages (torch, numpy,
Jupyter ...) but not its editable `lib`, copies one chapter alone into an empty folder, points
COURSE_LIB_SOURCE at this repository (offline stand-in for the GitHub URL) and executes the notebook's first cells.
"""

import json
import os
import subprocess
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.course_tool import ROOT

pytestmark = pytest.mark.slow


def _colab_like_python(tmp: Path, *, colab: bool = True) -> Path:
    """A venv whose site-packages links to ours through a .pth file (which hides our editable lib,
    because .pth files inside a linked folder are not processed) and holds a stand-in google.colab."""
    env_dir = tmp / "colab-env"
    venv.EnvBuilder(with_pip=False).create(env_dir)  # pip and setuptools come through the link
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (site / "course_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    if colab:
        (site / "google" / "colab").mkdir(parents=True)
        (site / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab\'s module."""\n')
    return python


def _kernel_spec(tmp: Path, python: Path) -> Path:
    spec_dir = tmp / "jupyter" / "kernels" / "colab-sim"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Colab simulation", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return tmp / "jupyter"


def test_a_chapter_alone_installs_lib_through_its_setup_cell_and_runs(tmp_path, monkeypatch):
    python = _colab_like_python(tmp_path)
    hidden = subprocess.run([python, "-c", "import lib"], capture_output=True, text=True, cwd=tmp_path)
    assert "No module named 'lib'" in hidden.stderr, "the simulated Colab must start without lib"
    work = tmp_path / "content"
    work.mkdir()
    notebook = work / "01_regression_losses.ipynb"
    notebook.write_bytes((ROOT / "chapters" / notebook.name).read_bytes())

    monkeypatch.setenv("JUPYTER_PATH", str(_kernel_spec(tmp_path, python)))
    monkeypatch.setenv("COURSE_LIB_SOURCE", str(ROOT))
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # offline: everything lib needs is already importable
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # build with the setuptools we have
    monkeypatch.delenv("PYTHONPATH", raising=False)
    nb = nbformat.read(notebook, as_version=4)
    # the setup cell, the chapter's imports and its first experiment: the rest of the chapter runs under nbval
    third_code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"][2]
    nb.cells = nb.cells[:third_code + 1]
    NotebookClient(nb, timeout=300, kernel_name="colab-sim", resources={"metadata": {"path": str(work)}}).execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    installed = subprocess.run([python, "-c", "import lib; print(lib.__file__)"], capture_output=True, text=True,
                               cwd=tmp_path)
    assert str(tmp_path / "colab-env") in installed.stdout, "lib must have been installed into the Colab env"


def test_outside_colab_without_lib_the_setup_cell_says_how_to_install(tmp_path, monkeypatch):
    python = _colab_like_python(tmp_path, colab=False)
    monkeypatch.delenv("COURSE_LIB_SOURCE", raising=False)
    from tests.course_tool import course

    cell = course.setup_cell_source()
    result = subprocess.run([python, "-c", cell], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "`lib` is not installed: see the README's Quick start" in result.stderr


def test_on_colab_an_unpublished_copy_says_how_to_install_in_one_sentence_and_stops_run_all(tmp_path, monkeypatch):
    python = _colab_like_python(tmp_path)
    monkeypatch.delenv("COURSE_LIB_SOURCE", raising=False)
    from tests.course_tool import course

    _, branch = course.read_repository()
    template = (ROOT / "tools" / "setup_cell.py").read_text()
    cell = template.format(repository_url="https://github.com/SET-ON-PUBLISH/loss-optim-course", branch=branch)
    result = subprocess.run([python, "-c", cell], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ModuleNotFoundError: this copy of the course names no published repository")
    assert "install `lib` by hand in a new cell with `%pip install git+https://github.com/OWNER/NAME`" in last_line
    assert last_line.count(". ") == 0, "one sentence"
    assert "CalledProcessError" not in result.stderr and "pip" not in result.stderr.replace(last_line, "")
    # "Run all" in a notebook stops at that cell: the chapter's next cells do not run
    monkeypatch.setenv("JUPYTER_PATH", str(_kernel_spec(tmp_path, python)))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell), nbformat.v4.new_code_cell("print(1)")])
    client = NotebookClient(nb, timeout=60, kernel_name="colab-sim", resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError):
        client.execute()
    assert [o.get("ename") for o in nb.cells[0].outputs] == ["ModuleNotFoundError"]
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None


def test_on_colab_a_failing_pip_install_is_reported_as_one_sentence(tmp_path, monkeypatch):
    python = _colab_like_python(tmp_path)
    monkeypatch.setenv("COURSE_LIB_SOURCE", str(tmp_path / "no-such-folder"))
    from tests.course_tool import course

    result = subprocess.run([python, "-c", course.setup_cell_source()], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "pip could not install `lib` from" in result.stderr and "CalledProcessError" not in result.stderr
