"""Codebooks teams bring: MAXQDA/NVivo-style spreadsheets with paths, QualCoder's list, Taguette's CSV both ways,
an editable .xlsx that comes back whole, a .qdpx's codebook alone, and one sentence for anything else."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook

from qualcode.cli import main
from qualcode.codebook import load_codebook
from qualcode.project.codebook import read_codebook_file


def run(*args: object, db: Path | None = None):
    prefix = ["--db", str(db)] if db else []
    return CliRunner().invoke(main, [*prefix, *map(str, args)], catch_exceptions=False)


def tree(path: Path) -> list[tuple[str, str | None, str]]:
    book = read_codebook_file(path).codebook
    return [(c.label, book.get(c.parent).label if c.parent else None, c.definition) for c in book.codes]


def test_a_spreadsheet_with_parent_child_paths_becomes_a_tree_with_memos_colours_and_guids(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Memo"])
    sheet.append(["Money", "about money"])
    sheet.append(["Money > Benefits", "fear of losing them"])
    guids = workbook.create_sheet("Codebook+GUID+Color")
    guids.append(["GUID", "Color", "Code", "Memo"])
    guids.append(["C9E3D7E0-4DBF-46E2-96EF-14574ECD3B90", "#ef8256", "Money", "about money"])
    guids.append(["47EE879B-5CD2-40C4-963F-C646F6486521", "#3009B1", "Money > Benefits", "fear of losing them"])
    guids.append(["47EE879B-5CD2-40C4-963F-C646F6486522", "not a colour", "Work > Hours > Too few", "- cuts"])
    workbook.save(tmp_path / "codes.xlsx")
    read = read_codebook_file(tmp_path / "codes.xlsx")
    book = read.codebook
    assert tree(tmp_path / "codes.xlsx") == [
        ("Money", None, "about money"),
        ("Benefits", "Money", "fear of losing them"),
        ("Work", None, ""),
        ("Hours", "Work", ""),
        ("Too few", "Hours", "- cuts"),
    ]
    assert (
        book.get("benefits").colour == "#3009B1" and book.get("benefits").guid == "47EE879B-5CD2-40C4-963F-C646F6486521"
    )
    assert any("not #RGB" in note for note in read.notes) and any(
        "2 parent codes named only in paths were" in note for note in read.notes
    )


def test_csv_paths_with_backslashes_or_a_parent_column(tmp_path: Path) -> None:
    (tmp_path / "slashes.csv").write_text(
        "Code;Description\nMoney;about money\nMoney\\Benefits;fear\n", encoding="utf-8"
    )
    (tmp_path / "parents.csv").write_text(
        "name,parent,definition\nBenefits,Money,fear\nMoney,,about money\n", encoding="utf-8"
    )
    assert tree(tmp_path / "slashes.csv") == [("Money", None, "about money"), ("Benefits", "Money", "fear")]
    assert sorted(tree(tmp_path / "parents.csv")) == [("Benefits", "Money", "fear"), ("Money", None, "about money")]


def test_a_csv_from_excel_in_windows_1252_reads_its_accents_and_an_unreadable_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "excel.csv").write_bytes("name,definition\nCafé,a café’s worth\n".encode("cp1252"))
    assert tree(tmp_path / "excel.csv") == [("Café", None, "a café’s worth")]
    (tmp_path / "broken.csv").write_bytes(b"name,definition\nMoney,about \x81\x8d money\n")  # bytes no encoding reads
    result = run("codebook", "import", tmp_path / "broken.csv", "-o", tmp_path / "out.yaml")
    assert result.exit_code != 0 and "cannot tell its text encoding" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_qualcoder_plain_text_list_is_read_with_categories_and_memos(tmp_path: Path) -> None:
    (tmp_path / "codes.txt").write_text(
        "lonely\tfeels alone\nwork>>hours\nwork>>pay>>late\tpaid late\n", encoding="utf-8"
    )
    assert tree(tmp_path / "codes.txt") == [
        ("lonely", None, "feels alone"),
        ("work", None, ""),
        ("hours", "work", ""),
        ("pay", "work", ""),
        ("late", "pay", "paid late"),
    ]


def test_taguette_csv_and_the_team_spreadsheet_go_out_and_come_back(tmp_path: Path, small_codebook: Path) -> None:
    taguette, sheet = tmp_path / "tags.csv", tmp_path / "team.xlsx"
    assert run("codebook", "export", small_codebook, "-o", taguette).exit_code == 0
    with taguette.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    original = load_codebook(small_codebook)
    assert list(rows[0]) == ["tag", "description"] and len(rows) == len(original)
    assert [(label, parent) for label, parent, _ in tree(taguette)] == [
        (c.label, original.get(c.parent).label if c.parent else None) for c in original.codes
    ]
    assert run("codebook", "export", small_codebook, "-o", sheet).exit_code == 0
    back = read_codebook_file(sheet).codebook
    assert back.codes == original.codes


def test_codebook_import_of_a_project_takes_its_codebook_even_without_its_texts(tmp_path: Path) -> None:
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="ATLAS.ti 8">'
        '<CodeBook><Codes><Code guid="A1000000-0000-0000-0000-000000000001" name="Money" isCodable="true">'
        '<Code guid="A1000000-0000-0000-0000-000000000002" name="Benefits" isCodable="true"/></Code></Codes></CodeBook>'
        '<Sources><TextSource guid="B2000000-0000-0000-0000-000000000001" name="gone.txt" '
        'plainTextPath="internal://B2000000-0000-0000-0000-000000000001.txt"/></Sources></Project>'
    )
    with zipfile.ZipFile(tmp_path / "atlas.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
    result = run("codebook", "import", tmp_path / "atlas.qdpx", "-o", tmp_path / "book.yaml")
    assert result.exit_code == 0, result.output
    assert [(c.id, c.parent) for c in load_codebook(tmp_path / "book.yaml").codes] == [
        ("money", None),
        ("benefits", "money"),
    ]


def test_a_file_that_is_no_codebook_format_gets_one_sentence_naming_the_formats(tmp_path: Path) -> None:
    (tmp_path / "codes.bin").write_bytes(bytes(range(256)))
    result = run("codebook", "import", tmp_path / "codes.bin", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert (
        "is not a codebook qualcode reads; it reads YAML" in result.output
        and "QualCoder code lists (.txt)" in result.output
    )
    assert not (tmp_path / "x.yaml").exists()


def test_validate_for_qualcoder_names_duplicate_labels(tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text("Code\nMoney > Worry\nWork > Worry\n", encoding="utf-8")
    result = run("codebook", "validate", tmp_path / "dup.csv", "--for", "qualcoder")
    assert result.exit_code == 1 and "the label `Worry` names 2 codes (worry, worry_2)" in result.output
    assert run("codebook", "validate", tmp_path / "dup.csv").exit_code == 0
