"""``retrigger validate models:/NAME/VERSION [--promote]``: a version made outside retrigger,
judged against the champion by the same gate as a retrain (``pipeline.compare.gate``).

It promotes only when asked (``--promote``) and only when the gate passes: registering a
version is not a decision to serve it, and an automatic promotion of whatever someone
registered would bypass the approval a retrain may need. Every verdict is in the audit trail
(``explain models:/NAME/VERSION``) and on the version as the ``retrigger.validation`` tag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from retrigger.commands.approve import cli_actor
from retrigger.errors import BadInput
from retrigger.lineage import tags
from retrigger.pipeline import registry
from retrigger.pipeline.candidate import RAW, REGISTERED, Candidate
from retrigger.pipeline.validation import Verdict
from retrigger.store import audit
from retrigger.workspace import Workspace


@dataclass(frozen=True)
class Validated:
    uri: str
    version: str
    verdict: Verdict
    promoted: bool
    previous: str | None  # the champion before a promotion
    note: str | None = None  # what happened beside the verdict (the baseline not moved, …)

    def as_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "version": self.version,
            "passed": self.verdict.passed,
            "promoted": self.promoted,
            "previous_champion": self.previous,
            "validation": self.verdict.as_json(),
            "note": self.note,
        }


def validate(ws: Workspace, target: str, promote: bool, actor: str | None = None) -> Validated:
    from retrigger.pipeline.compare import gate

    name, number = _version(ws, target)
    uri = f"models:/{name}/{number}"
    client = ws.tracking.client
    alias = ws.config.pipeline.champion_alias
    champ = registry.champion(client, name, alias, None)
    if champ is not None and champ.version == number:
        raise BadInput(f"{uri} already holds @{alias}; validate another version against it")
    found = client.get_model_version(name, number)
    run_id = str(found.run_id or "") or None
    metric, data_version = _recorded(ws, run_id)
    kind = REGISTERED if registry.loadable(client, str(found.source)) else RAW
    candidate = Candidate(kind, uri, version=number)
    judged = gate(ws, f"validate {uri}", candidate, metric, data_version)
    verdict = judged.verdict
    promoted, previous, note = False, None, None
    if promote and verdict.passed:
        previous = champ.version if champ else None
        client.set_registered_model_alias(name, alias, number)
        promoted = True
        note = _follow_baseline(ws, run_id)
    by = actor or cli_actor()
    client.set_model_version_tag(name, number, tags.VALIDATION, verdict.reason[:5000])
    with ws.store.transaction() as conn:
        audit.record(
            conn,
            action="validate.promoted" if promoted else _said(verdict),
            subject=uri,
            actor=by,
            now=ws.clock(),
            detail={**verdict.as_json(), "previous_champion": previous},
        )
    return Validated(uri, number, verdict, promoted, previous, note)


def _said(verdict: Verdict) -> str:
    return "validate.passed" if verdict.passed else "validate.refused"


def _version(ws: Workspace, target: str) -> tuple[str, str]:
    name = ws.config.model.name
    if not target.startswith("models:/") and not target.isdigit():
        raise BadInput(f"{target!r} is not a version number nor models:/{name}/VERSION")
    validation = ws.config.validation
    if validation is not None and validation.stage is not None:
        raise BadInput(
            "validation.stage scores the model file the pipeline wrote in the work tree, not a "
            "registry version; validate a version with validation.data (rows both are scored on) "
            "or with no validation section (the recorded metrics)"
        )
    uri = target if target.startswith("models:/") else f"models:/{name}/{target}"
    found, number = registry.version_of(ws.tracking.client, uri)
    if found != name:
        raise BadInput(f"{uri} is a version of {found!r}, not of model.name {name!r}")
    return found, number


def _recorded(ws: Workspace, run_id: str | None) -> tuple[float | None, str | None]:
    """model.metric as the version's run logged it, and the data version it recorded."""
    if run_id is None:
        return None, None
    run = ws.tracking.get(run_id)
    value = run.metrics.get(ws.config.model.metric)
    finite = value if value is not None and math.isfinite(value) else None
    return finite, run.data_version


def _follow_baseline(ws: Workspace, run_id: str | None) -> str | None:
    """A promoted version's run becomes the baseline (``pipeline.promote_sets_baseline``)."""
    if not ws.config.pipeline.promote_sets_baseline:
        return None
    if run_id is None:
        return "the baseline run did not move: the version has no run"
    try:
        ws.tracking.set_baseline(run_id, ws.config.model.metric)
    except BadInput as exc:
        return f"the baseline run did not move: {exc}"
    return None
