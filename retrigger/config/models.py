"""The schema of ``retrigger.yaml``: one pydantic model per section.

Unknown keys are refused (``extra="forbid"``) so a typo never silently turns a threshold off.
A signal section that is absent is not evaluated. The documentation's configuration reference
and ``retrigger config schema`` are generated from these models (retrigger/config/schema.py).

The sections live in ``retrigger.config.sections``, one module per group, and are re-exported
here: ``from retrigger.config.models import X`` names every one of them. This module holds the
whole file's model and the rules that tie sections together.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ModelWrapValidatorHandler, PrivateAttr, model_validator

from retrigger.config import metrics
from retrigger.config.sections.acting import (
    BacktestConfig,
    BacktestCostConfig,
    CostConfig,
    HooksConfig,
    PipelineConfig,
    PolicyConfig,
    RetrainBudget,
)
from retrigger.config.sections.base import REMOTE_SCHEMES, Duration, Section, refuse_outside_repo
from retrigger.config.sections.measure import (
    ESTIMABLE_METRICS,
    EstimationConfig,
    ModelConfig,
    StateConfig,
    TrackingConfig,
    ValidationConfig,
)
from retrigger.config.sections.people import (
    SLACK_ID_PATTERN,
    AzureEventsConfig,
    EventsConfig,
    EventWatch,
    GcsEventsConfig,
    GithubExecutorConfig,
    RememberConfig,
    SlackConfig,
)
from retrigger.config.sections.signals import (
    DataFetchConfig,
    DriftEngine,
    DriftSignalConfig,
    PartitionedData,
    PerformanceSignalConfig,
    ScheduleSignalConfig,
    SignalsConfig,
    SparkConfig,
    VolumeSignalConfig,
)

__all__ = [
    "ESTIMABLE_METRICS",
    "REMOTE_SCHEMES",
    "SLACK_ID_PATTERN",
    "AzureEventsConfig",
    "BacktestConfig",
    "BacktestCostConfig",
    "CostConfig",
    "DataFetchConfig",
    "DriftEngine",
    "DriftSignalConfig",
    "Duration",
    "EstimationConfig",
    "EventWatch",
    "EventsConfig",
    "GcsEventsConfig",
    "GithubExecutorConfig",
    "HooksConfig",
    "ModelConfig",
    "PartitionedData",
    "PerformanceSignalConfig",
    "PipelineConfig",
    "PolicyConfig",
    "RememberConfig",
    "RetrainBudget",
    "RetriggerConfig",
    "ScheduleSignalConfig",
    "Section",
    "SignalsConfig",
    "SlackConfig",
    "SparkConfig",
    "StateConfig",
    "TrackingConfig",
    "ValidationConfig",
    "VolumeSignalConfig",
    "refuse_outside_repo",
]


def _refuse_remote(spec: PartitionedData) -> None:
    # Read through DuckDB's extensions; other schemes are refused when the config is read
    # rather than unknown at every check.
    if spec.remote and not spec.path.startswith(REMOTE_SCHEMES):
        raise ValueError(
            f"data: {spec.path!r}: object storage is read from s3://, gs:// and az:// prefixes"
        )


class RetriggerConfig(Section):
    model: ModelConfig
    tracking: TrackingConfig = TrackingConfig()
    state: StateConfig = StateConfig()
    # A mapping entry ({path, format, partitioning}) leaves its path here and its layout in
    # ``partitioned``: every reader of ``data`` sees paths; the schema shows both forms.
    data: list[str] = Field(
        default_factory=list,
        json_schema_extra={
            "items": {"anyOf": [{"type": "string"}, PartitionedData.model_json_schema()]}
        },
    )
    _partitioned: dict[str, PartitionedData] = PrivateAttr(default_factory=dict)
    data_fetch: DataFetchConfig = DataFetchConfig()
    signals: SignalsConfig = SignalsConfig()
    validation: ValidationConfig | None = None
    estimation: EstimationConfig | None = None
    policy: PolicyConfig = PolicyConfig()
    pipeline: PipelineConfig = PipelineConfig()
    hooks: HooksConfig = HooksConfig()
    slack: SlackConfig = SlackConfig()
    events: EventsConfig = EventsConfig()
    backtest: BacktestConfig = BacktestConfig()

    @model_validator(mode="wrap")
    @classmethod
    def _split_partitioned(cls, raw: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """``data:`` takes paths and ``{path, format, partitioning}`` mappings; every signal
        reads ``data`` as paths, the engines look a path up in ``partitioned``."""
        specs: dict[str, PartitionedData] = {}
        if isinstance(raw, dict) and isinstance(raw.get("data"), list):
            paths: list[object] = []
            for entry in raw["data"]:
                if isinstance(entry, dict):
                    spec = PartitionedData.model_validate(entry)
                    _refuse_remote(spec)
                    specs[spec.path] = spec
                    if spec.remote:
                        continue  # not a DVC path: only the drift and volume signals read it
                    entry = spec.path
                paths.append(entry)
            raw = {**raw, "data": paths}
        config = handler(raw)
        if isinstance(config, RetriggerConfig):
            config._partitioned = specs  # a private attribute: frozen applies to fields only
            config.data_signals_have_data()
        return config

    def data_signals_have_data(self) -> None:
        # Refused when the config is read (check, config validate, the pre-commit hook),
        # not later by each signal that needs data; object-storage prefixes count.
        remote = any(spec.remote for spec in self._partitioned.values())
        for name in ("volume", "drift"):
            if getattr(self.signals, name) is not None and not self.data and not remote:
                raise ValueError(
                    f"signals.{name} needs data to compare: list the DVC-tracked "
                    "paths the model trains on under `data:`"
                )

    @property
    def partitioned(self) -> dict[str, PartitionedData]:
        """The ``data:`` paths written as mappings, by path."""
        return self._partitioned

    @model_validator(mode="after")
    def _data_paths_are_relative(self) -> RetriggerConfig:
        for path in self.data:
            refuse_outside_repo(path)
        return self

    @model_validator(mode="after")
    def _dispatch_has_a_repository(self) -> RetriggerConfig:
        if self.pipeline.dispatch == "github" and self.dispatch_github is None:
            raise ValueError(
                "pipeline.dispatch github needs a repository: pipeline.github: {repo: owner/name}"
            )
        return self

    @property
    def dispatch_github(self) -> GithubExecutorConfig | None:
        return self.pipeline.github or self.slack.github

    @model_validator(mode="after")
    def _watched_data_is_listed(self) -> RetriggerConfig:
        for watch in self.events.watch:
            if watch.data not in self.data:
                raise ValueError(
                    f"events.watch: {watch.data!r} (fed by {watch.prefix}) is not listed "
                    "under `data:`; the check reads only the listed paths"
                )
        return self

    @model_validator(mode="after")
    def _cost_mode_is_priced(self) -> RetriggerConfig:
        if self.policy.mode != "cost":
            return self
        if self.policy.cost is None:
            raise ValueError(
                "policy.mode: cost needs the prices: policy.cost: {retrain: C, staleness: "
                "PER_ROW_PER_METRIC_UNIT}"
            )
        for name in ("performance", "volume"):
            if getattr(self.signals, name) is None:
                raise ValueError(
                    f"policy.mode: cost needs signals.{name}: staleness is the rows added "
                    "(volume) times the metric lost (performance)"
                )
        return self

    @model_validator(mode="after")
    def _validation_is_usable(self) -> RetriggerConfig:
        perf = self.signals.performance
        if (
            perf is not None
            and perf.source == "validation"
            and (self.validation is None or self.validation.data is None)
        ):
            raise ValueError(
                "signals.performance.source: validation needs a validation "
                "section: {data: PATH, target: COLUMN}"
            )
        stage = self.validation.stage if self.validation is not None else None
        if stage is not None and self.model.artifact is None:
            raise ValueError("validation.stage needs model.artifact: the model file it reads")
        if self.validation is not None and self.validation.data is not None:
            if self.validation.data.startswith("/") or ".." in self.validation.data.split("/"):
                raise ValueError(
                    f"validation.data {self.validation.data!r} must be relative "
                    "to the repository root"
                )
            if self.validation.metric is None and metrics.resolve(self.model.metric) is None:
                raise ValueError(
                    f"validation needs a metric retrigger can compute: model.metric "
                    f"{self.model.metric!r} is not one; set validation.metric to "
                    f"one of {', '.join(metrics.known())}"
                )
        return self

    @model_validator(mode="after")
    def _estimation_is_usable(self) -> RetriggerConfig:
        perf = self.signals.performance
        if perf is None or perf.source != "estimated":
            return self
        if self.estimation is None:
            raise ValueError(
                "signals.performance.source: estimated needs an estimation section: "
                "{data: PATH, reference: PATH}"
            )
        if self.estimation_target() is None:
            raise ValueError("estimation needs the label column: set estimation.target")
        metric = self.estimation_metric()
        if metric is None:
            raise ValueError(
                f"model.metric {self.model.metric!r} cannot be estimated without labels; "
                f"use one of {', '.join(ESTIMABLE_METRICS)}"
            )
        estimated = metrics.resolve(metric)
        if estimated is not None and estimated.greater_is_better != self.model.greater_is_better:
            # the estimate would be judged the wrong way round: a rising error "within" a floor
            raise ValueError(
                f"{metric} is {'greater' if estimated.greater_is_better else 'lower'}-is-better: "
                f"set model.greater_is_better: {str(estimated.greater_is_better).lower()}"
            )
        own = metrics.resolve(self.model.metric)
        if perf.max_drop is not None and (own is None or own.name != metric):
            # max_drop is measured from the baseline run's model.metric: another metric's
            # estimate would be held against the wrong number
            raise ValueError(
                f"estimation.metric {metric!r} differs from model.metric "
                f"{self.model.metric!r}, which max_drop compares with the baseline run; "
                "drop estimation.metric or use min only"
            )
        return self

    def label_column(self) -> str | None:
        """The data's label column: ``model.target``, else ``validation.target``."""
        if self.model.target:
            return self.model.target
        return self.validation.target if self.validation is not None else None

    def estimation_target(self) -> str | None:
        """The reference's label column: ``estimation.target``, else ``validation.target``."""
        if self.estimation is not None and self.estimation.target:
            return self.estimation.target
        return self.validation.target if self.validation is not None else None

    def estimation_metric(self) -> str | None:
        """The estimated metric's canonical name (``estimation.metric``, else ``model.metric``),
        None when it cannot be estimated."""
        name = (self.estimation.metric if self.estimation else None) or self.model.metric
        resolved = metrics.resolve(name)
        return resolved.name if resolved and resolved.name in ESTIMABLE_METRICS else None

    def validation_metric(self) -> metrics.MetricName | None:
        """The metric validation scores with (``validation.metric``, else ``model.metric``)."""
        if self.scored_validation is None:
            return None
        return metrics.resolve(self.scored_validation.metric or self.model.metric)

    @property
    def scored_validation(self) -> ValidationConfig | None:
        """``validation:`` when it names rows to score on (it may only set the rules)."""
        found = self.validation
        return found if found is not None and found.data is not None else None
