"""Secrets come from the environment only, read once here, and never printed.

``repr()`` of ``Secrets`` masks every value, so a secret cannot leak through a log line, an
error message or an audit record that formats the object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Secrets:
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    github_token: str | None = field(default=None, repr=False)
    # Inbound events (/events/<source>). Not RETRIGGER_*: those are read as config overrides.
    events_webhook_secret: str | None = field(default=None, repr=False)
    events_mlflow_secret: str | None = field(default=None, repr=False)
    events_s3_api_key: str | None = field(default=None, repr=False)
    events_azure_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if environ is None else environ
        return cls(
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            github_token=env.get("GITHUB_TOKEN") or None,
            events_webhook_secret=env.get("RETRAIN_EVENTS_WEBHOOK_SECRET") or None,
            events_mlflow_secret=env.get("RETRAIN_EVENTS_MLFLOW_SECRET") or None,
            events_s3_api_key=env.get("RETRAIN_EVENTS_S3_API_KEY") or None,
            events_azure_key=env.get("RETRAIN_EVENTS_AZURE_KEY") or None,
        )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'set' if getattr(self, f.name) else 'unset'}" for f in fields(self)
        )
        return f"Secrets({shown})"

    def values(self) -> list[str]:
        """Every secret that is set, to scrub from any text that leaves the process."""
        return [v for v in (getattr(self, f.name) for f in fields(self)) if v]
