"""Run by the Airflow virtualenv's Python (not retrigger's): parse a DAGs folder as Airflow does
and print its import errors and the shape of every DAG as one JSON document."""

import json
import sys
import warnings

warnings.simplefilter("ignore")

from airflow.models.dagbag import DagBag  # noqa: E402

bag = DagBag(sys.argv[1])
print(
    json.dumps(
        {
            "errors": {path: str(error) for path, error in bag.import_errors.items()},
            "dags": {
                dag_id: {
                    "schedule": str(dag.schedule),
                    "max_active_runs": dag.max_active_runs,
                    "catchup": dag.catchup,
                    "tasks": {
                        task.task_id: {
                            "type": type(task).__name__,
                            "downstream": sorted(task.downstream_task_ids),
                            "mode": getattr(task, "mode", None),
                        }
                        for task in dag.tasks
                    },
                }
                for dag_id, dag in bag.dags.items()
            },
        }
    )
)
