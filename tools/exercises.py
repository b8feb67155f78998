"""The exercises of a chapter notebook, read from its cells: what `course.py student` blanks and what
`course.py grade` scores. Standard library only (imported by tools/course.py).

An exercise starts at a markdown cell with a ```` ````{exercise} Title (N points) ```` directive and its
`:label:`, and runs until the next exercise or the next `## ` heading. Inside it:

- a *solution cell* is a code cell with `### BEGIN SOLUTION` ... `### END SOLUTION` (the learner's code);
- a *hidden test cell* is a code cell whose source is wrapped in `### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS`;
- every other code cell after the first solution cell is a *graded cell* too (the public checks): the exercise
  earns its N points when all of its graded cells run without an error.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n.*?### END SOLUTION[ \t]*\n?", re.DOTALL)
HIDDEN = "### BEGIN HIDDEN TESTS"
DIRECTIVE = re.compile(r"^`{3,}\{exercise\}[ \t]*(?P<title>.*?)[ \t]*$", re.MULTILINE)
POINTS = re.compile(r"\((?P<points>\d+) points?\)$")
LABEL = re.compile(r"^:label:[ \t]*(?P<label>\S+)", re.MULTILINE)
SOLUTION_START = re.compile(r"^`{3,}\{solution-start\}", re.MULTILINE)
SOLUTION_END = re.compile(r"^`{3,}\{solution-end\}", re.MULTILINE)
HEADING = re.compile(r"^#{1,2} ", re.MULTILINE)


class ExerciseError(ValueError):
    """A chapter's exercise does not follow the format (CONTRIBUTING.md, "Exercises and grading")."""


