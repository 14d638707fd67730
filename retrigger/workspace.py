"""A workspace: one loaded config and the real parts it points at (store, MLflow, clock).

Front doors build one and hand it to engine operations; tests build one around temp dirs.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.config import LoadedConfig, RetriggerConfig, load_config
from retrigger.lineage.tracking import Tracking, absolute_uri
from retrigger.proc import Interpreter, pipeline_interpreter
from retrigger.units import format as fmt
from retrigger.units.format import shown_url

if TYPE_CHECKING:
    from retrigger.store import Store


log = logging.getLogger(__name__)

# Held while the stores are created: two commands started together on a fresh project (a hook
# and a ``check``, two CI jobs) would both run MLflow's SQLite migrations and fail ("table …
# already exists"). ``flock`` is dropped by the kernel when its holder dies.
INIT_LOCK = Path(".retrigger") / "init.lock"


@contextmanager
def held(path: Path) -> Iterator[None]:
    """An exclusive lock on PATH (created with its folder) while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass
class Workspace:
    loaded: LoadedConfig
    clock: Callable[[], datetime] = field(default=utc_now)
    sleep: Callable[[float], None] = field(default=time.sleep)

    @classmethod
    def load(cls, config_path: Path | None = None) -> Workspace:
        return cls(load_config(config_path))

    @property
    def config(self) -> RetriggerConfig:
        return self.loaded.config

    @property
    def root(self) -> Path:
        return self.loaded.root

    @cached_property
    def store(self) -> Store:
        # SQLAlchemy costs ~0.3 s to import; commands that never touch state skip it.
        from retrigger.store import Store
        from retrigger.store.problems import from_os_error

        url = self.config.state.url
        started = time.monotonic()
        try:
            # Created once: two commands on a fresh project must not both build the schema
            # (PostgreSQL takes its own advisory lock while it upgrades).
            with held(self.root / INIT_LOCK) if url.startswith("sqlite") else nullcontext():
                store = Store.open(url, self.root)
        except OSError as exc:  # the SQLite file's folder: a full disk, a read-only mount
            raise from_os_error(exc, self.config.state.url) from None
        log.info(
            "state store %s opened in %s", shown_url(url), fmt.duration(time.monotonic() - started)
        )
        self.replay_spool(store)
        return store

    @property
    def spool_folder(self) -> Path:
        """Where a hook keeps arrivals the state store could not take (``store.spool``)."""
        return self.root / ".retrigger"

    def replay_spool(self, store: Store | None = None) -> int:
        """Record the arrivals hooks kept while the store was busy; every command that opens
        the store, and the bot's loop, calls this (a stat when there is nothing)."""
        from retrigger.store import spool

        if not spool.pending(self.spool_folder):
            return 0
        return spool.replay(store or self.store, self.spool_folder)

    @cached_property
    def interpreter(self) -> Interpreter:
        """The environment the pipeline's commands run in (ConfigError when misconfigured)."""
        pipeline = self.config.pipeline
        return pipeline_interpreter(
            self.root, pipeline.python, pipeline.env == "retrigger", os.environ
        )

    @cached_property
    def tracking(self) -> Tracking:
        settings = self.config.tracking
        location = settings.artifact_location
        if location is None and settings.uri.startswith("sqlite:"):
            # MLflow would default to ./mlruns under whatever the cwd happens to be.
            location = (self.root / "mlartifacts").resolve().as_uri()
        return Tracking(
            absolute_uri(settings.uri, self.root),
            settings.experiment,
            settings.timeout,
            location,
            init_lock=lambda: held(self.root / INIT_LOCK),
        )
