"""What ``dvc repro`` did, read from its own log lines: the stages whose commands ran, the
stages it skipped as unchanged and those it restored from DVC's run cache.

A retrain whose ``dvc repro`` ran no stage command trained nothing: there is no new model to
validate, register or promote. DVC says so line by line (``dvc/stage/run.py``,
``dvc/stage/__init__.py``, ``dvc/stage/cache.py``) and ends with a summary line
(``dvc/commands/repro.py``); only a run that printed that summary is judged, so a quiet
(``-q``) or custom pipeline command is never called "nothing trained".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePath
from typing import Any

_RAN = re.compile(r"^Running stage '(?P<stage>.+)':$")
# A data source (``'data.csv.dvc' didn't change``, no "Stage") is no stage of the pipeline.
_UNCHANGED = re.compile(r"^Stage '(?P<stage>.+)' didn't change, skipping$")
_RESTORED = re.compile(r"^Stage '(?P<stage>.+)' is cached - skipping run, checking out outputs$")
# The last line of `dvc repro`: nothing reproduced, or something was (ran or restored).
_SUMMARIES = ("Data and pipelines are up to date.", "Use `dvc push` to send your updates")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def is_dvc_repro(command: list[str]) -> bool:
    """``dvc repro …`` (or ``python -m dvc repro …``): the commands whose log is read."""
    names = [PurePath(arg).name for arg in command]
    return ("dvc", "repro") in pairwise(names)


@dataclass
class ReproReport:
    """Filled line by line while ``dvc repro`` runs; stored with the attempt's facts."""

    ran: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # from DVC's run cache, not run
    finished: bool = False  # DVC printed its summary line: the lists are complete
    # Stages a manual retrain ran with `dvc repro --force` (retrigger.pipeline.force).
    forced: list[str] = field(default_factory=list)

    def see(self, line: str) -> None:
        text = _ANSI.sub("", line).strip()
        for pattern, into in (
            (_RAN, self.ran),
            (_UNCHANGED, self.unchanged),
            (_RESTORED, self.restored),
        ):
            found = pattern.match(text)
            if found is not None:
                if found["stage"] not in into:
                    into.append(found["stage"])
                return
        if text.startswith(_SUMMARIES):
            self.finished = True

    @property
    def trained_nothing(self) -> bool:
        """DVC finished and ran no stage command: every stage was unchanged or restored."""
        return self.finished and not self.ran

    def describe(self) -> str:
        """One line: what ran, what was skipped and why."""
        parts = []
        if self.forced:
            parts.append(
                f"forced {', '.join(self.forced)} (`dvc repro --force`: past DVC's up-to-date "
                "check and run cache)"
            )
        if self.ran:
            parts.append(f"ran {', '.join(self.ran)}")
        if self.unchanged:
            parts.append(f"{', '.join(self.unchanged)} unchanged since dvc.lock")
        if self.restored:
            parts.append(
                f"{', '.join(self.restored)} restored from DVC's run cache, which ran them "
                "before on the same deps and params"
            )
        if not parts:
            return "no stage reported" if self.finished else "no DVC stage report"
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "unchanged": self.unchanged,
            "restored": self.restored,
            "finished": self.finished,
            "forced": self.forced,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReproReport:
        def names(key: str) -> list[str]:
            value = doc.get(key)
            return [str(v) for v in value] if isinstance(value, list) else []

        return cls(
            names("ran"),
            names("unchanged"),
            names("restored"),
            bool(doc.get("finished")),
            names("forced"),
        )
