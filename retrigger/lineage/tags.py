"""MLflow tag names retrigger writes and reads; every one starts with ``retrigger.``.

The values of ``retrigger.status`` are the members of ``status.RetrainStatus``."""

from retrigger.lineage.status import SUCCESSFUL

BASELINE = "retrigger.baseline"
DECISION_ID = "retrigger.decision_id"
TRIGGER_TYPES = "retrigger.trigger_types"
DATA_VERSION = "retrigger.data_version"
GIT_COMMIT = "retrigger.git_commit"
REQUESTED_BY = "retrigger.requested_by"
APPROVED_BY = "retrigger.approved_by"
# The display names of those two (Slack's users.info, the git identity); the ids stay above.
REQUESTED_BY_NAME = "retrigger.requested_by_name"
APPROVED_BY_NAME = "retrigger.approved_by_name"
STATUS = "retrigger.status"
RETRAIN = "retrigger.retrain"  # "true" on runs that record a retrain

# Statuses of a retrain run that count as "a successful retrain" for the schedule signal.
SUCCESSFUL_STATUSES = SUCCESSFUL

# Per-path data version on retrain and baseline runs: ``retrigger.data.<path>`` = DVC md5.
DATA_PATH_PREFIX = "retrigger.data."

# Written by the retrain pipeline (retrigger.pipeline).
MODEL_VERSION = "retrigger.model_version"  # the registry version a retrain promoted
CANDIDATE_VERSION = "retrigger.candidate_version"  # registered, not promoted (a held retrain)
CHAMPION_ALIAS = "retrigger.champion_alias"
PREVIOUS_CHAMPION = "retrigger.previous_champion"  # the version the alias pointed to before
VALIDATION = "retrigger.validation"  # one line: why the gate passed or refused
COMPARED_ON = "retrigger.compared_on"  # what <metric>_before and _after were measured on
# On a retrain judged on numbers from different data: how they differ. Such a refusal is not
# remembered as identical-inputs (the data was never fairly tried).
INCOMPARABLE = "retrigger.incomparable"
REPRO = "retrigger.repro"  # one line: the stages `dvc repro` ran, skipped as unchanged, restored
ATTEMPT_ID = "retrigger.attempt_id"
RESTORED = "retrigger.restored"  # what a retrain that promoted nothing put back in the work tree
REASON = "retrigger.reason"  # a forced retrain's reason
ERROR = "retrigger.error"
# One line: the pip requirements retrigger derived for a model file, and from what.
REQUIREMENTS = "retrigger.requirements"
PIPELINE_RUN_NAME = "retrigger.pipeline_run_name"  # the name the pipeline gave mlflow.start_run
MLFLOW_RUN_NAME = "mlflow.runName"  # MLflow's own: the run's name
ADOPTED = "retrigger.adopted"  # a version `retrigger champion set` made the champion
MLFLOW_GIT_COMMIT = "mlflow.source.git.commit"  # MLflow's own tag, shown in its UI
