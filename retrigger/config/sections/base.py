"""What every section shares: a frozen pydantic model refusing unknown keys, the duration
type (``10m``, ``24h``) and the rule that a configured path stays inside the repository."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.functional_validators import BeforeValidator

from retrigger.config.durations import format_duration, parse_duration

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


REMOTE_SCHEMES = ("s3://", "gs://", "az://")


def refuse_outside_repo(path: str) -> None:
    """Paths in the config are relative to the repository root and stay inside it."""
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\", "~")) or ".." in parts or (len(path) > 1 and path[1] == ":"):
        raise ValueError(
            f"{path[:200]!r} must be a path inside the repository, relative to "
            "its root (no leading /, ~ or ..)"
        )


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
