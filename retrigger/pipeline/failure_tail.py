"""What a failing command said last: the cause of a failed retrain, carried to every place a
person looks (the attempt's facts, the Slack message, ``retrigger explain``, the MLflow run).

``dvc repro`` ends a failure with "failed to reproduce 'train'"; the stage's own error (a
``MemoryError``, a missing column) is a few lines above it. Every line a step's command prints
goes to a log file under ``.retrigger/logs/<attempt>/<step>.log``; the last ``TAIL_LINES``
(at most ``TAIL_BYTES``) are kept with the attempt. Both are masked first: the values of
environment variables whose name says they are secret, and credentials inside URLs, never leave
the process — a stage that prints its environment must not post a token to Slack.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

TAIL_LINES, TAIL_BYTES = 15, 3000
MASK = "****"
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|API_?KEY|ACCESS_KEY|CREDENTIAL|AUTH", re.I)
# scheme://user:password@host: the password goes, the rest says where it pointed.
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@", re.I)
_SHORTEST_SECRET = 4  # shorter values ("1", "yes") would mask ordinary words


def secret_values(env: Mapping[str, str], extra: list[str] | None = None) -> list[str]:
    """The values to mask: env variables named like secrets, plus ``extra``; longest first, so
    a secret containing another is masked whole."""
    found = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= _SHORTEST_SECRET}
    found.update(v for v in extra or [] if len(v) >= _SHORTEST_SECRET)
    return sorted(found, key=len, reverse=True)


def process_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The secrets of a command this process runs with ``env`` added: its environment's and
    retrigger's own (``SLACK_BOT_TOKEN``…)."""
    from retrigger.config.secrets import Secrets
    from retrigger.proc import clean_env

    return secret_values(clean_env(env), Secrets.from_env().values())


def mask(text: str, secrets: list[str]) -> str:
    for value in secrets:
        text = text.replace(value, MASK)
    return _URL_CREDENTIALS.sub(lambda m: f"{m['head']}{MASK}@", text)


@dataclass(frozen=True)
class OutputTail:
    """The last lines a step's command printed before it failed, masked."""

    step: str
    lines: list[str]
    log_path: str | None  # the whole output, masked, on this machine

    @property
    def artifact(self) -> str:
        """Where the log lands in the retrain's MLflow run: ``retrigger/repro.log``."""
        return f"retrigger/{self.step}.log"

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "lines": self.lines, "log": self.log_path}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> OutputTail:
        lines = doc.get("lines")
        log = doc.get("log")
        return cls(
            str(doc.get("step") or "?"),
            [str(line) for line in lines] if isinstance(lines, list) else [],
            None if log is None else str(log),
        )


def bounded(lines: list[str]) -> list[str]:
    """The last lines that fit in ``TAIL_LINES`` and ``TAIL_BYTES``."""
    kept: list[str] = []
    used = 0
    for line in reversed(lines[-TAIL_LINES:]):
        line = line[:500]  # one huge line (a progress bar) must not push out the rest
        used += len(line.encode()) + 1
        if used > TAIL_BYTES and kept:
            break
        kept.append(line)
    return kept[::-1]


class OutputLog:
    """Every line of one step's command, masked, written to its log file as it comes; the
    last lines kept in memory for the attempt."""

    def __init__(self, root: Path, attempt_id: str, step: str, secrets: list[str]) -> None:
        self.step = step
        self.secrets = secrets
        self.path = root / ".retrigger" / "logs" / attempt_id / f"{step}.log"
        self.last: deque[str] = deque(maxlen=TAIL_LINES)
        self._file: IO[str] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8")
        except OSError:  # a read-only tree still fails with its cause, in memory only
            self._file = None

    def add(self, line: str) -> None:
        masked = mask(line.rstrip("\n"), self.secrets)
        self.last.append(masked)
        if self._file is not None:
            self._file.write(masked + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def tail(self) -> OutputTail:
        return OutputTail(
            self.step, bounded(list(self.last)), str(self.path) if self._file else None
        )


def log_to_run(client: Any, run_id: str, tail: OutputTail) -> None:
    """The step's log as the run's ``retrigger/<step>.log`` (the tail when the file is gone)."""
    path = Path(tail.log_path) if tail.log_path else None
    if path is not None and path.is_file():
        client.log_artifact(run_id, str(path), "retrigger")
    else:
        client.log_text(run_id, "\n".join(tail.lines) + "\n", tail.artifact)
