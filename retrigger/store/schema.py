"""Tables of the state store and the in-place upgrades between schema versions.

A migration is appended to ``MIGRATIONS``, never edited once released: version N is the state
after the first N migrations. ``upgrade`` runs the missing ones in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("model", String(200), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("fire", Boolean, nullable=False),
    Column("wanted", Boolean, nullable=False),
    Column("trigger_types", JSON, nullable=False),
    Column("held_by", String(32)),
    Column("hold_detail", Text),
    Column("signals", JSON, nullable=False),
    Column("data_version", String(64)),
    Column("data_paths", JSON, nullable=False),
    Column("git_commit", String(64)),
    Column("config", JSON, nullable=False),
    Column("requested_by", String(200)),
    Column("reason", Text),
    # What `check` fetched from the DVC remote to read its signals, one line each (v6).
    Column("fetched", JSON),
)


approvals = Table(
    "approvals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("decision_id", String(64), nullable=False, unique=True),
    Column("model", String(200), nullable=False, index=True),
    # pending → approved | rejected | expired | stale; only a pending row ever changes.
    Column("status", String(16), nullable=False, index=True),
    Column("requested_by", String(200)),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # What the approval is for: if either moved before execution, the approval is stale.
    Column("git_commit", String(64)),
    Column("data_version", String(64)),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", Text),
    Column("executed_at", DateTime(timezone=True)),
    # v4: an approved retrain is handed to the executor once (conditional UPDATE of this column).
    Column("dispatched_at", DateTime(timezone=True)),
    Column("superseded_by", String(64)),  # the new approval requested when this one went stale
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(200), nullable=False, index=True),
    Column("kind", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    # Messages about one decision share a thread key; the first one delivered starts the thread.
    Column("thread_key", String(64), index=True),
    # pending → delivered | dead (permanent error, shown by `retrigger status`)
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("delivered_ref", String(64)),  # e.g. the Slack message ts
    # v4: the Slack channel id the message landed in (chat.update needs the id, not the name).
    Column("delivered_channel", String(64)),
    Column("claimed_until", DateTime(timezone=True)),  # a worker's lease on the row
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(200)),
    Column("action", String(64), nullable=False),
    Column("subject", String(64), index=True),  # decision or approval id
    Column("detail", JSON, nullable=False),
)

# One row per new data version of a model, whoever pushed it first: the unique constraint, not
# a read-then-write, is what keeps two concurrent `retrigger push` runs from recording it twice.
data_arrivals = Table(
    "data_arrivals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("data_version", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("source", String(32), nullable=False),  # push | pre-push
    Column("git_commit", String(64)),
    Column("paths", JSON, nullable=False),  # path → md5
    Column("delta", JSON, nullable=False),  # the `retrigger delta --json` document
    # v7: the decision that answers this arrival (push with `hooks.check_on_push`). Set once, by
    # a conditional UPDATE in the decision's own transaction: a second push of the same data
    # version, at once or later, finds it set and stores no second decision.
    Column("decision_id", String(64)),
    UniqueConstraint("model", "data_version", name="uq_data_arrivals_model_version"),
)


# v4: inbound Slack requests already handled (replays and retries change nothing twice).
inbound = Table(
    "inbound",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)


# v5: the retrain pipeline. One lock row per model while a retrain runs (crash-safe: the holder's
# pid, host and process start time let the next runner see that it died and reclaim the lock).
retrain_locks = Table(
    "retrain_locks",
    metadata,
    Column("model", String(200), primary_key=True),
    Column("attempt_id", String(64), nullable=False),
    Column("decision_id", String(64), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("hostname", String(255), nullable=False),
    Column("proc_start", String(32)),  # the holder's start time: a reused pid is not the holder
    Column("child_pid", Integer),  # the running step's process group, killed on reclaim
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)

# One row per attempt to execute a decision; a decision may take several (crash, outage).
retrain_attempts = Table(
    "retrain_attempts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("model", String(200), nullable=False, index=True),
    # running → promoted | rejected-by-validation | failed | interrupted
    Column("status", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("pid", Integer),
    Column("hostname", String(255)),
    Column("requested_by", String(200)),
    Column("approved_by", String(200)),
    Column("stopped_at", String(32)),  # the step that failed or was interrupted
    Column("error", Text),
    Column("facts", JSON, nullable=False),  # metric before/after, validation, run id, version
)

retrain_steps = Table(
    "retrain_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", String(64), nullable=False, index=True),
    Column("name", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # running → ok | failed | interrupted
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float),
    Column("detail", Text),
)


def _v1_decisions(conn: Connection) -> None:
    schema_version.create(conn, checkfirst=True)
    decisions.create(conn, checkfirst=True)


def _v2_approvals_outbox_audit(conn: Connection) -> None:
    for table in (approvals, outbox, audit):
        table.create(conn, checkfirst=True)


def _v3_data_arrivals(conn: Connection) -> None:
    data_arrivals.create(conn, checkfirst=True)


def _v4_bot(conn: Connection) -> None:
    _add_columns(
        conn,
        {
            approvals: ("dispatched_at", "superseded_by"),
            outbox: ("delivered_channel", "claimed_until"),
        },
    )
    inbound.create(conn, checkfirst=True)


def _add_columns(conn: Connection, added: dict[Table, tuple[str, ...]]) -> None:
    """ALTER TABLE … ADD COLUMN for each column an older database lacks."""
    inspector = inspect(conn)
    for table, names in added.items():
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for name in names:
            if name in have:  # a fresh database got the column from the v2 CREATE TABLE
                continue
            column = table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


def _v5_pipeline(conn: Connection) -> None:
    for table in (retrain_locks, retrain_attempts, retrain_steps):
        table.create(conn, checkfirst=True)


def _v6_decision_fetched(conn: Connection) -> None:
    _add_columns(conn, {decisions: ("fetched",)})


def _v7_arrival_decision(conn: Connection) -> None:
    _add_columns(conn, {data_arrivals: ("decision_id",)})


def _v8_events_settle_windows(conn: Connection) -> None:
    from retrigger.store import settle  # the table lives beside its SQL (events' windows)

    settle.create(conn)


Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [
    _v1_decisions,
    _v2_approvals_outbox_audit,
    _v3_data_arrivals,
    _v4_bot,
    _v5_pipeline,
    _v6_decision_fetched,
    _v7_arrival_decision,
    _v8_events_settle_windows,
]


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    found = conn.execute(select(schema_version.c.version)).scalar()
    return int(found or 0)


def upgrade(conn: Connection) -> int:
    """Bring the schema to the latest version; return it."""
    version = current_version(conn)
    for migration in MIGRATIONS[version:]:
        migration(conn)
    latest = len(MIGRATIONS)
    if version == 0:
        conn.execute(schema_version.insert().values(id=1, version=latest))
    elif version < latest:
        conn.execute(schema_version.update().values(version=latest))
    return latest
