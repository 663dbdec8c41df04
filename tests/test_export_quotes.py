"""`export quotes` and `export frequencies`: each file opened with its own reader and checked against the store."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from conftest import SAMPLE, Cli
from fixtures.report_project import build
from markdown_it import MarkdownIt

from qualcode import project
from qualcode.analysis import illustrative_quotes
from qualcode.export.masking import Masker
from qualcode.project import identifiers
from qualcode.store import Store

pytestmark = pytest.mark.slow(50)  # seconds, all this file's tests together: started first (conftest.py)


@pytest.fixture
def sample(sample_db, tmp_path):
    """The sample project with its identifiers list loaded, and a CLI bound to it."""
    path = tmp_path / "sample.db"
    shutil.copy(sample_db, path)
    store = Store.open(path)
    identifiers.import_identifiers(store, SAMPLE / "identifiers.txt")
    yield store, Cli(path)
    store.close()


def expected_quotes(store, **filters):
    """The accepted quotes the store holds, masked as an export masks them, by theme."""
    masker = Masker.for_store(store)
    rows = project.coding_rows(store, statuses=["accepted"], **filters)
    return Counter((row["theme_id"], masker.mask(row["quote"])[0]) for row in rows)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_a_bom_a_header_and_every_quote_with_a_sidecar(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "quotes.csv"
    result = cli("export", "quotes", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert list(rows[0]) == [
        "theme_id",
        "theme",
        "code_id",
        "code",
        "quote",
        "participant",
        "role",
        "speaker",
        "media_time",
        "document_id",
        "turn",
        "start",
        "end",
        "coder",
        "status",
        "confidence",
        "masked",
    ]
    assert Counter((r["theme_id"], r["quote"]) for r in rows) == expected_quotes(store)
    roles = {d["id"]: d["attributes"]["role"] for d in store.documents()}
    for row in rows[:50]:
        assert row["role"] == roles[row["document_id"]] and row["status"] == "accepted" and row["coder"] == "gold"
        document = store.document(row["document_id"])
        assert document["text"][int(row["start"]) : int(row["end"])].startswith(row["quote"][:10].split("[")[0])
        turn = document["turns"][int(row["turn"]) - 1]  # turns counted from 1, as a reader counts them
        assert turn["start"] <= int(row["start"]) < turn["end"]
    about = json.loads((tmp_path / "quotes.csv.about.json").read_text(encoding="utf-8"))
    assert about["codebook_version"] == store.codebook_version() and about["store"].endswith("sample.db")
    assert about["rows"] == len(rows) and about["masking"]["masked"] == 2 and about["made_at"]
    assert "Masked 2 identifiers" in result.output


def test_xlsx_has_a_sheet_per_theme_frozen_wrapped_and_an_about_sheet(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "quotes.xlsx"
    assert cli("export", "quotes", "-o", out).exit_code == 0  # format taken from the suffix
    book = openpyxl.load_workbook(out)
    themes = store.codebook().themes()
    assert len(book.sheetnames) == len(themes) + 1 and book.sheetnames[-1] == "About"
    found: Counter = Counter()
    for sheet in book.worksheets[:-1]:
        header = [c.value for c in sheet[1]]
        quote_column = header.index("quote") + 1
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["E"].width == 80
        assert sheet.cell(2, quote_column).alignment.wrap_text
        for values in sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(header, values))
            found[(row["theme_id"], row["quote"])] += 1
    assert found == expected_quotes(store)
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["codebook_version"] == store.codebook_version() and "statuses: accepted" in about["filters"]


def markdown_quotes(text: str) -> tuple[dict, list[str], list[str]]:
    """(front matter, h2 headings, block-quote texts) of a Markdown report, read with markdown-it."""
    _, front, body = text.split("---\n", 2)
    tokens = MarkdownIt().parse(body)
    headings, quotes, depth = [], [], 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            headings.append(inline_text(tokens[i + 1]))
        depth += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
        if token.type == "inline" and depth and tokens[i - 1].type == "paragraph_open":
            quotes.append(inline_text(token))
    return yaml.safe_load(front), headings, quotes


def inline_text(token) -> str:
    """What an inline token reads as: escapes resolved, line breaks kept."""
    return "".join("\n" if c.type == "softbreak" else c.content for c in token.children)


def test_markdown_has_front_matter_a_section_per_theme_and_attributed_block_quotes(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "quotes.md"
    assert cli("export", "quotes", "--format", "md", "-o", out).exit_code == 0
    front, headings, paragraphs = markdown_quotes(out.read_text(encoding="utf-8"))
    assert front["codebook_version"] == store.codebook_version() and front["filters"]["statuses"] == ["accepted"]
    assert headings == [f"{t.label} ({t.id})" for t in store.codebook().themes()]
    quotes, attributions = paragraphs[0::2], paragraphs[1::2]
    assert Counter(quotes) == Counter(q for (_, q) in expected_quotes(store).elements())
    assert all(a.startswith("— ") and " · " in a for a in attributions)


def test_docx_is_a_report_table_with_role_subheadings_whole_rows_and_provenance_without_paths(sample, tmp_path):
    from qualcode.export.reports.quotes import DOCX_WORDS
    from qualcode.export.reports.tables import shorten

    store, cli = sample
    out = tmp_path / "quotes.docx"
    assert cli("export", "quotes", "--format", "docx", "-o", out).exit_code == 0
    document = docx.Document(out)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    themes = store.codebook().themes()
    assert headings == [t.label for t in themes]
    roles = {p.text for p in document.paragraphs if p.style.name == "Heading 2"}
    assert roles and roles <= {d["attributes"].get("role") for d in store.documents()}
    expected = Counter({(theme, shorten(quote, DOCX_WORDS)): n for (theme, quote), n in expected_quotes(store).items()})
    found: Counter = Counter()
    labels = {t.label: t.id for t in themes}
    transcripts = {d["id"] for d in store.documents()}
    theme = None
    body = document.element.body
    tables = iter(document.tables)
    for block in body.iterchildren():
        if block.tag.endswith("}p") and block.xpath("string(.)") in labels:
            theme = labels[block.xpath("string(.)")]
        elif block.tag.endswith("}tbl"):
            table = next(tables)
            assert [c.text for c in table.rows[0].cells] == ["Quote", "Attribution"]
            for row in table.rows[1:]:
                quote, attribution = (cell.text for cell in row.cells)
                found[(theme, quote)] += 1
                assert attribution.split(", ")[0] in transcripts and "characters" not in attribution
                assert row._tr.xpath("./w:trPr/w:cantSplit")
    assert found == expected
    assert all(len(text.split()) <= DOCX_WORDS + 1 for _, text in found)
    closing = document.paragraphs[-1].text
    assert f"version {store.codebook_version()}" in closing and "masked: 2" in closing
    assert "sample.db" not in closing and str(tmp_path) not in closing and "/" not in closing.split("with qualcode")[0]
    properties = document.core_properties.comments
    assert f"version {store.codebook_version()}" in properties and str(tmp_path) not in properties


def test_filters_select_what_they_name(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "q.csv"
    assert cli("export", "quotes", "-o", out, "--theme", "demand", "--role", "Social worker").exit_code == 0
    rows = read_csv(out)
    social = [d["id"] for d in store.documents() if d["attributes"]["role"] == "Social worker"]
    theme_codes = ["demand", *[c.id for c in store.codebook().descendants("demand")]]
    assert len(rows) == len(store.codings(document_ids=social, code_ids=theme_codes, statuses=["accepted"])) > 0
    assert cli("export", "quotes", "-o", out, "--code", "demand", "--where", "site=Site A").exit_code == 0
    site_a = {d["id"] for d in store.documents() if d["attributes"]["site"] == "Site A"}
    rows = read_csv(out)
    assert {r["document_id"] for r in rows} == site_a and {r["theme_id"] for r in rows} == {"demand"}
    assert len({r["code_id"] for r in rows}) > 1  # a code brings its sub-codes


def test_status_coder_and_confidence_filters(sample, tmp_path):
    store, cli = sample
    text = store.document("SW02")["text"]
    project.add_coding(store, "SW02", 0, text.index(" ", 40), "demand", "ana")
    segment = store.segments("SW02")[0]
    from qualcode.store import NewCoding

    store.add_codings(
        [
            NewCoding(
                "SW02", segment["start"], segment["end"], "benefits_worries", "qualcode", "suggested", "pending", 0.4
            ),
            NewCoding("SW02", segment["start"], segment["end"], "bureaucracy", "qualcode", "suggested", "pending", 0.9),
        ]
    )
    out = tmp_path / "q.csv"
    cli("export", "quotes", "-o", out, "--status", "pending")
    assert sorted(r["code_id"] for r in read_csv(out)) == ["benefits_worries", "bureaucracy"]
    cli("export", "quotes", "-o", out, "--status", "pending", "--min-confidence", "0.5")
    assert [r["code_id"] for r in read_csv(out)] == ["bureaucracy"]
    cli("export", "quotes", "-o", out, "--status", "all", "--coder", "ana", "--coder", "qualcode")
    assert len(read_csv(out)) == 3
    cli("export", "quotes", "-o", out, "--coder", "ana")
    assert [(r["coder"], r["code_id"]) for r in read_csv(out)] == [("ana", "demand")]


def test_per_cell_picks_what_the_app_picks(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "cells.csv"
    assert cli("export", "quotes", "-o", out, "--per-cell", "2").exit_code == 0
    rows = read_csv(out)
    roles = sorted({d["attributes"]["role"] for d in store.documents()})
    expected = []
    for theme in store.codebook().themes():
        for role in roles:
            expected += [
                (q["theme_id"], q["role"], q["document_id"], str(q["start"]), q["code_id"])
                for q in illustrative_quotes(store, theme.id, {"role": role}, n=2)
            ]
    assert [(r["theme_id"], r["role"], r["document_id"], r["start"], r["code_id"]) for r in rows] == expected
    assert len(rows) == len(store.codebook().themes()) * len(roles) * 2


def test_quotes_are_whole_unless_max_words_asks(sample, tmp_path):
    store, cli = sample
    out = tmp_path / "q.csv"
    cli("export", "quotes", "-o", out, "--no-mask", "--i-have-checked")
    full = {(r["document_id"], r["start"], r["code_id"]): r["quote"] for r in read_csv(out)}
    stored = {
        (c["document_id"], str(c["start"]), c["code_id"]): c["quote"] for c in store.codings(statuses=["accepted"])
    }
    assert full == stored
    cli("export", "quotes", "-o", out, "--no-mask", "--i-have-checked", "--max-words", "12")
    shortened = 0
    for row in read_csv(out):
        original = full[(row["document_id"], row["start"], row["code_id"])]
        if len(original.split()) <= 12:
            assert row["quote"] == original
            continue
        shortened += 1
        words = row["quote"].split()
        assert words[-1] == "…" and words[:-1] == original.split()[:12]  # whole words only
    assert shortened > 0


def test_unknown_ids_are_errors_listing_the_valid_ones(sample, tmp_path):
    _, cli = sample
    out = tmp_path / "q.csv"
    for args, listed in (
        (["--theme", "demnad"], "demand, professional_attitudes"),
        (["--code", "benefit_worries"], "benefits_worries"),
        (["--role", "Nurse"], "Social worker; Support organisation"),
        (["--where", "region=North"], "interview_mode, pb_years, role, site"),
    ):
        result = cli("export", "quotes", "-o", out, *args)
        assert result.exit_code == 1 and listed in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "md", "docx"])
def test_an_empty_selection_writes_a_file_that_says_so(sample, tmp_path, fmt):
    _, cli = sample
    out = tmp_path / f"empty.{fmt}"
    result = cli("export", "quotes", "--format", fmt, "-o", out, "--status", "pending")
    assert result.exit_code == 0 and "nothing matches" in result.output
    if fmt == "csv":
        assert read_csv(out) == [] and out.read_text(encoding="utf-8-sig").startswith("theme_id,")
        about = json.loads((tmp_path / "empty.csv.about.json").read_text(encoding="utf-8"))
        assert about["empty"] is True and "this report is empty" in about["note"]
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        assert book.sheetnames == ["No quotes", "About"] and "this report is empty" in book["No quotes"]["A1"].value
    elif fmt == "md":
        assert "this report is empty" in out.read_text(encoding="utf-8")
    else:
        assert any("this report is empty" in p.text for p in docx.Document(out).paragraphs)


def test_no_mask_needs_i_have_checked(sample, tmp_path):
    _, cli = sample
    out = tmp_path / "q.csv"
    refused = cli("export", "quotes", "-o", out, "--no-mask")
    assert refused.exit_code == 1 and "--i-have-checked" in refused.output and not out.exists()
    assert cli("export", "quotes", "-o", out, "--no-mask", "--i-have-checked").exit_code == 0
    assert "Sandra" in out.read_text(encoding="utf-8-sig")


# -- frequencies ---------------------------------------------------------------------


@pytest.fixture
def made_up_cli(tmp_path, small_codebook):
    store = build(tmp_path, small_codebook)
    store.close()
    return Cli(tmp_path / "made_up.db")


HAND = {
    ("Parent", "money"): "2 of 2",
    ("Parent", "people"): "1 of 2",
    ("Worker", "money"): "1 of 2",
    ("Worker", "people"): "1 of 2",
    ("All", "money"): "3 of 4",
    ("All", "people"): "2 of 4",
    ("All", "benefits"): "2 of 4",
    ("All", "wages"): "2 of 4",
    ("All", "family"): "2 of 4",
}


def test_frequencies_csv_matches_the_hand_count(made_up_cli, tmp_path):
    out = tmp_path / "f.csv"
    result = made_up_cli("export", "frequencies", "--by", "role", "-o", out)
    assert result.exit_code == 0, result.output
    rows = {(r["role"], r["code_id"]): r for r in read_csv(out)}
    for key, n_of_m in HAND.items():
        assert rows[key]["n_of_m"] == n_of_m
    assert rows[("Parent", "money")]["segments"] == "4" and rows[("All", "money")]["segments"] == "5"
    assert rows[("All", "wages")]["segments"] == "2"  # one segment coded by two coders counts once
    assert json.loads((tmp_path / "f.csv.about.json").read_text())["filters"]["by"] == ["role"]


def test_frequencies_xlsx_md_and_docx_show_n_of_m_per_role(made_up_cli, tmp_path):
    for fmt in ("xlsx", "md", "docx"):
        assert (
            made_up_cli("export", "frequencies", "--by", "role", "--format", fmt, "-o", tmp_path / f"f.{fmt}").exit_code
            == 0
        )
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["Participants"]
    header = [c.value for c in sheet[1]]
    cells = {(row[1], header[i]): v for row in sheet.iter_rows(min_row=2, values_only=True) for i, v in enumerate(row)}
    assert all(cells[(code, role)] == n for (role, code), n in HAND.items())
    assert sheet.freeze_panes == "A2"
    tokens = MarkdownIt().enable("table").parse((tmp_path / "f.md").read_text(encoding="utf-8").split("---\n", 2)[2])
    inline = [t for t in tokens if t.type == "inline"]
    cells_md = [inline_text(t) for t in inline]
    first = cells_md.index("theme or code")
    assert cells_md[first : first + 6] == ["theme or code", "id", "level", "Parent", "Worker", "All"]
    money = cells_md.index("money")
    assert inline[money - 1].content == "**Money**"  # a theme row is bold
    assert cells_md[money + 2 : money + 5] == ["2 of 2", "1 of 2", "3 of 4"]
    table = docx.Document(tmp_path / "f.docx").tables[0]
    grid = [[c.text for c in row.cells] for row in table.rows]
    assert grid[0] == ["theme or code", "id", "level", "Parent", "Worker", "All"]
    assert grid[1] == ["Money", "money", "theme", "2 of 2", "1 of 2", "3 of 4"]


def test_frequencies_with_two_attributes_and_a_bad_one(made_up_cli, tmp_path):
    out = tmp_path / "f.csv"
    assert made_up_cli("export", "frequencies", "--by", "role", "--by", "participant", "-o", out).exit_code == 0
    rows = read_csv(out)
    assert {(r["role"], r["participant"]) for r in rows} >= {("Parent", "P1"), ("All", "All")}
    bad = made_up_cli("export", "frequencies", "--by", "site", "-o", out)
    assert bad.exit_code == 1 and "participant, role" in bad.output


def test_sample_quotes_never_show_the_names_on_its_identifiers_list(sample, tmp_path):
    store, cli = sample
    names = re.compile(r"sandra|brightway works|kirkdale", re.IGNORECASE)
    hits = 0
    for document in store.documents():
        text = store.document(document["id"])["text"]
        for match in names.finditer(text):
            start = text.rfind(".", 0, match.start()) + 1
            end = text.find(".", match.end()) + 1
            project.add_coding(store, document["id"], start + (text[start] == " "), end, "demand", "ana")
            hits += 1
    assert hits >= 3
    for fmt in ("csv", "xlsx", "md", "docx"):
        out = tmp_path / f"masked.{fmt}"
        result = cli("export", "quotes", "--format", fmt, "-o", out, "--coder", "ana")
        assert f"Masked {hits} identifiers" in result.output
        if fmt == "docx":
            content = "\n".join(c.text for t in docx.Document(out).tables for row in t.rows for c in row.cells)
        elif fmt == "xlsx":
            content = "\n".join(
                str(v) for s in openpyxl.load_workbook(out).worksheets for r in s.iter_rows(values_only=True) for v in r
            )
        else:
            content = out.read_text(encoding="utf-8-sig")
        assert not names.search(content), fmt
        assert "[name]" in content.replace("\\[", "[").replace("\\]", "]") and "[provider]" in content.replace("\\", "")


@pytest.mark.parametrize(
    "text",
    [
        "# not a heading",
        "12. not a list",
        "- nor this",
        "*stars* and _under_ [name]'s",
        "a | pipe, <b>tags</b>, back\\slash and &amp; left as typed",
        "+ plus",
        "=== rule",
    ],
)
def test_markdown_quotes_read_back_exactly_as_said(text):
    from qualcode.export.reports.formats import quote_block

    tokens = MarkdownIt().parse("\n".join(quote_block(text)))
    inline = [t for t in tokens if t.type == "inline"]
    assert tokens[0].type == "blockquote_open" and len(inline) == 1 and inline_text(inline[0]) == text


def test_an_empty_frequency_selection_says_so(made_up_cli, tmp_path):
    made_up_cli("export", "frequencies", "--role", "Worker", "--where", "participant=P1", "-o", tmp_path / "f.md")
    assert "this report is empty" in (tmp_path / "f.md").read_text(encoding="utf-8")
    made_up_cli("export", "frequencies", "--role", "Worker", "--where", "participant=P1", "-o", tmp_path / "f.csv")
    assert read_csv(tmp_path / "f.csv") == []
    assert json.loads((tmp_path / "f.csv.about.json").read_text())["empty"] is True


def test_a_quote_too_long_for_a_spreadsheet_cell_is_refused_not_cut(store, cli, tmp_path):
    long_answer = " ".join(["We talked about work and benefits again."] * 900)  # about 37,000 characters
    (tmp_path / "LONG.txt").write_text(
        f"---\nid: LONG\nrole: Parent\n---\nRespondent: {long_answer}\n", encoding="utf-8"
    )
    project.import_transcripts(store, [tmp_path / "LONG.txt"])
    text = store.document("LONG")["text"]
    project.add_coding(store, "LONG", 0, len(text), "demand", "ana")
    result = cli("export", "quotes", "-o", tmp_path / "q.xlsx")
    assert (
        result.exit_code == 1
        and "--max-words" in result.output
        and "more than a spreadsheet cell holds" in result.output
    )
    assert cli("export", "quotes", "-o", tmp_path / "q.xlsx", "--max-words", "200").exit_code == 0
    assert cli("export", "quotes", "-o", tmp_path / "q.csv").exit_code == 0  # other formats take it whole
    assert read_csv(tmp_path / "q.csv")[0]["quote"] == text


def test_a_theme_with_more_quotes_than_a_sheet_holds_is_refused_and_the_old_file_kept(sample, tmp_path, monkeypatch):
    from qualcode.export.reports import quotes

    _, cli = sample
    out = tmp_path / "q.xlsx"
    assert cli("export", "quotes", "-o", out).exit_code == 0
    before = out.read_bytes()
    monkeypatch.setattr(quotes, "XLSX_ROW_LIMIT", 10)  # rather than a million quotes
    result = cli("export", "quotes", "-o", out)
    assert (
        result.exit_code == 1
        and "more than a spreadsheet sheet holds" in result.output
        and "export as csv" in result.output
    )
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("q.")) == [
        "q.xlsx"
    ]


def test_sheet_rows_keep_every_value_a_spreadsheet_reads_back(tmp_path):
    """Quote sheets' rows are streamed into the saved workbook: what openpyxl reads back is what was written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    from qualcode.export.reports.sheet_rows import fill_sheets

    path = tmp_path / "rows.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Théme & <quotes>")
    sheet.freeze_panes = "A2"
    sheet.append(["quote", "turn", "confidence", "coder"])
    wrapped = WriteOnlyCell(sheet, "")
    wrapped.alignment = Alignment(wrap_text=True)
    wrap_style = wrapped.style_id  # registered in the workbook before it is saved
    book.create_sheet("Other").append(["untouched"])
    saved = tmp_path / "headers.xlsx"
    book.save(saved)
    rows = [
        ['  She said: "it\'s <fine> & done"\nthen left.  ', 3, 0.25, "ana"],
        ["=SUM(A1:A2) stays text, a bell\x07 is dropped, \r\n kept", None, None, "bo"],
        ["1e5", 12, 1, "Zoë"],
    ]
    fill_sheets(saved, {"Théme & <quotes>": (rows, [wrap_style, None, None, None])}, path)
    read = openpyxl.load_workbook(path)
    written = read["Théme & <quotes>"]
    assert [list(r) for r in written.iter_rows(min_row=2, values_only=True)] == [
        rows[0],
        ["'=SUM(A1:A2) stays text, a bell is dropped, \r\n kept", None, None, "bo"],
        rows[2],
    ]  # a formula's start is quoted
    assert written.cell(2, 1).data_type == "s" and written.cell(3, 1).data_type == "s"
    assert written.cell(2, 1).alignment.wrap_text and not written.cell(2, 4).alignment.wrap_text
    assert written.freeze_panes == "A2" and written.max_row == 4
    assert read["Other"]["A1"].value == "untouched" and not list(tmp_path.glob("*.partial"))
