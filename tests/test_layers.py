"""The package keeps its layers: faces reach only the service, nothing imports upward, no circles.

ARCHITECTURE.md draws the layers; this test reads every import in qualcode/ (at any
depth, including imports inside functions) with `ast` and fails on the first that
breaks them, naming the file and line.
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"

# Lowest first: a module may import its own layer and the ones below it, never above.
LAYERS = (
    ("qualcode", "qualcode.errors", "qualcode.limits", "qualcode.credentials", "qualcode.words"),
    ("qualcode.nlp", "qualcode.codebook", "qualcode.ingest"),
    ("qualcode.store",),
    ("qualcode.suggest", "qualcode.analysis", "qualcode.team", "qualcode.export"),
    ("qualcode.project",),
    ("qualcode.cli", "qualcode.ui"),
)
FACES = ("qualcode.cli", "qualcode.ui")
# What a face may import besides itself and the package's version: the service, and plain data and
# helpers that hold no rule of their own (errors, the codebook model, hiding a password, counts in words, the
# guarded writer).
FACE_MAY_IMPORT = (
    "qualcode.errors",
    "qualcode.credentials",
    "qualcode.words",
    "qualcode.codebook",
    "qualcode.project",
    "qualcode.export.writer",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every qualcode module `path` imports, with its line: `from . import x` counts as module x when x is one."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("qualcode")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            if not base.startswith("qualcode"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = _exists(candidate)
                found.append((node.lineno, candidate if is_module else base))
    return found


def _exists(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_of(name: str) -> int:
    best, layer = "", -1
    for index, members in enumerate(LAYERS):
        for member in members:
            if (name == member or name.startswith(member + ".")) and len(member) > len(best):
                best, layer = member, index
    return layer


def _within(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _face_of(name: str) -> str | None:
    return next((face for face in FACES if _within(name, (face,))), None)


def layer_problems() -> list[str]:
    """One line per import that breaks the layers, as `file:line: a imports b (why)`."""
    problems = []
    for path in _modules():
        here = module_name(path)
        for line, target in imports(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}: {here} imports {target}"
            face = _face_of(here)
            if face and target != "qualcode" and not _within(target, (face,) + FACE_MAY_IMPORT):
                problems.append(f"{where} (a face reaches past the service)")
            elif layer_of(target) > layer_of(here):
                problems.append(f"{where} (a lower layer imports a higher one)")
    return problems


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = [module_name(p) for p in _modules() if layer_of(module_name(p)) < 0]
    assert unplaced == [], f"add these to a layer in ARCHITECTURE.md and LAYERS: {unplaced}"


def test_faces_reach_only_the_service_and_nothing_imports_upward() -> None:
    problems = layer_problems()
    assert problems == [], "\n".join(problems)


def test_no_module_imports_itself_in_a_circle() -> None:
    graph = {module_name(p): {t for _, t in imports(p) if t != module_name(p)} for p in _modules()}
    circles = []
    for start in graph:
        path = _circle_from(start, graph)
        if path and min(path) == start:  # each circle once, named from its smallest member
            circles.append(" -> ".join(path))
    assert circles == [], "\n".join(circles)


def _circle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path start -> ... -> start, ignoring a package's own __init__ re-exporting its modules."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for target in graph.get(node, ()):
            if node.startswith(target + "."):
                continue  # a module importing its own package's __init__ for shared names
            if target == start:
                return path + [start]
            if target not in seen:
                seen.add(target)
                stack.append((target, path + [target]))
    return None


@pytest.mark.parametrize(
    "bad, target",
    [
        ("qualcode/cli/sneaky.py", "from ..store import Store\n"),
        ("qualcode/ui/sneaky.py", "from qualcode import nlp\n"),
        ("qualcode/store/sneaky.py", "from ..project import open_project\n"),
    ],
)
def test_the_check_catches_a_face_reaching_the_store_and_an_upward_import(
    bad: str, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "qualcode"  # a copy: a file added to the package itself would be seen by tests running beside
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / bad).write_text(target, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", copy)
    problems = layer_problems()
    assert any(p.startswith(bad) for p in problems), problems
