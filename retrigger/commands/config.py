"""``retrigger config show|validate``: the effective configuration and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrigger.config import load_config
from retrigger.config.models import RetriggerConfig
from retrigger.config.written import as_written, flatten


@dataclass(frozen=True)
class EffectiveConfig:
    path: Path
    values: dict[str, Any]  # dotted key → JSON value
    sources: dict[str, str]  # dotted key → "file:line", "env VAR" or "default"


def show(config_path: Path | None) -> EffectiveConfig:
    """Every effective value, flattened to dotted keys, with its source."""
    loaded = load_config(config_path)
    # A duration the author wrote (24h) is shown as written, not as its shortest form (1d).
    values = as_written(flatten(loaded.config.model_dump(mode="json")), flatten(dict(loaded.raw)))
    sources = {key: _source_of(key, loaded.sources) for key in values}
    return EffectiveConfig(loaded.path, values, sources)


@dataclass(frozen=True)
class Validated:
    path: Path
    notes: list[str]  # not errors: what to fix for a champion that loads, and the like
    warnings: list[str] = field(default_factory=list)  # with --ci: what a runner cannot do


def validate(config_path: Path | None, ci: bool = False, offline: bool = False) -> Validated:
    """A valid config and its notes; a ``ConfigError`` naming the key otherwise, or BadInput
    when the project cannot satisfy it (``retrigger.pipeline.preflight``). With ``ci``, the
    warnings about what cannot work on a CI runner (the effective ``tracking.uri``). Unless
    ``offline``, MLflow is asked who last moved the champion alias."""
    from retrigger.config.schema import stale_note
    from retrigger.pipeline import overlap_notes
    from retrigger.pipeline.preflight import check
    from retrigger.scaffold.ci import tracking_ci_warning

    loaded = load_config(config_path)
    notes = check(loaded.root, loaded.config)
    notes += overlap_notes.notes(loaded.path, loaded.root, loaded.config)  # the leakage check
    notes += [note for note in [stale_note(loaded.path)] if note]  # retrigger.schema.json
    warnings: list[str | None] = []
    if not offline:
        mover = alias_mover(loaded.root, loaded.config)
        if mover is not None and mover.startswith(UNKNOWN):
            notes.append(mover)
        else:
            warnings.append(mover)
    warnings.append(tracking_ci_warning(loaded.config.tracking.uri) if ci else None)
    return Validated(loaded.path, notes, [w for w in warnings if w])


UNKNOWN = "who moves"


def alias_mover(root: Path, config: RetriggerConfig) -> str | None:
    """A warning when the champion alias was last moved by another tool than retrigger: two
    movers of one alias undo each other's promotions. None when MLflow has no such alias yet
    (or no store here: validate never creates one)."""
    from retrigger.lineage.alias_owner import holder
    from retrigger.lineage.tracking import Tracking, absolute_uri

    uri = absolute_uri(config.tracking.uri, root)
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_file():
        return None
    name, alias = config.model.name, config.pipeline.champion_alias
    try:
        client = Tracking(uri, config.tracking.experiment, config.tracking.timeout).client
        found = holder(client, name, alias)
    except Exception as exc:  # MLflow down: who moves the alias is unknown, not fine
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return f"{UNKNOWN} {name}@{alias} is unknown: MLflow did not answer ({first})"
    if found is None or found.by_retrigger:
        return None
    return (
        f"pipeline.champion_alias: {name}@{alias} (v{found.version}) was last moved by another "
        f"tool, not retrigger: registered by {found.who}. Both will move it and undo each "
        f"other; let one own @{alias} (or `retrigger champion set {found.version}` to adopt it)"
    )


def _source_of(key: str, sources: dict[str, str] | Any) -> str:
    # A value set in the file has its own line; one under a section set whole from the
    # environment (RETRIGGER_SIGNALS__PERFORMANCE='{min: 0.9}') inherits that variable.
    if key in sources:
        return str(sources[key])
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        found = str(sources.get(".".join(parts[:end]), ""))
        if found.startswith("env "):
            return found
    return "default"


def schema() -> str:
    """The JSON Schema of retrigger.yaml, as text (no config is read)."""
    from retrigger.config.schema import schema_text

    return schema_text()


@dataclass(frozen=True)
class PolicyText:
    path: Path
    sentences: list[str]
    markdown: str
    baseline: float | None  # the live baseline value, when MLflow answered


def explain(config_path: Path | None, live: bool = True) -> PolicyText:
    """The effective policy in sentences; with the baseline's value when MLflow answers."""
    from retrigger.config import words

    loaded = load_config(config_path)
    baseline = _live_baseline(loaded.path) if live else None
    return PolicyText(
        loaded.path,
        words.sentences(loaded.config, baseline),
        words.markdown(loaded.config, baseline),
        baseline,
    )


def update_document(config_path: Path | None, document: Path) -> str:
    """Write the policy section into ``document`` (created, or its marked block replaced, or
    appended); 'unchanged', 'updated' or 'created'."""
    from retrigger.config import words

    block = words.section(load_config(config_path).config)
    if not document.exists():
        document.write_text(f"# Retraining\n\n{block}", encoding="utf-8")
        return "created"
    text = document.read_text(encoding="utf-8")
    new = words.replace_section(text, block)
    if new is None:
        new = text.rstrip("\n") + "\n\n" + block
    if new == text:
        return "unchanged"
    document.write_text(new, encoding="utf-8")
    return "updated"


def _live_baseline(path: Path) -> float | None:
    """The baseline run's metric; None when MLflow does not answer (the text says less)."""
    from retrigger.workspace import Workspace

    try:
        workspace = Workspace.load(path)
        run = workspace.tracking.baseline()
        return run.metrics.get(workspace.config.model.metric) if run is not None else None
    except Exception:
        return None
