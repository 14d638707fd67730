"""What a signal may look at: config, repository, MLflow, the clock. Built once per check.

It also fetches, once per check, the data versions the signals compare against when the local
DVC cache lacks them (a fresh CI clone has only what `dvc pull` brought: today's data).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.config import LoadedConfig, RetriggerConfig
from retrigger.lineage import trained
from retrigger.lineage.snapshot import Snapshot
from retrigger.lineage.tracking import RunInfo, Tracking

if TYPE_CHECKING:
    from retrigger.store import Store


@dataclass
class SignalContext:
    loaded: LoadedConfig
    tracking: Tracking
    now: datetime
    fetched: list[str] = field(default_factory=list)  # one line per `dvc fetch` that ran
    # The decision these readings will be stored in, and what the work tree holds: the drift
    # page names them. Filled by ``check``; ``current`` reads the work tree when not given.
    decision_id: str | None = None
    snapshot: Snapshot | None = None
    _fetch_failures: dict[str, str] = field(default_factory=dict)  # md5 → why not fetched
    # The state store, for signals that read their own past readings (drift persistence);
    # None where there is no history to read (a backtest replays without one).
    store: Store | None = None

    @property
    def config(self) -> RetriggerConfig:
        return self.loaded.config

    @property
    def root(self) -> Path:
        return self.loaded.root

    def current(self) -> Snapshot:
        """The git commit and data versions of the work tree (read once)."""
        if self.snapshot is None:
            from retrigger.lineage.snapshot import current

            self.snapshot = current(self.root, self.config.data)
        return self.snapshot

    @cached_property
    def retrains(self) -> list[RunInfo]:
        """Retrain runs recorded in MLflow, newest first."""
        return self.tracking.retrains()

    @cached_property
    def baseline(self) -> RunInfo | None:
        return self.tracking.baseline()

    @cached_property
    def last_successful_retrain(self) -> RunInfo | None:
        return trained.last_successful(self.retrains)

    @cached_property
    def trained_run(self) -> RunInfo | None:
        """The run whose data the model in use was trained on: last retrain, else baseline."""
        return self.last_successful_retrain or self.baseline

    @property
    def trained_data_version(self) -> str | None:
        run = self.trained_run
        return run.data_version if run is not None else None

    @property
    def trained_paths(self) -> dict[str, str]:
        """Path → DVC md5 of the data the model in use was trained on (empty if unknown)."""
        return trained.data_paths(self.trained_run)

    def ensure_cached(self, wanted: Mapping[str, str]) -> dict[str, str]:
        """Fetch the versions in ``wanted`` (path → md5) that the local DVC cache lacks, unless
        ``data_fetch.mode`` is never; return path → why it is still missing."""
        from retrigger.data.cache import missing

        absent = {p: md5 for p, md5 in wanted.items() if missing(self.root, md5)}
        todo = [(p, md5) for p, md5 in absent.items() if md5 not in self._fetch_failures]
        if todo and self.config.data_fetch.mode == "auto":
            self._fetch(todo)
        reasons = {}
        for path, md5 in absent.items():
            if not missing(self.root, md5):
                continue
            reasons[path] = self._fetch_failures.get(md5) or (
                f"{path} ({md5[:8]}) is not in the local DVC cache and data_fetch.mode is "
                "never; run `retrigger delta --fetch`"
            )
        return reasons

    def _fetch(self, todo: list[tuple[str, str]]) -> None:
        from retrigger.data.cache import fetch, missing
        from retrigger.data.remote import default_remote
        from retrigger.errors import RetriggerError

        remote = default_remote(self.root)
        if remote is None:
            for _, md5 in todo:
                self._fetch_failures[md5] = (
                    "not in the local DVC cache, and no DVC remote is "
                    "set to fetch it from (`dvc remote add -d NAME URL`)"
                )
            return
        where = f"remote {remote!r}"
        started = time.monotonic()
        try:
            arrived = fetch(self.root, todo, self.config.data_fetch.timeout.total_seconds(), remote)
        except RetriggerError as exc:
            for _, md5 in todo:
                self._fetch_failures[md5] = f"could not fetch it from {where}: {exc}"
            return
        for path, md5 in todo:
            if missing(self.root, md5):
                self._fetch_failures[md5] = f"{path} ({md5[:8]}) is not on {where} either"
        if arrived:  # said only of what really arrived: `dvc fetch` exits 0 without it too
            names = ", ".join(f"{path}@{md5[:8]}" for path, md5 in arrived)
            self.fetched.append(
                f"fetched {names} from {where} in "
                f"{time.monotonic() - started:.1f}s (data_fetch.mode: auto)"
            )
