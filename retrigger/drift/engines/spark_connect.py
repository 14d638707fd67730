"""A Spark Connect session whose end is bounded, whatever the server does.

pyspark's Connect client retries an unanswered call for about ten minutes (its default retry
policy), and at interpreter exit it sends one more call (an ML-cache cleanup, from an
``atexit`` hook) that retries as long again: a process that met a dead remote took 15 minutes
to end (measured, pyspark 4.3). Two things bound it here:

- the session is built without a call (``SparkSession.builder.remote(…).getOrCreate()`` sets
  its options with a call, which is what blocked), so the first call is the engine's probe;
- the engine *closes* the client when it gives up on the probe, and at exit releases the
  session within the engine's timeout: a closed client's exit hook does nothing, and its
  retrying threads stop at their next attempt (a closed channel is not retried).
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from typing import Any

from retrigger.errors import BadInput


def connect_session(url: str, timeout: float) -> Any:
    """A Spark Connect session on ``url`` (no call made yet), released at exit within
    ``timeout`` seconds."""
    try:
        from pyspark.sql.connect.session import SparkSession
    except ImportError as exc:
        raise BadInput(
            f"drift.spark.remote needs pyspark with Spark Connect: pip install "
            f"'retrigger[spark]' ({str(exc).splitlines()[0]})"
        ) from None
    session = SparkSession(connection=url)
    # Registered after the client's own exit hook, so it runs first (atexit is last-in,
    # first-out) and leaves that hook a closed client.
    atexit.register(release, session, timeout)
    return session


def abandon(session: Any) -> None:
    """Close the client's channel without a call: calls in flight end, none is retried."""
    client = session.client
    if client.is_closed:
        return
    with contextlib.suppress(Exception):  # closing what already failed: nothing to report
        client.close()


def release(session: Any, timeout: float) -> None:
    """Release the session on the server (polite, when it answers) within ``timeout``
    seconds, then close the client either way."""
    if session.client.is_closed:
        return

    def stop() -> None:
        with contextlib.suppress(Exception):  # at exit, a server that went away is no news
            session.stop()

    thread = threading.Thread(target=stop, daemon=True)
    thread.start()
    thread.join(timeout)
    abandon(session)
