"""Reading the primary metric from the JSON metrics file the pipeline writes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from retrigger.errors import BadInput


def read_metric(path: Path, key: str, root: Path | None = None) -> float:
    """The finite number at ``key`` (dots reach into nested objects, as in ``dvc metrics``);
    with ``root``, a file that resolves outside it (a symlink leaving the repository) is
    refused like any path outside it."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise BadInput(
            f"metrics file {path} leads outside the repository (to {path.resolve()}); "
            "model.metrics_file must be a path inside the repository"
        )
    if not path.is_file():
        raise BadInput(
            f"metrics file {path} does not exist; run the pipeline (`dvc repro`) "
            "or fix model.metrics_file"
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"cannot read metrics file {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"metrics file {path} is not usable JSON ({exc}); "
            "fix the file or the stage that writes it"
        ) from None
    return parse_metric(text, key, str(path))


def parse_metric(text: str, key: str, where: str) -> float:
    """The finite number at ``key`` in a metrics file's text (``where`` names it in messages:
    a path, or ``metrics.json@<commit>`` when read from git history)."""
    data = _parse(text, where)
    value = _lookup(data, key)
    if value is _MISSING:
        keys = ", ".join(sorted(data)) if isinstance(data, dict) else "none"
        raise BadInput(f"metric {key!r} is not in {where} (keys: {keys}); fix model.metric")
    return finite_number(value, f"metric {key!r} in {where}")


# A metrics file holds a handful of numbers; anything far bigger is not one.
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
_MAX_DIGITS = 400


def _parse(text: str, where: str) -> Any:
    """The JSON, or one BadInput naming the file: never a RecursionError or ValueError."""
    problem = _refuse_shape(text)
    if problem is None:
        try:
            return json.loads(text, parse_int=_bounded_int)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError included
            problem = str(exc)[:200]
    raise BadInput(
        f"metrics file {where} is not usable JSON ({problem}); "
        "fix the file or the stage that writes it"
    )


def _refuse_shape(text: str) -> str | None:
    if len(text) > MAX_BYTES:
        return f"larger than {MAX_BYTES // (1024 * 1024)} MiB"
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None  # the usual file: too few brackets to nest deeply, no need to scan
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # strings may hold brackets: track them so only structure counts
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return f"nested more than {MAX_DEPTH} levels" if deepest > MAX_DEPTH else None


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"a number with {len(text)} digits")
    return int(text)


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
