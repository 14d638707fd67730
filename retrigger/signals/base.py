"""What a signal is: something that reads the world and returns a ``Reading``.

Signals are plugins (STYLE.md #7): a class satisfying ``Signal`` registered in
``retrigger.signals.registry.SIGNALS`` under its config key. A signal whose config section is
absent is simply not evaluated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from retrigger.decision import Reading

if TYPE_CHECKING:
    from retrigger.signals.context import SignalContext

__all__ = ["Reading", "Signal"]


class Signal(Protocol):
    """A source of one reading. ``kind`` is also the config key under ``signals:``."""

    kind: str

    def read(self, ctx: SignalContext) -> Reading:
        """Read the world through ``ctx`` (never directly) and judge it."""
        ...
