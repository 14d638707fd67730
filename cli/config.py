"""``retrigger config show|validate|explain|schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

config_app = typer.Typer(
    help="Show, validate or explain the effective configuration, or print its JSON Schema.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("show")
def show(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Print the effective config and where each value came from (file, env, default)."""
    from retrigger.commands import config as command

    effective = command.show(config)
    if json_output:
        render.print_document(
            "config",
            {"path": str(effective.path), "values": effective.values, "sources": effective.sources},
        )
        return
    render.table(
        f"effective config ({effective.path})",
        ["key", "value", "from"],
        [[key, _text(value), effective.sources[key]] for key, value in effective.values.items()],
    )


@config_app.command("validate")
def validate(
    config: ConfigOption = None,
    ci: Annotated[
        bool,
        typer.Option(
            "--ci", help="Also warn about what cannot work on a CI runner (a local MLflow store)."
        ),
    ] = False,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Do not ask MLflow who last moved the champion alias (no network at all).",
        ),
    ] = False,
) -> None:
    """Exit 0 when the config is valid; otherwise say which key is wrong and exit 2."""
    from retrigger.commands import config as command

    validated = command.validate(config, ci=ci, offline=offline)
    render.line(f"{validated.path}: valid")
    for note in validated.notes:
        render.line(f"note: {note}")
    for warning in validated.warnings:
        render.line(f"warning: {warning}", style="yellow")


@config_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of retrigger.yaml, for editors (init writes retrigger.schema.json)."""
    from retrigger.commands import config as command

    print(command.schema(), end="")


def _text(value: Any) -> str:
    """A value as it would read in retrigger.yaml: true, null, [a, b], {k: v}."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)


@config_app.command("explain")
def explain(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Markdown, for a README or RETRAINING.md.")
    ] = False,
    update: Annotated[
        Path | None,
        typer.Option(
            "--update",
            metavar="FILE",
            help="Write the policy section into FILE (RETRAINING.md) "
            "between its markers, without live numbers; the config-check hook compares it.",
        ),
    ] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """The retrain policy in sentences a non-engineer reads, with the live baseline when
    MLflow answers."""
    from retrigger.commands import config as command

    if update is not None:
        render.line(f"{update}: {command.update_document(config, update)}")
        return
    policy = command.explain(config)
    if json_output:
        render.print_document(
            "config-explain",
            {
                "path": str(policy.path),
                "sentences": policy.sentences,
                "baseline": policy.baseline,
                "markdown": policy.markdown,
            },
        )
    elif markdown:
        print(policy.markdown, end="")
    else:
        for sentence in policy.sentences:
            render.line(sentence)
