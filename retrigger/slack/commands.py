"""``/retrain`` text → a command, validated against the configured model names. Pure: no I/O.

Nothing typed here ever reaches a shell: the words are matched against a closed vocabulary
(subcommands, model names, trigger types, ``Nd``), and text with shell metacharacters or of
absurd length is refused outright with the usage message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

MAX_TEXT = 500  # characters; a reason is a sentence, not a file
_SHELL_META = re.compile(r"[;&|`$<>\\(){}\[\]*?!~'\"\n\r\t]")
# Control (NUL…), format (bidi overrides, zero-width), surrogate and private-use characters:
# invisible in Slack, misleading in an audit trail, and PostgreSQL refuses a NUL in text.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co"})
_SINCE = re.compile(r"^(\d{1,4})d$")
TRIGGERS = ("performance", "drift", "schedule", "volume", "manual")

USAGE = """Usage:
• `/retrain <model> [reason]` ask for a retrain of a model
• `/retrain status [model]` the latest decision and pending approvals
• `/retrain history [model] [trigger] [30d]` recent fired decisions
• `/retrain help` this message
Models: {models}"""


@dataclass(frozen=True)
class Help:
    problem: str | None = None


@dataclass(frozen=True)
class Request:
    model: str
    reason: str | None


@dataclass(frozen=True)
class Status:
    model: str | None


@dataclass(frozen=True)
class History:
    model: str | None
    trigger: str | None
    since: timedelta


Command = Help | Request | Status | History


def usage(models: tuple[str, ...], problem: str | None = None) -> str:
    text = USAGE.format(models=", ".join(f"`{m}`" for m in models))
    return f"{problem}\n{text}" if problem else text


def parse(text: str, models: tuple[str, ...]) -> Command:
    if len(text) > MAX_TEXT:
        return Help(f"that is {len(text)} characters; keep it under {MAX_TEXT}")
    if any(unicodedata.category(c) in _INVISIBLE for c in text):
        return Help(
            "control, bidi and zero-width characters are not accepted; type the reason plainly"
        )
    if _SHELL_META.search(text):
        return Help("only words, digits and simple punctuation are accepted")
    words = text.split()
    if not words or words[0] == "help":
        return Help()
    head, rest = words[0], words[1:]
    if head == "status":
        return _status(rest, models)
    if head == "history":
        return _history(rest, models)
    if head in models:
        return Request(model=head, reason=" ".join(rest) or None)
    return Help(f"unknown model or command `{head[:40]}`")


def _status(rest: list[str], models: tuple[str, ...]) -> Command:
    if len(rest) > 1 or (rest and rest[0] not in models):
        return Help("`/retrain status` takes at most one configured model name")
    return Status(model=rest[0] if rest else None)


def _history(rest: list[str], models: tuple[str, ...]) -> Command:
    model = trigger = None
    since = timedelta(days=30)
    for word in rest:
        match = _SINCE.match(word)
        if word in models and model is None:
            model = word
        elif word in TRIGGERS and trigger is None:
            trigger = word
        elif match and int(match.group(1)) > 0:
            since = timedelta(days=int(match.group(1)))
        else:
            return Help(f"`/retrain history` does not understand `{word[:40]}`")
    return History(model=model, trigger=trigger, since=since)
