"""REFI-QDA codebook exchange (.qdc): hand a codebook to NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette, and take theirs.

Writing: codes nested by hierarchy, each with a GUID derived from its id (the same on
every export), its colour as #rrggbb, `isCodable="true"`, and a Description holding the
definition, include, exclude, examples and keywords as labelled paragraphs (see
qualcode.export.refi.common) so other tools show the guidance and qualcode can take it back.
Code groups become Sets; no empty <Sets/> is ever written (the schema rejects it).

Reading: nested codes keep their parent; folders that cannot be coded
(`isCodable="false"`) are kept as parent codes; ATLAS.ti's `Category::Code` names
become a code under its category; Sets become code groups; colours in #RGB, #RRGGBB
(with or without the #) become #rrggbb; names and descriptions keep every accent, and
ids are made from names (transliterated, lower_snake_case, unique). The XML is parsed
with defusedxml, so entity declarations and external references are refused.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ... import __version__
from ...codebook import Code, Codebook, parse_codebook
from ...errors import CodebookError, where
from ...limits import read_bytes
from .common import child, children, local, norm_guid, parse_xml, read_codes, stable_guid, unique_id, write_codes

NS = "urn:QDA-XML:codebook:1.0"
CATEGORY_SEPARATOR = "::"


@dataclass
class QdcImport:
    """A codebook read from a .qdc file, with what reading it did that a researcher should know."""

    codebook: Codebook
    origin: str = ""
    categories: int = 0
    sets: int = 0
    notes: list[str] = field(default_factory=list)


def normalise_colour(value: str | None) -> str | None:
    """A colour as #rrggbb from #RGB, #RRGGBB, RRGGBB or RGB; None when it is not a colour."""
    text = (value or "").strip().lstrip("#")
    if re.fullmatch(r"[0-9a-fA-F]{3}", text):
        text = "".join(c * 2 for c in text)
    return f"#{text.lower()}" if re.fullmatch(r"[0-9a-fA-F]{6}", text) else None


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """The codebook as the bytes of a .qdc file valid against REFI-QDA's Codebook.xsd."""
    root = ET.Element("CodeBook", {"xmlns": NS, "origin": f"qualcode {__version__}"})
    codes = [dataclasses.replace(code, colour=normalise_colour(code.colour)) for code in codebook.codes]
    write_codes(ET.SubElement(root, "Codes"), dataclasses.replace(codebook, codes=codes))
    if codebook.groups:
        sets = ET.SubElement(root, "Sets")
        for name, members in codebook.groups.items():
            group = ET.SubElement(sets, "Set", {"guid": stable_guid("set", name), "name": name})
            for member in members:
                ET.SubElement(group, "MemberCode", {"guid": stable_guid("code", member)})
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_qdc(codebook: Codebook, path: str | Path) -> None:
    """Write the codebook to a .qdc file, whole or not at all."""
    from ..writer import write_bytes

    write_bytes(path, codebook_to_qdc(codebook))


def read_qdc(path: str | Path, name: str | None = None) -> QdcImport:
    """Read a .qdc file as a validated codebook; a broken file is refused naming its line and column."""
    path = Path(path)
    try:
        data = read_bytes(path, CodebookError, "codebook")
    except (FileNotFoundError, IsADirectoryError):
        raise CodebookError(f"{path}: no such file; check the path.") from None
    return qdc_to_codebook(data, str(path), name)


