"""The house (DESIGN.md): a room per command, thin front doors, SQL only in the store, and no
import cycle between rooms — function-local and TYPE_CHECKING imports counted."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where each import package lives: the front doors are top-level folders (pyproject).
PACKAGES = {
    "retrigger": ROOT / "retrigger",
    "retrigger.cli": ROOT / "cli",
    "retrigger.hooks": ROOT / "hooks",
    "retrigger.bot": ROOT / "bot",
}
FRONT_DOOR_HELPERS = {"__init__", "main", "options", "render"}
# What a CLI module may import at run time besides the commands: the workspace it loads and
# the outbox delivery it waits for before exiting, and the one formatter of numbers and times
# (retrigger.units: pure functions). Types for rendering come under TYPE_CHECKING.
FRONT_DOOR_ALLOWED = (
    "retrigger.cli",
    "retrigger.commands",
    "retrigger.errors",
    "retrigger.workspace",
    "retrigger.notify",
    "retrigger.units",
)


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            if "assets" in path.parts:  # the demo project's own scripts, not the package
                continue
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def imports(
    name: str, path: Path, known: dict[str, Path], type_checking: bool = True
) -> Iterator[str]:
    """Every retrigger module NAME imports, wherever the import statement stands (the ones
    under ``if TYPE_CHECKING:`` too, unless ``type_checking`` is false)."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = (
        set()
        if type_checking
        else {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
            for inner in ast.walk(node)
        }
    )
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("retrigger"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + is_package]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("retrigger"):
                continue
            yield target
            yield from (f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known)


def room(module: str) -> str:
    """retrigger.X.* → X (a package or a top-level module); front doors are rooms too, and
    so is each command (``commands.check``): a room per command."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "commands":
        return f"commands.{parts[2]}"
    return parts[1] if len(parts) > 1 else parts[0]


def room_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        for target in imports(name, path, known):
            if room(target) != room(name) and target != "retrigger":
                graph.setdefault(room(name), set()).add(room(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one room (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_rooms() -> None:
    assert cycles(room_graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_low_rooms_never_import_high_ones() -> None:
    graph = room_graph()
    for low_room in ("store", "data", "config", "lineage", "drift", "signals"):
        high = {
            r
            for r in graph.get(low_room, set())
            if r.startswith(
                ("commands", "pipeline", "cli", "bot", "hooks", "slack", "approvals", "workspace")
            )
        }
        assert not high, f"{low_room} imports {sorted(high)}"


def test_every_cli_command_has_its_engine_twin() -> None:
    commands = {p.stem for p in (ROOT / "retrigger" / "commands").glob("*.py")}
    for path in (ROOT / "cli").glob("*.py"):
        if path.stem not in FRONT_DOOR_HELPERS:
            assert path.stem in commands, f"cli/{path.name} has no retrigger/commands/{path.name}"


def test_cli_modules_call_only_commands() -> None:
    known = modules()
    for path in (ROOT / "cli").glob("*.py"):
        name = f"retrigger.cli.{path.stem}"
        strays = {
            t
            for t in imports(name, path, known, type_checking=False)
            if not t.startswith(FRONT_DOOR_ALLOWED)
        }
        assert not strays, f"cli/{path.name} reaches past the commands: {sorted(strays)}"


def test_sql_only_in_the_store() -> None:
    for name, path in modules().items():
        if room(name) == "store":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                assert not any(n.split(".")[0] == "sqlalchemy" for n in names), (
                    f"{path.relative_to(ROOT)} imports sqlalchemy"
                )


def test_at_most_ten_modules_at_the_top() -> None:
    top = sorted(p.name for p in (ROOT / "retrigger").glob("*.py"))
    assert len(top) <= 10, top
