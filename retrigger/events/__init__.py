"""Inbound events: signed notifications that data arrived (or that the registry changed).

Events are hints, the check is the truth: a verified event for a watched prefix opens (or
extends) a settle window, and when the window closes retrigger runs the normal ``check`` once.

* ``verify``: the Standard Webhooks signature (MLflow's webhooks use the same scheme) and
  API keys; ``gcs.TokenCheck``: Pub/Sub's OIDC token — checked before anything is parsed;
* ``webhook``, ``mlflow``, ``s3``, ``gcs``, ``azure``: one module per sender, each turning a
  verified body into typed events (``model``); ``senders``: which check and shape per source;
* ``intake``: verify → parse → remember the delivery → open the window, in one transaction;
* ``sqs``: the same intake fed from an SQS queue (``retrigger events pull``);
* ``settle``: the windows that closed, and the check each one runs (``loop`` runs them after
  the answer, in the server's background thread), then what ``pipeline.dispatch`` says.
"""
