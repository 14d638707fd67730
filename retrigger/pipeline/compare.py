"""What the challenger is compared with, and on which data — the numbers the gate judges.

With ``validation.data``: retrigger scores the challenger and the champion
(``models:/NAME@ALIAS``) itself, on the same labelled rows. Before any champion it scores the
baseline run's model when that run has one, else uses the baseline's recorded metric. A
champion that cannot be loaded for scoring refuses the promotion, with the reason.

With ``validation.stage``: the project's evaluate stage scores both (``pipeline.staged``).

Without either: the challenger's own metric (metrics file or MLflow run) against the champion's
recorded metric — or, before any champion, the baseline run's — and the reason says whose
number it is, from which run and on which data version ("the current data" only when it is).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from retrigger.config.metrics import MetricName
from retrigger.errors import BadInput, WorkFailed
from retrigger.lineage.in_use import newest_number
from retrigger.pipeline import incomparable, leakage, registry
from retrigger.pipeline.candidate import NOT_LOADABLE, Candidate
from retrigger.pipeline.validation import Rules, Verdict, judge

if TYPE_CHECKING:
    from retrigger.lineage.tracking import RunInfo
    from retrigger.workspace import Workspace


@dataclass(frozen=True)
class Judged:
    verdict: Verdict
    logged: dict[str, float] = field(default_factory=dict)  # numbers for the retrain run
    data: str | None = None  # "path (N rows, md5 …)" when scored on validation.data


@dataclass(frozen=True)
class _Reference:
    value: float | None
    version: str | None
    source: str | None
    against: str = "champion"
    data_version: str | None = None  # the data the number was recorded on


def gate(
    ws: Workspace,
    decision_id: str,
    candidate: Candidate,
    metric_after: float | None,
    data_version: str | None,
) -> Judged:
    config = ws.config
    client = ws.tracking.client
    champ = _newest(
        ws,
        registry.champion(
            client, config.model.name, config.pipeline.champion_alias, config.model.metric
        ),
    )
    if champ is not None and champ.decision_id == decision_id:
        # A crash after the alias moved: this decision's model already is the champion.
        return _already_champion(ws, champ, metric_after)
    if config.validation is not None and config.validation.stage is not None:
        from retrigger.pipeline import staged  # the project's evaluate stage scores both

        return staged.gate(ws, candidate, champ, data_version)
    metric = config.validation_metric()
    if metric is not None:
        rules = _rules(ws, metric.name, metric.greater_is_better)
        return judged_on_rows(ws, rules, metric, candidate, champ)
    rules = _rules(ws, config.model.metric, config.model.greater_is_better)
    if metric_after is None:
        raise WorkFailed(
            f"no {config.model.metric!r} measured for the challenger; set "
            "model.metrics_file, log the metric from the pipeline, or set validation"
        )
    ref = recorded_reference(ws, champ, data_version)
    verdict = judge(rules, metric_after, ref.value, ref.version, ref.source, ref.against)
    floor_ok = judge(rules, metric_after, None, None, None).passed
    return Judged(incomparable.rule(ws, verdict, ref.data_version, data_version, floor_ok))


def _floor(ws: Workspace) -> float | None:
    perf = ws.config.signals.performance
    return perf.min if perf else None


def _rules(ws: Workspace, metric: str, greater_is_better: bool) -> Rules:
    """The promotion rules for ``metric``: the performance floor and the pipeline's margins."""
    pipeline = ws.config.pipeline
    return Rules(
        metric,
        greater_is_better,
        _floor(ws),
        pipeline.min_improvement,
        pipeline.min_relative_improvement,
    )


def _already_champion(
    ws: Workspace, champ: registry.Champion, metric_after: float | None
) -> Judged:
    config = ws.config
    return Judged(
        Verdict(
            True,
            f"v{champ.version} of this decision already holds @{config.pipeline.champion_alias}",
            config.model.metric,
            metric_after,
            None,
            champ.version,
            None,
            None,
            _floor(ws),
        )
    )


def _newest(ws: Workspace, champ: registry.Champion | None) -> registry.Champion | None:
    """The champion's recorded number is the newest run that evaluated it (what `check` and
    the "before" read), not necessarily its own run's."""
    if champ is None:
        return None
    config = ws.config
    found = newest_number(
        ws.tracking, config.model.name, config.pipeline.champion_alias, config.model.metric
    )
    if found is None or found.model_version != champ.version or found.run_id == champ.run_id:
        return champ
    return replace(
        champ, run_id=found.run_id, recorded_metric=found.value, data_version=found.data_version
    )


