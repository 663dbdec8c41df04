"""Write a merged codebook as YAML in the layout of the file it was merged into.

A code that the merge left as ours had it keeps its lines (comments and spacing
included), so a merge changes only the lines it must; other codes are written afresh
in the shared flat layout. A conflict is written between git-style markers, one
field (or one whole code, or one group) at a time, with the common ancestor shown:

    <<<<<<< ours
        label: Money worries
    ||||||| base
        label: Money
    =======
        label: Financial worries
    >>>>>>> theirs

Resolve it by keeping the lines you want and deleting the rest and the markers;
`qualcode codebook validate FILE` then checks the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .merged import MergedCode, MergeResult
from .model import Code, Codebook

OURS, BASE, SPLIT, THEIRS = "<<<<<<< ours\n", "||||||| base\n", "=======\n", ">>>>>>> theirs\n"
KEY_ORDER = ("parent", "label", "colour", "definition", "include", "exclude", "examples", "keywords")


class _Dumper(yaml.SafeDumper):
    """Writes block lists indented under their key, as codebook files are written by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


class _Quoted(str):
    """Text written in double quotes."""


class _Flow(list):
    """A list written on one line, in brackets."""


_Dumper.add_representer(
    _Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')
)
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)
)


@dataclass
class Block:
    """One code's lines in a file: comments above it, its fields' lines in file order, blank lines after."""

    comments: list[str]
    fields: list[tuple[str, list[str]]]
    gap: list[str]


@dataclass
class Layout:
    """A codebook file cut into the lines before its codes, each code's block, and the lines after."""

    header: list[str]
    blocks: dict[str, Block] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    indent: int = 2
    styles: dict[str, str] = field(default_factory=dict)  # field: "quoted" | "flow" | "plain"


def read_layout(text: str) -> Layout | None:
    """Cut a codebook's text into header, code blocks and footer; None if its codes are not one block per code."""
    lines = text.splitlines(keepends=True)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    seq = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "codes"), None)
    if (
        not isinstance(seq, yaml.SequenceNode)
        or not seq.value
        or not all(isinstance(i, yaml.MappingNode) for i in seq.value)
    ):
        return None
    starts = [item.start_mark.line for item in seq.value]
    if len(set(starts)) != len(starts) or not all(lines[s].lstrip().startswith("- ") for s in starts):
        return None
    end = seq.end_mark.line + (1 if seq.end_mark.column else 0)
    leads = [_comments_above(lines, s, floor) for s, floor in zip(starts, [0, *starts])]
    first = lines[starts[0]]
    layout = Layout(header=lines[: leads[0]], footer=lines[end:], indent=len(first) - len(first.lstrip()))
    for i, item in enumerate(seq.value):
        body = lines[starts[i] : (leads[i + 1] if i + 1 < len(starts) else end)]
        kept = _rstrip_blank(body)
        key_lines = [(k.value, k.start_mark.line - starts[i]) for k, _ in item.value]
        bounds = [offset for _, offset in key_lines[1:]] + [len(kept)]
        fields = [(str(key), kept[offset:bound]) for (key, offset), bound in zip(key_lines, bounds)]
        code_id = next((v.value for k, v in item.value if k.value == "id"), None)
        if code_id is not None:
            layout.blocks[str(code_id)] = Block(lines[leads[i] : starts[i]], fields, body[len(kept) :])
        for key, field_lines in fields:
            layout.styles.setdefault(key, _style_of(field_lines[0]))
    return layout


def render(result: MergeResult, ours_text: str, ours: Codebook) -> str:
    """The merged codebook as YAML text, in ours' layout where nothing changed."""
    layout = read_layout(ours_text) or read_layout(ours.to_yaml())
    assert layout is not None
    unchanged_top = (
        not result.top_conflicts
        and not result.group_conflicts
        and result.groups == ours.groups
        and result.top == {"version": ours.version, "name": ours.name, "description": ours.description}
    )
    parts = list(layout.header) if unchanged_top else [*_leading_comments(layout.header), *_top_lines(result, layout)]
    default_gap = next((block.gap for block in layout.blocks.values()), [])
    for code in result.codes:
        block = layout.blocks.get(code.id)
        if block is not None and code.whole is None and code.id in ours and block.fields[0][0] == "id":
            parts.extend([*block.comments, *_edited_block(code, block, ours.get(code.id), layout), *block.gap])
        else:
            parts.extend(
                [*(block.comments if block else []), *_code_lines(code, layout), *(block.gap if block else default_gap)]
            )
    parts.extend(layout.footer if unchanged_top else [])
    text = "".join(parts)
    return text if text.endswith("\n") else text + "\n"


