"""Coursework end to end: `course.py student` copies give nothing away, and `course.py grade` (nbgrader) scores
submissions by running the student's solution cells inside the instructor's notebook.

The grading runs use a small fixture chapter (tests/fixtures/grading/) and one real chapter: grading every chapter
for every kind of submission would take many minutes."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import exercises as ex  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
FIXTURES = ROOT / "tests" / "fixtures" / "grading"
FIXTURE = FIXTURES / "00_fixture.ipynb"
NUMBER = re.compile(r"(?<![\w.])\d*\.\d{2,}(?:e-?\d+)?|(?<![\w.])\d{3,}(?:e-?\d+)?")


def _solved(nb: dict, answers: dict) -> dict:
    """A student copy of ``nb`` with the solution cells of the given grade ids filled in."""
    copy_ = ex.student_copy(nb)
    for cell in copy_["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return copy_


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_points_a_solution_a_public_check_and_a_hidden_test_cell(path):
    nb = ex.read_notebook(path)
    found = ex.exercises(nb, path.name)
    assert len(found) >= 3, f"{path.name} has {len(found)} exercises"
    for exercise in found:
        assert exercise.hidden_cells, f"{exercise.label} has no hidden test cell"
        assert len(exercise.graded_cells) > len(exercise.hidden_cells), f"{exercise.label} has no public check"
        for index in exercise.hidden_cells:
            cell = nb["cells"][index]
            text = ex.source(cell).strip()
            assert text.startswith(ex.HIDDEN) and text.endswith("### END HIDDEN TESTS"), exercise.label
            assert "remove-cell" in cell["metadata"].get("tags", []), f"{exercise.label}: hidden cell not tagged"


@pytest.mark.parametrize("path", [*CHAPTERS, FIXTURE], ids=lambda p: p.stem)
def test_student_copy_has_no_solution_no_hidden_test_no_answer_and_no_output(path):
    nb = ex.read_notebook(path)
    student = ex.student_copy(nb, path.name)
    text = "\n".join(ex.source(cell) for cell in student["cells"])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "correct=", "{solution-start}", "{solution-end}"):
        assert marker not in text, marker
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in student["cells"] if cell["cell_type"] == "code")
    # a number that the instructor's copy has only in solutions and hidden tests does not reach the student
    found = ex.exercises(nb, path.name)
    secret = "\n".join(ex.source(nb["cells"][i]) for e in found for i in e.solution_cells + e.hidden_cells)
    public = "\n".join(ex.source(c) for i, c in enumerate(nb["cells"])
                       if not any(i in e.solution_cells + e.hidden_cells for e in found))
    leaked = (_numbers(secret) - _numbers(public)) & _numbers(text)
    assert not leaked, f"numbers from solutions or hidden tests in the student copy: {sorted(leaked)}"
    assert "Your copy of this chapter" in ex.source(student["cells"][0])
    assert text.count("raise NotImplementedError('your code here')") >= len(found)


def test_book_shows_points_next_to_each_exercise_title():
    nb = ex.read_notebook(FIXTURE)
    titles = [m.group("title") for c in nb["cells"] for m in ex.DIRECTIVE.finditer(ex.source(c))]
    assert titles == ["Squared error (2 points)", "A logarithm (1 point)", "Which reduction? (3 points)"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("````{exercise} No points\n:label: ex-a\n````", "no '(N points)'"),
     ("````{exercise} No label (2 points)\n````", "no :label:")],
)  # fmt: skip
def test_a_malformed_exercise_is_reported_by_name(text, problem):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}]}
    with pytest.raises(ex.ExerciseError, match=re.escape(problem)):
        ex.exercises(nb, "x.ipynb")


def _grade(submissions: Path, tmp_path: Path, *args: str) -> tuple[list[dict], str]:
    out = tmp_path / "grades.csv"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "grade.py"), str(submissions), "--out", str(out),
                           *args], capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    with out.open() as handle:
        return list(csv.DictReader(handle)), done.stdout


def _write(folder: Path, name: str, nb_or_text) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = nb_or_text if isinstance(nb_or_text, str) else json.dumps(nb_or_text)
    (folder / name).write_text(text)


@pytest.mark.slow
def test_grading_the_fixture_scores_each_kind_of_submission_and_never_stops(tmp_path):
    nb = ex.read_notebook(FIXTURE)
    right = {"ex-fixture-mse-solution-1": "def my_mse(input, target):\n    return ((input - target) ** 2).mean()",
             "ex-fixture-log-solution-1": "value = math.log(2)", "ex-fixture-choice-solution-1": 'answer = "mean"'}
    # one wrong choice, and every check cell it can see deleted: the checks come back and find the wrong answer
    one_wrong = _solved(nb, {**right, "ex-fixture-choice-solution-1": 'answer = "sum"'})
    one_wrong["cells"] = [c for c in one_wrong["cells"] if "checks.check_" not in ex.source(c)]
    crash = _solved(nb, {**right, "ex-fixture-log-solution-1": "import os\nos._exit(1)"})
    loop = _solved(nb, {**right, "ex-fixture-log-solution-1": "import time\nwhile True:\n    time.sleep(0.1)"})
    subs = tmp_path / "submissions"
    for student, content in [("instructor", nb), ("blank", ex.student_copy(nb)), ("one_wrong", one_wrong),
                             ("crash", crash), ("loop", loop), ("not_json", "{this is not json")]:
        _write(subs / student, "00_fixture.ipynb", content)
    rows, log = _grade(subs, tmp_path, "--chapters", str(FIXTURES), "--timeout", "20")
    points = {(r["student"], r["exercise"]): int(r["points"]) for r in rows}
    full = {"ex-fixture-mse": 2, "ex-fixture-log": 1, "ex-fixture-choice": 3}
    assert {int(r["max_points"]) for r in rows if r["exercise"] == "ex-fixture-choice"} == {3}
    assert {e: points["instructor", e] for e in full} == full
    for student in ("blank", "crash", "not_json"):
        assert {e: points[student, e] for e in full} == dict.fromkeys(full, 0), student
    # the student copy's solution cells are found by their nbgrader ids: the right answers score
    assert {e: points["one_wrong", e] for e in full} == {**full, "ex-fixture-choice": 0}
    assert {e: points["loop", e] for e in full} == {**full, "ex-fixture-log": 0}
    assert len(rows) == 6 * 3
    assert re.search(r"^instructor\s+6/6\s+6/6$", log, re.MULTILINE), log


@pytest.mark.slow
def test_grading_a_real_chapter_gives_solved_exercises_full_marks_and_blank_ones_none(tmp_path):
    """One run of a real chapter: every other exercise solved (the instructor's solution), the others left blank."""
    path = ROOT / "chapters" / "02_classification_losses.ipynb"
    nb = ex.read_notebook(path)
    found = ex.exercises(nb, path.name)
    solved = {e.label for e in found[::2]}
    answers = {e.grade_id(i): ex.source(nb["cells"][i]) for e in found if e.label in solved for i in e.solution_cells}
    _write(tmp_path / "submissions" / "half", path.name, _solved(nb, answers))
    rows, _ = _grade(tmp_path / "submissions", tmp_path)
    points = {r["exercise"]: (int(r["points"]), int(r["max_points"])) for r in rows}
    assert points == {e.label: (e.points if e.label in solved else 0, e.points) for e in found}


def test_grade_refuses_to_replace_a_keep_folder_it_did_not_make(tmp_path):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    (tmp_path / "subs" / "ada" / "00_fixture.ipynb").write_text(FIXTURE.read_text())
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "grade.py"), str(tmp_path / "subs"), "--chapters",
                           str(FIXTURES), "--keep", str(tmp_path / "mine")], capture_output=True, text=True)
    assert done.returncode == 2 and "holds other files" in done.stderr
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
