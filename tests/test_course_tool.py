"""tools/course.py: reads the repository from _config.yml, blanks solutions, keeps the venv stamp honest."""

import pytest

from tests.course_tool import course, exercises


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


def test_every_command_has_its_own_help_that_exits_0_without_doing_anything(capsys, monkeypatch):
    monkeypatch.setattr(course, "ensure_venv", lambda: pytest.fail("--help must not set anything up"))
    for name in course.COMMANDS:
        assert course.main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: python3 tools/course.py {name}") and len(out.splitlines()) >= 3
    assert course.main(["--help"]) == 0 and "course.py kernels" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "says"), [
    (["student", "--out"], "at most one output folder"),
    (["student", "a", "b"], "at most one output folder"),
    (["execute", "no_such_chapter.ipynb"], "not a notebook file: no_such_chapter.ipynb"),
    (["kernels", "README.md"], "not a notebook file: README.md"),
    (["book", "now"], "takes no arguments"),
    (["sync", "--force"], "takes no arguments"),
    (["publish"], "unknown command 'publish'"),
    (["grade"], "needs the folder of submissions first, got nothing"),
    (["grade", "no_such_folder"], "needs the folder of submissions first, got no_such_folder"),
    (["grade", ".", "--timeout", "0"], "--timeout must be a positive number of seconds, got 0"),
    (["grade", ".", "--timeout", "soon"], "--timeout must be a positive number of seconds, got soon"),
    (["grade", ".", "--out"], "takes only --out FILE"),
    (["grade", ".", "--jobs", "4"], "takes only --out FILE"),
])
def test_wrong_arguments_exit_2_with_a_message_before_anything_is_written(capsys, monkeypatch, tmp_path, argv, says):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(course, "ensure_venv", lambda: pytest.fail("nothing may be set up for wrong arguments"))
    assert course.main(argv) == 2
    assert says in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # no folder named after an option


@pytest.mark.slow
def test_execute_saves_a_failing_notebook_with_the_error_and_says_which_cell_in_one_line(tmp_path):
    import subprocess
    import sys

    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in ["x = 1", "assert x == 2", "print(x)"]])
    path = tmp_path / "edited.ipynb"
    nbformat.write(nb, path)
    run = subprocess.run([sys.executable, str(course.ROOT / "tools" / "execute_notebooks.py"), str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "code cell 2 failed: AssertionError (the failing line has no message)" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    saved = nbformat.read(path, as_version=4).cells
    assert [o["output_type"] for o in saved[1].outputs] == ["error"]
    assert saved[2].outputs == [] and saved[2].execution_count is None


def test_lab_serves_the_whole_course_folder_and_replaces_its_own_process(monkeypatch):
    class Replaced(Exception):
        pass

    def execv(program, argv):
        calls.append(("execv", argv))
        raise Replaced  # a real execv never returns

    calls = []
    monkeypatch.setattr(course, "ensure_venv", lambda: None)
    monkeypatch.setattr(course, "run", lambda *a, **k: pytest.fail("JupyterLab must replace this process"))
    monkeypatch.setattr(course.os, "name", "posix")
    monkeypatch.setattr(course.os, "chdir", lambda path: calls.append(("chdir", path)))
    monkeypatch.setattr(course.os, "execv", execv)
    with pytest.raises(Replaced):
        course.cmd_lab(["--no-browser"])
    assert calls[0] == ("chdir", course.ROOT)
    assert calls[1][1][1:] == ["lab", f"--ServerApp.root_dir={course.ROOT}", "--no-browser"]
