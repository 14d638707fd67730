"""`retrigger events pull --sqs URL --once` against an SQS queue on a loopback AWS-compatible
server (moto's server mode), over a real git + DVC repo: the check it runs is the real one."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

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
    # moto's backends live as long as the process: a queue of its own for each test.
    url = client.create_queue(QueueName=f"lake-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    yield client, url
    server.stop()


def s3_record(key: str, etag: bool = True) -> str:
    found: dict[str, object] = {"key": key, "size": 9} | ({"eTag": key} if etag else {})
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "lake"}, "object": found},
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


class KillOnDelete(http.server.BaseHTTPRequestHandler):
    """A loopback hop in front of moto that SIGKILLs the puller when it asks SQS to delete a
    message: the puller dies after it stored the event and before the message is deleted."""

    upstream = ""
    victim: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "") + body.decode(errors="replace")
        if "DeleteMessage" in target and self.victim:
            os.kill(self.victim.pop(), signal.SIGKILL)
            self.close_connection = True
            return
        forwarded = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(self.upstream + self.path, body, forwarded)
        with urllib.request.urlopen(request, timeout=30) as answer:
            data = answer.read()
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_puller_killed_between_storing_and_deleting_loses_nothing_and_checks_once(
    dvc_repo: Path, queue: tuple[Any, str]
) -> None:
    client, url = queue
    client.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    path = dvc_repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["events"] = {
        "watch": [{"source": "s3", "prefix": PREFIX, "data": "data/parts"}],
        "settle": "0s",
    }
    path.write_text(yaml.safe_dump(config))
    # No eTag: the message id alone must make the redelivery a no-op (with one, the same
    # object announced twice is a no-op as well, and would hide a broken delivery dedupe).
    client.send_message(QueueUrl=url, MessageBody=s3_record("churn/raw/part-0.csv", etag=False))
    hop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KillOnDelete)
    KillOnDelete.upstream = os.environ["AWS_ENDPOINT_URL_SQS"]
    threading.Thread(target=hop.serve_forever, daemon=True).start()
    env = {**os.environ, "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{hop.server_port}"}
    puller = subprocess.Popen(
        [sys.executable, "-m", "retrigger", "events", "pull", "--sqs", url, "--once"],
        cwd=dvc_repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    KillOnDelete.victim.append(puller.pid)
    try:
        _, said = puller.communicate(timeout=120)
    finally:
        hop.shutdown()
    assert puller.returncode == -signal.SIGKILL, said.decode()
    state = dvc_repo / ".retrigger" / "state.db"
    from tests.conftest import sqlite_rows

    # Stored, not deleted, not checked: the kill came between the store and the delete.
    assert sqlite_rows(state, "SELECT status, events FROM settle_windows") == [("open", 1)]
    assert left_in(client, url) == 1
    deadline = time.monotonic() + 60
    while not _visible(client, url):  # the visibility timeout (1 s) gives it back
        assert time.monotonic() < deadline, "the message never became visible again"
        threading.Event().wait(0.2)
    os.chdir(dvc_repo)

    again = run_cli("events", "pull", "--sqs", url, "--once", "--json")

    assert again.code == 0, again.err
    assert json.loads(again.out)["received"] == 1  # the same message, delivered again
    assert left_in(client, url) == 0
    [(status, events, decision)] = sqlite_rows(
        state, "SELECT status, events, decision_id FROM settle_windows"
    )
    assert (status, events) == ("checked", 1)  # the redelivery added nothing to the window
    assert sqlite_rows(state, "SELECT id FROM decisions") == [(decision,)]


def _visible(client: Any, url: str) -> bool:
    found = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(found["ApproximateNumberOfMessages"]) > 0
