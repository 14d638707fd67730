"""The text of a data-arrival message: the new data version and what changed, per path."""

from __future__ import annotations

from typing import Any

from retrigger.units import format as fmt


def _g(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return "?" if value is None else str(value)


def arrival_text(p: dict[str, Any]) -> str:
    """A data arrival; ``delta`` is ``retrigger delta --json`` (per path) or flat numbers."""
    delta = p.get("delta") or {}
    lines = [
        f"New data for *{_g(p, 'model')}*: version {_g(p, 'data_version')}"
        + (f" (was {delta['data_version_old']})" if delta.get("data_version_old") else "")
    ]
    for entry in delta.get("paths") or []:
        lines.append(f"• {entry.get('path')}: {_changes(entry.get('delta') or {})}")
    flat = _changes({k: v for k, v in delta.items() if k != "paths"})
    if flat != "no change measured":
        lines.append(f"• {flat}")
    return "\n".join(lines)


def _changes(delta: dict[str, Any]) -> str:
    parts = []
    if isinstance(delta.get("rows"), int):
        pct = delta.get("rows_pct")
        parts.append(
            fmt.count(delta["rows"], "rows", signed=True)
            + (f" ({fmt.number(pct, 3, signed=True)}%)" if pct is not None else "")
        )
    if isinstance(delta.get("bytes"), int):
        parts.append(fmt.size(delta["bytes"], signed=True))
    for key in ("files_added", "files_removed", "files_modified"):
        if delta.get(key):
            parts.append(f"{fmt.count(delta[key], 'files')} {key.removeprefix('files_')}")
    if delta.get("rows_added"):
        parts.append(f"{fmt.count(delta['rows_added'], 'rows')} added")
    if delta.get("bytes_added"):
        parts.append(f"{fmt.size(delta['bytes_added'])} added")
    return ", ".join(parts) or "no change measured"
