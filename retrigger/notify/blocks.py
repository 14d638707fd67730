"""Block Kit pieces for outbox messages, kept inside Slack's limits.

Limits (https://api.slack.com/reference/block-kit/blocks): a header's text 150 characters, a
section's text 3000 and at most 10 fields of 2000 each, a context at most 10 elements, an
actions block at most 25 elements, a button's text 75 and its url 3000. Text is cut with an
ellipsis, never mid-word when a space is near; lists say how many items they left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from retrigger.units import format as fmt

Block = dict[str, Any]
HEADER_MAX, SECTION_MAX, FIELD_MAX, FIELDS_MAX = 150, 3000, 2000, 10
CONTEXT_MAX, BUTTON_TEXT_MAX, URL_MAX = 10, 75, 3000


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: cut at the last space before it, plus ``…``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def listed(items: list[str], limit: int, noun: str, sep: str = ", ") -> str:
    """As many whole items as fit in ``limit`` characters, then ``… and N more <noun>``."""
    shown: list[str] = []
    used = 0
    for i, item in enumerate(items):
        rest = len(items) - i
        tail = len(f"{sep}… and {rest} more {noun}")
        if used + len(sep) * bool(shown) + len(item) + (tail if rest > 1 else 0) > limit:
            return sep.join(shown) + f"{sep if shown else ''}… and {rest} more {noun}"
        shown.append(item)
        used += len(item) + len(sep) * (len(shown) > 1)
    return sep.join(shown)


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_MAX)}}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_MAX)}}


def code(title: str, lines: list[str]) -> Block:
    """``title`` then ``lines`` as a code block; the first lines go when they do not fit (the
    last ones say why a command failed). Backticks inside cannot close the block early."""
    kept: list[str] = []
    room = SECTION_MAX - len(title) - 10
    for line in reversed(lines):
        line = line.replace("```", "`\u200b``")
        room -= len(line) + 1
        if room < 0:
            break
        kept.append(line)
    body = "\n".join(reversed(kept)) or " "
    return section(f"{title}\n```\n{body}\n```")


def fields(pairs: list[tuple[str, str]]) -> list[Block]:
    """``*label*\\nvalue`` fields, ten to a section."""
    texts = [
        {"type": "mrkdwn", "text": clip(f"*{label}*\n{value}", FIELD_MAX)} for label, value in pairs
    ]
    return [
        {"type": "section", "fields": texts[i : i + FIELDS_MAX]}
        for i in range(0, len(texts), FIELDS_MAX)
    ]


def context(parts: list[str]) -> Block:
    elements = [{"type": "mrkdwn", "text": clip(p, SECTION_MAX)} for p in parts if p]
    return {"type": "context", "elements": elements[:CONTEXT_MAX]}


def link_buttons(links: dict[str, str]) -> Block | None:
    """A button per link (``{"MLflow run": url}``); links too long for Slack are left out."""
    elements = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": clip(label, BUTTON_TEXT_MAX)},
            "url": url,
            "action_id": f"link_{i}",
        }
        for i, (label, url) in enumerate(links.items())
        if url.startswith(("http://", "https://")) and len(url) <= URL_MAX
    ]
    return {"type": "actions", "elements": elements[:25]} if elements else None


def local_time(when: str | None) -> str:
    """A time every reader sees in their own zone: ``<!date^…>`` with a UTC fallback."""
    if not when:
        return fmt.MISSING
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return when
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (
        f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|"
        f"{fmt.timestamp(moment)}>"
    )
