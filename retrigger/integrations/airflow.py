"""An Airflow DAG that retrains a model only when a signal says so.

    check (short-circuit) ──► wait_for_approval (sensor on the state store) ──► retrain

``check`` runs ``retrigger check``; when nothing fired, the run stops there and the downstream
tasks are skipped. When the policy requires approval, ``check`` also stores the approval request
(announced in Slack) and the sensor waits, in reschedule mode so it holds no worker slot, until a
person approves; a rejection or an expiry skips the retrain. ``retrain`` runs
``retrigger run --decision ID``: the same lock, validation gate and audit trail as every other
front door. Airflow is imported only when a DAG is built, so this module imports (and type-checks)
without Airflow installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retrigger.integrations.runner import DEFAULT_COMMAND, RetriggerCli
from retrigger.store.approvals import APPROVED, PENDING

__all__ = ["ApprovalClosed", "poke_approval", "retrain_dag"]

DEFAULT_SCHEDULE = "17 3 * * *"  # daily, off the top of the hour


class ApprovalClosed(Exception):
    """The approval ended without a yes (rejected, expired, stale): skip the retrain."""


def retrain_dag(
    dag_id: str,
    project_dir: str | Path,
    *,
    schedule: str | None = DEFAULT_SCHEDULE,
    config: str | Path | None = None,
    command: Sequence[str] = DEFAULT_COMMAND,
    approval_timeout: timedelta = timedelta(hours=24),
    poke_interval: timedelta = timedelta(minutes=5),
    start_date: datetime | None = None,
) -> Any:
    """Build the DAG; call it at the top level of a file in Airflow's DAGs folder."""
    from airflow.providers.standard.operators.python import PythonOperator, ShortCircuitOperator
    from airflow.providers.standard.sensors.python import PythonSensor
    from airflow.sdk import DAG

    # Plain values only: Airflow renders and serialises op_kwargs.
    where = {
        "project_dir": str(project_dir),
        "config": str(config) if config else None,
        "command": list(command),
    }
    with DAG(
        dag_id=dag_id,
        schedule=schedule,
        catchup=False,
        max_active_runs=1,
        start_date=start_date or datetime(2024, 1, 1, tzinfo=UTC),
        tags=["retrigger"],
        doc_md=__doc__,
    ) as dag:
        check = ShortCircuitOperator(
            task_id="check",
            python_callable=check_task,
            op_kwargs=where,
            ignore_downstream_trigger_rules=True,
        )
        wait = PythonSensor(
            task_id="wait_for_approval",
            python_callable=approval_task,
            op_kwargs=where,
            mode="reschedule",
            poke_interval=poke_interval,
            timeout=approval_timeout,
        )
        retrain = PythonOperator(
            task_id="retrain", python_callable=retrain_task, op_kwargs=where, retries=0
        )
        check >> wait >> retrain
    return dag


def _cli(project_dir: str, config: str | None, command: Sequence[str]) -> RetriggerCli:
    return RetriggerCli(Path(project_dir), Path(config) if config else None, tuple(command))


def check_task(project_dir: str, config: str | None, command: list[str]) -> Any:
    """A truthy XCom (the decision) when the check fired; False stops the run here."""
    outcome = _cli(project_dir, config, command).check()
    print(
        f"retrigger: decision {outcome.decision_id}: fire={outcome.fire}, "
        f"triggers: {', '.join(outcome.trigger_types) or 'none'}"
    )
    return outcome.as_xcom() if outcome.fire else False


def approval_task(project_dir: str, config: str | None, command: list[str], ti: Any) -> bool:
    decision = ti.xcom_pull(task_ids="check")
    try:
        return poke_approval(_cli(project_dir, config, command), decision)
    except ApprovalClosed as exc:
        from airflow.exceptions import AirflowSkipException

        raise AirflowSkipException(str(exc)) from None


def poke_approval(cli: RetriggerCli, decision: dict[str, Any]) -> bool:
    """True when the retrain may go, False to keep waiting; ApprovalClosed to give up."""
    if not decision.get("awaiting_approval"):
        return True
    status = cli.approval_state(str(decision["decision_id"]))
    if status == APPROVED:
        return True
    if status == PENDING:
        return False
    raise ApprovalClosed(
        f"approval of {decision['decision_id']} is {status or 'missing'}; nothing to retrain"
    )


def retrain_task(project_dir: str, config: str | None, command: list[str], ti: Any) -> Any:
    decision = ti.xcom_pull(task_ids="check")
    result = _cli(project_dir, config, command).retrain(str(decision["decision_id"]))
    print(f"retrigger: retrain of {decision['decision_id']}: {result.get('status', result)}")
    return result
