"""`retrigger events pull --sqs URL --once` against an SQS queue on a loopback AWS-compatible
server (moto's server mode), over a real git + DVC repo: the check it runs is the real one."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.events.conftest import PREFIX
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow

AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    import boto3  # type: ignore[import-untyped]
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for key, value in {**AWS, "AWS_ENDPOINT_URL_SQS": endpoint}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("sqs", endpoint_url=endpoint)
    url = client.create_queue(QueueName="lake-events")["QueueUrl"]
    yield client, url
    server.stop()


def s3_record(key: str) -> str:
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "lake"}, "object": {"key": key, "size": 9, "eTag": key}},
    }
    return json.dumps({"Records": [record]})


def left_in(client: Any, url: str) -> int:
    found = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(found["ApproximateNumberOfMessages"]) + int(
        found["ApproximateNumberOfMessagesNotVisible"]
    )


def test_pull_stores_the_queue_deletes_what_it_stored_and_runs_one_check(
    dvc_repo: Path, queue: tuple[Any, str]
) -> None:
    client, url = queue
    path = dvc_repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["events"] = {
        "watch": [{"source": "s3", "prefix": PREFIX, "data": "data/parts"}],
        "settle": "0s",
    }
    path.write_text(yaml.safe_dump(config))
    client.send_message(QueueUrl=url, MessageBody=json.dumps({"Event": "s3:TestEvent"}))
    for i in range(3):
        client.send_message(QueueUrl=url, MessageBody=s3_record(f"churn/raw/part-{i}.csv"))
    client.send_message(QueueUrl=url, MessageBody='{"not": "an s3 event"}')
    os.chdir(dvc_repo)

    first = run_cli("events", "pull", "--sqs", url, "--once", "--json")
    again = run_cli("events", "pull", "--sqs", url, "--once", "--json")  # nothing new to store

    assert first.code == 0, first.err
    assert json.loads(first.out) == {"received": 5, "stored": 3, "ignored": 1, "refused": 1}
    assert json.loads(again.out)["stored"] == 0
    assert left_in(client, url) == 1  # only the body that is not an S3 event stays
    from tests.conftest import sqlite_rows

    state = dvc_repo / ".retrigger" / "state.db"
    [(status, events, decision)] = sqlite_rows(
        state, "SELECT status, events, decision_id FROM settle_windows"
    )
    assert (status, events) == ("checked", 3)
    assert sqlite_rows(state, "SELECT id FROM decisions") == [(decision,)]


def test_pull_without_a_queue_url_is_exit_2(dvc_repo: Path) -> None:
    os.chdir(dvc_repo)

    result = run_cli("events", "pull", "--sqs", "lake-events", "--once")

    assert result.code == 2 and "is not a queue URL" in result.err
