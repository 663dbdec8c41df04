"""Codebooks: load, validate and navigate the YAML file a team shares.

A codebook is a flat list of codes; hierarchy comes from each code's `parent`, and a
code's theme is its top-level ancestor. Validation reports every problem with the
file, line and field, so a researcher can fix a file by hand.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CodebookError, where
from ..limits import DEPTH_LIMIT, check_file_size, compose_yaml, limit, refuse_surrogates_in

GUID_PATTERN = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
CODE_KEYS = (
    "id",
    "label",
    "parent",
    "colour",
    "definition",
    "include",
    "exclude",
    "examples",
    "keywords",
    "codable",
    "guid",
)
TOP_KEYS = ("name", "version", "description", "codes", "groups")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
COLOUR_PATTERN = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True)
class Code:
    """One code: a stable id, a label, guidance for coders and hints for suggestions."""

    id: str
    label: str
    parent: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    colour: str | None = None
    codable: bool = True
    guid: str | None = None  # the code's GUID in the tool it came from, written back when it goes there again

    def to_dict(self) -> dict[str, Any]:
        """The code as it is written in codebook YAML (empty fields left out)."""
        data: dict[str, Any] = {"id": self.id}
        if self.parent:
            data["parent"] = self.parent
        data["label"] = self.label
        for key in ("colour", "definition", "include", "exclude"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.examples:
            data["examples"] = list(self.examples)
        if self.keywords:
            data["keywords"] = list(self.keywords)
        if not self.codable:
            data["codable"] = False
        if self.guid:
            data["guid"] = self.guid
        return data


@dataclass(frozen=True)
class CodebookProblem:
    """One thing wrong with a codebook file, located by line and field."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        location = where(self.path, self.line)
        field_part = f" [{self.field}]" if self.field else ""
        return f"{location}{field_part}: {self.message}"


@dataclass
class Codebook:
    """A validated codebook: codes in file order plus hierarchy look-ups."""

    name: str
    codes: list[Code]
    version: int = 1
    description: str = ""
    groups: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {code.id: code for code in self.codes}

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: str) -> Code:
        """The code with this id; an unknown id is a KeyError."""
        return self._by_id[code_id]

    def ids(self) -> list[str]:
        return [code.id for code in self.codes]

    def children(self, code_id: str | None) -> list[Code]:
        """Direct children of a code (top-level codes for None), in file order."""
        return [code for code in self.codes if code.parent == code_id]

    def themes(self) -> list[Code]:
        """Top-level codes: the themes of the codebook."""
        return self.children(None)

    def theme_of(self, code_id: str) -> str:
        """Id of the top-level ancestor of a code (a theme is its own theme)."""
        code = self._by_id[code_id]
        while code.parent:
            code = self._by_id[code.parent]
        return code.id

    def depth(self, code_id: str) -> int:
        depth, code = 0, self._by_id[code_id]
        while code.parent:
            depth, code = depth + 1, self._by_id[code.parent]
        return depth

    def descendants(self, code_id: str) -> list[Code]:
        """All codes below a code, depth first in file order."""
        found: list[Code] = []
        for child in self.children(code_id):
            found.append(child)
            found.extend(self.descendants(child.id))
        return found

    def colour_of(self, code_id: str) -> str:
        """A code's own colour, else its nearest ancestor's, else its theme's palette colour."""
        code = self._by_id[code_id]
        while code.colour is None and code.parent:
            code = self._by_id[code.parent]
        if code.colour:
            return code.colour
        theme_ids = [theme.id for theme in self.themes()]
        return PALETTE[theme_ids.index(self.theme_of(code_id)) % len(PALETTE)]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            data["description"] = self.description
        if self.groups:
            data["groups"] = self.groups
        data["codes"] = [code.to_dict() for code in self.codes]
        return data

    def to_yaml(self) -> str:
        """The codebook as YAML in the shared flat layout (one code per block)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise CodebookError listing every problem."""
    path = Path(path)
    try:
        check_file_size(path, CodebookError, "codebook")
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise CodebookError(f"{path}: no such codebook file; check the path.") from None
    except UnicodeDecodeError:
        raise CodebookError(f"{path}: is not UTF-8 text; save the codebook as UTF-8.") from None
    return parse_codebook(text, str(path))


def parse_codebook(text: str, path: str = "<codebook>") -> Codebook:
    """Validate codebook YAML text; raise CodebookError listing every problem."""
    codebook, problems = _check(text, path)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise CodebookError(f"{first}{more}; validate the codebook to see them all.", problems, hint="validate")
    assert codebook is not None
    return codebook


