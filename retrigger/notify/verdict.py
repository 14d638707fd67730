"""What the validation gate compared, for the promotion and refusal messages (and why it
compared nothing, for the nothing-to-train message): the challenger's
number and the champion's (with its version), the rows both were scored on, what was required.

Read from the verdict the attempt stored (``Verdict.as_json``, retrigger.pipeline.validation) as
the payload carries it; every key optional, like every payload.
"""

from __future__ import annotations

from typing import Any

from retrigger.units import format as fmt


def gate_fields(verdict: dict[str, Any]) -> list[tuple[str, str]]:
    """Label → value pairs: challenger, champion, rows, required, verdict."""
    metric = str(verdict.get("metric") or "metric")
    against = str(verdict.get("against") or "champion")
    version = verdict.get("champion_version")
    reference = f"{against.capitalize()} v{version}" if version else against.capitalize()
    champion = verdict.get("champion")
    source = verdict.get("champion_source")
    if champion is None:
        compared = f"none yet ({source})" if source else "none yet: judged on the floor alone"
    else:
        compared = f"{metric} {fmt.number(champion)}" + (f"\n{source}" if source else "")
    pairs = [
        ("Challenger", f"{metric} {fmt.number(verdict.get('new'))}"),
        (reference, compared),
        ("Scored on", str(verdict.get("data") or "each model's own recorded metric")),
    ]
    needed = []
    if verdict.get("required_improvement") is not None:
        needed.append(f"improvement ≥ {fmt.number(verdict['required_improvement'])}")
    if verdict.get("floor") is not None:
        needed.append(f"floor {fmt.number(verdict['floor'])}")
    if needed:
        pairs.append(("Required", ", ".join(needed)))
    pairs.append(("Verdict", "promoted" if verdict.get("passed") else "refused"))
    return pairs


def gate_sentence(verdict: dict[str, Any]) -> str:
    """One line for the console and the notification: the gate's own reason, and the rows."""
    rows = f" on {verdict['data']}" if verdict.get("data") else ""
    return f"Gate{rows}: {verdict.get('reason') or 'no reason recorded'}"


def skipped_fields(skipped: dict[str, Any]) -> list[tuple[str, str]]:
    """Label → value pairs when the gate never ran: why, and the champion that stays."""
    return [
        ("Gate", "not run: " + str(skipped.get("why") or "no challenger")),
        ("Champion", _kept(skipped)),
        ("Verdict", "nothing to promote"),
    ]


def skipped_sentence(skipped: dict[str, Any]) -> str:
    return f"Gate: compared nothing, no challenger was built; champion {_kept(skipped)}"


def _kept(skipped: dict[str, Any]) -> str:
    alias = str(skipped.get("champion_alias") or "champion")
    version = skipped.get("champion_version")
    if version is None:
        return f"none holds @{alias} yet"
    if version == "unknown":
        return f"unknown: the registry could not be asked who holds @{alias}"
    return f"v{version} stays @{alias}, unchanged"
