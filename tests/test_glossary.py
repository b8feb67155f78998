"""The glossary (glossary.md) gives every term in English and Chinese with its chapter, and the book links to it.

A term's chapter may not exist yet (terms of chapters still being written): it is named as plain text, and the
test that the book uses the term starts to apply as soon as the chapter's notebook exists.
"""

import functools
import json
import re

import pytest

from tests.course_tool import ROOT

GLOSSARY = ROOT / "glossary.md"
BLOCK = re.compile(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)
CHAPTER = re.compile(r"introduced in (?:\[chapter (\d+)\]\((chapters/[^)]+)\)|chapter (\d+))\s*$")
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")


def entries():
    """Each entry of the ```{glossary} block: its term lines and its definition (indented lines), in file order."""
    match = BLOCK.search(GLOSSARY.read_text())
    assert match, "glossary.md has no ```{glossary} block"
    found, current = [], None
    for line in match.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line[0].isspace():
            current["definition"] = (current["definition"] + " " + line.strip()).strip()
        elif current is not None and not current["definition"]:
            current["terms"].append(line.strip())
        else:
            current = {"terms": [line.strip()], "definition": ""}
            found.append(current)
    return found


ENTRIES = entries()


def chapter_of(entry):
    """(chapter number, linked path or None) of an entry, from its "introduced in ..." ending."""
    match = CHAPTER.search(entry["definition"])
    assert match, f"{entry['terms'][0]}: the definition must end with 'introduced in [chapter N](...)'"
    if match.group(1):
        return int(match.group(1)), match.group(2)
    return int(match.group(3)), None


def chapter_file(number):
    files = sorted((ROOT / "chapters").glob(f"{number:02d}_*.ipynb"))
    return files[0] if files else None


def book_texts():
    """(name, text) of every page's prose: the chapters' markdown cells and the Markdown pages."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        yield path.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for path in sorted(ROOT.glob("*.md")) + sorted((ROOT / "api").glob("*.md")):
        if path.name not in {"README.md", "CONTRIBUTING.md"}:
            yield path.name, path.read_text()


def role_target(body):
    explicit = re.search(r"<([^<>]+)>\s*$", body)
    return (explicit.group(1) if explicit else body).strip()


@functools.cache
def used_terms():
    return {role_target(m.group(1)).lower() for _, text in book_texts() for m in TERM_ROLE.finditer(text)}


def test_glossary_has_at_least_120_entries_and_is_in_the_toc():
    assert len(ENTRIES) >= 120, len(ENTRIES)
    assert re.search(r"^\s+- file: glossary$", (ROOT / "_toc.yml").read_text(), re.M)


def test_no_term_is_defined_twice():
    terms = [t.lower() for e in ENTRIES for t in e["terms"]]
    assert len(terms) == len(set(terms)), sorted({t for t in terms if terms.count(t) > 1})


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["terms"][0])
def test_entry_has_a_chinese_term_a_definition_and_its_chapter(entry):
    definition = entry["definition"]
    chinese = re.match(r"\*\*中文\*\* ([^·]+)·", definition)
    assert chinese and re.search(r"[\u4e00-\u9fff]", chinese.group(1)), f"no Chinese term: {definition[:80]}"
    number, linked = chapter_of(entry)
    body = re.sub(r"\*\*(中文|symbol)\*\* [^·]*·", "", definition)
    assert len(body.split()) >= 8, f"{entry['terms'][0]}: the one-line definition is missing"
    path = chapter_file(number)
    if path is None:
        assert linked is None, f"{entry['terms'][0]}: links chapter {number}, which does not exist"
    else:
        how = "run link_terms.py (it links 'introduced in chapter N' once the chapter exists)"
        assert linked == f"chapters/{path.name}", f"{entry['terms'][0]}: link chapter {number} ({how})"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["terms"][0])
def test_term_of_an_existing_chapter_is_linked_somewhere_in_the_book(entry):
    number, _ = chapter_of(entry)
    if chapter_file(number) is None:
        pytest.skip(f"chapter {number} does not exist yet")
    used = used_terms()
    assert any(t.lower() in used for t in entry["terms"]), (
        f"no {{term}} links '{entry['terms'][0]}': link its first use in chapter {number} (link_terms.py)")


def test_every_term_role_in_the_book_names_a_glossary_entry():
    known = {t.lower() for e in ENTRIES for t in e["terms"]}
    unknown = [(name, m.group(1)) for name, text in book_texts() for m in TERM_ROLE.finditer(text)
               if role_target(m.group(1)).lower() not in known]
    assert not unknown, unknown


def test_term_roles_are_only_in_markdown_cells():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert not any("{term}`" in "".join(c["source"]) for c in code), path.name
