"""The schema of ``retrigger.yaml``: one pydantic model per section.

Unknown keys are refused (``extra="forbid"``) so a typo never silently turns a threshold off.
A signal section that is absent is not evaluated. The documentation's configuration reference
and ``retrigger config schema`` are generated from these models (retrigger/config/schema.py).
"""

from __future__ import annotations

import posixpath
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import BeforeValidator

from retrigger.config import metrics
from retrigger.config.durations import format_duration, parse_duration

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


REMOTE_SCHEMES = ("s3://", "gs://", "az://")


def refuse_outside_repo(path: str) -> None:
    """Paths in the config are relative to the repository root and stay inside it."""
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\", "~")) or ".." in parts or (len(path) > 1 and path[1] == ":"):
        raise ValueError(
            f"{path[:200]!r} must be a path inside the repository, relative to "
            "its root (no leading /, ~ or ..)"
        )


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelConfig(Section):
    name: str = Field(min_length=1, description="MLflow registered model name")
    metric: str = Field(default="accuracy", min_length=1, description="primary metric")
    greater_is_better: bool = True
    metrics_file: str | None = Field(
        default="metrics.json", description="JSON written by the DVC pipeline; null: read MLflow"
    )
    artifact: str | None = Field(
        default="model",
        description="path the pipeline writes the model to (a file, or a "
        "folder holding an MLmodel); null: the pipeline logs its model to MLflow itself",
    )
    flavor: Literal["sklearn"] | None = Field(
        default=None,
        description="log a pickle/joblib model.artifact as this MLflow flavor, "
        "so the champion loads with mlflow.pyfunc",
    )
    target: str | None = Field(
        default=None,
        min_length=1,
        description="the label column of the data: drift tests it apart, not counted in the "
        "share; default validation.target",
    )

    @model_validator(mode="after")
    def _flavor_needs_a_file(self) -> ModelConfig:
        if self.flavor is not None and self.artifact is None:
            raise ValueError(
                "model.flavor needs model.artifact: the pickle or joblib file the pipeline writes"
            )
        return self

    @field_validator("metrics_file", "artifact")
    @classmethod
    def _inside_the_repository(cls, value: str | None) -> str | None:
        # retrigger reads (and pushes) these: a config must not point it at /etc/passwd.
        if value is not None:
            refuse_outside_repo(value)
            # Any spelling DVC accepts (model//clf-model, ./model/) is the one path it writes.
            value = posixpath.normpath(value)
        return value


class TrackingConfig(Section):
    uri: str = "sqlite:///mlflow.db"
    experiment: str = Field(default="retrigger", min_length=1)
    artifact_location: str | None = Field(
        default=None,
        description="where new experiments keep artifacts; default: the server's "
        "choice, or <repo>/mlartifacts for a sqlite:// store",
    )
    timeout: Duration = Field(default=timedelta(seconds=10), description="give up on MLflow after")
    ui_url: str | None = Field(
        default=None,
        description="the MLflow UI people open (Slack links to runs); default: "
        "the tracking URI when it is http(s)",
    )

    @field_validator("uri")
    @classmethod
    def _a_scheme_mlflow_knows(cls, value: str) -> str:
        # Else MLflow refuses it deep inside the first command that reads a run.
        scheme = value.split("://", 1)[0].split("+", 1)[0].lower() if "://" in value else ""
        if scheme not in _MLFLOW_SCHEMES:
            raise ValueError(
                f"unsupported scheme {scheme!r}; use sqlite:///FILE.db, http(s)://HOST:PORT, "
                "file:///DIR, or a database URL (postgresql://, mysql://, mssql://)"
            )
        return value


# The tracking URI schemes MLflow's stores accept (plus "" for a path, "databricks").
_MLFLOW_SCHEMES = frozenset(
    {"", "file", "sqlite", "http", "https", "postgresql", "mysql", "mssql", "databricks", "uc"}
    | {"databricks-uc"}
)


class StateConfig(Section):
    url: str = "sqlite:///.retrigger/state.db"


