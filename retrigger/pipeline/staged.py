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
from retrigger.pipeline import leakage, stage_rows
from retrigger.pipeline.compare import Judged, judged_on_rows, recorded_reference
from retrigger.pipeline.validation import Rules, Verdict, judge

if TYPE_CHECKING:
    from retrigger.config.models import RetriggerConfig
    from retrigger.evaluation.overlap import Overlap
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
    overlap = partial(stage_rows.check, ws, champ, stage, key)
    if champ is None:
        ref = recorded_reference(ws, None, data_version)
        verdict = judge(rules, new, ref.value, ref.version, ref.source, ref.against)
        return _labelled(ws, verdict, overlap(), where, logged)
    try:
        found = _champion_score(ws, stage, champ, key, overlap)
    except WorkFailed as exc:
        problem = f"champion v{champ.version}: {exc}"
        return _fallback(rules, champ, new, problem, on_rows, where)
    if found is None:
        problem = (
            f"champion v{champ.version} has no {config.model.artifact} file in the registry "
            f"(only an MLflow model), so stage {stage.name} cannot score it"
        )
        return _fallback(rules, champ, new, problem, on_rows, where)
    seen, old = found
    if old is None:  # the stage's rows hold rows the champion trained on: not scored
        unjudged = Verdict(False, "", key, new, None, champ.version, None, None, rules.floor)
        return _labelled(ws, unjudged, seen, where, logged)
    logged[f"validation.{key}.champion"] = old
    source = f"scored by stage {stage.name} on {stage.split(key)}"
    verdict = judge(rules, new, old, champ.version, source)
    return _labelled(ws, verdict, seen, where, logged)


def _labelled(
    ws: Workspace, verdict: Verdict, overlap: Overlap, where: str, logged: dict[str, float]
) -> Judged:
    """``verdict`` with the overlap of the stage's rows and the champion's training data, as
    ``validation.data`` has it: refused when there is one, unless ``allow_overlap``."""
    if overlap.found and not _allowed(ws):
        verdict = replace(
            verdict,
            passed=False,
            reason=leakage.refusal(overlap),
            champion=None,
            champion_source=None,
            required=None,
        )
    data = leakage.labelled(where, overlap)
    return Judged(
        replace(verdict, data=data, overlap=overlap), {**logged, **leakage.logged(overlap)}, data
    )


def _allowed(ws: Workspace) -> bool:
    return ws.config.validation is not None and ws.config.validation.allow_overlap


def _on_rows(ws: Workspace, candidate: Candidate, champ: Champion | None) -> Judged | None:
    """Both scored by retrigger on validation.data, when it is set."""
    rows = ws.config.validation_metric()
    if rows is None:
        return None
    rules = _rules(ws.config, rows.name, rows.greater_is_better)
    return judged_on_rows(ws, rules, rows, candidate, champ)


def _rules(config: RetriggerConfig, metric: str, greater_is_better: bool) -> Rules:
    perf, pipeline = config.signals.performance, config.pipeline
    return Rules(
        metric,
        greater_is_better,
        perf.min if perf else None,
        pipeline.min_improvement,
        pipeline.min_relative_improvement,
    )


def _champion_score(
    ws: Workspace, stage: EvalStage, champ: Champion, key: str, overlap: Callable[[], Overlap]
) -> tuple[Overlap, float | None] | None:
    """None without the champion's file; else the overlap of the stage's rows with its training
    data, and its score (None: not scored, the overlap refuses)."""
    from retrigger.evaluation import stage as evaluate

    config = ws.config
    with tempfile.TemporaryDirectory(prefix="retrigger-champion-") as folder:
        model, name = ws.root / stage.model, config.model.name
        found = evaluate.champion_file(ws.tracking.client, name, champ.version, model, Path(folder))
        if found is None:
            return None
        seen = overlap()
        if seen.found and not _allowed(ws):
            return seen, None
        timeout, env = config.pipeline.stage_timeout, ws.interpreter.env()
        return seen, evaluate.score(ws.root, stage, found, key, timeout, env)


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
        "proves nothing. Set validation.data as a fallback, or promote the held candidate by "
        "hand: `retrigger champion set VERSION`"
    )
    verdict = Verdict(
        False,
        reason,
        rules.metric,
        new,
        None,
        champ.version,
        None,
        None,
        rules.floor,
        data=where,
        held=True,  # kept as a registered candidate, as when_incomparable: hold
    )
    return Judged(verdict, {f"validation.{rules.metric}.challenger": new}, where)
