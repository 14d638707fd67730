"""What a signal is: something that reads the world and returns a ``Reading``.

Signals are plugins (STYLE.md #7): a class satisfying ``Signal`` registered in
``retrigger.signals.registry.SIGNALS`` under its config key. A signal whose config section is
absent is simply not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from retrigger.signals.context import SignalContext


@dataclass(frozen=True)
class Reading:
    """One signal's verdict: the value read, the threshold it was held against, and why."""

    kind: str
    value: float | None
    threshold: float | None
    fired: bool
    detail: str
    # Extra facts for reports and the audit trail (e.g. drifted columns); JSON-serialisable.
    extra: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "value": self.value,
            "threshold": self.threshold,
            "fired": self.fired,
            "detail": self.detail,
        }


class Signal(Protocol):
    """A source of one reading. ``kind`` is also the config key under ``signals:``."""

    kind: str

    def read(self, ctx: SignalContext) -> Reading:
        """Read the world through ``ctx`` (never directly) and judge it."""
        ...
