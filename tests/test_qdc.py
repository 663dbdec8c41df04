"""REFI-QDA codebooks (.qdc): valid exports with stable GUIDs, lossless round trips, other tools' files, broken files refused."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from conftest import CODEBOOK, SMALL_CODEBOOK

from qualcode.cli import main
from qualcode.codebook import Code, Codebook, load_codebook, parse_codebook
from qualcode.errors import CodebookError
from qualcode.export.refi.qdc import codebook_to_qdc, normalise_colour, qdc_to_codebook, read_qdc

FIXTURES = Path(__file__).parent / "fixtures" / "qdc"
SCHEMA = xmlschema.XMLSchema(str(FIXTURES / "Codebook.xsd"))

GROUPED = SMALL_CODEBOOK.replace(
    "codes:\n", "groups:\n  Money talk: [benefits, wages]\n  Empty for now: []\ncodes:\n", 1
)


def tree(codebook: Codebook) -> list[tuple[int, str, str]]:
    """(depth, id, label) for each code, depth first: what `codebook show` draws."""
    return [
        (codebook.depth(code.id), code.id, code.label)
        for theme in codebook.themes()
        for code in [theme, *codebook.descendants(theme.id)]
    ]


def run(*args: str):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


# -- export --------------------------------------------------------------------------------
def test_the_shipped_codebook_exports_to_a_qdc_that_the_schema_accepts(tmp_path: Path) -> None:
    out = tmp_path / "pb.qdc"
    result = run("codebook", "export", CODEBOOK, "--format", "qdc", "-o", out)
    assert result.exit_code == 0, result.output
    SCHEMA.validate(str(out))
    text = out.read_text(encoding="utf-8")
    assert "<Sets" not in text
    assert text.count("<Code ") == len(load_codebook(CODEBOOK))
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in re.findall(r'color="([^"]*)"', text))


def test_guids_are_the_same_on_every_export_and_come_from_code_ids(small_codebook: Path) -> None:
    book = load_codebook(small_codebook)
    first, second = codebook_to_qdc(book), codebook_to_qdc(load_codebook(small_codebook))
    assert first == second
    relabelled = parse_codebook(SMALL_CODEBOOK.replace("label: Wages", "label: Pay"))
    guids = re.findall(rb'guid="([^"]+)"', first)
    assert len(set(guids)) == len(book) and guids == re.findall(rb'guid="([^"]+)"', codebook_to_qdc(relabelled))


def test_groups_become_sets_of_member_codes_and_never_an_empty_sets() -> None:
    grouped = parse_codebook(GROUPED)
    data = codebook_to_qdc(grouped)
    SCHEMA.validate(data.decode("utf-8"))
    assert data.count(b"<Set ") == 2 and data.count(b"<MemberCode ") == 2
    plain = codebook_to_qdc(parse_codebook(SMALL_CODEBOOK))
    assert b"Sets" not in plain
    SCHEMA.validate(plain.decode("utf-8"))


def test_description_folds_definition_include_exclude_and_examples_readably() -> None:
    data = codebook_to_qdc(load_codebook(CODEBOOK)).decode("utf-8")
    book = load_codebook(CODEBOOK)
    code = book.get("low_expectations")
    description = data.split(f'name="{code.label}"', 1)[1].split("</Description>", 1)[0]
    assert code.definition in description
    assert f"Include: {code.include}" in description and f"Exclude: {code.exclude}" in description
    assert "Examples:\n- " in description and "Code id: low_expectations" in description


def test_a_store_version_exports_as_qdc_or_yaml(cli, store, tmp_path: Path) -> None:
    assert cli("codebook", "export", "-o", tmp_path / "current.qdc").exit_code == 0
    SCHEMA.validate(str(tmp_path / "current.qdc"))
    assert cli("codebook", "export", "--version", "1", "--format", "yaml", "-o", tmp_path / "v1.yaml").exit_code == 0
    assert load_codebook(tmp_path / "v1.yaml").codes == load_codebook(CODEBOOK).codes


# -- round trip ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [CODEBOOK.read_text(encoding="utf-8"), GROUPED], ids=["pb_employment", "grouped"])
def test_yaml_to_qdc_to_yaml_keeps_every_code_field_and_group(tmp_path: Path, text: str) -> None:
    before = parse_codebook(text)
    source = tmp_path / "before.yaml"
    source.write_text(text, encoding="utf-8")
    assert run("codebook", "export", source, "-o", tmp_path / "book.qdc").exit_code == 0
    result = run("codebook", "import", tmp_path / "book.qdc", "-o", tmp_path / "after.yaml")
    assert result.exit_code == 0, result.output
    after = load_codebook(tmp_path / "after.yaml")
    assert sorted(after.codes, key=lambda c: c.id) == sorted(before.codes, key=lambda c: c.id)
    assert tree(after) == tree(before)
    assert after.groups == before.groups


def test_round_trip_keeps_accents_multiline_definitions_and_short_colours() -> None:
    text = """\
