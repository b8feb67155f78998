"""tools/course.py as a command-line tool: help, exit codes, arguments; sync, execute and lab as documented."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.course_tool import ROOT, course, exercises


def test_read_repository_finds_url_and_branch():
    url, branch = course.read_repository()
    assert url.startswith("https://") and branch


def test_solution_blanking_keeps_indentation_and_the_code_around_it():
    text = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\ncheck(f)\n"
    assert exercises.blank(text) == "def f(x):\n    raise NotImplementedError('your code here')\n\ncheck(f)\n"


def test_the_install_stamp_changes_when_the_requirements_change(tmp_path, monkeypatch):
    (tmp_path / "requirements.txt").write_text("numpy==1\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    first = course._requirements_digest()
    (tmp_path / "requirements.txt").write_text("numpy==2\n")
    assert course._requirements_digest() != first


def test_the_book_command_builds_strictly():
    command = [str(part) for part in course.book_command()]
    assert {"-W", "-n", "--keep-going"} <= set(command)


def _nothing_may_run(monkeypatch):
    for name in ("ensure_venv", "ensure_js", "run"):
        monkeypatch.setattr(course, name, lambda *a, **k: pytest.fail("nothing may be set up or run here"))
    monkeypatch.setattr(course.os, "execv", lambda *a: pytest.fail("nothing may be started here"))


def test_the_tool_and_every_command_have_their_own_help_that_exits_0_without_doing_anything(capsys, monkeypatch):
    _nothing_may_run(monkeypatch)
    for name in course.COMMANDS:
        for flag in ("--help", "-h"):
            assert course.main([name, flag]) == 0
            out = capsys.readouterr().out
            assert out.startswith(f"usage: python3 tools/course.py {name}") and len(out.splitlines()) >= 5, out
    assert course.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in course.COMMANDS) and "Exit codes: 0" in out


def test_no_command_prints_the_help_and_exits_2(capsys):
    assert course.main([]) == 2
    assert "usage: python3 tools/course.py" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "says"), [
    (["student", "--out"], "unrecognized arguments: --out"),  # a flag is never taken for the folder
    (["student", "a", "b"], "unrecognized arguments: b"),
    (["execute", "no_such_chapter.ipynb"], "not a notebook file: no_such_chapter.ipynb"),
    (["execute", "--all"], "unrecognized arguments: --all"),
    (["kernels", "README.md"], "not a notebook file: README.md"),
    (["book", "now"], "unrecognized arguments: now"),
    (["sync", "--force"], "unrecognized arguments: --force"),
    (["sync", "--repository", "just-a-name"], "must be OWNER/NAME"),
    (["sync", "--repository", "a/b", "--url", "https://example.org/a/b"], "not allowed with argument --repository"),
    (["sync", "--url", "github.com/a/b"], "must be the repository's web address"),
    (["sync", "--branch", "--check"], "expected one argument"),
    (["publish"], "invalid choice: 'publish'"),
    (["grade"], "the following arguments are required: SUBMISSIONS_DIR"),
    (["grade", "no_such_folder"], "not a folder: no_such_folder"),
    (["grade", ".", "--timeout", "0"], "must be a positive number of seconds, got 0"),
    (["grade", ".", "--timeout", "soon"], "must be a positive number of seconds, got soon"),
    (["grade", ".", "--out"], "expected one argument"),
    (["grade", ".", "--jobs", "4"], "unrecognized arguments: --jobs 4"),
])
def test_wrong_arguments_exit_2_with_a_message_before_anything_is_written(capsys, monkeypatch, tmp_path, argv, says):
    monkeypatch.chdir(tmp_path)
    _nothing_may_run(monkeypatch)
    monkeypatch.setattr(course, "write_repository", lambda *a: pytest.fail("nothing may be written"))
    assert course.main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and err.startswith("usage: python3 tools/course.py"), err
    assert not any(tmp_path.iterdir())  # no folder named after an option


def test_test_and_lab_pass_their_further_arguments_on_unchanged():
    assert course.parse(["test", "-k", "huber", "--lf", "tests/test_report.py"]).extra == [
        "-k", "huber", "--lf", "tests/test_report.py"]
    assert course.parse(["lab", "--no-browser", "--port", "8899"]).extra == ["--no-browser", "--port", "8899"]


def _course_copy(tmp_path, monkeypatch, chapters=("01_regression_losses.ipynb", "02_classification_losses.ipynb")):
    """A copy of the files `sync` reads and writes, with course.py pointed at it."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "tools").mkdir()
    for name in ("_config.yml", "intro.md", "tools/setup_cell.py", *(f"chapters/{c}" for c in chapters)):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "CHAPTERS", tmp_path / "chapters")
    monkeypatch.setattr(course, "SETUP_TEMPLATE", tmp_path / "tools" / "setup_cell.py")
    return tmp_path


