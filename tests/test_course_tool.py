"""tools/course.py: reads the repository from _config.yml, blanks solutions, keeps the venv stamp honest."""

from tests.course_tool import course


def test_read_repository_finds_url_and_branch():
    url, branch = course.read_repository()
    assert url.startswith("https://") and branch


def test_solution_blanking_keeps_indentation_and_the_code_around_it():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "```{solution-start} ex-a\n:class: dropdown\n```", "metadata": {}},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [{"output_type": "stream"}],
         "source": "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\ncheck(f)\n"},
    ]}
    student = course.student_copy(nb)
    assert len(student["cells"]) == 1
    assert student["cells"][0]["source"] == "def f(x):\n    raise NotImplementedError('your code here')\n\ncheck(f)\n"
    assert student["cells"][0]["outputs"] == [] and student["cells"][0]["execution_count"] is None


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