name: Accents
codes:
  - id: reseau
    label: Réseau d'entraide — « amis »
    colour: "#C0F"
    definition: |-
      Première ligne.

      Second paragraph, after a blank line.
    examples: ["Ça m'a aidé", "Übung macht den Meister"]
    keywords: [entraide, réseau]
  - id: famille
    parent: reseau
    label: Famille
    exclude: "Include: written like a label, still the exclude text"
"""
    before = parse_codebook(text)
    after = qdc_to_codebook(codebook_to_qdc(before), "accents.qdc").codebook
    assert after.get("reseau").colour == "#cc00ff"
    assert after.get("reseau").label == "Réseau d'entraide — « amis »"
    assert after.get("reseau").definition == before.get("reseau").definition
    assert after.get("reseau").examples == before.get("reseau").examples
    assert after.get("famille") == before.get("famille")


TRICKY = r"""
name: Tricky texts
codes:
  - id: tricky
    label: Étiquette « piège » ☕
    definition: |-
      Include: this opens the definition, it is not the include field.
      Examples:
      - a dash line inside the definition


      Two blank lines above;   several spaces inside.
      \Include: a backslash before a label
      \\Code id: two backslashes
      Code id: not_the_id
    include: |-
      First line of the include.

      Exclude: a label starting a later paragraph of the include.
        Indented line, kept as it is.
    exclude: "Keywords: written like a label, still the exclude text"
    examples:
      - |-
        « Je ne savais pas », she said.
        Second line of the same example.

        After a blank line, still the same example.
      - "- starts with a dash"
      - |-
        Include: an example that looks like a label
        Code id: not_the_id_either
    keywords: ["multi\nline keyword", "Ünïcödé 日本語", "  spaced  inside  "]
  - id: plain
    parent: tricky
    label: Plain
