"""Three-way merge of codebooks by code id and field, as git merges lines.

Given the common ancestor (base) and two edited copies (ours, theirs), each field of
each code is merged on its own: a field changed on one side only takes that change,
a field changed the same way on both sides is fine, and a field changed differently
on both sides is a conflict. Examples and keywords merge item by item (additions
from both sides kept, removals from either side applied), so they never conflict.
A code removed on one side and changed on the other is a conflict, and so is a code
removed on one side while the other put a new child under it. Codes keep ours'
order; a code only theirs has goes after the code that precedes it there (and after
the codes only ours has at that place).
The merged YAML (with conflicts between git-style markers) is written by
qualcode.codebook.layout.
"""

from __future__ import annotations

from typing import Any

from .layout import render
from .merged import Conflict, MergedCode, MergeResult
from .model import Code, Codebook

FIELDS = ("parent", "label", "colour", "definition", "include", "exclude", "examples", "keywords")
LIST_FIELDS = ("examples", "keywords")
FIELD_WORDS = {
    "parent": "parent",
    "label": "label",
    "colour": "colour",
    "definition": "definition",
    "include": "include (when to use it)",
    "exclude": "exclude (when not to use it)",
}


def merge_codebooks(base: Codebook, ours: Codebook, theirs: Codebook, ours_text: str | None = None) -> MergeResult:
    """Merge two edited copies of `base`; the text keeps `ours_text`'s layout where codes are unchanged."""
    codes = [merged for code_id in _order(ours, theirs) if (merged := _merge_code(code_id, base, ours, theirs))]
    _restore_removed_parents(codes, base, ours, theirs)
    _mark_cycles(codes, base, ours, theirs)
    top, top_conflicts = _merge_top(base, ours, theirs)
    kept = {code.id for code in codes}
    groups, group_conflicts = _merge_groups(base, ours, theirs, kept)
    result = MergeResult(top, top_conflicts, groups, group_conflicts, codes)
    result.text = render(result, ours_text if ours_text is not None else ours.to_yaml(), ours)
    return result


def values_of(code: Code | None) -> dict[str, Any]:
    """A code's mergeable fields (all empty for a code that is not there)."""
    if code is None:
        return {
            "parent": None,
            "label": "",
            "colour": None,
            "definition": "",
            "include": "",
            "exclude": "",
            "examples": (),
            "keywords": (),
        }
    return {name: getattr(code, name) for name in FIELDS}