class ValidationConfig(Section):
    """Where the champion and the challenger are scored on the same data: labelled rows
    retrigger scores itself (``data`` + ``target``), or the project's own evaluate stage
    (``stage``: its metrics file, key ``model.metric``), with ``data`` as the fallback; and the
    gate's rules for overlapping rows and, without either, for numbers from different data."""

    data: str | None = Field(
        default=None, min_length=1, description="CSV or Parquet file of labelled rows"
    )
    target: str | None = Field(default=None, min_length=1, description="the label column")
    stage: str | None = Field(
        default=None,
        min_length=1,
        description="the dvc.yaml stage that evaluates model.artifact and writes "
        "model.metric to a metrics file: retrigger runs it for each model",
    )
    metric: str | None = Field(default=None, description="default: model.metric")
    allow_overlap: bool = Field(
        default=False,
        description="let the gate decide on validation rows the champion was trained on",
    )
    when_incomparable: Literal["hold", "promote", "refuse"] = Field(
        default="hold",
        description="without validation.data, the two numbers measured on different data: "
        "hold the challenger as a registered candidate, promote it, or refuse it",
    )
    load_check: Literal["isolated", "off"] | None = Field(
        default=None,
        description="isolated: before promotion, load the model and predict on a few "
        "validation rows in a fresh virtualenv built (with uv) from the model's own pip "
        "requirements; a model that does not load there is refused. null: isolated when "
        "running in CI ($CI set, as GitHub Actions and GitLab CI do), else off",
    )

    @model_validator(mode="after")
    def _rows_or_stage(self) -> ValidationConfig:
        if (self.data is None) != (self.target is None):
            raise ValueError("validation.data and validation.target go together")
        rules_only = bool({"when_incomparable", "load_check"} & self.model_fields_set)
        if self.data is None and self.stage is None and not rules_only:
            raise ValueError(
                "validation needs stage: NAME (your evaluate stage) or {data: PATH, target: "
                "COLUMN} (or when_incomparable / load_check alone, for the gate without either)"
            )
        return self

    @field_validator("metric")
    @classmethod
    def _metric_is_known(cls, value: str | None) -> str | None:
        if value is not None and metrics.resolve(value) is None:
            raise ValueError(f"unknown metric {value!r}; use one of {', '.join(metrics.known())}")
        return value


# What CBPE estimates (retrigger.estimation.cbpe.ESTIMABLE; not imported: hooks read this).
# CBPE for classifiers, DLE for regressors (retrigger/estimation/).
ESTIMABLE_METRICS = (
    *("accuracy", "precision", "recall", "f1", "f1_macro", "roc_auc"),
    *("mae", "mse", "rmse"),
)


class EstimationConfig(Section):
    """``estimation:``: the champion's metric estimated on unlabelled rows (CBPE for a
    classifier's metric, DLE for a regressor's)."""

    data: str = Field(min_length=1, description="CSV or Parquet file of new, unlabelled rows")
    reference: str = Field(
        min_length=1, description="CSV or Parquet file of labelled rows the model did not train on"
    )
    target: str | None = Field(default=None, description="label column; default validation.target")
    metric: str | None = Field(default=None, description="default: model.metric")
    fire_on: Literal["value", "bound"] = Field(
        default="value",
        description="value: the estimate past the threshold fires; bound: only the whole "
        "95% interval past it",
    )
    max_calibration_error: float = Field(
        default=0.05, gt=0, lt=1, description="refuse above this ECE on the reference"
    )
    max_outside: float = Field(
        default=0.1, ge=0, le=1, description="refuse when more new rows leave the reference's range"
    )

    @field_validator("data", "reference")
    @classmethod
    def _inside_the_repository(cls, value: str) -> str:
        refuse_outside_repo(value)
        return value

    @field_validator("metric")
    @classmethod
    def _metric_is_estimable(cls, value: str | None) -> str | None:
        if value is not None:
            resolved = metrics.resolve(value)
            if resolved is None or resolved.name not in ESTIMABLE_METRICS:
                raise ValueError(
                    f"{value!r} cannot be estimated without labels; use one of "
                    f"{', '.join(ESTIMABLE_METRICS)}"
                )
        return value


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

    path: str = Field(min_length=1, description="a folder in the repository, DVC-tracked")
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


class RetrainBudget(Section):
    count: int = Field(ge=1)
    per: Duration


class CostConfig(Section):
    """What a retrain and staleness cost: `backtest.cost` and `policy.cost` (mode: cost)."""

    retrain: float = Field(
        ge=0, allow_inf_nan=False, description="what one retrain costs (money or compute seconds)"
    )
    staleness: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="per labelled row and per unit of the metric lost vs a fresh model",
    )


