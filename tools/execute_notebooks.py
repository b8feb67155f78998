"""Execute notebooks in place, top to bottom, in a fresh kernel (run by `tools/course.py execute`).

Usage: python tools/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]   (needs nbformat and nbclient)
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # no timestamps: re-running must not change unchanged cells
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{execute(Path(name)):6.1f} s  {name}", flush=True)