def merge_value(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """The merged value of one field, and whether the two sides conflict."""
    if ours == theirs or theirs == base:
        return ours, False
    if ours == base:
        return theirs, False
    return ours, True


def merge_items(base: tuple | list, ours: tuple | list, theirs: tuple | list) -> tuple:
    """Merge two edited lists item by item: ours' order, theirs' additions appended, removals from either applied."""
    removed = (set(base) - set(ours)) | (set(base) - set(theirs))
    merged = [item for item in ours if item not in removed]
    merged += [item for item in theirs if item not in merged and item not in removed]
    return tuple(dict.fromkeys(merged))


def _order(ours: Codebook, theirs: Codebook) -> list[str]:
    order = ours.ids()
    theirs_ids = theirs.ids()
    for index, code_id in enumerate(theirs_ids):
        if code_id in order:
            continue
        previous = next((p for p in reversed(theirs_ids[:index]) if p in order), None)
        position = order.index(previous) + 1 if previous else 0
        while position < len(order) and order[position] not in theirs:
            position += 1
        order.insert(position, code_id)
    return order


def _lookup(codebook: Codebook, code_id: str) -> Code | None:
    return codebook.get(code_id) if code_id in codebook else None


def _merge_code(code_id: str, base: Codebook, ours: Codebook, theirs: Codebook) -> MergedCode | None:
    b, o, t = _lookup(base, code_id), _lookup(ours, code_id), _lookup(theirs, code_id)
    if o is None and t is None:
        return None
    if o is None or t is None:
        kept = o or t
        assert kept is not None
        if b is None:
            return MergedCode(code_id, values_of(kept))
        if values_of(kept) == values_of(b):
            return None
        remover, keeper = ("ours", "theirs") if o is None else ("theirs", "ours")
        sentence = f"{remover} removed {_name(b)} but {keeper} changed it."
        return MergedCode(code_id, values_of(kept), whole=Conflict(code_id, None, b, o, t, sentence))
    bv, ov, tv = values_of(b), values_of(o), values_of(t)
    merged = MergedCode(code_id, {})
    for name in FIELDS:
        if name in LIST_FIELDS:
            merged.values[name] = merge_items(bv[name], ov[name], tv[name])
            continue
        merged.values[name], clash = merge_value(bv[name], ov[name], tv[name])
        if clash:
            merged.conflicts[name] = Conflict(
                code_id,
                name,
                bv[name],
                ov[name],
                tv[name],
                _field_sentence(code_id, name, bv[name], ov[name], tv[name]),
            )
    return merged


def _field_sentence(code_id: str, name: str, base: Any, ours: Any, theirs: Any) -> str:
    was = f"; it was {_shown(base)}" if base not in (None, "", ()) else ""
    return f"Both sides changed the {FIELD_WORDS[name]} of `{code_id}` differently: ours {_shown(ours)}, theirs {_shown(theirs)}{was}."


def _shown(value: Any, limit: int = 70) -> str:
    if value in (None, "", ()):
        return "nothing (removed)"
    text = str(value).replace("\n", " ")
    return f'"{text[: limit - 1]}…"' if len(text) > limit else f'"{text}"'


def _name(code: Code) -> str:
    return f'"{code.label}" ({code.id})'


def _restore_removed_parents(codes: list[MergedCode], base: Codebook, ours: Codebook, theirs: Codebook) -> None:
    """A code removed on one side while the other side put a code under it comes back, as a conflict."""
    kept = {code.id: code for code in codes}
    for index in range(len(codes) - 1, -1, -1):
        child = codes[index]
        parent = child.values["parent"]
        if parent is None or parent in kept:
            continue
        keeper, kept_code = ("ours", _lookup(ours, parent)) if parent in ours else ("theirs", _lookup(theirs, parent))
        if kept_code is None:
            continue
        remover = "theirs" if keeper == "ours" else "ours"
        sentence = f"{remover} removed {_name(kept_code)} but {keeper} put `{child.id}` under it."
        b = _lookup(base, parent)
        ours_side, theirs_side = (kept_code, None) if keeper == "ours" else (None, kept_code)
        restored = MergedCode(
            parent, values_of(kept_code), whole=Conflict(parent, None, b, ours_side, theirs_side, sentence)
        )
        codes.insert(index, restored)
        kept[parent] = restored


def _mark_cycles(codes: list[MergedCode], base: Codebook, ours: Codebook, theirs: Codebook) -> None:
    """Moves from both sides that together make a code its own ancestor become parent conflicts."""
    parents = {code.id: code.values["parent"] for code in codes}
    by_id = {code.id: code for code in codes}
    for code in codes:
        seen, current = [code.id], parents.get(code.id)
        while current is not None and current in parents and current not in seen:
            seen.append(current)
            current = parents.get(current)
        if current != code.id or "parent" in code.conflicts or code.whole:
            continue
        o, t, b = _lookup(ours, code.id), _lookup(theirs, code.id), _lookup(base, code.id)
        ours_parent, theirs_parent = (o.parent if o else None), (t.parent if t else None)
        if ours_parent == theirs_parent:
            continue
        sentence = (
            f"The two sides' moves make `{code.id}` its own ancestor (through {' -> '.join(seen)}); choose one parent."
        )
        by_id[code.id].conflicts["parent"] = Conflict(
            code.id, "parent", b.parent if b else None, ours_parent, theirs_parent, sentence
        )


def _merge_top(base: Codebook, ours: Codebook, theirs: Codebook) -> tuple[dict[str, Any], dict[str, Conflict]]:
    top: dict[str, Any] = {"version": max(ours.version, theirs.version)}
    conflicts: dict[str, Conflict] = {}
    for name in ("name", "description"):
        b, o, t = getattr(base, name), getattr(ours, name), getattr(theirs, name)
        top[name], clash = merge_value(b, o, t)
        if clash:
            sentence = f"Both sides changed the codebook's {name} differently: ours {_shown(o)}, theirs {_shown(t)}."
            conflicts[name] = Conflict(None, name, b, o, t, sentence)
    return top, conflicts


def _merge_groups(
    base: Codebook, ours: Codebook, theirs: Codebook, kept: set[str]
) -> tuple[dict[str, list[str]], dict[str, Conflict]]:
    groups: dict[str, list[str]] = {}
    conflicts: dict[str, Conflict] = {}
    for name in [*ours.groups, *(n for n in theirs.groups if n not in ours.groups)]:
        b, o, t = base.groups.get(name), ours.groups.get(name), theirs.groups.get(name)
        if o is not None and t is not None:
            members = list(merge_items(b or [], o, t))
        elif b is None:
            members = list(o if o is not None else t or [])
        elif (o if o is not None else t) == b:
            continue
        else:
            remover, keeper = ("ours", "theirs") if o is None else ("theirs", "ours")
            conflicts[name] = Conflict(
                None, None, b, o, t, f'{remover} removed the group "{name}" but {keeper} changed it.'
            )
            members = list(o if o is not None else t or [])
        groups[name] = [member for member in members if member in kept]
    return groups, conflicts
