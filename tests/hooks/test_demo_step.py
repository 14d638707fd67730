"""The demo's data-arrival step on the demo project: hook output and push summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.demo.arrival import MORE_ROWS, step_data_arrival
from retrigger.demo.walkthrough import DemoState


@pytest.mark.slow
def test_the_demo_commits_through_the_hook_and_pushes(demo_project: Path) -> None:
    from retrigger.demo import project

    project.degrade(demo_project)  # the demo's step 3 comes first
    said: list[str] = []

    step_data_arrival(DemoState(root=demo_project, say=said.append))

    text = "\n".join(said)
    assert f"git commit → retrigger: data/train.csv: +{MORE_ROWS} rows (+10.0%)" in text, text
    assert "arrived on the DVC remote (recorded)" in text
    assert "delta since baseline run" in text
    assert f"data/train.csv: +{project.NEW_ROWS + MORE_ROWS:,} rows" in text
