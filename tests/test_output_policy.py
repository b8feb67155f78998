"""The output policy's rules that can be read off the files (CONTRIBUTING.md, "Output policy"): outputs excluded
from nbval's comparison are the justified exception, and the sanitizer masks versions, not numbers."""

import configparser
import json
import re

import pytest

from tests.course_tool import ROOT

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXCLUDING_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception"}
JUSTIFICATION = re.compile(r"^# output not compared: \S", re.MULTILINE)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_cell_whose_output_is_not_compared_says_why(path):
    cells = json.loads(path.read_text())["cells"]
    unjustified = [
        i for i, cell in enumerate(cells)
        if cell["cell_type"] == "code" and EXCLUDING_TAGS & set(cell.get("metadata", {}).get("tags", []))
        and not JUSTIFICATION.search("".join(cell["source"]))
    ]
    assert not unjustified, f"cells {unjustified} need a line '# output not compared: <why>'"


def test_the_sanitizer_masks_package_versions_only():
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    for section in config.sections():
        regex = config[section]["regex"]
        assert re.search(r"torch|numpy|Python", regex), f"[{section}] masks more than versions: {regex}"
        assert not re.fullmatch(regex, "0.913") and not re.search(regex, "val accuracy 0.913 after 5 updates")