def validate_codebook(path: str | Path) -> list[CodebookProblem]:
    """Every problem in a codebook file, in file order (empty when it is valid)."""
    try:
        check_file_size(path, CodebookError, "codebook")
        text = Path(path).read_text(encoding="utf-8-sig")
    except CodebookError as error:
        return [CodebookProblem(str(path), None, None, str(error).partition(": ")[2].rstrip("."))]
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError) as error:
        reason = "no such file" if isinstance(error, FileNotFoundError) else "not UTF-8 text"
        return [CodebookProblem(str(path), None, None, reason)]
    return _check(text, str(path))[1]


def _check(text: str, path: str) -> tuple[Codebook | None, list[CodebookProblem]]:
    if not text.strip():
        return None, [
            CodebookProblem(path, None, None, "the file is empty; a codebook needs a `name` and a list of `codes`")
        ]
    markers = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(("<<<<<<< ", "=======", ">>>>>>> "))]
    if markers:
        return None, [
            CodebookProblem(
                path,
                markers[0],
                None,
                "an unresolved merge conflict (lines <<<<<<< ours ... >>>>>>> theirs); keep the lines you want and delete the rest and the markers",
            )
        ]
    try:
        root = compose_yaml(text, path, CodebookError)
        data = yaml.SafeLoader("").construct_document(root) if root is not None else None
        refuse_surrogates_in(data, path, CodebookError)
    except CodebookError as error:  # an alias, an anchor or nesting past the limit
        location, _, reason = str(error).partition(": ")
        return None, [CodebookProblem(location, None, None, reason.rstrip("."))]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = error.problem or "invalid YAML"
        if (
            error.context
            and error.context_mark
            and error.problem_mark
            and error.context_mark.line != error.problem_mark.line
        ):
            reason += (
                f" ({error.context} on line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
            )
        return None, [CodebookProblem(where(path, line, column), None, None, f"YAML syntax error: {reason}")]
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        return None, [CodebookProblem(path, 1, None, "the file must be a mapping with `name` and `codes`")]
    return _Checker(path, root, data).run()


def _name_from(path: str) -> str | None:
    """A codebook without a `name` is named after its file (after its folder when the file is just "codebook")."""
    if path.startswith("<"):
        return None
    where = Path(path)
    return where.parent.name if where.stem.lower() == "codebook" and where.parent.name else where.stem


