"""Reading ``retrigger.yaml`` defensively: a config is a few hundred values written by a person.

A hostile or broken file must cost milliseconds and end in one short ``ConfigError``: the file
is read up to a size limit, the node graph is composed once (aliases are shared nodes there, not
copies), and one bounded walk over it expands aliases at most ``MAX_NODES`` times, refuses
duplicate keys with both line numbers and records the line of every key for error messages.
Only then are Python values constructed, from the same checked graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from retrigger.errors import ConfigError

MAX_BYTES = 256 * 1024
# Nodes visited with every alias expanded. Small merges (`<<: *defaults`) stay far below.
MAX_NODES = 20_000
MAX_DEPTH = 32
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class ParsedYaml:
    """The top-level mapping and the 1-based line of each dotted key."""

    data: dict[str, Any]
    lines: dict[str, int]


def clip(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters of a value, so an error about a huge value stays one line."""
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def read_limited(path: Path, name: str) -> str:
    """The file's UTF-8 text, refused above ``MAX_BYTES``."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(
            f"{name} is larger than {MAX_BYTES // 1024} KiB; a config is a few "
            "KiB — is this the right file?"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from None


def parse_config_yaml(text: str, name: str) -> ParsedYaml:
    try:
        loader = yaml.SafeLoader(text)  # the reader refuses a NUL or control character here
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"{name} line {line}: character #x{exc.character:04x} is not allowed in YAML; remove it"
        ) from None
    try:
        node = loader.get_single_node()
        lines = _walk(node, name) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{name}{where}: YAML syntax error: {clip(str(problem))}") from None
    except RecursionError:
        raise ConfigError(f"{name}: nested too deeply to be a config; flatten the file") from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the top level must be a mapping of sections (model:, ...)")
    return ParsedYaml(data=data, lines=lines)


def _walk(root: yaml.Node, name: str) -> dict[str, int]:
    """Lines of every key; refuses duplicate keys, alias bombs and deep nesting on the way."""
    lines: dict[str, int] = {}
    stack: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
    seen: set[int] = set()
    visited = 0
    while stack:
        node, prefix, depth = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            why = "its aliases expand to" if len(seen) < visited else "it holds"
            raise ConfigError(
                f"{name}: {why} more than {MAX_NODES} values; a config needs a "
                "few hundred — write the values out instead of nesting aliases"
            )
        if depth > MAX_DEPTH:
            raise ConfigError(
                f"{name} line {node.start_mark.line + 1}: nested more than "
                f"{MAX_DEPTH} levels deep; a config is a few levels deep"
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, prefix, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(_mapping(node, prefix, depth, lines, name))
    return lines


def _mapping(
    node: yaml.MappingNode, prefix: str, depth: int, lines: dict[str, int], name: str
) -> list[tuple[yaml.Node, str, int]]:
    children: list[tuple[yaml.Node, str, int]] = []
    own: dict[str, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            # Merged keys may be overridden by the mapping's own keys: that is what `<<` is for.
            children.append((value_node, prefix, depth + 1))
            continue
        line = key_node.start_mark.line + 1
        if isinstance(key_node, yaml.ScalarNode):
            key = f"{prefix}{key_node.value}"
            if key_node.value in own:
                raise ConfigError(
                    f"{name} line {line}: duplicate key '{clip(key, 80)}' (first at line "
                    f"{own[key_node.value]}); keep one — YAML would silently use the last"
                )
            own[key_node.value] = line
            lines.setdefault(key, line)
            children.append((value_node, f"{key}.", depth + 1))
        else:
            children.append((key_node, prefix, depth + 1))
            children.append((value_node, prefix, depth + 1))
    return children
