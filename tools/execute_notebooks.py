"""Execute notebooks in place, top to bottom, in a fresh kernel (run by `tools/course.py execute`).

Usage: python tools/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]   (needs nbformat and nbclient)

A notebook whose cell fails is left unchanged on disk (it may be open in JupyterLab, and a half-run copy would replace
its outputs): the run says which notebook, which code cell and which error (the assertion's message) in a few lines,
goes on with the other notebooks, and exits with 1 at the end.
"""

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def _failing_line(traceback: list) -> str | None:
    """The source line IPython's traceback points at last (its `---->` arrow), without colours."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for frame in traceback for line in frame.splitlines()]
    arrows = [re.sub(r"^\s*-+>\s*\d+\s*", "", line) for line in lines if re.match(r"^\s*-+>\s*\d+", line)]
    return arrows[-1].strip() if arrows else None


def _failed_cell(nb) -> tuple[int, str]:
    """(number among the code cells, counted from 1, "ErrorName: message") of the cell with an error output."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if not output["evalue"].strip():
                    line = _failing_line(output.get("traceback", []))
                    return number, f"{output['ename']} at `{line}` (no message)" if line else output["ename"]
                lines = f"{output['ename']}: {output['evalue']}".strip().splitlines()
                return number, "\n         ".join(lines[:4] + (["…"] if len(lines) > 4 else []))
    return len(code), "the kernel stopped or the cell ran out of time"


def execute(path: Path) -> tuple[float, str | None]:
    """Run ``path`` and write it back with its new outputs; if a cell fails, leave the file as it was. Return the
    seconds it took and, if a cell failed, what to tell the learner."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # no timestamps: re-running must not change unchanged cells
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError):
        number, message = _failed_cell(nb)
        return time.perf_counter() - start, (
            f"{path.stem}, code cell {number}: {message}\n"
            "         The file was left unchanged. Run the chapter in JupyterLab to see the cell's traceback, fix it, "
            "and execute the notebook again.")
    nbformat.write(nb, path)
    return time.perf_counter() - start, None


if __name__ == "__main__":
    failed = []
    for name in sys.argv[1:]:
        seconds, problem = execute(Path(name))
        print(f"{seconds:6.1f} s  {name}" + (f"\n         {problem}" if problem else ""), flush=True)
        failed += [name] if problem else []
    if failed:
        print(f"{len(failed)} of {len(sys.argv) - 1} notebooks stopped at an error and were left unchanged: "
              f"{', '.join(failed)}")
    sys.exit(1 if failed else 0)