class _Checker:
    """Walks a parsed codebook, collecting located problems and building codes."""

    def __init__(self, path: str, root: yaml.MappingNode, data: dict) -> None:
        self.path, self.root, self.data = path, root, data
        self.problems: list[CodebookProblem] = []

    def problem(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(CodebookProblem(self.path, line, field, message))

    def run(self) -> tuple[Codebook | None, list[CodebookProblem]]:
        lines = _key_lines(self.root)
        for key in self.data:
            if key not in TOP_KEYS:
                self.problem(lines.get(key), str(key), f"unknown key `{key}`{did_you_mean(str(key), TOP_KEYS)}")
        name = self.data.get("name", _name_from(self.path))
        if not isinstance(name, str) or not name.strip():
            self.problem(lines.get("name", 1), "name", "the codebook needs a `name`")
        version = self.data.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool):
            self.problem(lines.get("version"), "version", "`version` must be a whole number")
            version = 1
        codes = self._codes(lines)
        groups = self._groups(lines, {code.id for code in codes})
        self._check_hierarchy(codes)
        if self.problems:
            return None, sorted(self.problems, key=lambda p: p.line or 0)
        description = self.data.get("description") or ""
        return Codebook(
            name=str(name).strip(), codes=codes, version=version, description=str(description).strip(), groups=groups
        ), []

    def _codes(self, lines: dict[str, int]) -> list[Code]:
        raw = self.data.get("codes")
        node = _value_node(self.root, "codes")
        if not isinstance(raw, list) or not raw:
            self.problem(lines.get("codes", 1), "codes", "`codes` must be a non-empty list of codes")
            return []
        codes: list[Code] = []
        self.code_lines: dict[str, int] = {}
        self.parent_lines: dict[str, int] = {}
        for item, item_node in zip(raw, node.value if node is not None else [None] * len(raw)):
            code = self._code(item, item_node)
            if code is not None:
                codes.append(code)
        return codes

    def _code(self, item: Any, node: yaml.Node) -> Code | None:
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            self.problem(line, None, "each entry under `codes` must be a mapping with at least `id` and `label`")
            return None
        lines = _key_lines(node)
        for key in item:
            if key not in CODE_KEYS:
                self.problem(lines.get(key, line), str(key), f"unknown key `{key}`{did_you_mean(str(key), CODE_KEYS)}")
        code_id = item.get("id")
        if not isinstance(code_id, str) or not ID_PATTERN.match(code_id):
            shown = (
                "missing" if code_id is None else f"`{code_id}` is not lower_snake_case (letters, digits, underscores)"
            )
            self.problem(lines.get("id", line), "id", f"code id {shown}")
            return None
        if code_id in self.code_lines:
            self.problem(
                lines.get("id", line),
                "id",
                f"duplicate code id `{code_id}` (first defined on line {self.code_lines[code_id]})",
            )
            return None
        self.code_lines[code_id] = lines.get("id", line)
        self.parent_lines[code_id] = lines.get("parent", line)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            self.problem(lines.get("label", line), "label", f"code `{code_id}` has no label")
        colour = item.get("colour")
        if colour is not None and (not isinstance(colour, str) or not COLOUR_PATTERN.match(colour)):
            self.problem(
                lines.get("colour", line),
                "colour",
                f"code `{code_id}` has colour `{colour}`; use #RGB or #RRGGBB, quoted",
            )
            colour = None
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            self.problem(lines.get("parent", line), "parent", f"code `{code_id}` has a parent that is not a code id")
            parent = None
        texts = {key: self._text(item, key, code_id, lines, line) for key in ("definition", "include", "exclude")}
        lists = {key: self._string_list(item, key, code_id, lines, line) for key in ("examples", "keywords")}
        codable = item.get("codable", True)
        if not isinstance(codable, bool):
            self.problem(
                lines.get("codable", line), "codable", f"code `{code_id}` has codable `{codable}`; use true or false"
            )
            codable = True
        guid = item.get("guid")
        if guid is not None and not (isinstance(guid, str) and GUID_PATTERN.match(guid)):
            self.problem(lines.get("guid", line), "guid", f"code `{code_id}` has guid `{guid}`, which is not a GUID")
            guid = None
        return Code(
            id=code_id,
            label=str(label or "").strip(),
            parent=parent,
            colour=colour,
            definition=texts["definition"],
            include=texts["include"],
            exclude=texts["exclude"],
            examples=lists["examples"],
            keywords=lists["keywords"],
            codable=codable,
            guid=guid,
        )

    def _text(self, item: dict, key: str, code_id: str, lines: dict, line: int) -> str:
        value = item.get(key)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)):
            self.problem(lines.get(key, line), key, f"code `{code_id}`: `{key}` must be text")
            return ""
        return str(value).strip()

    def _string_list(self, item: dict, key: str, code_id: str, lines: dict, line: int) -> tuple[str, ...]:
        value = item.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.problem(lines.get(key, line), key, f"code `{code_id}`: `{key}` must be a list of text items")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def _groups(self, lines: dict[str, int], ids: set[str]) -> dict[str, list[str]]:
        raw = self.data.get("groups")
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
            self.problem(lines.get("groups"), "groups", "`groups` must map a group name to a list of code ids")
            return {}
        for name, members in raw.items():
            for member in members:
                if member not in ids:
                    self.problem(lines.get("groups"), "groups", f"group `{name}` names unknown code `{member}`")
        return {str(name): [str(m) for m in members] for name, members in raw.items()}

    def _check_hierarchy(self, codes: list[Code]) -> None:
        ids = {code.id for code in codes}
        parents = {code.id: code.parent for code in codes}
        for code in codes:
            line = self.parent_lines.get(code.id)
            if code.parent is None:
                continue
            if code.parent not in ids:
                self.problem(
                    line,
                    "parent",
                    f"code `{code.id}` has unknown parent `{code.parent}`{did_you_mean(code.parent, sorted(ids))}",
                )
            elif _in_cycle(code.id, parents):
                self.problem(
                    line,
                    "parent",
                    f"code `{code.id}` is its own ancestor (a cycle through `{code.parent}`); give one of them another parent",
                )
            elif _depth(code.parent, parents) == limit(DEPTH_LIMIT):  # the first code past the limit on its chain
                self.problem(
                    line,
                    "parent",
                    f"code `{code.id}` sits more than {limit(DEPTH_LIMIT)} levels below its theme "
                    f"(set the environment variable {DEPTH_LIMIT[0]} to allow more); give it a parent nearer the top",
                )


def _depth(code_id: str, parents: dict[str, str | None]) -> int:
    """How many parents a code has above it (stopping past the limit, so a long chain costs little)."""
    depth, current, most = 0, parents.get(code_id), limit(DEPTH_LIMIT)
    while current is not None and current in parents and depth <= most:
        depth, current = depth + 1, parents.get(current)
    return depth


def _in_cycle(code_id: str, parents: dict[str, str | None]) -> bool:
    seen = {code_id}
    current = parents.get(code_id)
    while current is not None and current in parents:
        if current in seen:
            return current == code_id
        seen.add(current)
        current = parents.get(current)
    return False


def _key_lines(node: yaml.Node) -> dict[str, int]:
    """Line (1-based) of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _value_node(node: yaml.MappingNode, name: str) -> yaml.Node | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value
    return None


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """' (did you mean `x`?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
