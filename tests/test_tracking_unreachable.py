"""A tracking server that refuses the connection and one that accepts but never answers are
told apart, and neither wait is longer than tracking.timeout (real loopback sockets)."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest

from retrigger.errors import TrackingUnavailable
from retrigger.lineage.tracking import Tracking
from tests.support.mlflow_server import free_port


def test_a_refused_connection_says_so_at_once() -> None:
    tracking = Tracking(f"http://127.0.0.1:{free_port()}", "exp", timedelta(seconds=5))
    started = time.monotonic()

    with pytest.raises(TrackingUnavailable, match="refused the connection"):
        _ = tracking.client

    assert time.monotonic() - started < 2


def test_a_server_that_never_answers_times_out_after_the_timeout() -> None:
    with socket.socket() as silent:  # accepts (the kernel's backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        tracking = Tracking(
            f"http://127.0.0.1:{silent.getsockname()[1]}", "exp", timedelta(seconds=1)
        )
        started = time.monotonic()

        with pytest.raises(TrackingUnavailable, match=r"did not answer within 1s"):
            _ = tracking.client

        assert 0.9 < time.monotonic() - started < 5
