"""An S3-compatible server on loopback (moto's server mode) and the AWS variables that point
DuckDB's httpfs at it: credentials from the environment, as a user sets them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


@contextmanager
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def point_aws_at(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)


def parquet_day(seed: int, shift: float, rows: int) -> bytes:
    """One day's events: ``x`` normal around ``shift``, ``city`` among three."""
    rng = np.random.default_rng(seed)
    table = pa.table({"x": rng.normal(shift, 1.0, rows), "city": rng.choice(["a", "b", "c"], rows)})
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()
