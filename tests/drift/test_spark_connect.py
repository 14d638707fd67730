"""A Spark Connect remote that is down: ``retrigger drift --engine spark`` says so in one line
and the process ends soon after ``drift.spark.timeout``, not when pyspark's client has spent
its retries (about ten minutes, and as long again in its exit hook).

Each case runs the command in a child process: a hang fails the test through ``timeout=``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow  # two child processes that import pyspark

TIMEOUT_S = 3  # drift.spark.timeout in the config
BOUND_S = 120  # the child's bound: before the fix it took over 15 minutes


@pytest.fixture
def refused() -> str:
    """A loopback port nobody listens on (bound to learn a free number, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"sc://127.0.0.1:{port}"


@pytest.fixture
def silent() -> Iterator[str]:
    """A loopback port that takes TCP connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"sc://127.0.0.1:{sock.getsockname()[1]}"


def _project(root: Path, remote: str) -> None:
    folder = root / "events" / "date=2024-02-01"
    folder.mkdir(parents=True)
    x = np.random.default_rng(1).normal(0.0, 1.0, 50)
    pq.write_table(pa.table({"x": x}), folder / "part-0.parquet")
    (root / "retrigger.yaml").write_text(
        "model: {name: m}\ndata: [events]\nsignals:\n"
        f"  drift: {{spark: {{remote: '{remote}', timeout: {TIMEOUT_S}s}}}}\n"
    )


@pytest.mark.parametrize("server", ["refused", "silent"])
def test_a_spark_remote_that_is_down_ends_the_command_soon_after_the_timeout(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    remote: str = request.getfixturevalue(server)
    _project(tmp_path, remote)

    done = subprocess.run(
        [sys.executable, "-m", "retrigger", "drift", "events", "events", "--engine", "spark"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BOUND_S,  # raises (the test fails) when the process outlives the bound
        check=False,
    )

    assert done.returncode == 2, done.stderr[-2000:]
    assert f"Spark at {remote} did not answer within {TIMEOUT_S}s" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / ".retrigger").rglob("*.json"))  # nothing partial cached
