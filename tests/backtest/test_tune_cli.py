"""``retrigger backtest --tune`` on tests/backtest/history.py's history (real git, DVC, MLflow).

Ten periods, split 0.5: tuned on periods 0-4, scored on 5-9. History knows only row 0 at
points 0-6 and row 6 at points 7-9 plus M[6][6] (tests/backtest/test_cost_cli.py), so on
periods 0-4 only row 0 is known (5 of 15 cells) and every staleness cell off the diagonal needs
an unknown M[j][j]: no setting has a known J there, and none may be chosen as if it cost 0.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.backtest.test_cost_cli import PRICES
from tests.support.cli import run_cli

KNOBS = [
    "signals.performance.min",
    "signals.drift.share",
    "signals.schedule.max_age",
    "signals.volume.min_new_rows",
]


def _tune(root: Path, *extra: str) -> tuple[int, str, str]:
    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--set", PRICES, "--tune", *extra
    )
    return result.code, result.out, result.err


def test_tune_searches_on_the_first_half_only_and_chooses_nothing_unknown(
    history_project: tuple[Path, list[str]],
) -> None:
    root, shas = history_project

    code, out, err = _tune(root, "--json")

    assert code == 0, err
    tuned = json.loads(out)["tune"]
    assert tuned["commits"] == shas
    assert tuned["tuned_on"] == {"periods": [0, 4], "unknown_cells": 10, "cells": 15}
    assert tuned["scored_on"] == {"periods": [5, 9], "unknown_cells": 11, "cells": 15}
    assert [k["key"] for k in tuned["knobs"]] == KNOBS
    assert tuned["knobs"][0]["tried"] == ["0.8", "0.784", "0.816", "0.76", "0.84"]
    tried = tuned["tried"]
    assert len(tried) > len(KNOBS)  # each knob moved
    # Every candidate was replayed on periods 0-4 only: no retrain outside them.
    assert all(1 <= p <= 4 for t in tried for p in t["retrains"])
    assert all(t["cost"] is None for t in tried) and tuned["unknown_settings"] == len(tried)
    assert tuned["chosen"] is None and tuned["diff"] == []
    scored = tuned["scored"]
    assert scored["tuned"] is None
    assert all(5 < p <= 9 for p in scored["configured"]["retrains"])
    assert scored["oracle"]["retrains"] == [6, 7, 8, 9] and scored["oracle"]["cost"] == 400
    assert scored["best_fixed"]["k"] == 1 and scored["best_fixed"]["regret"] == 1.0


def test_tune_says_in_words_what_it_could_not_know(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project

    code, out, err = _tune(root, "--tune-split", "0.4")

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("tune: ") and "replayed on periods 0-3 only" in lines[0]
    assert "(6 of 10 cells unknown there)" in lines[0]
    assert lines[1] == "tune: no setting has a known J on periods 0-3: nothing to recommend"
    assert lines[2].startswith("scored on periods 4-9 only: Oracle J ")


def test_tune_with_a_page_or_a_bad_split_exits_2_in_one_line(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project

    code, _, err = _tune(root, "--html", str(tmp_path / "page.html"))
    assert code == 2 and "--tune prints its own report" in err and err.count("\n") == 1
    code, _, err = _tune(root, "--tune-split", "1.5")
    assert code == 2 and "--tune-split 1.5" in err and err.count("\n") == 1


def test_tune_replays_the_cost_policy_over_the_matrix_on_the_first_half_only(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project
    cost_policy = ("policy.mode=cost", "policy.cost={retrain: 100, staleness: 1000}")

    code, out, err = _tune(root, "--set", cost_policy[0], "--set", cost_policy[1], "--json")

    assert code == 0, err
    tuned = json.loads(out)["tune"]
    assert tuned["mode"] == "cost"
    assert [k["key"] for k in tuned["knobs"]] == ["policy.cost.retrain"]
    tried = ["100", "10", "16", "25", "40", "63", "160", "250", "400", "630", "1000"]
    assert tuned["knobs"][0]["tried"] == tried
    # Model 0 at period 1: 200 new rows x 1000 x (0.90 - 0.89) = 2000 >= every threshold, so
    # each retrains at 1; model 1's own level M[1][1] is unknown (the expected level is then
    # M[0][0]'s alone) and so are its later cells: nothing is added after.
    assert [t["retrains"] for t in tuned["tried"]] == [[1]] * len(tried)
    assert all(t["cost"] is None for t in tuned["tried"]) and tuned["chosen"] is None
    # Scored from period 5, whose level M[5][5] is unknown too: no retrain, J unknown.
    configured = tuned["scored"]["configured"]
    assert configured["retrains"] == [] and configured["cost"] is None
