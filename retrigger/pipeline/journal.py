"""The steps of one attempt as they happen: each stored in the state store with its status,
duration and detail, shown as it starts and ends, and kept for the retrain's MLflow run."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from retrigger.errors import DvcBusy, Interrupted, WorkFailed
from retrigger.lineage.failures import tracking_failure
from retrigger.lineage.status import StepStatus
from retrigger.pipeline import lock
from retrigger.pipeline.dvc import run_streamed
from retrigger.pipeline.failure_tail import OutputLog, OutputTail, mask, process_secrets
from retrigger.store import attempts
from retrigger.units import format as fmt
from retrigger.workspace import Workspace

log = logging.getLogger(__name__)

Say = Callable[[str], None]


@dataclass
class Box:
    """What a step says about itself when it ends (its ``detail``), and when it began."""

    detail: str | None = None
    # Wall-clock milliseconds, as MLflow stamps runs: a run the step opens starts here, not
    # after the tracking store answered (its duration is then the whole step's).
    started_ms: int = 0


class Journal:
    """The attempt's steps: ``step(name)`` records one, ``stream`` runs a command inside one."""

    def __init__(self, workspace: Workspace, attempt_id: str, model: str, say: Say) -> None:
        self.ws = workspace
        self.attempt_id = attempt_id
        self.model = model
        self.say = say
        self.steps: list[attempts.Step] = []
        self.current: str | None = None  # the step running, or the last one that ran
        self.failure: OutputTail | None = None  # what the command that failed printed last

    @contextmanager
    def step(self, name: str) -> Iterator[Box]:
        self.current = name
        now = self.ws.clock()
        with self.ws.store.transaction() as conn:
            step_id = attempts.step_started(conn, self.attempt_id, name, now)
        self.say(f"▶ {name}")
        box = Box(started_ms=int(time.time() * 1000))
        started = time.monotonic()
        status = StepStatus.FAILED
        try:
            yield box
            status = StepStatus.OK
        except (Interrupted, KeyboardInterrupt) as exc:
            status, box.detail = StepStatus.INTERRUPTED, str(exc) or "interrupted"
            raise
        except DvcBusy as exc:
            status, box.detail = StepStatus.BUSY, str(exc)
            raise
        except BaseException as exc:
            shown = tracking_failure(exc, self.ws.tracking.uri) or str(exc)
            box.detail = mask(shown, process_secrets())[:500]
            raise
        finally:
            seconds = time.monotonic() - started
            with self.ws.store.transaction() as conn:
                attempts.step_finished(conn, step_id, status, seconds, box.detail)
            self.steps.append(attempts.Step(name, status, now, seconds, box.detail))
            log.info("step %s: %s in %s", name, status, fmt.duration(seconds))
            mark = {StepStatus.OK: "✓", StepStatus.FAILED: "✗"}.get(status, "!")
            self.say(f"{mark} {name} {seconds:.1f}s" + (f": {box.detail}" if box.detail else ""))

    def stream(
        self,
        args: list[str],
        timeout: float | None,
        env: dict[str, str] | None = None,
        watch: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``args``, each output line shown (and handed to ``watch``) and written, masked,
        to the step's log; when it fails, its last lines are kept in ``failure``."""
        started = time.monotonic()
        full_env = {**self.ws.interpreter.env(), **(env or {})}  # the project's python and dvc
        log = OutputLog(
            self.ws.root, self.attempt_id, self.current or "command", process_secrets(full_env)
        )

        def child(pid: int | None) -> None:
            lock.set_child(self.ws.store, self.model, self.attempt_id, pid)

        def line(text: str) -> None:
            if watch is not None:
                watch(text)
            log.add(text)
            self.say(f"  [{time.monotonic() - started:5.1f}s] {text}")

        try:
            run_streamed(
                args,
                self.ws.root,
                line,
                timeout,
                on_start=child,
                env=full_env,
                wait_for_dvc=self.ws.config.pipeline.wait_for_dvc.total_seconds(),
            )
        except WorkFailed:  # a timeout too; DvcBusy is no failure (rerun as it was)
            self.failure = log.tail()
            raise
        finally:
            log.close()
        child(None)
