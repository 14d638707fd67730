"""What retrigger does once a signal fires: ``policy``, ``pipeline``, ``hooks``, and the
``backtest`` costs it replays them with."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from retrigger.config.sections.base import Duration, Section
from retrigger.config.sections.people import GithubExecutorConfig


class RetrainBudget(Section):
    count: int = Field(ge=1)
    per: Duration


class CostConfig(Section):
    """What a retrain and staleness cost: `backtest.cost` and `policy.cost` (mode: cost)."""

    retrain: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="what one retrain costs (money or compute seconds); null: the measured "
        "duration of the training stages, in seconds (backtest --train; past retrains)",
    )
    staleness: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="per labelled row and per unit of the metric lost vs a fresh model",
    )


class PolicyConfig(Section):
    mode: Literal["signals", "cost"] = Field(
        default="signals",
        description="cost: fire when the staleness since the last retrain reaches policy.cost."
        "retrain (the signals are read and recorded, and do not decide)",
    )
    cost: CostConfig | None = Field(default=None, description="the prices mode: cost uses")
    fire_when: Literal["any", "all"] = "any"
    cooldown: Duration = timedelta(0)
    retry_backoff: Duration = Field(
        default=timedelta(hours=1),
        description="after a retrain that failed before training anything, instead of cooldown",
    )
    max_retrains: RetrainBudget | None = None
    approval: Literal["none", "required"] = "none"


class PipelineConfig(Section):
    pull: bool = False
    command: str = "dvc repro"
    python: str | None = Field(
        default=None,
        description="the project's interpreter (or venv folder) that runs the stages: its bin/ "
        "goes first on PATH, so `python` and `dvc` are the project's; null: the repository's "
        ".venv, else $VIRTUAL_ENV, else the `python` on PATH",
    )
    env: Literal["project", "retrigger"] = Field(
        default="project",
        description="retrigger: run the stages with retrigger's own interpreter and dvc (one "
        "shared environment, not activated); project: pipeline.python or the detected one",
    )
    push: bool = True
    commit: bool = Field(
        default=False,
        description="after a promotion, `retrigger run` commits the new "
        "dvc.lock (and tracked metrics) itself; false: it prints the git command",
    )
    champion_alias: str = Field(
        default="champion",
        min_length=1,
        description="the registry alias of the model in production, moved on promotion",
    )
    champion_stage: str | None = Field(
        default=None,
        description="a legacy registry stage (e.g. Production) a served app still reads: "
        "promotion also transitions the new version to it, archiving the old one; null: "
        "only the alias moves",
    )
    dispatch: Literal["none", "local", "github"] = Field(
        default="none",
        description="what a firing check started by an event (`retrigger serve`, `events "
        "pull`) does: none (decide only), local (`retrigger run --decision ID` here), github "
        "(a repository_dispatch `retrigger-retrain` with the decision id: CI retrains)",
    )
    github: GithubExecutorConfig | None = Field(
        default=None, description="dispatch: github — the repository (default: slack.github)"
    )
    promote_sets_baseline: bool = Field(
        default=True,
        description="a promoted retrain becomes the baseline run, so max_drop "
        "is measured from the better model",
    )
    min_improvement: float = Field(default=0.0, ge=0)
    min_relative_improvement: float = Field(default=0.0, ge=0)
    stage_timeout: Duration | None = Field(
        default=None, description="stop a pull, repro or push step that runs longer (null: never)"
    )
    wait_for_dvc: Duration = Field(
        default=timedelta(0),
        le=timedelta(hours=6),
        description="when another DVC process "
        "holds the repository's lock, wait up to this long before giving up as busy (exit 3)",
    )
    lock_stale_after: Duration = Field(
        default=timedelta(minutes=10),
        description="a lock held from another host whose "
        "heartbeat is older than this is reclaimed (same host: a dead pid is reclaimed at once)",
    )


class HooksConfig(Section):
    check_on_push: bool = False


# One price list for the backtest's cost (`backtest.cost`) and the cost policy (`policy.cost`).
BacktestCostConfig = CostConfig


class BacktestConfig(Section):
    cost: BacktestCostConfig | None = Field(
        default=None, description="`retrigger backtest --cost`: price retrains and staleness"
    )
