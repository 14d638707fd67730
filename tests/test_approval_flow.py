"""Approvals: authorised, four-eyes, exactly once, expiring, and stale when the world moved.
On SQLite and PostgreSQL (``store_url``)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from retrigger.approvals import flow as approval_flow
from retrigger.approvals.approvers import Approvers, slack_group_members
from retrigger.config.models import SlackConfig
from retrigger.errors import ConfigError
from retrigger.lineage.snapshot import Snapshot
from retrigger.notify.delivery import slack_client
from retrigger.store import Store, approvals, outbox
from retrigger.store.schema import audit
from retrigger.store.schema import outbox as outbox_table
from tests.support.fake_slack import running_fake_slack
from tests.support.workspaces import START, Clock, fired_decision, write_config

SLACK = SlackConfig(approvers=["UALICE", "UBOB", "UCAROL"], four_eyes=True)


def _approvers(clock: Clock, ids: list[str] | None = None) -> Approvers:
    return Approvers(ids or SLACK.approvers, None, timedelta(minutes=5), clock)


def _requested(store: Store, requested_by: str = "UALICE") -> approvals.Approval:
    with store.transaction() as conn:
        decision = fired_decision(requested_by=requested_by)
        from retrigger.store import decisions

        decisions.save(conn, decision)
        return approval_flow.request(conn, decision, requested_by, SLACK, START)


def _kinds(store: Store) -> list[str]:
    with store.transaction() as conn:
        return list(conn.execute(select(outbox_table.c.kind).order_by(outbox_table.c.id)).scalars())


def _audit(store: Store) -> list[tuple[str, str | None]]:
    with store.transaction() as conn:
        return [(r.action, r.actor) for r in conn.execute(select(audit).order_by(audit.c.id))]


def test_concurrent_clicks_decide_exactly_once(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    approval = _requested(store)
    clock = Clock()
    results: list[approval_flow.Result] = []
    barrier = threading.Barrier(6)

    def click(actor: str, approve: bool) -> None:
        barrier.wait(timeout=10)
        with store.transaction() as conn:
            results.append(
                approval_flow.answer(
                    conn,
                    approval.id,
                    actor,
                    approve,
                    None,
                    START,
                    slack=SLACK,
                    approvers=_approvers(clock),
                )
            )

    actors = [("UBOB", True), ("UCAROL", True), ("UBOB", False)] * 2
    threads = [threading.Thread(target=click, args=actor) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    decided = [r for r in results if r.changed]
    assert len(results) == 6 and len(decided) == 1
    winner = decided[0].approval
    assert winner is not None and winner.decided_by in {"UBOB", "UCAROL"}
    for other in (r for r in results if not r.changed):
        assert other.outcome == approval_flow.ALREADY
        assert other.message == (
            f"already {winner.status} by {winner.decided_by} at 2026-03-15 02:00 UTC"
        )
    assert _kinds(store) == [outbox.APPROVAL_REQUESTED, outbox.APPROVAL_DECIDED]
    assert [a for a, _ in _audit(store)] == ["approval.requested", f"approval.{winner.status}"]
    store.close()


def test_non_approver_and_self_approval_are_refused_and_audited(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    approval = _requested(store, requested_by="UALICE")
    clock = Clock()
    with store.transaction() as conn:
        outsider = approval_flow.answer(
            conn,
            approval.id,
            "UMALLORY",
            True,
            None,
            START,
            slack=SLACK,
            approvers=_approvers(clock),
        )
        own = approval_flow.answer(
            conn, approval.id, "UALICE", True, None, START, slack=SLACK, approvers=_approvers(clock)
        )
        still = approvals.get(conn, approval.id)

    assert outsider.outcome == approval_flow.NOT_APPROVER
    assert "not an approver" in outsider.message
    assert own.outcome == approval_flow.SELF_APPROVAL
    assert still is not None and still.status == approvals.PENDING
    assert _kinds(store) == [outbox.APPROVAL_REQUESTED]
    assert _audit(store)[1:] == [("approval.refused", "UMALLORY"), ("approval.refused", "UALICE")]
    store.close()


def test_a_click_after_the_ttl_expires_the_approval_and_replaces_its_buttons(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    approval = _requested(store)
    late = START + SLACK.approval_ttl
    with store.transaction() as conn:
        result = approval_flow.answer(
            conn, approval.id, "UBOB", True, None, late, slack=SLACK, approvers=_approvers(Clock())
        )
        again = approval_flow.answer(
            conn,
            approval.id,
            "UCAROL",
            True,
            None,
            late,
            slack=SLACK,
            approvers=_approvers(Clock()),
        )
        assert approval_flow.expire_due(conn, SLACK, late) == []

    assert result.outcome == approval_flow.TOO_LATE
    assert again.outcome == approval_flow.ALREADY and "already expired" in again.message
    assert _kinds(store) == [outbox.APPROVAL_REQUESTED, outbox.APPROVAL_EXPIRED]
    store.close()


def test_expire_due_expires_each_pending_approval_once(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", tmp_path)
    approval = _requested(store)
    with store.transaction() as conn:
        assert approval_flow.expire_due(conn, SLACK, START + timedelta(hours=1)) == []
        expired = approval_flow.expire_due(conn, SLACK, START + timedelta(days=2))
        assert approval_flow.expire_due(conn, SLACK, START + timedelta(days=3)) == []
    assert [a.id for a in expired] == [approval.id]
    assert expired[0].status == approvals.EXPIRED


def test_an_approval_goes_stale_when_commit_or_data_moved(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    approval = _requested(store)
    with store.transaction() as conn:
        decided = approval_flow.answer(
            conn, approval.id, "UBOB", True, None, START, slack=SLACK, approvers=_approvers(Clock())
        )
        assert decided.approval is not None
        same = Snapshot(git_commit="c0ffee", data_version="abc123", data_paths={})
        assert approval_flow.refresh_if_stale(conn, decided.approval, same, SLACK, START) is None
        moved = Snapshot(git_commit="c0ffee", data_version="def456", data_paths={"d": "1"})
        fresh = approval_flow.refresh_if_stale(conn, decided.approval, moved, SLACK, START)
        old = approvals.get(conn, approval.id)

    assert fresh is not None and fresh.status == approvals.PENDING
    assert fresh.data_version == "def456" and fresh.decision_id != approval.decision_id
    assert old is not None and old.status == approvals.STALE and old.superseded_by == fresh.id
    assert _kinds(store)[-2:] == [outbox.APPROVAL_STALE, outbox.APPROVAL_REQUESTED]
    store.close()


def test_user_group_members_are_read_from_slack_and_cached() -> None:
    clock = Clock()
    with running_fake_slack() as fake:
        fake.usergroups["SOPS"] = ["UDANA"]
        client = slack_client(SlackConfig(api_url=fake.url), "xoxb-t")
        approvers = Approvers(["SOPS"], slack_group_members(client), timedelta(minutes=5), clock)
        assert approvers.allows("UDANA") and approvers.allows("UDANA")
        assert not approvers.allows("UERIN")
        assert len(fake.of("usergroups.users.list")) == 1
        clock.advance(minutes=6)
        fake.fail("usergroups.users.list", error="missing_scope")
        assert not approvers.allows("UDANA")  # a group that cannot be read grants nothing
        assert approvers.allows("UDANA")
        assert len(fake.of("usergroups.users.list")) == 3


def test_four_eyes_with_a_lone_approver_is_refused_naming_the_key(tmp_path: Path) -> None:
    from retrigger.config import load_config

    path = write_config(tmp_path, four_eyes=True, approvers=["UALICE"])
    with pytest.raises(ConfigError, match=r"'slack'.*four_eyes needs at least two approvers"):
        load_config(path)
    write_config(tmp_path, four_eyes=True, approvers=["UALICE", "SOPS"])
    assert load_config(path).config.slack.four_eyes
    write_config(tmp_path, approvers=["alice"])
    with pytest.raises(ConfigError, match=r"slack\.approvers"):
        load_config(path)
