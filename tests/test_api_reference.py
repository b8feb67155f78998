"""The API reference (api/*.md) documents every public name of every lib module, so that none can be forgotten.

Each page is one ``automodule`` with ``:members:``: a function added to a package's ``__all__`` appears without
editing any page. A new top-level module needs its page; the first test says which one is missing.
"""

import importlib
import inspect
import json
import pkgutil
import re

import pytest

import lib
from tests.course_tool import ROOT

MODULES = sorted(m.name for m in pkgutil.iter_modules(lib.__path__) if not m.name.startswith("_"))


def public_names(module_name):
    """A module's ``__all__``; without one, the functions and classes it defines whose names do not start with _."""
    module = importlib.import_module(f"lib.{module_name}")
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


def test_lib_has_the_modules_the_reference_was_written_for():
    assert {"losses", "optim", "train", "checks", "plot"} <= set(MODULES), MODULES


@pytest.mark.parametrize("name", MODULES)
def test_every_lib_module_has_an_api_page_that_documents_all_its_members_and_is_in_the_toc(name):
    page = ROOT / "api" / f"{name}.md"
    how = (f"add api/{name}.md (copy api/env.md, change the module name), list it under api/index in _toc.yml "
           f"and in api/index.md's table")
    assert page.exists(), how
    text = page.read_text()
    assert re.search(rf"^\.\. automodule:: lib\.{name}\n\s+:members:$", text, re.M), f"{page.name}: {how}"
    assert re.search(rf"^\s+- file: api/{name}$", (ROOT / "_toc.yml").read_text(), re.M), how
    assert f"<{name}>`" in (ROOT / "api" / "index.md").read_text(), how


def test_there_is_no_api_page_without_its_module():
    pages = {p.stem for p in (ROOT / "api").glob("*.md")} - {"index"}
    assert pages <= set(MODULES), f"pages of modules lib does not have: {sorted(pages - set(MODULES))}"


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_built_api_page_shows_every_public_name_of_its_module(built_book, name):
    html, _ = built_book
    page = (html / "api" / f"{name}.html").read_text()
    names = public_names(name)
    assert names, f"lib.{name} has no public names"
    missing = [n for n in names if f'id="lib.{name}.{n}"' not in page]
    assert not missing, f"api/{name}.html lacks {missing} (documented under another name, or skipped by autodoc)"


def _prose(cells):
    """The chapter's markdown without headings and fenced code blocks (where a link cannot go); the bodies of
    directives (```{exercise}, ```{admonition}) are prose and stay."""
    kept, fences = [], []  # fences: the open fences, each (its backticks, whether its body is code)
    for cell in (c for c in cells if c["cell_type"] == "markdown"):
        for line in "".join(cell["source"]).splitlines():
            fence = re.match(r"\s*(`{3,}|~{3,})(\{)?", line)
            if fence and fences and line.strip() == fences[-1][0]:
                fences.pop()
            elif fence and not (fences and fences[-1][1]):
                fences.append((fence.group(1), fence.group(2) is None))
            elif not (fences and fences[-1][1]) and not re.match(r"\s{0,3}#{1,6}\s", line):
                kept.append(line)
        fences.clear()
    return "\n".join(kept)


def _documented(dotted):
    parts = dotted.split(".")
    if len(parts) == 2:
        return parts[1] in MODULES
    return len(parts) == 3 and parts[1] in MODULES and parts[2] in public_names(parts[1])


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name)
def test_chapter_links_the_api_page_of_every_lib_name_it_mentions(path):
    text = _prose(json.loads(path.read_text())["cells"])
    mentioned = {m for m in re.findall(r"(?<!`)`(lib(?:\.\w+)+)(?:\([^`]*\))?`", text) if _documented(m)}
    linked = set(re.findall(r"\{(?:py:)?(?:func|class|data|mod|meth)\}`(?:[^`<]*<)?(lib[\w.]*)>?`", text))
    assert mentioned <= linked, (f"link the first mention of {sorted(mentioned - linked)} with {{func}}, {{class}} "
                                 "or {mod} (link_terms.py does it)")
