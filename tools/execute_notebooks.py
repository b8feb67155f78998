"""Execute notebooks in place, top to bottom, in a fresh kernel (run by `tools/course.py execute`).

Usage: python tools/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]   (needs nbformat and nbclient)

A notebook whose cell fails is still written, up to and including the failing cell with its error, so that the file
shows where it stopped (and the test command fails on it until it runs through); the other notebooks still run.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def _failed_cell(nb) -> tuple[int, str]:
    """(number among the code cells, counted from 1, "ErrorName: message") of the cell with an error output."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output['ename']}: {output['evalue']}".strip().rstrip(":")
                return number, message if output["evalue"] else f"{output['ename']} (the failing line has no message)"
    return 0, "the kernel stopped"


def execute(path: Path) -> tuple[float, str | None]:
    """Run ``path`` in place; return the seconds it took and, if a cell failed, what to tell the learner."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # no timestamps: re-running must not change unchanged cells
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
        problem = None
    except CellExecutionError:
        number, message = _failed_cell(nb)
        problem = (f"code cell {number} failed: {message}. The notebook was saved with the error shown in that cell "
                   "and the cells after it not run; fix the cell and execute it again.")
    nbformat.write(nb, path)
    return time.perf_counter() - start, problem


if __name__ == "__main__":
    failed = []
    for name in sys.argv[1:]:
        seconds, problem = execute(Path(name))
        print(f"{seconds:6.1f} s  {name}" + (f"\n         {problem}" if problem else ""), flush=True)
        failed += [name] if problem else []
    if failed:
        print(f"{len(failed)} of {len(sys.argv) - 1} notebooks stopped at an error: {', '.join(failed)}")
    sys.exit(1 if failed else 0)