class PolicyConfig(Section):
    mode: Literal["signals", "cost"] = Field(
        default="signals",
        description="cost: fire when the staleness since the last retrain reaches policy.cost."
        "retrain (the signals are read and recorded, and do not decide)",
    )
    cost: CostConfig | None = Field(default=None, description="the prices mode: cost uses")
    fire_when: Literal["any", "all"] = "any"
    cooldown: Duration = timedelta(0)
    retry_backoff: Duration = Field(
        default=timedelta(hours=1),
        description="after a retrain that failed before training anything, instead of cooldown",
    )
    max_retrains: RetrainBudget | None = None
    approval: Literal["none", "required"] = "none"


class PipelineConfig(Section):
    pull: bool = False
    command: str = "dvc repro"
    python: str | None = Field(
        default=None,
        description="the project's interpreter (or venv folder) that runs the stages: its bin/ "
        "goes first on PATH, so `python` and `dvc` are the project's; null: the repository's "
        ".venv, else $VIRTUAL_ENV, else the `python` on PATH",
    )
    env: Literal["project", "retrigger"] = Field(
        default="project",
        description="retrigger: run the stages with retrigger's own interpreter and dvc (one "
        "shared environment, not activated); project: pipeline.python or the detected one",
    )
    push: bool = True
    commit: bool = Field(
        default=False,
        description="after a promotion, `retrigger run` commits the new "
        "dvc.lock (and tracked metrics) itself; false: it prints the git command",
    )
    champion_alias: str = Field(
        default="champion",
        min_length=1,
        description="the registry alias of the model in production, moved on promotion",
    )
    champion_stage: str | None = Field(
        default=None,
        description="a legacy registry stage (e.g. Production) a served app still reads: "
        "promotion also transitions the new version to it, archiving the old one; null: "
        "only the alias moves",
    )
    dispatch: Literal["none", "local", "github"] = Field(
        default="none",
        description="what a firing check started by an event (`retrigger serve`, `events "
        "pull`) does: none (decide only), local (`retrigger run --decision ID` here), github "
        "(a repository_dispatch `retrigger-retrain` with the decision id: CI retrains)",
    )
    github: GithubExecutorConfig | None = Field(
        default=None, description="dispatch: github — the repository (default: slack.github)"
    )
    promote_sets_baseline: bool = Field(
        default=True,
        description="a promoted retrain becomes the baseline run, so max_drop "
        "is measured from the better model",
    )
    min_improvement: float = Field(default=0.0, ge=0)
    min_relative_improvement: float = Field(default=0.0, ge=0)
    stage_timeout: Duration | None = Field(
        default=None, description="stop a pull, repro or push step that runs longer (null: never)"
    )
    wait_for_dvc: Duration = Field(
        default=timedelta(0),
        le=timedelta(hours=6),
        description="when another DVC process "
        "holds the repository's lock, wait up to this long before giving up as busy (exit 3)",
    )
    lock_stale_after: Duration = Field(
        default=timedelta(minutes=10),
        description="a lock held from another host whose "
        "heartbeat is older than this is reclaimed (same host: a dead pid is reclaimed at once)",
    )


class HooksConfig(Section):
    check_on_push: bool = False


# Slack user ids start with U or W, user groups (subteams) with S.
SLACK_ID_PATTERN = r"^[UWS][A-Z0-9]{2,}$"


class GithubExecutorConfig(Section):
    """``slack.executor: github`` sends a workflow_dispatch; the token comes from $GITHUB_TOKEN."""

    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/name")
    workflow: str = Field(default="retrain.yml", min_length=1, description="workflow file or id")
    ref: str = Field(default="main", min_length=1)
    api_url: str = Field(default="https://api.github.com", pattern=r"^https?://")


