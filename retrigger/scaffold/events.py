"""``retrigger init --events s3|gcs|azure|mlflow``: the ``events:`` section of retrigger.yaml,
and the cloud-side setup that makes each sender call ``retrigger serve``.

The prefixes and URLs are placeholders in capitals (``YOUR-BUCKET``): init cannot know the
bucket, so the section says what to replace, and the printed steps use the same names.
"""

from __future__ import annotations

from retrigger.scaffold.facts import ProjectFacts

CHOICES = ("s3", "gcs", "azure", "mlflow")
URL = "https://RETRIGGER-HOST"  # where `retrigger serve` (or the bot) is reachable over https

_PREFIX = {
    "s3": "s3://YOUR-BUCKET/path/",
    "gcs": "gs://YOUR-BUCKET/path/",
    "azure": "https://YOURACCOUNT.blob.core.windows.net/YOUR-CONTAINER/path/",
}


def section(facts: ProjectFacts, sources: list[str]) -> str:
    """YAML text for the end of retrigger.yaml."""
    data = facts.data[0] if facts.data else None
    lines = [
        "",
        "# Data-arrival events (`retrigger serve`, docs/events.md): an event for a watched prefix",
        "# opens a settle window; when it closes (or the marker object lands) `check` runs once.",
        "# Replace the capitalised placeholders with your bucket and path.",
        "events:",
    ]
    watched = [s for s in sources if s in _PREFIX]
    if watched and data is None:
        lines.append(
            "  # watch: list a DVC-tracked path under `data:` first; each prefix feeds one"
        )
        lines.append("  watch: []")
    elif watched:
        lines.append("  watch:")
        for source in watched:
            lines.append(f"    - {{source: {source}, prefix: '{_PREFIX[source]}', data: {data}}}")
    lines += ["  settle: 10m", "  marker: _SUCCESS"]
    if "gcs" in sources:
        lines += [
            "  gcs:  # what the Pub/Sub push token must say",
            f"    audience: {URL}/events/gcs",
            "    service_account: PUSH-SA@YOUR-PROJECT.iam.gserviceaccount.com",
        ]
    if "mlflow" in sources:
        lines.append("  baseline: follow-alias  # a champion moved in MLflow becomes the baseline")
    return "\n".join(lines) + "\n"


def setup_steps(facts: ProjectFacts, sources: list[str]) -> list[str]:
    """What to create on the cloud side, one step per source, in the words of its console."""
    steps = [
        "serve the endpoint over https (behind your proxy or load balancer): "
        f"`retrigger serve --host 0.0.0.0 --port 3000`, reachable as {URL}"
    ]
    for source in sources:
        steps.append(_STEPS[source](facts))
    return steps


def _s3(_facts: ProjectFacts) -> str:
    return (
        "S3: set RETRAIN_EVENTS_S3_API_KEY on the server; in EventBridge create an API "
        f"destination {URL}/events/s3 (POST, API key auth, header x-api-key = that key) and a "
        'rule {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": '
        '{"name": ["YOUR-BUCKET"]}}} targeting it (turn on "Send notifications to Amazon '
        "EventBridge\" in the bucket's properties); no inbound port: send the bucket's "
        "s3:ObjectCreated:* notifications to an SQS queue and run `retrigger events pull --sqs "
        "QUEUE-URL` (pip install 'retrigger[aws]')"
    )


def _gcs(_facts: ProjectFacts) -> str:
    return (
        "GCS: `gcloud storage buckets notifications create gs://YOUR-BUCKET --topic=retrigger "
        "--event-types=OBJECT_FINALIZE`, then `gcloud pubsub subscriptions create retrigger-push "
        f"--topic=retrigger --push-endpoint={URL}/events/gcs "
        "--push-auth-service-account=PUSH-SA@YOUR-PROJECT.iam.gserviceaccount.com "
        f"--push-auth-token-audience={URL}/events/gcs` (the audience and account in events.gcs)"
    )


def _azure(_facts: ProjectFacts) -> str:
    return (
        "Azure: set RETRAIN_EVENTS_AZURE_KEY on the server; `az eventgrid event-subscription "
        "create --name retrigger --source-resource-id STORAGE-ACCOUNT-ID --endpoint "
        f"'{URL}/events/azure?key=THAT-KEY' --included-event-types "
        "Microsoft.Storage.BlobCreated` (retrigger answers the validation handshake); or, "
        "with Microsoft Entra instead of the key, set events.azure {tenant, audience} and pass "
        "--azure-active-directory-tenant-id TENANT "
        "--azure-active-directory-application-id-or-uri AUDIENCE with the endpoint "
        f"'{URL}/events/azure'"
    )


def _mlflow(facts: ProjectFacts) -> str:
    return (
        "MLflow (≥ 3.3, SQL backend): set RETRAIN_EVENTS_MLFLOW_SECRET on the server, then "
        f"`MlflowClient().create_webhook(name='retrigger', url='{URL}/events/mlflow', "
        "events=['model_version.created', 'model_version_alias.created'], "
        f"secret=THAT-SECRET)` against {facts.tracking_uri}"
    )


_STEPS = {"s3": _s3, "gcs": _gcs, "azure": _azure, "mlflow": _mlflow}
