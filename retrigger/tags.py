"""MLflow tag names retrigger writes and reads; every one starts with ``retrigger.``."""

BASELINE = "retrigger.baseline"
DECISION_ID = "retrigger.decision_id"
TRIGGER_TYPES = "retrigger.trigger_types"
DATA_VERSION = "retrigger.data_version"
GIT_COMMIT = "retrigger.git_commit"
REQUESTED_BY = "retrigger.requested_by"
APPROVED_BY = "retrigger.approved_by"
STATUS = "retrigger.status"
RETRAIN = "retrigger.retrain"  # "true" on runs that record a retrain

# Statuses of a retrain run that count as "a successful retrain" for the schedule signal.
SUCCESSFUL_STATUSES = frozenset({"succeeded", "promoted"})

# Per-path data version on retrain and baseline runs: ``retrigger.data.<path>`` = DVC md5.
DATA_PATH_PREFIX = "retrigger.data."
