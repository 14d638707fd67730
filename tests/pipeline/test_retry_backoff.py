"""A retrain that failed before training anything does not start the full cooldown: a short
retry backoff (`policy.retry_backoff`) holds the next firing decision instead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from retrigger.commands.check import check
from retrigger.commands.run import run as engine_run
from retrigger.config.models import PolicyConfig
from retrigger.decision import Reading
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline.select import Request
from retrigger.policy import History, decide
from retrigger.workspace import Workspace, utc_now
from tests.support.dvcrepo import sh
from tests.support.workspaces import START, Clock


def _broken(root: Path) -> Workspace:
    """The wine project whose training script now fails at once, a 24h cooldown, and a
    performance ceiling every check crosses (it fires)."""
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["signals"] = {"performance": {"min": 0.01}}
    config["policy"] = {"cooldown": "24h"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    train = root / "train.py"
    train.write_text('raise SystemExit("the feature store is down")\n' + train.read_text())
    sh(root, "git", "commit", "-qam", "break training")
    return Workspace.load(path)


@pytest.mark.slow
def test_a_failed_retrain_that_trained_nothing_holds_only_for_the_backoff(wine: Path) -> None:
    workspace = _broken(wine)
    clock = Clock(utc_now())
    workspace.clock = clock
    failed = engine_run(workspace, Request(force=True, reason="try"), lambda _: None)
    assert failed.status == RetrainStatus.FAILED and failed.metric_after is None
    clock.advance(minutes=5)

    soon = check(workspace)
    clock.advance(hours=2)
    later = check(workspace)

    assert soon.held_by == "retry-backoff" and not soon.fire
    assert "failed before training anything; retry backoff 1h" in (soon.hold_detail or "")
    assert later.fire and later.held_by is None  # the 24h cooldown never started


FIRED = (Reading("performance", 0.5, 0.8, True, "below"),)


def test_the_backoff_is_configurable_and_never_longer_than_the_cooldown() -> None:
    failure = History(untrained_failures=(START - timedelta(minutes=20),))
    short = PolicyConfig(cooldown=timedelta(hours=24), retry_backoff=timedelta(minutes=10))
    none = PolicyConfig(cooldown=timedelta(0))

    assert decide(FIRED, failure, PolicyConfig(cooldown=timedelta(hours=24)), "v", START).held_by
    assert decide(FIRED, failure, short, "v", START).fire
    assert decide(FIRED, failure, none, "v", START).fire


def test_a_retrain_that_trained_keeps_the_full_cooldown() -> None:
    trained = History(retrain_times=(START - timedelta(hours=2),))

    verdict = decide(FIRED, trained, PolicyConfig(cooldown=timedelta(hours=24)), "v", START)

    assert verdict.held_by == "cooldown"
