"""Every chapter is committed executed, starts with the canonical setup cell, and has the chapter's parts."""

import json
import re

import pytest

from tests.course_tool import ROOT, course, exercises

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _load(path):
    return json.loads(path.read_text())


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell):
    return "".join(cell["source"])


def test_there_is_at_least_one_chapter_and_each_is_listed_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file:\s*(chapters/\S+)", toc)
    assert CHAPTERS, "no chapter notebooks found"
    assert sorted(f"chapters/{p.stem}" for p in CHAPTERS) == sorted(listed)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom_in_a_fresh_kernel(path):
    counts = [c["execution_count"] for c in _code_cells(_load(path))]
    assert counts == list(range(1, len(counts) + 1)), f"re-run: python3 tools/course.py execute {path.name}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_has_no_error_outputs(path):
    errors = [o for c in _code_cells(_load(path)) for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_is_the_canonical_setup_cell(path):
    first = _code_cells(_load(path))[0]
    assert _source(first) == course.setup_cell_source(), "run: python3 tools/course.py sync"


def test_setup_cell_installs_from_the_repository_named_in_config():
    url, branch = course.read_repository()
    cell = course.setup_cell_source()
    assert f'COURSE_REPOSITORY = "{url}"' in cell and f'COURSE_BRANCH = "{branch}"' in cell
    assert url.startswith("https://github.com/")
    assert "colab_url" in (ROOT / "_config.yml").read_text()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_plot_cell_ends_with_plt_show(path):
    for cell in _code_cells(_load(path)):
        has_figure = any("image/png" in o.get("data", {}) for o in cell["outputs"])
        if has_figure:
            assert _source(cell).rstrip().endswith("plt.show()"), _source(cell)[:200]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_goals_exercises_with_checked_solutions_a_summary_and_references(path):
    nb = _load(path)
    markdown = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert re.match(r"# \d+\. ", _source(nb["cells"][0])), "the first cell is '# N. Title'"
    assert "Learning goals" in markdown
    labels = re.findall(r"`{3,}\{exercise\}.*\n:label: (\S+)", markdown)
    assert len(labels) >= 3, "at least three exercises"
    for label in labels:
        assert re.search(r"\{solution-start\} " + re.escape(label) + r"\n:class: dropdown", markdown), label
    for exercise in exercises.exercises(nb, path.name):
        checks = [_source(nb["cells"][i]) for i in exercise.graded_cells if i not in exercise.hidden_cells]
        assert any("checks." in text for text in checks), f"{exercise.label}: a public lib.checks call"
    assert "## Summary" in markdown and "{bibliography}" in markdown
