"""Pieces every REFI-QDA file shares: stable GUIDs, safe XML parsing with line numbers, the code tree.

A code's Description carries qualcode's definition, include, exclude, examples and
keywords as labelled paragraphs ("Include: ...", "Examples:" with "- " items, and a
last "Code id: ..." line), so other tools show the guidance and a file that comes
back gives every code its old id. The folding loses nothing: a field starts only at a
line that begins with its label, so a line of free text that begins like a label (or
like an escaped one) gets a backslash in front, and the lines after the first of an
example or keyword are indented by two spaces. A Description without a "Code id:"
line was written by another tool and is read, whole, as the definition. Codes from
other tools get an id made from their name (transliterated, lower_snake_case, unique);
such a code goes back with its Description as it came, and no "Code id:" line, while
its name still gives it the same id (a code qualcode gave guidance to keeps the line).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ...codebook import COLOUR_PATTERN, ID_PATTERN, Code, Codebook
from ...codebook.formats import unique_id
from ...codebook.model import GUID_PATTERN
from ...errors import ProjectFileError, QualcodeError, where
from ...limits import DEPTH_LIMIT, limit, raise_hint

GUID_NAMESPACE = uuid.UUID("6f1d3c1e-6d0b-5a4e-9a53-7175616c636f")
FOLD_LABELS = {
    "Include:": "include",
    "Exclude:": "exclude",
    "Examples:": "examples",
    "Keywords:": "keywords",
    "Code id:": "id",
}
ID_LABEL = "Code id:"
LABEL_LINE = re.compile(r"\\*(?:" + "|".join(map(re.escape, FOLD_LABELS)) + ")")


def stable_guid(kind: str, *parts: object) -> str:
    """A GUID that is always the same for the same kind of thing and key (a code id, a coder)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join([kind, *map(str, parts)])))


def code_guid(code: Code) -> str:
    """The GUID a code is written with: the one it came with from another tool, else one made from its id."""
    return code.guid or stable_guid("code", code.id)


def write_codes(
    parent: ET.Element, codebook: Codebook, guids: dict[str, str] | None = None, names: dict[str, str] | None = None
) -> None:
    """Append the codebook's codes, nested by hierarchy, as <Code> elements under `parent` (in its namespace).

    `guids` gives codes that came from another tool their original GUID back; `names`
    replaces a code's label as its name (to keep duplicate labels apart).
    """
    prefix = parent.tag[: parent.tag.index("}") + 1] if parent.tag.startswith("{") else ""
    guids, names = guids or {}, names or {}
    used: set[str] = set()  # the ids a reader has given out so far, in the order it meets the codes

    def add(into: ET.Element, code: Code) -> None:
        attributes = {
            "guid": guids.get(code.id) or code_guid(code),
            "name": names.get(code.id) or code.label or code.id,
            "isCodable": "true" if code.codable else "false",
        }
        if code.colour:
            attributes["color"] = code.colour
        element = ET.SubElement(into, f"{prefix}Code", attributes)
        foreign = bool(code.guid or code.id in guids)
        bare = foreign and _definition_only(code) and unique_id(attributes["name"].strip(), used) == code.id
        used.add(code.id)
        description = code.definition if bare else fold_description(code)
        if description:
            ET.SubElement(element, f"{prefix}Description").text = description
        for child_code in codebook.children(code.id):
            add(element, child_code)

    for theme in codebook.themes():
        add(parent, theme)


def _definition_only(code: Code) -> bool:
    """A code whose Description, without a `Code id:` line, would read back as exactly its definition.

    Such a code from another tool goes back with its Description as it came (its id is
    made from its name again on reading), so a round trip leaves that tool's text alone."""
    plain = not (code.include or code.exclude or code.examples or code.keywords)
    return plain and code.definition == code.definition.strip() and _escape(code.definition) == code.definition


def fold_description(code: Code) -> str:
    """Definition, include, exclude, examples and keywords as one readable Description text that reads back whole."""
    blocks = [_escape(code.definition)] if code.definition else []
    blocks += [f"Include: {_escape(code.include, first=False)}"] if code.include else []
    blocks += [f"Exclude: {_escape(code.exclude, first=False)}"] if code.exclude else []
    blocks += ["Examples:\n" + _fold_items(code.examples)] if code.examples else []
    blocks += ["Keywords:\n" + _fold_items(code.keywords)] if code.keywords else []
    blocks.append(f"{ID_LABEL} {code.id}")
    return "\n\n".join(blocks)


def _escape(text: str, first: bool = True) -> str:
    """Free text with a backslash before each line that begins like a label (the first line left alone if not `first`)."""
    lines = text.split("\n")
    return "\n".join(
        line if (i == 0 and not first) or not LABEL_LINE.match(line) else "\\" + line for i, line in enumerate(lines)
    )


