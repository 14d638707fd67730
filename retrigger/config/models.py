"""The schema of ``retrigger.yaml``: one pydantic model per section.

Unknown keys are refused (``extra="forbid"``) so a typo never silently turns a threshold off.
A signal section that is absent is not evaluated. README's configuration reference mirrors this.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator
from pydantic.functional_validators import BeforeValidator

from retrigger.durations import format_duration, parse_duration

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelConfig(Section):
    name: str = Field(min_length=1, description="MLflow registered model name")
    metric: str = Field(default="accuracy", min_length=1, description="primary metric")
    greater_is_better: bool = True
    metrics_file: str | None = Field(
        default="metrics.json", description="JSON written by the DVC pipeline; null: read MLflow"
    )
    artifact: str = Field(default="model", description="path the pipeline writes the model to")


class TrackingConfig(Section):
    uri: str = "sqlite:///mlflow.db"
    experiment: str = Field(default="retrigger", min_length=1)
    artifact_location: str | None = Field(
        default=None, description="where new experiments keep artifacts; default: the server's "
        "choice, or <repo>/mlartifacts for a sqlite:// store")
    timeout: Duration = Field(default=timedelta(seconds=10), description="give up on MLflow after")


class StateConfig(Section):
    url: str = "sqlite:///.retrigger/state.db"


class PerformanceSignalConfig(Section):
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


class DriftSignalConfig(Section):
    share: float = Field(default=0.5, gt=0, le=1)
    columns: list[str] | None = None
    stattest: dict[str, str] = Field(default_factory=dict)
    threshold: dict[str, float] = Field(default_factory=dict)
    warn: float | None = Field(default=None, gt=0, lt=1)
    bonferroni: bool = False
    schema_change_is_drift: bool = False


class SignalsConfig(Section):
    performance: PerformanceSignalConfig | None = None
    schedule: ScheduleSignalConfig | None = None
    volume: VolumeSignalConfig | None = None
    drift: DriftSignalConfig | None = None


class RetrainBudget(Section):
    count: int = Field(ge=1)
    per: Duration


class PolicyConfig(Section):
    fire_when: Literal["any", "all"] = "any"
    cooldown: Duration = timedelta(0)
    max_retrains: RetrainBudget | None = None
    approval: Literal["none", "required"] = "none"


class PipelineConfig(Section):
    pull: bool = False
    command: str = "dvc repro"
    push: bool = True
    champion_alias: str = "champion"
    min_improvement: float = Field(default=0.0, ge=0)
    min_relative_improvement: float = Field(default=0.0, ge=0)


class HooksConfig(Section):
    check_on_push: bool = False


class SlackConfig(Section):
    channel: str = "#ml-ops"
    api_url: str = "https://slack.com/api/"
    approvers: list[str] = Field(default_factory=list)
    four_eyes: bool = False
    approval_ttl: Duration = timedelta(hours=24)
    executor: Literal["local", "github", "none"] = "none"


class RetriggerConfig(Section):
    model: ModelConfig
    tracking: TrackingConfig = TrackingConfig()
    state: StateConfig = StateConfig()
    data: list[str] = Field(default_factory=list)
    signals: SignalsConfig = SignalsConfig()
    policy: PolicyConfig = PolicyConfig()
    pipeline: PipelineConfig = PipelineConfig()
    hooks: HooksConfig = HooksConfig()
    slack: SlackConfig = SlackConfig()

    @model_validator(mode="after")
    def _data_paths_are_relative(self) -> RetriggerConfig:
        for path in self.data:
            if path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"data path {path!r} must be relative to the repository root")
        return self
