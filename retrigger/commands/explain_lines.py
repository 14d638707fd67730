"""``retrigger explain`` in words: the story ``explain`` gathers, as terminal lines and as the
Markdown a pull request's reviewer reads."""

from __future__ import annotations

from typing import Any

from retrigger.evaluation.overlap import Overlap
from retrigger.units import format as fmt


def markdown(story: dict[str, Any]) -> str:
    """The story for a reviewer: the body of the pull request of a promoted retrain."""
    from retrigger.integrations.pr_body import pr_body

    if story.get("kind") == "model_version":
        return "".join(f"- {line}\n" for line in story_lines(story))
    return pr_body(story)


def story_lines(story: dict[str, Any]) -> list[str]:
    """The story as plain lines, for the terminal and the demo."""
    if story.get("kind") == "model_version":
        from retrigger.commands.registry_log import version_lines

        return version_lines(story)
    lines = [f"decision {story['decision_id']} (model {story['model']})"]
    decision = story.get("decision")
    if decision:
        lines += _decision_lines(decision)
    approval = story.get("approval")
    if approval:
        lines.append(
            f"approval {approval['approval_id']}: {approval['status']}, asked by "
            f"{approval['requested_by']} at {fmt.timestamp(approval['requested_at'])}, decided "
            f"by {approval['decided_by'] or '—'} at {fmt.timestamp(approval['decided_at'])}"
        )
    for attempt in story.get("attempts", []):
        lines += _attempt_lines(attempt)
    failure = story.get("failure_output")
    if failure:
        log = f" (full log: {failure['log']})" if failure.get("log") else ""
        lines.append(f"last lines of {failure['step']}{log}:")
        lines += [f"  | {line}" for line in failure["lines"]]
    if story.get("validation"):
        lines += _validation_lines(story["validation"])
    return lines + _outcome_lines(story)


def _attempt_lines(attempt: dict[str, Any]) -> list[str]:
    """The attempt, then each step with its status and duration."""
    return [
        f"attempt {attempt['attempt_id']} ({attempt['host']}): {attempt['status']}"
        + (f", stopped at {attempt['stopped_at']}" if attempt["stopped_at"] else ""),
        *(
            f"  {s['name']:<9} {s['status']:<11} {fmt.duration(s['seconds']):>10}  "
            f"{s['detail'] or ''}".rstrip()
            for s in attempt["steps"]
        ),
    ]


def _outcome_lines(story: dict[str, Any]) -> list[str]:
    """What the retrain left: its MLflow run, the promotion, the data and how to get it back."""
    lines = []
    run = story.get("run")
    if story.get("nothing_to_train"):
        lines.append(
            f"nothing trained: `dvc repro` ran no stage ({story['nothing_to_train']}); no model "
            "was built, validated or registered"
        )
    if run and story.get("nothing_to_train"):
        lines.append(f"MLflow run {run['run_id']}: status {run['status']}")
    elif run:
        lines.append(
            f"MLflow run {run['run_id']}: status {run['status']}, "
            f"{_num(run['metric_before'])} → {_num(run['metric_after'])}"
            + (f" ({run['compared_on']})" if run.get("compared_on") else "")
            + ", requested by "
            f"{run['requested_by']}, approved by {run['approved_by'] or '—'}"
        )
    promotion = story.get("promotion")
    if promotion:
        lines.append(
            f"promoted: {promotion['uri']} holds @{promotion['alias']}"
            + (f" (was v{promotion['previous']})" if promotion["previous"] else "")
        )
    if story.get("data"):
        lines.append("data it trained on, and how to get it back:")
    for item in story.get("data", []):
        lines.append(f"  {item['path']} md5 {item['md5']} at commit {item['git_commit']}")
        lines.append(f"    $ {item['restore']}")
        if item.get("note"):
            lines.append(f"    note: {item['note']}")
    return lines


def _validation_lines(verdict: dict[str, Any]) -> list[str]:
    """The verdict, then both numbers and where each came from."""
    said = "passed" if verdict["passed"] else ("HELD" if verdict.get("held") else "REFUSED")
    lines = [f"validation: {said}: {verdict['reason']}"]
    if isinstance(verdict.get("overlap"), dict):  # the leakage check of the validation rows
        lines.append(f"  overlap: {Overlap.from_json(verdict['overlap']).describe()}")
    metric = verdict.get("metric")
    lines.append(
        f"  challenger {metric} {_num(verdict.get('new'))}: this retrain's model"
        + (f", scored on {verdict['data']}" if verdict.get("data") else "")
    )
    if verdict.get("champion") is not None:
        who = verdict.get("against") or "champion"
        version = f" v{verdict['champion_version']}" if verdict.get("champion_version") else ""
        lines.append(
            f"  {who}{version} {metric} {_num(verdict['champion'])}: "
            f"{verdict.get('champion_source')}"
        )
    return lines


def _decision_lines(decision: dict[str, Any]) -> list[str]:
    lines = [
        f"created {fmt.timestamp(decision['created_at'])}: fire={decision['fire']}, triggers "
        f"{', '.join(decision['trigger_types']) or 'none'}"
    ]
    if decision.get("requested_by") or decision.get("reason"):
        lines.append(f"forced by {decision.get('requested_by')}: {decision.get('reason')}")
    if decision.get("held_by"):
        lines.append(f"held by {decision['held_by']}: {decision.get('hold_detail')}")
    for s in decision["signals"]:
        lines.append(
            f"  {s['kind']:<12} {_state(s):<7} value {fmt.signal_value(s['kind'], s['value'])} "
            f"threshold {fmt.signal_value(s['kind'], s['threshold'])}: {s['detail']}"
        )
    # Where the compared data came from, when check had to fetch it from the DVC remote.
    lines += [f"  {line}" for line in decision.get("fetched") or []]
    return lines


def _state(signal: dict[str, Any]) -> str:
    """FIRED, ok, or UNKNOWN: a reading that could not be taken is never shown as ok."""
    if signal.get("state") == "unknown":
        return "UNKNOWN"
    return "FIRED" if signal.get("fired") else "ok"


def _num(value: float | None) -> str:
    return fmt.number(value)