class SlackConfig(Section):
    channel: str = Field(default="#ml-ops", min_length=1)
    api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://")
    approvers: list[Annotated[str, Field(pattern=SLACK_ID_PATTERN)]] = Field(
        default_factory=list, description="Slack user ids (U…/W…) and user group ids (S…)"
    )
    four_eyes: bool = False
    approval_ttl: Duration = Field(default=timedelta(hours=24))
    executor: Literal["local", "github", "none"] = "none"
    dispatch_lease: Duration = Field(
        default=timedelta(minutes=10),
        gt=timedelta(0),
        description="an approved retrain "
        "handed to the executor with no attempt started after this long is handed on again",
    )
    workdir: str = Field(default=".", description="local executor: where `retrigger run` runs")
    github: GithubExecutorConfig | None = None
    team_id: str | None = Field(default=None, description="refuse requests from other workspaces")
    api_app_id: str | None = Field(default=None, description="refuse requests for other apps")
    group_cache: Duration = Field(
        default=timedelta(minutes=5), description="how long user group members are cached"
    )

    @field_validator("approval_ttl")
    @classmethod
    def _ttl_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration such as 24h")
        return value

    @model_validator(mode="after")
    def _someone_can_approve(self) -> SlackConfig:
        # Under four-eyes a lone approver could never approve what they asked for: refuse a
        # config where that leaves no possible approver. A user group may hold several people.
        users = {a for a in self.approvers if not a.startswith("S")}
        groups = [a for a in self.approvers if a.startswith("S")]
        if self.four_eyes and len(users) < 2 and not groups:
            raise ValueError(
                "four_eyes needs at least two approvers (user ids) or a user group, "
                "otherwise nobody could approve a request made by an approver"
            )
        if self.executor == "github" and self.github is None:
            raise ValueError("executor github needs a github section: {repo: owner/name}")
        return self


class EventWatch(Section):
    """An object-storage prefix whose new objects feed one of the model's data paths."""

    source: Literal["webhook", "s3", "gcs", "azure"] = Field(
        description="the sender: /events/<source>"
    )
    prefix: str = Field(description="a full URL, e.g. s3://bucket/path/")
    data: str = Field(min_length=1, description="the path under `data:` this prefix feeds")

    @field_validator("prefix")
    @classmethod
    def _prefix_is_url(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or not scheme.isalnum() or not rest:
            raise ValueError("must be a full URL such as s3://bucket/path/")
        return value

    @field_validator("data")
    @classmethod
    def _data_inside(cls, value: str) -> str:
        refuse_outside_repo(value)
        return value


class GcsEventsConfig(Section):
    """Pub/Sub push: what the OIDC token on /events/gcs must say (not secrets: the token is)."""

    audience: str | None = Field(
        default=None, description="the push subscription's audience (e.g. the endpoint URL)"
    )
    service_account: str | None = Field(
        default=None, description="the email of the push subscription's service account"
    )
    jwks_url: str = Field(
        default="https://www.googleapis.com/oauth2/v3/certs",
        pattern=r"^https?://",
        description="where Google's signing keys are published",
    )


class EventsConfig(Section):
    watch: list[EventWatch] = Field(default_factory=list)
    settle: Duration = Field(
        default=timedelta(minutes=10), description="quiet time after the last event"
    )
    marker: str | None = Field(
        default="_SUCCESS", description="an object with this name closes the window at once"
    )
    baseline: Literal["keep", "follow-alias"] = Field(
        default="keep",
        description="follow-alias: when an MLflow webhook says the champion alias moved, "
        "the new champion's run becomes the baseline run",
    )
    gcs: GcsEventsConfig = GcsEventsConfig()


# One price list for the backtest's cost (`backtest.cost`) and the cost policy (`policy.cost`).
BacktestCostConfig = CostConfig


class BacktestConfig(Section):
    cost: BacktestCostConfig | None = Field(
        default=None, description="`retrigger backtest --cost`: price retrains and staleness"
    )


def _refuse_remote(spec: PartitionedData) -> None:
    # No run records an object-storage version yet, so a signal would have no trained side
    # to compare: refused when the config is read rather than unknown at every check.
    if spec.remote:
        raise ValueError(
            f"data: {spec.path!r}: the signals read DVC-tracked folders in the repository; "
            "compare object storage with `retrigger drift s3://… s3://… --engine duckdb`"
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
                    entry = spec.path
                paths.append(entry)
            raw = {**raw, "data": paths}
        config = handler(raw)
        if isinstance(config, RetriggerConfig):
            config._partitioned = specs  # a private attribute: frozen applies to fields only
        return config

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
    def _data_signals_have_data(self) -> RetriggerConfig:
        # Refused when the config is read (check, config validate, the pre-commit hook),
        # not later by each signal that needs data.
        for name in ("volume", "drift"):
            if getattr(self.signals, name) is not None and not self.data:
                raise ValueError(
                    f"signals.{name} needs data to compare: list the DVC-tracked "
                    "paths the model trains on under `data:`"
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
