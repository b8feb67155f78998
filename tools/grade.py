"""Grade a folder of submissions with nbgrader (run by `tools/course.py grade`, inside the course's .venv).

Usage: python tools/grade.py SUBMISSIONS_DIR [--out grades.csv] [--keep DIR] [--timeout SECONDS] [--chapters DIR]

SUBMISSIONS_DIR/<student>/<NN_name>.ipynb are the students' copies of chapters/<NN_name>.ipynb (or of the
instructor's notebooks in --chapters DIR). For each, the
student's solution cells are put into the instructor's notebook (every other cell, checks and hidden tests
included, is the instructor's), and `nbgrader autograde` runs it in a fresh kernel, one notebook at a time, with a
time limit per cell and per notebook. An exercise earns its points when all of its graded cells run without an
error. A notebook that is not valid JSON, crashes its kernel or runs out of time scores 0 where affected; the run
goes on. The nbgrader course folder (gradebook, autograded notebooks) is kept with --keep, for nbgrader's own tools.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exercises import ExerciseError, merged_submission, nbgrader_source, read_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
def _settings(course: Path, cell_timeout: float) -> dict:
    """nbgrader's settings for the course folder ``course``: {(section, name): value}."""
    return {("CourseDirectory", "course_id"): "course", ("CourseDirectory", "root"): str(course),
            ("CourseDirectory", "db_url"): f"sqlite:///{course / 'gradebook.db'}",
            ("ExecutePreprocessor", "timeout"): int(cell_timeout), ("Execute", "timeout"): int(cell_timeout)}


def _student_id(name: str) -> str:
    """A folder name as an nbgrader student id (letters, digits, '_', '-', '.')."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "_"


def _api(course: Path, cell_timeout: float):
    """nbgrader's Python API on the course folder ``course``; the same settings go into its nbgrader_config.py,
    for nbgrader's own tools in a folder kept with --keep."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config, lines = Config(), ["c = get_config()"]
    for (section, name), value in _settings(course, cell_timeout).items():
        setattr(config[section], name, value)
        lines.append(f"c.{section}.{name} = {value!r}")
    (course / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    return NbGraderAPI(config=config)


def _run_nbgrader(api, method: str, *args, timeout: float, log: Path) -> int:
    """``api.<method>(*args)`` in a forked process (nbgrader is imported once, here) whose output goes to ``log``,
    stopped after ``timeout`` seconds; 0 on success, 124 when stopped, 1 otherwise."""
    def work():
        with log.open("w") as handle:  # nbgrader's and the kernel's messages: kept out of the summary
            os.dup2(handle.fileno(), 1)
            os.dup2(handle.fileno(), 2)
            result = getattr(api, method)(*args, force=True, create=True)
            handle.write(result.get("log", "") + result.get("error", ""))
        os._exit(0 if result.get("success") else 1)

    log.parent.mkdir(parents=True, exist_ok=True)
    child = multiprocessing.get_context("fork").Process(target=work, daemon=True)
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return 124
    return 0 if child.exitcode == 0 else 1


def _autograded_ran(course: Path, assignment: str, student: str) -> bool:
    """Whether nbgrader wrote the autograded notebook (it does not when the kernel died or the run was stopped)."""
    return (course / "autograded" / student / assignment / f"{assignment}.ipynb").exists()


def grade(submissions: Path, out: Path, keep: Path | None, cell_timeout: float, notebook_timeout: float,
          instructor: Path = CHAPTERS) -> int:
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    chapters = {p.stem: p for p in sorted(instructor.glob("*.ipynb"))}
    handed_in = sorted({p.stem for s in students for p in s.glob("*.ipynb")} & chapters.keys())
    for s in students:
        for p in s.glob("*.ipynb"):
            if p.stem not in chapters:
                print(f"skipped {p}: no chapter is called {p.name}")
    if not handed_in:
        print(f"No submissions found: expected {submissions}/<student>/<NN_name>.ipynb (a chapter's file name).")
        return 2
    course = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="course-grading-"))
    if course.exists() and any(course.iterdir()) and not (course / "nbgrader_config.py").exists():
        print(f"course.py grade: --keep {course} holds other files: give a new or empty folder, or one that an "
              "earlier `course.py grade --keep` made (it is replaced)", file=sys.stderr)
        return 2
    if course.exists():
        shutil.rmtree(course)
    (course / "source").mkdir(parents=True)
    os.environ.update(COURSE_PROGRESS="0", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    api = _api(course, cell_timeout)  # nbgrader runs `alembic` from the PATH to create its gradebook
    exercises = {}
    for stem in handed_in:
        source, exercises[stem] = nbgrader_source(read_notebook(chapters[stem]), stem)
        (course / "source" / stem).mkdir()
        (course / "source" / stem / f"{stem}.ipynb").write_text(json.dumps(source, indent=1))
        log = course / "logs" / f"generate-{stem}.log"
        if _run_nbgrader(api, "generate_assignment", stem, timeout=600, log=log) != 0:
            print(log.read_text())
            raise SystemExit(f"nbgrader could not prepare {stem} (its log is above)")
    rows, started = [], time.perf_counter()
    for folder in students:
        student = _student_id(folder.name)
        for stem in handed_in:
            path = folder / f"{stem}.ipynb"
            ran, problem = {}, ""
            if not path.exists():
                problem = "not handed in"
            else:
                try:
                    merged, missing = merged_submission(read_notebook(chapters[stem]), read_notebook(path), stem)
                except ValueError as error:
                    problem = str(error)
                else:
                    target = course / "submitted" / student / stem
                    target.mkdir(parents=True, exist_ok=True)
                    (target / f"{stem}.ipynb").write_text(json.dumps(merged, indent=1))
                    start = time.perf_counter()
                    code = _run_nbgrader(api, "autograde", stem, student, timeout=notebook_timeout,
                                         log=course / "logs" / f"{student}-{stem}.log")
                    if _autograded_ran(course, stem, student):
                        ran = _cell_results(course, stem, student)
                    else:
                        stopped = {124: f"stopped at the limit of {notebook_timeout:.0f} s", 0: "nothing was graded"}
                        problem = stopped.get(code, "the run stopped (the kernel died?)")
                    problem = problem or (f"{len(missing)} solution cell(s) not found, graded as blank"
                                          if missing else "")
                    print(f"graded {folder.name}/{stem}.ipynb in {time.perf_counter() - start:.0f} s"
                          + (f" ({problem})" if problem else ""), flush=True)
            if problem and not ran:
                print(f"{folder.name}/{stem}.ipynb: {problem}: 0 points", flush=True)
            for exercise in exercises[stem]:
                passed = all(ran.get(exercise.grade_id(i), False) for i in exercise.graded_cells)
                rows.append((folder.name, stem, exercise.label, exercise.points if passed else 0, exercise.points))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "exercise", "points", "max_points"])
        writer.writerows(rows)
    _summary(rows)
    print(f"wrote {out} ({len(rows)} rows) in {time.perf_counter() - started:.0f} s"
          + (f"; nbgrader's course folder: {course}" if keep else ""))
    if not keep:
        shutil.rmtree(course, ignore_errors=True)
    return 0


