"""Datetimes read back from the state store.

SQLite keeps no time zone: a ``DateTime(timezone=True)`` column comes back naive. Everything
retrigger stores is UTC, so a naive value read back is UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def aware(value: datetime) -> datetime:
    """``value`` with its time zone: UTC when the database dropped it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def aware_values(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row's columns, every datetime among them made aware."""
    return {
        key: aware(value) if isinstance(value, datetime) else value for key, value in row.items()
    }
