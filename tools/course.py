#!/usr/bin/env python3
"""The course's one entry point: set up the environment, build the book, run the tests, re-execute notebooks.

    python3 tools/course.py book      # set up .venv (once) and build the HTML book into _build/html
    python3 tools/course.py test      # set up .venv (once) and run every test (lib, notebooks, book build)
    python3 tools/course.py execute [NOTEBOOK ...]   # re-run notebooks top to bottom, in place, on the CPU
    python3 tools/course.py kernels [NOTEBOOK ...]   # strict nbval under other CPUs' kernels and thread counts
    python3 tools/course.py lab       # open the chapters in JupyterLab
    python3 tools/course.py sync      # copy the setup cell (repository URL from _config.yml) into every chapter
    python3 tools/course.py student [OUT_DIR]  # copies of the chapters without solutions, for coursework
    python3 tools/course.py grade SUBMISSIONS_DIR [--out grades.csv]  # grade student copies with nbgrader

Only the Python standard library is used here, so it runs on a machine that has nothing but Python 3.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # for exercises.py, next to this file
from exercises import ExerciseError, read_notebook, student_copy  # noqa: E402  (standard library only)

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
    """Build the HTML book from the committed notebooks into _build/html (warnings are errors)."""
    ensure_venv()
    code = run(book_command())
    if code == 0:
        print(f"\nThe book is built. Open it in a browser: {(ROOT / '_build' / 'html' / 'index.html').as_uri()}")
    return code


def gpu_present() -> bool:
    probe = "import torch; print(int(torch.cuda.is_available()))"
    out = subprocess.run([str(venv_python()), "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() == "1"


# Strict nbval runs twice: with this machine's own kernels and with these settings, which make PyTorch, MKL and
# oneDNN compute as on a CPU without vector instructions, on one thread. Floating-point sums then run in another
# order, as on other CPUs (AVX2 or AVX-512 laptops, cloud runners, Apple silicon) and with other thread counts: a
# notebook whose printed digits depend on the machine fails here, on the machine that made it.
PORTABLE_KERNELS = {
    "ATEN_CPU_CAPABILITY": "default",  # PyTorch's own CPU kernels, without SIMD
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",  # MKL's matrix products as on a CPU of 2008
    "ONEDNN_MAX_CPU_ISA": "SSE41",  # oneDNN's likewise
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _nbval_command(mode: str, args: list, *, timed: bool = True) -> list:
    """Strict (or lax) nbval of every chapter; ``timed`` adds the table of notebook times against the budget."""
    timing = ["-p", "tests.notebook_timing"] if timed else []
    return [venv_python(), "-m", "pytest", "chapters", mode, "--nbval-current-env",
            "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *timing, "-p", "no:cacheprovider", *args]


def cmd_test(args: list) -> int:
    """lib's unit tests (with lib's coverage) and the strict book build (a test), with strict nbval of every
    chapter under emulated kernels on the second core meanwhile; then strict nbval of every chapter with this
    machine's kernels."""
    ensure_venv()
    env = dict(os.environ, COURSE_PROGRESS="0")
    on_gpu = gpu_present() and os.environ.get("COURSE_DEVICE", "").lower() != "cpu"
    portable = None
    if on_gpu:
        print("A GPU is present: notebooks run on it, so their outputs are checked with --nbval-lax "
              "(cells must run without error; outputs are not compared). Set COURSE_DEVICE=cpu for strict.")
    else:
        log_path = ROOT / "_build" / "portable-nbval.log"
        log_path.parent.mkdir(exist_ok=True)
        log = log_path.open("w")
        print("Notebooks under emulated kernels (" + " ".join(f"{k}={v}" for k, v in PORTABLE_KERNELS.items())
              + ") run meanwhile; their report follows lib's tests.", flush=True)
        # not timed: kernels without SIMD, sharing the CPU, are not the 30 s budget's laptop
        portable = subprocess.Popen([str(c) for c in _nbval_command("--nbval", args, timed=False)], cwd=ROOT,
                                    env=dict(env, **PORTABLE_KERNELS), stdout=log, stderr=subprocess.STDOUT)
    # one thread each: lib's tests on one core, the emulated-kernel notebooks on the other
    one_core = dict(env, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1") if portable else env
    try:
        codes = {"lib's tests and the book build": run(
            [venv_python(), "-m", "pytest", "tests", "-m", "not benchmark", "--cov=lib", "--cov-report=term", *args],
            env=one_core)}
    except BaseException:  # Ctrl-C: stop the background run too
        if portable is not None:
            portable.kill()
        raise
    if portable is not None:
        codes["notebooks under emulated kernels"] = portable.wait()
        log.close()
        print("\n==== notebooks under emulated kernels (strict nbval) ====")
        print(log_path.read_text(), flush=True)
    print("==== notebooks with this machine's kernels ====", flush=True)
    codes["notebooks with this machine's kernels"] = run(
        _nbval_command("--nbval-lax" if on_gpu else "--nbval", args), env=env)
    for name, code in codes.items():
        print(f"{'ok    ' if code == 0 else 'FAILED'}  {name} (exit code {code})")
    return next((code for code in codes.values() if code != 0), 0)


_VECTOR_KERNELS = {
    "default": {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512", "MKL_ENABLE_INSTRUCTIONS": "AVX512",
               "ONEDNN_MAX_CPU_ISA": "AVX512_CORE"},
}


def _capability(env: dict) -> str:
    probe = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    out = subprocess.run([str(venv_python()), "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env)
    return out.stdout.strip().lower()


def cmd_kernels(args: list) -> int:
    """Strict nbval of notebooks (default: every chapter) under each set of CPU kernels this CPU can emulate,
    with 1 and 2 threads: the check to run before committing an executed notebook."""
    ensure_venv()
    notebooks = args or ["chapters"]
    results = []
    for name, kernels in _VECTOR_KERNELS.items():
        for threads in ("1", "2"):
            env = dict(os.environ, COURSE_PROGRESS="0", OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, **kernels)
            if _capability(env) != name:
                results.append((name, threads, "not available on this CPU"))
                continue
            print(f"==== kernels {name}, {threads} thread(s) ====", flush=True)
            code = run([venv_python(), "-m", "pytest", *notebooks, "--nbval", "--nbval-current-env",
                        "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "-p", "no:cacheprovider", "-q"], env=env)
            results.append((name, threads, "pass" if code == 0 else f"FAIL (exit code {code})"))
    print("\nkernels  threads  strict nbval")
    print("\n".join(f"{name:8s} {threads:>7s}  {verdict}" for name, threads, verdict in results))
    return 1 if any(verdict.startswith("FAIL") for _, _, verdict in results) else 0


def _kernel_env() -> dict:
    """How notebooks run for committed outputs: on the CPU, without progress bars."""
    return dict(os.environ, COURSE_DEVICE="cpu", COURSE_PROGRESS="0", PYTHONHASHSEED="0")


def cmd_execute(args: list) -> int:
    """Re-execute notebooks in place, top to bottom, in a fresh kernel, on the CPU (as CI checks them)."""
    ensure_venv()
    paths = [Path(a).resolve() for a in args] or sorted(CHAPTERS.glob("*.ipynb"))
    return run([venv_python(), ROOT / "tools" / "execute_notebooks.py", *paths], env=_kernel_env())


def cmd_lab(args: list) -> int:
    """Open JupyterLab on the course folder (chapters/, and student/ once made) with the course's kernel; further
    arguments go to `jupyter lab`. Stopping this command (Ctrl-C, or killing its process) stops JupyterLab."""
    ensure_venv()
    command = [str(venv_script("jupyter")), "lab", f"--ServerApp.root_dir={ROOT}", *args]
    if os.name == "posix":  # JupyterLab takes this process's place, so no server is left behind when it is stopped
        os.chdir(ROOT)
        os.execv(command[0], command)
    return run(command)


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


def cmd_student(args: list) -> int:
    """Write student copies of the chapters into OUT_DIR (default: student/): a note on top saying what to do,
    solutions blanked, solution text and hidden tests removed, outputs cleared."""
    out = Path(args[0]) if args else ROOT / "student"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        try:
            nb = student_copy(read_notebook(path), path.name)
        except ExerciseError as error:
            print(f"course.py student: {error}", file=sys.stderr)
            return 1
        (out / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {out / path.name}")
    return 0


def cmd_grade(args: list) -> int:
    """Grade SUBMISSIONS_DIR/<student>/<NN_name>.ipynb: each student's solution cells run inside the instructor's
    notebook (checks and hidden tests restored) with nbgrader, in a fresh kernel per notebook; writes a CSV with
    one row per student, notebook and exercise (student,notebook,exercise,points,max_points) and prints a table.
    Options: --out FILE (default grades.csv), --timeout SECONDS per notebook (default 300), --keep DIR (keep
    nbgrader's course folder, with its gradebook, for nbgrader's own tools), --chapters DIR (the instructor's
    notebooks, default chapters/)."""
    ensure_venv()
    # paths as the user gave them, relative to where they are (the grader runs in the course folder)
    paths = [str(Path(a).resolve()) if i == 0 or args[i - 1] in ("--out", "--keep", "--chapters") else a
             for i, a in enumerate(args)]
    return run([venv_python(), ROOT / "tools" / "grade.py", *paths], env=dict(os.environ, COURSE_PROGRESS="0"))


COMMANDS = {
    "book": cmd_book, "test": cmd_test, "execute": cmd_execute, "lab": cmd_lab,
    "sync": cmd_sync, "student": cmd_student, "kernels": cmd_kernels, "grade": cmd_grade,
}


NOTEBOOK_ARGS = {"execute", "kernels"}  # commands whose arguments are notebooks
PASSED_ON = {"test": "pytest", "lab": "jupyter lab"}  # commands whose further arguments go to another program


def command_help(name: str) -> str:
    """The usage line of ``name`` (from this module's docstring) and what the command does."""
    usage = next(line.strip() for line in __doc__.splitlines() if f"course.py {name}" in line)
    extra = f"\nFurther arguments are passed to {PASSED_ON[name]}." if name in PASSED_ON else ""
    return f"usage: {usage}\n\n{inspect.cleandoc(COMMANDS[name].__doc__)}{extra}"


def _grade_problem(args: list) -> str | None:
    """What is wrong with `grade`'s arguments: one existing folder, then --out FILE, --timeout S, --keep DIR."""
    folders = [a for a in args if not a.startswith("-")]
    if not args or args[0].startswith("-") or not Path(args[0]).is_dir():
        return f"needs the folder of submissions first, got {args[0] if args else 'nothing'}"
    options = args[1:]
    flags = ("--out", "--timeout", "--keep", "--chapters")
    if len(options) % 2 or any(flag not in flags for flag in options[::2]):
        return (f"after the folder, takes only --out FILE, --timeout SECONDS, --keep DIR and --chapters DIR, "
                f"got {' '.join(options)}")
    timeout = dict(zip(options[::2], options[1::2])).get("--timeout", "300")
    if not re.fullmatch(r"\d+(\.\d+)?", timeout) or float(timeout) <= 0:
        return f"--timeout must be a positive number of seconds, got {timeout}"
    return None if folders else "needs the folder of submissions"


def argument_problem(name: str, args: list) -> str | None:
    """What is wrong with ``args`` for command ``name``, before anything is set up or written; None if nothing."""
    if name in PASSED_ON:
        return None
    if name in NOTEBOOK_ARGS:
        bad = [a for a in args if not (a.endswith(".ipynb") and Path(a).is_file())]
        return f"not a notebook file: {', '.join(bad)}" if bad else None
    if name == "grade":
        return _grade_problem(args)
    if name == "student":
        if len(args) > 1 or any(a.startswith("-") for a in args):
            return f"takes at most one output folder, got {' '.join(args)}"
        return None
    return f"takes no arguments, got {' '.join(args)}" if args else None


def main(argv: list) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0 if argv else 2
    name, args = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"course.py: unknown command {name!r}; the commands are:\n{__doc__}", file=sys.stderr)
        return 2
    if args[:1] in (["-h"], ["--help"]):
        print(command_help(name))
        return 0
    problem = argument_problem(name, args)
    if problem is not None:
        print(f"course.py {name}: {problem}\n\n{command_help(name)}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    code = COMMANDS[name](args)
    print(f"[{name}: {time.perf_counter() - start:.0f} s, exit code {code}]")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
