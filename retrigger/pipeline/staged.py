"""The gate's numbers with ``validation: {stage: NAME}``: the project's own evaluate stage run
with the challenger's model file and with the champion's, on the same split
(``retrigger.evaluation.stage``).

A champion whose file cannot be put in place (the registry holds only an MLflow model) is
said so; the gate then scores on ``validation.data`` when it is set, else holds: the
challenger is not promoted, and the reason says how to compare fairly or promote by hand.
Before any champion the challenger's stage score meets the baseline's recorded number, as
without validation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.errors import BadInput, WorkFailed
from retrigger.pipeline.compare import Judged, _recorded, _scored
from retrigger.pipeline.validation import Rules, Verdict, judge

if TYPE_CHECKING:
    from retrigger.config.models import RetriggerConfig
    from retrigger.evaluation.stage import EvalStage
    from retrigger.pipeline.candidate import Candidate
    from retrigger.pipeline.registry import Champion
    from retrigger.workspace import Workspace


def gate(
    ws: Workspace, candidate: Candidate, champ: Champion | None, data_version: str | None
) -> Judged:
    """Champion and challenger through the stage (validation.data when the champion's file
    cannot be put in place)."""
    from retrigger.evaluation import stage as evaluate

    config = ws.config
    assert config.validation is not None and config.validation.stage is not None
    rules = _rules(config, config.model.metric, config.model.greater_is_better)
    on_rows = partial(_on_rows, ws, candidate, champ)
    try:
        stage = evaluate.resolve(ws.root, config.validation.stage, config.model.artifact)
    except BadInput as exc:  # dvc.yaml changed since `config validate`
        raise WorkFailed(str(exc)) from None
    key = config.model.metric
    where = f"stage {stage.name}, {key} on {stage.split(key)}"
    # The challenger is the model the pipeline just wrote into the work tree.
    timeout, env = config.pipeline.stage_timeout, ws.interpreter.env()
    new = evaluate.score(ws.root, stage, ws.root / stage.model, key, timeout, env)
    logged = {f"validation.{key}.challenger": new}
    if champ is None:
        ref = _recorded(ws, None, data_version)
        verdict = judge(rules, new, ref.value, ref.version, ref.source, ref.against)
        return Judged(replace(verdict, data=where), logged, where)
    try:
        old = _champion_score(ws, stage, champ, key)
    except WorkFailed as exc:
        problem = f"champion v{champ.version}: {exc}"
        return _fallback(rules, champ, new, problem, on_rows, where)
    if old is None:
        problem = (
            f"champion v{champ.version} has no {config.model.artifact} file in the registry "
            f"(only an MLflow model), so stage {stage.name} cannot score it"
        )
        return _fallback(rules, champ, new, problem, on_rows, where)
    logged[f"validation.{key}.champion"] = old
    source = f"scored by stage {stage.name} on {stage.split(key)}"
    verdict = judge(rules, new, old, champ.version, source)
    return Judged(replace(verdict, data=where), logged, where)


def _on_rows(ws: Workspace, candidate: Candidate, champ: Champion | None) -> Judged | None:
    """Both scored by retrigger on validation.data, when it is set."""
    rows = ws.config.validation_metric()
    if rows is None:
        return None
    rules = _rules(ws.config, rows.name, rows.greater_is_better)
    return _scored(ws, rules, rows, candidate, champ)


def _rules(config: RetriggerConfig, metric: str, greater_is_better: bool) -> Rules:
    perf, pipeline = config.signals.performance, config.pipeline
    return Rules(
        metric,
        greater_is_better,
        perf.min if perf else None,
        pipeline.min_improvement,
        pipeline.min_relative_improvement,
    )


def _champion_score(ws: Workspace, stage: EvalStage, champ: Champion, key: str) -> float | None:
    from retrigger.evaluation import stage as evaluate

    config = ws.config
    with tempfile.TemporaryDirectory(prefix="retrigger-champion-") as folder:
        model, name = ws.root / stage.model, config.model.name
        found = evaluate.champion_file(ws.tracking.client, name, champ.version, model, Path(folder))
        if found is None:
            return None
        timeout, env = config.pipeline.stage_timeout, ws.interpreter.env()
        return evaluate.score(ws.root, stage, found, key, timeout, env)


def _fallback(
    rules: Rules,
    champ: Champion,
    new: float,
    problem: str,
    on_rows: Callable[[], Judged | None],
    where: str,
) -> Judged:
    judged = on_rows()
    if judged is not None:
        reason = f"{problem}; scored on validation.data instead: {judged.verdict.reason}"
        return replace(judged, verdict=replace(judged.verdict, reason=reason))
    reason = (
        f"held, not promoted: {problem}; {rules.metric}={new:.4g} for the challenger alone "
        "proves nothing. Set validation.data as a fallback, or promote by hand: register the "
        "retrain run's model and `retrigger champion set VERSION`"
    )
    verdict = Verdict(
        False, reason, rules.metric, new, None, champ.version, None, None, rules.floor, data=where
    )
    return Judged(verdict, {f"validation.{rules.metric}.challenger": new}, where)
