"""What an inbound event says, once verified and parsed: typed, whatever the sender."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectCreated:
    """A new object in a bucket, as a full URL (``s3://bucket/key``)."""

    url: str
    size: int | None = None
    etag: str | None = None


@dataclass(frozen=True)
class RegistryChange:
    """Something MLflow's model registry says happened (``model_version.created`` …)."""

    kind: str  # MLflow's "<entity>.<action>": model_version.created, model_version_alias.created
    model: str | None
    version: str | None
    alias: str | None = None
    run_id: str | None = None  # model_version.created: the run the version came from
    decision_id: str | None = None  # the version's retrigger.decision_id tag: a retrain made it

    def as_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "model": self.model,
            "version": self.version,
            "alias": self.alias,
            "run_id": self.run_id,
            "decision_id": self.decision_id,
        }


@dataclass(frozen=True)
class Parsed:
    """A verified body: the objects it announces, a registry change, or nothing to act on
    (a sender's test event), with the reason when it is ignored."""

    objects: tuple[ObjectCreated, ...] = ()
    registry: RegistryChange | None = None
    ignored: str | None = None
    delivery: str | None = None  # the sender's message id, when it is in the body
    validation_code: str | None = None  # Event Grid's subscription handshake
    topic: str | None = None  # Event Grid: the storage account the subscription is on


class NotTheShape(ValueError):
    """A verified body that is not what this source sends; ``str()`` is the one-line reason."""


class Unavailable(Exception):
    """Verification needs something that is down (Google's signing keys): answered 503 so
    the sender retries; ``str()`` is the one-line reason."""