def recorded_reference(
    ws: Workspace, champ: registry.Champion | None, data_version: str | None
) -> _Reference:
    """The number the challenger meets without validation rows: the champion's own recorded
    metric, else the baseline run's, and which data it was recorded on (``staged`` uses it too,
    before any champion)."""
    metric = ws.config.model.metric
    if champ is not None:
        if champ.recorded_metric is None:
            return _Reference(
                None,
                champ.version,
                f"champion v{champ.version} recorded no {metric}; set validation.data to score it",
            )
        where = (
            "the current data"
            if champ.data_version and champ.data_version == data_version
            else f"data version {champ.data_version or 'unknown'}"
        )
        return _Reference(
            champ.recorded_metric,
            champ.version,
            f"its own recorded {metric}, from run {str(champ.run_id)[:8]} on {where}",
            data_version=champ.data_version,
        )
    base = ws.tracking.baseline()
    if base is None or metric not in base.metrics:
        return _Reference(None, None, None)
    where = (
        "the current data"
        if base.data_version and base.data_version == data_version
        else f"data version {base.data_version or 'unknown'}"
    )
    return _Reference(
        base.metrics[metric],
        None,
        f"baseline run {base.run_id[:8]}'s own recorded {metric}, on {where}",
        "baseline",
        base.data_version,
    )


def judged_on_rows(
    ws: Workspace,
    rules: Rules,
    metric: MetricName,
    candidate: Candidate,
    champ: registry.Champion | None,
) -> Judged:
    """Challenger and champion (or the baseline run's model) both scored by retrigger on
    ``validation.data``, judged by RULES; a refusal when the rows cannot be read or overlap."""
    from retrigger.evaluation import scoring

    assert ws.config.scored_validation is not None
    try:
        rows = scoring.read_labelled(ws.root, ws.config.scored_validation)
    except BadInput as exc:  # the pipeline did not write it, or wrote it wrong
        raise WorkFailed(str(exc)) from None
    where = f"{rows.path} ({rows.rows} rows, md5 {rows.md5[:8]})"
    overlap = leakage.check(ws, champ, rows.path)
    where = leakage.labelled(where, overlap)

    def refuse(reason: str, new: float | None = None) -> Judged:
        return Judged(
            Verdict(
                False,
                reason,
                rules.metric,
                new,
                None,
                champ.version if champ else None,
                None,
                None,
                rules.floor,
                data=where,
                overlap=overlap,
            ),
            leakage.logged(overlap),
            data=where,
        )

    if not candidate.loadable:
        return refuse(f"the challenger ({candidate.kind}) cannot be scored: {NOT_LOADABLE}")
    if overlap.found and not ws.config.scored_validation.allow_overlap:
        return refuse(leakage.refusal(overlap))
    uri = ws.tracking.uri
    new = scoring.score(scoring.load(candidate.load_uri, uri), rows, metric)
    try:
        ref = _reference_scored(ws, champ, rows, metric, where)
    except WorkFailed as exc:
        return refuse(
            f"{exc}; the gate refuses rather than promote blind (adopt a loadable "
            "version with `retrigger champion set`)",
            new,
        )
    logged = {f"validation.{metric.name}.challenger": new, **leakage.logged(overlap)}
    if ref.value is not None:
        logged[f"validation.{metric.name}.{ref.against}"] = ref.value
    verdict = judge(rules, new, ref.value, ref.version, ref.source, ref.against)
    return Judged(replace(verdict, data=where, overlap=overlap), logged, where)


def _reference_scored(
    ws: Workspace, champ: registry.Champion | None, rows: object, metric: MetricName, where: str
) -> _Reference:
    from retrigger.evaluation import scoring

    assert isinstance(rows, scoring.Labelled)
    uri = ws.tracking.uri
    name, alias = ws.config.model.name, ws.config.pipeline.champion_alias
    if champ is not None:
        try:
            value = scoring.score(scoring.load(f"models:/{name}@{alias}", uri), rows, metric)
        except WorkFailed as exc:
            raise WorkFailed(f"champion v{champ.version}: {exc}") from None
        return _Reference(value, champ.version, f"scored on {where}")
    base = ws.tracking.baseline()
    if base is None:
        return _Reference(None, None, None)
    model_uri = baseline_model(ws, base)
    if model_uri is not None:
        value = scoring.score(scoring.load(model_uri, uri), rows, metric)
        return _Reference(
            value, None, f"baseline run {base.run_id[:8]}'s model, scored on {where}", "baseline"
        )
    recorded = base.metrics.get(ws.config.model.metric)
    if recorded is None:
        return _Reference(None, None, None)
    return _Reference(
        recorded,
        None,
        f"baseline run {base.run_id[:8]} has no model; its own "
        f"recorded {ws.config.model.metric}, not on {rows.path}",
        "baseline",
    )


def baseline_model(ws: Workspace, base: RunInfo) -> str | None:
    """A loadable model of the baseline run: a registry version from it, a model it logged."""
    from retrigger.pipeline.candidate import _logged, _registered

    client = ws.tracking.client
    found = _registered(client, ws.config.model.name, base.run_id)
    if found is None:
        experiment = client.get_run(base.run_id).info.experiment_id
        found = _logged(client, str(experiment), base.run_id)
    return found.source if found is not None else None
