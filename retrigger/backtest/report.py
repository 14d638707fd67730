"""The documented ``retrigger backtest --json`` document, and the limits every output states."""

from __future__ import annotations

from retrigger.backtest.replay import PointResult, Replay

LIMITS = (
    "performance after a replayed retrain is the metric recorded at that commit, by the model "
    "that really ran then: the model the replay would have trained is unknown",
    "a replayed retrain is taken to succeed at once: none is refused by validation or still "
    "running at the next point",
    "max_drop is measured from the run that was the baseline at each point's time (MLflow "
    "tags), not from a model a replayed retrain would have promoted",
    "a point whose data (or metric) is in no DVC cache or remote is unknown: it never fires "
    "and is never guessed",
)


def verdict_words(replay: Replay) -> str:
    """``fired 2, held 1 (identical inputs), quiet 5 of 8 commits; 2 real retrains (MLflow)``."""
    held = replay.held
    parts = [f"fired {replay.retrains}"]
    if held:
        reasons = [name.replace("-", " ") for name in held]
        if len(held) == 1:
            parts.append(f"held {sum(held.values())} ({reasons[0]})")
        else:
            counted = ", ".join(f"{n} {r}" for r, n in zip(reasons, held.values(), strict=True))
            parts.append(f"held {sum(held.values())} ({counted})")
    parts.append(f"quiet {replay.quiet}")
    real = len(replay.real)
    return (
        f"{', '.join(parts)} of {len(replay.results)} commits; "
        f"{real} real retrain{'' if real == 1 else 's'} (MLflow)"
    )


def limits(replay: Replay) -> list[str]:
    found = list(LIMITS)
    if replay.start is not None:
        found.append(
            f"the replay starts from the model trained on the data of the {replay.start.what}"
        )
    return found + replay.notes


def point_json(result: PointResult) -> dict[str, object]:
    point, verdict = result.point, result.verdict
    return {
        "commit": point.commit.sha,
        "time": point.commit.time.isoformat(),
        "subject": point.commit.subject,
        "data_version": point.data_version,
        "trained_data_version": result.trained.data_version,
        "readings": [reading.as_json() for reading in result.readings],
        "outcome": result.outcome,
        "fire": verdict.fire,
        "wanted": verdict.wanted,
        "trigger_types": list(verdict.trigger_types),
        "held_by": verdict.held_by,
        "hold_detail": verdict.hold_detail,
        "unknown": result.unknown,
        "real_retrains": [real.run_id for real in result.real_retrains],
    }


def document(replay: Replay) -> dict[str, object]:
    return {
        "points": [point_json(result) for result in replay.results],
        "retrains": replay.retrains,
        "held": replay.held,
        "quiet": replay.quiet,
        "replayed_retrains": [point_json(r)["commit"] for r in replay.results if r.verdict.fire],
        "real_retrains": [real.as_json() for real in replay.real],
        "config": replay.config.model_dump(mode="json", include={"signals", "policy"}),
        "limits": limits(replay),
    }