def qdc_to_codebook(data: bytes, label: str, name: str | None = None) -> QdcImport:
    """Read the bytes of a .qdc file (`label` names it in messages) as a validated codebook."""
    root, lines = parse_xml(data, label, CodebookError)
    if local(root) != "CodeBook":
        line, column = lines.get(id(root), (None, None))
        raise CodebookError(
            f"{where(label, line, column)}: the root element is <{local(root)}>, not <CodeBook>; is this a REFI-QDA codebook (.qdc)?"
        )
    codes_element = child(root, "Codes")
    if codes_element is None or child(codes_element, "Code") is None:
        raise CodebookError(f"{label}: holds no <Code> under <Codes>; export the codebook again with its codes.")
    codes, guid_ids = read_codes(codes_element)
    report = QdcImport(codebook=Codebook(name="", codes=[]), origin=root.get("origin") or "")
    codes = _colours(codes, codes_element, guid_ids, report)
    report.categories = sum(
        1
        for e in codes_element.iter()
        if local(e) == "Code" and (e.get("isCodable") or "").strip().lower() in ("false", "0")
    )
    codes = _tree_order(_split_category_names(codes, guid_ids))
    groups = _groups(child(root, "Sets"), guid_ids, report)
    title = name or f"Codebook from {Path(label).name}"
    built = Codebook(name=title, codes=codes, groups=groups)
    report.codebook = parse_codebook(built.to_yaml(), label)
    return report


def _colours(codes: list[Code], codes_element: ET.Element, guid_ids: dict[str, str], report: QdcImport) -> list[Code]:
    raw = {guid_ids.get(norm_guid(e.get("guid"))): e.get("color") for e in codes_element.iter() if local(e) == "Code"}
    fixed = []
    for code in codes:
        colour = normalise_colour(raw.get(code.id))
        if raw.get(code.id) and colour is None:
            report.notes.append(
                f'code "{code.label}" has colour `{raw[code.id]}`, which is not #RGB or #RRGGBB; it was left out'
            )
        fixed.append(dataclasses.replace(code, colour=colour))
    return fixed


def _split_category_names(codes: list[Code], guid_ids: dict[str, str]) -> list[Code]:
    """Top-level codes named `Category::Code` (ATLAS.ti's convention) go under a code named `Category`.

    A code whose id was made from its whole name gets one made from its own part, and
    `guid_ids` follows the change.
    """
    result = list(codes)
    used = {code.id for code in codes}
    renamed: dict[str, str] = {}
    for code in list(result):
        if code.parent is not None or CATEGORY_SEPARATOR not in code.label:
            continue
        category, label = (part.strip() for part in code.label.split(CATEGORY_SEPARATOR, 1))
        if not category or not label:
            continue
        parent = next((c for c in result if c.parent is None and c.label == category), None)
        if parent is None:
            parent = Code(id=unique_id(category, used), label=category)
            used.add(parent.id)
            result.insert(result.index(code), parent)
        new_id = code.id
        derived = unique_id(code.label, set())
        if code.id == derived or code.id.startswith(derived + "_"):
            used.discard(code.id)
            new_id = unique_id(label, used)
            used.add(new_id)
            renamed[code.id] = new_id
        result[result.index(code)] = dataclasses.replace(code, id=new_id, parent=parent.id, label=label)
    for guid, code_id in guid_ids.items():
        guid_ids[guid] = renamed.get(code_id, code_id)
    return result


def _tree_order(codes: list[Code]) -> list[Code]:
    """Codes depth first: each theme followed by the codes under it, in file order otherwise."""
    by_parent: dict[str | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent, []).append(code)
    ordered: list[Code] = []

    def visit(parent: str | None) -> None:
        for code in by_parent.get(parent, []):
            ordered.append(code)
            visit(code.id)

    visit(None)
    return ordered


def _groups(sets: ET.Element | None, guid_ids: dict[str, str], report: QdcImport) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for element in children(sets, "Set"):
        name = (element.get("name") or "").strip() or "Set"
        unique, n = name, 2
        while unique in groups:
            unique, n = f"{name} ({n})", n + 1
        members = [guid_ids.get(norm_guid(m.get("guid"))) for m in children(element, "MemberCode")]
        missing = sum(1 for m in members if m is None)
        if missing:
            report.notes.append(
                f'set "{name}" names {missing} code{"s" if missing != 1 else ""} that the file does not hold; left out'
            )
        groups[unique] = list(dict.fromkeys(m for m in members if m is not None))
        report.sets += 1
    return groups
