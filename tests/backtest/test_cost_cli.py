"""``retrigger backtest --cost`` on tests/backtest/history.py's history (real git, DVC, MLflow).

What that history knows, by hand: the baseline model (day 0's data) is in use until the real
retrain on day 13's data (logged 2 h after point 6), so the committed accuracies fill row 0 for
points 0-6 and row 6 for points 7-9; the retrain's own logged 0.91 is the diagonal M[6][6].
Known cells: 7 + 3 + 1 = 11 of 55. Rows added per point: 1000, 200, 200, 50, 650, 100, 100, 0
(a metrics-only commit), 50, 50. The one known staleness cell off the diagonal is (0, 6):
100 rows x 1000 x (0.91 - 0.84) = 7000. Only retraining at every period needs no unknown cell,
so the Oracle is that: 9 x 100 = 900. The replayed policy (retrains at 2, 4, 6, 9) needs
(0,1), (2,3), (4,5), (6,7), (6,8): its J is unknown, not guessed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

PRICES = "backtest.cost={retrain: 100, staleness: 1000}"


def test_json_prices_what_history_knows_and_says_what_it_does_not(
    history_project: tuple[Path, list[str]],
) -> None:
    root, shas = history_project

    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--set", PRICES, "--cost", "--json"
    )

    assert result.code == 0, result.err
    cost = json.loads(result.out)["cost"]
    assert cost["commits"] == shas
    assert (cost["unknown_cells"], cost["cells"]) == (44, 55)
    assert cost["oracle"]["retrains"] == list(range(1, 10)) and cost["oracle"]["cost"] == 900
    assert cost["every_period"]["cost"] == 900
    policy = cost["policy"]
    assert policy["retrains"] == [2, 4, 6, 9]
    assert policy["cost"] is None and policy["regret"] is None
    assert policy["unknown_cells"] == [[0, 1], [2, 3], [4, 5], [6, 7], [6, 8]]
    never = cost["never"]
    assert never["cost"] is None
    assert never["known_staleness"] == pytest.approx(7000)
    fixed = cost["best_fixed"]
    assert fixed["k"] == 1 and fixed["tuned_on"] == [0, 4]
    assert fixed["scored"]["periods"] == [5, 9] and fixed["scored"]["regret"] == 1.0


def test_the_cost_line_is_the_first_line_of_the_text_output(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project

    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--set", PRICES, "--cost"
    )

    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("cost: policy J unknown (4 retrains); Oracle J 900")
    assert "44 of 55 matrix cells unknown: the Oracle is over known cells only" in first


def test_cost_without_prices_in_the_config_exits_2_with_the_line_to_add(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--cost")

    assert result.code == 2
    assert "--cost needs `backtest: {cost:" in result.err and result.err.count("\n") == 1


def test_the_cost_policy_is_priced_as_replayed_over_the_matrix(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project

    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--set",
        PRICES,
        "--set",
        "policy.mode=cost",
        "--set",
        "policy.cost={retrain: 100, staleness: 1000}",
        "--cost",
        "--json",
    )

    assert result.code == 0, result.err
    cost = json.loads(result.out)["cost"]
    # Model 0 at period 1: 200 new rows x 1000 x (0.90 - 0.89) = 2000 >= 100: a retrain at 1;
    # model 1's own level M[1][1] was never recorded, so nothing is added after it.
    assert cost["policy"]["retrains"] == [1]
    assert any(
        note.startswith("policy.mode: cost is replayed over the matrix") for note in cost["notes"]
    )
