"""``retrigger events pull --sqs URL``: S3 notifications read from an SQS queue, no inbound port.

The queue is the sender: AWS credentials (boto3's usual chain, ``AWS_ENDPOINT_URL_SQS``
included) authenticate it, so there is no signature to check. Each message body is an S3
notification (``Records`` or ``s3:TestEvent``), an EventBridge event, or either wrapped by SNS
(``{"Type": "Notification", "Message": "<json>"}``). A message is deleted only after what it
says is stored (or it was a test event): a crash in between redelivers it, and its
``MessageId`` makes the redelivery a no-op. A body that is not an S3 event stays in the queue
for its redrive policy (a dead-letter queue), logged in one line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from retrigger.events import s3
from retrigger.events.intake import Intake
from retrigger.events.model import NotTheShape, Parsed

log = logging.getLogger(__name__)
BATCH = 10  # SQS's most per receive


@dataclass
class Pulled:
    """What one pull did, for the command's output."""

    received: int = 0
    stored: int = 0  # events that opened or extended a window, or were duplicates
    ignored: int = 0  # s3:TestEvent and other events that say nothing new
    refused: int = 0  # left in the queue: not an S3 event

    def as_json(self) -> dict[str, int]:
        return {
            "received": self.received,
            "stored": self.stored,
            "ignored": self.ignored,
            "refused": self.refused,
        }


def sqs_client(queue_url: str) -> Any:
    """boto3's SQS client, or BadInput naming the extra to install."""
    from retrigger.errors import BadInput

    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise BadInput(
            "events pull --sqs needs boto3: pip install 'retrigger[aws]' "
            "(or uv tool install 'retrigger[aws]')"
        ) from None
    region = _region(queue_url)
    return boto3.client("sqs", region_name=region) if region else boto3.client("sqs")


def _region(queue_url: str) -> str | None:
    """``https://sqs.eu-west-1.amazonaws.com/…`` names its region; a local endpoint does not."""
    host = queue_url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    return parts[1] if len(parts) > 3 and parts[0] == "sqs" else None


def pull_once(
    client: Any, queue_url: str, intake: Intake, wait_s: int, stop: Callable[[], bool]
) -> Pulled:
    """Receive until the queue answers empty (or ``stop()``); store, then delete."""
    done = Pulled()
    while not stop():
        answer = client.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=BATCH, WaitTimeSeconds=wait_s
        )
        messages = answer.get("Messages") or []
        if not messages:
            return done
        for message in messages:
            done.received += 1
            if _take(intake, message, done):
                client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return done


def _take(intake: Intake, message: dict[str, Any], done: Pulled) -> bool:
    """Store what the message says; whether it may be deleted."""
    ident = str(message.get("MessageId", ""))[:200]
    try:
        parsed = _parse(str(message.get("Body", "")))
    except (ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, NotTheShape) else "body is not JSON"
        log.warning("left SQS message %s in the queue: %s", ident, reason)
        done.refused += 1
        return False
    answer = intake.take("s3", f"event:sqs:{ident}", parsed)  # raises when the store fails
    if parsed.ignored is not None:
        done.ignored += 1
    else:
        done.stored += 1
    log.info("SQS message %s: %s", ident, answer.document)
    return True


def _parse(body: str) -> Parsed:
    document = json.loads(body)
    if isinstance(document, dict) and document.get("Type") == "Notification":
        document = json.loads(str(document.get("Message", "")))  # through SNS
    return s3.parse(document)
