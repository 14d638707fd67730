"""What a CI job shows people: a Markdown summary, annotations, outputs for the next job.

Written whenever the CI sets the variable, whatever the orchestrator: ``$GITHUB_STEP_SUMMARY``
gets a table (GitHub renders it on the run's page), ``::notice``/``::warning`` lines become
annotations under GitHub Actions, and ``check --gitlab-dotenv FILE`` writes the ``dotenv``
report GitLab hands to the jobs that ``needs:`` it. The pull request body is the retrain's story.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from retrigger.decision import Decision
from retrigger.units import format as fmt

SUMMARY_VAR = "GITHUB_STEP_SUMMARY"


def decision_outputs(decision: Decision) -> dict[str, str]:
    """The values the retrain job reads (GitHub outputs, GitLab dotenv variables)."""
    return {
        "retrain": "true" if decision.fire else "false",
        "decision_id": decision.id,
        "trigger_types": ",".join(decision.trigger_types),
    }


def write_dotenv(path: Path, values: Mapping[str, str]) -> None:
    """GitLab's dotenv report: KEY=value lines, upper-case keys, no quoting, no newlines."""
    lines = [f"{key.upper()}={value.replace(chr(10), ' ')}" for key, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def decision_summary(decision: Decision) -> str:
    if decision.fire:
        verdict = f"**RETRAIN**: {', '.join(decision.trigger_types)} fired"
    elif decision.held_by:
        verdict = f"**held** by {decision.held_by}: {decision.hold_detail}"
    else:
        verdict = "**no retrain needed**"
    rows = [
        [
            r.kind,
            fmt.signal_value(r.kind, r.value),
            fmt.signal_value(r.kind, r.threshold),
            _state(r.fired, r.value),
            r.detail,
        ]
        for r in decision.readings
    ]
    return "\n".join(
        [
            f"### retrigger check: {decision.model}",
            "",
            f"Decision `{decision.id}`: {verdict}",
            "",
            *_table(["signal", "value", "threshold", "state", "why"], rows),
            "",
        ]
    )


def decision_annotation(decision: Decision) -> str:
    if decision.fire:
        return (
            f"::warning title=retrain {decision.model}::{', '.join(decision.trigger_types)} "
            f"fired; decision {decision.id}"
        )
    return f"::notice title=retrigger {decision.model}::no retrain needed ({decision.id})"


def outcome_summary(outcome: Mapping[str, Any]) -> str:
    rows = [
        [
            str(s.get("name")),
            str(s.get("status")),
            fmt.duration(s.get("seconds")),
            str(s.get("detail") or ""),
        ]
        for s in outcome.get("steps") or []
    ]
    lines = [
        f"### retrigger run: decision `{outcome['decision_id']}`",
        "",
        f"**{str(outcome['status']).upper()}**: {outcome['message']}",
        "",
    ]
    if outcome.get("metric_after") is not None:
        lines += [
            f"{outcome['metric']}: {_num(outcome.get('metric_before'))} → "
            f"{_num(outcome['metric_after'])}"
            + (f" ({outcome['compared_on']})" if outcome.get("compared_on") else ""),
            "",
        ]
    if rows:
        lines += [*_table(["step", "status", "time", "detail"], rows), ""]
    if outcome.get("run_id"):
        lines += [f"MLflow run `{outcome['run_id']}`", ""]
    return "\n".join(lines)


def outcome_annotation(outcome: Mapping[str, Any]) -> str:
    kind = "notice" if outcome.get("exit_code", 0) == 0 else "warning"
    return f"::{kind} title=retrain {outcome['status']}::{_one_line(str(outcome['message']))}"


def append_summary(environ: Mapping[str, str], markdown: str) -> bool:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set; whether it was."""
    name = environ.get(SUMMARY_VAR)
    if not name:
        return False
    with Path(name).open("a", encoding="utf-8") as handle:
        handle.write(markdown + "\n")
    return True


def annotate(environ: Mapping[str, str], line: str, stream: TextIO) -> None:
    if environ.get("GITHUB_ACTIONS") == "true":
        print(line, file=stream, flush=True)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _state(fired: bool, value: float | None) -> str:
    return "FIRED" if fired else ("unknown" if value is None else "ok")


def _num(value: Any) -> str:
    return fmt.number(value)
