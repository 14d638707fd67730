"""The history project, built once per session (real git + ``dvc add``) and copied per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backtest import history
from tests.support.fake_slack import FakeSlack, running_fake_slack


@pytest.fixture(scope="session")
def history_template(
    tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path
) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("backtest-history") / "project"
    return root, history.build(root, mlflow_db_template)


@pytest.fixture
def history_project(
    history_template: tuple[Path, list[str]], tmp_path: Path
) -> tuple[Path, list[str]]:
    """A private copy of the project and the commit of each step of ``history.STEPS``."""
    template, shas = history_template
    return history.copy(template, tmp_path / "project"), shas


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """The loopback Slack fake, with the token and API URL ``backtest --slack`` reads."""
    with running_fake_slack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-backtest")
        monkeypatch.setenv("RETRIGGER_SLACK__API_URL", fake.url)
        yield fake