"""


def test_multiline_examples_labels_blank_lines_and_unicode_survive_yaml_to_qdc_to_yaml(tmp_path: Path) -> None:
    before = parse_codebook(TRICKY)
    data = codebook_to_qdc(before)
    SCHEMA.validate(data.decode("utf-8"))
    after = qdc_to_codebook(data, "tricky.qdc").codebook
    assert after.get("tricky") == before.get("tricky")
    assert after.get("plain") == before.get("plain")
    source = tmp_path / "tricky.yaml"
    source.write_text(TRICKY, encoding="utf-8")
    assert run("codebook", "export", source, "-o", tmp_path / "tricky.qdc").exit_code == 0
    assert run("codebook", "import", tmp_path / "tricky.qdc", "-o", tmp_path / "after.yaml").exit_code == 0
    assert load_codebook(tmp_path / "after.yaml").codes == before.codes


PIECES = [
    "Include:",
    "Exclude:",
    "Examples:",
    "Keywords:",
    "Code id:",
    "\\",
    "\\\\",
    "- ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n \n",
    "é",
    "日本",
    "☕",
    "&",
    "<b>",
    "x",
    "word",
    ":",
    "#",
]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))).strip()


def random_items(rng: random.Random) -> tuple[str, ...]:
    return tuple(text for text in (random_text(rng) for _ in range(rng.randint(0, 3))) if text)


def test_any_text_in_any_field_survives_the_round_trip() -> None:
    rng = random.Random(20240611)
    codes = [
        Code(
            id=f"code_{n}",
            label=f"Code {n}",
            definition=random_text(rng),
            include=random_text(rng),
            exclude=random_text(rng),
            examples=random_items(rng),
            keywords=random_items(rng),
        )
        for n in range(300)
    ]
    before = Codebook(name="Random", codes=codes)
    data = codebook_to_qdc(before)
    SCHEMA.validate(data.decode("utf-8"))
    assert qdc_to_codebook(data, "random.qdc").codebook.codes == codes


def test_a_description_from_another_tool_is_the_definition_even_when_it_looks_like_a_field() -> None:
    text = "Include: anything about money.\n\nExamples:\n- « c'est cher »\n\nExclude: nothing"
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="0F8A1907-7E42-4739-8610-A676B4D1B69F" name="Argent" isCodable="true">'
        f"<Description>{text}</Description></Code></Codes></CodeBook>"
    )
    code = qdc_to_codebook(qdc.encode("utf-8"), "other.qdc").codebook.get("argent")
    assert code.definition == text
    assert (code.include, code.exclude, code.examples, code.keywords) == ("", "", (), ())


def test_a_description_folded_by_an_earlier_qualcode_still_reads_field_by_field() -> None:
    text = (
        "Talk about money.\n\nInclude: benefits, wages.\n\nExclude: prices\n\nExamples:\n- one\n- two\n\n"
        "Keywords:\n- pay\n\nCode id: money_talk"
    )
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="0F8A1907-7E42-4739-8610-A676B4D1B69F" name="Money" isCodable="true"><Description>{text}</Description>'
        "</Code></Codes></CodeBook>"
    )
    code = qdc_to_codebook(qdc.encode("utf-8"), "earlier.qdc").codebook.codes[0]
    assert code == Code(
        id="money_talk",
        label="Money",
        definition="Talk about money.",
        include="benefits, wages.",
        exclude="prices",
        examples=("one", "two"),
        keywords=("pay",),
        guid="0F8A1907-7E42-4739-8610-A676B4D1B69F",
    )


# -- other tools' files --------------------------------------------------------------------
def test_atlas_ti_category_names_become_a_tree_and_code_groups_come_back() -> None:
    book = read_qdc(FIXTURES / "atlas_ti.qdc").codebook
    assert tree(book) == [
        (0, "barrieres", "Barrières"),
        (1, "argent_et_allocations", "Argent et allocations"),
        (1, "attentes_tres_faibles", "Attentes très faibles"),
        (0, "reseau", "Réseau"),
        (1, "amis_et_voisins", "Amis et voisins"),
        (0, "employeur_pret_a_embaucher", "Employeur prêt à embaucher"),
    ]
    assert book.get("argent_et_allocations").colour == "#f00082"
    assert book.get("argent_et_allocations").definition.startswith("Peur de perdre")
    assert book.groups == {"Thèmes principaux": ["argent_et_allocations", "employeur_pret_a_embaucher"]}


def test_maxqda_nested_codes_keep_their_depth_and_umlauts() -> None:
    book = read_qdc(FIXTURES / "maxqda.qdc").codebook
    assert tree(book) == [
        (0, "hurden", "Hürden"),
        (1, "finanzielle_sorgen", "Finanzielle Sorgen"),
        (2, "angste_vor_leistungskurzung", "Ängste vor Leistungskürzung"),
        (1, "ubergang_schule_beruf", "Übergang Schule–Beruf"),
        (0, "arbeitgeber", "Arbeitgeber"),
    ]
    assert book.get("hurden").colour == "#ff0000"
    assert book.get("angste_vor_leistungskurzung").definition == "Angst, dass Lohn die Sozialleistungen kürzt."


def test_nvivo_folders_that_cannot_be_coded_stay_as_parents_and_rgb_colours_widen() -> None:
    imported = read_qdc(FIXTURES / "nvivo.qdc")
    book = imported.codebook
    assert tree(book) == [
        (0, "obstaculos", "Obstáculos"),
        (1, "expectativas_bajas", "Expectativas bajas"),
        (1, "informacion_deficiente", "Información deficiente"),
        (0, "lo_que_ayudo", "Lo que ayudó"),
        (1, "apoyo_de_la_familia", "Apoyo de la familia"),
    ]
    assert imported.categories == 2 and imported.sets == 1
    assert book.get("expectativas_bajas").colour == "#cc0000"
    assert book.groups == {"Para la reunión": ["expectativas_bajas", "apoyo_de_la_familia"]}


def test_qualcoder_file_with_an_empty_sets_still_reads() -> None:
    book = read_qdc(FIXTURES / "qualcoder.qdc").codebook
    assert tree(book) == [
        (0, "famille", "Famille"),
        (1, "famille_elargie", "Famille élargie"),
        (1, "parents_inquiets", "Parents inquiets"),
        (0, "cout_du_soutien", "Coût du soutien"),
    ]
    assert book.get("famille_elargie").definition == "" and book.groups == {}


def test_taguette_flat_tags_get_unique_readable_ids() -> None:
    book = read_qdc(FIXTURES / "taguette.qdc").codebook
    assert tree(book) == [
        (0, "interesting", "interesting"),
        (0, "interesting_2", "Interesting!"),
        (0, "naivete_about_work", "naïveté about work"),
        (0, "code_2nd_interview", "2nd interview"),
    ]
    assert book.get("interesting").colour is None and book.get("naivete_about_work").colour == "#1f77b4"


def test_cli_import_writes_yaml_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "nvivo.yaml"
    result = run("codebook", "import", FIXTURES / "nvivo.qdc", "-o", out, "--name", "Estudio")
    assert result.exit_code == 0, result.output
    assert "5 codes in 2 themes" in result.output and "kept as parent codes" in result.output
    assert run("codebook", "validate", out).exit_code == 0
    assert load_codebook(out).name == "Estudio"
    assert "Información deficiente" in out.read_text(encoding="utf-8")


def test_a_qdc_imported_into_the_store_is_a_new_version_keeping_the_store_name(cli, store, tmp_path: Path) -> None:
    qdc = tmp_path / "book.qdc"
    assert cli("codebook", "export", "-o", qdc).exit_code == 0
    qdc.write_text(
        qdc.read_text(encoding="utf-8")
        .replace('name="Professionals&apos; attitudes"', 'name="Attitudes of professionals"')
        .replace('name="Professionals\' attitudes"', 'name="Attitudes of professionals"'),
        encoding="utf-8",
    )
    result = cli("codebook", "import", qdc, "-m", "from NVivo", "--author", "ana")
    assert result.exit_code == 0, result.output
    assert "version 2: 1 renamed" in result.output
    assert store.codebook().name == load_codebook(CODEBOOK).name
    assert store.codebook().get("professional_attitudes").label == "Attitudes of professionals"


# -- refusals ------------------------------------------------------------------------------
def test_a_truncated_file_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match=r"truncated\.qdc, line 8, column \d+: the XML is broken"):
        read_qdc(FIXTURES / "truncated.qdc")
    result = run("codebook", "import", FIXTURES / "truncated.qdc", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1 and "line 8, column" in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("name", ["billion_laughs.qdc", "external_entity.qdc"])
def test_entity_declarations_are_refused_never_expanded(name: str) -> None:
    with pytest.raises(CodebookError, match="entities or external references"):
        read_qdc(FIXTURES / name)


def test_a_file_that_is_not_a_codebook_says_so(tmp_path: Path) -> None:
    project = tmp_path / "project.qdc"
    project.write_text('<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"project\.qdc, line 2, column 1: the root element is <Project>"):
        read_qdc(project)
    empty = tmp_path / "empty.qdc"
    empty.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', encoding="utf-8")
    with pytest.raises(CodebookError, match="holds no <Code>"):
        read_qdc(empty)
    blank = tmp_path / "blank.qdc"
    blank.write_bytes(b"")
    with pytest.raises(CodebookError, match=r"blank\.qdc, line 1, column 1"):
        read_qdc(blank)


@pytest.mark.parametrize(
    "raw, expected",
    [("#ABC", "#aabbcc"), ("#1f77B4", "#1f77b4"), ("1F77B4", "#1f77b4"), ("red", None), ("", None), (None, None)],
)
def test_colours_are_normalised_to_six_lower_case_digits(raw: str | None, expected: str | None) -> None:
    assert normalise_colour(raw) == expected
