"""Real processes: two runners racing for one model, a runner killed with SIGKILL mid-repro,
and MLflow failing mid-run; every rerun resumes the same decision without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from retrigger.commands.run import run as engine_run
from retrigger.lineage import tags
from retrigger.pipeline.select import Request
from retrigger.workspace import Workspace
from tests.pipeline.test_retrain import retrain_runs, state, versions
from tests.support.cli import run_cli
from tests.support.mlflow_server import free_port
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

# A repro that says it started, then waits until the test lets it go (no sleeps in the test).
BLOCKING = "sh -c 'echo $$ >> started.log; while [ ! -f release ]; do sleep 0.05; done; dvc repro'"


def start(project: Retrainable, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "retrigger", "run", "--config", project.config, "--json"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 120) -> None:
    """Wait until ``path`` holds a whole line (the shell creates the file before it writes)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().endswith("\n")):
        if process.poll() is not None:
            error = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"runner exited {process.returncode}: {error}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear within {timeout}s")
        time.sleep(0.05)


def test_two_runners_at_once_exactly_one_retrains_the_other_exits_3(
    retrainable: Retrainable,
) -> None:
    env = {"RETRIGGER_PIPELINE__COMMAND": BLOCKING}
    runners = [start(retrainable, env), start(retrainable, env)]
    try:
        # The winner blocks inside its repro; the loser must give up on its own meanwhile.
        deadline = time.monotonic() + 120
        while not (
            (retrainable.root / "started.log").exists()
            and any(r.poll() is not None for r in runners)
        ):
            assert time.monotonic() < deadline, "no runner retrained and none gave up"
            assert not all(r.poll() is not None for r in runners)
            time.sleep(0.05)
        loser = next(r for r in runners if r.poll() is not None)
        winner = next(r for r in runners if r is not loser)
        assert winner.poll() is None  # still retraining while the loser was refused
    finally:
        (retrainable.root / "release").touch()

    assert loser.returncode == 3
    assert winner.wait(timeout=240) == 0, winner.stderr.read()  # type: ignore[union-attr]
    assert "holds the lock: pid" in loser.stderr.read()  # type: ignore[union-attr]
    assert json.loads(loser.stdout.read())["exit_code"] == 3  # type: ignore[union-attr]
    assert len((retrainable.root / "started.log").read_text().split()) == 1
    assert len(retrain_runs(retrainable.root)) == 1 and len(versions(retrainable.root)) == 1
    for runner in runners:
        runner.stdout.close()  # type: ignore[union-attr]
        runner.stderr.close()  # type: ignore[union-attr]


def test_a_runner_killed_mid_repro_is_reclaimed_and_its_attempt_marked_interrupted(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = start(retrainable, {"RETRIGGER_PIPELINE__COMMAND": BLOCKING})
    wait_for(retrainable.root / "started.log", victim)
    step_pid = int((retrainable.root / "started.log").read_text().split()[0])
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()  # type: ignore[union-attr]
    victim.stderr.close()  # type: ignore[union-attr]

    monkeypatch.chdir(retrainable.root)  # the rerun in-process: the killed runner was a process
    result = run_cli("run", "--config", retrainable.config)

    assert result.code == 0, result.err
    assert "reclaimed the lock" in result.out
    attempts = state(
        retrainable.root, "SELECT status, stopped_at FROM retrain_attempts ORDER BY started_at"
    )
    assert attempts == [("interrupted", "repro"), ("promoted", None)]
    assert _stops(step_pid)  # the dead runner's step was stopped too
    assert len(versions(retrainable.root)) == 1


def test_a_killed_runner_takes_its_pipeline_with_it_and_status_says_so(
    retrainable: Retrainable,
) -> None:
    """`kill -9` of `retrigger run`: its repro (in its own session) dies with it, with no
    later runner needed to reclaim anything, and `status` names the dead runner."""
    victim = start(retrainable, {"RETRIGGER_PIPELINE__COMMAND": BLOCKING})
    wait_for(retrainable.root / "started.log", victim)
    step_pid = int((retrainable.root / "started.log").read_text().split()[0])
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()  # type: ignore[union-attr]
    victim.stderr.close()  # type: ignore[union-attr]

    try:
        assert _stops(step_pid, timeout=60)
    finally:
        (retrainable.root / "release").touch()  # never leave a stray step behind
    shown = run_cli("status", "--config", retrainable.config, "--json")
    assert shown.code == 0, shown.err
    retrain = json.loads(shown.out)["retrain"]
    assert (retrain["runner"], retrain["pipeline"]) == ("dead", "stopped")
    assert retrain["pid"] == victim.pid
    assert retrain["resume"] == f"retrigger run --decision {retrainable.decision_id}"
    text = run_cli("status", "--config", retrainable.config).out
    assert "died; its pipeline was stopped with it" in text


def _stops(pid: int, timeout: float = 10) -> bool:
    """True once ``pid`` no longer runs: gone, or a zombie its new parent (init) has not
    reaped yet — SIGKILL's delivery and the reaping are both asynchronous."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            return True
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_mlflow_unreachable_mid_run_then_the_rerun_resumes(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = json.loads((retrainable.root / "metrics.json").read_text())["accuracy"]
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("RETRIGGER_TRACKING__TIMEOUT", "1s")

    down = run_cli("run", "--config", retrainable.config)

    # The retrain run is opened before `dvc repro`: an MLflow that is down stops it there.
    assert down.code == 1 and "refused the connection" in down.err
    assert state(retrainable.root, "SELECT status, stopped_at FROM retrain_attempts") == [
        ("failed", "repro")
    ]
    monkeypatch.delenv("RETRIGGER_TRACKING__URI")

    back = run_cli("run", "--config", retrainable.config, "--json")

    assert back.code == 0, back.err
    outcome = json.loads(back.out)
    assert outcome["status"] == "promoted" and outcome["resumed"] is True
    # Measured before the first attempt, read back from the state store.
    assert outcome["metric_before"] == before


class _FlakyClient:
    """The real MLflow client whose alias move fails once: a crash right before promotion."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        if name == "set_registered_model_alias" and not self.failed:
            self.failed = True
            raise ConnectionError("connection reset by peer")
        return getattr(self._real, name)


def test_a_crash_between_register_and_alias_resumes_without_duplicates(
    retrainable: Retrainable,
) -> None:
    workspace = Workspace.load(Path(retrainable.config))
    flaky = _FlakyClient(workspace.tracking.client)
    workspace.tracking._client = flaky  # type: ignore[assignment]  # the seam: I/O comes in through the workspace
    outcome = engine_run(workspace, Request(), lambda _line: None)
    assert outcome.status == "failed" and "step promote failed" in outcome.message
    assert [str(v.version) for v in versions(retrainable.root)] == ["1"]
    assert workspace.tracking.client.get_registered_model("churn").aliases == {}

    resumed = engine_run(workspace, Request(), lambda _line: None)

    assert resumed.status == "promoted" and resumed.model_version == "1"
    assert len(versions(retrainable.root)) == 1 and len(retrain_runs(retrainable.root)) == 1
    (run,) = retrain_runs(retrainable.root)
    assert run.data.tags[tags.STATUS] == "promoted" and run.data.tags[tags.MODEL_VERSION] == "1"
