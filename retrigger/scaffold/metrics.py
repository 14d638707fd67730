"""Choosing the primary metric among the numbers a metrics file holds.

A held-out split (test, val, valid, validation, eval) is preferred to train: a model is judged
on data it did not see. Well-known names also say which way is better.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# Order matters: the first well-known name present wins.
HIGHER = ("accuracy", "acc", "f1", "auc", "precision", "prec", "recall", "r2")
LOWER = ("rmse", "mae", "mse", "loss", "error")
HELD_OUT = ("test", "val", "valid", "validation", "eval", "holdout")
TRAIN = ("train", "training")


@dataclass(frozen=True)
class MetricChoice:
    key: str | None  # dotted path in the file, None when nothing can be chosen
    greater_is_better: bool | None  # None: the name does not say
    alternatives: tuple[str, ...]


def numeric_keys(text: str) -> list[str]:
    """Every number in a JSON document, as dotted paths (``roc_auc.test``); [] if not JSON."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return []
    keys: list[str] = []
    _walk(data, "", keys)
    return keys


def choose(keys: list[str]) -> MetricChoice:
    """The best candidate and the others; no key when no candidate exists."""
    if not keys:
        return MetricChoice(None, None, ())
    held_out = [k for k in keys if _split(k) == "held-out"]
    pool = held_out or [k for k in keys if _split(k) != "train"] or keys
    ranked = sorted(pool, key=_rank)
    best = ranked[0]
    return MetricChoice(best, direction(best), tuple(k for k in keys if k != best))


def direction(key: str) -> bool | None:
    """True when a bigger number is better, False when smaller is, None when unknown."""
    words = _words(key)
    if any(w in LOWER for w in words):
        return False
    if any(w in HIGHER for w in words):
        return True
    return None


def _rank(key: str) -> tuple[int, int]:
    words = _words(key)
    known = HIGHER + LOWER
    positions = [known.index(w) for w in words if w in known]
    return (0, min(positions)) if positions else (1, 0)


def _split(key: str) -> str:
    words = _words(key)
    if any(w in HELD_OUT for w in words):
        return "held-out"
    if any(w in TRAIN for w in words):
        return "train"
    return "unknown"


def _words(key: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", key.lower()) if w]


def _walk(node: Any, prefix: str, keys: list[str]) -> None:
    if isinstance(node, dict):
        for name, value in node.items():
            _walk(value, f"{prefix}{name}.", keys)
    elif isinstance(node, int | float) and not isinstance(node, bool) and prefix:
        keys.append(prefix.rstrip("."))


def floor(current: float, greater_is_better: bool) -> float:
    """5% on the side that means worse, to two significant digits rounded the way that fires
    later (a floor down, a ceiling up): the first check of a healthy model does not fire."""
    value = current * (0.95 if greater_is_better else 1.05)
    scale: float = 10.0 ** (math.floor(math.log10(abs(value))) - 1)
    steps = value / scale
    rounded = math.floor(steps) if greater_is_better else math.ceil(steps)
    return round(rounded * scale, 12)
