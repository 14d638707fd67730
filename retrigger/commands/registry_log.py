"""What MLflow's registry webhooks told retrigger (``/events/mlflow``), read back for
``history`` and ``explain models:/NAME/VERSION`` as one sentence each.

MLflow's payloads do not name who made a change, so the sentence says who registered the
version (the version's ``user_id``, else its run's ``mlflow.user``) and says plainly that the
alias mover is unknown. A change counts as retrigger's own when a retrain made it: a version
created with a ``retrigger.decision_id`` tag (or from a retrain run), an alias moved to the
version a retrain run promoted within ``OWN_MOVE`` of the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from retrigger.events.mlflow import ALIAS_CREATED, VERSION_CREATED
from retrigger.lineage import tags
from retrigger.pipeline.record import escape
from retrigger.store import audit
from retrigger.store.times import aware
from retrigger.workspace import Workspace

OWN_MOVE = timedelta(minutes=15)  # a retrain's run ends within seconds of its alias move


@dataclass(frozen=True)
class Seen:
    """One registry change as the audit trail holds it, with what MLflow says about it now."""

    at: datetime
    kind: str
    model: str | None
    version: str | None
    alias: str | None
    decision_id: str | None  # the retrain that made the change; None: outside retrigger
    registered_by: str | None

    @property
    def outside(self) -> bool:
        return self.decision_id is None

    def sentence(self) -> str:
        v = f"v{self.version}" if self.version else "a version"
        by = f" (decision {self.decision_id})" if self.decision_id else ""
        who = f" by {self.registered_by}" if self.registered_by else ""
        if self.kind == ALIAS_CREATED:
            if not self.outside:
                return f"{v} made {self.alias} by retrigger{by}"
            return (
                f"{v} made {self.alias} outside retrigger ({v} registered{who or ' by unknown'}; "
                "MLflow does not say who moved the alias)"
            )
        if self.kind == VERSION_CREATED:
            return f"{v} registered{who} " + (f"by retrigger{by}" if by else "outside retrigger")
        return f"{self.kind} on {self.model} {v}"

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "model": self.model,
            "version": self.version,
            "alias": self.alias,
            "outside_retrigger": self.outside,
            "decision_id": self.decision_id,
            "registered_by": self.registered_by,
            "sentence": self.sentence(),
        }


def changes(ws: Workspace, subject: str | None = None, limit: int = 200) -> list[Seen]:
    """The registry changes heard for model.name (about ``subject`` only, when given)."""
    with ws.store.transaction() as conn:
        if subject is None:
            events = audit.with_prefix(conn, "mlflow.", limit)
        else:
            events = [e for e in audit.about(conn, subject) if e.action.startswith("mlflow.")]
    name = ws.config.model.name
    return [_seen(ws, e) for e in events if e.detail.get("model") == name]


def _seen(ws: Workspace, event: audit.Event) -> Seen:
    d = event.detail
    at = aware(event.at)
    version, kind = _str(d.get("version")), event.action.removeprefix("mlflow.")
    registered_by, run_id, decision_id = _version_facts(ws, version)
    if kind == VERSION_CREATED:
        decision_id = _str(d.get("decision_id")) or decision_id or _retrain_of(ws, run_id)
    elif kind == ALIAS_CREATED:
        decision_id = _promoted_by(ws, version, at)
    return Seen(
        at, kind, _str(d.get("model")), version, _str(d.get("alias")), decision_id, registered_by
    )


def _version_facts(ws: Workspace, version: str | None) -> tuple[str | None, str | None, str | None]:
    """(who registered it, its run, its retrigger.decision_id) as MLflow holds them now."""
    if version is None:
        return None, None, None
    from mlflow.exceptions import MlflowException

    client = ws.tracking.client
    try:
        found = client.get_model_version(ws.config.model.name, version)
    except MlflowException:
        return None, None, None  # deleted since
    user = str(found.user_id or "") or None
    run_id = str(found.run_id or "") or None
    if user is None and run_id is not None:
        try:
            user = client.get_run(run_id).data.tags.get("mlflow.user") or None
        except MlflowException:
            user = None
    return user, run_id, found.tags.get(tags.DECISION_ID)


def _retrain_of(ws: Workspace, run_id: str | None) -> str | None:
    """The decision of a retrain run (the pipeline registered the version from it)."""
    if run_id is None:
        return None
    from mlflow.exceptions import MlflowException

    try:
        run_tags = ws.tracking.client.get_run(run_id).data.tags
    except MlflowException:
        return None
    return run_tags.get(tags.DECISION_ID) if run_tags.get(tags.RETRAIN) == "true" else None


def _promoted_by(ws: Workspace, version: str | None, at: datetime) -> str | None:
    """The decision whose retrain promoted ``version`` around ``at``; None: someone else."""
    if version is None:
        return None
    query = f"tags.`{tags.RETRAIN}` = 'true' and tags.`{tags.MODEL_VERSION}` = '{escape(version)}'"
    for run in ws.tracking.search(query, max_results=50):
        ended = ws.tracking.client.get_run(run.run_id).info.end_time
        when = datetime.fromtimestamp(ended / 1000, tz=UTC) if ended else run.started_at
        if abs(when - at) <= OWN_MOVE:
            return run.tags.get(tags.DECISION_ID)
    return None


def history_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Changes made outside retrigger, as ``history`` rows (retrigger's own are its runs)."""
    return [
        {
            "run_id": None,
            "decision_id": None,
            "started_at": seen.at.isoformat(),
            "trigger_types": ["registry"],
            "data_version": None,
            "data_paths": {},
            "git_commit": None,
            "metric_before": None,
            "metric_after": None,
            "compared_on": None,
            "status": "outside-retrigger",
            "promoted_version": seen.version if seen.kind == ALIAS_CREATED else None,
            "requested_by": seen.registered_by,
            "approved_by": None,
            "reason": seen.sentence(),
            "model": ws.config.model.name,
        }
        for seen in changes(ws)
        if seen.outside and seen.kind in (ALIAS_CREATED, VERSION_CREATED)
    ]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def version_story(ws: Workspace, uri: str) -> dict[str, Any]:
    """``explain models:/NAME/VERSION``: what the registry said about it, and its validations."""
    from retrigger.errors import BadInput
    from retrigger.pipeline.registry import version_of

    name, version = version_of(ws.tracking.client, uri)
    if name != ws.config.model.name:
        raise BadInput(
            f"{uri} is a version of {name!r}, not of model.name {ws.config.model.name!r}"
        )
    subject = f"models:/{name}/{version}"
    with ws.store.transaction() as conn:
        events = audit.about(conn, subject)
    heard = changes(ws, subject)
    return {
        "kind": "model_version",
        "uri": subject,
        "model": name,
        "version": version,
        "registry": [seen.as_json() for seen in heard],
        "validations": [
            {"at": aware(e.at).isoformat(), "actor": e.actor, "action": e.action, **e.detail}
            for e in events
            if e.action.startswith("validate.")
        ],
    }


def version_lines(story: dict[str, Any]) -> list[str]:
    lines = [f"{story['uri']} (model {story['model']})"]
    lines += [f"{seen['at']}: {seen['sentence']}" for seen in story["registry"]]
    for check in story["validations"]:
        said = "passed" if check.get("passed") else "REFUSED"
        lines.append(
            f"{check['at']}: validated by {check['actor']}: {said}: {check.get('reason')}"
            + (" — promoted" if check["action"] == "validate.promoted" else "")
        )
    if len(lines) == 1:
        lines.append("nothing heard about this version (no MLflow webhook, no validation)")
    return lines
