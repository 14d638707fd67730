"""What ``backtest --tune`` found, in words and as JSON: the search on the first part of the
history, and every schedule scored on the rest only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrigger.backtest import cost
from retrigger.backtest.tune import Outcome, Search, diff_lines, unknown_cells


@dataclass(frozen=True)
class Tuned:
    commits: tuple[str, ...]  # the commit of each period
    outcome: Outcome
    mode: str  # policy.mode

    @property
    def search(self) -> Search:
        return self.outcome.search

    @property
    def diff(self) -> list[str]:
        chosen = self.search.chosen
        return diff_lines(self.search.knobs, chosen.setting) if chosen else []

    def lines(self) -> list[str]:
        """What was searched where, what it chose, and every schedule on the scored part."""
        return [self._search_line(), self._choice_line(), self._scored_line()]

    def _search_line(self) -> str:
        found, where = self.search, _span(self.outcome.tuned_on)
        keys = ", ".join(k.key for k in found.knobs) or "no threshold (none enabled)"
        unknown, cells = unknown_cells(self.outcome.tuned_on)
        window = self.outcome.tuned_on
        prices = f"retrain {window.retrain_cost:g}, staleness {window.price_per_row:g}"
        return (
            f"tune: {len(found.tried)} settings of {keys} replayed on {where} only, J priced "
            f"by backtest.cost ({prices}); "
            f"{len(found.tried) - found.unknown} had a known J, {found.unknown} needed a "
            f"matrix cell not known ({unknown} of {cells} cells unknown there)"
        )

    def _choice_line(self) -> str:
        found, span = self.search, _span(self.outcome.tuned_on)
        chosen = found.chosen
        if chosen is None:
            return f"tune: no setting has a known J on {span}: nothing to recommend"
        where = f"least J on {span}: {_money(chosen.cost)} ({_count(chosen.retrains)})"
        if not self.diff:
            return f"tune: the configured thresholds have the {where}: no change"
        pairs = zip(found.knobs, chosen.setting, strict=True)
        moved = ", ".join(
            f"{k.key}={k.text(v)} (configured {k.text(k.configured)})"
            for k, v in pairs
            if k.text(v) != k.text(k.configured)
        )
        return f"tune: {where} with {moved}"

    def _scored_line(self) -> str:
        outcome = self.outcome
        oracle = outcome.oracle
        said = [f"scored on {_span(outcome.scored_on)} only: Oracle J {_money(oracle.cost)}"]
        if outcome.tuned is not None:
            said.append(_said("tuned", outcome.tuned, oracle))
        said.append(_said("configured", outcome.configured, oracle))
        fixed = outcome.fixed
        if fixed is not None and fixed.scored is not None:
            every = "every period" if fixed.k == 1 else f"every {fixed.k} periods"
            said.append(_said(f"{every} (k tuned alike)", fixed.scored, oracle))
        unknown, cells = unknown_cells(outcome.scored_on)
        return "; ".join(said) + f" ({unknown} of {cells} cells unknown there)"

    def as_json(self) -> dict[str, object]:
        found, outcome = self.search, self.outcome
        oracle, fixed = outcome.oracle, outcome.fixed
        return {
            "summary": self.lines(),
            "commits": list(self.commits),
            "mode": self.mode,
            "tuned_on": _window(outcome.tuned_on),
            "scored_on": _window(outcome.scored_on),
            "knobs": [
                {
                    "key": k.key,
                    "configured": k.text(k.configured),
                    "tried": [k.text(v) for v in k.values],
                }
                for k in found.knobs
            ],
            "tried": [
                {
                    "setting": _setting(found, t.setting),
                    "cost": t.cost,
                    "retrains": list(t.retrains),
                }
                for t in found.tried
            ],
            "unknown_settings": found.unknown,
            "chosen": _setting(found, found.chosen.setting) if found.chosen else None,
            "diff": self.diff,
            "scored": {
                "oracle": cost.as_json(oracle, oracle),
                "tuned": cost.as_json(outcome.tuned, oracle) if outcome.tuned else None,
                "configured": cost.as_json(outcome.configured, oracle),
                "best_fixed": None
                if fixed is None or fixed.scored is None
                else {"k": fixed.k, **cost.as_json(fixed.scored, oracle)},
            },
        }


def _window(window: cost.CostProblem) -> dict[str, object]:
    unknown, cells = unknown_cells(window)
    last = window.start + window.periods - 1
    return {"periods": [window.start, last], "unknown_cells": unknown, "cells": cells}


def _span(window: cost.CostProblem) -> str:
    return f"periods {window.start}-{window.start + window.periods - 1}"


def _setting(found: Search, setting: Sequence[float]) -> dict[str, str]:
    return {k.key: k.text(v) for k, v in zip(found.knobs, setting, strict=True)}


def _said(name: str, schedule: cost.ScheduleCost, oracle: cost.ScheduleCost) -> str:
    ratio = cost.regret(schedule, oracle)
    unknown = f", {len(schedule.unknown)} cells unknown" if schedule.unknown else ""
    return (
        f"{name} J {_money(schedule.cost)} ({_count(schedule.retrains)}{unknown}), "
        f"regret {'unknown' if ratio is None else f'{ratio:.2f}'}"
    )


def _count(retrains: Sequence[int]) -> str:
    return f"{len(retrains)} retrain{'' if len(retrains) == 1 else 's'}"


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.4g}"