def _setup_cell(path):
    nb = json.loads(path.read_text())
    return "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])


def test_sync_sets_the_repository_in_the_config_every_setup_cell_and_the_clone_command_in_one_go(
        tmp_path, monkeypatch, capsys):
    copy = _course_copy(tmp_path, monkeypatch)
    before = {p.name: json.loads(p.read_text()) for p in (copy / "chapters").glob("*.ipynb")}
    assert course.main(["sync", "--repository", "someone/their-course", "--branch", "teaching"]) == 0
    assert course.read_repository() == ("https://github.com/someone/their-course", "teaching")
    for path in (copy / "chapters").glob("*.ipynb"):
        cell = _setup_cell(path)
        assert 'COURSE_REPOSITORY = "https://github.com/someone/their-course"' in cell
        assert 'COURSE_BRANCH = "teaching"' in cell
        after = json.loads(path.read_text())  # only the setup cell's source changed: outputs and the rest are kept
        changed = [i for i, (a, b) in enumerate(zip(before[path.name]["cells"], after["cells"])) if a != b]
        assert len(changed) == 1 and after["cells"][changed[0]]["outputs"] == before[path.name]["cells"][
            changed[0]]["outputs"]
    assert "git clone https://github.com/someone/their-course.git" in (copy / "intro.md").read_text()
    assert course.main(["sync", "--url", "https://git.example.org/group/course/", "--branch", "main"]) == 0
    assert course.read_repository() == ("https://git.example.org/group/course", "main")
    assert 'COURSE_REPOSITORY = "https://git.example.org/group/course"' in _setup_cell(
        copy / "chapters" / "01_regression_losses.ipynb")
    capsys.readouterr()
    assert course.main(["sync"]) == 0 and "updated" not in capsys.readouterr().out  # nothing left to do


def test_sync_check_fails_with_the_command_to_run_while_a_setup_cell_holds_the_placeholder(
        tmp_path, monkeypatch, capsys):
    copy = _course_copy(tmp_path, monkeypatch)
    course.write_repository(f"https://github.com/{course.PLACEHOLDER}/loss-optim-course", "main")
    assert course.main(["sync"]) == 0
    digest = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert course.main(["sync", "--check", "--url", "https://github.com/fork/course", "--branch", "main"]) == 1
    err = capsys.readouterr().err
    assert "still name the placeholder repository SET-ON-PUBLISH" in err
    assert "run `python3 tools/course.py sync --repository fork/course --branch main`, then commit" in err
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == digest  # --check writes nothing
    assert course.main(["sync", "--repository", "upstream/course"]) == 0
    capsys.readouterr()
    # a fork publishes with the upstream's setup cells: it works, and the check says where Colab installs from
    assert course.main(["sync", "--check", "--url", "https://github.com/fork/course", "--branch", "main"]) == 0
    assert "name another repository" in capsys.readouterr().out
    assert course.main(["sync", "--check", "--repository", "upstream/course", "--branch", "main"]) == 0


def _notebook(path, sources):
    import nbformat

    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)


