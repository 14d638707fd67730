"""How ``backtest --train`` scores a kept model on a period's rows: the validation gate's own
scoring, nothing of its own.

- ``validation: {data, target}``: the rows at that commit (``evaluation.scoring.read_labelled``)
  and the model loaded with ``mlflow.pyfunc`` (``evaluation.scoring.load`` / ``score``); a
  pickled model with ``model.flavor: sklearn`` is saved as an MLflow model once, the way a
  retrain logs it (``pipeline.candidate.save_sklearn``).
- ``validation: {stage}``: the project's evaluate stage run with the model file in place
  (``evaluation.stage.score``), in a scratch copy of the period's tree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from retrigger.backtest.matrix_store import MatrixStore
from retrigger.backtest.overlap import row_hashes
from retrigger.backtest.training import digest, inputs_of
from retrigger.config.models import RetriggerConfig
from retrigger.errors import BadInput, WorkFailed


@dataclass(frozen=True)
class Rows:
    """The rows of one period a model is scored on."""

    key: str  # the md5 of the rows file, or of the evaluate stage's inputs
    count: int | None  # None: the evaluate stage does not say
    path: str
    value: Any = None  # the labelled rows, when retrigger reads them itself
    columns: tuple[str, ...] = ()  # of ``value``, the target last
    hashes: tuple[int, ...] | None = None  # one per row of ``value`` (``overlap``)


class Scorer(Protocol):
    metric: str
    greater_is_better: bool
    described: str

    def reads(self, tree: Path) -> tuple[str, ...]:
        """The paths scoring reads at a period's tree, besides the model."""
        ...

    def rows(self, tree: Path) -> Rows: ...

    def score(self, store: MatrixStore, key: str, rows: Rows, tree: Path) -> float: ...


def scorer_for(
    config: RetriggerConfig,
    root: Path,
    python: str,
    env: Mapping[str, str],
    timeout: timedelta | None,
) -> Scorer:
    """BadInput when nothing says which rows to score on."""
    validation = config.validation
    artifact = config.model.artifact
    if artifact is None:
        raise BadInput("--train keeps the model the stages write: set model.artifact")
    if validation is not None and validation.stage is not None:
        return StageScorer(config, validation.stage, artifact, env, timeout)
    metric = config.validation_metric()
    if metric is None or config.scored_validation is None:
        raise BadInput(
            "--train scores each model on later periods' rows: set validation: {data: PATH, "
            "target: COLUMN} or validation: {stage: NAME} in retrigger.yaml"
        )
    from retrigger.lineage.tracking import absolute_uri

    # pyfunc loads a local folder: the URI is only set, never written to.
    return RowsScorer(config, python, artifact, absolute_uri(config.tracking.uri, root))


class RowsScorer:
    def __init__(
        self, config: RetriggerConfig, python: str, artifact: str, tracking_uri: str
    ) -> None:
        validation = config.scored_validation
        metric = config.validation_metric()
        assert validation is not None and validation.data is not None and metric is not None
        self.validation, self.name, self.python = validation, metric, python
        self.metric, self.greater_is_better = metric.name, metric.greater_is_better
        self.described = f"validation.data {validation.data}"
        self.flavor, self.artifact = config.model.flavor, artifact
        self.tracking_uri = tracking_uri
        self._loaded: dict[str, Any] = {}

    def reads(self, tree: Path) -> tuple[str, ...]:
        assert self.validation.data is not None
        return (self.validation.data,)

    def rows(self, tree: Path) -> Rows:
        from retrigger.evaluation import scoring

        labelled = scoring.read_labelled(tree, self.validation)  # BadInput: unknown rows
        target = self.validation.target
        assert target is not None  # set with validation.data
        frame = labelled.features.assign(**{target: labelled.labels})
        columns = tuple(str(c) for c in frame.columns)
        hashes = row_hashes(frame, columns)
        return Rows(labelled.md5, labelled.rows, labelled.path, labelled, columns, hashes)

    def score(self, store: MatrixStore, key: str, rows: Rows, tree: Path) -> float:
        from retrigger.evaluation import scoring

        return scoring.score(self._model(store, key, tree), rows.value, self.name)

    def _model(self, store: MatrixStore, key: str, tree: Path) -> Any:
        if key not in self._loaded:
            from retrigger.evaluation import scoring

            self._loaded[key] = scoring.load(str(self._pyfunc(store, key, tree)), self.tracking_uri)
        return self._loaded[key]

    def _pyfunc(self, store: MatrixStore, key: str, tree: Path) -> Path:
        from retrigger.pipeline.candidate import NOT_LOADABLE, save_sklearn

        kept = store.outs(key) / self.artifact
        if (kept / "MLmodel").is_file():
            return kept
        saved = store.pyfunc(key)
        if (saved / "MLmodel").is_file():
            return saved
        if self.flavor == "sklearn" and kept.is_file():
            # MLflow warns about pickles on each save: once per model here, not news.
            quiet = logging.getLogger("mlflow.sklearn")
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                save_sklearn(kept, saved, self.python, tree)
            finally:
                quiet.setLevel(level)
            return saved
        raise WorkFailed(f"model.artifact {self.artifact}: {NOT_LOADABLE}")


class StageScorer:
    def __init__(
        self,
        config: RetriggerConfig,
        stage: str,
        artifact: str,
        env: Mapping[str, str],
        timeout: timedelta | None,
    ) -> None:
        self.stage_name, self.artifact, self.env, self.timeout = stage, artifact, env, timeout
        self.metric = config.model.metric
        self.greater_is_better = config.model.greater_is_better
        self.described = f"validation.stage {stage}"

    def reads(self, tree: Path) -> tuple[str, ...]:
        from retrigger.evaluation import stage

        return stage.resolve(tree, self.stage_name, self.artifact).deps

    def rows(self, tree: Path) -> Rows:
        from retrigger.evaluation import stage

        found = stage.resolve(tree, self.stage_name, self.artifact)
        digests, _ = inputs_of(tree, found.deps)
        key = digest({"cmd": list(found.commands), "deps": digests})
        return Rows(key, None, found.split(self.metric))

    def score(self, store: MatrixStore, key: str, rows: Rows, tree: Path) -> float:
        from retrigger.evaluation import stage

        found = stage.resolve(tree, self.stage_name, self.artifact)
        model_file = store.outs(key) / self.artifact
        return stage.score(tree, found, model_file, self.metric, self.timeout, self.env)
