"""The pull / merge request body of a promoted retrain: its story, for a reviewer.

Built from ``retrigger explain``'s story: why it fired (values against thresholds), champion
against challenger, the data versions it trained on, the MLflow run and the promotion.
"""

from __future__ import annotations

from typing import Any

from retrigger.units import format as fmt

MARKER = "<!-- retrigger:decision {id} -->"


def pr_body(story: dict[str, Any]) -> str:
    lines = [
        f"Retrain of **{story['model']}** for decision `{story['decision_id']}`. Merging "
        "records its `dvc.lock`, so `git checkout` + `dvc checkout` of this commit gives "
        "back the promoted model.",
        "",
    ]
    lines += _why(story.get("decision"))
    lines += _validation(story.get("validation"))
    lines += _run(story.get("run"), story.get("promotion"))
    lines += _data(story.get("data") or [])
    lines.append(MARKER.format(id=story["decision_id"]))
    return "\n".join(lines) + "\n"


def _why(decision: dict[str, Any] | None) -> list[str]:
    if not decision:
        return []
    lines = [
        "### Why",
        "",
        f"Triggers: {', '.join(decision['trigger_types']) or 'none'}"
        + (
            f" (forced by {decision['requested_by']}: {decision.get('reason')})"
            if decision.get("reason")
            else ""
        ),
        "",
        "| signal | value | threshold | fired | why |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {s['kind']} | {fmt.signal_value(s['kind'], s['value'])} | "
        f"{fmt.signal_value(s['kind'], s['threshold'])} | "
        f"{'yes' if s['fired'] else 'no'} | {_cell(s['detail'])} |"
        for s in decision.get("signals", [])
    ]
    return [*lines, ""]


def _validation(validation: dict[str, Any] | None) -> list[str]:
    if not validation:
        return []
    champion = (
        f"v{validation['champion_version']}" if validation.get("champion_version") else "none yet"
    )
    return [
        "### Champion vs challenger",
        "",
        f"| {validation['metric']} | value |",
        "|---|---|",
        f"| champion ({champion}) | {_num(validation.get('champion'))} |",
        f"| challenger (this retrain) | {_num(validation.get('new'))} |",
        f"| floor | {_num(validation.get('floor'))} |",
        "",
        f"Validation {'passed' if validation['passed'] else 'REFUSED'}: "
        f"{_cell(validation['reason'])}",
        "",
    ]


def _run(run: dict[str, Any] | None, promotion: dict[str, Any] | None) -> list[str]:
    lines = []
    if run:
        lines += [
            "### MLflow",
            "",
            f"Run `{run['run_id']}` ({run['status']}), "
            f"{_num(run.get('metric_before'))} → {_num(run.get('metric_after'))}"
            + (f" ({_cell(run['compared_on'])})" if run.get("compared_on") else "")
            + "; "
            f"requested by {run.get('requested_by') or '—'}, approved by "
            f"{run.get('approved_by') or '—'}.",
            "",
        ]
    if promotion:
        was = f" (was v{promotion['previous']})" if promotion.get("previous") else ""
        lines += [f"Promoted: `{promotion['uri']}` holds `@{promotion['alias']}`{was}.", ""]
    return lines


def _data(data: list[dict[str, Any]]) -> list[str]:
    if not data:
        return []
    lines = ["### Data it trained on", "", "| path | md5 | restore |", "|---|---|---|"]
    lines += [f"| {item['path']} | `{item['md5']}` | `{item['restore']}` |" for item in data]
    return [*lines, ""]


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _num(value: Any) -> str:
    return fmt.number(value)
