"""Import tools/course.py (a script, not a package) for the tests."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("course", ROOT / "tools" / "course.py")
course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course)
