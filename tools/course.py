#!/usr/bin/env python3
"""The course's one entry point: set up the environment, build the book, run the tests, re-execute notebooks.

    python3 tools/course.py book      # set up .venv (once) and build the HTML book into _build/html
    python3 tools/course.py test      # set up .venv (once) and run every test (lib, notebooks, book build)
    python3 tools/course.py execute [NOTEBOOK ...]   # re-run notebooks top to bottom, in place, on the CPU
    python3 tools/course.py lab       # open the chapters in JupyterLab
    python3 tools/course.py sync      # copy the setup cell (repository URL from _config.yml) into every chapter
    python3 tools/course.py student [OUT_DIR]  # copies of the chapters without solutions, for coursework

Only the Python standard library is used here, so it runs on a machine that has nothing but Python 3.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
CHAPTERS = ROOT / "chapters"
SETUP_TEMPLATE = ROOT / "tools" / "setup_cell.py"
STAMP = VENV / ".course-installed"
NOTEBOOK_BUDGET_S = 30.0


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_script(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install requirements.txt into it, unless that was already done for these files."""
    if STAMP.exists() and STAMP.read_text().strip() == _requirements_digest() and venv_python().exists():
        return
    if not venv_python().exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("Installing the course's requirements (the first time takes a few minutes) ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", "requirements.txt"], check=True, cwd=ROOT)
    STAMP.write_text(_requirements_digest())


def run(cmd: list, **kw) -> int:
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, **kw).returncode


def book_command(build_dir: Path | None = None) -> list:
    """The strict build: warnings are errors (-W), nitpicky references (-n), committed outputs only."""
    cmd = [venv_script("jupyter-book"), "build", ROOT, "-W", "-n", "--keep-going"]
    return cmd + (["--path-output", build_dir] if build_dir else [])


def cmd_book(args: list) -> int:
    ensure_venv()
    code = run(book_command())
    if code == 0:
        print(f"\nThe book is built. Open it in a browser: {(ROOT / '_build' / 'html' / 'index.html').as_uri()}")
    return code


def gpu_present() -> bool:
    probe = "import torch; print(int(torch.cuda.is_available()))"
    out = subprocess.run([str(venv_python()), "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() == "1"


def cmd_test(args: list) -> int:
    """lib's unit tests with coverage, strict nbval of every chapter, and the strict book build (a test)."""
    ensure_venv()
    nbval_mode = "--nbval"
    if gpu_present() and os.environ.get("COURSE_DEVICE", "").lower() != "cpu":
        print("A GPU is present: notebooks run on it, so their outputs are checked with --nbval-lax "
              "(cells must run without error; outputs are not compared). Set COURSE_DEVICE=cpu for strict.")
        nbval_mode = "--nbval-lax"
    cmd = [venv_python(), "-m", "pytest", "tests", "chapters", nbval_mode, "--nbval-current-env",
           "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "-p", "tests.notebook_timing",
           "-m", "not benchmark", "--cov=lib", "--cov-report=term", *args]
    return run(cmd, env=dict(os.environ, COURSE_PROGRESS="0"))


def _kernel_env() -> dict:
    """How notebooks run for committed outputs: on the CPU, without progress bars."""
    return dict(os.environ, COURSE_DEVICE="cpu", COURSE_PROGRESS="0", PYTHONHASHSEED="0")


def cmd_execute(args: list) -> int:
    """Re-execute notebooks in place, top to bottom, in a fresh kernel, on the CPU (as CI checks them)."""
    ensure_venv()
    paths = [Path(a).resolve() for a in args] or sorted(CHAPTERS.glob("*.ipynb"))
    return run([venv_python(), ROOT / "tools" / "execute_notebooks.py", *paths], env=_kernel_env())


def cmd_lab(args: list) -> int:
    ensure_venv()
    return run([venv_script("jupyter"), "lab", "chapters", *args])


def read_repository() -> tuple[str, str]:
    """``repository.url`` and ``repository.branch`` from _config.yml (a two-key lookup; no YAML library needed)."""
    text = (ROOT / "_config.yml").read_text()
    block = re.search(r"^repository:\n((?:[ \t]+.*\n)+)", text, re.MULTILINE)
    if block is None:
        raise SystemExit("_config.yml has no `repository:` section")
    values = dict(re.findall(r"^[ \t]+(\w+):[ \t]*(\S+)", block.group(1), re.MULTILINE))
    return values["url"].strip("\"'"), values.get("branch", "main").strip("\"'")


def setup_cell_source() -> str:
    url, branch = read_repository()
    return SETUP_TEMPLATE.read_text().format(repository_url=url, branch=branch).rstrip("\n")


def cmd_sync(args: list) -> int:
    """Write the canonical setup cell into the first code cell of every chapter (outputs are kept)."""
    source = setup_cell_source()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        if "".join(first["source"]) != source:
            first["source"] = source.splitlines(keepends=True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n.*?### END SOLUTION[ \t]*\n?", re.DOTALL)
SOLUTION_MARKDOWN = re.compile(r"^`{3,}\{solution", re.MULTILINE)


def _blank_solution(match: re.Match) -> str:
    indent = re.match(r"[ \t]*", match.group(0)).group(0)
    return f"{indent}raise NotImplementedError('your code here')\n"


def student_copy(nb: dict) -> dict:
    """Blank the code between the solution markers, drop solution text, and clear every output."""
    cells = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and SOLUTION_MARKDOWN.search(source):
            continue
        if cell["cell_type"] == "code":
            cell = dict(cell, source=SOLUTION.sub(_blank_solution, source), outputs=[], execution_count=None)
        cells.append(cell)
    return dict(nb, cells=cells)


def cmd_student(args: list) -> int:
    out = Path(args[0]) if args else ROOT / "student"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = student_copy(json.loads(path.read_text()))
        (out / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {out / path.name}")
    return 0


COMMANDS = {
    "book": cmd_book, "test": cmd_test, "execute": cmd_execute, "lab": cmd_lab,
    "sync": cmd_sync, "student": cmd_student,
}


def main(argv: list) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    start = time.perf_counter()
    code = COMMANDS[argv[0]](argv[1:])
    print(f"[{argv[0]}: {time.perf_counter() - start:.0f} s, exit code {code}]")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
