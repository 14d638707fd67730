"""The retrain policy in sentences a non-engineer reads, from the effective config.

Pure: the config (and, when MLflow answered, the baseline's value) in, text out. The text
without a baseline is what RETRAINING.md holds between its markers, so the config-check hook
can tell, without MLflow, whether that section still says what retrigger.yaml says.
"""

from __future__ import annotations

from datetime import timedelta

from retrigger.config.models import RetriggerConfig

BEGIN = "<!-- retrigger:policy begin: `retrigger config explain --update RETRAINING.md` -->"
END = "<!-- retrigger:policy end -->"


def sentences(config: RetriggerConfig, baseline: float | None = None) -> list[str]:
    """First the reasons to retrain, then what holds a retrain back, then who approves."""
    reasons = _reasons(config, baseline)
    joiner = "; and " if config.policy.fire_when == "all" else "; or "
    first = (
        f"Retrains *{config.model.name}* when {joiner.join(reasons)}."
        if reasons
        else f"*{config.model.name}* never retrains on its own: no signal is configured "
        "(only `retrigger run --force`)."
    )
    return [first, *[s for s in (_holds(config), _approval(config)) if s]]


def markdown(config: RetriggerConfig, baseline: float | None = None) -> str:
    return (
        f"## When {config.model.name} retrains\n\n" + "\n".join(sentences(config, baseline)) + "\n"
    )


def section(config: RetriggerConfig) -> str:
    """The RETRAINING.md block, markers included (no live number: it must stay reproducible)."""
    return f"{BEGIN}\n{markdown(config)}{END}\n"


def replace_section(text: str, block: str) -> str | None:
    """``text`` with its marked block replaced by ``block``; None when it has no markers."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[:start] + block.rstrip("\n") + text[end + len(END) :]


def _reasons(config: RetriggerConfig, baseline: float | None) -> list[str]:
    signals, metric = config.signals, config.model.metric
    up = config.model.greater_is_better
    reasons = []
    if signals.performance is not None:
        parts = []
        if signals.performance.min is not None:
            parts.append(
                f"{metric} {'falls below' if up else 'rises above'} {_n(signals.performance.min)}"
            )
        drop = signals.performance.max_drop
        if drop is not None:
            now = (
                f" (now {_n(baseline)} → {_n(baseline * (1 - drop if up else 1 + drop))})"
                if baseline is not None
                else ""
            )
            parts.append(f"more than {_pct(drop)} {'under' if up else 'over'} the baseline{now}")
        reasons.append(", or ".join(parts))
    if signals.schedule is not None:
        reasons.append(f"{_span(signals.schedule.max_age)} after the last retrain")
    if signals.volume is not None:
        volume = []
        if signals.volume.min_new_rows is not None:
            volume.append(f"{signals.volume.min_new_rows:,} new rows arrived")
        if signals.volume.min_growth is not None:
            volume.append(f"the data grew by {_pct(signals.volume.min_growth)}")
        reasons.append("when " + " or ".join(volume) if volume else "when new data arrived")
    if signals.drift is not None:
        reasons.append(f"when at least {_pct(signals.drift.share)} of the columns drift")
    return reasons


def _holds(config: RetriggerConfig) -> str:
    policy, parts = config.policy, []
    if policy.cooldown > timedelta(0):
        parts.append(f"Never within {_span(policy.cooldown)} of the last retrain")
    if policy.max_retrains is not None:
        parts.append(f"at most {policy.max_retrains.count} per {_span(policy.max_retrains.per)}")
    if not parts:
        return ""
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


def _approval(config: RetriggerConfig) -> str:
    slack = config.slack
    if config.policy.approval != "required":
        return "No approval is asked: a check that fires retrains at once."
    who = ", ".join(slack.approvers) or "an approver"
    other = " other than the person who asked" if slack.four_eyes else ""
    return f"A member of {who}{other} approves in {slack.channel}."


def _span(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    # Days from two on ("30 days", "7 days"), hours below ("24 h"): as people say them.
    for size, one, many in ((86400, "day", "days"), (3600, "h", "h"), (60, "min", "min")):
        if seconds % size == 0 and seconds and (size != 86400 or seconds >= 2 * size):
            count = seconds // size
            return f"{count} {one if count == 1 else many}"
    return f"{seconds} s"


def _pct(value: float) -> str:
    return f"{value * 100:g} %"


def _n(value: float) -> str:
    return f"{value:.4g}"