def _cell_results(course: Path, stem: str, student: str) -> dict[str, bool]:
    """{grade_id: ran without an error} for the graded cells of one autograded notebook (nbgrader scores a graded
    cell by the same rule, but gives a 0-point cell 0 either way, so the outputs are read instead)."""
    nb = json.loads((course / "autograded" / student / stem / f"{stem}.ipynb").read_text())
    results = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell.get("cell_type") == "code":
            ok = cell.get("execution_count") is not None
            results[meta["grade_id"]] = ok and not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    return results


def _summary(rows: list) -> None:
    """Points per student and notebook, as a table."""
    totals: dict = {}
    for student, stem, _, points, max_points in rows:
        got, most = totals.get((student, stem), (0, 0))
        totals[student, stem] = (got + points, most + max_points)
    stems = sorted({stem for _, stem in totals})
    width = max(len("student"), *(len(s) for s, _ in totals))
    print("\n" + "student".ljust(width) + "".join(f"  {stem[:14]:>14}" for stem in stems) + "     total")
    for student in sorted({s for s, _ in totals}):
        cells = [totals.get((student, stem), (0, 0)) for stem in stems]
        text = "".join(f"  {f'{got}/{most}':>14}" for got, most in cells)
        print(student.ljust(width) + text + f"  {sum(g for g, _ in cells):>4}/{sum(m for _, m in cells)}")


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog="course.py grade", description=__doc__.split("\n\n")[1])
    parser.add_argument("submissions", type=Path, help="a folder with one folder per student")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write (grades.csv)")
    parser.add_argument("--keep", type=Path, default=None, help="keep nbgrader's course folder here")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook (300)")
    parser.add_argument("--chapters", type=Path, default=CHAPTERS, help="the instructor's notebooks (chapters/)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"not a folder: {args.submissions}")
    if not args.timeout > 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    try:
        return grade(args.submissions, args.out, args.keep, cell_timeout=max(5.0, min(120.0, args.timeout / 4)),
                     notebook_timeout=args.timeout, instructor=args.chapters)
    except ExerciseError as error:
        print(f"course.py grade: a chapter's exercises do not follow the format: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
