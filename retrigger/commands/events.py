"""``retrigger events pull --sqs URL``: read S3 notifications from SQS (no inbound port), open
settle windows, and run the checks of the windows that closed — ``--once`` for cron."""

from __future__ import annotations

import threading
from pathlib import Path

from retrigger.config.secrets import Secrets
from retrigger.events.intake import Intake
from retrigger.events.settle import SettleLoop, acting, check_process, run_due
from retrigger.events.sqs import Pulled, pull_once, sqs_client
from retrigger.store.serial import SerialStore
from retrigger.workspace import Workspace

LONG_POLL_S = 20  # SQS's longest wait: one request per 20 s on an idle queue


def pull(config: Path | None, queue_url: str, once: bool) -> Pulled:
    if not queue_url.startswith(("https://", "http://")):
        from retrigger.errors import BadInput

        raise BadInput(f"--sqs {queue_url[:100]!r} is not a queue URL (https://sqs.REGION…)")
    ws = Workspace.load(config)
    store = SerialStore(ws.store)
    secrets = Secrets.from_env()
    act = acting(ws.config, secrets, ws.root, ws.loaded.path)
    check = check_process(ws.root, ws.loaded.path, act)
    loop = SettleLoop(store, ws.clock, check, ws.config.events.remember)
    champion = (ws.config.model.name, ws.config.pipeline.champion_alias)
    intake = Intake(store, ws.config.events, secrets, ws.clock, loop.wake, champion)
    client = sqs_client(queue_url)
    if once:  # drain what is there, run the windows already due, exit
        done = pull_once(client, queue_url, intake, 0, lambda: False)
        run_due(store, ws.clock, check)
        return done
    stopped = threading.Event()
    loop.start()
    total = Pulled()
    try:
        while not stopped.is_set():
            batch = pull_once(client, queue_url, intake, LONG_POLL_S, stopped.is_set)
            for key, value in batch.as_json().items():
                setattr(total, key, getattr(total, key) + value)
    finally:
        loop.stop()
    return total
