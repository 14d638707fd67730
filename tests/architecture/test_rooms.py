"""The house (DESIGN.md): a room per command, thin front doors, SQL only in the store, and no
import cycle between rooms nor between packages.

Every import counts: module-level, function-local (a lazy import is still a dependency, only a
later one), ``importlib.import_module("retrigger.…")`` with a literal name, and the ones under
``if TYPE_CHECKING:`` — a type-only import still ties the two rooms' code together (a change of
the type changes both, and mypy reads them as one cycle), so it may not close a loop either."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
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
    "retrigger.demo",  # the demo calls commands as a user would: it sits beside the front doors
)
# A front door module whose engine lives in its own package rather than in commands/.
TWINS_ELSEWHERE = {"demo": ROOT / "retrigger" / "demo"}


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
        if dynamic := _import_module_target(node):
            yield dynamic
        elif isinstance(node, ast.Import):
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


def _import_module_target(node: ast.AST) -> str | None:
    """The literal retrigger module an ``import_module("…")`` call names, if NODE is one."""
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    arg = node.args[0]
    if called == "import_module" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value if arg.value.startswith("retrigger") else None
    return None


def package(module: str) -> str:
    """retrigger.X.* → X: the package (or top-level module) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def room(module: str) -> str:
    """retrigger.X.* → X (a package or a top-level module); front doors are rooms too, and
    so is each command (``commands.check``): a room per command."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "commands":
        return f"commands.{parts[2]}"
    return parts[1] if len(parts) > 1 else parts[0]


def room_graph(grain: Callable[[str], str] = room) -> dict[str, set[str]]:
    """Who imports whom, at the GRAIN of ``room`` (a command is a room) or ``package``."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        for target in imports(name, path, known):
            if grain(target) != grain(name) and target != "retrigger":
                graph.setdefault(grain(name), set()).add(grain(target))
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


def test_no_import_cycle_between_packages() -> None:
    """A room per command hides a loop through the commands package (commands.demo → demo →
    commands.check): packages are checked as wholes too."""
    assert cycles(room_graph(package)) == []


def test_every_kind_of_import_is_counted(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "if TYPE_CHECKING:\n    from retrigger.store import schema\n"
        "def f():\n    from retrigger.policy import decide\n"
        "    importlib.import_module('retrigger.data.rows')\n",
        encoding="utf-8",
    )
    found = set(imports("retrigger.x", source, {}))
    assert {"retrigger.store", "retrigger.policy", "retrigger.data.rows"} <= found


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
        if path.stem in TWINS_ELSEWHERE:
            assert TWINS_ELSEWHERE[path.stem].is_dir(), f"cli/{path.name} has no engine twin"
        elif path.stem not in FRONT_DOOR_HELPERS:
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
