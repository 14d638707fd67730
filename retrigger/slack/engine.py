"""What the Slack bot does, without Slack: ``/retrain`` requests and reports, Approve / Reject
clicks, and handing approved retrains to the executor.

Every method that changes state commits it (with its outbox messages and audit records) before
it returns, so the front door can ack right after; slow work (executors, delivery) runs later
in ``dispatch_due`` and the outbox worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

from retrigger.approvals import flow as approval_flow
from retrigger.approvals import lease
from retrigger.approvals.approvers import Approvers
from retrigger.approvals.flow import Result, current_snapshot
from retrigger.decision import Decision, new_decision_id
from retrigger.errors import BadInput
from retrigger.lineage.snapshot import Snapshot
from retrigger.notify import linking
from retrigger.notify.links import Where
from retrigger.notify.payloads import decision_payload
from retrigger.slack import commands as slack_commands
from retrigger.slack.executors import Executor
from retrigger.store import approvals, decisions, inbound, outbox
from retrigger.store.serial import Transactional
from retrigger.workspace import Workspace

log = logging.getLogger(__name__)
INBOUND_MEMORY = timedelta(hours=1)  # how long a handled request id is remembered
WHERE_RETRY_S = 60.0  # how often the loop asks MLflow for the experiment until it answers


class BotEngine:
    def __init__(
        self,
        workspace: Workspace,
        approvers: Approvers,
        executor: Executor,
        snapshot: Callable[[], Snapshot] | None = None,
        store: Transactional | None = None,
        request_snapshot: Callable[[], Snapshot] | None = None,
        where: Where | None = None,
    ) -> None:
        self.workspace = workspace
        self.store: Transactional = store or workspace.store
        self.approvers = approvers
        self.executor = executor
        # What a new request binds to (may be cached briefly) and, fresh, what an approval is
        # checked against before it is handed to the executor.
        self.snapshot = snapshot or (lambda: current_snapshot(workspace))
        self.request_snapshot = request_snapshot or self.snapshot
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="retrigger-exec")
        self._where = where  # what messages link to; asked of MLflow when not given
        self._where_asked = -WHERE_RETRY_S

    def where(self, ask: bool = True) -> Where:
        """What the bot's messages link to. MLflow is asked for the experiment until it answers
        (at most once a minute: a loop turn must not wait on an MLflow that is down), then
        never again; a click (``ask=False``) never waits on MLflow: before the loop learnt the
        experiment, its messages link what they can without it."""
        found = self._where
        known = found is not None and (found.ui is None or found.experiment_id is not None)
        if known or not ask or time.monotonic() - self._where_asked < WHERE_RETRY_S:
            return found or Where(None, None, None)
        self._where_asked = time.monotonic()
        found = self._where = linking.where(self.workspace)
        return found

    @property
    def models(self) -> tuple[str, ...]:
        return (self.workspace.config.model.name,)

    def command(self, user: str, text: str, key: str | None = None) -> str:
        """Answer ``/retrain <text>`` from ``user``; ``key`` (Slack's trigger_id) makes a
        replayed or retried request change nothing twice."""
        _require_user(user)
        parsed = slack_commands.parse(text, self.models)
        if isinstance(parsed, slack_commands.Help):
            return slack_commands.usage(self.models, parsed.problem)
        if isinstance(parsed, slack_commands.Status):
            return self._status(parsed.model or self.models[0])
        if isinstance(parsed, slack_commands.History):
            return self._history(parsed)
        return self._request(user, parsed, key)

    def click(self, user: str, approval_id: str, approve: bool) -> Result:
        _require_user(user)
        now = self.workspace.clock()
        slack = self.workspace.config.slack
        with self.store.transaction() as conn:
            result = approval_flow.answer(
                conn,
                approval_id,
                user,
                approve,
                None,
                now,
                slack=slack,
                approvers=self.approvers,
                where=self.where(ask=False),
            )
        if result.outcome == approval_flow.ALREADY and result.approval is not None:
            # In Slack the winner is a person (a mention shows their name), not "UBOB".
            message = approval_flow.already_message(result.approval, slack=True)
            result = replace(result, message=message)
        return result

    def _request(self, user: str, req: slack_commands.Request, key: str | None) -> str:
        now = self.workspace.clock()
        config = self.workspace.config
        snap = self.request_snapshot()
        decision = Decision(
            id=new_decision_id(now),
            model=req.model,
            created_at=now,
            fire=True,
            wanted=True,
            trigger_types=("manual",),
            held_by=None,
            hold_detail=None,
            readings=(),
            data_version=snap.data_version,
            data_paths=snap.data_paths,
            git_commit=snap.git_commit,
            config={},
            requested_by=user,
            reason=req.reason,
        )
        links = self.where(ask=False).links(req.model, decision_id=decision.id)
        with self.store.transaction() as conn:
            if key is not None and not inbound.first_time(conn, f"command:{key}", now):
                return "this request was already handled (Slack sent it twice)"
            decisions.save(conn, decision)
            if config.policy.approval == "required":
                approval = approval_flow.request(conn, decision, user, config.slack, now, links)
                return (
                    f"asked for approval {approval.id} to retrain `{req.model}` (decision "
                    f"{decision.id}); approvers will see it in {config.slack.channel}"
                )
            approvals.auto_approve(conn, decision, user, now)
            outbox.enqueue(
                conn,
                outbox.TRIGGER_FIRED,
                decision_payload(decision, links),
                channel=config.slack.channel,
                now=now,
                thread_key=decision.id,
            )
        return (
            f"retrain of `{req.model}` requested (decision {decision.id}); "
            f"executor: {config.slack.executor}"
        )

    def _status(self, model: str) -> str:
        with self.store.transaction() as conn:
            latest = decisions.latest(conn, model)
            pending = approvals.listing(conn, status=approvals.PENDING, model=model)
        lines = [f"*{model}*"]
        if latest is None:
            lines.append("no decision yet; run `retrigger check`")
        else:
            state = (
                "FIRE"
                if latest.fire
                else (f"held by {latest.held_by}" if latest.held_by else "no retrain needed")
            )
            fired = ", ".join(latest.trigger_types) or "none"
            lines.append(
                f"latest decision {latest.id} at {_when(latest.created_at)}: {state} "
                f"(signals fired: {fired})"
            )
        lines += [
            f"pending approval {a.id} for {a.decision_id}, expires {_when(a.expires_at)}"
            for a in pending
        ] or ["no pending approvals"]
        return "\n".join(lines)

    def _history(self, query: slack_commands.History) -> str:
        model = query.model or self.models[0]
        since = self.workspace.clock() - query.since
        with self.store.transaction() as conn:
            found = [
                d
                for d in decisions.fired_since(conn, model, since)
                if query.trigger is None or query.trigger in d.trigger_types
            ]
            states = {d.id: approvals.for_decision(conn, d.id) for d in found[:20]}
        if not found:
            return f"no fired decisions for `{model}` in the last {query.since.days}d"
        lines = [f"*{model}*: {len(found)} fired decision(s) in the last {query.since.days}d"]
        for d in found[:20]:
            approval = states[d.id]
            lines.append(
                f"• {_when(d.created_at)} {d.id} {', '.join(d.trigger_types)}"
                + (f" — approval {approval.status}" if approval else "")
            )
        return "\n".join(lines)

    def dispatch_due(self) -> list[str]:
        """Expire overdue approvals, re-request stale ones, hand approved ones to the executor
        (each exactly once, whichever bot process claims it) — again when a dispatch's lease
        ran out or its runner died (``approvals.lease``). Returns the approval ids handed on."""
        now = self.workspace.clock()
        config = self.workspace.config
        with self.store.transaction() as conn:
            approval_flow.expire_due(conn, config.slack, now, self.where())
            # A replay older than the signature window is refused before it gets here.
            inbound.forget_before(conn, now - INBOUND_MEMORY, "command:")
            ready = lease.due(
                conn,
                self.models[0],
                now,
                config.slack.dispatch_lease,
                config.pipeline.lock_stale_after,
            )
        if not ready or self.executor.name == "none":
            return []
        snap = self.snapshot()
        started = []
        for item in ready:
            with self.store.transaction() as conn:
                fresh = (
                    item.approval.executed_at is None
                    and approval_flow.refresh_if_stale(
                        conn, item.approval, snap, config.slack, now, self.where()
                    )
                    is not None
                )
                if fresh or not approvals.claim_dispatch(conn, item.approval, now):
                    continue
            if item.why is not None:
                self.report(item.approval, f"resuming the approved retrain: {item.why}")
            started.append(item.approval.id)
            self._pool.submit(self._execute, item.approval)
        return started

    def _execute(self, approval: approvals.Approval) -> None:
        try:
            self.executor.execute(approval, lambda text: self.report(approval, text))
        except Exception:  # an executor bug must not kill the bot; say so in the thread
            log.exception("executor %s failed", self.executor.name)
            self.report(approval, "the executor failed unexpectedly; see the bot's log")

    def report(self, approval: approvals.Approval, text: str) -> None:
        with self.store.transaction() as conn:
            outbox.enqueue(
                conn,
                outbox.EXECUTOR_PROGRESS,
                {
                    "model": approval.model,
                    "decision_id": approval.decision_id,
                    "executor": self.executor.name,
                    "message": text,
                    "links": self.where(ask=False).links(
                        approval.model, decision_id=approval.decision_id
                    ),
                },
                channel=self.workspace.config.slack.channel,
                now=self.workspace.clock(),
                thread_key=approval.decision_id,
            )

    def close(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait)


def _require_user(user: str) -> None:
    # Every stored request and audit record names a person; without one nothing is stored.
    if not user:
        raise BadInput("could not read this request: it carries no Slack user id")


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
