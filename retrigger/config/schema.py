"""The JSON Schema of ``retrigger.yaml`` (``retrigger config schema``) and its keys, documented.

Built from the pydantic models, so it cannot drift from what ``config validate`` accepts. Editors
read it through the ``# yaml-language-server: $schema=`` line ``init`` writes; the documentation
site renders :func:`keys` as the configuration reference. Descriptions a field does not carry
itself come from ``DESCRIPTIONS`` (kept here, not in models.py, so the models stay short);
tests/config/test_schema.py fails when a key has neither.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from retrigger.config.durations import format_duration
from retrigger.config.models import RetriggerConfig

SCHEMA_ID = "retrigger.schema.json"  # the file name init writes beside retrigger.yaml
DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*[smhdw]\s*$"


class _Generator(GenerateJsonSchema):
    """Durations as retrigger reads them (``24h``), not pydantic's ISO 8601 (``PT24H``)."""

    def timedelta_schema(self, schema: core_schema.TimedeltaSchema) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"type": "number", "minimum": 0},
            ],
        }

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def json_schema() -> dict[str, Any]:
    """The schema of the whole file, every key described."""
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema |= RetriggerConfig.model_json_schema(schema_generator=_Generator)
    schema["title"] = "retrigger.yaml"
    schema["description"] = (
        "When a model must be retrained, how, and who approves it. "
        "Every key can be overridden by RETRIGGER_<SECTION>__<KEY>."
    )
    for key in keys(schema):
        if key.description and "description" not in key.node:
            key.node["description"] = key.description
    return schema


def schema_text() -> str:
    """The schema as ``retrigger config schema`` prints it and ``init`` writes it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def modeline() -> str:
    """The first line of retrigger.yaml: the YAML language server (VS Code's YAML extension,
    JetBrains, Neovim) reads the schema beside the file, relative to it."""
    return f"# yaml-language-server: $schema={SCHEMA_ID}\n"


def stale_note(config_path: Path) -> str | None:
    """A note when the schema file beside retrigger.yaml is not this retrigger's (written by an
    older one): editors would flag keys that are valid, or miss new ones."""
    beside = config_path.parent / SCHEMA_ID
    if not beside.is_file():
        return None
    try:
        current = json.loads(beside.read_text(encoding="utf-8")) == json_schema()
    except (OSError, UnicodeDecodeError, ValueError):
        current = False
    if current:
        return None
    return (
        f"{SCHEMA_ID} is not this retrigger's schema of retrigger.yaml (editors check the file "
        f"against it); refresh it: retrigger config schema > {SCHEMA_ID}"
    )


@dataclass(frozen=True)
class Key:
    """One key of retrigger.yaml as the reference lists it."""

    key: str  # dotted: policy.max_retrains.count
    type: str  # as a reader says it: "duration", "any | all", "list of string"
    default: str  # as written in YAML, "required" or "" for a section without one
    description: str
    node: dict[str, Any]  # its property in the schema (filled with the description)


def keys(schema: dict[str, Any] | None = None) -> list[Key]:
    """Every key, sections first then their keys, in the models' order."""
    if schema is None:
        schema = RetriggerConfig.model_json_schema(schema_generator=_Generator)
    found: list[Key] = []
    _walk(schema, schema, "", found)
    return found


def _walk(root: dict[str, Any], node: dict[str, Any], prefix: str, found: list[Key]) -> None:
    required = set(node.get("required", []))
    for name, prop in node.get("properties", {}).items():
        key = f"{prefix}{name}"
        target = _section(root, prop)
        default = _default(prop, target, name in required)
        described = prop.get("description") or DESCRIPTIONS.get(key, "")
        if not described and target is not None:
            described = target.get("description", "")
        found.append(Key(key, _type(root, prop), default, " ".join(described.split()), prop))
        if target is not None:
            _walk(root, target, f"{key}.", found)


def _default(prop: dict[str, Any], target: dict[str, Any] | None, required: bool) -> str:
    if required:
        return "required"
    if target is not None and prop.get("default", "") is None:
        return "absent"  # an optional section: its feature is off
    if target is not None:
        return ""  # a section whose keys carry the defaults
    if "default" in prop:
        return _yaml(prop["default"])
    # default_factory (an empty list or mapping) leaves no default in the schema
    return "[]" if prop.get("type") == "array" else "{}"


