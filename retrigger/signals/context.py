"""What a signal may look at: config, repository, MLflow, the clock. Built once per check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from retrigger.config import LoadedConfig, RetriggerConfig
from retrigger.lineage import trained
from retrigger.lineage.tracking import RunInfo, Tracking


@dataclass
class SignalContext:
    loaded: LoadedConfig
    tracking: Tracking
    now: datetime

    @property
    def config(self) -> RetriggerConfig:
        return self.loaded.config

    @property
    def root(self) -> Path:
        return self.loaded.root

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
