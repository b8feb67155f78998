"""Import tools/course.py (a script, not a package) and tools/exercises.py for the tests."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # course.py imports its sibling exercises.py
import exercises  # noqa: E402

_spec = importlib.util.spec_from_file_location("course", ROOT / "tools" / "course.py")
course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course)

__all__ = ["ROOT", "course", "exercises"]
