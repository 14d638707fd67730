"""Load ``retrigger.yaml``, apply ``RETRIGGER_<SECTION>__<KEY>`` overrides, validate.

Every failure becomes one ``ConfigError`` line naming the key (and the file line when the
value came from the file), so CI logs and the pre-commit hook say exactly what to fix.
"""

from __future__ import annotations

import difflib
import logging
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from retrigger.config.models import RetriggerConfig
from retrigger.config.yaml_safe import clip, parse_config_yaml, read_limited
from retrigger.errors import ConfigError

log = logging.getLogger(__name__)
CONFIG_FILENAME = "retrigger.yaml"
ENV_PREFIX = "RETRIGGER_"
# Variables that configure retrigger itself rather than a config key.
_NOT_KEYS = frozenset({"RETRIGGER_CONFIG", "RETRIGGER_DEBUG"})


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config, where it lives, and where each value came from."""

    config: RetriggerConfig
    path: Path
    sources: Mapping[str, str]
    # The values as written (file, then environment), before validation: `config show` prints
    # a duration the way its author wrote it (24h stays 24h).
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """Relative paths in the config (data, metrics file, SQLite URLs) are relative to this."""
        return self.path.parent


def find_config(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The config to use: ``--config``, ``$RETRIGGER_CONFIG``, or the nearest ``retrigger.yaml``."""
    from_env = os.environ.get("RETRIGGER_CONFIG")
    chosen = explicit or (Path(from_env) if from_env else None)
    if chosen is not None:
        if not chosen.is_file():
            raise ConfigError(
                f"config file {chosen} does not exist; pass an existing --config PATH"
            )
        return chosen.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            break
    raise ConfigError(
        f"no {CONFIG_FILENAME} in {here} or its parents up to the git root; "
        "run `retrigger init` or pass --config PATH"
    )


def load_config(
    explicit: Path | None = None,
    environ: Mapping[str, str] | None = None,
    start: Path | None = None,
    overrides: Mapping[str, tuple[str, Any]] | None = None,
) -> LoadedConfig:
    """Find, read, override and validate the config.

    ``overrides``: dotted key → (where it came from, value), applied after the environment
    (``backtest --set``); validated and reported exactly as the file's own keys.
    """
    path = find_config(explicit, start)
    parsed = parse_config_yaml(read_limited(path, path.name), path.name)
    raw, lines = parsed.data, parsed.lines
    env = os.environ if environ is None else environ
    sources = {key: f"{path.name}:{line}" for key, line in lines.items()}
    for key, value in {**_env_overrides(env), **(overrides or {})}.items():
        _set_dotted(raw, key, value[1])
        sources[key] = value[0] if value[0].startswith("--") else f"env {value[0]}"
    try:
        config = RetriggerConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, lines, sources)) from None
    overridden = sorted(key for key, where in sources.items() if not where.startswith(path.name))
    log.info(
        "config read from %s%s",
        path,
        f"; overridden: {', '.join(overridden)}" if overridden else "",
    )
    return LoadedConfig(config=config, path=path, sources=sources, raw=raw)


def _env_overrides(environ: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    """``RETRIGGER_SIGNALS__PERFORMANCE__MIN=0.9`` → ``{"signals.performance.min": 0.9}``."""
    overrides: dict[str, tuple[str, Any]] = {}
    for name, text in sorted(environ.items()):
        # An empty variable is unset: CI systems expand a missing secret to "".
        if not name.startswith(ENV_PREFIX) or name in _NOT_KEYS or not text.strip():
            continue
        key = ".".join(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        if key == "data" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        overrides[key] = (name, value)
    return overrides


def _set_dotted(raw: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    target = raw
    for part in parts[:-1]:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = {}
            target[part] = nested
        target = nested
    target[parts[-1]] = value


def _describe(
    exc: ValidationError, path: Path, lines: Mapping[str, int], sources: Mapping[str, str]
) -> str:
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    key = ".".join(loc) or "(top level)"
    where = sources.get(key)
    origin = f" ({where})" if where else f" ({path.name})"
    if error["type"] == "extra_forbidden":
        valid = _valid_keys(loc[:-1])
        close = difflib.get_close_matches(loc[-1], valid, n=1)
        hint = (
            f"did you mean '{'.'.join([*loc[:-1], close[0]])}'?"
            if close
            else (f"valid keys here: {', '.join(sorted(valid))}")
        )
        return f"unknown config key '{clip(key, 80)}'{origin}; {hint}"
    if error["type"] == "missing":
        return f"config key '{key}' is required{origin}; add it to {path.name}"
    message = clip(str(error["msg"]).removeprefix("Value error, "), 300)
    given = clip(repr(error.get("input")))
    suffix = "" if given in message else f" (got {given})"
    return f"invalid config key '{clip(key, 80)}'{origin}: {message}{suffix}"


def _valid_keys(loc: list[str]) -> list[str]:
    model: type[BaseModel] | None = RetriggerConfig
    for part in loc:
        if model is None or part not in model.model_fields:
            return []
        model = _model_of(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None
