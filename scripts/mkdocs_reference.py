"""MkDocs hook: the CLI and configuration references, generated at build time.

Generated when the site is built, never checked in: nine branches add commands, options and keys
in parallel, and a checked-in page would be stale after every merge. docs/reference/ holds
placeholders with the same names, so the links resolve on GitHub too; the site replaces them.
The pages are written from the code itself: the CLI from the typer app's Click tree
(``typer.main.get_command``), the configuration from the pydantic models
(``retrigger.config.schema``), and the JSON Schema of retrigger.yaml is published beside them.
tests/docs/test_reference.py checks what they hold.
"""

from __future__ import annotations

import re
from typing import Any

import typer
import typer.main
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

CLI_PAGE = "reference/cli.md"
CONFIG_PAGE = "reference/configuration.md"
SCHEMA_FILE = "reference/retrigger.schema.json"
GENERATED = (CLI_PAGE, CONFIG_PAGE, SCHEMA_FILE)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from retrigger.config.schema import schema_text

    for path, content in (
        (CLI_PAGE, cli_reference()),
        (CONFIG_PAGE, config_reference()),
        (SCHEMA_FILE, schema_text()),
    ):
        placeholder = files.get_file_from_path(path)  # what GitHub shows: replaced in the site
        if placeholder is not None:
            files.remove(placeholder)
        files.append(File.generated(config, path, content=content))
    return files


_CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)


def on_page_content(html: str, **_: Any) -> str:
    """A pipe inside code in a table is written ``\\|`` (GitHub's rule, so the row is not split);
    Python-Markdown keeps the backslash there: drop it."""
    return _CODE.sub(lambda m: "<code>" + m.group(1).replace("\\|", "|") + "</code>", html)


def cli_reference() -> str:
    """Every command of ``retrigger``, its help, usage, arguments and options with defaults."""
    from retrigger.cli.main import app

    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the command line itself (`retrigger COMMAND --help` prints the same;",
        "every command also takes `-h/--help`). What each command does in detail, its JSON",
        "documents and exit codes: [the command line](../cli.md).",
        "",
    ]
    _command(typer.Context(root, info_name="retrigger"), root, lines)
    return "\n".join(lines) + "\n"


# Commands and parameters are typed Any: typer >= 0.22 vendors click (typer._click), older
# typer returns click's own classes; both have the attributes read here.
def _command(context: typer.Context, command: Any, lines: list[str]) -> None:
    path = context.command_path
    lines += [f"## `{path}`", ""]
    if command.help:
        lines += [_paragraphs(command.help), ""]
    params = [p for p in command.get_params(context) if not p.hidden and p.name != "help"]
    lines += ["```", _usage(path, command, params), "```", ""]
    if params:
        lines += ["| argument or option | type | default | description |", "|---|---|---|---|"]
        lines += [_param_row(context, p) for p in params]
        lines.append("")
    if hasattr(command, "list_commands"):  # a group: its commands follow, in --help's order
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                _command(typer.Context(sub, info_name=name, parent=context), sub, lines)


def _usage(path: str, command: Any, params: list[Any]) -> str:
    words = [path, "[OPTIONS]"]
    for param in params:
        if param.param_type_name == "argument":
            name = _argument_name(param)
            name = name if param.required else f"[{name}]"
            words.append(f"{name}..." if param.nargs == -1 else name)
    if hasattr(command, "list_commands"):
        words.append("COMMAND [ARGS]...")
    return " ".join(words)


def _argument_name(param: Any) -> str:
    return str(param.metavar or param.name.upper()).strip("[].")


def _param_row(context: typer.Context, param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
        kind = "flag" if param.is_flag and not param.count else _type_name(context, param)
    else:
        names = f"`{_argument_name(param)}`"
        kind = _type_name(context, param)
    default = "required" if param.required else _default(param)
    return f"| {names} | {kind} | {default} | {_cell(str(param.help or ''))} |"


def _type_name(context: typer.Context, param: Any) -> str:
    shown = param.display_type(context) if hasattr(param, "display_type") else param.type.name
    name = str(shown).strip("<>")
    if getattr(param, "count", False):
        return "count (-v, -vv)"
    if name.startswith("list[") and name.endswith("]"):  # typer's display of a repeated value
        name = name[5:-1]
        return f"{name} (repeatable)" if getattr(param, "multiple", False) else f"{name}, several"
    return _cell(name)


def _default(param: Any) -> str:
    value: Any = param.default
    if callable(value) or value is None or value in ((), []):
        return ""
    if param.param_type_name == "option" and param.is_flag and not param.count:
        return "on" if value else ""
    return f"`{value}`"


def _paragraphs(text: str) -> str:
    """Help text as Markdown: lines joined, blank lines kept as paragraph breaks."""
    return "\n\n".join(" ".join(block.split()) for block in text.split("\n\n"))


def _cell(text: str) -> str:
    """One table cell: one line, pipes escaped, and ``<repo>`` shown rather than read as HTML
    (outside code spans, which Markdown shows as they are)."""
    parts = " ".join(text.split()).replace("|", "\\|").split("`")
    parts[::2] = [p.replace("<", "&lt;").replace(">", "&gt;") for p in parts[::2]]
    return "`".join(parts)


def config_reference() -> str:
    """Every key of retrigger.yaml: type, default and description, one table per section."""
    from retrigger.config.schema import keys

    lines = [
        "# Configuration reference",
        "",
        "Generated from the configuration models: every key `retrigger.yaml` accepts, its type,",
        "default and meaning. An unknown key is refused. Durations are written `90s`, `90m`,",
        "`24h`, `30d`, `2w`. *absent* means the section is off until you write it. Every key",
        "can be overridden by `RETRIGGER_<SECTION>__<KEY>`; how the file is read, with an",
        "annotated example: [Configuration](../configuration.md). Editors complete and check",
        "the file with its [JSON Schema](retrigger.schema.json) (`retrigger config schema`).",
        "",
    ]
    section = ""
    for key in keys():
        top = key.key.split(".", 1)[0]
        if top != section:
            section = top
            lines += ["", f"## `{top}`", "", "| key | type | default | description |"]
            lines.append("|---|---|---|---|")
        default = key.default
        if default not in ("", "required", "absent"):
            default = f"`{default}`"
        lines.append(
            f"| `{key.key}` | {_cell(key.type)} | {_cell(default)} | {_cell(key.description)} |"
        )
    return "\n".join(lines) + "\n"