def _edited_block(code: MergedCode, block: Block, before: Code, layout: Layout) -> list[str]:
    """A code's lines from the file with only its changed (or conflicting) fields rewritten."""
    present = [key for key, _ in block.fields]
    missing = [
        key
        for key in KEY_ORDER
        if key not in present and (key in code.conflicts or code.values[key] not in (None, "", ()))
    ]
    lines: list[str] = []
    for key, field_lines in block.fields:
        changed = key in code.conflicts or (key in KEY_ORDER and code.values[key] != getattr(before, key))
        lines += _field_or_conflict(code, key, layout) if changed else field_lines
        rank = _rank(key)
        later = [_rank(k) for k in present if _rank(k) > rank]
        lines += [
            line
            for k in missing
            if rank < _rank(k) < min(later, default=99)
            for line in _field_or_conflict(code, k, layout)
        ]
    return lines


def _code_lines(code: MergedCode, layout: Layout) -> list[str]:
    """A code written afresh (or, for a whole-code conflict, each side's version between markers)."""
    if code.whole is not None:
        return _marked(*(code_block(side, layout) for side in (code.whole.ours, code.whole.base, code.whole.theirs)))
    lines = _indent(_dump({"id": code.id}), layout.indent, first="- ")
    for key in KEY_ORDER:
        lines += _field_or_conflict(code, key, layout)
    return lines


def code_block(code: Code | None, layout: Layout) -> list[str]:
    """One code as the YAML lines of a `codes:` list item, in the file's indentation and styles."""
    if code is None:
        return []
    lines = _indent(_dump({"id": code.id}), layout.indent, first="- ")
    for key in KEY_ORDER:
        lines += _field_lines(key, getattr(code, key), layout.indent + 2, layout.styles)
    return lines


def _field_or_conflict(code: MergedCode, key: str, layout: Layout) -> list[str]:
    conflict = code.conflicts.get(key)
    indent = layout.indent + 2
    if conflict is None:
        return _field_lines(key, code.values[key], indent, layout.styles)
    return _marked(
        *(_field_lines(key, value, indent, layout.styles) for value in (conflict.ours, conflict.base, conflict.theirs))
    )


def _field_lines(key: str, value: Any, indent: int, styles: dict[str, str] | None = None) -> list[str]:
    if value in (None, "", ()):
        return []
    style = (styles or {}).get(key, "plain")
    if isinstance(value, (tuple, list)):
        value = _Flow(value) if style == "flow" else list(value)
    elif isinstance(value, str) and style == "quoted":
        value = _Quoted(value)
    return _indent(_dump({key: value}), indent)


def _top_lines(result: MergeResult, layout: Layout) -> list[str]:
    lines: list[str] = []
    for key in ("name", "version", "description"):
        conflict = result.top_conflicts.get(key)
        if conflict is not None:
            lines += _marked(
                *(_field_lines(key, value, 0) for value in (conflict.ours, conflict.base, conflict.theirs))
            )
        else:
            lines += _field_lines(key, result.top.get(key), 0)
    if result.groups or result.group_conflicts:
        lines.append("groups:\n")
        for name in [*result.groups, *(n for n in result.group_conflicts if n not in result.groups)]:
            conflict = result.group_conflicts.get(name)
            if conflict is not None:
                lines += _marked(
                    *(_group_lines(name, members) for members in (conflict.ours, conflict.base, conflict.theirs))
                )
            else:
                lines += _group_lines(name, result.groups[name])
    return lines + ["codes:\n"]


def _group_lines(name: str, members: list[str] | None) -> list[str]:
    return [] if members is None else _indent(_dump({name: _Flow(members)}), 2)


def _marked(ours: list[str], base: list[str], theirs: list[str]) -> list[str]:
    return [OURS, *ours, BASE, *base, SPLIT, *theirs, THEIRS]


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"))


def _indent(text: str, indent: int, first: str = "") -> list[str]:
    pad = " " * indent
    return [
        pad + (first if i == 0 else " " * len(first)) + line if line.strip() else line
        for i, line in enumerate(text.splitlines(keepends=True))
    ]


def _rank(key: str) -> int:
    return KEY_ORDER.index(key) if key in KEY_ORDER else -1


def _style_of(line: str) -> str:
    value = line.split(":", 1)[1].strip() if ":" in line else ""
    return "flow" if value.startswith("[") else "quoted" if value.startswith('"') else "plain"


def _comments_above(lines: list[str], start: int, floor: int) -> int:
    """Index of the first of the comment lines directly above line `start` (not above `floor`)."""
    index = start
    while index - 1 > floor and lines[index - 1].lstrip().startswith("#"):
        index -= 1
    return index


def _leading_comments(header: list[str]) -> list[str]:
    kept = []
    for line in header:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        kept.append(line)
    return kept


def _rstrip_blank(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]