@pytest.mark.slow
def test_execute_names_chapter_cell_and_assertion_leaves_a_failing_file_unchanged_and_runs_the_others(tmp_path):
    failing, silent, passing = tmp_path / "01_edited.ipynb", tmp_path / "02_edited.ipynb", tmp_path / "03_fine.ipynb"
    _notebook(failing, ["x = 1", "assert x == 2, 'x should be 2 here'", "print(x)"])
    _notebook(silent, ["x = 1", "y = x + 1", "assert x == 2"])  # an assert without a message: its line is named
    _notebook(passing, ["print(6 * 7)"])
    before = {path: path.read_bytes() for path in (failing, silent)}
    script = str(ROOT / "tools" / "execute_notebooks.py")
    run = subprocess.run([sys.executable, script, *map(str, before), str(passing)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "01_edited, code cell 2: AssertionError: x should be 2 here" in run.stdout
    assert "02_edited, code cell 3: AssertionError at `assert x == 2` (no message)" in run.stdout
    assert run.stdout.count("The file was left unchanged") == 2 and "2 of 3 notebooks stopped" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr and len(run.stdout.splitlines()) <= 8, run.stdout
    assert all(path.read_bytes() == content for path, content in before.items())
    assert "".join(json.loads(passing.read_text())["cells"][0]["outputs"][0]["text"]) == "42\n"  # the last one ran


def test_lab_serves_the_course_folder_and_stopping_it_stops_jupyterlab(tmp_path):
    """`course.py lab` becomes JupyterLab (same process), so killing the command's process stops the server."""
    if os.name != "posix":
        pytest.skip("process replacement is for Linux and macOS")
    fake = tmp_path / "venv" / "bin" / "jupyter"  # stands in for JupyterLab: says who and where it is, then serves
    fake.parent.mkdir(parents=True)
    fake.write_text(f"#!{sys.executable}\nimport os, sys, time\n"
                    "print(os.getpid(), os.getcwd(), *sys.argv[1:], flush=True)\ntime.sleep(60)\n")
    fake.chmod(0o755)
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from tests.course_tool import course; "
              "from pathlib import Path; course.VENV = Path(sys.argv[2]); course.ensure_venv = lambda: None; "
              "course.main(['lab', '--no-browser'])")
    lab = subprocess.Popen([sys.executable, "-c", script, str(ROOT), str(tmp_path / "venv")],
                           stdout=subprocess.PIPE, text=True)
    try:
        pid, cwd, *argv = lab.stdout.readline().split()
        assert int(pid) == lab.pid  # the command's own process is now JupyterLab: nothing is left behind
        assert cwd == str(ROOT) and argv == ["lab", f"--ServerApp.root_dir={ROOT}", "--no-browser"]
        lab.send_signal(signal.SIGTERM)
        start = time.monotonic()
        assert lab.wait(timeout=10) != 0 and time.monotonic() - start < 10
    finally:
        lab.kill()
        lab.stdout.close()


def test_grade_hands_the_grader_paths_resolved_from_where_the_command_was_run(tmp_path, monkeypatch):
    calls = []
    (tmp_path / "subs").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(course, "ensure_venv", lambda: None)
    monkeypatch.setattr(course, "run", lambda cmd, **kw: calls.append([str(c) for c in cmd]) or 0)
    assert course.main(["grade", "subs", "--out", "g.csv", "--keep", "kept", "--timeout", "60"]) == 0
    assert calls[0][2:] == [str(tmp_path / "subs"), "--out", str(tmp_path / "g.csv"), "--timeout", "60.0",
                            "--keep", str(tmp_path / "kept")]


def test_a_failing_command_exits_1_even_when_the_program_it_ran_used_another_code(monkeypatch, capsys):
    monkeypatch.setattr(course, "ensure_venv", lambda: None)
    monkeypatch.setattr(course, "run", lambda cmd, **kw: 4)  # e.g. pytest's code for a usage error
    assert course.main(["execute"]) == 1
    assert "exit code 1 (the program it ran exited with 4)" in capsys.readouterr().out
