"""When to retrain: ``signals`` (performance, schedule, volume, drift) and ``data_fetch``,
what ``check`` may fetch for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from retrigger.config.sections.base import Duration, Section


class PerformanceSignalConfig(Section):
    source: Literal["metrics", "validation", "estimated"] = Field(
        default="metrics",
        description="metrics: the metrics file or MLflow run; validation: "
        "score the champion on validation.data; estimated: estimate it on estimation.data",
    )
    min: float | None = Field(default=None, description="absolute floor of the primary metric")
    max_drop: float | None = Field(
        default=None, description="allowed relative drop from the baseline run, in (0, 1)"
    )

    @field_validator("max_drop")
    @classmethod
    def _drop_is_a_fraction(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 1:
            raise ValueError(f"must be between 0 and 1 exclusive (0.05 means 5%), got {value}")
        return value

    @model_validator(mode="after")
    def _has_a_threshold(self) -> PerformanceSignalConfig:
        if self.min is None and self.max_drop is None:
            raise ValueError("set min (an absolute floor), max_drop (relative to baseline) or both")
        return self


class ScheduleSignalConfig(Section):
    max_age: Duration


class VolumeSignalConfig(Section):
    min_new_rows: int | None = Field(default=None, ge=1)
    min_growth: float | None = Field(default=None, gt=0)


class SparkConfig(Section):
    """``signals.drift.spark``: where ``engine: spark`` runs its aggregates."""

    master: str = Field(default="local[2]", description="a SparkSession master, e.g. local[2]")
    remote: str | None = Field(
        default=None, description="a Spark Connect URL sc://HOST:PORT (used instead of master)"
    )
    timeout: Duration = Field(
        default=timedelta(minutes=2), description="give up on the Spark session after this long"
    )

    @field_validator("remote")
    @classmethod
    def _connect_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("sc://"):
            raise ValueError(f"{value!r} is not a Spark Connect URL; write sc://HOST:PORT")
        return value


DriftEngine = Literal["auto", "duckdb", "spark", "memory"]


class DriftSignalConfig(Section):
    share: float = Field(default=0.5, gt=0, le=1)
    columns: list[str] | None = None
    stattest: dict[str, str] = Field(default_factory=dict)
    threshold: dict[str, float] = Field(default_factory=dict)
    warn: float | None = Field(default=None, gt=0, lt=1)
    bonferroni: bool = False
    schema_change_is_drift: bool = False
    current: Literal["auto", "all", "new"] = Field(
        default="auto",
        description="the current rows compared: all; new (those past the reference's row "
        "count); auto: new when the current data starts with the reference's rows",
    )
    # --- calibrated mode (docs/drift-calibrated.md) ---
    mode: Literal["compatible", "calibrated"] = Field(
        default="compatible",
        description="compatible: Evidently's tests and thresholds; calibrated: an effect size "
        "per column whose lower confidence bound must clear a tolerance",
    )
    tolerance: dict[str, float] = Field(
        default_factory=dict,
        description="calibrated: the effect size a column may move without drifting, per "
        "column or per kind (type:num, type:cat, type:binary); 0.1 when not set",
    )
    fdr: float = Field(
        default=0.05, gt=0, lt=0.5, description="calibrated: false discovery rate across columns"
    )
    bootstrap: int = Field(
        default=500, ge=50, le=100_000, description="calibrated: bootstrap replicates"
    )
    seed: int = Field(default=0, ge=0, description="calibrated: the bootstrap's seed")
    persist: str | None = Field(
        default=None,
        description='fire only when the dataset verdict held in k of the last m checks ("2/3")',
    )
    sequential: bool = Field(
        default=False,
        description="calibrated: an anytime-valid betting test per column over the checks",
    )
    sequential_alpha: float = Field(
        default=0.05, gt=0, lt=1, description="sequential: P(any false alarm, ever) at most this"
    )
    engine: DriftEngine = Field(
        default="auto",
        description="memory: the exact tests on the rows; duckdb/spark: scores from cached "
        "per-partition profiles; auto: memory up to exact_up_to_bytes, else duckdb",
    )
    exact: bool = Field(default=False, description="always the exact in-memory tests")
    exact_up_to_bytes: int = Field(
        default=256 * 1024 * 1024, ge=0, description="auto: data files up to this size are exact"
    )
    memory_limit: str | None = Field(default=None, description="DuckDB's memory_limit, e.g. 1GB")
    threads: int | None = Field(default=None, ge=1, description="DuckDB's threads")
    bins: int = Field(default=1000, ge=2, le=100_000, description="histogram bins per column")
    top_k: int = Field(default=100, ge=1, le=100_000, description="categories kept per column")
    spark: SparkConfig = Field(
        default=SparkConfig(), description="where engine: spark runs (master or Spark Connect)"
    )

    @field_validator("tolerance")
    @classmethod
    def _tolerances_positive(cls, value: dict[str, float]) -> dict[str, float]:
        for key, tol in value.items():
            if not 0 < tol <= 10:
                raise ValueError(f"{key}: a tolerance is an effect size in (0, 10], not {tol}")
        return value

    @field_validator("persist")
    @classmethod
    def _k_of_m(cls, value: str | None) -> str | None:
        if value is not None:
            k, sep, m = value.partition("/")
            if not (sep and k.isdigit() and m.isdigit() and 1 <= int(k) <= int(m) <= 50):
                raise ValueError(
                    f'must be "k/m" with 1 <= k <= m <= 50, such as "2/3", not {value!r}'
                )
        return value

    @model_validator(mode="after")
    def _sequential_needs_effects(self) -> DriftSignalConfig:
        if self.sequential and self.mode != "calibrated":
            raise ValueError("sequential: true bets on effect sizes; set mode: calibrated")
        return self

    @property
    def persist_k_m(self) -> tuple[int, int] | None:
        if self.persist is None:
            return None
        k, _, m = self.persist.partition("/")
        return int(k), int(m)


class PartitionedData(Section):
    """A ``data:`` entry written as a mapping: a folder (or ``s3://`` prefix) of hive-partitioned
    Parquet, profiled partition by partition."""

    path: str = Field(
        min_length=1,
        description="a folder in the repository, DVC-tracked, or an s3:// prefix "
        "(read by the drift and volume signals only)",
    )
    format: Literal["parquet"] = Field(default="parquet", description="the files' format")
    partitioning: Literal["hive"] = Field(
        default="hive", description="hive: one folder per partition, named key=value"
    )

    @property
    def remote(self) -> bool:
        return "://" in self.path


class DataFetchConfig(Section):
    """``data_fetch:``: what ``check`` may fetch from the DVC remote for the signals."""

    mode: Literal["auto", "never"] = Field(
        default="auto",
        description="auto: fetch a compared version (the trained data) that is "
        "not in the local DVC cache; never: read only what is cached",
    )
    timeout: Duration = Field(
        default=timedelta(minutes=2), description="give up on `dvc fetch` after this long"
    )

    @field_validator("timeout")
    @classmethod
    def _timeout_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration such as 2m")
        return value


class SignalsConfig(Section):
    performance: PerformanceSignalConfig | None = None
    schedule: ScheduleSignalConfig | None = None
    volume: VolumeSignalConfig | None = None
    drift: DriftSignalConfig | None = None
