"""Two commands started together on a fresh project (a hook and a ``check``, two CI jobs): both
work, because the MLflow SQLite store and the state store are created once, under a lock."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_two_checks_at_once_on_a_fresh_project_both_work(demo_project: Path) -> None:
    (demo_project / "mlflow.db").unlink()  # nothing created yet: both must build the stores
    shutil.rmtree(demo_project / ".retrigger", ignore_errors=True)
    command = [sys.executable, "-m", "retrigger", "check", "--json"]
    started = [
        subprocess.Popen(
            command, cwd=demo_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    finished = [(p.communicate(timeout=300), p.returncode) for p in started]

    for (out, err), code in finished:
        assert code == 0, err
        assert json.loads(out)["decision_id"]
        assert "already exists" not in err and "constraint" not in err
    ids = {json.loads(out)["decision_id"] for (out, _), _ in finished}
    assert len(ids) == 2  # each stored its own decision