def _fold_items(items: tuple[str, ...]) -> str:
    """Items as "- " lines, each further line of an item indented by two spaces (blank lines left blank)."""

    def fold(item: str) -> str:
        first, *rest = item.split("\n")
        return "\n".join([f"- {first}", *(f"  {line}" if line else "" for line in rest)])

    return "\n".join(map(fold, items))


def parse_xml(
    data: bytes, label: str, error_type: type[QualcodeError] = ProjectFileError
) -> tuple[ET.Element, dict[int, tuple[int, int]]]:
    """Parse XML safely (no entities, no external references), keeping each element's (line, column) by id()."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as problem:
        line, column = problem.position
        reason = str(problem).split(":")[0]
        raise error_type(
            f"{where(label, line, column + 1)}: the XML is broken ({reason}); export the file again or repair it."
        ) from None
    except _TooDeep as deep:
        raise error_type(
            f"{where(label, deep.line)}: the XML nests deeper than {raise_hint(DEPTH_LIMIT, ' levels')}."
        ) from None
    except DefusedXmlException:
        raise error_type(
            f"{label}: declares XML entities or external references, which qualcode refuses to read; export the file again without them."
        ) from None
    return root, builder.lines


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that records where each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, tuple[int, int]] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        expat = self.parser.parser
        self.lines[id(element)] = (expat.CurrentLineNumber, expat.CurrentColumnNumber + 1)
        self.depth = getattr(self, "depth", 0) + 1
        if self.depth > limit(DEPTH_LIMIT) + 10:  # a REFI-QDA file needs ~5 levels plus the code tree
            raise _TooDeep(expat.CurrentLineNumber)
        return element

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def local(element: ET.Element) -> str:
    """An element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def children(element: ET.Element | None, name: str) -> Iterator[ET.Element]:
    """Direct children with this local name, whatever namespace the file uses."""
    if element is not None:
        yield from (child for child in element if local(child) == name)


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    return next(children(element, name), None)


def norm_guid(value: str | None) -> str:
    """A GUID in one spelling: lower case, no braces."""
    return (value or "").strip().strip("{}").lower()


def read_codes(codes: ET.Element | None) -> tuple[list[Code], dict[str, str]]:
    """Codes under a <Codes> element (nesting becomes `parent`), and each code GUID's qualcode id."""
    found: list[Code] = []
    ids: dict[str, str] = {}
    used: set[str] = set()

    def visit(element: ET.Element, parent: str | None) -> None:
        name = (element.get("name") or "").strip()
        description = child(element, "Description")
        folded = unfold_description((description.text if description is not None else None) or "")
        wanted = folded.pop("id", "")
        code_id = wanted if (wanted and ID_PATTERN.match(wanted) and wanted not in used) else unique_id(name, used)
        used.add(code_id)
        colour = element.get("color")
        colour = colour if colour and COLOUR_PATTERN.match(colour) else None
        codable = (element.get("isCodable") or "true").strip().lower() not in ("false", "0")
        given = (element.get("guid") or "").strip()
        guid = (
            given if GUID_PATTERN.match(given) and norm_guid(given) != stable_guid("code", code_id) else None
        )  # not qualcode's own
        found.append(
            Code(id=code_id, label=name or code_id, parent=parent, colour=colour, codable=codable, guid=guid, **folded)
        )
        ids[norm_guid(element.get("guid"))] = code_id
        for nested in children(element, "Code"):
            visit(nested, code_id)

    for element in children(codes, "Code"):
        visit(element, None)
    return found, ids


def unfold_description(text: str) -> dict[str, Any]:
    """The fields of a Description written by fold_description; one without a `Code id:` line is all definition."""
    lines = text.strip().split("\n")
    if not any(line.startswith(ID_LABEL) for line in lines):
        return {"definition": text.strip()}
    parts: dict[str, Any] = {}
    sections: list[tuple[str, list[str]]] = [("definition", [])]
    for line in lines:
        label = next((name for name in FOLD_LABELS if line.startswith(name)), None)
        if label == ID_LABEL:
            parts.setdefault("id", line[len(label) :].strip())
            sections.append(("definition", []))
        elif label is not None:
            sections.append((FOLD_LABELS[label], [line[len(label) :].lstrip()]))
        else:
            sections[-1][1].append(line[1:] if line.startswith("\\") and LABEL_LINE.match(line) else line)
    for key, body in sections:
        if key in ("examples", "keywords"):
            parts[key] = parts.get(key, ()) + _unfold_items(body)
        elif "\n".join(body).strip():
            parts[key] = "\n\n".join(filter(None, [parts.get(key, ""), "\n".join(body).strip()]))
    return parts


def _unfold_items(lines: list[str]) -> tuple[str, ...]:
    """Items from "- " lines and their indented further lines."""
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("- "):
            items.append([line[2:]])
        elif items:
            items[-1].append(line[2:] if line.startswith("  ") else line.lstrip())
        elif line.strip():
            items.append([line.strip()])
    return tuple(text for text in ("\n".join(item).strip() for item in items) if text)