@dataclass
class Exercise:
    label: str
    title: str
    points: int
    solution_cells: list[int] = field(default_factory=list)  # indices into the notebook's cells
    graded_cells: list[int] = field(default_factory=list)  # public checks and hidden tests, in order
    hidden_cells: list[int] = field(default_factory=list)

    def grade_id(self, index: int) -> str:
        """The nbgrader id of cell ``index`` of this exercise: ``<label>-solution-1``, ``<label>-check-2``, ..."""
        solution = index in self.solution_cells
        kind, cells = ("solution", self.solution_cells) if solution else ("check", self.graded_cells)
        return f"{self.label}-{kind}-{cells.index(index) + 1}"


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def is_solution(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and "### BEGIN SOLUTION" in source(cell)


def is_hidden(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and HIDDEN in source(cell)


def exercises(nb: dict, name: str = "the notebook") -> list[Exercise]:
    """The exercises of ``nb`` in order; an ExerciseError naming ``name`` and the exercise if one is malformed."""
    found: list[Exercise] = []
    current: Exercise | None = None
    for index, cell in enumerate(nb["cells"]):
        text = source(cell)
        if cell.get("cell_type") == "markdown":
            directive = DIRECTIVE.search(text)
            if directive:
                title = directive.group("title")
                points = POINTS.search(title)
                label = LABEL.search(text[directive.end():])
                if not label:
                    raise ExerciseError(f"{name}: the exercise {title!r} has no :label: line")
                if not points:
                    raise ExerciseError(f"{name}: the exercise {label.group('label')} has no '(N points)' at the "
                                        f"end of its title {title!r}")
                current = Exercise(label.group("label"), title[:points.start()].strip(), int(points.group("points")))
                found.append(current)
            elif HEADING.search(text.split("````{exercise}")[0]):
                current = None
            continue
        if current is None or cell.get("cell_type") != "code":
            continue
        if is_solution(cell):
            current.solution_cells.append(index)
        elif current.solution_cells:
            current.graded_cells.append(index)
            if is_hidden(cell):
                current.hidden_cells.append(index)
    for exercise in found:
        if not exercise.solution_cells:
            raise ExerciseError(f"{name}: the exercise {exercise.label} has no solution cell (### BEGIN SOLUTION)")
        if not exercise.graded_cells:
            raise ExerciseError(f"{name}: the exercise {exercise.label} has no check cell after its solution")
        if exercise.points < 1:
            raise ExerciseError(f"{name}: the exercise {exercise.label} is worth {exercise.points} points")
    labels = [e.label for e in found]
    if len(set(labels)) != len(labels):
        raise ExerciseError(f"{name}: two exercises share a label: {labels}")
    return found


def _blank_solution(match: re.Match) -> str:
    indent = re.match(r"[ \t]*", match.group(0)).group(0)
    return f"{indent}raise NotImplementedError('your code here')\n"


def blank(text: str) -> str:
    """``text`` with the code between the solution markers replaced by ``raise NotImplementedError``."""
    return SOLUTION.sub(_blank_solution, text)


STUDENT_NOTE = """\
```{{admonition}} Your copy of this chapter
:class: important
This is the student copy of *{title}*: it has {count} exercises worth {total} points in all.

1. Run the notebook from the top (the first cell sets up the course's `lib`).
2. In each exercise, replace `raise NotImplementedError('your code here')` with your code, then run that cell and
   the check cell under it. A check tells you whether your answer is right and, when it is not, what is wrong
   (a factor, a sign, the first step that differs, a known mistake), never the answer itself.
3. Where an exercise asks for an explanation, write it in the markdown cell under "Your explanation".
4. Hand in this file under its own name. Your instructor grades it by re-running your code with further,
   hidden tests; editing or deleting a check cell changes nothing in your grade.
```
"""


def student_copy(nb: dict, name: str = "the notebook") -> dict:
    """The notebook a student gets: a note on top, solutions blanked, solution text and hidden tests removed,
    every output cleared. Each solution cell keeps its nbgrader id, so that grading finds the student's code."""
    found = exercises(nb, name)
    ids = {index: exercise.grade_id(index) for exercise in found for index in exercise.solution_cells}
    hidden = {index for exercise in found for index in exercise.hidden_cells}
    title = next((line[2:].strip() for cell in nb["cells"] if cell.get("cell_type") == "markdown"
                  for line in source(cell).splitlines() if line.startswith("# ")), name)
    note = STUDENT_NOTE.format(title=title, count=len(found), total=sum(e.points for e in found))
    cells = [{"cell_type": "markdown", "id": "student-note", "metadata": {}, "source": note}]
    in_solution = False
    for index, cell in enumerate(nb["cells"]):
        text = source(cell)
        if cell.get("cell_type") == "markdown":
            starts, ends = bool(SOLUTION_START.search(text)), bool(SOLUTION_END.search(text))
            if starts or ends or in_solution:
                in_solution = (in_solution or starts) and not ends
                continue  # the solution's prose, and the dropdown's markers
        if index in hidden:
            continue
        cell = copy.deepcopy(cell)
        if cell.get("cell_type") == "code":
            cell.update(source=blank(text), outputs=[], execution_count=None)
            cell.get("metadata", {}).pop("execution", None)
        if index in ids:
            cell.setdefault("metadata", {})["nbgrader"] = {
                "grade": False, "grade_id": ids[index], "locked": False, "schema_version": 3, "solution": True,
                "task": False}
        cells.append(cell)
    return dict(copy.deepcopy(nb), cells=cells)


def nbgrader_source(nb: dict, name: str = "the notebook") -> tuple[dict, list[Exercise]]:
    """The instructor's notebook with nbgrader's cell metadata: solution cells as "autograded answer" cells, the
    graded cells as "autograder tests" cells (the exercise's points on its last graded cell, 0 on the others)."""
    nb = copy.deepcopy(nb)
    found = exercises(nb, name)
    for exercise in found:
        for index in exercise.solution_cells:
            nb["cells"][index].setdefault("metadata", {})["nbgrader"] = {
                "grade": False, "grade_id": exercise.grade_id(index), "locked": False, "schema_version": 3,
                "solution": True, "task": False}
        for index in exercise.graded_cells:
            points = exercise.points if index == exercise.graded_cells[-1] else 0
            nb["cells"][index].setdefault("metadata", {})["nbgrader"] = {
                "grade": True, "grade_id": exercise.grade_id(index), "locked": True, "points": points,
                "schema_version": 3, "solution": False, "task": False}
    return nb, found


def read_notebook(path: Path) -> dict:
    """A notebook file as a dict; a ValueError saying why when it is not one."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a readable notebook ({type(error).__name__})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a notebook (no list of cells)")
    return nb


def merged_submission(instructor: dict, submission: dict, name: str = "the notebook") -> tuple[dict, list[str]]:
    """The instructor's nbgrader notebook with each solution cell's source taken from the student's cell of the same
    nbgrader id (or, failing that, cell id); every other cell stays the instructor's. Also the ids not found."""
    graded, found = nbgrader_source(instructor, name)
    by_grade_id, by_cell_id = {}, {}
    for cell in submission.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        grade_id = (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id")
        by_grade_id.setdefault(grade_id, source(cell))
        by_cell_id.setdefault(cell.get("id"), source(cell))
    missing = []
    for exercise in found:
        for index in exercise.solution_cells:
            cell = graded["cells"][index]
            grade_id = exercise.grade_id(index)
            text = by_grade_id.get(grade_id, by_cell_id.get(cell.get("id")))
            if text is None:
                missing.append(grade_id)
                text = blank(source(cell))
            cell["source"] = text
    return graded, missing
