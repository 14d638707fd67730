"""Who is told, who approves and who sends events: ``slack`` (and its GitHub executor) and
``events``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from retrigger.config.sections.base import Duration, Section, refuse_outside_repo

# Slack user ids start with U or W, user groups (subteams) with S.
SLACK_ID_PATTERN = r"^[UWS][A-Z0-9]{2,}$"


class GithubExecutorConfig(Section):
    """``slack.executor: github`` sends a workflow_dispatch; the token comes from $GITHUB_TOKEN."""

    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/name")
    workflow: str = Field(default="retrain.yml", min_length=1, description="workflow file or id")
    ref: str = Field(default="main", min_length=1)
    api_url: str = Field(default="https://api.github.com", pattern=r"^https?://")


class SlackConfig(Section):
    channel: str = Field(default="#ml-ops", min_length=1)
    api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://")
    approvers: list[Annotated[str, Field(pattern=SLACK_ID_PATTERN)]] = Field(
        default_factory=list, description="Slack user ids (U…/W…) and user group ids (S…)"
    )
    four_eyes: bool = False
    approval_ttl: Duration = Field(default=timedelta(hours=24))
    executor: Literal["local", "github", "none"] = "none"
    dispatch_lease: Duration = Field(
        default=timedelta(minutes=10),
        gt=timedelta(0),
        description="an approved retrain "
        "handed to the executor with no attempt started after this long is handed on again",
    )
    workdir: str = Field(default=".", description="local executor: where `retrigger run` runs")
    github: GithubExecutorConfig | None = None
    team_id: str | None = Field(default=None, description="refuse requests from other workspaces")
    api_app_id: str | None = Field(default=None, description="refuse requests for other apps")
    group_cache: Duration = Field(
        default=timedelta(minutes=5), description="how long user group members are cached"
    )

    @field_validator("approval_ttl")
    @classmethod
    def _ttl_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration such as 24h")
        return value

    @model_validator(mode="after")
    def _someone_can_approve(self) -> SlackConfig:
        # Under four-eyes a lone approver could never approve what they asked for: refuse a
        # config where that leaves no possible approver. A user group may hold several people.
        users = {a for a in self.approvers if not a.startswith("S")}
        groups = [a for a in self.approvers if a.startswith("S")]
        if self.four_eyes and len(users) < 2 and not groups:
            raise ValueError(
                "four_eyes needs at least two approvers (user ids) or a user group, "
                "otherwise nobody could approve a request made by an approver"
            )
        if self.executor == "github" and self.github is None:
            raise ValueError("executor github needs a github section: {repo: owner/name}")
        return self


class EventWatch(Section):
    """An object-storage prefix whose new objects feed one of the model's data paths."""

    source: Literal["webhook", "s3", "gcs", "azure"] = Field(
        description="the sender: /events/<source>"
    )
    prefix: str = Field(description="a full URL, e.g. s3://bucket/path/")
    data: str = Field(min_length=1, description="the path under `data:` this prefix feeds")

    @field_validator("prefix")
    @classmethod
    def _prefix_is_url(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or not scheme.isalnum() or not rest:
            raise ValueError("must be a full URL such as s3://bucket/path/")
        return value

    @field_validator("data")
    @classmethod
    def _data_inside(cls, value: str) -> str:
        refuse_outside_repo(value)
        return value


class GcsEventsConfig(Section):
    """Pub/Sub push: what the OIDC token on /events/gcs must say (not secrets: the token is)."""

    audience: str | None = Field(
        default=None, description="the push subscription's audience (e.g. the endpoint URL)"
    )
    service_account: str | None = Field(
        default=None, description="the email of the push subscription's service account"
    )
    jwks_url: str = Field(
        default="https://www.googleapis.com/oauth2/v3/certs",
        pattern=r"^https?://",
        description="where Google's signing keys are published",
    )


class AzureEventsConfig(Section):
    """Event Grid with Microsoft Entra authentication: what the Bearer token on /events/azure
    must say. Unset: /events/azure takes the URL secret (RETRAIN_EVENTS_AZURE_KEY) instead."""

    tenant: str | None = Field(
        default=None,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="the Microsoft Entra tenant (directory) id of the webhook's app, a GUID",
    )
    audience: str | None = Field(
        default=None,
        description="the webhook app's application id URI or client id (the token's aud)",
    )
    jwks_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="where the tenant's signing keys are published "
        "(default https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys)",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> AzureEventsConfig:
        if (self.tenant is None) != (self.audience is None):
            raise ValueError("set both tenant and audience (Microsoft Entra), or neither")
        return self


class RememberConfig(Section):
    """How long each source's delivery ids are remembered: a delivery seen again within this
    is answered ``duplicate`` and changes nothing. Each default covers the longest its sender
    redelivers by default; lengthen one when the sender's retry policy is longer."""

    webhook: Duration = Field(
        default=timedelta(hours=1),
        description="a Standard Webhooks replay older than 5 minutes is refused by its timestamp",
    )
    mlflow: Duration = Field(
        default=timedelta(hours=1),
        description="MLflow signs a timestamp too: older than 5 minutes is refused",
    )
    s3: Duration = Field(
        default=timedelta(hours=24),
        description="an EventBridge API destination retries for up to 24 h (its maximum event age)",
    )
    sqs: Duration = Field(
        default=timedelta(hours=12),
        description="an SQS message stored but not deleted comes back after the queue's "
        "visibility timeout, at most 12 h",
    )
    gcs: Duration = Field(
        default=timedelta(days=7),
        description="Pub/Sub retries a push until the subscription's message retention, "
        "7 days by default",
    )
    azure: Duration = Field(
        default=timedelta(hours=24),
        description="Event Grid retries for the event's time to live, 24 h by default",
    )


class EventsConfig(Section):
    watch: list[EventWatch] = Field(default_factory=list)
    settle: Duration = Field(
        default=timedelta(minutes=10), description="quiet time after the last event"
    )
    marker: str | None = Field(
        default="_SUCCESS", description="an object with this name closes the window at once"
    )
    baseline: Literal["keep", "follow-alias"] = Field(
        default="keep",
        description="follow-alias: when an MLflow webhook says the champion alias moved, "
        "the new champion's run becomes the baseline run",
    )
    gcs: GcsEventsConfig = GcsEventsConfig()
    azure: AzureEventsConfig = AzureEventsConfig()
    remember: RememberConfig = RememberConfig()
