"""The history project, built once per session (real git + ``dvc add``) and copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backtest import history


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
