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

    kind: str
    model: str | None
    version: str | None
    alias: str | None = None


@dataclass(frozen=True)
class Parsed:
    """A verified body: the objects it announces, a registry change, or nothing to act on
    (a sender's test event), with the reason when it is ignored."""

    objects: tuple[ObjectCreated, ...] = ()
    registry: RegistryChange | None = None
    ignored: str | None = None


class NotTheShape(ValueError):
    """A verified body that is not what this source sends; ``str()`` is the one-line reason."""
