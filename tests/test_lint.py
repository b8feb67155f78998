"""The code base passes ruff (configuration in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.course_tool import ROOT


def test_ruff_finds_nothing_in_lib_tests_and_tools():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "lib", "tests", "tools"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
