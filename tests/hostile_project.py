"""A small project built to leak: listed names in every form, formula-leading values everywhere.

Used by test_masking.py and test_way_out.py. `build(folder, location)` makes the store;
`leaks(text)` names every listed identifier (in any of its forms), email address or
formula cell found in an output's text.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

from qualcode import project
from qualcode.export import masking
from qualcode.project import identifiers
from qualcode.store import NewCoding, Store

CODEBOOK = """\
name: "=Danger codebook"
version: 1
codes:
  - id: money
    label: "+Money talk"
    colour: "#1f77b4"
  - id: benefits
    parent: money
    label: "-Benefits"
    keywords: [benefit]
  - id: people
    label: "@People"
    colour: "#ff7f0e"
  - id: family
    parent: people
    label: Family
    keywords: [mum]
"""

FIRST = """\
---
id: SarahJones_01
role: "=1+2"
name: Sarah Jones
---
Interviewer: How was it for you?
Participant: I told Sarah's mum and O’Neil about the benefit. SarahJones and Sarah_Jones both said Sarahs job was fine.
Interviewer: And then?
Participant: My benefit stopped at Brightway Works, see www.brightwayworks.co.uk or mail sarah@example.org about my mum.
Interviewer: Anyone else?
Participant: The STRASSE office near Zoe\u0308 and Sa\u200brah helped with my benefit and my mum.
"""

SECOND = """\
---
id: p2
role: "@Support worker"
name: O'Neil
---
Interviewer: Tell me.
Participant: =HYPERLINK("http://x") is what my benefit letter said, and my mum agreed.
Interviewer: More?
Participant: -5 pounds of benefit a week, says sarah jones, and Straße people.
"""

# (name, kind): "Zoë" is typed decomposed on purpose, the text holds it composed and decomposed
IDENTIFIERS = [
    ("Sarah Jones", "person"),
    ("Sarah", "person"),
    ("O'Neil", "person"),
    ("Brightway Works", "provider"),
    ("Straße", "place"),
    (unicodedata.normalize("NFD", "Zoë"), "person"),
]
CODERS = ("Sarah", "-bob")
FORBIDDEN = ("sarah", "jones", "o'neil", "oneil", "brightway", "strasse", "zoë", "example.org")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def build(folder: Path, location: str | Path) -> Store:
    """The hostile project at `location`: two transcripts, identifiers listed, codings by two coders, suggestions."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    transcripts = folder / "transcripts"
    transcripts.mkdir(exist_ok=True)
    (transcripts / "one.txt").write_text(FIRST, encoding="utf-8")
    (transcripts / "two.txt").write_text(SECOND, encoding="utf-8")
    store = project.init_project(location, folder / "codebook.yaml")
    report = project.import_transcripts(store, [transcripts])
    assert report.ok, report.refused
    for name, kind in IDENTIFIERS:
        identifiers.add_identifiers(store, [name], kind)
    codings = []
    for segment in store.segments():
        codings.append(NewCoding(segment["document_id"], segment["start"], segment["end"], "benefits", CODERS[0]))
        codings.append(
            NewCoding(
                segment["document_id"],
                segment["start"],
                segment["end"],
                "benefits" if segment["position"] % 2 else "family",
                CODERS[1],
            )
        )
        codings.append(
            NewCoding(
                segment["document_id"],
                segment["start"],
                segment["end"],
                "family",
                "qualcode",
                "suggested",
                "pending",
                0.7,
            )
        )
    store.add_codings(codings)
    return store


def output_text(path: Path) -> str:
    """Everything a person could read in an output file (cells, runs, XML, JSON), as one text."""
    data = path.read_bytes()
    if path.suffix in (".xlsx", ".docx", ".qdpx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8-sig")


def identifier_leaks(text: str) -> list[str]:
    """Listed names (in any form) and email addresses found in `text`."""
    folded = masking.fold(re.sub(r"&#x27;|&#39;|&apos;", "'", text))
    return [name for name in FORBIDDEN if name in folded]


def formula_cells(path: Path) -> list[str]:
    """Cells of a CSV or XLSX file a spreadsheet would run as a formula."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        found = []
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or _formula(cell.value):
                        found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
        return found
    if path.suffix == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [value for row in csv.reader(handle) for value in row if _formula(value)]
    return []


def _formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA) and not _NUMBER.fullmatch(value)


def about_of(path: Path) -> dict:
    """The provenance sidecar of a CSV export."""
    return json.loads(path.with_name(path.name + ".about.json").read_text(encoding="utf-8"))