def _section(root: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema a key opens (a section, or the items of a list of sections)."""
    for option in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
        ref = option.get("$ref")
        if ref:
            resolved: dict[str, Any] = root["$defs"][ref.rsplit("/", 1)[1]]
            return resolved
    return None


def _type(root: dict[str, Any], prop: dict[str, Any]) -> str:
    options = prop.get("anyOf", [prop])
    words = [_one_type(root, o) for o in options if o.get("type") != "null"]
    nullable = len(words) < len(options)
    if {"string (duration)", "number"} <= set(words):  # a duration: "24h", or seconds
        words = ["duration"]  # written 90s, 90m, 24h, 30d, 2w (the page says so once)
    if "section" in words:  # an optional section is off ("absent") rather than null
        return "section"
    text = " or ".join(dict.fromkeys(words)) or "any"
    return f"{text} or null" if nullable else text


def _one_type(root: dict[str, Any], option: dict[str, Any]) -> str:
    if "$ref" in option:
        return "section"
    if "const" in option:
        return str(option["const"])
    if "enum" in option:
        return " | ".join(str(v) for v in option["enum"])
    if option.get("pattern") == DURATION_PATTERN:
        return "string (duration)"  # the duration's first option, see _Generator
    if "anyOf" in option:
        return _type(root, option)
    kind = str(option.get("type", "any"))
    if kind == "array":
        item = option.get("items", {})
        if "anyOf" in item:  # data: paths or {path, format, partitioning} mappings
            return "list of " + " or ".join(_one_type(root, o) for o in item["anyOf"])
        return "list of " + ("sections" if "$ref" in item else _one_type(root, item))
    if kind == "object" and "properties" in option:  # an inline section (a data: mapping)
        return "section"
    if kind == "object":
        return "mapping of string to " + _one_type(root, option.get("additionalProperties", {}))
    return kind


def _yaml(value: Any) -> str:
    """A default as it reads in retrigger.yaml."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return str(value)


# Descriptions for the keys whose Field carries none; the words of docs/configuration.md's example.
DESCRIPTIONS = {
    "model": "the model: its registered name, its primary metric and where the pipeline writes it",
    "model.greater_is_better": "false for losses and errors (rmse, log_loss)",
    "tracking": "the MLflow tracking server or store, and the experiment retrains log to",
    "tracking.uri": "MLflow tracking URI: sqlite:///mlflow.db, or http://mlflow:5000",
    "tracking.experiment": "the MLflow experiment retrain runs are logged to",
    "state": "where decisions, approvals, locks and the outbox are kept",
    "state.url": "sqlite:///.retrigger/state.db, or postgresql://user:pass@host/db shared by "
    "the bot and CI",
    "data": "DVC-tracked paths the model trains on (.dvc file or dvc.lock output); a folder "
    "of hive-partitioned Parquet as {path, format: parquet, partitioning: hive}",
    "data_fetch": "what `check` may fetch from the DVC remote for volume and drift",
    "signals": "the signals that may fire a retrain; an absent one is not evaluated",
    "signals.performance": "the primary metric against an absolute floor and against the "
    "baseline run",
    "signals.schedule": "time since the last successful retrain",
    "signals.schedule.max_age": "fire when the last successful retrain is older than this",
    "signals.volume": "rows added since the data the model in use was trained on",
    "signals.volume.min_new_rows": "fire when at least this many rows were added",
    "signals.volume.min_growth": "fire when the rows grew by this fraction (0.10 = 10 %)",
    "signals.drift": "per-column statistical tests between the trained data and the current data",
    "signals.drift.share": "share of drifted columns that means dataset drift",
    "signals.drift.columns": "the columns to test; null: every column",
    "signals.drift.stattest": "a test per column or per type (type:num=ks): ks, chi2, z, "
    "wasserstein, jensenshannon, psi, kl_div, hellinger, …",
    "signals.drift.threshold": "a drift threshold per column",
    "signals.drift.warn": "mark a column warn from this fraction of its threshold",
    "signals.drift.bonferroni": "divide p-value thresholds by the number of p-value tests",
    "signals.drift.schema_change_is_drift": "a column on one side only counts as drifted",
    "validation": "champion and challenger scored on the same rows before a promotion",
    "estimation": "the champion's metric estimated on unlabelled rows (source: estimated)",
    "policy": "how fired signals become a retrain: combination, cooldown, budget, approval",
    "policy.fire_when": "any | all: how fired signals combine",
    "policy.cooldown": "hold a firing decision this long after the last retrain",
    "policy.max_retrains": "retrain budget: at most count retrains per period",
    "policy.max_retrains.count": "retrains started within `per` (failed ones included)",
    "policy.max_retrains.per": "the budget's period",
    "policy.approval": "none | required: a person approves a fired decision before it runs",
    "pipeline": "how a retrain runs: DVC steps, interpreter, promotion rules, timeouts",
    "pipeline.pull": "dvc pull before dvc repro",
    "pipeline.command": "the command that trains (dvc repro, with targets if needed)",
    "pipeline.push": "dvc push after a successful retrain, verified",
    "pipeline.champion_alias": "registry alias of the model in production",
    "pipeline.min_improvement": "absolute improvement over the champion needed to promote",
    "pipeline.min_relative_improvement": "improvement as a fraction of the champion's metric "
    "needed to promote (both must hold)",
    "hooks": "what the git hooks and `retrigger push` do",
    "hooks.check_on_push": "run `check` after `retrigger push`",
    "slack": "the Slack bot: channel, approvers, executor",
    "slack.channel": "where notifications and approval requests go",
    "slack.api_url": "Web API base URL (proxies, tests)",
    "slack.four_eyes": "nobody approves their own request (needs 2+ approvers or a group)",
    "slack.approval_ttl": "a pending approval expires after this; its buttons are replaced",
    "slack.executor": "who runs an approved retrain: local, github (a workflow_dispatch) or none",
    "slack.github": "github executor: the repository and workflow to dispatch",
    "slack.github.ref": "the branch or tag the workflow runs on",
    "slack.github.api_url": "GitHub's REST API base URL",
    "pipeline.github.ref": "the branch or tag the dispatched workflow runs on",
    "pipeline.github.api_url": "GitHub's REST API base URL",
    "backtest": "`retrigger backtest`'s own settings: the prices `--cost` uses",
    "events": "signed data-arrival events (`retrigger serve`, the bot) and the settle window",
    "events.watch": "object-storage prefixes whose new objects feed a `data:` path",
}
