"""Reading the primary metric from the JSON metrics file the pipeline writes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from retrigger.errors import BadInput


def read_metric(path: Path, key: str) -> float:
    """The finite number at ``key`` (dots reach into nested objects, as in ``dvc metrics``)."""
    if not path.is_file():
        raise BadInput(f"metrics file {path} does not exist; run the pipeline (`dvc repro`) "
                       "or fix model.metrics_file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"metrics file {path} is not valid JSON ({exc}); "
                       "fix the file or the stage that writes it") from None
    return parse_metric(text, key, str(path))


def parse_metric(text: str, key: str, where: str) -> float:
    """The finite number at ``key`` in a metrics file's text (``where`` names it in messages:
    a path, or ``metrics.json@<commit>`` when read from git history)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"metrics file {where} is not valid JSON ({exc}); "
                       "fix the file or the stage that writes it") from None
    value = _lookup(data, key)
    if value is _MISSING:
        keys = ", ".join(sorted(data)) if isinstance(data, dict) else "none"
        raise BadInput(f"metric {key!r} is not in {where} (keys: {keys}); fix model.metric")
    return finite_number(value, f"metric {key!r} in {where}")


def finite_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{what} is {value!r}, not a number; the pipeline must write a number")
    number = float(value)
    if not math.isfinite(number):
        raise BadInput(f"{what} is {number}, not a finite number; check the evaluation stage")
    return number


_MISSING = object()


def _lookup(data: Any, key: str) -> Any:
    if isinstance(data, dict) and key in data:
        return data[key]
    node = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node
