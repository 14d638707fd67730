"""Inbound events: signed notifications that data arrived (or that the registry changed).

Events are hints, the check is the truth: a verified event for a watched prefix opens (or
extends) a settle window, and when the window closes retrigger runs the normal ``check`` once.

* ``verify``: the Standard Webhooks signature (MLflow's webhooks use the same scheme) and
  API keys, checked before anything is parsed or stored;
* ``webhook``, ``mlflow``, ``s3``: one module per sender, each turning a verified body into
  typed events (``model``);
* ``intake``: verify → parse → remember the delivery → open the window, in one transaction;
* ``settle``: the windows that closed, and the check each one runs (``loop`` runs them after
  the answer, in the server's background thread).
"""
