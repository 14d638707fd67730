"""Small workspaces for the bot and notification tests: a retrigger.yaml and a state store,
no MLflow and no DVC (those tests do not read signals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from retrigger.decision import Decision, Reading, new_decision_id
from retrigger.workspace import Workspace

START = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)

    def sleep(self, seconds: float) -> None:
        """What a paced worker waits: recorded, and the time moves on, without real waiting."""
        self.slept.append(seconds)
        self.advance(seconds=seconds)


def write_config(root: Path, *, store_url: str | None = None, **slack: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {"model": {"name": "churn"}, "slack": slack}
    if store_url is not None:
        document["state"] = {"url": store_url}
    path = root / "retrigger.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def mini_workspace(
    root: Path, clock: Clock | None = None, *, store_url: str | None = None, **slack: Any
) -> Workspace:
    workspace = Workspace.load(write_config(root, store_url=store_url, **slack))
    if clock is not None:
        workspace.clock = clock
        workspace.sleep = clock.sleep
    return workspace


def fired_decision(
    now: datetime = START,
    *,
    requested_by: str | None = None,
    commit: str = "c0ffee",
    data: str = "abc123",
) -> Decision:
    return Decision(
        id=new_decision_id(now),
        model="churn",
        created_at=now,
        fire=True,
        wanted=True,
        trigger_types=("performance",),
        held_by=None,
        hold_detail=None,
        readings=(Reading("performance", 0.71, 0.85, True, "accuracy below the floor"),),
        data_version=data,
        data_paths={"data/train.csv": "d41d8"},
        git_commit=commit,
        requested_by=requested_by,
    )
