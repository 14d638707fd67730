"""What is measured and where it is kept: ``model``, ``tracking``, ``state``, ``validation``
and ``estimation``."""

from __future__ import annotations

import posixpath
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from retrigger.config import metrics
from retrigger.config.sections.base import Duration, Section, refuse_outside_repo


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
