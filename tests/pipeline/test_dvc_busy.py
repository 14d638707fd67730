"""Busy is not failure: a real ``dvc repro`` of a sleeping stage holds DVC's lock while
``retrigger run`` starts. The retrain exits 3 naming the holder, is recorded ``busy`` (not
failed), Slack is not told FAILED, and a rerun once DVC is free promotes. With
``pipeline.wait_for_dvc`` the run waits (bounded) and goes on by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrigger.pipeline import dvc_busy
from tests.pipeline.test_retrain import state
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

HOLD = (
    "sh -c 'echo started > hold.started; while [ ! -f release ]; do sleep 0.05; done; "
    "echo done > held.txt'"
)


@pytest.fixture
def holder(retrainable: Retrainable) -> Iterator[subprocess.Popen[bytes]]:
    """``dvc repro hold`` running a stage that waits for the test: DVC's rwlock is held."""
    root = retrainable.root
    dvc = str(Path(sys.executable).with_name("dvc"))
    subprocess.run(
        [dvc, "stage", "add", "-q", "-n", "hold", "-o", "held.txt", HOLD], cwd=root, check=True
    )
    process = subprocess.Popen(
        [dvc, "repro", "hold"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    deadline = time.monotonic() + 60
    while dvc_busy.holder(root) is None or not (root / "hold.started").exists():
        assert process.poll() is None, "dvc repro hold ended early"
        assert time.monotonic() < deadline, "dvc repro hold never took its lock"
        time.sleep(0.05)
    yield process
    (root / "release").touch()
    process.wait(timeout=60)


def test_a_busy_dvc_is_exit_3_recorded_busy_and_resumable(
    retrainable: Retrainable, holder: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(retrainable.root)  # the CLI in-process; the holder is the other process
    busy = run_cli("run", "--config", retrainable.config)

    assert busy.code == 3, busy.err
    last = busy.err.strip().splitlines()[-1]
    assert last.startswith(f"retrigger: error: DVC is busy in this repository (pid {holder.pid}:")
    assert "retry later" in last
    assert "rwlock" not in busy.err  # DVC's advice to delete the lock of a live holder
    assert state(retrainable.root, "SELECT status, stopped_at FROM retrain_attempts") == [
        ("busy", "repro")
    ]
    kinds = [k for (k,) in state(retrainable.root, "SELECT kind FROM outbox")]
    assert "retrain_busy" in kinds and "retrain_failed" not in kinds

    (retrainable.root / "release").touch()
    holder.wait(timeout=60)
    again = run_cli("run", "--config", retrainable.config)

    assert again.code == 0, again.err
    assert state(retrainable.root, "SELECT status FROM retrain_attempts ORDER BY started_at") == [
        ("busy",),
        ("promoted",),
    ]


def test_wait_for_dvc_waits_for_the_holder_then_retrains(
    retrainable: Retrainable, holder: subprocess.Popen[bytes]
) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-m", "retrigger", "run", "--config", retrainable.config],
        cwd=retrainable.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RETRIGGER_PIPELINE__WAIT_FOR_DVC": "2m"},
    )
    waiting = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert runner.stdout is not None
        for line in runner.stdout:
            output.append(line)
            if "waiting up to 120s" in line:
                waiting.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert waiting.wait(120), "".join(output)
    (retrainable.root / "release").touch()  # the holder finishes while retrigger waits

    assert runner.wait(timeout=240) == 0, "".join(output)
    reader.join(timeout=10)
    assert state(retrainable.root, "SELECT status FROM retrain_attempts") == [("promoted",)]


def test_a_lock_failure_message_names_the_holder_even_after_it_left(tmp_path: Path) -> None:
    message = [
        "ERROR: 'held.txt' is busy, it is being blocked by:",
        "  (PID 4242): dvc repro hold",
        "",
        "If there are no processes with such PIDs, you can manually remove "
        "'.dvc/tmp/rwlock' and try again.",
    ]

    busy = dvc_busy.from_failure(tmp_path, message)

    assert busy is not None and busy.exit_code == 3
    assert "(pid 4242: dvc repro hold)" in str(busy)
    assert dvc_busy.from_failure(tmp_path, ["ERROR: failed to reproduce 'train'"]) is None
